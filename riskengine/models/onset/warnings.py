"""Where a scenario strains the onset model: its posterior's own checks, a present-day
dyad forecast after the fitted years, and variants whose alliance levers the data do not
identify as causes."""

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


_ALLIANCE_COLUMNS = ("target_defence_pact", "target_allied_capability")


def _alliance_lever_notes(scenario, scenario_inputs) -> list[str]:
    """A variant that changes the target's alliances reads an association, not a cause."""
    from riskengine.models.onset.core import COVARIATE_NAMES

    covariates = scenario_inputs.constant_data["onset_covariates"].values
    columns = [COVARIATE_NAMES.index(name) for name in _ALLIANCE_COLUMNS]
    changed = [
        name
        for name, row in zip(scenario.variant_names, covariates, strict=True)
        if (row[columns] != covariates[0, columns]).any()
    ]
    if not changed:
        return []
    return [
        f"onset: variants {', '.join(changed)} change the target's defence pacts or its allies' "
        "capability; in the dyad-years a target's third-party pact goes with fewer challenges "
        "before 1945 and more since, where the allies' capability offsets it "
        "(docs/validation/onset.md): the lever's effect on the challenge probability is an "
        "association that includes selection (threatened states seek allies), not an "
        "identified causal effect of the alliance"
    ]


def onset_warnings(scenario, scenario_inputs, provenance: dict) -> dict[str, list[str]]:
    """Onset notes by kind (posterior, range) for a run on ``provenance``'s draws."""
    if provenance.get("source") != "posterior":
        return {}
    table = stored_check(predictive_check_path("onset"))
    return {
        "posterior": posterior_notes(provenance, table),
        "range": _range_notes(scenario) + _alliance_lever_notes(scenario, scenario_inputs),
    }
