"""The brief's context: one dictionary of already formatted text, from which both the
HTML and the Markdown templates render, so the two carry the same numbers.

Numbers are formatted here and only here; templates never format a number. User text
(titles, descriptions, variant and actor names, warnings) is passed raw; each template
escapes it for its own format.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict

import xarray as xr

from riskengine.briefing.drivers import MIN_DRAWS, Drivers, judgment_drivers
from riskengine.briefing.judgments import (
    Judgment,
    declared_judgments,
    key_judgments,
    run_facts,
    selected_values,
)
from riskengine.briefing.provenance import provenance_facts
from riskengine.briefing.yardsticks import YARDSTICKS

__all__ = ["NOT_ASSESSABLE", "UNDEFINED", "brief_context"]

UNDEFINED = "undefined"  # every draw NaN, e.g. a conditional whose condition never held
NOT_ASSESSABLE = "not assessable"


def percent(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%" if math.isfinite(value) else UNDEFINED


def signed_points(value: float) -> str:
    return f"{100 * value:+.1f} pp" if math.isfinite(value) else UNDEFINED


def number(value: float, signed: bool = False) -> str:
    if not math.isfinite(value):
        return UNDEFINED
    return f"{value:+,.3g}" if signed else f"{value:,.3g}"


def _formatters(kind: str):
    if kind == "probability":
        return percent, signed_points, lambda v: percent(v, 2)
    return number, lambda v: number(v, True), number


def _row(judgment: Judgment, yardstick: str, allow_failing: bool) -> dict:
    value, change, error = _formatters(judgment.kind)
    summary, difference = judgment.summary, judgment.difference
    shown = judgment.assessable or allow_failing
    row = {
        "variant": judgment.variant,
        "assessable": judgment.assessable,
        "shown": shown,
        "reason": judgment.gate.reason if judgment.gate else "",
        "mean": value(summary.mean),
        "lower": value(summary.lower),
        "upper": value(summary.upper),
        "mcse": error(summary.mcse),
        "term": judgment.term(yardstick) if judgment.kind == "probability" else "",
        "confidence": judgment.confidence.level if judgment.confidence else "",
        "confidence_sentence": _confidence_sentence(judgment),
        "difference": None,
    }
    if difference is not None:
        row["difference"] = {
            "mean": change(difference.mean),
            "lower": change(difference.lower),
            "upper": change(difference.upper),
            "probability_lower": percent(judgment.probability_lower, 0),
            "basis": _basis(judgment),
        }
    return row


def _basis(judgment: Judgment) -> str:
    """What a variant's change rests on: the prior alone, partly the prior, or fitted data."""
    lever = judgment.lever
    if lever is None or not lever.parameters:
        return "not traced to a parameter"
    if lever.rests_on_prior:
        return "the prior alone"
    if lever.partly_on_prior:
        return "fitted data and the prior"
    return "fitted data"


def _confidence_sentence(judgment: Judgment) -> str:
    if judgment.confidence is None:
        return ""
    subject = f"the {judgment.variant} estimate"
    return judgment.confidence.sentence(subject)


def _sections(judgments: list[Judgment], yardstick: str, allow_failing: bool) -> list[dict]:
    by_event = defaultdict(list)
    for judgment in judgments:
        by_event[judgment.event].append(judgment)
    sections = []
    for event, rows in by_event.items():
        first = rows[0]
        sections.append(
            {
                "event": event,
                "kind": first.kind,
                "units": first.units,
                "conditional": first.conditional,
                "rows": [_row(j, yardstick, allow_failing) for j in rows],
            }
        )
    return sections


def _levers(judgments: list[Judgment]) -> list[dict]:
    seen, levers = set(), []
    for judgment in judgments:
        lever = judgment.lever
        if lever is None or lever.variant in seen:
            continue
        seen.add(lever.variant)
        levers.append(
            {
                "variant": lever.variant,
                "changes": list(lever.changes),
                "rests_on_prior": lever.rests_on_prior,
                "parameters": [
                    {"name": p.name, "ratio": f"{p.ratio:.2f}"} for p in lever.parameters
                ],
            }
        )
    return levers


