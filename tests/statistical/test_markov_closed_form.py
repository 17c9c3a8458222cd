"""The simulator's level distribution against the closed-form Markov chain.

For fixed parameters, covariates and resolve, the monthly ladder is a homogeneous Markov
chain on (settled, threat, display, use of force, war): the level distribution in month
``t`` is ``start @ P**(t - 1)``. With a latent resolve ``r ~ Normal(0, s)`` shared by the
months of a path, it is that expression averaged over ``r`` (Gauss-Hermite quadrature).

The targets are computed here in float64 with numpy/scipy, independently of the
library's JAX code (which is checked against them too). Each cell of the simulated
distribution (``summarize`` over a block of paths) must lie within 5 binomial standard
errors of the target; cells that the ladder cannot reach must be exactly zero. A
negative control (the off-by-one chain ``start @ P**t``) must fail the same check.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss
from scipy import special

from riskengine.models.escalation import core as escalation
from riskengine.primitives.ladder import transition_matrix

NUM_PATHS = 200_000
MONTHS = (1, 2, 6, 12, 24)
NUM_MONTHS = max(MONTHS)
Z_LIMIT = 5.0

PARAMS = escalation.Params(
    onset_cutpoints=jnp.array([-1.0, 0.8, 2.5], jnp.float32),
    step_cutpoints=jnp.array([-2.2, -1.0, 1.6], jnp.float32),
    level_effect=jnp.array([0.3, 0.5, 0.9], jnp.float32),
    coefficients=jnp.array(
        [0.2, -0.1, -0.15, -0.3, 0.1, 0.25, 0.1, 0.5, -0.4, 0.5, 0.3, 0.2], jnp.float32
    ),
    resolve_scale=jnp.float32(0.0),
    multilateral_resolve_ratio=jnp.float32(1.0),
    era_resolve_ratio=jnp.ones(3, jnp.float32),
    era_escalate_shift=jnp.zeros(3, jnp.float32),
)
# eta = 1.0207, as before issue 10 (the negative controls' power was set at this location)
COVARIATES = np.array([0.0, 0.693, -3.6, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], np.float32)

# next level after (level, category): settle, de-escalate, stay, escalate
_NEXT = np.array([[0, 0, 0, 0], [0, 0, 1, 2], [0, 1, 2, 3], [0, 2, 3, 4], [0, 3, 4, 4]])


def _categories(cutpoints: np.ndarray, location: float) -> np.ndarray:
    cumulative = special.expit(np.asarray(cutpoints, np.float64) - location)
    return np.diff(np.concatenate([[0.0], cumulative, [1.0]]))


def _eta(params: escalation.Params, resolve: float = 0.0) -> float:
    coefficients = np.asarray(params.coefficients, np.float64)
    return float(COVARIATES.astype(np.float64) @ coefficients) + resolve


def _matrix(params: escalation.Params, eta: float) -> np.ndarray:
    """5 x 5 transition matrix in float64 from the model's definition."""
    shifts = np.asarray(escalation.level_shifts(params.level_effect), np.float64)
    matrix = np.zeros((5, 5))
    matrix[0, 0] = 1.0
    for level in range(1, 5):
        step = _categories(params.step_cutpoints, eta + shifts[level - 1])
        for category in range(4):
            matrix[level, _NEXT[level, category]] += step[category]
    return matrix


def _start(params: escalation.Params, start_level: int, eta: float) -> np.ndarray:
    if start_level == escalation.ONSET_FROM_MODEL:
        return np.concatenate([[0.0], _categories(params.onset_cutpoints, eta)])
    return np.eye(5)[start_level]


def _closed_form(params, start_level, *, month_offset: int = 1, num_nodes: int = 60):
    """(len(MONTHS), 5) level distribution, integrated over the resolve."""
    scale = float(params.resolve_scale)
    nodes, weights = hermegauss(num_nodes) if scale > 0 else (np.zeros(1), np.ones(1))
    weights = weights / weights.sum()
    target = np.zeros((len(MONTHS), 5))
    for node, weight in zip(nodes, weights, strict=True):
        eta = _eta(params, scale * node)
        start, matrix = _start(params, start_level, eta), _matrix(params, eta)
        rows = [start @ np.linalg.matrix_power(matrix, t - month_offset) for t in MONTHS]
        target += weight * np.stack(rows)
    return target


@jax.jit
def _level_counts(key_words, params, covariates, start_level):
    counts = escalation.summarize(
        key_words,
        params,
        escalation.Inputs(covariates, start_level),
        jnp.arange(NUM_PATHS, dtype=jnp.uint32),
        jnp.ones(NUM_PATHS, bool),
        num_months=NUM_MONTHS,
    )
    return counts["level_count"], counts["path_count"]


