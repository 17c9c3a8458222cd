"""Quick simulation-based calibration of the joining fit, with a negative control.

A fixed design of ``NUM_ROWS`` real candidates from the case-control sample (covariates,
peak, duration and offset), 16 replications of each run spread over a dask LocalCluster
as ``validate`` does: the ranks of the 13 true values among thinned posterior draws must
look uniform (chi-square per parameter, Bonferroni), the 90% intervals must cover about
90% of them, and simulating with doubled durations while fitting the true ones must be
rejected (the intercept absorbs about log 2). With this few replications the check
catches gross errors only; the full version (200 + 40 replications on 4,000 rows) runs
in ``python -m riskengine.models.joining.validate``. Skips without the shared data.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from riskengine.ensemble.cluster import execution
from riskengine.inference.sbc import SbcOptions, sbc_summary
from riskengine.models.joining.calibration import design_from_sample, run_replication, run_sbc

NUM_ROWS = 3000
REPLICATIONS = 16
OPTIONS = {"num_warmup": 100, "num_samples": 160, "thin": 8}
SEED = 41


@pytest.fixture(scope="module")
def design(shared_data_dir):
    from riskengine.models.joining.data import case_control_sample, load_candidates

    return design_from_sample(case_control_sample(load_candidates(shared_data_dir)), NUM_ROWS)


@pytest.fixture(scope="module")
def runs(design):
    """The correct run and the negative control, on 2 pinned workers."""
    with execution("local", num_workers=2) as where:
        correct, control = (
            run_sbc(
                jax.random.key(SEED + index),
                design,
                num_replications=REPLICATIONS,
                mapper=where.map,
                num_batches=4,
                misspecified=bool(index),
                **OPTIONS,
            )
            for index in (0, 1)
        )
    return correct, control, sbc_summary(correct, control, family_alpha=0.01)


def test_ranks_are_uniform_and_intervals_cover(runs):
    correct, _, summary = runs
    failing = {name: p for name, p in summary["p_values"].items() if p < summary["threshold"]}
    assert not failing, f"rank uniformity rejected: {failing}; ranks {correct.ranks.tolist()}"
    assert correct.ranks.shape == (REPLICATIONS, 13)
    assert 0 <= correct.ranks.min() and correct.ranks.max() <= correct.num_ranked
    assert abs(summary["mean_coverage_90"] - 0.9) < 0.1, summary["coverage_90"]


def test_doubled_durations_are_rejected_through_the_intercept(runs):
    _, control, summary = runs
    p_intercept = summary["control_p_values"]["intercept"]
    assert p_intercept < summary["threshold"], summary["control_p_values"]
    assert np.median(control.ranks[:, 0]) < control.num_ranked / 4  # truth below the draws


def test_a_replication_is_the_same_alone_in_this_process(runs, design):
    correct, _, _ = runs
    seed_words = np.asarray(jax.random.key_data(jax.random.key(SEED)))
    ranks, divergences, inside = run_replication(seed_words, design, 5, SbcOptions(**OPTIONS))
    np.testing.assert_array_equal(ranks, correct.ranks[5])
    np.testing.assert_array_equal(inside, correct.inside_90[5])
    assert divergences == correct.divergences[5]
