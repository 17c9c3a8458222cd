"""The coalition model as an ``EnsembleModel``: an institution's monthly decision process.

Inputs from a scenario's ``coalition:`` section (:mod:`.section`): each member's support
covariates (``process.COVARIATE_NAMES``: ``log_distance`` is ``log(1 + distance_km /
1000)``, ``major_power`` the actor's), its capability (the actor's COW CINC share: the
cost-share weight), its population (the EU rules' weight: the member input, else the EU
table's Eurostat 2024 population), its veto (a Security Council permanent seat in
``tables/unsc_members.csv``), its fixed position if any (the proposer always supports),
the institution's rule (``tables/rules.yaml`` through
:func:`riskengine.models.coalition.institutions.make_rule`), and the tabled month.

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

import jax.numpy as jnp
import numpy as np

from riskengine.errors import ConfigError
from riskengine.models.base import (
    CoreEnsemble,
    FixedPointSum,
    Judgment,
    Parameter,
    ScenarioInputs,
    Variable,
)
from riskengine.models.coalition import process
from riskengine.models.coalition.component import (
    FREE_POSITION,
    CoalitionComponent,
    CoalitionInputs,
)
from riskengine.models.coalition.institutions import make_rule, shipped_tables
from riskengine.models.coalition.rules import RuleArrays, rule_arrays
from riskengine.models.coalition.section import POSITIONS, MemberInputs

__all__ = ["MODEL", "CoalitionEnsemble", "coalition_metrics", "variant_rule"]

_PERSONS_PER_MILLION = 1_000_000
_LEAD = ("chain", "draw", "variant")


def member_covariates(inputs: MemberInputs, actor) -> list[float]:
    """``process.COVARIATE_NAMES`` values of one member (see the module docstring)."""
    values = {
        "ally_proposer": float(inputs.ally_proposer),
        "ally_target": float(inputs.ally_target),
        "affinity_proposer": inputs.affinity_proposer,
        "affinity_target": inputs.affinity_target,
        "trade_exposure": inputs.trade_exposure,
        "log_distance": float(np.log1p(inputs.distance_km / 1000.0)),
        "democracy": inputs.democracy,
        "major_power": float(actor.major_power),
        "election_in_window": float(inputs.election_in_window),
    }
    return [values[name] for name in process.COVARIATE_NAMES]


def _permanent_members() -> frozenset[int]:
    """COW codes of the Security Council's permanent seats (``tables/unsc_members.csv``)."""
    council = shipped_tables().frames["unsc"]
    return frozenset(int(code) for code in council.loc[council["seat"] == "permanent", "ccode"])


def _population_millions(actor, inputs: MemberInputs) -> float:
    """The member's population: its input, else the EU table's (Eurostat 2024), else 1."""
    if inputs.population_millions is not None:
        return inputs.population_millions
    eu = shipped_tables().frames["eu"].set_index("ccode")["population_2024_thousands"].dropna()
    return float(eu[actor.ccode]) / 1000.0 if actor.ccode in eu.index else 1.0


def _variant_members(variant) -> dict[str, dict]:
    section = variant.sections["coalition"]
    permanent = _permanent_members()
    rows = {}
    for name in section.member_names(variant.actors):
        actor = variant.actors[name]
        inputs = section.member_inputs.get(name, MemberInputs())
        fixed = POSITIONS[inputs.position] if inputs.position else FREE_POSITION
        rows[name] = {
            "covariates": member_covariates(inputs, actor),
            "fixed": 1 if name == section.proposer else fixed,
            "veto_holder": actor.ccode in permanent,
            "population": _population_millions(actor, inputs),
            "capability": actor.capability,
        }
    return rows


