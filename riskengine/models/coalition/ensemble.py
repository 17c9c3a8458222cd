"""The coalition model as an ``EnsembleModel``: an institution's monthly decision process.

Inputs from a scenario's ``coalition:`` section: :mod:`.inputs` (members' covariates,
capabilities, fixed positions, the institution's rule, the tabled month); outputs:
:mod:`.metrics`.

Outputs per draw and variant (so the cube gives intervals over parameter draws):
P(authorised by month) and within the horizon; the time from tabling to decision (a
histogram over months, and its mean given a decision); per member the probability it
blocks in each month and ever, its probability of supporting each month, of taking part
in the action that follows a decision; the coalition's size (given a decision); each
member's **cost share** (its capability over the capability of all participants, averaged
over the paths with a decision) and **free-riding index**: its benefit share minus its
cost share, the benefit share being equal among the institution's members (``1 /
members``: the action's security benefit is treated as a public good of all members,
participants or not); positive values mark members who gain more than they pay.

Parameters: the permanent members' vetoes come from the veto model's fitted posterior
(``riskengine/models/veto/fitted/posterior.nc``, read through ``posterior_source`` and
``posterior_names``: its ``intercepts`` ... ``contestedness_scale`` as the ``veto_*``
parameters); the process's own parameters rest on priors (:func:`.process.priors`), are
declared in ``prior_only`` and said in the run's warnings.
"""

from __future__ import annotations

import numpy as np

from riskengine.models.base import (
    CoreEnsemble,
    FixedPointSum,
    Judgment,
    Parameter,
    ScenarioInputs,
)
from riskengine.models.coalition import process
from riskengine.models.coalition.component import CoalitionComponent
from riskengine.models.coalition.inputs import scenario_arrays
from riskengine.models.coalition.metrics import coalition_metrics

__all__ = ["MODEL", "PRIOR_ONLY", "CoalitionEnsemble"]


_DESCRIPTIONS = {
    "intercept": ("logit scale", "willingness to support at covariates 0"),
    "coefficients": ("logit scale per covariate unit", "covariate slopes of support"),
    "case_scale": ("logit scale", "sd of the per-path factor shared by all members"),
    "election_shift": ("logit scale", "support shift of a member facing an election (prior only)"),
    "abstain_width": ("logit scale", "width of the abstention band below the yes threshold"),
    "movement_scale": ("logit scale per month", "sd of a member's monthly drift in willingness"),
    "level_shift": (
        "logit scale per crisis level",
        "support shift per escalation level above threat (prior only)",
    ),
    "veto_intercepts": ("logit scale", "veto model: a seat's veto logit per era (fitted)"),
    "veto_alignment_effect": (
        "logit scale per unit of agreement",
        "veto model: veto logit per unit of agreement with the target (fitted)",
    ),
    "veto_gap_effect": (
        "logit scale per unit of agreement",
        "veto model: per unit behind the target's closest permanent member (fitted)",
    ),
    "veto_party_effect": ("logit scale", "veto model: a seat that is a party (fitted)"),
    "veto_contestedness_scale": (
        "logit scale",
        "veto model: sd of a draft's shared contestedness (fitted)",
    ),
}
PRIOR_ONLY = process.PROCESS_PARAMETERS


class CoalitionEnsemble(CoreEnsemble):
    """``EnsembleModel`` for :mod:`riskengine.models.coalition.process` (composed path)."""

    name = "coalition"
    core_module = process
    parameters = {
        name: Parameter(process.PARAMETER_DIMS[name], *_DESCRIPTIONS[name])
        for name in process.Params._fields
    }
    parameter_coords = dict(process.PARAMETER_COORDS)
    prior_only = PRIOR_ONLY
    posterior_source = "veto"
    posterior_names = {f"veto_{name}": name for name in process.VETO_PARAMETERS}
    dimensions = {
        "coalition_member": "a member of the deciding institution (the union over variants)",
        "support_covariate": "support-model covariate (riskengine.models.coalition.process)",
        "months_to_decision": "months from tabling to decision (1 = the tabled month; 0 = none)",
        "coalition_size": "number of members supporting the action at the decision",
        "veto_member": "a permanent seat of the Security Council (riskengine.models.veto)",
        "veto_era": "an era of the veto model (its intercepts differ by era)",
    }
    reductions = {"cost_share": FixedPointSum(scale_bits=24, square_scale_bits=24)}
    counter_steps = (
        "own key words (fold_in 4); step (m-1) | j << 16 member j's drift in month m, "
        "2**32-1 the path's shared factor, 2**32-2-j member j's persistent reading, "
        "2**32-2**15-2 the draft's contestedness, 2**32-2**15-3-j member j's veto reading"
    )
    final_category_description = "whether the institution authorised the action by the horizon"
    data_note = (
        "coalition: permanent members' vetoes fitted on the Security Council's vetoed drafts "
        "1946-2022 (veto model); the rest of the decision process rests on priors"
    )
    component = CoalitionComponent()

    def scenario_inputs(self, scenario) -> ScenarioInputs:
        return scenario_arrays(scenario)

    def metrics(self, totals: dict, *, num_months: int) -> dict:
        return coalition_metrics(totals)

    def judgments(self, *, num_months: int) -> list[Judgment]:
        return [
            Judgment(
                "p_authorised_within",
                f"the institution authorises the action within {num_months} months",
            ),
            Judgment(
                "expected_months_to_decision",
                "months from tabling to a decision, if one is taken within the horizon",
                kind="quantity",
                units="months",
            ),
        ]

    def warnings(self, scenario, scenario_inputs, provenance: dict) -> dict[str, list[str]]:
        from_prior = [
            name for name in self.prior_only if name not in provenance.get("from_posterior", ())
        ]
        notes = []
        if from_prior:
            notes.append(
                "coalition: the decision process rests on priors, not data ("
                + ", ".join(from_prior)
                + "); its probabilities state assumptions written in riskengine/models/"
                "coalition/process.py, and the crisis-level effect on support is prior only"
            )
        if _has_council(scenario_inputs):
            notes.append(
                "coalition: permanent members' vetoes follow the veto model (fitted on "
                "vetoed drafts 1946-2022, latest era 1992-2022): who vetoes rests on the "
                "data, how often a draft draws any veto largely on its priors (the level "
                "is identified only through drafts vetoed by several members)"
            )
        return {"range": notes} if notes else {}


def _has_council(scenario_inputs) -> bool:
    return bool((np.asarray(scenario_inputs.inputs.veto_seat) >= 0).any())


MODEL = CoalitionEnsemble()
