"""The joining validation's pieces on hand-computed examples, without data: the SBC
design, simulation and parameter names, the shared SBC ranks and summary, the backtest's
forecast, era and commitment split, and the shared validate driver."""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from riskengine.inference import validation
from riskengine.inference.sbc import SbcOptions, SbcResult, ranks_and_coverage, sbc_summary
from riskengine.inference.scoring import beats_base_rate, binary_scores, format_scores
from riskengine.models.escalation.data import with_era
from riskengine.models.joining import core
from riskengine.models.joining.backtest import (
    RELIABILITY_EDGES,
    forecast_probabilities,
    format_backtest,
    scores_by_commitment,
)
from riskengine.models.joining.calibration import (
    Design,
    design_from_sample,
    parameter_names,
    scalar_parameters,
    simulate_joined,
)
from riskengine.models.joining.data import COVARIATE_NAMES


def _params(intercept, draws=None) -> core.Params:
    shape = () if draws is None else (draws,)
    return core.Params(
        jnp.full(shape, intercept, jnp.float32),
        jnp.zeros((*shape, core.NUM_COVARIATES)),
        jnp.zeros((*shape, len(core.LEVEL_EFFECT_NAMES))),
    )


def _design(rows: int, duration: int = 1, offset: float = 0.0) -> Design:
    return Design(
        np.zeros((rows, core.NUM_COVARIATES), np.float32),
        np.full(rows, 3, np.int32),
        np.full(rows, duration, np.int32),
        np.full(rows, offset, np.float32),
    )


def test_parameter_names_follow_the_params_fields():
    names = parameter_names()
    assert len(names) == 13 and names[0] == "intercept"
    assert names[1:10] == [f"coefficients[{name}]" for name in COVARIATE_NAMES]
    assert names[10:] == ["level_effects[threat]", "level_effects[display]", "level_effects[war]"]
    params = core.Params(np.ones(2), np.full((2, 9), 2.0), np.full((2, 3), 3.0))
    _, values = scalar_parameters(params)
    np.testing.assert_array_equal(values[0], [1.0] + [2.0] * 9 + [3.0] * 3)


@pytest.mark.parametrize(("intercept", "share"), [(30.0, 1.0), (-30.0, 0.0)])
def test_simulated_joining_is_certain_or_impossible(intercept, share):
    joined = simulate_joined(jax.random.key(0), _params(intercept), _design(50))
    assert joined.dtype == jnp.int32 and float(joined.mean()) == share


def test_simulation_uses_duration_factor_and_offset():
    """h = 0.01 a month: P(joined over 10 months) = 1 - 0.99**10 = 0.0956, over 20
    months 0.182; the offset log(0.05) multiplies the odds by 20."""
    params = _params(float(np.log(0.01 / 0.99)))
    design = _design(200_000, duration=10)
    key = jax.random.key(1)
    assert float(simulate_joined(key, params, design).mean()) == pytest.approx(0.0956, abs=3e-3)
    doubled = simulate_joined(key, params, design, duration_factor=2)
    assert float(doubled.mean()) == pytest.approx(1 - 0.99**20, abs=3e-3)
    odds = 20 * 0.0956 / (1 - 0.0956)
    sampled = simulate_joined(key, params, _design(200_000, 10, float(np.log(0.05))))
    assert float(sampled.mean()) == pytest.approx(odds / (1 + odds), abs=3e-3)


def test_design_draws_distinct_rows_with_their_offsets():
    frame = pd.DataFrame({name: np.arange(10.0) for name in COVARIATE_NAMES})
    frame = frame.assign(
        joined=0, peak_level=3, duration_months=np.arange(1, 11), sampling_log_fraction=-3.0
    )
    design = design_from_sample(frame, 4, seed=2)
    assert design.covariates.shape == (4, 9) and len(set(design.duration_months)) == 4
    np.testing.assert_array_equal(design.covariates[:, 0] + 1, design.duration_months)
    np.testing.assert_array_equal(design.sampling_log_fraction, -3.0)
    with pytest.raises(ValueError, match="11 rows asked"):
        design_from_sample(frame, 11)


def test_ranks_count_thinned_draws_below_the_truth():
    options = SbcOptions(num_samples=100, thin=10)  # 9 ranked draws: 9, 19, ..., 89
    posterior = np.arange(100.0)[:, None].repeat(2, axis=1)
    ranks, inside = ranks_and_coverage(posterior, np.array([50.0, 99.5]), options)
    assert options.num_ranked == 9
    np.testing.assert_array_equal(ranks, [5, 9])
    np.testing.assert_array_equal(inside, [True, False])  # 90% interval [4.95, 94.05]


def _result(ranks, inside=0.9) -> SbcResult:
    ranks = np.asarray(ranks)
    covered = np.arange(ranks.shape[0])[:, None] < inside * ranks.shape[0]
    covered = np.broadcast_to(covered, ranks.shape)
    return SbcResult(ranks, ["a", "b"], 3, np.zeros(ranks.shape[0], int), covered)


