"""The benchmarks' Numba peer (``benchmarks/reference_numba.py``) simulates the engine's
paths: the same counter hash and thresholds give the engine's counts bit for bit, with and
without the settled-path shortcut (and on a horizon where the engine itself skips settled
paths, ``_COMPACT_MONTH``), and P(war by month 24) agrees within 5 standard errors
(the check that would still hold if a threshold's last bits differed).

``make bench`` times the engine against this peer; skipped where numba is not installed
(it is a benchmark-only dependency, the ``bench`` extra).
"""

from __future__ import annotations

import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from riskengine.models.escalation import core as escalation
from riskengine.models.escalation.testing import example_params

pytest.importorskip("numba")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import reference_numba

PARAMS = example_params()
NUM_PATHS = 50_000
CRISES = (
    (np.array([0.0, 0.693, -3.6, 1.0, 2.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0], np.float32), 1),
    (np.array([0.0, 0.0, 0.5, 0.0, 0.0, 1.0, 1.5, 1.0, 0.0, 0.0, 0.0, 0.0], np.float32), 3),
    (np.array([0.0, 0.0, 0.5, 0.0, 0.0, 1.0, 1.5, 1.0, 0.0, 0.0, 0.0, 0.0], np.float32), -1),
)


def _engine_counts(key_words, covariates, start_level, num_months):
    inputs = escalation.Inputs(jnp.asarray(covariates), jnp.int32(start_level))
    path_index = jnp.arange(NUM_PATHS, dtype=jnp.uint32)
    counts = jax.jit(escalation.summarize, static_argnames="num_months")(
        jnp.asarray(key_words), PARAMS, inputs, path_index, jnp.ones(NUM_PATHS, bool),
        num_months=num_months,
    )  # fmt: skip
    return np.asarray(counts["level_count"]), np.asarray(counts["peak_count"])


@pytest.mark.parametrize("num_months", [24, 60])  # 60: the engine compacts the active paths
@pytest.mark.parametrize(("covariates", "start_level"), CRISES)
def test_numba_peer_reproduces_the_engine(covariates, start_level, num_months):
    key_words = np.asarray(jax.random.key_data(jax.random.key(5)), np.uint32)
    engine = _engine_counts(key_words, covariates, start_level, num_months)
    params = escalation.Params(*(np.asarray(value) for value in PARAMS))
    for shortcut in (True, False):
        peer = reference_numba.simulate_counts(
            key_words, params, covariates, start_level, NUM_PATHS, num_months, shortcut=shortcut
        )
        war_engine = engine[1][-1, 4] / NUM_PATHS
        war_peer = peer[1][-1, 4] / NUM_PATHS
        pooled = (war_engine + war_peer) / 2
        standard_error = np.sqrt(max(pooled * (1 - pooled), 1e-12) * 2 / NUM_PATHS)
        z = (war_peer - war_engine) / standard_error
        assert abs(z) < 5, f"shortcut {shortcut}: engine {war_engine}, numba {war_peer}, z {z}"
        np.testing.assert_array_equal(peer[0], engine[0], err_msg=f"level_count, {shortcut=}")
        np.testing.assert_array_equal(peer[1], engine[1], err_msg=f"peak_count, {shortcut=}")
