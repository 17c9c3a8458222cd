"""Quick simulation-based calibration of the escalation fit, with a negative control.

Synthetic data sets of 200 disputes (fixed covariates resembling the MID ones), few
replications: the ranks of the true values among thinned posterior draws must look
uniform (chi-square per parameter, Bonferroni over parameters), and fitting with a
deliberately mis-specified likelihood (covariates negated) must be rejected. With this
few replications the check catches gross errors only; the full version (>= 200
replications) runs in ``make validate``.
"""

from __future__ import annotations

import jax
import pytest

from riskengine.inference.calibration import rank_uniformity, run_sbc, synthetic_covariates

NUM_REPLICATIONS = 12
FAMILY_ALPHA = 0.01
OPTIONS = {"num_warmup": 100, "num_samples": 160, "thin": 8}

# ~40 s per replication on 2 cores even with the Laplace warm start (prior-drawn truths
# give weakly identified posteriors with long trees), ~20 minutes in all: `make validate`.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def calibrated():
    result = run_sbc(
        jax.random.key(11), synthetic_covariates(), num_replications=NUM_REPLICATIONS, **OPTIONS
    )
    return result, rank_uniformity(result)


def test_ranks_are_uniform_for_the_correct_model(calibrated):
    result, p_values = calibrated
    threshold = FAMILY_ALPHA / len(p_values)
    failing = {name: p for name, p in p_values.items() if p < threshold}
    assert not failing, (
        f"rank uniformity rejected (p < {threshold:.1e}): {failing}; ranks {result.ranks.tolist()}"
    )


def test_negative_control_misspecified_likelihood_is_rejected():
    result = run_sbc(
        jax.random.key(12),
        synthetic_covariates(),
        num_replications=NUM_REPLICATIONS,
        misspecified=True,
        **OPTIONS,
    )
    p_values = rank_uniformity(result)
    threshold = FAMILY_ALPHA / len(p_values)
    rejected = {name: p for name, p in p_values.items() if p < threshold}
    assert rejected, f"negative control not rejected: {p_values}"
    assert any(name.startswith("coefficients") for name in rejected), rejected
