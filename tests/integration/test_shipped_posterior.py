"""The fitted escalation posterior shipped in riskengine/models/escalation/fitted: floors,
provenance, PPC, use.

``riskengine fit escalation --ppc`` (``scripts/fit_escalation.sh``) writes
``fitted/posterior.nc`` and ``fitted/ppc.json``; ``make validate`` refits from
../shared/data and checks that the refit reproduces the shipped draws.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import xarray as xr

from riskengine.ensemble.parameters import (
    posterior_path,
    predictive_check_path,
    select_parameter_draws,
)
from riskengine.inference.fit import DIAGNOSTIC_FLOORS, diagnostics
from riskengine.inference.posterior_checks import posterior_notes
from riskengine.models.escalation import core as escalation
from riskengine.models.escalation.ensemble import ESCALATION, resolved_crises
from riskengine.models.escalation.warnings import era_notes

POSTERIOR = posterior_path("escalation")
PPC = predictive_check_path("escalation")
SHIPPED_NAME = "riskengine/models/escalation/fitted/posterior.nc"
WAR_SHARES = ("war share: all", "war share: multilateral", "war share: bilateral")


@pytest.fixture(scope="module")
def shipped() -> xr.DataTree:
    with xr.open_datatree(POSTERIOR, engine="h5netcdf") as tree:
        return tree.load()


def test_diagnostics_recomputed_from_the_draws_meet_the_floors(shipped):
    report = diagnostics(shipped)
    assert report["max_rhat"] <= DIAGNOSTIC_FLOORS["max_rhat"], report
    assert report["min_ess_bulk"] >= DIAGNOSTIC_FLOORS["min_ess_bulk"], report
    assert report["min_ess_tail"] >= DIAGNOSTIC_FLOORS["min_ess_tail"], report
    assert report["divergences"] == 0, report


def test_stored_diagnostics_are_those_of_the_draws(shipped):
    report, stored = diagnostics(shipped), json.loads(shipped.attrs["diagnostics"])
    for name in ("max_rhat", "min_ess_bulk", "min_ess_tail", "divergences", "passed"):
        assert np.isclose(stored[name], report[name], rtol=1e-3), (name, stored, report)


def test_runs_on_the_shipped_posterior_warn_of_its_failed_checks(shipped, tiny_scenario):
    """A run says, in the terminal and the cube, which of the posterior's own checks
    (floors, required PPC rows) failed; the notes are recomputed here from the files."""
    import riskengine
    from riskengine.api import PosteriorWarning

    provenance = {"source": "posterior", "file": SHIPPED_NAME, **shipped.attrs}
    scenario = tiny_scenario.model_copy(deep=True)
    table = json.loads(PPC.read_text())
    eras = [crisis.era for crisis in resolved_crises(scenario)]
    expected = posterior_notes(provenance, table) + era_notes(table, eras)
    era_row = {row["statistic"]: row for row in table["rows"]}["war share: era post_cold_war"]
    assert eras[0] == "post_cold_war"
    assert any("post_cold_war" in note for note in expected) == (not era_row["inside"])
    scenario.ensemble.parameters = "posterior"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cube = riskengine.run(scenario, scheduler="synchronous", progress=False)
    raised = [str(w.message) for w in caught if issubclass(w.category, PosteriorWarning)]
    assert raised == expected
    assert cube.attrs["parameter_source"] == "posterior"
    stored = json.loads(cube.attrs["warnings"])
    assert all(note in stored for note in expected)


def test_posterior_warnings_name_failed_floors_and_predictive_rows():
    failing = {"max_rhat": 1.12, "min_ess_bulk": 32, "min_ess_tail": 71, "divergences": 2}
    provenance = {
        "source": "posterior",
        "file": "x.nc",
        "diagnostics": json.dumps({**failing, "passed": False}),
    }
    row = {"statistic": WAR_SHARES[1], "observed": 0.145, "lower_5": 0.07, "upper_95": 0.14}
    table = {
        "passed": False,
        "required_inside": list(WAR_SHARES),
        "rows": [{**row, "inside": False}],
    }
    notes = posterior_notes(provenance, table)
    assert len(notes) == 2
    assert "misses its diagnostic floors" in notes[0] and "1.120" in notes[0]
    assert WAR_SHARES[1] in notes[1] and "0.1450" in notes[1] and "[0.0700, 0.1400]" in notes[1]
    passing = {**provenance, "diagnostics": json.dumps({**failing, "passed": True})}
    assert posterior_notes(passing, {**table, "passed": True}) == []
    assert posterior_notes({**provenance, "source": "prior"}, table) == []
    # a run on prior draws has no escalation warnings at all
    assert ESCALATION.warnings(None, None, {**provenance, "source": "prior"}) == {}


def test_a_scenario_era_whose_war_share_misses_its_interval_is_named():
    provenance = {"source": "posterior", "file": "x.nc", "diagnostics": '{"passed": true}'}
    rows = [
        {
            "statistic": "war share: era post_cold_war",
            "observed": 0.008,
            "lower_5": 0.018,
            "upper_95": 0.041,
            "inside": False,
        },
        {
            "statistic": "war share: era before_1914",
            "observed": 0.2,
            "lower_5": 0.05,
            "upper_95": 0.12,
            "inside": False,
        },
        {
            "statistic": "war share: era cold_war",
            "observed": 0.02,
            "lower_5": 0.01,
            "upper_95": 0.04,
            "inside": True,
        },
    ]
    table = {"passed": True, "required_inside": list(WAR_SHARES), "rows": rows}
    assert posterior_notes(provenance, table) == []  # passed floors and required rows
    notes = era_notes(table, ["post_cold_war", "post_cold_war", "cold_war"])
    assert len(notes) == 1
    assert "post_cold_war" in notes[0] and "0.0080" in notes[0] and "overstated" in notes[0]
    (note,) = era_notes(table, ["before_1914"])
    assert "understated" in note
    assert era_notes(table, []) == []


def test_draws_are_the_model_parameters_with_their_shapes(shipped):
    posterior = shipped["posterior"].to_dataset()
    # 4 x 400 shipped; the example configs thin it to at most 4 x 250
    assert posterior.sizes["chain"] == 4 and posterior.sizes["draw"] >= 400
    for name, parameter in ESCALATION.parameters.items():
        assert posterior[name].dims == ("chain", "draw", *parameter.dims)
        assert np.all(np.isfinite(posterior[name].values)), name
    cutpoints = posterior["step_cutpoints"].values
    assert np.all(np.diff(cutpoints, axis=-1) > 0)
    assert np.all(posterior["resolve_scale"].values > 0)


def test_provenance_names_data_hashes_citations_command_seed_and_versions(shipped):
    attrs = shipped.attrs
    data = json.loads(attrs["data"])
    assert "conflict/cow_mid_disputes.csv" in data["files"]
    for entry in data["files"].values():
        assert len(entry["sha256"]) == 64 and entry["citation"]
    assert "fit escalation" in attrs["command"] and int(attrs["seed"]) == 20260611
    versions = json.loads(attrs["package_versions"])
    assert {"jax", "numpyro", "arviz"} <= set(versions)
    assert attrs["num_disputes"] == 2436
    assert "crisis_management" in attrs["not_identified"]


@pytest.mark.needs_data
def test_shipped_data_hashes_match_the_shared_files(shipped):
    from riskengine.errors import DataError
    from riskengine.models.escalation.data import data_provenance

    try:
        current = data_provenance()
    except DataError as error:
        pytest.skip(f"../shared/data not found ({error}); set RISKENGINE_DATA_DIR")
    assert json.loads(shipped.attrs["data"])["files"] == current["files"]


def test_posterior_predictive_war_shares_inside_their_90_percent_intervals():
    table = json.loads(PPC.read_text())
    rows = {row["statistic"]: row for row in table["rows"]}
    observed = {name: rows[name]["observed"] for name in WAR_SHARES}
    assert observed == pytest.approx(
        # multilateral = several originators on a side (8 wars in 165 disputes)
        {WAR_SHARES[0]: 106 / 2436, WAR_SHARES[1]: 8 / 165, WAR_SHARES[2]: 98 / 2271},
        abs=5e-4,
    )
    for name in WAR_SHARES:
        assert rows[name]["lower_5"] <= rows[name]["observed"] <= rows[name]["upper_95"], rows[name]


def test_auto_parameters_use_the_posterior_evenly_thinned():
    draws, source, provenance = select_parameter_draws(
        ESCALATION, source="auto", seed=1, num_chains=2, num_draws=50
    )
    assert source == "posterior" and provenance["file"] == SHIPPED_NAME
    assert set(draws) == set(escalation.Params._fields)
    assert draws["coefficients"].shape == (2, 50, len(escalation.COVARIATE_NAMES))
    with xr.open_datatree(POSTERIOR, engine="h5netcdf") as tree:
        full = tree["posterior"]["coefficients"].values
    index = provenance["draw_index"]
    np.testing.assert_array_equal(draws["coefficients"], full[:2, index])