def test_sbc_summary_passes_uniform_ranks_and_a_rejected_control():
    uniform = _result(np.tile(np.arange(4), 10)[:, None].repeat(2, axis=1))
    piled = _result(np.zeros((40, 2), int))
    summary = sbc_summary(uniform, piled, family_alpha=0.01)
    assert summary["min_p"] == pytest.approx(1.0) and summary["threshold"] == 0.005
    assert summary["control_rejected"] and summary["uniform"] and summary["passed"]
    assert summary["mean_coverage_90"] == pytest.approx(0.9)
    assert not sbc_summary(piled, piled, family_alpha=0.01)["passed"]
    undercovered = _result(uniform.ranks, inside=0.5)
    assert not sbc_summary(undercovered, piled, family_alpha=0.01)["passed"]


def test_forecast_is_the_posterior_mean_probability_over_the_dispute():
    hazards = np.array([0.01, 0.03])
    params = core.Params(
        jnp.asarray(np.log(hazards / (1 - hazards)), jnp.float32),
        jnp.zeros((2, core.NUM_COVARIATES)),
        jnp.zeros((2, 3)),
    )
    arrays = {
        "covariates": np.zeros((2, core.NUM_COVARIATES), np.float32),
        "peak_level": np.array([3, 3]),
        "duration_months": np.array([1, 12]),
    }
    expected = [hazards.mean(), np.mean(1 - (1 - hazards) ** 12)]
    np.testing.assert_allclose(forecast_probabilities(params, arrays), expected, rtol=1e-5)


def test_backtest_forecasts_joining_in_the_cold_war_era():
    covariates = np.ones((3, len(COVARIATE_NAMES)), np.float32)
    forced = with_era(covariates, "cold_war", COVARIATE_NAMES)
    np.testing.assert_array_equal(forced[:, -3:], [[0, 0, 1]] * 3)
    np.testing.assert_array_equal(forced[:, :-3], 1.0)
    with pytest.raises(ValueError, match="allowed"):
        with_era(covariates, "interwar", COVARIATE_NAMES)


def test_scores_split_by_defence_pact_against_one_base_rate():
    forecast = np.array([0.1, 0.8, 0.4, 0.3, 0.4, 0.05])
    observed = np.array([0, 1, 0, 1, 1, 0])
    pact = np.array([True, True, False, False, True, False])
    scores = scores_by_commitment(forecast, observed, pact, 0.2)
    assert [scores[g]["num_rows"] for g in scores] == [6, 3, 3]
    assert (
        scores["defence_pact"]["num_events"] == 2 and scores["no_defence_pact"]["num_events"] == 1
    )
    assert {s["base_rate"] for s in scores.values()} == {0.2}
    assert beats_base_rate(scores["all"])
    assert not beats_base_rate(binary_scores(1 - forecast, observed, 0.2, RELIABILITY_EDGES))
    result = {"scores": scores, "num_train_sample": 10, "control_fraction": 0.05}
    result |= {"num_train_rows": 100, "cutoff_year": 1990, "num_train_joined": 5}
    text = format_backtest(result | {"forecast_era": "cold_war", "num_draws": 2})
    assert "| no_defence_pact | 3 | 1 |" in text and "| candidates | joined |" in text
    assert len(format_scores(scores["all"])) == 8 + len(scores["all"]["reliability"])


def test_a_failing_check_is_reported_and_only_keeps_the_others(tmp_path):
    def good():
        return {"passed": True, "value": 1}

    def bad():
        raise RuntimeError("boom")

    sections = {name: (name.upper(), lambda result: ["body", ""]) for name in ("good", "bad")}
    checks = {"good": (good,), "bad": (bad,)}
    code = validation.run_checks(
        "toy", "Toy", checks, sections, quick=True, only=None, docs=tmp_path
    )
    results = json.loads((tmp_path / "toy.json").read_text())
    assert code == 1 and results["bad"] == {"passed": False, "error": "RuntimeError: boom"} | {
        "check_seconds": results["bad"]["check_seconds"]
    }
    text = (tmp_path / "toy.md").read_text()
    assert "## BAD (passed: False" in text and "`RuntimeError: boom`" in text
    assert "--quick` (`make validate MODEL=toy`)" in text
    checks["bad"] = (good,)
    code = validation.run_checks(
        "toy", "Toy", checks, sections, quick=True, only=["bad"], docs=tmp_path
    )
    results = json.loads((tmp_path / "toy.json").read_text())
    assert code == 0 and results["good"]["value"] == 1 and results["bad"]["passed"]


def test_table_rows_and_sbc_section():
    assert validation.table(("a", "b"), [(1, 2)]) == ["| a | b |", "|---|---|", "| 1 | 2 |", ""]
    summary = sbc_summary(
        _result(np.tile(np.arange(4), 10)[:, None].repeat(2, axis=1)),
        _result(np.zeros((40, 2), int)),
        0.01,
    )
    summary |= {"num_rows": 40, "options": {}, "seconds": 3.0, "where": "here"}
    lines = validation.sbc_section(summary, "toy rows", "a wrong toy")
    assert "40 replications on 40 rows of toy rows" in lines[0]
    assert "Negative control (a wrong toy, 40 replications)" in lines[0]
    assert lines[-2].startswith("| b | 1 | 0.900 |")
