"""The benchmarks' plain-NumPy ladder (``benchmarks/reference_numpy.py``) simulates the
same model as the engine: P(war by month 24) agrees within 5 standard errors.

``make bench`` times the engine against this reference; it had kept the old reference
level (threat) after the model moved it to use of force, and nothing in the suite noticed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.models.escalation import core as escalation
from riskengine.models.escalation.testing import example_params

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import reference_numpy

PARAMS = example_params()
NUM_PATHS, NUM_MONTHS = 100_000, 24


def _engine_war_share(covariates, start_level):
    crisis = escalation.Inputs(jnp.asarray(covariates), jnp.int32(start_level))

    def one(path_index):
        return escalation.simulate(
            jax.random.key(5), PARAMS, crisis, num_months=NUM_MONTHS, path_index=path_index
        ).levels

    levels = jax.jit(jax.vmap(one))(jnp.arange(NUM_PATHS, dtype=jnp.uint32))
    return float(jnp.mean(jnp.any(levels == 4, axis=1)))


def test_numpy_reference_and_engine_agree_on_war_by_month_24():
    params = escalation.Params(*(np.asarray(value) for value in PARAMS))
    for covariates, start_level in (
        (
            np.array([0.0, 0.693, -3.6, 1.0, 2.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0], np.float32),
            1,
        ),  # multilateral, before 1914
        (
            np.array([0.0, 0.0, 0.5, 0.0, 0.0, 1.0, 1.5, 1.0, 0.0, 0.0, 0.0, 0.0], np.float32),
            3,
        ),  # bilateral, post-Cold War
    ):
        engine = _engine_war_share(covariates, start_level)
        _, peak_count = reference_numpy.expert(
            params, covariates, start_level, NUM_PATHS, NUM_MONTHS, seed=7
        )
        numpy = peak_count[-1, 4] / NUM_PATHS
        pooled = (engine + numpy) / 2
        standard_error = np.sqrt(pooled * (1 - pooled) * 2 / NUM_PATHS)
        z = (numpy - engine) / standard_error
        assert abs(z) < 5, f"{covariates}: engine {engine:.4f}, numpy {numpy:.4f}, z = {z:.2f}"
