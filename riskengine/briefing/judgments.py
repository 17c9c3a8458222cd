"""Key judgments of a cube: per variant, probabilities with intervals, errors, terms,
diagnostics and confidence.

Which judgments a brief states is declared by the models the run used and recorded in
the cube's ``judgments`` attribute (JSON: variable, label, selection, kind, units), so a
cube opened from disk briefs the same way. Probabilities get the estimative terms of the
range their credible interval spans; quantities are stated with their units and no
terms. A variable named ``p_..._given_...`` is a conditional judgment (NaN in draws where
no path met the condition; those draws are left out).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import xarray as xr

from riskengine.briefing.confidence import Confidence, assess_confidence, warnings_for_variant
from riskengine.briefing.extrapolation import Outside, variant_extrapolation
from riskengine.briefing.levers import Lever, variant_levers
from riskengine.briefing.yardsticks import ICD203, PHIA, YARDSTICKS, term_range
from riskengine.diagnostics import (
    GateResult,
    ProbabilitySummary,
    gate_judgment,
    summarize_probability,
)

__all__ = [
    "Judgment",
    "declared_judgments",
    "judgment_problems",
    "key_judgments",
    "run_facts",
    "selected_values",
]


@dataclass(frozen=True)
class Judgment:
    """One estimative statement: the event, its summary, its terms and vs-baseline change,
    the diagnostics gate, the confidence and the lever behind the variant."""

    variant: str
    event: str
    summary: ProbabilitySummary
    icd203: str
    phia: str
    difference: ProbabilitySummary | None
    kind: str = "probability"
    units: str = "probability"
    variable: str = ""
    gate: GateResult | None = None
    confidence: Confidence | None = None
    lever: Lever | None = None
    probability_lower: float = math.nan  # P(variant below baseline), over draws

    @property
    def conditional(self) -> bool:
        return "_given_" in self.variable

    @property
    def assessable(self) -> bool:
        return self.gate is None or self.gate.passed

    def term(self, yardstick: str) -> str:
        return {"icd203": self.icd203, "phia": self.phia}[yardstick]


def declared_judgments(cube: xr.DataTree) -> list[dict]:
    """The judgments the cube's models declared (its ``judgments`` attribute)."""
    return json.loads(cube.attrs.get("judgments", "[]"))


def selected_values(predictions: xr.Dataset, declared: dict) -> xr.DataArray:
    """A declared judgment's values, (chain, draw, variant)."""
    values = predictions[declared["variable"]]
    selection = dict(declared.get("select", {}))
    if "month" in selection and selection["month"] < 0:
        selection["month"] = int(predictions["month"].values[selection["month"]])
    return values.sel(selection) if selection else values


def _selection_problem(values: xr.DataArray, dim: str, value) -> str | None:
    if dim not in values.dims:
        return f"select.{dim}: {values.name} has no dimension {dim!r}; allowed: " + ", ".join(
            d for d in values.dims if d not in ("chain", "draw", "variant")
        )
    coords = [c.item() for c in values[dim].values]
    if value in coords or (dim == "month" and isinstance(value, int) and -len(coords) <= value < 0):
        return None
    shown = f"{coords[0]}..{coords[-1]}" if dim == "month" else ", ".join(map(str, coords))
    return f"select.{dim}: got {value!r}; allowed: {shown}"


def judgment_problems(predictions: xr.Dataset, declared: list[dict]) -> list[str]:
    """What is wrong with judgments a scenario adds: an unknown variable, a selection
    outside its coordinates, or more than one value per draw and variant left."""
    problems = []
    for index, judgment in enumerate(declared):
        where = f"judgments[{index}]"
        name = judgment["variable"]
        if name not in predictions:
            allowed = ", ".join(sorted(str(v) for v in predictions.data_vars))
            problems.append(f"{where}.variable: got {name!r}; allowed: {allowed}")
            continue
        values = predictions[name]
        found = [_selection_problem(values, d, v) for d, v in judgment.get("select", {}).items()]
        problems += [f"{where}.{problem}" for problem in found if problem]
        left = set(values.dims) - {"chain", "draw", "variant", *judgment.get("select", {})}
        if not any(found) and left:
            problems.append(f"{where}.select: pick one value of {', '.join(sorted(left))}")
    return problems


