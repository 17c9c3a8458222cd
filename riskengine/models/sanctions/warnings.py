"""Where a scenario strains the sanctions model: its posterior's own checks, a case
after the fitted years, and more senders than TIES lists."""

from __future__ import annotations

from riskengine.inference.posterior_checks import posterior_notes, stored_check
from riskengine.models.paths import predictive_check_path
from riskengine.models.sanctions.coding import MAX_SENDERS

__all__ = ["sanctions_warnings"]

FIRST_YEAR, LAST_YEAR = 1945, 2005


def _range_notes(scenario) -> list[str]:
    notes = [
        f"sanctions: TIES covers sanctions imposed {FIRST_YEAR}-{LAST_YEAR}; a present-day case "
        "is forecast with the post-Cold War era's effect and 2014 trade, outside the fitted years"
    ]
    for variant in scenario.resolved_variants():
        section = variant.sections["sanctions"]
        if section.institution == "none" and len(section.senders) > MAX_SENDERS:
            notes.append(
                f"sanctions: variant {variant.name} has {len(section.senders)} sending states; "
                f"TIES lists at most {MAX_SENDERS}, so the model counts {MAX_SENDERS}"
            )
    return notes


def sanctions_warnings(scenario, provenance: dict) -> dict[str, list[str]]:
    """Sanctions notes by kind (posterior, range) for a run on ``provenance``'s draws."""
    if provenance.get("source") != "posterior":
        return {}
    table = stored_check(predictive_check_path("sanctions"))
    return {"posterior": posterior_notes(provenance, table), "range": _range_notes(scenario)}
