"""The escalation model as an ``EnsembleModel``: scenario -> covariates, counts -> metrics.

How a scenario maps onto the covariates the model was fitted on (``COVARIATE_NAMES``,
all describing the crisis at its start: the MID disputes' originators and the third
states pledged to defend them, see ``riskengine.models.escalation.data``):

- ``challenger_side_size`` = log(1 + number of ``challenger_allies``): the states
  confronting the defender from month 1;
- ``defender_side_size`` = log(1) = 0: coalition members are states committed to the
  defender, not present from month 1 (in MID, states that joined later are an outcome of
  the dispute and are not counted);
- ``capability_ratio`` = log(capability of the defender / capability of the challenger and
  its allies), capabilities on the COW CINC scale, clipped to [-6, 6];
- ``defender_defence_pact`` = 1 if a coalition member's commitment is ``defence_pact``;
  ``defender_allied_capability`` = log1p(summed capability of those members / the
  challenger side's capability), clipped to 6. Members with commitment ``ad_hoc`` or
  ``none`` do not enter the covariates: MID codes no pre-dispute commitment weaker than an
  ATOP defence pledge, so the model has no estimate for one;
- ``challenger_defence_pact`` = 1 if the crisis names ``challenger_partners`` (third states
  pledged to defend the challenger); ``challenger_allied_capability`` = log1p(their summed
  capability / the defender's), clipped to 6;
- ``major_power`` = 1 if the challenger, one of its allies or the defender is a major
  power (coalition members and partners are not originators);
- ``crisis_management`` = 1 if the crisis (or the variant) has crisis management;
- ``era_before_1914``, ``era_world_wars``, ``era_cold_war``: the crisis's (or variant's)
  ``era`` one-hot, all 0 for ``post_cold_war``, the default.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from riskengine.models.base import (
    CoreEnsemble,
    Figure,
    Judgment,
    Parameter,
    ScenarioInputs,
    Variable,
)
from riskengine.models.escalation import core as escalation
from riskengine.models.escalation.component import EscalationComponent
from riskengine.models.escalation.warnings import escalation_warnings
from riskengine.primitives.ladder import USE_OF_FORCE, WAR

__all__ = ["ESCALATION", "MODEL", "crisis_covariates", "EscalationEnsemble"]

START_LEVEL_CODES = {"threat": 1, "display": 2, "use_of_force": 3, "war": 4, "onset": -1}
CAPABILITY_RATIO_LIMIT = 6.0


def _clipped(value: float) -> float:
    return max(-CAPABILITY_RATIO_LIMIT, min(CAPABILITY_RATIO_LIMIT, value))


def crisis_covariates(crisis) -> np.ndarray:
    """Covariate vector (float32, ``COVARIATE_NAMES`` order) of a resolved crisis."""
    challenging = [crisis.challenger, *crisis.challenger_allies]
    challenger_capability = sum(actor.capability for actor in challenging)
    defender_capability = crisis.defender.capability
    pledged = [m.capability for m in crisis.coalition if m.commitment == "defence_pact"]
    partners = [actor.capability for actor in crisis.challenger_partners]
    values = [
        math.log(len(challenging)),
        0.0,  # defender_side_size: the defender is the only originator on its side
        _clipped(math.log(defender_capability / challenger_capability)),
        float(bool(pledged)),
        _clipped(math.log1p(sum(pledged) / challenger_capability)),
        float(bool(partners)),
        _clipped(math.log1p(sum(partners) / defender_capability)),
        float(any(actor.major_power for actor in (*challenging, crisis.defender))),
        float(crisis.crisis_management),
        *escalation.era_indicators(crisis.era).tolist(),
    ]
    return np.asarray(values, dtype=np.float32)


_LOGIT = "logit scale"
_RATIO = "ratio"
FORCE_WINDOW_MONTHS = 12


class EscalationEnsemble(CoreEnsemble):
    """``EnsembleModel`` for ``riskengine.models.escalation.core``."""

    name = "escalation"
    core_module = escalation
    parameters = {
        "onset_cutpoints": Parameter(
            ("onset_cutpoint",), _LOGIT, "ordered-logit cut-points of the first month's level"
        ),
        "step_cutpoints": Parameter(
            ("step_cutpoint",), _LOGIT, "ordered-logit cut-points of the monthly step"
        ),
        "level_effect": Parameter(
            ("shifted_level",),
            _LOGIT,
            "shift of the monthly step location at this level vs use of force",
        ),
        "coefficients": Parameter(
            ("covariate",), "logit scale per covariate unit", "covariate slopes of the location"
        ),
        "resolve_scale": Parameter(
            (), _LOGIT, "standard deviation of the latent per-crisis resolve, bilateral crises"
        ),
        "multilateral_resolve_ratio": Parameter(
            (), _RATIO, "ratio of the resolve's standard deviation, multilateral / bilateral crises"
        ),
        "era_resolve_ratio": Parameter(
            ("compared_era",),
            _RATIO,
            "ratio of the resolve's standard deviation, this era / post-Cold War crises",
        ),
        "era_escalate_shift": Parameter(
            ("compared_era",),
            _LOGIT,
            "shift of the stay|escalate step cut-point, this era vs post-Cold War crises "
            "(positive: escalates less often)",
        ),
    }
    parameter_coords = {
        "onset_cutpoint": ("threat|display", "display|use_of_force", "use_of_force|war"),
        "step_cutpoint": ("settle|de_escalate", "de_escalate|stay", "stay|escalate"),
        "shifted_level": ("threat", "display", "war"),
        "covariate": escalation.COVARIATE_NAMES,
        "compared_era": escalation.ERA_NAMES[:-1],
    }
    dimensions = {
        "level": "escalation level: settled, threat, display, use_of_force, war (COW MID hostlev - 1)",
        "covariate": "escalation-model covariate (see riskengine.models.escalation.core.COVARIATE_NAMES)",
        "onset_cutpoint": "boundary between two first-month levels",
        "step_cutpoint": "boundary between two monthly step categories",
        "shifted_level": "active level whose step location is shifted vs use of force (threat, display, war)",
        "compared_era": "historical era compared with the post-Cold War reference era (before_1914, world_wars, cold_war)",
    }
    reductions: dict = {}  # every output is an integer count
    counter_steps = (
        "steps 0.. the months after the first (one uniform each), 2**32-1 the resolve, "
        "2**32-2 the onset level"
    )
    final_category_description = "highest escalation level reached by the horizon"
    data_note = "escalation: historical disputes (COW MID 5.0, NMC 7.0, ATOP 5.1)"
    component = EscalationComponent()

    def judgments(self, *, num_months: int) -> list[Judgment]:
        window = min(FORCE_WINDOW_MONTHS, num_months)
        return [
            Judgment(
                "p_use_of_force_by", f"use of force within {window} months", {"month": window}
            ),
            Judgment("p_war_within", f"war within {num_months} months"),
        ]

    def figures(self, *, num_months: int) -> list[Figure]:
        return [
            Figure(
                "fan",
                "p_level",
                x="month",
                series="level",
                title="Crisis level by month: posterior mean and 90% band",
                caption="Probability (%, log scale from 0.01%) that a crisis stands at each "
                "level of the escalation ladder in each month, per variant: posterior mean "
                "(line) and 90% credible band.",
            )
        ]

    def warnings(self, scenario, scenario_inputs, provenance: dict) -> dict[str, list[str]]:
        return escalation_warnings(scenario, scenario_inputs, provenance)

    def scenario_inputs(self, scenario) -> ScenarioInputs:
        crises = resolved_crises(scenario)
        covariates = np.stack([crisis_covariates(crisis) for crisis in crises])
        start_levels = np.asarray(
            [START_LEVEL_CODES[crisis.start_level] for crisis in crises], dtype=np.int32
        )
        inputs = escalation.Inputs(jnp.asarray(covariates), jnp.asarray(start_levels))
        num_months = scenario.horizon_months
        constant_data = {
            "covariates": Variable(
                ("variant", "covariate"),
                covariates,
                "model covariates of each variant's crisis",
                "1",
            ),
            "start_level": Variable(
                ("variant",),
                start_levels,
                "level in month 1 (1 threat .. 4 war; -1 drawn at onset)",
                "level code",
            ),
        }
        coords = {
            "month": np.arange(1, num_months + 1),
            "level": np.asarray(escalation.LEVEL_NAMES),
            "covariate": np.asarray(escalation.COVARIATE_NAMES),
        }
        return ScenarioInputs(inputs, {"num_months": num_months}, constant_data, coords)

    def summarize(self, key_words, params, inputs, path_index, valid, *, num_months: int):
        params = escalation.Params(*params) if not isinstance(params, escalation.Params) else params
        return escalation.summarize(
            key_words, params, inputs, path_index, valid, num_months=num_months
        )

    def metrics(self, counts: dict[str, np.ndarray], *, num_months: int) -> dict[str, Variable]:
        return _metrics(counts, num_months)


def resolved_crises(scenario) -> list:
    """Each variant's crisis, its participants' attributes looked up in the actors."""
    return [
        variant.sections["escalation"].crisis(variant.actors)
        for variant in scenario.resolved_variants()
    ]


def _metrics(counts: dict[str, np.ndarray], num_months: int) -> dict[str, Variable]:
    lead = ("chain", "draw", "variant")
    paths = counts["path_count"]
    per_path = paths.astype(np.float64)
    peak = counts["peak_count"]
    reached_force = peak[..., USE_OF_FORCE:].sum(axis=-1)
    reached_war = peak[..., WAR]
    first_force = np.diff(reached_force, axis=-1, prepend=0)
    first_war = np.diff(reached_war, axis=-1, prepend=0)
    horizon = f"within the {num_months}-month horizon"
    return {
        "path_count": Variable(lead, paths, "simulated paths per draw and variant", "paths"),
        "level_count": Variable(
            (*lead, "month", "level"),
            counts["level_count"],
            "paths at each level in each month",
            "paths",
        ),
        "peak_count": Variable(
            (*lead, "month", "level"),
            peak,
            "paths whose highest level up to that month is this level",
            "paths",
        ),
        "first_use_of_force_count": Variable(
            (*lead, "month"),
            first_force,
            "paths first reaching use of force (or war) in that month",
            "paths",
        ),
        "first_war_count": Variable(
            (*lead, "month"), first_war, "paths first reaching war in that month", "paths"
        ),
        "p_level": Variable(
            (*lead, "month", "level"),
            counts["level_count"] / per_path[..., None, None],
            "probability that the crisis is at this level in this month",
            "probability",
        ),
        "p_use_of_force_by": Variable(
            (*lead, "month"),
            reached_force / per_path[..., None],
            "probability of use of force (or war) by the end of this month",
            "probability",
        ),
        "p_war_by": Variable(
            (*lead, "month"),
            reached_war / per_path[..., None],
            "probability of war by the end of this month",
            "probability",
        ),
        "p_use_of_force_within": Variable(
            lead,
            reached_force[..., -1] / per_path,
            f"probability of use of force {horizon}",
            "probability",
        ),
        "p_war_within": Variable(
            lead, reached_war[..., -1] / per_path, f"probability of war {horizon}", "probability"
        ),
        "p_peak": Variable(
            (*lead, "level"),
            peak[..., -1, :] / per_path[..., None],
            f"probability that the highest level {horizon} is this level",
            "probability",
        ),
    }


ESCALATION = EscalationEnsemble()
MODEL = ESCALATION
