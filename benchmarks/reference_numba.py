"""The escalation ladder in Numba: the peer a speed-minded researcher would write.

Same model and the same random numbers as the engine
(``riskengine.models.escalation.core.summarize``): the counter hash of
``riskengine.primitives.counter_rng`` (path stream ``fmix32(k0 ^ fmix32(path))``, step
word ``fmix32(step * phi ^ k1)``, bits ``fmix32(fmix32(stream ^ word))``), per-path
integer thresholds (the cumulative step probabilities scaled to 2**32, so a month is
three integer compares), the resolve drawn at the auxiliary step ``2**32 - 1`` through
the inverse normal CDF and the onset draw at ``2**32 - 2``. Outputs are the engine's
counts: ``level_count`` and ``peak_count`` (month, level), int64.

- ``prange`` over blocks of paths; each block keeps its own histograms (no atomics), summed
  at the end; the number of threads is Numba's (``numba.set_num_threads``), on the
  workqueue threading layer (below).
- ``shortcut=True``: a path that has settled stops drawing (settled is absorbing); its
  remaining months are counted once, as "settled from month m with peak p", and spread by
  a cumulative sum at the end. ``shortcut=False`` draws every month of every path, as the
  engine's kernel does.
- The thresholds are computed here in float32 as the engine does, but with Numba's own
  ``exp`` and an inverse normal CDF (Wichura's AS241, float64), so a threshold may differ
  from the engine's in its last bits: counts agree with the engine statistically, and
  exactly up to the few draws that fall in such a gap (``benchmarks/run.py`` and
  ``tests/statistical/test_numba_reference.py`` check both). Given the engine's own
  thresholds (``thresholds=`` and ``start=``), the month loop reproduces the engine's
  counts bit for bit: the hash and the ladder are the same.

Benchmark-only: needs ``numba`` (the ``bench`` extra).
"""

from __future__ import annotations

import math
import os

import numba
import numpy as np

# Numba's default OpenMP threading layer cost ~24 ms per parallel call on this 2-core
# machine under load (threads spinning at the barrier), the workqueue layer 0.6 ms.
if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"

__all__ = ["simulate_counts", "path_setup"]

NUM_LEVELS = 5
_MASK = 0xFFFFFFFF
_PHI = 0x9E3779B9
_RESOLVE_STEP = 0xFFFFFFFF
_ONSET_STEP = 0xFFFFFFFE
_LARGEST_BELOW_TWO_TO_32 = 4294967040.0
_BLOCK_PATHS = 4096  # paths per prange item: its histograms stay in L1


@numba.njit(inline="always")
def _mix32(value):
    value = value & _MASK
    value ^= value >> 16
    value = (value * 0x85EBCA6B) & _MASK
    value ^= value >> 13
    value = (value * 0xC2B2AE35) & _MASK
    return value ^ (value >> 16)


@numba.njit(inline="always")
def _bits(stream, word):
    return _mix32(_mix32(stream ^ word))


@numba.njit(inline="always")
def _step_word(k1, step):
    return _mix32(((step * _PHI) & _MASK) ^ k1)


