"""The cube: arviz reads it as is, it round-trips through Zarr/NetCDF, it documents itself."""

from __future__ import annotations

import hashlib
import json

import arviz as az
import numpy as np
import pytest
import xarray as xr

import riskengine
from riskengine.cube import DIMENSIONS
from riskengine.ensemble.keys import KEY_SCHEME
from riskengine.versions import PACKAGES

GROUPS = ("posterior", "predictions", "constant_data")


def test_arviz_summary_reads_the_cube(threaded_cube):
    summary = az.summary(
        threaded_cube,
        group="predictions",
        var_names=["p_war_within"],
        fmt="xarray",
        round_to="none",
    )
    values = threaded_cube["predictions"]["p_war_within"]
    np.testing.assert_allclose(
        summary["p_war_within"].sel(summary="mean").values,
        values.mean(("chain", "draw")).values,
        rtol=1e-12,
    )
    assert list(summary["variant"].values) == list(values["variant"].values)
    table = az.summary(threaded_cube, group="predictions", var_names=["p_war_within"])
    assert [str(index) for index in table.index] == [
        f"p_war_within[{variant}]" for variant in values["variant"].values
    ]
    assert {"mean", "sd", "ess_bulk", "r_hat", "mcse_mean"} <= set(table.columns)


def test_arviz_hdi_reads_the_cube(threaded_cube):
    interval = az.hdi(threaded_cube, group="predictions", var_names=["p_war_within"], prob=0.8)
    interval = interval["p_war_within"]
    assert interval.dims == ("variant", "ci_bound")
    values = threaded_cube["predictions"]["p_war_within"]
    lower, upper = interval.sel(ci_bound="lower"), interval.sel(ci_bound="upper")
    assert np.all(lower <= upper)
    assert np.all(lower >= values.min(("chain", "draw")))
    assert np.all(upper <= values.max(("chain", "draw")))
    inside = ((values >= lower) & (values <= upper)).mean(("chain", "draw"))
    assert np.all(inside >= 0.8)  # the interval holds at least 80% of the 10 draws


def test_arviz_reads_the_posterior_group(threaded_cube):
    name = "escalation.resolve_scale"  # parameters are namespaced by their model
    rhat = az.rhat(threaded_cube, var_names=[name])[name]
    assert rhat.dims == () and np.isfinite(float(rhat)) and float(rhat) > 0


def test_posterior_parameters_are_named_after_their_model(threaded_cube):
    from riskengine.models.escalation.ensemble import ESCALATION

    posterior = threaded_cube["posterior"].to_dataset()
    assert set(posterior.data_vars) == {f"escalation.{name}" for name in ESCALATION.parameters}
    for name, parameter in ESCALATION.parameters.items():
        assert posterior[f"escalation.{name}"].dims == ("chain", "draw", *parameter.dims)


def test_every_data_variable_has_description_and_units(threaded_cube, tiny_scenario):
    from riskengine.models import ensemble_model

    # the cube's vocabulary: the dimensions of every cube and those the models declare
    vocabulary = DIMENSIONS | ensemble_model(tiny_scenario.model_names).dimensions
    assert {"level", "covariate", "onset_cutpoint"} <= set(vocabulary)
    for group in GROUPS:
        dataset = threaded_cube[group].to_dataset()
        assert dataset.data_vars, group
        assert dataset.attrs.get("description"), group
        for name, variable in dataset.data_vars.items():
            assert variable.attrs.get("description"), f"{group}/{name} lacks a description"
            assert variable.attrs.get("units"), f"{group}/{name} lacks units"
        for dim in dataset.dims:
            assert dim in vocabulary, f"{group}: dimension {dim!r} not in the cube vocabulary"
            if dim in dataset.coords:
                assert dataset.coords[dim].attrs.get("description") == vocabulary[dim]


def test_probabilities_are_probabilities(threaded_cube):
    predictions = threaded_cube["predictions"]
    for name in predictions.data_vars:
        if name.startswith("p_"):
            values = predictions[name].values
            assert np.all((values >= 0) & (values <= 1)), name
            assert predictions[name].attrs["units"] == "probability", name


