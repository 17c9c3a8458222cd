"""Key judgments of a cube: per variant, probabilities with intervals, errors and terms."""

from __future__ import annotations

import json
from dataclasses import dataclass

import xarray as xr

from riskengine.briefing.yardsticks import icd203_term, phia_term
from riskengine.diagnostics import ProbabilitySummary, summarize_probability

__all__ = ["Judgment", "key_judgments", "force_window"]

FORCE_WINDOW_MONTHS = 12


@dataclass(frozen=True)
class Judgment:
    """One estimative statement: the event, its summary, its terms and vs-baseline change."""

    variant: str
    event: str
    summary: ProbabilitySummary
    icd203: str
    phia: str
    difference: ProbabilitySummary | None


def force_window(predictions: xr.Dataset) -> int:
    """Months of the use-of-force window: 12, or the horizon when shorter."""
    return int(min(FORCE_WINDOW_MONTHS, predictions.sizes["month"]))


def _events(predictions: xr.Dataset) -> dict[str, xr.DataArray]:
    window = force_window(predictions)
    horizon = predictions.sizes["month"]
    return {
        f"use of force within {window} months": predictions["p_use_of_force_by"].sel(month=window),
        f"war within {horizon} months": predictions["p_war_within"],
    }


def key_judgments(cube: xr.DataTree, credible_mass: float = 0.9) -> list[Judgment]:
    """Judgments for every variant and event; differences against the first variant."""
    predictions = cube["predictions"].to_dataset()
    baseline = str(predictions["variant"].values[0])
    judgments = []
    for event, values in _events(predictions).items():
        for variant in predictions["variant"].values:
            series = values.sel(variant=variant)
            summary = summarize_probability(series, credible_mass)
            difference = None
            if variant != baseline:
                difference = summarize_probability(
                    series - values.sel(variant=baseline), credible_mass
                )
            judgments.append(
                Judgment(
                    str(variant),
                    event,
                    summary,
                    icd203_term(summary.mean),
                    phia_term(summary.mean),
                    difference,
                )
            )
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
