"""Numerical guards: a non-finite parameter or input stops the run before any task, a
bad output or counts that lose paths stop the task, each naming where it came from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import riskengine
from riskengine.ensemble.guards import (
    NumericalError,
    check_inputs,
    check_outputs,
    check_parameters,
)
from riskengine.ensemble.tasks import TaskSpec
from riskengine.models.escalation.core import Inputs

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"
# draws 4-5 of a 2 chains x 4 draws grid, two draws per task; paths 100-199 of 150
SPEC = TaskSpec(("escalation",), (), 4, 6, 100, 100, 150, 4, 2)


def _outputs(**changes) -> dict:
    outputs = {
        "escalation.path_count": np.full((2, 3), 50, np.int32),
        "escalation.level_count": np.ones((2, 3, 12, 5), np.int32),
        "joint.escalation.sanctions": np.full((2, 3, 5, 2), 5, np.int32),
        "sanctions.cost": np.zeros((2, 3, 50), np.float32),
    }
    return outputs | changes


def test_sound_outputs_pass():
    check_outputs(SPEC, _outputs(), num_valid=50)


def test_a_nan_parameter_is_named_with_its_chain_draw_and_block():
    values = np.zeros(8)
    values[5] = np.nan
    with pytest.raises(NumericalError) as caught:
        check_parameters({"escalation.intercept": values, "escalation.other": np.ones(8)}, SPEC)
    assert str(caught.value) == (
        "parameter 'escalation.intercept' is nan at draw 5 = chain 1, draw 1, in draw block 2; "
        "allowed: finite values (check the posterior file or the prior that drew it)"
    )


def test_a_non_finite_input_is_named_with_its_variant():
    covariates = np.zeros((3, 4), np.float32)
    covariates[2, 1] = np.inf
    inputs = (Inputs(covariates, np.zeros(3, np.int32)),)
    with pytest.raises(
        NumericalError, match=r"scenario input \[0\]\.covariates is inf in variant 2"
    ):
        check_inputs(inputs)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"sanctions.cost": np.where(np.arange(50) == 7, np.nan, 0.0) * np.ones((2, 3, 50))},
            r"task of draws 4-5 and paths 100-149 \(draw 4 = chain 1, draw 0, in draw block 2; "
            r"variant 0\): output 'sanctions.cost' is nan; allowed: finite values",
        ),
        (
            {"escalation.level_count": -np.ones((2, 3, 12, 5), np.int64)},
            r"count 'escalation.level_count' is -1; allowed: non-negative counts",
        ),
        (
            {"escalation.path_count": np.asarray([[50, 50, 50], [50, 49, 50]])},
            r"\(draw 5 = chain 1, draw 1, in draw block 2; variant 1\): "
            r"'escalation.path_count' counts 49 paths but the task simulated 50",
        ),
        (
            {"joint.escalation.sanctions": np.full((2, 3, 5, 2), 6, np.int32)},
            r"'joint.escalation.sanctions' counts 60 paths but the task simulated 50",
        ),
    ],
)
def test_bad_outputs_stop_the_task(changes, message):
    with pytest.raises(NumericalError, match=message):
        check_outputs(SPEC, _outputs(**changes), num_valid=50)


def test_a_planted_nan_stops_a_real_run_before_any_task(monkeypatch):
    """The run's own parameter draws with one value replaced by NaN."""
    from riskengine import api

    original = api._parameter_draws

    def planted(model, settings):
        draws, sources, provenances = original(model, settings)
        name = next(iter(draws))
        draws[name] = draws[name].copy()
        draws[name][1, 0] = np.nan  # chain 1, draw 0
        return draws, sources, provenances

    monkeypatch.setattr(api, "_parameter_draws", planted)
    scenario = riskengine.load_scenario(TINY).with_ensemble(num_chains=2, num_draws=3)
    with pytest.raises(NumericalError, match=r"is nan at draw 3 = chain 1, draw 0, in draw block"):
        riskengine.run(scenario, scheduler="threads", progress=False)