def test_probabilities_equal_shares_of_paths_simulated_one_by_one(threaded_cube, simulated_levels):
    """Each probability against the share of paths, simulated alone, with that outcome,
    every outcome counted on its own (not p_level summing to 1 or p_war_within equal to
    the last p_war_by, which hold by construction whatever the counts)."""
    from riskengine.primitives.ladder import USE_OF_FORCE, WAR

    predictions = threaded_cube["predictions"]
    num_paths = simulated_levels.shape[3]
    shares = {
        "p_level": np.stack(
            [
                (simulated_levels == level).mean(axis=3)
                for level in range(predictions.sizes["level"])
            ],
            -1,
        ),
        "p_war_by": np.logical_or.accumulate(simulated_levels == WAR, axis=-1).mean(axis=3),
        "p_use_of_force_by": np.logical_or.accumulate(
            simulated_levels >= USE_OF_FORCE, axis=-1
        ).mean(axis=3),
        "p_war_within": (simulated_levels == WAR).any(axis=-1).mean(axis=3),
    }
    for name, share in shares.items():
        assert predictions[name].shape == share.shape, name
        # equal up to rounding: both are counts divided by the same number of paths
        np.testing.assert_allclose(predictions[name].values, share, rtol=0, atol=0.1 / num_paths)
    assert 0 < shares["p_war_within"].mean() < 1, "not vacuous: some paths reach war, some not"


def test_provenance_attributes(threaded_cube, tiny_path):
    attrs = threaded_cube.attrs
    config_text = tiny_path.read_text(encoding="utf-8")
    assert attrs["config_text"] == config_text
    assert attrs["config_sha256"] == hashlib.sha256(attrs["config_text"].encode()).hexdigest()
    assert attrs["config_path"] == str(tiny_path)
    assert attrs["seed"] == 20261126
    assert attrs["key_scheme"] == KEY_SCHEME and attrs["key_scheme"].startswith(
        "riskengine-counter"
    )
    versions = json.loads(attrs["package_versions"])
    assert set(PACKAGES) <= set(versions) and "python" in versions
    assert versions["jax"] != "not installed" and versions["xarray"] == xr.__version__
    assert attrs["git_revision"] and attrs["git_revision"] != "unknown"
    assert attrs["parameter_source"] == "prior"
    provenance = json.loads(attrs["parameter_provenance"])  # keyed by model
    assert list(provenance) == ["escalation"] and provenance["escalation"]["source"] == "prior"
    assert attrs["paths_per_draw"] == 3000 and attrs["model"] == "escalation"
    assert attrs["cube_schema_version"] == "2"
    assert list(json.loads(attrs["counter_steps"])) == ["escalation"]
    judgments = json.loads(attrs["judgments"])
    assert [j["label"] for j in judgments] == [
        "use of force within 12 months",
        "war within 12 months",
    ]
    assert all(j["variable"] in threaded_cube["predictions"].data_vars for j in judgments)
    assert attrs["scenario_name"] == "tiny"
    execution = json.loads(attrs["execution"])
    assert {"where", "chunk_paths", "num_tasks", "seconds"} <= set(execution)
    assert json.loads(attrs["warnings"]) == []


def _assert_round_trip(original: xr.DataTree, reopened: xr.DataTree) -> None:
    for group in GROUPS:
        expected = original[group].to_dataset()
        actual = reopened[group].to_dataset()
        xr.testing.assert_identical(actual, expected)
        for name in expected.data_vars:
            assert actual[name].dtype == expected[name].dtype, f"{group}/{name}"
    assert reopened.attrs == original.attrs
    for key, value in original.attrs.items():
        assert type(reopened.attrs[key]) is type(value), f"attribute {key}"


@pytest.mark.parametrize(
    "cube_format",
    [
        "zarr",
        "netcdf",
    ],
)
def test_round_trip_preserves_data_and_attributes(threaded_cube, tmp_path, cube_format):
    path = riskengine.write_cube(threaded_cube, tmp_path / "cube", cube_format)
    assert path == tmp_path / "cube"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cube"]  # no staging left behind
    _assert_round_trip(threaded_cube, riskengine.open_cube(path))
    # overwriting an existing cube works and leaves one cube
    riskengine.write_cube(threaded_cube, path, cube_format)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cube"]
    _assert_round_trip(threaded_cube, riskengine.open_cube(path))


def test_open_cube_errors(tmp_path):
    from riskengine.errors import DataError

    with pytest.raises(DataError, match="cube not found"):
        riskengine.open_cube(tmp_path / "nothing.zarr")
    (tmp_path / "junk.zarr").mkdir()
    with pytest.raises(DataError, match="not a readable riskengine cube"):
        riskengine.open_cube(tmp_path / "junk.zarr")
