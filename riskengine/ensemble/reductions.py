"""Exact, order-independent reductions of a task's outputs, as each model declares them.

Every output of a model's ``summarize`` is reduced over the task's paths to int64
arrays, so that summing tasks in any order, on any worker, gives the same bits:

- ``Count``: integer outputs, summed (a float output declared as a count is an error,
  never a silent cast);
- ``FixedPointSum``: per-path floats ``v`` become ``round(v * 2**k)`` and
  ``round(v**2 * 2**j)``, each split into a high and a low 26-bit word summed
  separately, so no partial sum overflows for up to 2**36 paths per task and 2**34 in
  all; ``finalize`` recombines them as exact Python integers before the one conversion
  to float;
- ``Histogram``: per-path values counted in fixed bins.
"""

from __future__ import annotations

import numpy as np

from riskengine.errors import ModelError
from riskengine.models.base import Count, FixedPointSum, Histogram

__all__ = ["finalize", "reduce_outputs"]

_LOW_BITS = 26
_LOW_MASK = (1 << _LOW_BITS) - 1
_MAX_FIXED = float(2**53)  # beyond this a float64 no longer holds every integer
_SUFFIXES = ("sum_high", "sum_low", "square_high", "square_low")


def _count(name: str, values: np.ndarray) -> np.ndarray:
    if not np.issubdtype(values.dtype, np.integer):
        raise ModelError(
            f"model output {name!r} is {values.dtype}, not an integer count; allowed: integer "
            "counts, or declare a FixedPointSum or Histogram reduction for it"
        )
    return values.astype(np.int64)


def _fixed(name: str, values: np.ndarray, scale_bits: int) -> np.ndarray:
    scaled = values.astype(np.float64) * np.float64(2.0**scale_bits)
    if not np.all(np.isfinite(scaled)) or np.any(np.abs(scaled) >= _MAX_FIXED):
        worst = values.flat[np.argmax(np.where(np.isfinite(scaled), np.abs(scaled), np.inf))]
        raise ModelError(
            f"model output {name!r}: value {worst!r} does not fit the fixed-point scale 2**"
            f"{scale_bits} (|value| * 2**{scale_bits} must be finite and below 2**53)"
        )
    return np.rint(scaled).astype(np.int64)


def _split_sum(fixed: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    fixed = np.where(valid, fixed, 0)
    return np.sum(fixed >> _LOW_BITS, axis=-1), np.sum(fixed & _LOW_MASK, axis=-1)


def _fixed_point(name, values, valid, reduction: FixedPointSum) -> dict[str, np.ndarray]:
    sums = _split_sum(_fixed(name, values, reduction.scale_bits), valid)
    squares = _split_sum(
        _fixed(name, np.square(values.astype(np.float64)), reduction.square_scale_bits), valid
    )
    return {
        f"{name}.{suffix}": part for suffix, part in zip(_SUFFIXES, (*sums, *squares), strict=True)
    }


def _histogram(values: np.ndarray, valid: np.ndarray, edges: tuple[float, ...]) -> np.ndarray:
    bins = np.searchsorted(np.asarray(edges, dtype=np.float64), values, side="right")
    one_hot = (bins[..., None] == np.arange(len(edges) + 1)) & valid[:, None]
    return one_hot.sum(axis=-2, dtype=np.int64)


def reduce_outputs(outputs: dict, reductions: dict, valid: np.ndarray) -> dict[str, np.ndarray]:
    """int64 arrays from a task's raw outputs; per-path outputs have paths last."""
    reduced: dict[str, np.ndarray] = {}
    for name, values in outputs.items():
        values = np.asarray(values)
        reduction = reductions.get(name, Count())
        if isinstance(reduction, Count):
            reduced[name] = _count(name, values)
        elif isinstance(reduction, FixedPointSum):
            reduced |= _fixed_point(name, values, valid, reduction)
        elif isinstance(reduction, Histogram):
            reduced[name] = _histogram(values, valid, reduction.edges)
        else:
            raise ModelError(f"model output {name!r}: unknown reduction {reduction!r}")
    return reduced


def _combine(high: np.ndarray, low: np.ndarray, scale_bits: int) -> np.ndarray:
    exact = high.astype(object) * (1 << _LOW_BITS) + low.astype(object)
    return np.vectorize(lambda total: float(total) / 2.0**scale_bits, otypes=[np.float64])(exact)


def finalize(reduced: dict[str, np.ndarray], reductions: dict) -> dict[str, np.ndarray]:
    """Summed int64 totals -> what ``metrics`` reads: counts as they are; a fixed-point
    output ``x`` as ``x.sum`` and ``x.sum_of_squares`` (float64)."""
    totals = {name: value for name, value in reduced.items() if "." not in name}
    for name, reduction in reductions.items():
        # a model may declare an output it only produces in some scenarios
        if isinstance(reduction, FixedPointSum) and f"{name}.sum_high" in reduced:
            parts = [reduced[f"{name}.{suffix}"] for suffix in _SUFFIXES]
            totals[f"{name}.sum"] = _combine(parts[0], parts[1], reduction.scale_bits)
            totals[f"{name}.sum_of_squares"] = _combine(
                parts[2], parts[3], reduction.square_scale_bits
            )
    return totals
