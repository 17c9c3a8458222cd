"""The escalation ladder in plain NumPy: the baselines the engine is measured against.

Same semantics as ``riskengine.models.escalation.core`` (one variant, fixed parameters):
per-path resolve ``r ~ Normal(0, resolve_scale)``, its scale times ``multilateral_resolve_ratio`` when a
side has several originators and by the era's ``era_resolve_ratio`` (not post-Cold War), location ``eta = x . coefficients + r``,
month-1 level = start level (or an onset ordered-logit draw), then each month a step
category (settle, de-escalate, stay, escalate) from an ordered logit at ``eta +
level_shifts(params)[level]`` (use of force is the reference level), the stay|escalate
cut-point moved by the era's ``era_escalate_shift``; settled is absorbing. Outputs are the engine's counts:
``level_count`` and ``peak_count`` (month, level).

- ``naive``: what a researcher writes in a notebook: a 5 x 5 transition matrix per path
  (float64), sampled each month by a cumulative-table lookup on ``rng.random``.
- ``expert``: the engine's own tricks where NumPy allows them: per-path step thresholds
  precomputed as uint32 (the cumulative probabilities scaled to 2**32), each month three
  integer compares of raw PCG64 bits with the thresholds of the path's level (a flat
  ``take``), a next-level table, int8 levels, a block of paths in place whose size is
  tuned (``benchmarks/run.py``), one core.
- ``expert_latent``: the previous expert, kept because in NumPy it can be the faster of the
  two (a gather per threshold costs more than a logarithm): the latent (threshold) form
  on float32 PCG64 uniforms, ``z = eta + shift[level] + logit(u)`` against the three
  cut-points, blocks in place; ``make bench`` times both and holds the engine to the faster.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

__all__ = ["naive", "expert", "expert_latent", "level_shifts", "step_cutpoints"]

NUM_LEVELS = 5


def level_shifts(params) -> np.ndarray:
    """Location shift per level 0..4: 0 for settled and for use of force (the reference
    level); ``level_effect`` holds threat, display and war."""
    threat, display, war = np.asarray(params.level_effect, np.float64)
    return np.array([0.0, threat, display, 0.0, war])


_ERA_COLUMNS = slice(9, 12)  # before 1914, world wars, Cold War


def step_cutpoints(params, covariates) -> np.ndarray:
    """Step cut-points, the last (stay|escalate) moved by the crisis era's shift."""
    cutpoints = np.asarray(params.step_cutpoints, np.float64).copy()
    shift = float(np.dot(np.asarray(covariates)[_ERA_COLUMNS], params.era_escalate_shift))
    cutpoints[2] = max(cutpoints[2] + shift, cutpoints[1] + 1e-3)
    return cutpoints


def _locations(params, covariates, rng, num_paths: int) -> np.ndarray:
    multilateral = np.any(np.asarray(covariates)[:2] > 0)  # a side with several originators
    ratio = float(params.multilateral_resolve_ratio) if multilateral else 1.0
    era_indicators = np.asarray(covariates)[_ERA_COLUMNS]
    ratio *= float(np.prod(np.where(era_indicators > 0, params.era_resolve_ratio, 1.0)))
    scale = float(params.resolve_scale) * ratio
    resolve = scale * rng.standard_normal(num_paths)
    return float(np.dot(covariates, params.coefficients)) + resolve


def _start(params, start_level: int, eta, rng) -> np.ndarray:
    if start_level >= 1:
        return np.full(eta.shape, start_level, np.int8)
    cumulative = expit(np.asarray(params.onset_cutpoints)[None, :] - eta[:, None])
    return (1 + (rng.random(eta.shape)[:, None] >= cumulative).sum(1)).astype(np.int8)


def _next_level_table() -> np.ndarray:
    """(level, category) -> next level, the rules of ``primitives.ladder.next_level``."""
    table = np.zeros((NUM_LEVELS, 4), np.int8)
    for level in range(1, NUM_LEVELS):
        table[level] = [0, level - 1, level, min(level + 1, NUM_LEVELS - 1)]
    return table


def naive(params, covariates, start_level: int, num_paths: int, num_months: int, seed: int):
    """Per-path transition matrices and a cumulative-table lookup each month."""
    rng = np.random.default_rng(seed)
    eta = _locations(params, covariates, rng, num_paths)
    moves = _next_level_table()
    matrix = np.zeros((num_paths, NUM_LEVELS, NUM_LEVELS))
    matrix[:, 0, 0] = 1.0
    shifts = level_shifts(params)
    for level in range(1, NUM_LEVELS):
        cumulative = expit(
            step_cutpoints(params, covariates)[None, :] - (eta + shifts[level])[:, None]
        )
        probabilities = np.diff(
            np.concatenate([np.zeros((num_paths, 1)), cumulative, np.ones((num_paths, 1))], 1),
            axis=1,
        )
        for category in range(4):
            matrix[:, level, moves[level, category]] += probabilities[:, category]
    cumulative_rows = np.cumsum(matrix, axis=2)
    level = _start(params, start_level, eta, rng).astype(np.int64)
    peak = level.copy()
    rows = np.arange(num_paths)
    level_count = np.zeros((num_months, NUM_LEVELS), np.int64)
    peak_count = np.zeros((num_months, NUM_LEVELS), np.int64)
    for month in range(num_months):
        level_count[month] = np.bincount(level, minlength=NUM_LEVELS)
        peak_count[month] = np.bincount(peak, minlength=NUM_LEVELS)
        u = rng.random(num_paths)
        level = np.minimum((u[:, None] >= cumulative_rows[rows, level]).sum(1), NUM_LEVELS - 1)
        peak = np.maximum(peak, level)
    return level_count, peak_count


