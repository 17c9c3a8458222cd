"""Quick simulation-based calibration of the escalation fit, with a negative control.

Small synthetic data sets (40 disputes, fixed covariates), few replications: ranks of the
true values among thinned posterior draws must look uniform (chi-square per parameter,
Bonferroni over parameters), and fitting with a deliberately shifted prior must be
rejected. The full version (>= 200 replications) runs in ``make validate``.
"""

from __future__ import annotations

import jax
import pytest

from riskengine.inference.calibration import (
    WRONG_PRIOR,
    rank_uniformity,
    run_sbc,
    synthetic_covariates,
)

NUM_REPLICATIONS = 12
FAMILY_ALPHA = 0.01


pytestmark = pytest.mark.slow  # ~2 minutes per replication on 2 busy cores: see the report


@pytest.fixture(scope="module")
def calibrated():
    result = run_sbc(
        jax.random.key(11),
        synthetic_covariates(),
        num_replications=NUM_REPLICATIONS,
        num_warmup=150,
        num_samples=160,
        thin=8,
    )
    return result, rank_uniformity(result)


def test_ranks_are_uniform_for_the_correct_model(calibrated):
    result, p_values = calibrated
    threshold = FAMILY_ALPHA / len(p_values)
    failing = {name: p for name, p in p_values.items() if p < threshold}
    assert not failing, (
        f"rank uniformity rejected (p < {threshold:.1e}): {failing}; ranks {result.ranks.tolist()}"
    )


def test_negative_control_wrong_prior_is_rejected():
    result = run_sbc(
        jax.random.key(12),
        synthetic_covariates(),
        num_replications=NUM_REPLICATIONS,
        num_warmup=150,
        num_samples=160,
        thin=8,
        prior_shift=WRONG_PRIOR,
    )
    p_values = rank_uniformity(result)
    threshold = FAMILY_ALPHA / len(p_values)
    assert min(p_values.values()) < threshold, f"negative control not rejected: {p_values}"