@numba.njit(inline="always")
def _ndtri(p):
    """Inverse standard normal CDF (Wichura 1988, AS241 PPND16), float64."""
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        num = (
            (
                (
                    (
                        (
                            (2509.0809287301226727 * r + 33430.575583588128105) * r
                            + 67265.770927008700853
                        )
                        * r
                        + 45921.953931549871457
                    )
                    * r
                    + 13731.693765509461125
                )
                * r
                + 1971.5909503065514427
            )
            * r
            + 133.14166789178437745
        ) * r + 3.387132872796366608
        den = (
            (
                (
                    (
                        (
                            (5226.495278852545925 * r + 28729.085735721942674) * r
                            + 39307.89580009271061
                        )
                        * r
                        + 21213.794301586595867
                    )
                    * r
                    + 5394.1960214247511077
                )
                * r
                + 687.1870074920579083
            )
            * r
            + 42.313330701600911252
        ) * r + 1.0
        return q * num / den
    r = p if q < 0 else 1.0 - p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r -= 1.6
        num = (
            (
                (
                    (
                        (
                            (7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r
                            + 0.24178072517745061177
                        )
                        * r
                        + 1.27045825245236838258
                    )
                    * r
                    + 3.64784832476320460504
                )
                * r
                + 5.7694972214606914055
            )
            * r
            + 4.6303378461565452959
        ) * r + 1.42343711074968357734
        den = (
            (
                (
                    (
                        (
                            (1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r
                            + 0.0151986665636164571966
                        )
                        * r
                        + 0.14810397642748007459
                    )
                    * r
                    + 0.68976733498510000455
                )
                * r
                + 1.6763848301838038494
            )
            * r
            + 2.05319162663775882187
        ) * r + 1.0
    else:
        r -= 5.0
        num = (
            (
                (
                    (
                        (
                            (2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
                            + 0.0012426609473880784386
                        )
                        * r
                        + 0.026532189526576123093
                    )
                    * r
                    + 0.29656057182850489123
                )
                * r
                + 1.7848265399172913358
            )
            * r
            + 5.4637849111641143699
        ) * r + 6.6579046435011037772
        den = (
            (
                (
                    (
                        (
                            (2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r
                            + 1.8463183175100546818e-5
                        )
                        * r
                        + 7.868691311456132591e-4
                    )
                    * r
                    + 0.0148753612908506148525
                )
                * r
                + 0.13692988092273580531
            )
            * r
            + 0.59983220655588793769
        ) * r + 1.0
    value = num / den
    return -value if q < 0 else value


@numba.njit(inline="always")
def _to_bits(probability):
    """``probability_to_bits``: floor(p * 2**32) in float32, clipped below 2**32."""
    scaled = math.floor(np.float32(probability) * np.float32(4294967296.0))
    return np.uint64(min(max(scaled, 0.0), _LARGEST_BELOW_TWO_TO_32))


@numba.njit(inline="always")
def _sigmoid(x):
    return np.float32(1.0) / (np.float32(1.0) + np.float32(math.exp(-x)))


@numba.njit(inline="always")
def _setup(stream, k1, base, scale, cutpoints, shifts, onset_cutpoints, start_level, out):
    """Per-path thresholds (4 levels x 3, into ``out``) and month-1 level."""
    word = _step_word(k1, _RESOLVE_STEP)
    u = np.float32((_bits(stream, word) >> 9) + 0.5) * np.float32(2.0**-23)
    eta = np.float32(base + scale * np.float32(_ndtri(np.float64(u))))
    for level in range(4):
        location = np.float32(eta + shifts[level])
        for k in range(3):
            out[level, k] = _to_bits(_sigmoid(np.float32(cutpoints[k] - location)))
    if start_level >= 1:
        return start_level
    onset = _bits(stream, _step_word(k1, _ONSET_STEP))
    level = 1
    for k in range(3):
        if onset >= _to_bits(_sigmoid(np.float32(onset_cutpoints[k] - eta))):
            level += 1
    return level


@numba.njit(parallel=True, cache=True)
def _counts(k0, k1, num_paths, num_months, base, scale, cutpoints, shifts, onset_cutpoints,
            start_level, given_thresholds, given_start, use_given, shortcut):  # fmt: skip
    num_blocks = (num_paths + _BLOCK_PATHS - 1) // _BLOCK_PATHS
    words = np.empty(num_months, np.uint64)
    for month in range(num_months):
        words[month] = _step_word(k1, month)
    level_count = np.zeros((num_blocks, num_months, NUM_LEVELS), np.int64)
    peak_count = np.zeros((num_blocks, num_months, NUM_LEVELS), np.int64)
    settled_from = np.zeros((num_blocks, num_months + 1, NUM_LEVELS), np.int64)
    for block in numba.prange(num_blocks):
        levels, peaks, settled = level_count[block], peak_count[block], settled_from[block]
        thresholds = np.empty((4, 3), np.uint64)
        for path in range(block * _BLOCK_PATHS, min(num_paths, (block + 1) * _BLOCK_PATHS)):
            stream = _mix32(k0 ^ _mix32(np.uint64(path)))
            if use_given:
                for level in range(4):
                    for k in range(3):
                        thresholds[level, k] = given_thresholds[level, k, path]
                level = given_start[path]
            else:
                level = _setup(stream, k1, base, scale, cutpoints, shifts, onset_cutpoints,
                               start_level, thresholds)  # fmt: skip
            peak = level
            for month in range(num_months):
                if shortcut and level == 0:
                    settled[month, peak] += 1  # months month.. all settled at this peak
                    break
                levels[month, level] += 1
                peaks[month, peak] += 1
                bits = _bits(stream, words[month])
                row = max(level, 1) - 1  # a settled path draws too, and stays settled
                category = (
                    (bits >= thresholds[row, 0])
                    + (bits >= thresholds[row, 1])
                    + (bits >= thresholds[row, 2])
                )
                moved = min(level + category - 2, 4)
                level = 0 if (level == 0 or category == 0) else moved
                peak = max(peak, level)
    levels = level_count.sum(0)
    peaks = peak_count.sum(0)
    running = np.cumsum(settled_from.sum(0), axis=0)[:num_months]
    for month in range(num_months):
        for peak in range(NUM_LEVELS):
            levels[month, 0] += running[month, peak]
            peaks[month, peak] += running[month, peak]
    return levels, peaks


def path_setup(params, covariates):
    """(base location, resolve scale, step cut-points, level shifts, onset cut-points) of
    one variant, float32, from the engine's own deterministic core (no path draws)."""
    import jax.numpy as jnp

    from riskengine.models.escalation import core

    params = core.Params(*(jnp.asarray(value, jnp.float32) for value in params))
    covariates = jnp.asarray(covariates, jnp.float32)
    base = core.location(params, covariates, jnp.float32(0.0))
    scale = core.resolve_scales(params, covariates)
    cutpoints = core.step_cutpoints(params, core.escalate_shift(params, covariates))
    shifts = core.level_shifts(params.level_effect)
    return (
        np.float32(base),
        np.float32(scale),
        np.asarray(cutpoints, np.float32),
        np.asarray(shifts, np.float32),
        np.asarray(params.onset_cutpoints, np.float32),
    )


def simulate_counts(
    key_words,
    params,
    covariates,
    start_level,
    num_paths,
    num_months,
    *,
    shortcut=True,
    thresholds=None,
    start=None,
    setup=None,
):
    """``(level_count, peak_count)`` (month, level) of paths ``0 .. num_paths - 1`` of one
    variant: ``key_words`` (2,) uint32 are the engine's words for that draw and variant.

    ``thresholds`` (4, 3, paths) uint32 and ``start`` (paths,), when given, replace the
    per-path set-up (the engine's ``_path_start``): an exact check of the month loop.
    ``setup``: ``path_setup(params, covariates)``, computed once per draw and variant
    (microseconds of arithmetic, here through JAX eager calls of a few ms).
    """
    setup = path_setup(params, covariates) if setup is None else setup
    use_given = thresholds is not None
    if not use_given:
        thresholds = np.zeros((4, 3, 1), np.uint32)
        start = np.zeros(1, np.int32)
    return _counts(
        np.uint64(key_words[0]),
        np.uint64(key_words[1]),
        num_paths,
        num_months,
        *setup,
        int(start_level),
        np.asarray(thresholds, np.uint32),
        np.asarray(start, np.int64),
        use_given,
        shortcut,
    )
