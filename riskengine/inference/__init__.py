"""Model-agnostic fitting machinery: NUTS with a warm start, posterior trees, diagnostics.

Each model's own fit (e.g. :mod:`riskengine.models.escalation.fit`) calls
:mod:`riskengine.inference.fit`; the command-line entry is :func:`fit_command`, which
dispatches on the model's name. For parallel chains the caller must run
``numpyro.set_host_device_count(num_chains)`` (or set
``XLA_FLAGS=--xla_force_host_platform_device_count=N``) **before jax is imported**;
importing this package imports jax.
"""

from __future__ import annotations

from riskengine.inference.command import fit_command
from riskengine.inference.fit import DIAGNOSTIC_FLOORS, diagnostics, posterior_tree, write_posterior

__all__ = ["DIAGNOSTIC_FLOORS", "diagnostics", "fit_command", "posterior_tree", "write_posterior"]
