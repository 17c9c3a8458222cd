"""Counting small codes over many paths fast: one byte per code in a uint32 word.

Codes 1..4 of each path become a uint32 with byte ``code - 1`` set to 1 (code 0 adds
nothing); the words are folded in halves down to a few lanes, so one packed sum replaces
four one-hot sums (XLA's CPU reductions run at ~1 element per cycle: measured 2.5 ->
0.35 ns per path-month on the escalation ladder). At most 128 paths add into one byte
(< 255), so a fold never carries into the next byte; the lanes are unpacked to int32
counts before any larger sum. The number of paths must be a power of two.
"""

from __future__ import annotations

import jax.numpy as jnp

__all__ = ["MIN_LANES", "NUM_PACKED_CODES", "code_bytes", "fold_lanes", "unpack"]

MIN_LANES = 64
NUM_PACKED_CODES = 4


def code_bytes(values: jnp.ndarray) -> jnp.ndarray:
    """uint32 words with byte ``k - 1`` set to 1 where ``values == k`` (k = 1..4); 0 adds nothing."""
    shift = values.astype(jnp.uint32) * 8 - 8
    return jnp.where(values > 0, jnp.uint32(1) << shift, jnp.uint32(0))


def _num_lanes(num_paths: int) -> int:
    """Lanes of packed partial counts: at most 128 paths add into one byte (< 255)."""
    return max(MIN_LANES, num_paths // 128)


def fold_lanes(words: jnp.ndarray) -> jnp.ndarray:
    """Fold packed words (paths,) in halves to packed partial counts (lanes,)."""
    lanes = _num_lanes(words.shape[-1])
    while words.shape[-1] > lanes:
        half = words.shape[-1] // 2
        words = words[..., :half] + words[..., half:]
    return words


def unpack(words: jnp.ndarray) -> jnp.ndarray:
    """Packed partial counts (..., lanes) -> int32 counts of codes 1..4 (..., 4)."""
    shifts = 8 * jnp.arange(NUM_PACKED_CODES, dtype=jnp.uint32)
    fields = (words[..., None, :] >> shifts[:, None]) & jnp.uint32(0xFF)
    return jnp.sum(fields, axis=-1, dtype=jnp.int32)
