"""Tail figures from binned counts: exceedance, value at risk, expected shortfall, and
their Monte Carlo standard errors.

The simulator counts each path's annual shortfall in fixed bins (``ANNUAL_EDGES``), so
nothing grows with the number of paths. From the counts ``n_b`` of bins ``[e_{b-1},
e_b)`` (bin 0 below the first edge, the last bin at or above the last edge):

- exceedance ``P(X >= e_b)`` is exact at the edges;
- ``VaR_a``, the ``a``-quantile, is interpolated linearly within its bin (exact to the
  bin's width: 0.5 to 2.5 points of shortfall);
- ``ES_a = E[X | X >= VaR_a]`` uses each bin's midpoint (the open top bin its lower
  edge), so it carries the same binning error;
- the standard error of ``VaR_a`` comes from the order statistics: the ranks ``n a -/+
  sqrt(n a (1 - a))`` map to two quantiles whose half-distance is one standard error
  (distribution-free); that of ``ES_a`` is ``sqrt(Var[X | tail] / n_tail)``, the variance taking values spread
  uniformly within each bin (so a tail inside one bin still has an error).

Every function works on the last axis (bins) and broadcasts over the others.
"""

from __future__ import annotations

import numpy as np

__all__ = ["exceedance", "expected_shortfall", "quantile", "tail_figures"]


def exceedance(counts: np.ndarray) -> np.ndarray:
    """P(X >= edge_b) for each edge (last axis: len(edges)); NaN without paths."""
    counts = np.asarray(counts, np.float64)
    total = counts.sum(-1, keepdims=True)
    above = np.flip(np.cumsum(np.flip(counts, -1), -1), -1)[..., 1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, above / np.maximum(total, 1), np.nan)


def _lower_edges(edges) -> np.ndarray:
    return np.concatenate([[0.0], np.asarray(edges, np.float64)])


def _upper_edges(edges) -> np.ndarray:
    edges = np.asarray(edges, np.float64)
    return np.concatenate([edges, [edges[-1]]])


def quantile(counts: np.ndarray, edges, level) -> np.ndarray:
    """The ``level``-quantile (scalar or array broadcasting against the leading axes)."""
    counts = np.asarray(counts, np.float64)
    total = counts.sum(-1)
    rank = np.asarray(level, np.float64) * total
    cumulative = np.cumsum(counts, -1)
    index = np.clip((cumulative < rank[..., None]).sum(-1), 0, counts.shape[-1] - 1)
    below = np.take_along_axis(cumulative - counts, index[..., None], -1)[..., 0]
    inside = np.take_along_axis(counts, index[..., None], -1)[..., 0]
    lower, upper = _lower_edges(edges)[index], _upper_edges(edges)[index]
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(inside > 0, (rank - below) / np.maximum(inside, 1), 0.0)
    value = lower + np.clip(fraction, 0.0, 1.0) * (upper - lower)
    return np.where(total > 0, value, np.nan)


def expected_shortfall(counts: np.ndarray, edges, level) -> tuple[np.ndarray, np.ndarray]:
    """(ES, its standard error): the mean of the values at or above the ``level``-quantile."""
    counts = np.asarray(counts, np.float64)
    var = quantile(counts, edges, level)
    middle = (_lower_edges(edges) + _upper_edges(edges)) / 2.0
    middle[-1] = np.asarray(edges, np.float64)[-1]
    upper = _upper_edges(edges)
    in_tail = upper[None, :] > np.expand_dims(var, -1) if var.ndim else upper > var
    tail = np.where(in_tail, counts, 0.0)
    points = np.maximum(middle, np.expand_dims(var, -1))
    # values spread uniformly within a bin: its width**2 / 12 adds to the tail's variance
    width = upper - _lower_edges(edges)
    number = tail.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (tail * points).sum(-1) / number
        variance = (tail * (points**2 + width**2 / 12.0)).sum(-1) / number - mean**2
        error = np.sqrt(np.maximum(variance, 0.0) / number)
    return np.where(number > 0, mean, np.nan), np.where(number > 0, error, np.nan)


def quantile_error(counts: np.ndarray, edges, level) -> np.ndarray:
    """Standard error of the ``level``-quantile from the order statistics."""
    counts = np.asarray(counts, np.float64)
    total = counts.sum(-1)
    spread = np.sqrt(np.maximum(total * level * (1 - level), 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.clip(level - spread / np.maximum(total, 1), 0.0, 1.0)
        high = np.clip(level + spread / np.maximum(total, 1), 0.0, 1.0)
    return (quantile(counts, edges, high) - quantile(counts, edges, low)) / 2.0


def tail_figures(counts: np.ndarray, edges, levels=(0.95, 0.99)) -> dict[str, np.ndarray]:
    """VaR and ES with their standard errors, a last axis over ``levels``."""
    figures = {"var": [], "var_mcse": [], "es": [], "es_mcse": []}
    for level in levels:
        figures["var"].append(quantile(counts, edges, level))
        figures["var_mcse"].append(quantile_error(counts, edges, level))
        es, es_error = expected_shortfall(counts, edges, level)
        figures["es"].append(es)
        figures["es_mcse"].append(es_error)
    return {name: np.stack(values, -1) for name, values in figures.items()}
