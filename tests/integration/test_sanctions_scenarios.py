"""The shipped sanctions scenarios through the command line, on the real shared data:
a sanctions-only comparison of senders and the coupled crisis-plus-sanctions scenario
each give one cube with namespaced parameters, documented variables and a brief."""

from __future__ import annotations

import json

import numpy as np
import pytest

import riskengine

pytestmark = pytest.mark.needs_data

SMALL = ("--paths", "300", "--draws", "5", "--chains", "2", "--scheduler", "threads")


def _run(run_cli, repository, tmp_path, config: str):
    out = tmp_path / config
    result = run_cli("run", repository / "configs" / f"{config}.yaml", "--out", out, *SMALL)
    assert result.returncode == 0, result.stderr
    return riskengine.open_cube(out / "cube.zarr"), (out / "brief.md").read_text()


def _documented(cube) -> None:
    for group in ("posterior", "predictions", "constant_data"):
        for name, variable in cube[group].data_vars.items():
            assert variable.attrs.get("description"), f"{group}/{name} has no description"
            assert variable.attrs.get("units"), f"{group}/{name} has no units"


def test_sanctions_senders_compared(run_cli, repository, shared_data_dir, tmp_path):
    cube, brief = _run(run_cli, repository, tmp_path, "sanctions_iran")
    assert cube.attrs["model"] == "sanctions"
    assert all(name.startswith("sanctions.") for name in cube["posterior"].data_vars)
    _documented(cube)
    leakage = cube["constant_data"]["leakage"].to_series()
    # UN authorisation adds China, Russia and India: less of Iran's trade escapes
    assert 0 < leakage["un_authorised"] < leakage["g7"] < 1
    assert leakage["eu_only"] > leakage["un_authorised"]
    success = cube["predictions"]["p_success_within"].sel(months_since_imposition=24)
    assert np.all((success >= 0) & (success <= 1))
    assert "sanctions succeed (negotiated settlement or acquiescence) within 24 months" in brief
    if cube.attrs["parameter_source"] == "posterior":  # the fitted data's range caveat
        assert "TIES covers sanctions imposed 1945-2005" in brief


def test_coupled_crisis_and_sanctions(run_cli, repository, shared_data_dir, tmp_path):
    cube, brief = _run(run_cli, repository, tmp_path, "baltic_sanctions")
    assert cube.attrs["model"] == "escalation+sanctions"
    prefixes = {name.split(".")[0] for name in cube["posterior"].data_vars}
    assert prefixes == {"escalation", "sanctions"}
    _documented(cube)
    predictions = cube["predictions"]
    for name in (
        "p_war_within",
        "p_success_by",
        "p_sanctions_success_given_escalation_use_of_force",
    ):
        assert name in predictions
    counter_steps = json.loads(cube.attrs["counter_steps"])
    assert set(counter_steps) == {"escalation", "sanctions"}
    assert "if the crisis reaches use of force" in brief