def _thresholds(params, covariates, eta) -> np.ndarray:
    """Per-path step thresholds in bits, path-major (paths, 4 levels, 3) uint32: the
    cumulative step probabilities scaled to 2**32, so a month is three integer compares
    (the engine's ``probability_to_bits``, here in float64)."""
    cutpoints = step_cutpoints(params, covariates)
    shifts = level_shifts(params)[1:]
    logits = cutpoints[None, None, :] - (eta[:, None, None] + shifts[None, :, None])
    scaled = np.floor(expit(logits) * 2.0**32)
    return np.minimum(scaled, 2.0**32 - 1).astype(np.uint32)


def _expert_block(thresholds, level, bits_fn, num_months, level_count, peak_count):
    """One block in place: gather each path's three thresholds for its level (path-major,
    so the three are adjacent), compare this month's 32 bits with them, look the next
    level up in a table."""
    n = level.shape[0]
    flat = thresholds.reshape(-1)
    moves = _next_level_table().ravel().astype(np.intp)
    level = level.astype(np.intp)
    peak = level.copy()
    base = np.arange(n, dtype=np.intp) * 12 - 3  # row of level 1 at path * 12
    index, chosen = np.empty(n, np.intp), np.empty(n, np.uint32)
    category, reached = np.empty(n, np.uint8), np.empty(n, np.bool_)
    for month in range(num_months):
        level_count[month] += np.bincount(level, minlength=NUM_LEVELS)
        peak_count[month] += np.bincount(peak, minlength=NUM_LEVELS)
        bits = bits_fn(month)
        np.maximum(level, 1, out=index)  # a settled path reads level 1's row, stays settled
        index *= 3
        index += base
        category[:] = 0
        for _ in range(3):
            flat.take(index, out=chosen)
            np.greater_equal(bits, chosen, out=reached)
            category += reached.view(np.uint8)
            index += 1
        np.multiply(level, 4, out=index)
        index += category
        moves.take(index, out=level)
        np.maximum(peak, level, out=peak)


def expert(params, covariates, start_level, num_paths, num_months, seed, block_paths=16_384):
    """Per-path integer thresholds, integer compares on PCG64 bits, blocks of
    ``block_paths`` paths in place (``benchmarks/run.py`` tunes the block size)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    level_count = np.zeros((num_months, NUM_LEVELS), np.int64)
    peak_count = np.zeros((num_months, NUM_LEVELS), np.int64)
    for start in range(0, num_paths, block_paths):
        n = min(block_paths, num_paths - start)
        eta = _locations(params, covariates, rng, n)
        level = _start(params, start_level, eta, rng)
        thresholds = _thresholds(params, covariates, eta)
        half = (n + 1) // 2

        def bits(month, half=half, n=n):  # two 32-bit draws from each 64-bit PCG64 output
            return rng.bit_generator.random_raw(half).view(np.uint32)[:n]

        _expert_block(thresholds, level, bits, num_months, level_count, peak_count)
    return level_count, peak_count


def _latent_block(params, covariates, eta, level, uniforms_fn, num_months, level_count, peak_count):
    """Latent form on one block: z = eta + shift[level] + logit(u); category = #{c_k <= z}."""
    cutpoints = step_cutpoints(params, covariates).astype(np.float32)
    shifts = level_shifts(params).astype(np.float32)
    moves = _next_level_table().ravel()
    eta = eta.astype(np.float32)
    peak = level.copy()
    n = level.shape[0]
    buffer, z, category, index = (
        np.empty(n, np.float32),
        np.empty(n, np.float32),
        np.empty(n, np.int8),
        np.empty(n, np.intp),
    )
    for month in range(num_months):
        level_count[month] += np.bincount(level, minlength=NUM_LEVELS)
        peak_count[month] += np.bincount(peak, minlength=NUM_LEVELS)
        u = uniforms_fn(month, buffer)
        np.subtract(1.0, u, out=z)
        np.divide(u, z, out=z)
        np.log(z, out=z)  # logistic noise: logit(u)
        z += eta
        z += shifts.take(level)
        np.greater_equal(z, cutpoints[0], out=category, casting="unsafe")
        category += z >= cutpoints[1]
        category += z >= cutpoints[2]
        np.multiply(level, 4, out=index, casting="unsafe")
        index += category
        moves.take(index, out=level)
        np.maximum(peak, level, out=peak)


def expert_latent(params, covariates, start_level, num_paths, num_months, seed, block_paths=65_536):
    """Latent form, blocks of ``block_paths`` in place, PCG64 float32 uniforms."""
    rng = np.random.Generator(np.random.PCG64(seed))
    level_count = np.zeros((num_months, NUM_LEVELS), np.int64)
    peak_count = np.zeros((num_months, NUM_LEVELS), np.int64)

    def draw(month, out):
        rng.random(out=out, dtype=np.float32)
        return np.maximum(out, np.float32(2.0**-25), out=out)  # keep logit finite at u == 0

    for start in range(0, num_paths, block_paths):
        n = min(block_paths, num_paths - start)
        eta = _locations(params, covariates, rng, n)
        level = _start(params, start_level, eta, rng)
        _latent_block(params, covariates, eta, level, draw, num_months, level_count, peak_count)
    return level_count, peak_count
