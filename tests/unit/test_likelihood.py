"""The exact dispute likelihood: recursion vs table, vs the simulator, grid accuracy."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from riskengine.models.escalation import core as escalation
from riskengine.models.escalation import likelihood
from riskengine.primitives.ladder_likelihood import plan_recursion

# Step shifts threat 0, display 0.2, use of force 0.5, war 0.9 written with use of force
# as the reference level (cut-points moved by -0.5): the same ladder as before the change.
PARAMS = escalation.Params(
    onset_cutpoints=jnp.array([-2.0, 0.5, 3.0]),
    step_cutpoints=jnp.array([-0.8, 0.1, 2.1]),
    level_effect=jnp.array([-0.5, -0.3, 0.4]),
    coefficients=jnp.array([0.3, -0.2, 0.1, 0.2, -0.15, 0.1, 0.05, 0.3, -0.4, 0.5, 0.3, 0.1]),
    resolve_scale=jnp.array(0.8),
    multilateral_resolve_ratio=jnp.array(1.4),
    era_resolve_ratio=jnp.array([1.3, 0.8, 0.6]),
    era_escalate_shift=jnp.array([0.3, -0.7, 0.4]),
)
# A world-wars crisis, so the simulator-vs-likelihood checks exercise an era's shift of
# the stay|escalate cut-point.
COVARIATES = jnp.array([0.69, 0.0, -0.5, 1.0, 1.2, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0], jnp.float32)


def _simulated_outcomes(num_paths: int, num_months: int):
    """Peak level and duration of ``num_paths`` simulated onset paths (numpy, int)."""
    inputs = escalation.Inputs(COVARIATES, jnp.int32(escalation.ONSET_FROM_MODEL))
    keys = jax.random.split(jax.random.key(20240611), num_paths)
    simulate = jax.jit(
        jax.vmap(lambda key: escalation.simulate(key, PARAMS, inputs, num_months=num_months).levels)
    )
    levels = np.asarray(simulate(keys))
    active = levels > 0
    duration = np.where(active.all(axis=1), num_months + 1, np.argmin(active, axis=1))
    peak = np.max(np.where(np.cumprod(active, axis=1) > 0, levels, 0), axis=1)
    return peak, duration


def test_probabilities_sum_to_one_over_a_long_horizon():
    probabilities = likelihood.peak_duration_probabilities(PARAMS, COVARIATES, 1200)
    assert abs(float(jnp.sum(probabilities)) - 1.0) < 1e-4


def test_exact_probabilities_match_simulated_frequencies():
    num_paths, num_months = 200_000, 48
    peak, duration = _simulated_outcomes(num_paths, num_months)
    probabilities = np.asarray(
        likelihood.peak_duration_probabilities(PARAMS, COVARIATES, num_months)
    )
    bins = [(1, 1), (2, 2), (3, 3), (4, 6), (7, 12), (13, 24), (25, 48)]
    for peak_level in range(1, 5):
        for first, last in bins:
            expected = probabilities[peak_level - 1, first - 1 : last].sum()
            observed = np.mean((peak == peak_level) & (duration >= first) & (duration <= last))
            standard_error = np.sqrt(max(expected * (1 - expected), 1e-12) / num_paths)
            z = (observed - expected) / standard_error
            assert abs(z) < 5, (
                f"peak {peak_level}, duration {first}-{last}: simulated {observed:.5f}, "
                f"exact {expected:.5f}, standard error {standard_error:.5f}, z = {z:.2f}"
            )
    tail = 1.0 - probabilities.sum()
    assert (
        abs(np.mean(duration > num_months) - tail)
        < 5 * np.sqrt(tail * (1 - tail) / num_paths) + 1e-5
    )


@pytest.mark.parametrize("shift", [0.0, -0.7])
def test_grid_table_matches_per_dispute_recursion(shift):
    rng = np.random.default_rng(3)
    grid = np.asarray(likelihood.location_grid())
    index = rng.integers(76, 116, size=60)  # locations in about [-4, 4]
    peaks = rng.integers(1, 5, size=60)
    durations = rng.integers(1, 80, size=60)
    table = np.asarray(likelihood.conditional_table(PARAMS, 80, shift))
    exact = likelihood.exact_conditional_log_probability(
        PARAMS, grid[index], peaks, durations, shift
    )
    exact = np.asarray(exact)
    relevant = exact > -60.0  # the table floors probabilities below ~exp(-85)
    assert relevant.sum() > 30
    np.testing.assert_allclose(
        table[durations - 1, index, peaks - 1][relevant], exact[relevant], rtol=1e-4, atol=2e-3
    )


def test_era_tables_apply_each_eras_escalate_shift():
    tables = np.asarray(likelihood.era_tables(PARAMS, 12))
    shifts = [*np.asarray(PARAMS.era_escalate_shift).tolist(), 0.0]
    for era, shift in enumerate(shifts):
        np.testing.assert_allclose(
            tables[era], np.asarray(likelihood.conditional_table(PARAMS, 12, shift)), atol=1e-5
        )


def test_recursion_plan_orders_longest_first_and_covers_every_month():
    plan = plan_recursion(np.array([1, 5, 2, 17, 3]))
    assert plan.order.tolist() == [3, 1, 4, 2, 0]
    months = [month for first, last, _ in plan.stages for month in range(first, last + 1)]
    assert months == list(range(2, 18))
    assert [stage[2] for stage in plan.stages] == [4, 3, 2, 1, 1]


def test_resolve_quadrature_is_converged_and_gradients_finite():
    rng = np.random.default_rng(5)
    disputes = {
        "covariates": rng.normal(0, 0.7, size=(300, len(escalation.COVARIATE_NAMES))).astype(
            np.float32
        ),
        "peak_level": rng.integers(1, 5, size=300),
        "duration_months": rng.geometric(0.15, size=300),
    }
    log_likelihood_fn = likelihood.make_log_likelihood_fn(disputes)
    for scale in (0.35, 1.0, 2.5):
        params = PARAMS._replace(resolve_scale=jnp.array(scale))
        coarse = log_likelihood_fn(params)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(likelihood, "GRID_SIZE", 3 * likelihood.GRID_SIZE)
            fine = likelihood.make_log_likelihood_fn(disputes)(params)
        assert float(jnp.max(jnp.abs(coarse - fine))) < 2e-3, scale
        gradient = jax.grad(lambda p: jnp.sum(log_likelihood_fn(p)))(params)
        assert all(bool(jnp.all(jnp.isfinite(leaf))) for leaf in jax.tree.leaves(gradient))
