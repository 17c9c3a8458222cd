"""The sanctions fit, checks and backtest pieces on synthetic cases (no data needed)."""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from riskengine.models.sanctions import backtest, checks, core, fit
from riskengine.models.sanctions.calibration import simulate_cases, synthetic_inputs
from riskengine.models.sanctions.testing import example_inputs, example_params

PARAMS = example_params()
INPUTS = example_inputs()


@pytest.fixture(scope="module")
def synthetic():
    inputs = synthetic_inputs(120, seed=3)
    cases = simulate_cases(jax.random.key(1), PARAMS, inputs, 600)
    cases = {name: np.asarray(value) for name, value in cases.items()}
    cases["imposed_year"] = np.where(np.arange(120) < 80, 1975, 1995)
    return cases


@pytest.fixture(scope="module")
def short_fit(synthetic):
    return fit.fit_sanctions(
        jax.random.key(2),
        synthetic,
        provenance={"seed": 2, "data": {"synthetic": "yes"}},
        num_chains=2,
        num_warmup=40,
        num_samples=30,
        chain_method="sequential",
    )


def test_posterior_tree_has_named_dims_and_attributes(short_fit):
    tree, report = short_fit
    posterior = tree["posterior"].to_dataset()
    for name, dims in core.PARAMETER_DIMS.items():
        assert posterior[name].dims == ("chain", "draw", *dims), name
    assert list(posterior["sanction_era"].values) == list(core.PARAMETER_COORDS["sanction_era"])
    stats = tree["sample_stats"].to_dataset()
    assert {"diverging", "n_steps", "lp"} <= set(stats.data_vars)
    assert stats["diverging"].dtype == bool
    assert json.loads(tree.attrs["diagnostics"])["min_ess_bulk"] == report["min_ess_bulk"]
    assert np.isfinite(report["max_rhat"]) and report["divergences"] >= 0
    assert tree.attrs["seed"] == 2 and "jax" in json.loads(tree.attrs["package_versions"])
    params = fit.posterior_params(tree, num_draws=10)
    assert params.hazard_coefficients.shape == (10, 7)
    assert posterior.sizes["chain"] == 2 and posterior.sizes["draw"] == 30


def test_write_posterior_round_trips(short_fit, tmp_path):
    import xarray as xr

    from riskengine.inference.fit import ppc_path_for, write_posterior

    tree, _ = short_fit
    path = tmp_path / "posterior.nc"
    write_posterior(tree, path)
    with xr.open_datatree(path, engine="h5netcdf") as stored:
        assert stored["posterior"]["era_effect"].dtype == np.float32
        assert stored.attrs["model"] == "sanctions"
    assert ppc_path_for(path).name == "ppc.json"
    assert ppc_path_for(tmp_path / "other.nc").name == "other_ppc.json"


def test_predictive_table_layout(short_fit, synthetic):
    tree, _ = short_fit
    table = checks.posterior_predictive_check(jax.random.key(3), tree, synthetic, num_draws=20)
    assert [row["statistic"] for row in table["rows"]] == checks.statistic_names()
    assert table["required_inside"] == list(checks.REQUIRED_INSIDE)
    for row in table["rows"]:
        assert set(row) == {
            "statistic",
            "observed",
            "mean",
            "lower_5",
            "upper_95",
            "inside",
            "required",
        }
        assert row["required"] == (row["statistic"] in table["required_inside"])
        assert row["lower_5"] <= row["mean"] <= row["upper_95"]
    assert isinstance(table["passed"], bool)
    assert "success (broad): multilateral" in checks.format_check_table(table)


def test_observed_statistics_of_a_known_case_set():
    cases = {
        "covariates": np.zeros((4, 7), np.float32),
        "multilateral": np.array([True, True, False, False]),
        "outcome": np.array([2, 1, 0, 1]),
        "duration_months": np.array([3, 30, 8, 100]),
        "target_cost": np.array([0, 1, -1, 2]),
        "sender_cost": np.array([0, 0, 0, -1]),
        "era": np.array([0, 1, 2, 2]),
    }
    observed = dict(zip(checks.statistic_names(), checks.observed_statistics(cases), strict=True))
    assert observed["success (broad): multilateral"] == 1.0
    assert observed["success (strict): multilateral"] == 0.5
    assert observed["success (broad): unilateral"] == 0.5
    assert observed["ended within 6 months"] == 0.25
    assert observed["ended within 60 months"] == 0.75
    assert np.isclose(observed["target cost: major"], 1 / 3)
    assert observed["sender cost: minor"] == 1.0


def test_success_probabilities_match_simulation():
    """The backtest's exact P(success) agrees with 20,000 simulated paths (5 SEs)."""
    num_paths = 20_000
    keys = jax.random.split(jax.random.key(11), num_paths)
    result = jax.jit(jax.vmap(lambda k: core.simulate(k, PARAMS, INPUTS, num_months=600)))(keys)
    probability = backtest.success_probabilities(
        PARAMS, INPUTS.covariates[None], INPUTS.issue[None], INPUTS.era[None]
    )[0]
    outcome, end = np.asarray(result.outcome), np.asarray(result.end_month)
    early = (end > 0) & (end <= 24)
    estimate = [
        np.mean(outcome >= 1),
        np.mean(outcome == 2),
        np.mean((outcome >= 1) & early),
        np.mean((outcome == 2) & early),
    ]
    probability = np.asarray(probability, np.float64)
    standard_error = np.sqrt(probability * (1 - probability) / num_paths)
    z = (np.array(estimate) - probability) / standard_error
    assert np.all(np.abs(z) < 5), (estimate, probability, standard_error)


def test_scores_and_reliability():
    forecast = np.array([0.1, 0.2, 0.8, 0.9, 0.5, 0.5])
    observed = np.array([0.0, 0.0, 1.0, 1.0, 1.0, 0.0])
    result = backtest.score(forecast, observed, base_rate=0.5)
    assert np.isclose(result["brier"], np.mean((forecast - observed) ** 2))
    assert np.isclose(result["brier_base_rate"], 0.25)
    assert result["brier_skill"] > 0 and result["log_score"] > result["log_score_base_rate"]
    assert sum(row["count"] for row in result["reliability"]) == 6


def test_fit_command_rejects_bad_arguments(capsys):
    assert fit.fit_command(None, None, 0, 0, 10, 10, False) == 2
    assert "--chains must be a positive integer" in capsys.readouterr().err
    assert fit.fit_command(None, None, 0, 1, 10, 10, False, chain_method="bogus") == 2


def test_fit_command_reports_a_missing_data_folder(capsys, tmp_path):
    code = fit.fit_command(str(tmp_path / "nowhere"), str(tmp_path / "p.nc"), 0, 1, 5, 5, False)
    assert code == 2
    error = capsys.readouterr().err
    assert error.startswith("fit sanctions:") and error.count("\n") == 1
    assert not (tmp_path / "p.nc").exists()


def test_model_cases_keeps_the_likelihood_fields():
    cases = {name: np.zeros(3, np.int64) for name in fit.CASE_FIELDS}
    cases["covariates"] = np.zeros((3, 7))
    cases["imposed_year"] = np.array([1950, 1960, 1970])
    selected = fit.model_cases(cases)
    assert set(selected) == set(fit.CASE_FIELDS)
    assert selected["covariates"].dtype == jnp.float32 and selected["issue"].dtype == jnp.int32
