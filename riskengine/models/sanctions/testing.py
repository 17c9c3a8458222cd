"""Fixed, plausible parameters and one case for tests and examples of the sanctions model.

``example_params()`` has a falling monthly hazard (about 0.1 in month 1 at x = 0, a
median duration near a year), outcome shares near TIES's and costs mostly minor; it is
not fitted to anything. ``example_inputs()`` is one multilateral case with an
institutional sender (two senders, partial trade restriction, issue
``regime_and_rights``, era ``post_cold_war``).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from riskengine.models.sanctions import core

__all__ = ["example_params", "example_inputs"]


def example_params() -> core.Params:
    """A fixed ``core.Params`` (float32)."""
    values = {
        "hazard_intercept": -2.2,
        "hazard_coefficients": [0.3, -0.2, 0.5, 0.0, 0.4, 0.6, -0.3],
        "hazard_duration_slope": -0.35,
        "outcome_cutpoints": [-0.4, 0.8],
        "outcome_coefficients": [0.5, 0.4, -0.3, 0.2, 0.6, -0.2, 0.1],
        "outcome_duration_slope": -0.15,
        "issue_effect": [0.2, -0.4, 0.5, 0.0, -0.3],
        "issue_scale": 0.4,
        "era_effect": [-0.3, 0.0, 0.3],
        "era_scale": 0.3,
        "target_cost_cutpoints": [1.0, 2.7],
        "target_cost_coefficients": [0.2, 0.1, 0.8, -0.4, 0.0, 1.1, 0.4],
        "sender_cost_cutpoints": [2.6, 5.5],
        "sender_cost_coefficients": [0.4, 0.0, 0.3, 0.2, -0.1, 0.7, 0.2],
    }
    return core.Params(**{name: jnp.asarray(value, jnp.float32) for name, value in values.items()})


def example_inputs() -> core.Inputs:
    """One imposed case (``core.Inputs``)."""
    return core.Inputs(
        covariates=jnp.array([np.log(2.0), 1.0, 0.3, 0.0, 0.6, 0.0, 1.0], jnp.float32),
        issue=jnp.int32(1),
        era=jnp.int32(2),
    )