def _terms(summary: ProbabilitySummary, termed: bool) -> tuple[str, str]:
    if not (termed and math.isfinite(summary.lower)):
        return "", ""
    lower, upper = min(max(summary.lower, 0.0), 1.0), min(max(summary.upper, 0.0), 1.0)
    return term_range(ICD203, lower, upper), term_range(PHIA, lower, upper)


def _probability_lower(series: xr.DataArray, baseline: xr.DataArray) -> float:
    difference = (series - baseline).values
    finite = difference[np.isfinite(difference)]
    return float(np.mean(finite < 0)) if finite.size else math.nan


@dataclass(frozen=True)
class _Context:
    baseline: str
    credible_mass: float
    yardstick: str
    warnings: list[str]
    warning_kinds: list[str] | None
    parameter_source: str
    levers: dict[str, Lever]
    failed_fits: tuple[str, ...]
    outside: dict[str, list[Outside]]


def _judgment(values, variant, declared, context: _Context) -> Judgment:
    series = values.sel(variant=variant)
    summary = summarize_probability(series, context.credible_mass)
    difference, lower_share = None, math.nan
    if variant != context.baseline:
        reference = values.sel(variant=context.baseline)
        difference = summarize_probability(series - reference, context.credible_mass)
        lower_share = _probability_lower(series, reference)
    kind = declared.get("kind", "probability")
    probability = kind == "probability"
    gate = gate_judgment(series)
    lever = context.levers.get(str(variant))
    confidence = assess_confidence(
        summary,
        gate,
        yardstick=YARDSTICKS[context.yardstick] if probability else None,
        warnings=warnings_for_variant(context.warnings, str(variant), context.warning_kinds),
        parameter_source=context.parameter_source,
        lever=lever,
        failed_fits=context.failed_fits,
        outside=tuple(context.outside.get(str(variant), ())),
    )
    icd203, phia = _terms(summary, probability)
    return Judgment(
        str(variant),
        declared["label"],
        summary,
        icd203,
        phia,
        difference,
        kind,
        declared.get("units", "probability"),
        declared["variable"],
        gate,
        confidence,
        lever,
        lower_share,
    )


def failed_fits(cube: xr.DataTree) -> tuple[str, ...]:
    """Models whose fitted posterior in use missed its diagnostic floors."""
    provenance = json.loads(cube.attrs.get("parameter_provenance", "{}") or "{}")
    failed = []
    for model, facts in sorted(provenance.items()):
        diagnostics = facts.get("diagnostics") if isinstance(facts, dict) else None
        if isinstance(diagnostics, str):
            diagnostics = json.loads(diagnostics)
        if isinstance(diagnostics, dict) and diagnostics.get("passed") is False:
            failed.append(model)
    return tuple(failed)


def key_judgments(
    cube: xr.DataTree, credible_mass: float = 0.9, yardstick: str = "icd203"
) -> list[Judgment]:
    """Judgments for every variant and declared event; differences against the first
    variant. Draws whose value is undefined (NaN, e.g. a conditional probability whose
    condition no path met) are left out of that judgment's summary."""
    predictions = cube["predictions"].to_dataset()
    context = _Context(
        baseline=str(predictions["variant"].values[0]),
        credible_mass=credible_mass,
        yardstick=yardstick,
        warnings=json.loads(cube.attrs.get("warnings", "[]")),
        warning_kinds=json.loads(cube.attrs["warning_kinds"])
        if "warning_kinds" in cube.attrs
        else None,
        parameter_source=str(cube.attrs.get("parameter_source", "unknown")),
        levers=variant_levers(cube),
        failed_fits=failed_fits(cube),
        outside=variant_extrapolation(cube),
    )
    judgments = []
    for declared in declared_judgments(cube):
        values = selected_values(predictions, declared)
        for variant in predictions["variant"].values:
            judgments.append(_judgment(values, variant, declared, context))
    return judgments


def run_facts(cube: xr.DataTree) -> dict:
    """Facts about the run that the brief states (source of parameters, sizes, provenance)."""
    predictions = cube["predictions"]
    execution = json.loads(cube.attrs.get("execution", "{}"))
    return {
        "parameter_source": cube.attrs.get("parameter_source", "unknown"),
        "num_chains": predictions.sizes["chain"],
        "num_draws": predictions.sizes["draw"],
        "paths_per_draw": int(cube.attrs.get("paths_per_draw", 0)),
        "seed": cube.attrs.get("seed"),
        "config_sha256": cube.attrs.get("config_sha256", ""),
        "git_revision": cube.attrs.get("git_revision", "unknown"),
        "execution": execution,
    }
