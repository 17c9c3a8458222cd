"""Quick simulation-based calibration of the onset fit, with a negative control.

A fixed design of ``NUM_ROWS`` real directed dyad-years' covariates from a case-control
sample (with its King-Zeng offset), few replications, spread over a dask LocalCluster as
``validate`` does: the ranks of the true values among thinned posterior draws must look
uniform (chi-square per parameter, Bonferroni over the 19 scalar parameters), and fitting
with the case-control offset left out must be rejected. With this few replications the
check catches gross errors only; the full version (200 replications on 4,000 rows) runs
in ``python -m riskengine.models.onset.validate``. Skips without the shared data.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from riskengine.ensemble.cluster import execution
from riskengine.models.onset.calibration import (
    SbcOptions,
    design_from_sample,
    rank_uniformity,
    run_replication,
    run_sbc,
)

NUM_ROWS = 1500
NUM_REPLICATIONS = 16
NUM_CONTROL_REPLICATIONS = 16
FAMILY_ALPHA = 0.01
OPTIONS = {"num_warmup": 100, "num_samples": 160, "thin": 8}


@pytest.fixture(scope="module")
def design(shared_data_dir):
    from riskengine.models.onset.data import case_control_sample, load_dyad_years

    frame = load_dyad_years(shared_data_dir)
    return design_from_sample(
        case_control_sample(frame, control_fraction=0.05, rng_seed=5), NUM_ROWS
    )


@pytest.fixture(scope="module")
def mapper():
    with execution("local", num_workers=2) as where:
        yield where.map


def _sbc(mapper, design, seed, num_replications, **extra):
    return run_sbc(
        jax.random.key(seed),
        design,
        num_replications=num_replications,
        mapper=mapper,
        num_batches=4,
        **OPTIONS,
        **extra,
    )


@pytest.fixture(scope="module")
def calibrated(mapper, design):
    result = _sbc(mapper, design, 31, NUM_REPLICATIONS)
    return result, rank_uniformity(result)


def test_ranks_are_uniform_for_the_correct_model(calibrated):
    result, p_values = calibrated
    threshold = FAMILY_ALPHA / len(p_values)
    failing = {name: p for name, p in p_values.items() if p < threshold}
    assert not failing, (
        f"rank uniformity rejected (p < {threshold:.1e}): {failing}; ranks {result.ranks.tolist()}"
    )
    assert result.ranks.shape == (NUM_REPLICATIONS, len(p_values)) == (NUM_REPLICATIONS, 19)
    assert result.ranks.min() >= 0 and result.ranks.max() <= result.num_ranked
    coverage = result.inside_90.mean()
    assert abs(coverage - 0.9) < 0.1, f"90% intervals cover {coverage:.3f} of the true values"


def test_a_replication_does_not_depend_on_where_or_with_whom_it_ran(calibrated, design):
    """Replication 3 rerun alone in this process gives the ranks it got on a dask worker."""
    result, _ = calibrated
    seed_words = np.asarray(jax.random.key_data(jax.random.key(31)))
    ranks, divergences, _ = run_replication(seed_words, design, 3, SbcOptions(**OPTIONS))
    np.testing.assert_array_equal(ranks, result.ranks[3])
    assert divergences == result.divergences[3]


def test_negative_control_without_the_offset_is_rejected(mapper, design):
    result = _sbc(mapper, design, 32, NUM_CONTROL_REPLICATIONS, misspecified=True)
    p_values = rank_uniformity(result)
    threshold = FAMILY_ALPHA / len(p_values)
    rejected = {name: p for name, p in p_values.items() if p < threshold}
    assert "intercept" in rejected, f"negative control not rejected: {p_values}"