def variant_rule(section, rows: dict[str, dict], names: list[str]) -> tuple[RuleArrays, str]:
    """The variant's rule (``tables/rules.yaml``, ``minimum_members`` overriding the
    Security Council's nine votes or the coalition's two) on the union member axis
    ``names``: members absent from the variant vote yes with no population and
    ``minimum_yes`` counts them, so they change no criterion and block nothing."""
    entry = shipped_tables().rules[section.institution]
    parameters = dict(entry.parameters)
    present = [name for name in names if name in rows]
    codes = {name: index + 1 for index, name in enumerate(names)}  # member identifiers
    if entry.kind == "veto_majority":
        parameters["veto_holders"] = tuple(codes[n] for n in present if rows[n]["veto_holder"])
    if section.minimum_members is not None and entry.kind in ("veto_majority", "threshold"):
        key = "minimum_yes" if entry.kind == "veto_majority" else "minimum_members"
        parameters[key] = section.minimum_members
    population = [max(1, round(rows[n]["population"] * _PERSONS_PER_MILLION)) for n in present]
    rule = make_rule(
        entry.kind,
        [codes[n] for n in present],
        population=population,
        institution=section.institution,
        source=entry.source,
        **parameters,
    )
    arrays = rule_arrays(rule)
    where = [names.index(n) for n in present]
    veto = np.zeros(len(names), bool)
    veto[where] = np.asarray(arrays.veto)
    persons = np.zeros(len(names), np.int32)
    persons[where] = np.asarray(arrays.population)
    padded = arrays._replace(
        veto=veto,
        population=persons,
        minimum_yes=np.int32(int(arrays.minimum_yes) + len(names) - len(present)),
    )
    return RuleArrays(*(np.asarray(field) for field in padded)), entry.kind


def scenario_arrays(scenario) -> ScenarioInputs:
    """Inputs stacked over variants on the union of the variants' members."""
    variants = scenario.resolved_variants()
    sections = [variant.sections["coalition"] for variant in variants]
    for index, section in enumerate(sections):
        if section.tabled_month > scenario.horizon_months:
            where = "coalition" if index == 0 else f"variants[{index}].coalition"
            raise ConfigError(
                f"{where}.tabled_month: got {section.tabled_month}; allowed: a month from 1 "
                f"to the horizon, {scenario.horizon_months}"
            )
    per_variant = [_variant_members(variant) for variant in variants]
    names = list(dict.fromkeys(name for rows in per_variant for name in rows))
    absent = {
        "covariates": [0.0] * len(process.COVARIATE_NAMES),
        "fixed": FREE_POSITION,
        "capability": 0.0,
    }

    def stacked(field, dtype):
        return np.asarray(
            [[rows.get(n, absent)[field] for n in names] for rows in per_variant], dtype
        )

    covariates = stacked("covariates", np.float32).reshape(
        len(variants), len(names), len(process.COVARIATE_NAMES)
    )
    present = np.asarray([[n in rows for n in names] for rows in per_variant], bool)
    rules = [variant_rule(s, rows, names) for s, rows in zip(sections, per_variant, strict=True)]
    rule = RuleArrays(
        *(jnp.asarray(np.stack(parts)) for parts in zip(*[r for r, _ in rules], strict=True))
    )
    tabled = np.asarray([s.tabled_month for s in sections], np.int32)
    fixed, capability = stacked("fixed", np.int32), stacked("capability", np.float32)
    inputs = CoalitionInputs(
        covariates=jnp.asarray(covariates),
        present=jnp.asarray(present),
        fixed_position=jnp.asarray(fixed),
        capability=jnp.asarray(capability),
        rule=rule,
        tabled_month=jnp.asarray(tabled),
    )
    member_dims = ("variant", "coalition_member")
    constant_data = {
        "coalition_covariates": Variable(
            (*member_dims, "support_covariate"),
            covariates,
            "support-model covariates of each member (0 where not a member in the variant)",
            "1",
        ),
        "coalition_member_present": Variable(
            member_dims, present, "the state is a member in this variant", "1"
        ),
        "coalition_fixed_position": Variable(
            member_dims,
            fixed,
            f"fixed position: -1 oppose, 0 abstain, 1 support, {FREE_POSITION} drawn",
            "1",
        ),
        "coalition_capability": Variable(
            member_dims, capability, "member's capability (COW CINC share): cost weight", "1"
        ),
        "coalition_veto": Variable(
            member_dims,
            np.asarray(rule.veto),
            "a no from this member blocks on its own (veto holders; every member under "
            "consensus and unanimity)",
            "1",
        ),
        "decision_rule": Variable(
            ("variant",),
            np.asarray([kind for _, kind in rules]),
            "decision rule of the variant's institution (riskengine/models/coalition/tables/rules.yaml)",
            "1",
        ),
        "tabled_month": Variable(
            ("variant",), tabled, "scenario month the item is tabled", "month"
        ),
    }
    num_months = scenario.horizon_months
    coords = {
        "month": np.arange(1, num_months + 1),
        "coalition_member": np.asarray(names),
        "support_covariate": np.asarray(process.COVARIATE_NAMES),
        "months_to_decision": np.arange(num_months + 1),
        "coalition_size": np.arange(len(names) + 1),
    }
    return ScenarioInputs(inputs, {"num_months": num_months}, constant_data, coords)


