"""Ordered logit: cumulative and category probabilities, and sampling from 32-bit draws.

With latent ``y* = location + e``, ``e ~ Logistic(0, 1)``, and increasing cut-points
``c_1 < ... < c_{K-1}``, the category is the number of cut-points below ``y*``:
``P(category <= k) = sigmoid(c_{k+1} - location)``.

Sampling compares a uniform 32-bit draw with the cumulative probabilities scaled to
``2**32`` (``probability_to_bits``): the category is the number of thresholds the draw
reaches. This is exact up to the 2**-32 quantisation of the thresholds and needs no
transcendental function per draw, which is what makes the ensemble kernel fast.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

__all__ = [
    "cumulative_probabilities",
    "category_probabilities",
    "probability_to_bits",
    "category_from_bits",
]

_TWO_TO_32 = 4294967296.0
_LARGEST_BELOW_TWO_TO_32 = 4294967040.0  # largest float32 below 2**32


def cumulative_probabilities(cutpoints: jnp.ndarray, location: jnp.ndarray) -> jnp.ndarray:
    """``P(category <= k)`` for k = 0..K-2; shape ``location.shape + cutpoints.shape``."""
    location = jnp.asarray(location)[..., None]
    return jax.nn.sigmoid(cutpoints - location)


def category_probabilities(cutpoints: jnp.ndarray, location: jnp.ndarray) -> jnp.ndarray:
    """Probabilities of the K ordered categories; last axis has length K."""
    cumulative = cumulative_probabilities(cutpoints, location)
    zeros = jnp.zeros_like(cumulative[..., :1])
    ones = jnp.ones_like(cumulative[..., :1])
    padded = jnp.concatenate([zeros, cumulative, ones], axis=-1)
    return jnp.diff(padded, axis=-1)


def probability_to_bits(probability: jnp.ndarray) -> jnp.ndarray:
    """Scale probabilities in [0, 1] to uint32 thresholds: ``bits < threshold`` has that probability.

    Computed in float32, so thresholds are quantised to ~2**-24 of the probability (at
    most 2**-24 absolute error), far below any Monte Carlo error of an ensemble.
    """
    scaled = jnp.floor(jnp.asarray(probability, jnp.float32) * jnp.float32(_TWO_TO_32))
    return jnp.clip(scaled, 0.0, _LARGEST_BELOW_TWO_TO_32).astype(jnp.uint32)


def category_from_bits(bits: jnp.ndarray, thresholds: jnp.ndarray) -> jnp.ndarray:
    """Ordered category (int32) of each 32-bit draw: the number of thresholds it reaches.

    ``thresholds`` has the cumulative probabilities in bits on its last axis, aligned
    with ``bits`` on the leading axes.
    """
    reached = bits[..., None] >= thresholds
    return jnp.sum(reached, axis=-1, dtype=jnp.int32)
