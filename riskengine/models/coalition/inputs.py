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
from riskengine.models.veto.coding import MEMBER_CCODES, MEMBERS
from riskengine.models.veto.data import ERA_NAMES

__all__ = ["member_covariates", "scenario_arrays", "variant_rule", "veto_arrays"]

_PERSONS_PER_MILLION = 1_000_000
VETO_ERA = len(ERA_NAMES) - 1
"""The veto model's era for a scenario: the latest (1992-2022), the one closest to now."""
_SEATS = {ccode: seat for seat, ccode in enumerate(MEMBER_CCODES[m] for m in MEMBERS)}


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
            "ccode": actor.ccode,
            "agreement_target": inputs.agreement_target,
            "party": float(inputs.party_to_situation),
        }
    return rows


def veto_arrays(section, rows: dict[str, dict], names: list[str], where: str):
    """(seat per member of ``names``, agreement (5,), party (5,)) of a variant: seats only
    in a Security Council variant (-1 otherwise and for elected members); seats without a
    member in the variant have agreement 0, which never raises the maximum the veto
    model's gap is measured from."""
    seat = np.full(len(names), -1, np.int32)
    agreement, party = np.zeros(len(MEMBERS), np.float32), np.zeros(len(MEMBERS), np.float32)
    if shipped_tables().rules[section.institution].kind != "veto_majority":
        return seat, agreement, party
    for name, row in rows.items():
        if not row["veto_holder"]:
            continue
        if row["agreement_target"] is None:
            raise ConfigError(
                f"{where}.member_inputs.{name}.agreement_target: missing; allowed: a number "
                "from 0 to 1, the permanent member's General Assembly agreement with the "
                "target, which the veto model needs (scripts/coalition_member_inputs.py "
                "prints it)"
            )
        index = _SEATS[row["ccode"]]
        seat[names.index(name)] = index
        agreement[index], party[index] = row["agreement_target"], row["party"]
    return seat, agreement, party


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
    wheres = ["coalition"] + [f"variants[{i}].coalition" for i in range(1, len(sections))]
    for where, section in zip(wheres, sections, strict=True):
        if section.tabled_month > scenario.horizon_months:
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
    vetoes = [
        veto_arrays(s, rows, names, w)
        for s, rows, w in zip(sections, per_variant, wheres, strict=True)
    ]
    seats, agreements, parties = (np.stack(parts) for parts in zip(*vetoes, strict=True))
    fixed, capability = stacked("fixed", np.int32), stacked("capability", np.float32)
    inputs = CoalitionInputs(
        covariates=jnp.asarray(covariates),
        election=jnp.asarray(stacked("election", np.float32)),
        present=jnp.asarray(present),
        fixed_position=jnp.asarray(fixed),
        capability=jnp.asarray(capability),
        rule=rule,
        tabled_month=jnp.asarray(tabled),
        veto_seat=jnp.asarray(seats),
        veto_alignment=jnp.asarray(agreements),
        veto_party=jnp.asarray(parties),
        veto_era=jnp.full(len(variants), VETO_ERA, jnp.int32),
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
        "veto_seat": Variable(
            member_dims,
            seats,
            "the member's permanent seat in the veto model (0-4: "
            + ", ".join(MEMBERS)
            + "; -1 none or not a Security Council variant)",
            "1",
        ),
        "veto_agreement_target": Variable(
            ("variant", "veto_member"),
            agreements,
            "permanent seat's General Assembly agreement with the target (the veto model's "
            f"alignment; its era: {ERA_NAMES[VETO_ERA]})",
            "1",
        ),
    }
    num_months = scenario.horizon_months
    coords = {
        "month": np.arange(1, num_months + 1),
        "coalition_member": np.asarray(names),
        "support_covariate": np.asarray(process.COVARIATE_NAMES),
        "months_to_decision": np.arange(num_months + 1),
        "coalition_size": np.arange(len(names) + 1),
        "veto_member": np.asarray(MEMBERS),
        "veto_era": np.asarray(ERA_NAMES),
    }
    return ScenarioInputs(inputs, {"num_months": num_months}, constant_data, coords)
