"""Counter-based random bits: a pure function of (key words, path index, step).

Ensembles need each simulated path's randomness to depend only on its coordinates so
that results are bit-identical whatever the chunking, worker count or scheduler. Drawing
``jax.random`` numbers per path-step costs ~10 ns each on a 2-core CPU, several times the
cost of the ladder logic itself, so the per-step bits come from a cheap integer hash
instead: two rounds of the MurmurHash3 32-bit finaliser (``fmix32``, a bijection on
uint32 with full avalanche) over the path's stream word XORed with a hashed word of the
step. The two 32-bit key words come from a threefry key (``jax.random.key_data``) once
per parameter draw, so streams of different draws, chains and seeds are unrelated.

Layout of the counter space for one path (``step`` is a uint32):

- ``step = 0 .. num_steps - 1``: one uniform per month;
- ``step = 2**32 - 1 - j`` (j = 0, 1, ...): per-path auxiliary draws (e.g. the latent
  resolve) far away from any month index.

Reference: Appleby, MurmurHash3 (public domain), ``fmix32``; Salmon et al. (2011),
"Parallel random numbers: as easy as 1, 2, 3" for the counter-based design.
"""

from __future__ import annotations

import jax.numpy as jnp

__all__ = ["AUXILIARY_STEP", "mix32", "stream_words", "uniform_bits", "bits_to_unit_interval"]

GOLDEN_RATIO_32 = 0x9E3779B9
AUXILIARY_STEP = 0xFFFFFFFF  # counters counted down from here hold per-path draws


def mix32(value: jnp.ndarray) -> jnp.ndarray:
    """MurmurHash3 ``fmix32`` finaliser on uint32 (a bijection with full avalanche)."""
    value = jnp.asarray(value, jnp.uint32)
    value = value ^ (value >> 16)
    value = value * jnp.uint32(0x85EBCA6B)
    value = value ^ (value >> 13)
    value = value * jnp.uint32(0xC2B2AE35)
    return value ^ (value >> 16)


def stream_words(key_words: jnp.ndarray, path_index: jnp.ndarray) -> jnp.ndarray:
    """One uint32 stream word per path: a bijection of ``path_index`` for a fixed key.

    ``key_words`` is a uint32 array of shape ``(2,)`` (a threefry key's data); distinct
    path indices below 2**32 always get distinct stream words.
    """
    path_index = jnp.asarray(path_index, jnp.uint32)
    return mix32(key_words[0] ^ mix32(path_index))


def step_word(key_words: jnp.ndarray, step) -> jnp.ndarray:
    """The word a step contributes to every path's counter: ``fmix32(step * phi ^ k1)``.

    It does not depend on the path, so inside a scan over months it is one scalar a month.
    """
    step = jnp.asarray(step, jnp.uint32)
    return mix32((step * jnp.uint32(GOLDEN_RATIO_32)) ^ key_words[1])


def uniform_bits(key_words: jnp.ndarray, stream: jnp.ndarray, step) -> jnp.ndarray:
    """32 random bits for (path stream, step): ``fmix32(fmix32(stream ^ step_word))``.

    The step enters through a hashed word combined by XOR, not by adding ``step * phi``
    to the stream: with addition, two paths whose streams differ by ``k * phi`` would be
    month-shifted copies of each other (about 1e6 such pairs among 1e7 paths); with
    hashed step words, paths can only coincide in isolated (path, month) pairs, at the
    rate of any 32-bit generator.
    """
    return mix32(mix32(stream ^ step_word(key_words, step)))


def bits_to_unit_interval(bits: jnp.ndarray) -> jnp.ndarray:
    """Map uint32 bits to float32 in the open interval (0, 1) (23-bit resolution).

    23 bits, not 24: ``(2**24 - 1 + 0.5) * 2**-24`` rounds to exactly 1.0 in float32,
    whereas the largest value here, ``1 - 2**-24``, is representable.
    """
    mantissa = (bits >> 9).astype(jnp.float32)
    return (mantissa + 0.5) * jnp.float32(2.0**-23)