def _simulated(params, start_level, seed):
    key_words = jax.random.key_data(jax.random.key(seed)).astype(jnp.uint32)
    counts, paths = _level_counts(
        key_words, params, jnp.asarray(COVARIATES), jnp.int32(start_level)
    )
    assert int(paths) == NUM_PATHS
    return np.asarray(counts)[np.asarray(MONTHS) - 1].astype(np.float64)


def _discrepancies(counts: np.ndarray, target: np.ndarray) -> list[str]:
    """Cells outside 5 SE (or non-zero where the target is exactly zero), as messages."""
    estimate = counts / NUM_PATHS
    se = np.sqrt(target * (1 - target) / NUM_PATHS)
    problems = []
    for (row, level), truth in np.ndenumerate(target):
        difference = estimate[row, level] - truth
        if truth == 0.0 or se[row, level] == 0.0:
            bad = estimate[row, level] != truth
        else:
            bad = abs(difference) > Z_LIMIT * se[row, level]
        if bad:
            problems.append(
                f"month {MONTHS[row]} level {escalation.LEVEL_NAMES[level]}: estimate "
                f"{estimate[row, level]:.5f}, closed form {truth:.5f}, SE {se[row, level]:.5f}, "
                f"z {difference / se[row, level] if se[row, level] else np.inf:+.1f} "
                f"(n = {NUM_PATHS})"
            )
    return problems


def test_library_transition_matrix_matches_float64_reference():
    for resolve in (-1.5, 0.0, 2.0):
        eta = _eta(PARAMS, resolve)
        library = transition_matrix(escalation.step_probabilities(PARAMS, jnp.float32(eta)))
        np.testing.assert_allclose(np.asarray(library), _matrix(PARAMS, eta), atol=2e-6)
        onset = escalation.onset_probabilities(PARAMS, jnp.float32(eta))
        np.testing.assert_allclose(
            np.asarray(onset), _categories(PARAMS.onset_cutpoints, eta), atol=2e-6
        )


@pytest.mark.parametrize("start_level", [1, 2, 4])
def test_levels_match_markov_chain_without_resolve(start_level):
    target = _closed_form(PARAMS, start_level)
    np.testing.assert_allclose(target.sum(-1), 1.0, atol=1e-12)
    counts = _simulated(PARAMS, start_level, seed=100 + start_level)
    problems = _discrepancies(counts, target)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("start_level", [1, 3])
def test_levels_match_markov_chain_integrated_over_resolve(start_level):
    params = PARAMS._replace(resolve_scale=jnp.float32(1.2))
    target = _closed_form(params, start_level)
    np.testing.assert_allclose(target.sum(-1), 1.0, atol=1e-12)
    counts = _simulated(params, start_level, seed=200 + start_level)
    problems = _discrepancies(counts, target)
    assert not problems, "\n".join(problems)
    # the resolve matters: the chain at resolve 0 is far from the mixture
    assert _discrepancies(counts, _closed_form(PARAMS, start_level)), "resolve had no effect"


@pytest.mark.parametrize("resolve_scale", [0.0, 1.2])
def test_onset_month_one_matches_onset_probabilities(resolve_scale):
    params = PARAMS._replace(resolve_scale=jnp.float32(resolve_scale))
    counts = _simulated(params, escalation.ONSET_FROM_MODEL, seed=300)
    target = _closed_form(params, escalation.ONSET_FROM_MODEL)
    if resolve_scale == 0.0:  # month 1 is exactly the library's onset distribution
        onset = np.asarray(escalation.onset_probabilities(params, jnp.float32(_eta(params))))
        np.testing.assert_allclose(target[0, 1:], onset, atol=2e-6)
    problems = _discrepancies(counts, target)
    assert not problems, "\n".join(problems)


def test_negative_control_off_by_one_month_fails():
    """The check has power: the chain one month ahead is rejected."""
    counts = _simulated(PARAMS, 2, seed=102)
    wrong = _closed_form(PARAMS, 2, month_offset=0)
    assert len(_discrepancies(counts, wrong)) >= 5


def test_negative_control_shifted_level_effect_fails():
    """A small change of one parameter (display's level effect +0.15) is detected."""
    counts = _simulated(PARAMS, 2, seed=102)
    shifted = PARAMS._replace(level_effect=PARAMS.level_effect + jnp.array([0.15, 0.0, 0.0]))
    assert _discrepancies(counts, _closed_form(shifted, 2))