NUM_DRIVERS_SHOWN = 8


def _index(value: float) -> str:
    return f"{value:.2f}" if math.isfinite(value) else "not identified"


def _driver_rows(drivers: Drivers) -> dict:
    rows = [
        {
            "name": d.name,
            "first_order": _index(d.first_order),
            "lower": _index(d.lower),
            "upper": _index(d.upper),
            "total": _index(d.total)
            + (
                f" ({_index(d.total_lower)} to {_index(d.total_upper)})"
                if math.isfinite(d.total)
                else ""
            ),
            "distinguishes": f"{d.distinguishes:+.2f} sd" if math.isfinite(d.distinguishes) else "",
        }
        for d in drivers.drivers[:NUM_DRIVERS_SHOWN]
    ]
    noise = f"{100 * drivers.noise_share:.0f}%" if math.isfinite(drivers.noise_share) else ""
    return {
        "event": drivers.event,
        "rows": rows,
        "noise": noise,
        "indicators": list(drivers.indicators),
    }


def _drivers_note(cube: xr.DataTree) -> str:
    predictions = cube["predictions"]
    num_draws = predictions.sizes["chain"] * predictions.sizes["draw"]
    if num_draws >= MIN_DRAWS:
        return ""
    return (
        f"Not stated: a variance decomposition needs at least {MIN_DRAWS} parameter draws; "
        f"this cube has {num_draws}."
    )


def all_drivers(cube: xr.DataTree) -> list[Drivers]:
    """Drivers of every declared judgment whose draws are all defined."""
    predictions = cube["predictions"].to_dataset()
    found = []
    for declared in declared_judgments(cube):
        values = selected_values(predictions, declared)
        drivers = judgment_drivers(
            cube, values, declared["label"], seed=int(cube.attrs.get("seed", 0))
        )
        if drivers is not None:
            found.append(drivers)
    return found


def _parameters_note(cube: xr.DataTree) -> dict:
    models = str(cube.attrs.get("model", "")).split("+")
    notes = json.loads(cube.attrs.get("data_notes", "{}"))
    return {
        "source": str(cube.attrs.get("parameter_source", "unknown")),
        "models": " and ".join(models),
        "plural": len(models) > 1,
        "data_note": "; ".join(notes.values()) or "see the cube's parameter provenance",
    }


def brief_context(
    cube: xr.DataTree,
    *,
    credible_mass: float = 0.9,
    yardstick: str = "icd203",
    allow_failing_diagnostics: bool = False,
    drivers: bool = True,
) -> dict:
    """Everything a brief states, formatted once (module docstring). ``drivers=False``
    leaves out the variance decomposition (faster)."""
    judgments = key_judgments(cube, credible_mass, yardstick)
    failing = [j for j in judgments if not j.assessable]
    stamp = ""
    if allow_failing_diagnostics and failing:
        stamp = (
            f"Diagnostics floors overridden (--allow-failing-diagnostics): {len(failing)} "
            "of the judgments below fail them and are shown anyway."
        )
    context = {
        "title": str(cube.attrs.get("scenario_title", "riskengine brief")),
        "description": str(cube.attrs.get("scenario_description", "")),
        "name": str(cube.attrs.get("scenario_name", "")),
        "stamp": stamp,
        "parameters": _parameters_note(cube),
        "facts": run_facts(cube),
        "paths_per_draw": f"{int(cube.attrs.get('paths_per_draw', 0)):,}",
        "mass_percent": round(100 * credible_mass),
        "yardstick": YARDSTICKS[yardstick].title,
        "baseline": str(cube["predictions"]["variant"].values[0]),
        "sections": _sections(judgments, yardstick, allow_failing_diagnostics),
        "levers": _levers(judgments),
        "caveats": json.loads(cube.attrs.get("warnings", "[]")),
        "provenance": provenance_facts(cube),
        "judgments": judgments,
        "drivers": all_drivers(cube) if drivers else [],
    }
    context["driver_tables"] = [_driver_rows(d) for d in context["drivers"]]
    context["drivers_note"] = _drivers_note(cube) if drivers else ""
    return context
