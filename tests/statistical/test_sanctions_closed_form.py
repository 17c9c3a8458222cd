"""The sanctions simulator against closed forms computed from the model's core.

Imposed in month 1, a case is in force in month M when it has not ended in months
2..M; it ends ``m`` months after imposition with probability ``S(m-1) h(m)`` and then
has outcome ``k`` with probability ``p_k(m)`` (``end_probability``,
``outcome_probabilities``); its cost levels follow the cost ordered logits, and the
expected money lost is E[months in force] x sum_c P(c) x rate_c. The ensemble's
estimates must lie within 5 Monte Carlo standard errors of these for each draw.
"""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import riskengine
from riskengine.config import Scenario
from riskengine.models.sanctions import core

TINY_COUPLED = Path(__file__).resolve().parents[1] / "data" / "tiny_coupled.yaml"
NUM_PATHS = 40_000
HORIZON = 24
MAX_Z = 5.0


@pytest.fixture(scope="module")
def cube():
    data = riskengine.load_scenario(TINY_COUPLED).model_dump()
    data["escalation"] = None
    data["sanctions"]["trigger"] = "immediate"
    data["variants"] = [{"name": "baseline"}]
    data["horizon_months"] = HORIZON
    data["ensemble"] |= {"paths_per_draw": NUM_PATHS, "num_chains": 1, "num_draws": 3}
    return riskengine.run(Scenario.build(**data), scheduler="threads", progress=False)


def _params(cube, draw: int) -> core.Params:
    posterior = cube["posterior"].isel(chain=0, draw=draw)
    return core.Params(
        *(jnp.asarray(posterior[f"sanctions.{n}"].values) for n in core.Params._fields)
    )


def _closed_form(params, covariates, issue, era):
    """P(status at month M) for M = 1..HORIZON: in force, failure, negotiated, acquiescence."""
    months_since = jnp.arange(1, HORIZON)
    hazard = np.asarray(core.end_probability(params, covariates, months_since), np.float64)
    outcomes = np.asarray(
        core.outcome_probabilities(params, covariates, issue, era, months_since), np.float64
    )
    survival = np.concatenate([[1.0], np.cumprod(1.0 - hazard)])
    ending = survival[:-1] * hazard  # P(ends m months after imposition), m = 1..HORIZON-1
    ended_by = np.concatenate([np.zeros((1, 3)), np.cumsum(ending[:, None] * outcomes, axis=0)])
    return np.column_stack([survival, ended_by])  # (HORIZON, 4)


def _z(estimate, probability, num_paths):
    standard_error = np.sqrt(np.maximum(probability * (1 - probability), 1e-12) / num_paths)
    return (estimate - probability) / standard_error


@pytest.mark.parametrize("draw", [0, 1, 2])
def test_status_by_month_matches_the_closed_form(cube, draw):
    inputs = cube["constant_data"]["sanction_covariates"].isel(variant=0).values
    params = _params(cube, draw)
    expected = _closed_form(params, jnp.asarray(inputs), 0, 2)  # issue security, era post-1990
    counts = cube["predictions"]["sanctions_status_count"].isel(chain=0, draw=draw, variant=0)
    estimate = counts.values[:, 1:] / NUM_PATHS
    z = _z(estimate, expected, NUM_PATHS)
    assert np.abs(z).max() < MAX_Z, (
        f"max |z| {np.abs(z).max():.2f}; estimate {estimate[-1]}, closed form {expected[-1]}"
    )
    assert counts.values[:, 0].sum() == 0  # imposed in month 1 on every path


@pytest.mark.parametrize("draw", [0, 1, 2])
def test_cost_levels_and_expected_money_match_the_closed_form(cube, draw):
    predictions = cube["predictions"].isel(chain=0, draw=draw, variant=0)
    covariates = jnp.asarray(cube["constant_data"]["sanction_covariates"].isel(variant=0).values)
    params = _params(cube, draw)
    cost = np.asarray(core.target_cost_probabilities(params, covariates), np.float64)
    z = _z(predictions["target_cost_count"].values / NUM_PATHS, cost, NUM_PATHS)
    assert np.abs(z).max() < MAX_Z, (predictions["target_cost_count"].values, cost)
    in_force = _closed_form(params, covariates, 0, 2)[:, 0]
    scenario = riskengine.load_scenario_text(cube.attrs["config_text"])
    section = scenario.sanctions
    monthly = sum(section.predictors.sender_trade_musd.values()) / 12.0
    fractions = np.asarray(
        [section.loss_fraction.minor, section.loss_fraction.major, section.loss_fraction.severe]
    )
    expected = in_force.sum() * float(np.sum(cost * monthly * fractions))
    mean = float(predictions["target_trade_lost_musd_mean"])
    standard_error = float(predictions["target_trade_lost_musd_sd"]) / np.sqrt(NUM_PATHS)
    assert abs(mean - expected) < MAX_Z * standard_error, (mean, expected, standard_error)
