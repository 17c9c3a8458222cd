"""Quick simulation-based calibration of the member support fit, with a negative control.

A fixed design of ``NUM_CASES`` real TIES cases with ``MEMBERS`` real candidates each and
four of the covariates (fewer parameters keep each replication to a few seconds); the
data of a replication are simulated as the cases enter TIES, conditional on at least one
joiner per case. Twenty members and covariates of narrow range keep the probability of
a joiner small in most prior draws, so the selection matters (in a design where some
member nearly always joins, ignoring it would be harmless and the control could not
fail). The ranks of the true values among thinned posterior draws must look
uniform (chi-square per parameter, Bonferroni) and the 90% intervals must cover about
90% of them; fitting the same data without the selection term (the negative control)
must be rejected through the intercept, which comes out too high. With this few
replications the check catches gross errors only; the full version runs in
``python -m riskengine.models.coalition.support_validate``. Fixed seeds; sequential in
this process. Skips without the shared data.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from riskengine.inference.sbc import SbcOptions, coverage, rank_uniformity
from riskengine.models.coalition.support_calibration import (
    design_from_frame,
    run_replication,
    run_sbc,
)

pytestmark = pytest.mark.needs_data

NUM_CASES, MEMBERS = 24, 20
COVARIATES = ("defence_pact_with_primary", "democracy", "major_power", "era_late_cold_war")
REPLICATIONS, CONTROL_REPLICATIONS = 10, 10
OPTIONS = {"num_warmup": 80, "num_samples": 120, "thin": 6}
FAMILY_ALPHA = 0.01
SEED = 53


@pytest.fixture(scope="module")
def design(shared_data_dir):
    from riskengine.models.coalition.support_data import load_candidates

    frame = load_candidates(shared_data_dir)
    return design_from_frame(frame, NUM_CASES, MEMBERS, COVARIATES)


@pytest.fixture(scope="module")
def correct(design):
    return run_sbc(jax.random.key(SEED), design, num_replications=REPLICATIONS, **OPTIONS)


def test_ranks_are_uniform_and_intervals_cover(correct):
    p_values = rank_uniformity(correct)
    threshold = FAMILY_ALPHA / len(p_values)
    failing = {name: p for name, p in p_values.items() if p < threshold}
    assert not failing, f"rank uniformity rejected: {failing}; ranks {correct.ranks.tolist()}"
    assert correct.ranks.shape == (REPLICATIONS, len(COVARIATES) + 3)
    mean_coverage = float(np.mean(list(coverage(correct).values())))
    assert abs(mean_coverage - 0.9) < 0.12, coverage(correct)
    assert (correct.divergences == 0).mean() >= 0.75, correct.divergences


def test_ignoring_the_selection_is_rejected_through_the_intercept(design):
    control = run_sbc(
        jax.random.key(SEED + 1),
        design,
        num_replications=CONTROL_REPLICATIONS,
        misspecified=True,
        **OPTIONS,
    )
    p_values = rank_uniformity(control)
    threshold = FAMILY_ALPHA / len(p_values)
    assert p_values["intercept"] < threshold, p_values
    assert np.median(control.ranks[:, 0]) < control.num_ranked / 4  # truth below the draws


def test_a_replication_is_the_same_alone(correct, design):
    seed_words = np.asarray(jax.random.key_data(jax.random.key(SEED)))
    ranks, divergences, inside = run_replication(seed_words, design, 3, SbcOptions(**OPTIONS))
    np.testing.assert_array_equal(ranks, correct.ranks[3])
    np.testing.assert_array_equal(inside, correct.inside_90[3])
    assert divergences == correct.divergences[3]
