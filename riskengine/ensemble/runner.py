"""Run an ensemble on dask: (chain, draw) x variant x path, reduced to exact totals.

The grid is cut into tasks of ``draws_per_task`` draws x ``block_paths`` paths (both set
from ``chunk_paths``: a task simulates about ``chunk_paths`` paths per variant). Each draw
block's tasks are summed by a tree of ``add_counts`` in the graph, so the scheduler
streams the reduction and memory never grows with the number of paths. Every task
output is reduced to int64 as its model declares (``riskengine.ensemble.reductions``),
so sums are exact and independent of the order in which tasks finish.
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import asdict, dataclass
from typing import Any

import dask
import jax
import numpy as np

from riskengine.ensemble.guards import check_inputs, check_parameters
from riskengine.ensemble.keys import draw_key_words
from riskengine.ensemble.progress import TaskProgress, track_futures
from riskengine.ensemble.reductions import finalize
from riskengine.ensemble.tasks import TaskSpec, add_counts, run_task

__all__ = ["EnsemblePlan", "PreparedEnsemble", "plan_ensemble", "prepare_ensemble", "run_ensemble"]

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


@dataclass(frozen=True)
class PreparedEnsemble:
    """An ensemble ready to cut into tasks: flattened draws, key words, the plan."""

    model: Any
    scenario_inputs: Any
    flat_params: dict
    key_words: np.ndarray
    plan: EnsemblePlan
    num_chains: int
    seed_tag: str

    @property
    def num_draws_per_chain(self) -> int:
        return self.plan.num_draws // self.num_chains

    @functools.cached_property
    def host_inputs(self):
        """The scenario inputs as numpy arrays (converted once, shared by every task)."""
        return jax.tree.map(np.asarray, self.scenario_inputs.inputs)

    def identity(self) -> dict:
        """What makes two runs the same run (a checkpoint's manifest): the models, the
        plan, and a token of the draws, key words, inputs and settings."""
        static = sorted(self.scenario_inputs.static.items())
        token = dask.base.tokenize(
            self.flat_params, self.key_words, self.host_inputs, static, ensure_deterministic=True
        )
        return {
            "models": list(self.model.names),
            "plan": asdict(self.plan),
            "num_draw_blocks": self.plan.num_draw_blocks,
            "token": token,
        }

    def task_arguments(self, block: int, path_block: int) -> tuple:
        """``run_task``'s arguments for draw block ``block`` and path block ``path_block``."""
        plan, static = self.plan, tuple(sorted(self.scenario_inputs.static.items()))
        start = block * plan.draws_per_task
        stop = min(start + plan.draws_per_task, plan.num_draws)
        params = {k: _pad(v[start:stop], plan.draws_per_task) for k, v in self.flat_params.items()}
        spec = TaskSpec(
            self.model.names,
            static,
            start,
            stop,
            path_block * plan.block_paths,
            plan.block_paths,
            plan.paths_per_draw,
            self.num_draws_per_chain,
            plan.draws_per_task,
        )
        words = _pad(self.key_words[start:stop], plan.draws_per_task)
        return spec, self.model.pack(params), words, self.host_inputs


def prepare_ensemble(
    model, scenario_inputs, parameter_draws, *, seed, paths_per_draw, chunk_paths,
    common_random_numbers,
) -> PreparedEnsemble:  # fmt: skip
    """Flatten the (chain, draw) draws, derive the key words and cut the grid into tasks.

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
    prepared = PreparedEnsemble(model, scenario_inputs, flat, key_words, plan, num_chains, seed_tag)
    check_parameters(flat, prepared.task_arguments(0, 0)[0])
    check_inputs(scenario_inputs.inputs)
    return prepared


def _graph(prepared: PreparedEnsemble, blocks) -> dict[int, object]:
    """Draw block -> the delayed sum of its tasks, for the draw blocks ``blocks``."""
    model, plan, tag = prepared.model, prepared.plan, prepared.seed_tag
    roots = {}
    for block in blocks:
        leaves = []
        for path_block in range(plan.num_path_blocks):
            arguments = prepared.task_arguments(block, path_block)
            name = f"{model.name}-{tag}-task-{block}-{path_block}"
            leaves.append(dask.delayed(run_task, pure=True)(*arguments, dask_key_name=name))
        roots[block] = _tree_sum(leaves, f"{model.name}-{tag}-{block}")
    return roots


def run_ensemble(prepared: PreparedEnsemble, *, execution, progress=True, checkpoint=None):
    """``(totals, facts)``: totals per (chain, draw, variant, ...), computed on
    ``execution`` (int64 counts, and ``<output>.sum`` / ``<output>.sum_of_squares`` of
    fixed-point outputs); facts count the draw blocks computed and those read back from
    ``checkpoint`` (a ``riskengine.ensemble.checkpoint.Checkpoint``, which also saves
    each draw block as it finishes)."""
    model, plan = prepared.model, prepared.plan
    done = checkpoint.start(prepared.identity()) if checkpoint is not None else {}
    missing = [block for block in range(plan.num_draw_blocks) if block not in done]
    save = checkpoint.save if checkpoint is not None else None
    try:
        roots = _graph(prepared, missing)
        computed = _compute(roots, execution, progress, f"{model.name} ensemble", save)
    finally:
        if checkpoint is not None:
            checkpoint.release()
    blocks = [(done | computed)[block] for block in range(plan.num_draw_blocks)]
    counts = {name: np.concatenate([b[name] for b in blocks]) for name in blocks[0]}
    shape = (prepared.num_chains, prepared.num_draws_per_chain)
    counts = {name: v.reshape(*shape, *v.shape[1:]) for name, v in counts.items()}
    facts = {"computed_draw_blocks": len(missing), "resumed_draw_blocks": len(done)}
    return finalize(counts, model.reductions), facts


def _compute(roots: dict, execution, progress: bool, description: str, save=None) -> dict:
    """Draw block -> totals; ``save(block, totals)`` is called as each block finishes."""
    if not roots:
        return {}
    if execution.client is not None:
        return _compute_distributed(roots, execution.client, progress, description, save)
    block_of = {root.key: block for block, root in roots.items()}
    callbacks = [TaskProgress(description)] if progress else []
    if save is not None:
        callbacks.append(_SaveBlocks(block_of, save))
    with dask.config.set(scheduler=execution.scheduler, num_workers=execution.num_workers):
        with dask.callbacks.add_callbacks(*callbacks):
            results = dask.compute(*roots.values())
    return dict(zip(roots, results, strict=True))


def _compute_distributed(roots: dict, client, progress: bool, description: str, save) -> dict:
    """Futures gathered as they finish (each saved at once); the progress bar, which
    blocks while it listens to the scheduler, runs in a thread beside."""
    from distributed import as_completed

    futures = client.compute(list(roots.values()))
    block_of = {future.key: block for future, block in zip(futures, roots, strict=True)}
    bar = threading.Thread(target=track_futures, args=(futures, description), daemon=True)
    if progress:
        bar.start()
    results = {}
    try:
        for future, totals in as_completed(futures, with_results=True):
            results[block_of[future.key]] = totals
            if save is not None:
                save(block_of[future.key], totals)
    finally:
        if progress:
            bar.join(timeout=5)
    return results


class _SaveBlocks(dask.callbacks.Callback):
    """Local schedulers: save each draw block's totals when its root task finishes."""

    def __init__(self, block_of: dict, save):
        super().__init__()
        self._block_of, self._save = block_of, save

    def _posttask(self, key, result, graph, state, worker_id):
        if key in self._block_of:
            self._save(self._block_of[key], result)
