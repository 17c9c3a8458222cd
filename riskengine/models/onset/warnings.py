"""Where a scenario strains the onset model: its posterior's own checks, and a
present-day dyad forecast after the fitted years."""

from __future__ import annotations

from riskengine.inference.posterior_checks import posterior_notes, stored_check
from riskengine.models.paths import predictive_check_path

__all__ = ["onset_warnings"]

LAST_YEAR = 2014


def _range_notes(scenario) -> list[str]:
    eras = {variant.sections["onset"].era for variant in scenario.resolved_variants()}
    if "post_cold_war" not in eras:
        return []
    return [
        f"onset: the dyad-years end in {LAST_YEAR}; a present-day dyad is forecast with the "
        "post-Cold War era's base rate, outside the fitted years"
    ]


def onset_warnings(scenario, scenario_inputs, provenance: dict) -> dict[str, list[str]]:
    """Onset notes by kind (posterior, range) for a run on ``provenance``'s draws."""
    if provenance.get("source") != "posterior":
        return {}
    table = stored_check(predictive_check_path("onset"))
    return {"posterior": posterior_notes(provenance, table), "range": _range_notes(scenario)}
