"""Counting paths by category, and turning counts into shares, for the models' outputs.

``category_counts`` is the one-hot count of small integer codes over a sweep's paths (in
JAX, inside the kernel); ``ratio`` divides summed counts (in NumPy, in the models'
``metrics``), giving NaN where nothing was counted in the denominator.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

__all__ = ["category_counts", "ratio"]


def category_counts(category, mask, size: int) -> jnp.ndarray:
    """(size,) int32: how many paths with ``mask`` have ``category`` 0 .. size - 1."""
    one_hot = (category[None, :] == jnp.arange(size)[:, None]) & mask[None, :]
    return jnp.sum(one_hot, axis=1, dtype=jnp.int32)


def ratio(numerator, denominator) -> np.ndarray:
    """``numerator / denominator`` where the denominator is positive, NaN elsewhere."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1), np.nan)
