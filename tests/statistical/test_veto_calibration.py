"""Quick simulation-based calibration of the veto fit, with a negative control.

The real design (the 140 alignment-part drafts with their eras, alignments and party
flags, and the 77 years' count periods), spread over 2 dask workers as ``validate``
does: 10 replications of the correct fit, whose ranks of the 45 true values among
thinned posterior draws must look uniform (chi-square per parameter, Bonferroni) and
whose 90% intervals must cover about 90% of them; and 8 replications of the negative
control, the *untruncated* likelihood fitted to data simulated with the truncation,
which inflates the alignment effect so that its true value ranks low: for that one
pre-specified parameter and direction, a one-sided test of the mean rank must reject at
1%. With this few replications the check catches gross errors only; the full version
(80 + 40 replications, Bonferroni over all parameters for the control too) runs in
``python -m riskengine.models.veto.validate``.
About 30-60 s per test on 2 idle cores. Skips without the shared data.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from riskengine.ensemble.cluster import execution
from riskengine.inference.sbc import SbcOptions, coverage, rank_uniformity
from riskengine.models.veto.calibration import design_from_drafts, run_replication, run_sbc

NUM_CORRECT, NUM_CONTROL = 10, 8
OPTIONS = {"num_warmup": 80, "num_samples": 120, "thin": 6}
SEED = 41
CONTROL_ALPHA = 0.01


@pytest.fixture(scope="module")
def design(shared_data_dir):
    from riskengine.models.veto.data import load_drafts

    return design_from_drafts(load_drafts(shared_data_dir))


@pytest.fixture(scope="module")
def runs(design):
    """The correct run and the negative control, on 2 pinned workers (closed before the
    tests run)."""
    with execution("local", num_workers=2) as where:
        correct, control = (
            run_sbc(
                jax.random.key(SEED + index),
                design,
                num_replications=count,
                mapper=where.map,
                num_batches=4,
                misspecified=bool(index),
                **OPTIONS,
            )
            for index, count in enumerate((NUM_CORRECT, NUM_CONTROL))
        )
    return correct, control


def _one_sided_low(ranks: np.ndarray, num_ranked: int) -> float:
    """p-value that the ranks' mean is below that of a uniform rank (normal
    approximation; a uniform rank on 0..K has mean K / 2 and variance K (K + 2) / 12)."""
    from scipy import stats

    spread = np.sqrt(num_ranked * (num_ranked + 2) / 12.0 / len(ranks))
    return float(stats.norm.cdf((np.mean(ranks) - num_ranked / 2) / spread))


@pytest.mark.needs_data
def test_ranks_are_uniform_and_intervals_cover(runs):
    correct, _ = runs
    threshold = 0.01 / len(correct.names)  # Bonferroni, as validate's sbc_summary
    failing = {name: p for name, p in rank_uniformity(correct).items() if p < threshold}
    assert not failing, f"rank uniformity rejected: {failing}; ranks {correct.ranks.tolist()}"
    assert correct.ranks.shape == (NUM_CORRECT, 45)
    assert 0 <= correct.ranks.min() and correct.ranks.max() <= correct.num_ranked
    mean_coverage = float(np.mean(list(coverage(correct).values())))
    assert abs(mean_coverage - 0.9) < 0.1, coverage(correct)
    assert int((correct.divergences > 0).sum()) <= 1, correct.divergences


@pytest.mark.needs_data
def test_the_untruncated_likelihood_is_rejected_through_the_alignment_effect(runs):
    _, control = runs
    ranks = control.ranks[:, control.names.index("alignment_effect")]
    p_value = _one_sided_low(ranks, control.num_ranked)
    assert p_value < CONTROL_ALPHA, (p_value, ranks.tolist())  # truth below the draws


@pytest.mark.needs_data
def test_a_replication_is_the_same_alone_in_this_process(runs, design):
    correct, _ = runs
    seed_words = np.asarray(jax.random.key_data(jax.random.key(SEED)))
    ranks, divergences, inside = run_replication(seed_words, design, 5, SbcOptions(**OPTIONS))
    np.testing.assert_array_equal(ranks, correct.ranks[5])
    np.testing.assert_array_equal(inside, correct.inside_90[5])
    assert divergences == correct.divergences[5]