def _ratio(numerator, denominator) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1), np.nan)


def coalition_metrics(totals: dict) -> dict[str, Variable]:
    """The cube's prediction variables from the summed totals."""
    paths = totals["path_count"].astype(np.float64)
    by_month = totals["authorised_count"]  # (chain, draw, variant, month)
    decided = by_month[..., -1].astype(np.float64)
    times = totals["decision_time_count"]  # (..., months_to_decision), bin 0: no decision
    months = np.arange(times.shape[-1])
    sizes = totals["coalition_size_count"]
    present = totals["member_present_count"] > 0
    members = present.sum(-1, keepdims=True)
    cost_share = _ratio(totals["cost_share.sum"], decided[..., None])
    benefit_share = np.where(present, 1.0 / np.maximum(members, 1), np.nan)
    member_month = (*_LEAD, "coalition_member", "month")
    variables = {
        "path_count": Variable(_LEAD, totals["path_count"], "simulated paths", "paths"),
        "authorised_count": Variable(
            (*_LEAD, "month"), by_month, "paths with a decision by this month", "paths"
        ),
        "p_authorised_by": Variable(
            (*_LEAD, "month"),
            by_month / paths[..., None],
            "probability that the institution has authorised the action by this month",
            "probability",
        ),
        "p_authorised_within": Variable(
            _LEAD,
            decided / paths,
            "probability that the institution authorises the action within the horizon",
            "probability",
        ),
        "decision_time_count": Variable(
            (*_LEAD, "months_to_decision"),
            times,
            "paths by months from tabling to decision (1 = the tabled month; 0 = no decision)",
            "paths",
        ),
        "expected_months_to_decision": Variable(
            _LEAD,
            _ratio((times * months).sum(-1), decided),
            "mean months from tabling to decision (the tabled month counts 1), given a decision "
            "within the horizon",
            "months",
        ),
        "p_member_blocks": Variable(
            member_month,
            np.moveaxis(totals["blocked_count"], -1, -2) / paths[..., None, None],
            "probability that the member blocks the item in this month (it fails and the member "
            "is counted among its blockers)",
            "probability",
        ),
        "p_member_ever_blocks": Variable(
            (*_LEAD, "coalition_member"),
            totals["ever_blocked_count"] / paths[..., None],
            "probability that the member blocks the item in at least one month",
            "probability",
        ),
        "p_member_supports": Variable(
            member_month,
            np.moveaxis(totals["supporting_count"], -1, -2) / paths[..., None, None],
            "probability that the member supports the action in this month (frozen at the decision)",
            "probability",
        ),
        "p_member_participates": Variable(
            (*_LEAD, "coalition_member"),
            totals["participating_count"] / paths[..., None],
            "probability that a decision is taken and the member supports it (takes part)",
            "probability",
        ),
        "coalition_size_count": Variable(
            (*_LEAD, "coalition_size"),
            sizes,
            "paths with a decision by the number of supporting members",
            "paths",
        ),
        "expected_coalition_size": Variable(
            _LEAD,
            _ratio((sizes * np.arange(sizes.shape[-1])).sum(-1), decided),
            "mean number of members taking part, given a decision",
            "states",
        ),
        "cost_share": Variable(
            (*_LEAD, "coalition_member"),
            cost_share,
            "member's share of the participants' capability (COW CINC), averaged over paths with "
            "a decision: its expected share of the action's cost",
            "fraction",
        ),
        "benefit_share": Variable(
            (*_LEAD, "coalition_member"),
            benefit_share,
            "member's share of the action's benefit: equal among the institution's members "
            "(a public good); NaN where not a member",
            "fraction",
        ),
        "free_riding_index": Variable(
            (*_LEAD, "coalition_member"),
            benefit_share - cost_share,
            "benefit share minus cost share (positive: gains more than it pays), given a decision",
            "fraction",
        ),
    }
    return variables


_DESCRIPTIONS = {
    "intercept": ("logit scale", "willingness to support at covariates 0"),
    "coefficients": ("logit scale per covariate unit", "covariate slopes of support"),
    "latent_scale": ("logit scale", "sd of the per-path factor shared by all members"),
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
