"""Fitting the escalation model: exact likelihood, NUTS, posterior checks, calibration.

The command-line entry is :func:`fit_command`. For parallel chains the caller must run
``numpyro.set_host_device_count(num_chains)`` (or set
``XLA_FLAGS=--xla_force_host_platform_device_count=N``) **before jax is imported**;
importing this package imports jax.
"""

from __future__ import annotations

from riskengine.inference.command import fit_command
from riskengine.inference.fit import fit_escalation, write_posterior
from riskengine.inference.likelihood import make_log_likelihood_fn

__all__ = ["fit_command", "fit_escalation", "make_log_likelihood_fn", "write_posterior"]
