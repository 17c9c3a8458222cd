"""Notes on a fitted posterior's own checks, for any model: its diagnostic floors and the
required rows of its stored posterior predictive check (``ppc.json``); and the rows of
such a check from observed and replicated statistics (:func:`check_rows`).

A model's ``warnings`` calls :func:`posterior_notes` with the provenance of the draws a
run uses and its stored check table; a run prints the notes and records them in the cube.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = [
    "check_rows",
    "floor_notes",
    "format_check_table",
    "posterior_notes",
    "predictive_check_notes",
    "stored_check",
]


def stored_check(path: Path) -> dict | None:
    """The stored posterior predictive check table, or None when there is none."""
    return json.loads(path.read_text()) if path.exists() else None


def floor_notes(provenance: dict) -> list[str]:
    report = json.loads(provenance["diagnostics"])
    if report.get("passed", True):
        return []
    return [
        f"the fitted posterior ({provenance.get('file')}) misses its diagnostic floors: "
        f"max R-hat {report['max_rhat']:.3f} (floor 1.01), min ESS bulk "
        f"{report['min_ess_bulk']:.0f} / tail {report['min_ess_tail']:.0f} (floor 400), "
        f"{report['divergences']} divergences; its intervals are less reliable than stated"
    ]


def predictive_check_notes(table: dict | None) -> list[str]:
    if not table or table.get("passed", True):
        return []
    return [
        f"the fitted posterior's predictive check misses the observed {row['statistic']}: "
        f"{row['observed']:.4f} outside its 90% interval [{row['lower_5']:.4f}, "
        f"{row['upper_95']:.4f}]; the model is biased for such cases"
        for row in table["rows"]
        if row["statistic"] in table.get("required_inside", ()) and not row["inside"]
    ]


def posterior_notes(provenance: dict, table: dict | None) -> list[str]:
    """Floors and required predictive rows, when the draws are a fitted posterior."""
    if provenance.get("source") != "posterior" or not provenance.get("diagnostics"):
        return []
    return floor_notes(provenance) + predictive_check_notes(table)


def format_check_table(table: dict) -> str:
    """Plain-text table of a predictive check: statistic, observed, predictive mean and
    90% interval, inside? (``*`` marks the rows the check requires inside)."""
    required = set(table.get("required_inside", ()))
    width = max(34, *(len(row["statistic"]) + 2 for row in table["rows"]))
    lines = [
        f"{table['source']} predictive check ({table['num_draws']} draws, "
        f"{table['interval']} interval; * = required inside)",
        f" {'statistic':<{width}}{'observed':>9}{'mean':>9}{'5%':>9}{'95%':>9}  inside",
    ]
    for row in table["rows"]:
        mark = "*" if row["statistic"] in required else " "
        lines.append(
            f"{mark}{row['statistic']:<{width}}{row['observed']:>9.4f}{row['mean']:>9.4f}"
            f"{row['lower_5']:>9.4f}{row['upper_95']:>9.4f}  {'yes' if row['inside'] else 'NO'}"
        )
    return "\n".join(lines)


def check_rows(names, observed, replicated, required=(), interval=(0.05, 0.95)) -> list[dict]:
    """Rows of a predictive check table from observed statistics ``(k,)`` and replicated
    ones ``(draws, k)``: the replicated mean and central interval (``interval``
    quantiles), whether the observed value lies inside it, and whether the row is
    ``required`` inside (named in ``required``)."""
    observed = np.asarray(observed, np.float64)
    replicated = np.asarray(replicated, np.float64)
    if replicated.ndim != 2 or not replicated.shape[1] == observed.size == len(names):
        raise ValueError(
            f"check_rows: {len(names)} names need observed (k,) and replicated (draws, k) "
            f"with k = {len(names)}; got {observed.shape} and {replicated.shape}"
        )
    lower, upper = np.quantile(replicated, interval, axis=0)
    return [
        {
            "statistic": name,
            "observed": float(observed[i]),
            "mean": float(replicated[:, i].mean()),
            "lower_5": float(lower[i]),
            "upper_95": float(upper[i]),
            "inside": bool(lower[i] <= observed[i] <= upper[i]),
            "required": name in required,
        }
        for i, name in enumerate(names)
    ]
