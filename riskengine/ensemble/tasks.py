"""One ensemble task: a block of parameter draws x all variants x a block of paths.

A task's output depends only on its coordinates (which draws, which path indices), never
on how the ensemble was cut into tasks: the per-path randomness comes from the counter
scheme of ``riskengine.ensemble.keys`` and every output is reduced to int64 totals as its
model declares (``riskengine.ensemble.reductions``). Finished tasks could therefore be
persisted and resumed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import riskengine._jax_setup  # noqa: F401
from riskengine.ensemble.guards import check_outputs
from riskengine.ensemble.reductions import reduce_outputs
from riskengine.models import ensemble_model

__all__ = ["TaskSpec", "run_task", "add_counts"]


@dataclass(frozen=True)
class TaskSpec:
    """Coordinates of one task: draws ``[draw_start, draw_stop)`` of the flattened
    (chain, draw) grid, padded to ``draws_per_task``, and paths ``[path_start,
    path_start + block_paths)`` clipped to ``paths_per_draw``."""

    model_names: tuple[str, ...]
    static: tuple[tuple[str, Any], ...]
    draw_start: int
    draw_stop: int
    path_start: int
    block_paths: int
    paths_per_draw: int
    draws_per_chain: int  # to name a draw by its chain (numerical guards)
    draws_per_task: int


# Paths (draws x variants x paths) a kernel call should have in flight at once. Draws are
# looped over (``lax.map``) rather than vmapped: vmapping 50 draws x 3 variants made every
# month stream the whole task's state from memory (~6x slower per path-month than
# looping, measured on the quickstart); small path blocks are batched up to this size.
_PATHS_IN_FLIGHT = 8192


@functools.lru_cache(maxsize=32)
def _compiled(model_names: tuple[str, ...], static: tuple[tuple[str, Any], ...]):
    model = ensemble_model(model_names)
    summarize = functools.partial(model.summarize, **dict(static))
    over_variants = jax.vmap(summarize, in_axes=(0, None, 0, None, None))

    def over_draws(key_words, params, inputs, path_index, valid):
        batch = max(1, _PATHS_IN_FLIGHT // (path_index.shape[0] * key_words.shape[1]))
        return jax.lax.map(
            lambda draw: over_variants(draw[0], draw[1], inputs, path_index, valid),
            (key_words, params),
            batch_size=min(batch, key_words.shape[0]),
        )

    return jax.jit(over_draws)


def run_task(spec: TaskSpec, params: Any, key_words: np.ndarray, inputs: Any) -> dict:
    """Totals of shape (draws in block, variant, ...) as int64 numpy arrays.

    ``params`` leaves and ``key_words`` (draws, variant, 2) are already padded to the
    block's fixed number of draws; padded draws are dropped here.
    """
    path_index = spec.path_start + np.arange(spec.block_paths, dtype=np.int64)
    valid = path_index < spec.paths_per_draw
    function = _compiled(spec.model_names, spec.static)
    outputs = function(
        jnp.asarray(key_words),
        params,
        inputs,
        jnp.asarray(path_index.astype(np.uint32)),
        jnp.asarray(valid),
    )
    num_draws = spec.draw_stop - spec.draw_start
    outputs = {name: np.asarray(value)[:num_draws] for name, value in outputs.items()}
    check_outputs(spec, outputs, int(valid.sum()))
    return reduce_outputs(outputs, ensemble_model(spec.model_names).reductions, valid)


def add_counts(*blocks: dict) -> dict:
    """Element-wise integer sum of count dictionaries (exact, order-independent)."""
    total = {name: value.copy() for name, value in blocks[0].items()}
    for block in blocks[1:]:
        for name, value in block.items():
            total[name] += value
    return total
