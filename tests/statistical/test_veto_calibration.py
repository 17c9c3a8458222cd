"""Quick simulation-based calibration of the veto fit, with a negative control.

The real design (the 140 alignment-part drafts with their eras, alignments and party
flags, and the 77 years' count periods), 16 replications of each run spread over 2 dask
workers as ``validate`` does: the ranks of the 45 true values among thinned posterior
draws must look uniform (chi-square per parameter, Bonferroni) and the 90% intervals
must cover about 90% of them; fitting the *untruncated* likelihood to data simulated
with the truncation must be rejected (it inflates the alignment effect, so the true
value ranks low). With this few replications the check catches gross errors only; the
full version (100 + 40 replications) runs in ``python -m riskengine.models.veto.validate``.
Skips without the shared data.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from riskengine.ensemble.cluster import execution
from riskengine.inference.sbc import SbcOptions, sbc_summary
from riskengine.models.veto.calibration import design_from_drafts, run_replication, run_sbc

REPLICATIONS = 16
OPTIONS = {"num_warmup": 100, "num_samples": 160, "thin": 8}
SEED = 41


@pytest.fixture(scope="module")
def design(shared_data_dir):
    from riskengine.models.veto.data import load_drafts

    return design_from_drafts(load_drafts(shared_data_dir))


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


@pytest.mark.needs_data
def test_ranks_are_uniform_and_intervals_cover(runs):
    correct, _, summary = runs
    failing = {name: p for name, p in summary["p_values"].items() if p < summary["threshold"]}
    assert not failing, f"rank uniformity rejected: {failing}; ranks {correct.ranks.tolist()}"
    assert correct.ranks.shape == (REPLICATIONS, 45)
    assert 0 <= correct.ranks.min() and correct.ranks.max() <= correct.num_ranked
    assert abs(summary["mean_coverage_90"] - 0.9) < 0.1, summary["coverage_90"]


@pytest.mark.needs_data
def test_the_untruncated_likelihood_is_rejected_through_the_alignment_effect(runs):
    _, control, summary = runs
    p_alignment = summary["control_p_values"]["alignment_effect"]
    assert p_alignment < summary["threshold"], summary["control_p_values"]
    index = control.names.index("alignment_effect")
    assert np.median(control.ranks[:, index]) < control.num_ranked / 4  # truth below the draws


@pytest.mark.needs_data
def test_a_replication_is_the_same_alone_in_this_process(runs, design):
    correct, _, _ = runs
    seed_words = np.asarray(jax.random.key_data(jax.random.key(SEED)))
    ranks, divergences, inside = run_replication(seed_words, design, 5, SbcOptions(**OPTIONS))
    np.testing.assert_array_equal(ranks, correct.ranks[5])
    np.testing.assert_array_equal(inside, correct.inside_90[5])
    assert divergences == correct.divergences[5]
