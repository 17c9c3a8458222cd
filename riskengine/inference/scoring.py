"""Scores of probability forecasts of a binary event, for any model's backtest.

Plain numpy on arrays of forecasts ``p`` (probabilities) and outcomes ``y`` (0/1):

- :func:`brier_score`: mean of ``(p - y) ** 2``;
- :func:`log_score`: mean log predictive density ``mean(y log p + (1 - y) log(1 - p))``
  (higher is better; probabilities are clipped to ``[eps, 1 - eps]`` so that a 0 or 1
  forecast gives a large finite penalty, not infinity);
- :func:`roc_auc`: the area under the ROC curve as the Mann-Whitney statistic, the
  probability that a random event row has a higher forecast than a random non-event row,
  ties counting one half (average ranks; equal to scikit-learn's ``roc_auc_score``);
- :func:`reliability_table`: fixed bins of the forecast (given edges) with the mean
  forecast, the observed share and the count per bin;
- :func:`binary_scores`: all of these against a constant base-rate forecast, with the
  skill scores ``1 - score / score(base rate)`` (Brier) and the log-score difference;
- :func:`beats_base_rate`: a backtest's pass rule on those scores;
- :func:`format_scores`: the scores and the reliability table in markdown.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = [
    "brier_score",
    "log_score",
    "roc_auc",
    "reliability_table",
    "binary_scores",
    "beats_base_rate",
    "format_scores",
]

EPSILON = 1e-12


def _as_arrays(forecast, observed) -> tuple[np.ndarray, np.ndarray]:
    forecast = np.asarray(forecast, np.float64)
    observed = np.asarray(observed, np.float64)
    if forecast.shape != observed.shape or forecast.ndim != 1:
        raise ValueError(
            f"forecast and observed must be 1-d arrays of one length, got shapes "
            f"{forecast.shape} and {observed.shape}"
        )
    return forecast, observed


def brier_score(forecast, observed) -> float:
    """Mean squared difference between forecast probability and 0/1 outcome."""
    forecast, observed = _as_arrays(forecast, observed)
    return float(np.mean((forecast - observed) ** 2))


def log_score(forecast, observed, *, epsilon: float = EPSILON) -> float:
    """Mean log probability of the observed outcomes (natural log; higher is better)."""
    forecast, observed = _as_arrays(forecast, observed)
    p = np.clip(forecast, epsilon, 1.0 - epsilon)
    return float(np.mean(observed * np.log(p) + (1.0 - observed) * np.log1p(-p)))


def roc_auc(forecast, observed) -> float:
    """Area under the ROC curve (Mann-Whitney U / (events x non-events)), ties 1/2."""
    forecast, observed = _as_arrays(forecast, observed)
    events = observed > 0.5
    num_events, num_others = int(events.sum()), int((~events).sum())
    if num_events == 0 or num_others == 0:
        raise ValueError(
            f"roc_auc needs both outcomes, got {num_events} events and {num_others} non-events"
        )
    ranks = stats.rankdata(forecast)  # average ranks for ties
    rank_sum = float(ranks[events].sum())
    return (rank_sum - num_events * (num_events + 1) / 2.0) / (num_events * num_others)


def reliability_table(forecast, observed, edges) -> list[dict]:
    """Per bin ``[edges[i], edges[i+1])`` (the last bin closed): the bin, its mean forecast,
    observed share, count and events; empty bins are left out."""
    forecast, observed = _as_arrays(forecast, observed)
    edges = np.asarray(edges, np.float64)
    group = np.clip(np.searchsorted(edges, forecast, side="right") - 1, 0, edges.size - 2)
    rows = []
    for g in range(edges.size - 1):
        mask = group == g
        if mask.any():
            rows.append(
                {
                    "lower": float(edges[g]),
                    "upper": float(edges[g + 1]),
                    "mean_forecast": float(forecast[mask].mean()),
                    "observed_share": float(observed[mask].mean()),
                    "count": int(mask.sum()),
                    "events": int(observed[mask].sum()),
                }
            )
    return rows


def binary_scores(forecast, observed, base_rate: float, edges) -> dict:
    """Brier and log scores of ``forecast`` and of the constant ``base_rate``, their skill,
    the ROC AUC and the reliability table over the bins ``edges``."""
    forecast, observed = _as_arrays(forecast, observed)
    base = np.full_like(forecast, base_rate)
    brier, brier_base = brier_score(forecast, observed), brier_score(base, observed)
    logs, logs_base = log_score(forecast, observed), log_score(base, observed)
    return {
        "num_rows": int(observed.size),
        "num_events": int(observed.sum()),
        "base_rate": float(base_rate),
        "observed_share": float(observed.mean()),
        "mean_forecast": float(forecast.mean()),
        "brier": brier,
        "brier_base_rate": brier_base,
        "brier_skill": 1.0 - brier / brier_base,
        "log_score": logs,
        "log_score_base_rate": logs_base,
        "log_score_gain": logs - logs_base,
        "roc_auc": roc_auc(forecast, observed),
        "reliability": reliability_table(forecast, observed, edges),
    }


def beats_base_rate(scores: dict) -> bool:
    """The forecasts beat the base rate in Brier score and in log score, and AUC > 0.5."""
    return bool(
        scores["brier"] <= scores["brier_base_rate"]
        and scores["log_score"] >= scores["log_score_base_rate"]
        and scores["roc_auc"] > 0.5
    )


def format_scores(scores: dict, rows: str = "rows", events: str = "events") -> list[str]:
    """Markdown lines of :func:`binary_scores`: the scores, then the reliability table
    (``rows`` and ``events`` name its count columns, e.g. "dyad-years" and "onsets")."""
    s = scores
    lines = [
        "| observed rate | mean forecast | base rate | Brier | Brier (base) | Brier skill "
        "| log score | log score (base) | gain per row | ROC AUC |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {s['observed_share']:.5f} | {s['mean_forecast']:.5f} | {s['base_rate']:.5f} | "
        f"{s['brier']:.6f} | {s['brier_base_rate']:.6f} | {s['brier_skill']:.4f} | "
        f"{s['log_score']:.5f} | {s['log_score_base_rate']:.5f} | {s['log_score_gain']:.5f} | "
        f"{s['roc_auc']:.3f} |",
        "",
        "Reliability (fixed bins of the forecast):",
        "",
        f"| forecast bin | mean forecast | observed share | {rows} | {events} |",
        "|---|---|---|---|---|",
    ]
    return lines + [
        f"| [{r['lower']:g}, {r['upper']:g}) | {r['mean_forecast']:.5f} | "
        f"{r['observed_share']:.5f} | {r['count']:,} | {r['events']:,} |"
        for r in s["reliability"]
    ]
