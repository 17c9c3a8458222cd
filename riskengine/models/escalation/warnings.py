"""Where a scenario strains the escalation model: its posterior's own checks (floors,
required predictive rows, the war share of the crisis's era) and covariates outside the
range of the fitted disputes."""

from __future__ import annotations

from riskengine.inference.posterior_checks import posterior_notes, stored_check
from riskengine.models.paths import posterior_path, predictive_check_path

__all__ = ["era_notes", "escalation_warnings"]


def era_notes(table: dict | None, eras) -> list[str]:
    """Notes for the scenario's eras whose war share misses its predictive interval."""
    rows = {row["statistic"]: row for row in (table or {}).get("rows", ())}
    notes = []
    for era in dict.fromkeys(eras):
        row = rows.get(f"war share: era {era}")
        if row is None or row["inside"]:
            continue
        direction = "overstated" if row["observed"] < row["lower_5"] else "understated"
        notes.append(
            f"escalation: the fitted posterior's predictive check misses the war share of {era} "
            f"disputes: observed {row['observed']:.4f}, 90% interval [{row['lower_5']:.4f}, "
            f"{row['upper_95']:.4f}]; war probabilities of crises in this era are likely "
            f"{direction}"
        )
    return notes


def _range_notes(scenario_inputs, variant_names) -> list[str]:
    from riskengine.inference.ranges import covariate_ranges_from_posterior
    from riskengine.models.escalation.ranges import out_of_range_warnings

    ranges = covariate_ranges_from_posterior(posterior_path("escalation"))
    covariates = scenario_inputs.constant_data["covariates"].values
    return out_of_range_warnings(covariates, variant_names, ranges)


def escalation_warnings(scenario, scenario_inputs, provenance: dict) -> dict[str, list[str]]:
    """Escalation notes for a run on ``provenance``'s draws, by kind (posterior, range)."""
    if provenance.get("source") != "posterior":
        return {}
    from riskengine.models.escalation.ensemble import resolved_crises

    table = stored_check(predictive_check_path("escalation"))
    eras = [crisis.era for crisis in resolved_crises(scenario)]
    return {
        "posterior": posterior_notes(provenance, table) + era_notes(table, eras),
        "range": _range_notes(scenario_inputs, scenario.variant_names),
    }
