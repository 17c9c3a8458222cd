"""The fitted escalation posterior shipped in riskengine/data: floors, provenance, PPC, use.

``riskengine fit escalation --ppc`` (``scripts/fit_escalation.sh``) writes
``escalation_posterior.nc`` and ``escalation_ppc.json``; ``make validate`` refits from
../shared/data and checks that the refit reproduces the shipped draws.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from riskengine.ensemble.parameters import posterior_path, select_parameter_draws
from riskengine.inference.fit import DIAGNOSTIC_FLOORS, diagnostics
from riskengine.models import escalation
from riskengine.models.escalation_ensemble import ESCALATION

POSTERIOR = posterior_path("escalation")
PPC = POSTERIOR.with_name("escalation_ppc.json")
WAR_SHARES = ("war share: all", "war share: multilateral", "war share: bilateral")


@pytest.fixture(scope="module")
def shipped() -> xr.DataTree:
    with xr.open_datatree(POSTERIOR, engine="h5netcdf") as tree:
        return tree.load()


@pytest.mark.xfail(
    strict=True,
    reason="shipped fit misses the floors: the war pathway is bimodal and chains rarely "
    "cross (docs/validation/escalation-fit-notes.md); runs on it carry a PosteriorWarning",
)
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


def test_runs_on_a_posterior_below_the_floors_carry_a_warning(shipped, tiny_scenario):
    import riskengine
    from riskengine.api import PosteriorWarning

    if json.loads(shipped.attrs["diagnostics"])["passed"]:
        pytest.skip("the shipped posterior meets its floors: nothing to warn about")
    scenario = tiny_scenario.model_copy(deep=True)
    scenario.ensemble.parameters = "posterior"
    with pytest.warns(PosteriorWarning, match="misses its diagnostic floors"):
        cube = riskengine.run(scenario, scheduler="synchronous", progress=False)
    assert cube.attrs["parameter_source"] == "posterior"
    assert any("diagnostic floors" in note for note in json.loads(cube.attrs["warnings"]))


def test_draws_are_the_model_parameters_with_their_shapes(shipped):
    posterior = shipped["posterior"].to_dataset()
    assert posterior.sizes["chain"] == 4 and posterior.sizes["draw"] >= 500
    for name, dims in ESCALATION.parameter_dims.items():
        assert posterior[name].dims == ("chain", "draw", *dims)
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
    from riskengine.data.disputes import data_provenance
    from riskengine.errors import DataError

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
        {WAR_SHARES[0]: 106 / 2436, WAR_SHARES[1]: 0.1452, WAR_SHARES[2]: 0.0252}, abs=5e-4
    )
    for name in WAR_SHARES:
        assert rows[name]["lower_5"] <= rows[name]["observed"] <= rows[name]["upper_95"], rows[name]


def test_auto_parameters_use_the_posterior_evenly_thinned():
    draws, source, provenance = select_parameter_draws(
        ESCALATION, source="auto", seed=1, num_chains=2, num_draws=50
    )
    assert source == "posterior" and provenance["file"] == POSTERIOR.name
    assert set(draws) == set(escalation.Params._fields)
    assert draws["coefficients"].shape == (2, 50, 7)
    with xr.open_datatree(POSTERIOR, engine="h5netcdf") as tree:
        full = tree["posterior"]["coefficients"].values
    index = provenance["draw_index"]
    np.testing.assert_array_equal(draws["coefficients"], full[:2, index])
