"""The coalition model in real runs: alone and composed with escalation and sanctions
(the sanctions trigger ``authorised``), its outputs consistent, its stream leaving the
other models' draws unchanged, the shipped scenarios running from the command line, and
a partial fitted posterior completed from the priors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import riskengine
from riskengine.config import Scenario
from riskengine.errors import DataError
from riskengine.models import MODEL_NAMES, STREAM_INDICES

REPOSITORY = Path(__file__).resolve().parents[2]
TINY = REPOSITORY / "tests" / "data" / "tiny_coalition.yaml"
CONFIGS = REPOSITORY / "configs"
SMALL = ("--paths", "300", "--draws", "2", "--chains", "2", "--scheduler", "threads")


def run(scenario):
    return riskengine.run(scenario, progress=False, scheduler="threads")


@pytest.fixture(scope="module")
def scenario():
    return riskengine.load_scenario(TINY)


@pytest.fixture(scope="module")
def cube(scenario):
    return run(scenario)


def test_registered_before_sanctions_with_its_own_stream():
    assert MODEL_NAMES.index("escalation") < MODEL_NAMES.index("coalition")
    assert MODEL_NAMES.index("coalition") < MODEL_NAMES.index("sanctions")
    assert STREAM_INDICES["coalition"] == 4


def test_sanctions_are_imposed_in_the_month_of_authorisation(cube):
    predictions = cube["predictions"]
    paths = predictions["path_count"]
    authorised = predictions["authorised_count"]
    imposed = paths - predictions["sanctions_status_count"].sel(sanctions_status="not_imposed")
    np.testing.assert_array_equal(imposed.values, authorised.values)
    assert authorised.sel(variant="baseline").isel(month=-1).sum() > 0


def test_outputs_are_consistent(cube):
    predictions = cube["predictions"]
    paths = predictions["path_count"]
    by_month = predictions["p_authorised_by"]
    assert (by_month.diff("month") >= 0).all()
    times = predictions["decision_time_count"]
    assert (times.sum("months_to_decision") == paths).all()
    np.testing.assert_allclose(
        predictions["p_authorised_within"], 1 - times.isel(months_to_decision=0) / paths
    )
    decided = predictions["authorised_count"].isel(month=-1)
    assert (predictions["coalition_size_count"].sum("coalition_size") == decided).all()
    with_decision = decided > 0
    cost = predictions["cost_share"].where(with_decision)
    np.testing.assert_allclose(
        cost.sum("coalition_member").where(with_decision).fillna(1), 1, atol=1e-5
    )
    benefit = predictions["benefit_share"]
    np.testing.assert_allclose(benefit.sum("coalition_member", skipna=True), 1)
    np.testing.assert_allclose(
        predictions["free_riding_index"].where(with_decision),
        (benefit - predictions["cost_share"]).where(with_decision),
    )
    # the proposer always supports; a member's participation needs a decision
    proposer = predictions["p_member_supports"].sel(coalition_member="United States")
    assert (proposer.sel(variant="baseline") == 1).all()
    participates = predictions["p_member_participates"]
    assert (participates <= by_month.isel(month=-1) + 1e-12).all()


def test_variants_move_the_decision_as_the_rules_say(cube):
    predictions = cube["predictions"]
    # Russia opposes: a permanent member's veto every month, no decision
    vetoed = predictions.sel(variant="russia_opposes")
    assert (vetoed["p_authorised_within"] == 0).all()
    assert (vetoed["p_member_blocks"].sel(coalition_member="Russia") == 1).all()
    # a coalition of the willing cannot be blocked; Russia is not among its members
    willing = predictions.sel(variant="coalition_of_the_willing")
    assert (willing["p_member_ever_blocks"] == 0).all()
    assert np.isnan(willing["benefit_share"].sel(coalition_member="Russia")).all()
    assert (
        willing["p_authorised_within"] >= predictions["p_authorised_within"].sel(variant="baseline")
    ).all()
    # tabled in month 6: nothing is decided before it
    later = predictions["p_authorised_by"].sel(variant="tabled_later")
    assert (later.sel(month=slice(1, 5)) == 0).all()


def test_force_while_deliberating_is_the_crisis_before_a_decision(cube):
    predictions = cube["predictions"]
    force = predictions["p_force_while_deliberating"]
    by_horizon = predictions["p_use_of_force_by"].isel(month=-1)
    assert (force <= by_horizon + 1e-12).all()
    # vetoed every month from month 1: the item is open throughout
    np.testing.assert_array_equal(
        force.sel(variant="russia_opposes"), by_horizon.sel(variant="russia_opposes")
    )
    assert (
        force.sel(variant="coalition_of_the_willing") < by_horizon.sel(variant="baseline")
    ).any()


def test_judgments_and_prior_only_warning(cube):
    declared = cube.attrs["judgments"]
    assert "p_authorised_within" in declared and "expected_months_to_decision" in declared
    assert "p_sanctions_success_given_coalition_authorised" in declared
    assert "coalition: the decision process rests on priors" in cube.attrs["warnings"]
    assert (
        "coalition=prior" in cube.attrs["parameter_source"]
        or cube.attrs["parameter_source"] == "prior"
    )


def test_the_coalition_leaves_the_crisis_paths_unchanged(scenario, cube):
    data = scenario.model_dump()
    data["coalition"] = None
    data["sanctions"] = None
    data["variants"] = [{"name": v["name"]} for v in data["variants"]]
    alone = run(Scenario.build(**data))
    for name in ("level_count", "peak_count"):
        np.testing.assert_array_equal(
            cube["predictions"][name].values, alone["predictions"][name].values
        )


def test_adding_the_coalition_keeps_the_other_models_draws():
    """Streams are numbered per model (STREAM_INDICES): a coalition stepping between
    escalation and sanctions changes neither's random numbers (sanctions triggered by the
    crisis here, not by the coalition)."""
    coupled = riskengine.load_scenario(REPOSITORY / "tests" / "data" / "tiny_coupled.yaml")
    coupled = coupled.with_ensemble(paths_per_draw=1000, num_draws=3)
    data = coupled.model_dump()
    data["coalition"] = {
        "institution": "coalition_of_the_willing",
        "proposer": "Germany",
        "target": "Russia",
        "members": ["Germany", "Finland", "Estonia"],
    }
    with_coalition = run(Scenario.build(**data))
    alone = run(coupled)
    for name in ("sanctions_status_count", "target_cost_count", "level_count"):
        np.testing.assert_array_equal(
            with_coalition["predictions"][name].values, alone["predictions"][name].values
        )


def test_chunking_does_not_change_the_cube(scenario, cube):
    """Per-path counter streams and exact reductions (the cost shares as fixed-point
    sums): a run cut into chunks of 300 paths gives the same predictions bit for bit."""
    chunked = run(scenario.with_ensemble(chunk_paths=300))
    for name, values in cube["predictions"].data_vars.items():
        np.testing.assert_array_equal(chunked["predictions"][name].values, values.values)


def test_a_brief_with_an_undefined_conditional_renders(cube):
    text = str(riskengine.brief(cube))
    assert "the institution authorises the action within 12 months" in text
    # russia_opposes never decides: its time to decision is undefined, not nan
    assert "| russia_opposes | undefined | undefined to undefined |" in text
    assert not re.search(r"\bnan\b", text)


def test_security_council_scenario_from_the_command_line(run_cli, tmp_path):
    result = run_cli(
        "run", CONFIGS / "unsc_resolution.yaml", "--out", tmp_path, *SMALL, "--no-progress"
    )
    assert result.returncode == 0, result.stderr
    cube = riskengine.open_cube(tmp_path / "cube.zarr")
    predictions = cube["predictions"]
    assert predictions.sizes["coalition_member"] == 15
    blocks = predictions["p_member_ever_blocks"].sel(variant="baseline").mean(("chain", "draw"))
    # only permanent members can veto; the likely blockers are China and Russia
    assert set(blocks.to_series().nlargest(2).index) == {"China", "Russia"}
    both_abstain = predictions["p_authorised_within"].sel(variant="china_and_russia_abstain")
    assert (both_abstain >= predictions["p_authorised_within"].sel(variant="baseline")).all()
    assert (
        "the institution authorises the action within 12 months"
        in (tmp_path / "brief.md").read_text()
    )


@pytest.mark.needs_data
def test_eu_sanctions_scenario_runs_institution_sanctions_and_crisis_in_one_path(
    shared_data_dir, tmp_path
):
    scenario = riskengine.load_scenario(CONFIGS / "eu_sanctions_unanimity.yaml")
    scenario = scenario.with_ensemble(paths_per_draw=300, num_chains=2, num_draws=2)
    cube = run(scenario)
    assert cube.attrs["model"] == "escalation+coalition+sanctions"
    predictions = cube["predictions"]
    objects = predictions.sel(variant="hungary_objects")
    assert (objects["p_authorised_within"] == 0).all()
    assert (objects["p_imposed_by"].isel(month=-1) == 0).all()
    assert (objects["p_member_ever_blocks"].sel(coalition_member="Hungary") == 1).all()
    assert "joint_count_escalation_coalition" in predictions


def test_the_vetoes_are_drawn_from_the_veto_models_posterior():
    import xarray as xr

    from riskengine.ensemble import parameters
    from riskengine.models import get_model
    from riskengine.models.paths import posterior_path

    draws, source, provenance = parameters.select_parameter_draws(
        get_model("coalition"), source="auto", seed=1, num_chains=2, num_draws=3, stream_index=4
    )
    assert source == "posterior"
    assert provenance["file"] == "riskengine/models/veto/fitted/posterior.nc"
    assert sorted(provenance["from_posterior"]) == sorted(
        f"veto_{name}" for name in ("intercepts", "alignment_effect", "gap_effect",
                                    "party_effect", "contestedness_scale")
    )  # fmt: skip
    assert "coefficients" in provenance["from_prior"]
    with xr.open_datatree(posterior_path("veto"), engine="h5netcdf") as tree:
        stored = tree["posterior"]["intercepts"].values
    index = provenance["draw_index"]
    np.testing.assert_array_equal(draws["veto_intercepts"], stored[:2, index])


def test_a_partial_posterior_is_completed_from_the_priors(tmp_path, monkeypatch):
    import xarray as xr

    from riskengine.ensemble import parameters
    from riskengine.errors import UsageError
    from riskengine.models import get_model
    from riskengine.models.coalition.ensemble import CoalitionEnsemble

    model = get_model("coalition")
    path = tmp_path / "posterior.nc"
    veto = {
        "intercepts": (("chain", "draw", "seat", "era"), np.zeros((2, 10, 5, 3))),
        **{
            name: (("chain", "draw"), np.ones((2, 10)))
            for name in ("alignment_effect", "gap_effect", "party_effect", "contestedness_scale")
        },
    }
    posterior = xr.Dataset({"intercept": (("chain", "draw"), np.full((2, 10), 0.7))} | veto)
    xr.DataTree.from_dict({"/": xr.Dataset(), "posterior": posterior}).to_netcdf(
        path, engine="h5netcdf"
    )
    monkeypatch.setattr(CoalitionEnsemble, "posterior_path", property(lambda self: path))
    monkeypatch.setitem(model.posterior_names, "intercept", "intercept")
    monkeypatch.setattr(parameters, "_shipped_name", lambda path: path.name)
    draws, source, provenance = parameters.select_parameter_draws(
        model, source="auto", seed=1, num_chains=2, num_draws=3, stream_index=4
    )
    assert source == "posterior" and "intercept" in provenance["from_posterior"]
    assert "coefficients" in provenance["from_prior"]
    assert (draws["intercept"] == 0.7).all() and draws["coefficients"].shape == (2, 3, 8)
    wrong = posterior.drop_vars("intercept").assign(
        coefficients=(("chain", "draw", "c"), np.zeros((2, 10, 4)))
    )
    monkeypatch.setitem(model.posterior_names, "coefficients", "coefficients")
    xr.DataTree.from_dict({"/": xr.Dataset(), "posterior": wrong}).to_netcdf(
        path, engine="h5netcdf"
    )
    with pytest.raises(UsageError, match="coefficients do not have the shapes"):
        parameters.select_parameter_draws(
            model, source="auto", seed=1, num_chains=2, num_draws=3, stream_index=4
        )

    missing = posterior.drop_vars("gap_effect")
    xr.DataTree.from_dict({"/": xr.Dataset(), "posterior": missing}).to_netcdf(
        path, engine="h5netcdf"
    )
    with pytest.raises(DataError, match="no veto_gap_effect in its posterior group"):
        parameters.select_parameter_draws(
            model, source="auto", seed=1, num_chains=2, num_draws=3, stream_index=4
        )
