"""Counter-based seeding: every path's randomness is a function of its coordinates.

From the integer seed: ``key(seed)`` -> ``fold_in(purpose)`` (1 parameters, 2 paths)
-> [``fold_in(variant)``, only without common random numbers] -> ``fold_in(chain)`` ->
``fold_in(draw)``; the draw key's two uint32 words then seed the counter hash of
``riskengine.primitives.counter_rng`` over (path index, month). Nothing depends on how
paths are grouped into tasks, so cubes are bit-identical for any chunk size, worker count
or scheduler.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import riskengine._jax_setup  # noqa: F401  (explicit threefry setting before any key use)

__all__ = ["KEY_SCHEME", "PARAMETER_PURPOSE", "PATH_PURPOSE", "purpose_key", "draw_key_words"]

KEY_SCHEME = (
    "riskengine-counter-v2: threefry key(seed) -> fold_in(purpose: 1 parameters, 2 paths)"
    " -> [fold_in(variant) unless common random numbers] -> fold_in(chain) -> fold_in(draw)"
    " -> key words (k0, k1) of the draw; model i of the registry uses the words of"
    " fold_in(draw key, i) (model 0 the draw's own); path stream s = fmix32(k0 ^ fmix32(path));"
    " step word w(step) = fmix32(step * 0x9E3779B9 ^ k1); bits(path, step) ="
    " fmix32(fmix32(s ^ w(step))); each model's use of steps is in the cube's counter_steps"
)
PARAMETER_PURPOSE = 1
PATH_PURPOSE = 2


def purpose_key(seed: int, purpose: int) -> jax.Array:
    """The root key for one purpose (parameter draws or paths) of a run."""
    return jax.random.fold_in(jax.random.key(seed), purpose)


@jax.jit
def _words(path_key, variant_ids, chains, draws):
    def one(variant, chain, draw):
        key = jax.lax.cond(
            variant < 0, lambda: path_key, lambda: jax.random.fold_in(path_key, variant)
        )
        key = jax.random.fold_in(jax.random.fold_in(key, chain), draw)
        return jax.random.key_data(key)

    return jax.vmap(jax.vmap(one, (0, None, None)), (None, 0, 0))(variant_ids, chains, draws)


def draw_key_words(
    seed: int, chains: np.ndarray, draws: np.ndarray, num_variants: int, *, common: bool
) -> np.ndarray:
    """uint32 key words of shape ``(len(draws), num_variants, 2)`` for (chain, draw) pairs.

    With ``common`` (common random numbers), every variant gets the same words.
    """
    variant_ids = np.full(num_variants, -1) if common else np.arange(num_variants)
    words = _words(
        purpose_key(seed, PATH_PURPOSE),
        jnp.asarray(variant_ids, jnp.int32),
        jnp.asarray(chains, jnp.int32),
        jnp.asarray(draws, jnp.int32),
    )
    return np.asarray(words, dtype=np.uint32)
