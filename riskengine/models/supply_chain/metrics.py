"""The supply model's cube variables from the summed totals (per draw and variant)."""

from __future__ import annotations

import numpy as np

from riskengine.models.base import Variable
from riskengine.models.supply_chain.component import (
    ANNUAL_EDGES,
    PRICE_SCALE,
    SPLIT_BITS,
    SUM_SCALE,
)
from riskengine.models.supply_chain.tails import exceedance, tail_figures
from riskengine.primitives.counts import ratio

__all__ = ["TAIL_LEVELS", "supply_metrics"]

TAIL_LEVELS = (0.95, 0.99)
_LEAD = ("chain", "draw", "variant")
_LINE = ("importer", "commodity")


def _joined(totals, name) -> np.ndarray:
    return totals[f"{name}_high"].astype(np.float64) * (1 << SPLIT_BITS) + totals[f"{name}_low"]


def _mean_and_error(totals, name, paths):
    total, squares = totals[f"{name}.sum"], totals[f"{name}.sum_of_squares"]
    count = paths.reshape(paths.shape + (1,) * (total.ndim - paths.ndim))
    mean = ratio(total, count)
    variance = np.maximum(ratio(squares, count) - mean**2, 0.0)
    return mean, np.sqrt(ratio(variance, count))


def supply_metrics(totals: dict) -> dict[str, Variable]:
    paths = totals["path_count"].astype(np.float64)
    per_month = paths[..., None, None, None]
    shortfall_sum = _joined(totals, "shortfall_sum")
    price_sum = _joined(totals, "price_sum")
    variables = {
        "path_count": Variable(
            _LEAD, totals["path_count"], "simulated paths per draw and variant", "paths"
        ),
        "shortfall_mean": Variable(
            (*_LEAD, "month", *_LINE),
            shortfall_sum / SUM_SCALE / per_month,
            "mean shortfall of the importer's normal monthly supply of the commodity (to 1/1024)",
            "fraction of supply",
        ),
        "price_mean": Variable(
            (*_LEAD, "month", "commodity"),
            price_sum / PRICE_SCALE / paths[..., None, None],
            "mean price of the commodity relative to normal (to 1/64; assumed elasticity, capped at 10x)",
            "multiple of the normal price",
        ),
        "p_shortfall_above": Variable(
            (*_LEAD, "month", *_LINE, "shortfall_threshold"),
            totals["above_count"] / per_month[..., None],
            "probability that the month's shortfall reaches the threshold",
            "probability",
        ),
    }
    variables |= _annual(totals)
    variables |= _path_means(totals, paths)
    variables |= _final_counts(totals, paths)
    return variables


def _annual(totals) -> dict[str, Variable]:
    counts = np.stack([totals["annual_worst_count"], totals["annual_mean_count"]], axis=-2)
    dims = (*_LEAD, *_LINE, "annual_measure")
    figures = tail_figures(counts, ANNUAL_EDGES, TAIL_LEVELS)
    described = {
        "var": "value at risk: the level's quantile of the first year's shortfall",
        "var_mcse": "Monte Carlo standard error of the value at risk (order statistics)",
        "es": "expected shortfall: mean first-year shortfall at or beyond the value at risk",
        "es_mcse": "Monte Carlo standard error of the expected shortfall",
    }
    variables = {
        "annual_shortfall_count": Variable(
            (*dims, "shortfall_bin"),
            counts,
            "paths by the first year's shortfall (worst month: occurrence; mean month: "
            "aggregate), binned at annual_edge",
            "paths",
        ),
        "annual_shortfall_exceedance": Variable(
            (*dims, "annual_edge"),
            exceedance(counts),
            "exceedance probability of the first year's shortfall (occurrence and aggregate)",
            "probability",
        ),
    }
    for name, description in described.items():
        variables[f"annual_shortfall_{name}"] = Variable(
            (*dims, "tail_level"), figures[name], description, "fraction of supply"
        )
    return variables


def _path_means(totals, paths) -> dict[str, Variable]:
    cumulative, cumulative_error = _mean_and_error(
        totals, "cumulative_shortfall", paths[..., None, None]
    )
    price, price_error = _mean_and_error(totals, "price_peak", paths[..., None])
    return {
        "cumulative_shortfall_mean": Variable(
            (*_LEAD, *_LINE),
            cumulative,
            "expected shortfall summed over the horizon",
            "months of demand",
        ),
        "cumulative_shortfall_mcse": Variable(
            (*_LEAD, *_LINE), cumulative_error, "its Monte Carlo standard error", "months of demand"
        ),
        "price_peak_mean": Variable(
            (*_LEAD, "commodity"),
            price,
            "expected peak price, relative to normal (capped at 10x; assumed elasticity)",
            "multiple of the normal price",
        ),
        "price_peak_mcse": Variable(
            (*_LEAD, "commodity"),
            price_error,
            "its Monte Carlo standard error",
            "multiple of the normal price",
        ),
    }


def _final_counts(totals, paths) -> dict[str, Variable]:
    bands = totals["band_count"]
    plain = ratio(totals["rare_plain_count"], paths)
    variables = {
        "headline_band_count": Variable(
            (*_LEAD, "supply_band"),
            bands,
            "paths by the headline importer's worst monthly shortfall of the headline "
            "commodity within the window",
            "paths",
        ),
        "p_headline_shortfall_above_20pct": Variable(
            _LEAD,
            ratio(bands[..., 2:].sum(-1), paths),
            "probability that the headline importer's supply of the headline commodity falls "
            "short by 20% or more in some month of the window",
            "probability",
        ),
        "recovery_count": Variable(
            (*_LEAD, *_LINE, "recovery_bin"),
            totals["recovery_count"],
            "paths by months from the first month short (over 1%) to the last",
            "paths",
        ),
        "p_rare_event_plain": Variable(
            _LEAD,
            plain,
            "plain Monte Carlo estimate of P(headline shortfall >= the rare-event threshold "
            "within the window)",
            "probability",
        ),
        "p_rare_event_plain_mcse": Variable(
            _LEAD,
            np.sqrt(ratio(plain * (1 - plain), paths)),
            "its Monte Carlo standard error (binomial)",
            "probability",
        ),
    }
    if "rare_weighted.sum" in totals:
        estimate, error = _mean_and_error(totals, "rare_weighted", paths)
        variables |= {
            "p_rare_event": Variable(
                _LEAD,
                estimate,
                "importance-sampling estimate of the same probability",
                "probability",
            ),
            "p_rare_event_mcse": Variable(
                _LEAD, error, "its Monte Carlo standard error", "probability"
            ),
            "rare_event_tilted_hits": Variable(
                _LEAD,
                totals["rare_tilted_hits_count"],
                "paths of the tilted copy that met the event",
                "paths",
            ),
        }
    return variables
