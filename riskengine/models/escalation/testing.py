"""Fixed, plausible escalation parameters for tests and benchmarks against references.

``example_params()`` has onset and step cut-points that make every rung reachable within
two years, covariate slopes on several columns and era effects that differ, so that a
reference implementation that mishandles any of them disagrees with the engine. It is
not fitted to anything.
"""

from __future__ import annotations

import jax.numpy as jnp

from riskengine.models.escalation import core

__all__ = ["example_params"]


def example_params() -> core.Params:
    """A fixed ``core.Params`` (float32)."""
    return core.Params(
        onset_cutpoints=jnp.array([-3.0, -1.0, 1.0], jnp.float32),
        step_cutpoints=jnp.array([-2.5, -1.5, 1.0], jnp.float32),
        level_effect=jnp.array([0.3, 0.6, 0.9], jnp.float32),
        coefficients=jnp.array(
            [0.0, 0.0, 0.0, -0.2, 0.05, 0.1, 0.0, 0.3, -0.4, 0.4, 0.2, -0.3], jnp.float32
        ),
        resolve_scale=jnp.float32(0.8),
        multilateral_resolve_ratio=jnp.float32(1.3),
        era_resolve_ratio=jnp.array([1.4, 0.9, 0.7], jnp.float32),
        era_escalate_shift=jnp.array([-0.5, 0.2, 0.4], jnp.float32),
    )
