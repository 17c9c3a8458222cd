"""A scenario's coalition section -> the model's per-variant inputs.

Per member (the union over variants on the ``coalition_member`` axis): its support
covariates (``process.COVARIATE_NAMES``: ``log_distance`` is ``log(1 + distance_km /
1000)``, ``major_power`` the actor's), its capability (the actor's COW CINC share: the
cost-share weight), its population (the EU rules' weight: the member input, else the EU
table's Eurostat 2024 population), whether its no is a veto (a Security Council
permanent seat in ``tables/unsc_members.csv``), its fixed position if any (the proposer
always supports); per variant the institution's rule (``tables/rules.yaml`` through
:func:`riskengine.models.coalition.institutions.make_rule`, as ``rules.RuleArrays`` on
the union axis) and the tabled month.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from riskengine.errors import ConfigError
from riskengine.models.base import ScenarioInputs, Variable
from riskengine.models.coalition import process
from riskengine.models.coalition.component import FREE_POSITION, CoalitionInputs
from riskengine.models.coalition.institutions import make_rule, shipped_tables
from riskengine.models.coalition.rules import RuleArrays, rule_arrays
from riskengine.models.coalition.section import POSITIONS, MemberInputs

__all__ = ["member_covariates", "scenario_arrays", "variant_rule"]

_PERSONS_PER_MILLION = 1_000_000


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
            "election": float(inputs.election_in_window),
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
        "election": 0.0,
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
        election=jnp.asarray(stacked("election", np.float32)),
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
        "coalition_election": Variable(
            member_dims,
            np.asarray(inputs.election),
            "an election in the member's window (the prior-only election_shift applies)",
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
