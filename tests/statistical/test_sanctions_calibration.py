"""Quick simulation-based calibration of the sanctions fit, with a negative control.

Synthetic case sets (fixed covariates, issues and eras resembling TIES's, ``NUM_CASES``
cases followed for up to ``NUM_MONTHS`` months, later ends censored), few replications,
spread over a dask LocalCluster as ``validate`` does: the ranks of the true values among
thinned posterior draws must look uniform (chi-square per parameter, Bonferroni over the
47 scalar parameters), and fitting with a deliberately wrong likelihood (every outcome
read one category higher) must be rejected. With this few replications the check
catches gross errors only; the full version (>= 200 replications, the real TIES
covariates) runs in ``python -m riskengine.models.sanctions.validate``.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from riskengine.ensemble.cluster import execution
from riskengine.models.sanctions.calibration import (
    SbcOptions,
    rank_uniformity,
    run_replication,
    run_sbc,
    synthetic_inputs,
)

NUM_CASES = 200
NUM_REPLICATIONS = 16
NUM_CONTROL_REPLICATIONS = 16
FAMILY_ALPHA = 0.01
OPTIONS = {"num_warmup": 100, "num_samples": 160, "thin": 8, "num_months": 60}


@pytest.fixture(scope="module")
def mapper():
    with execution("local", num_workers=2) as where:
        yield where.map


def _sbc(mapper, seed, num_replications, **extra):
    return run_sbc(
        jax.random.key(seed),
        synthetic_inputs(NUM_CASES),
        num_replications=num_replications,
        mapper=mapper,
        num_batches=4,
        **OPTIONS,
        **extra,
    )


@pytest.fixture(scope="module")
def calibrated(mapper):
    result = _sbc(mapper, 23, NUM_REPLICATIONS)
    return result, rank_uniformity(result)


def test_ranks_are_uniform_for_the_correct_model(calibrated):
    result, p_values = calibrated
    threshold = FAMILY_ALPHA / len(p_values)
    failing = {name: p for name, p in p_values.items() if p < threshold}
    assert not failing, (
        f"rank uniformity rejected (p < {threshold:.1e}): {failing}; ranks {result.ranks.tolist()}"
    )
    assert result.ranks.shape == (NUM_REPLICATIONS, len(p_values)) == (NUM_REPLICATIONS, 47)
    assert result.ranks.min() >= 0 and result.ranks.max() <= result.num_ranked


def test_a_replication_does_not_depend_on_where_or_with_whom_it_ran(calibrated):
    """Replication 3 rerun alone in this process gives the ranks it got on a dask worker."""
    result, _ = calibrated
    seed_words = np.asarray(jax.random.key_data(jax.random.key(23)))
    ranks, divergences = run_replication(
        seed_words, synthetic_inputs(NUM_CASES), 3, SbcOptions(**OPTIONS)
    )
    np.testing.assert_array_equal(ranks, result.ranks[3])
    assert divergences == result.divergences[3]


def test_negative_control_misspecified_likelihood_is_rejected(mapper):
    result = _sbc(mapper, 22, NUM_CONTROL_REPLICATIONS, misspecified=True)
    p_values = rank_uniformity(result)
    threshold = FAMILY_ALPHA / len(p_values)
    rejected = {name: p for name, p in p_values.items() if p < threshold}
    assert rejected, f"negative control not rejected: {p_values}"
