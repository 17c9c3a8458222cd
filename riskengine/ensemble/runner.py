"""Run an ensemble on dask: (chain, draw) x variant x path, reduced to exact totals.

The grid is cut into tasks of ``draws_per_task`` draws x ``block_paths`` paths (both set
from ``chunk_paths``: a task simulates about ``chunk_paths`` paths per variant). Each draw
block's tasks are summed by a tree of ``add_counts`` in the graph, so the scheduler
streams the reduction and memory never grows with the number of paths. Every task
output is reduced to int64 as its model declares (``riskengine.ensemble.reductions``),
so sums are exact and independent of the order in which tasks finish.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import dask
import jax
import numpy as np

from riskengine.ensemble.keys import draw_key_words
from riskengine.ensemble.progress import TaskProgress, track_futures
from riskengine.ensemble.reductions import finalize
from riskengine.ensemble.tasks import TaskSpec, add_counts, run_task

__all__ = ["EnsemblePlan", "plan_ensemble", "run_ensemble"]

TREE_FAN_IN = 8


@dataclass(frozen=True)
class EnsemblePlan:
    """How the (draw x path) grid is cut into tasks."""

    num_draws: int
    paths_per_draw: int
    draws_per_task: int
    block_paths: int

    @property
    def num_draw_blocks(self) -> int:
        return math.ceil(self.num_draws / self.draws_per_task)

    @property
    def num_path_blocks(self) -> int:
        return math.ceil(self.paths_per_draw / self.block_paths)

    @property
    def num_tasks(self) -> int:
        return self.num_draw_blocks * self.num_path_blocks


def plan_ensemble(num_draws: int, paths_per_draw: int, chunk_paths: int) -> EnsemblePlan:
    """Tasks of ~``chunk_paths`` paths: path blocks within a draw, or several whole draws."""
    if paths_per_draw >= chunk_paths:
        return EnsemblePlan(num_draws, paths_per_draw, 1, chunk_paths)
    draws_per_task = max(1, min(num_draws, chunk_paths // paths_per_draw))
    return EnsemblePlan(num_draws, paths_per_draw, draws_per_task, paths_per_draw)


def _pad(values: np.ndarray, length: int) -> np.ndarray:
    missing = length - values.shape[0]
    if missing == 0:
        return values
    return np.concatenate([values, np.repeat(values[-1:], missing, axis=0)])


def _tree_sum(nodes: list, name: str) -> object:
    level = 0
    while len(nodes) > 1:
        groups = [nodes[i : i + TREE_FAN_IN] for i in range(0, len(nodes), TREE_FAN_IN)]
        nodes = [
            dask.delayed(add_counts, pure=True)(*group, dask_key_name=f"{name}-sum-{level}-{index}")
            for index, group in enumerate(groups)
        ]
        level += 1
    return nodes[0]


def _graph(model, scenario_inputs, flat_params, key_words, plan: EnsemblePlan, seed_tag: str):
    static = tuple(sorted(scenario_inputs.static.items()))
    inputs = jax.tree.map(np.asarray, scenario_inputs.inputs)
    roots = []
    for block in range(plan.num_draw_blocks):
        start = block * plan.draws_per_task
        stop = min(start + plan.draws_per_task, plan.num_draws)
        params = {k: _pad(v[start:stop], plan.draws_per_task) for k, v in flat_params.items()}
        params = model.pack(params)
        words = _pad(key_words[start:stop], plan.draws_per_task)
        leaves = []
        for path_block in range(plan.num_path_blocks):
            spec = TaskSpec(
                model.names,
                static,
                start,
                stop,
                path_block * plan.block_paths,
                plan.block_paths,
                plan.paths_per_draw,
            )
            name = f"{model.name}-{seed_tag}-task-{block}-{path_block}"
            leaves.append(
                dask.delayed(run_task, pure=True)(spec, params, words, inputs, dask_key_name=name)
            )
        roots.append(_tree_sum(leaves, f"{model.name}-{seed_tag}-{block}"))
    return roots


def run_ensemble(
    model,
    scenario_inputs,
    parameter_draws,
    *,
    seed,
    paths_per_draw,
    chunk_paths,
    common_random_numbers,
    execution,
    progress=True,
):
    """Totals per (chain, draw, variant, ...), computed on ``execution``: int64 counts, and
    ``<output>.sum`` / ``<output>.sum_of_squares`` of fixed-point outputs.

    ``model`` is a ``riskengine.models.composite.Composite``; ``parameter_draws`` maps
    each namespaced parameter name (``<model>.<name>``) to an array with leading (chain, draw).
    """
    first = next(iter(parameter_draws.values()))
    num_chains, num_draws_per_chain = first.shape[:2]
    flat = {
        name: np.asarray(v).reshape(num_chains * num_draws_per_chain, *v.shape[2:])
        for name, v in parameter_draws.items()
    }
    chains, draws = np.divmod(np.arange(num_chains * num_draws_per_chain), num_draws_per_chain)
    num_variants = len(jax.tree.leaves(scenario_inputs.inputs)[0])
    key_words = draw_key_words(seed, chains, draws, num_variants, common=common_random_numbers)
    plan = plan_ensemble(len(chains), paths_per_draw, chunk_paths)
    seed_tag = f"{seed}-{dask.base.tokenize(flat, key_words, paths_per_draw)[:8]}"
    roots = _graph(model, scenario_inputs, flat, key_words, plan, seed_tag)
    blocks = _compute(roots, execution, progress, f"{model.name} ensemble")
    counts = {name: np.concatenate([b[name] for b in blocks]) for name in blocks[0]}
    counts = {
        name: v.reshape(num_chains, num_draws_per_chain, *v.shape[1:]) for name, v in counts.items()
    }
    return finalize(counts, model.reductions)


def _compute(roots, execution, progress: bool, description: str) -> list[dict]:
    if execution.client is not None:
        futures = execution.client.compute(roots)
        if progress:
            track_futures(futures)
        return execution.client.gather(futures)
    callbacks = [TaskProgress(description)] if progress else []
    with dask.config.set(scheduler=execution.scheduler, num_workers=execution.num_workers):
        with dask.callbacks.add_callbacks(*callbacks):
            return list(dask.compute(*roots))
