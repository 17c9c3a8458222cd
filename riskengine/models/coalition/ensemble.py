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

Parameters: the process rests on priors (:func:`.process.priors`); all of them are
declared in ``prior_only`` and said in the run's warnings. Where a fitted support
posterior ships in ``fitted/posterior.nc`` the engine uses its draws for the parameters
it holds and prior draws for the others (``riskengine.ensemble.parameters``).
"""

from __future__ import annotations

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
}
PRIOR_ONLY = tuple(process.Params._fields)


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
    dimensions = {
        "coalition_member": "a member of the deciding institution (the union over variants)",
        "support_covariate": "support-model covariate (riskengine.models.coalition.process)",
        "months_to_decision": "months from tabling to decision (1 = the tabled month; 0 = none)",
        "coalition_size": "number of members supporting the action at the decision",
    }
    reductions = {"cost_share": FixedPointSum(scale_bits=24, square_scale_bits=24)}
    counter_steps = (
        "own key words (fold_in 4); step (m-1) | j << 16 member j's drift in month m, "
        "2**32-1 the path's shared factor, 2**32-2-j member j's persistent reading"
    )
    final_category_description = "whether the institution authorised the action by the horizon"
    data_note = "coalition: prior-only decision process (no fit yet; priors in process.py)"
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
        note = (
            "coalition: the decision process rests on priors, not data ("
            + ", ".join(from_prior)
            + "); its probabilities state assumptions written in riskengine/models/coalition/"
            "process.py, and the crisis-level effect on support is prior only"
        )
        return {"range": [note]} if from_prior else {}


MODEL = CoalitionEnsemble()
