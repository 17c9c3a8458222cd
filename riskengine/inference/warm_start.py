"""Laplace warm start for NUTS: start at the posterior mode, with its curvature as metric.

Started from numpyro's default (random points in [-2, 2] of the unconstrained space, unit
mass matrix), the escalation posterior's scales span a factor of ~30 with correlations up
to 0.97, so until the first mass-matrix update (iteration ~100) nearly every tree hit the
maximum depth (1,023 leapfrog steps): those iterations cost more than the rest of the fit.
Here the unconstrained log density is maximised with L-BFGS (about a hundred gradients)
and the inverse of its Hessian at the mode (central differences of the gradient:
``jax.hessian`` gave NaN through the likelihood's floored logs) becomes the initial
dense inverse mass matrix; chains start at independent draws from that Gaussian
(over-dispersed by ``DISPERSION``), so R-hat still compares chains started apart. Warmup then only refines the metric and step size.
"""

from __future__ import annotations

from functools import cache, partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree
from numpyro.infer.util import initialize_model, potential_energy
from scipy.optimize import minimize

__all__ = ["DISPERSION", "WarmStart", "laplace_warm_start"]

DISPERSION = 1.5  # chains start at mode + DISPERSION * N(0, inverse Hessian)
DIFFERENCE_STEP = 1e-2  # central-difference step of the Hessian (unconstrained units)


class WarmStart(NamedTuple):
    init_params: dict  # unconstrained site values, leading axis = chain
    inverse_mass_matrix: dict  # {tuple of site names: dense matrix} for numpyro's NUTS
    mode_log_density: float
    optimizer_iterations: int


def _mode(value_and_grad, start: np.ndarray) -> tuple[np.ndarray, int]:
    """L-BFGS (float64 driver, float32 model) from ``start``; optimum and iterations."""

    def objective(flat):
        value, gradient = value_and_grad(jnp.asarray(flat, jnp.float32))
        return float(value), np.asarray(gradient, np.float64)

    result = minimize(objective, start, jac=True, method="L-BFGS-B")
    return result.x, int(result.nit)


def _hessian(value_and_grad, point: np.ndarray) -> np.ndarray:
    """Symmetrised central-difference Hessian from gradients."""
    columns = []
    for index in range(point.size):
        step = np.zeros_like(point)
        step[index] = DIFFERENCE_STEP
        upper = value_and_grad(jnp.asarray(point + step, jnp.float32))[1]
        lower = value_and_grad(jnp.asarray(point - step, jnp.float32))[1]
        columns.append((np.asarray(upper, np.float64) - np.asarray(lower)) / (2 * DIFFERENCE_STEP))
    hessian = np.stack(columns, axis=1)
    return 0.5 * (hessian + hessian.T)


def _covariance(hessian: np.ndarray) -> np.ndarray:
    """Inverse of the Hessian with eigenvalues clipped positive (a valid metric)."""
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    return (eigenvectors / np.maximum(eigenvalues, 1e-3)) @ eigenvectors.T


@cache
def _compiled_potential(model, structure: tuple):
    """Jitted ``(flat, model_args) -> (potential, gradient)`` and ``unravel`` for a model.

    Cached on the model and its sites' shapes, with the data as traced arguments, so
    repeated warm starts of one model on new data sets of one shape (SBC) compile once.
    """
    template = {name: jnp.zeros(shape, dtype) for name, shape, dtype in structure}
    _, unravel = ravel_pytree(template)

    def potential(flat, model_args):
        return potential_energy(model, model_args, {}, unravel(flat))

    return jax.jit(jax.value_and_grad(potential)), unravel


def laplace_warm_start(rng_key, model, *, num_chains: int, model_args=(), model_kwargs=None):
    """Mode, inverse Hessian and over-dispersed starting points for ``num_chains`` chains."""
    key_init, key_chains = jax.random.split(rng_key)
    if model_kwargs:
        model = partial(model, **model_kwargs)
    info = initialize_model(key_init, model, model_args=model_args)
    flat_start, _ = ravel_pytree(info.param_info.z)
    structure = tuple(
        (name, jnp.shape(value), jnp.result_type(value))
        for name, value in sorted(info.param_info.z.items())
    )
    compiled, unravel = _compiled_potential(model, structure)

    def value_and_grad(flat):
        return compiled(flat, model_args)

    mode, iterations = _mode(value_and_grad, np.asarray(flat_start, np.float64))
    covariance = _covariance(_hessian(value_and_grad, mode))
    noise = np.asarray(jax.random.normal(key_chains, (num_chains, mode.size)), np.float64)
    starts = mode + DISPERSION * noise @ np.linalg.cholesky(covariance).T
    init_params = jax.vmap(unravel)(jnp.asarray(starts, jnp.float32))
    names = tuple(sorted(info.param_info.z))  # ravel_pytree flattens a dict in key order
    matrix = jnp.asarray(covariance, jnp.float32)
    mode_log_density = -float(value_and_grad(jnp.asarray(mode, jnp.float32))[0])
    return WarmStart(init_params, {names: matrix}, mode_log_density, iterations)
