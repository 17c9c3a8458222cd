"""Key judgments of a cube: per variant, probabilities with intervals, errors and terms.

Which judgments a brief states is declared by the models the run used and recorded in
the cube's ``judgments`` attribute (JSON: variable, label, selection, kind, units), so a
cube opened from disk briefs the same way. Probabilities get the estimative terms;
quantities are stated with their units and no terms.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import xarray as xr

from riskengine.briefing.yardsticks import icd203_term, phia_term
from riskengine.diagnostics import ProbabilitySummary, summarize_probability

__all__ = ["Judgment", "declared_judgments", "key_judgments"]


@dataclass(frozen=True)
class Judgment:
    """One estimative statement: the event, its summary, its terms and vs-baseline change."""

    variant: str
    event: str
    summary: ProbabilitySummary
    icd203: str
    phia: str
    difference: ProbabilitySummary | None
    kind: str = "probability"
    units: str = "probability"


def declared_judgments(cube: xr.DataTree) -> list[dict]:
    """The judgments the cube's models declared (its ``judgments`` attribute)."""
    return json.loads(cube.attrs.get("judgments", "[]"))


def _selected(predictions: xr.Dataset, declared: dict) -> xr.DataArray:
    values = predictions[declared["variable"]]
    selection = dict(declared.get("select", {}))
    if "month" in selection and selection["month"] < 0:
        selection["month"] = int(predictions["month"].values[selection["month"]])
    return values.sel(selection) if selection else values


def _judgment(values, variant, baseline, declared, credible_mass) -> Judgment:
    series = values.sel(variant=variant)
    summary = summarize_probability(series, credible_mass)
    difference = None
    if variant != baseline:
        difference = summarize_probability(series - values.sel(variant=baseline), credible_mass)
    probability = declared.get("kind", "probability") == "probability"
    # no term where every draw is undefined (e.g. P(x | authorised) in a variant where no
    # path is ever authorised)
    termed = probability and math.isfinite(summary.mean)
    return Judgment(
        str(variant),
        declared["label"],
        summary,
        icd203_term(summary.mean) if termed else "",
        phia_term(summary.mean) if termed else "",
        difference,
        declared.get("kind", "probability"),
        declared.get("units", "probability"),
    )


def key_judgments(cube: xr.DataTree, credible_mass: float = 0.9) -> list[Judgment]:
    """Judgments for every variant and declared event; differences against the first
    variant. Draws whose value is undefined (NaN, e.g. a conditional probability whose
    condition no path met) are left out of that judgment's summary."""
    predictions = cube["predictions"].to_dataset()
    baseline = str(predictions["variant"].values[0])
    judgments = []
    for declared in declared_judgments(cube):
        values = _selected(predictions, declared)
        for variant in predictions["variant"].values:
            judgments.append(_judgment(values, variant, baseline, declared, credible_mass))
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
