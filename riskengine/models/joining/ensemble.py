"""The joining model as an ``EnsembleModel`` and a composable ``Component``.

Per path and member: in each month whose crisis level (the ``level`` signal of the
escalation component, read after escalation has stepped that month) is 1 or more, a
member that has not joined joins with the monthly hazard of
:func:`riskengine.models.joining.core.hazard_table` at that level; it then stays joined
(``joined_month``, 0 = not joined). Months at level 0 (settled) carry no hazard.

Joining does not feed back into the escalation ladder: the escalation fit conditions on
each dispute's originating sides, so the joining that happened in history is already
averaged into its escalation probabilities; moving the ladder when a member joins would
count it twice. The models are coupled one way, through the crisis level, and the joint
counts give the conditional probabilities (e.g. a member joins, given the use of force;
the reverse, e.g. war given a member joined, from ``joint_count_escalation_joining``).

Covariates of a scenario member (``data.COVARIATE_NAMES``): ``defence_pact`` from the
escalation commitment ``defence_pact``; ``other_pledge`` from ``ad_hoc`` (a lesser,
non-defence commitment); ``none``: both 0. ``log_capability`` from the actor's capability
(CINC share), ``land_contiguity`` from the section's ``contiguous``, ``major_power``
from the actor, ``defending_side`` = 1 (members join the defender), era from the
escalation section's ``era``.

Counter streams (the model's own key words): the draw of member ``j`` for scenario month
``m`` is step ``(m - 1) | j << 16`` (months below 2**16, members below 2**15).
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from riskengine.models.base import (
    CoreEnsemble,
    Event,
    Judgment,
    Parameter,
    ScenarioInputs,
    Variable,
)
from riskengine.models.joining import core
from riskengine.models.joining.data import CAPABILITY_REFERENCE, COVARIATE_NAMES
from riskengine.primitives.counter_rng import uniform_bits
from riskengine.primitives.counts import category_counts, ratio
from riskengine.primitives.ordered_logit import probability_to_bits

__all__ = ["MODEL", "JoiningComponent", "JoiningEnsemble", "JoiningInputs", "JoiningState"]

FINAL_CATEGORIES = ("no_member_joined", "member_joined")
_MEMBER_SHIFT = 16
_LEAD = ("chain", "draw", "variant")


class JoiningInputs(NamedTuple):
    """One variant: each member's covariates (member, 9) and whether it may join."""

    covariates: jnp.ndarray
    present: jnp.ndarray


class JoiningState(NamedTuple):
    joined_month: jnp.ndarray  # (member, paths) int32 scenario month of joining, 0 = not
    month: jnp.ndarray  # the state's scenario month (scalar)
    valid: jnp.ndarray
    thresholds: jnp.ndarray  # (member, 5 levels) uint32 bits of the monthly hazard


def _params(params) -> core.Params:
    return params if isinstance(params, core.Params) else core.Params(*params)


def _joins(words, stream, state, month, level) -> jnp.ndarray:
    """(member, paths): which members not yet joined join in ``month`` at ``level``."""
    members = jnp.arange(state.thresholds.shape[0], dtype=jnp.uint32)
    steps = (jnp.asarray(month, jnp.uint32) - 1) | (members << _MEMBER_SHIFT)
    bits = uniform_bits(words, stream[None, :], steps[:, None])
    threshold = jnp.take_along_axis(state.thresholds, level[None, :], axis=1)
    return state.valid[None, :] & (state.joined_month == 0) & (bits < threshold)


class JoiningComponent:
    """Per-path, per-member joining months (see the module docstring)."""

    name = "joining"
    final_categories = FINAL_CATEGORIES
    events = (Event("member_joined", (1,), "a committed coalition member joins the defender"),)
    headline_events = ("member_joined",)

    def start(self, words, params, inputs: JoiningInputs, stream, valid, context, *, num_months):
        hazard = core.hazard_table(_params(params), inputs.covariates)
        thresholds = jnp.where(inputs.present[:, None], probability_to_bits(hazard), 0)
        state = JoiningState(
            joined_month=jnp.zeros((thresholds.shape[0], stream.shape[0]), jnp.int32),
            month=jnp.int32(1),
            valid=valid,
            thresholds=thresholds.astype(jnp.uint32),
        )
        return self._advance(words, stream, state, context)

    def step(self, words, params, inputs: JoiningInputs, stream, state, step, context):
        return self._advance(words, stream, state._replace(month=state.month + 1), context)

    def _advance(self, words, stream, state: JoiningState, context) -> JoiningState:
        level = jnp.asarray(context["level"], jnp.int32)
        joins = _joins(words, stream, state, state.month, level)
        return state._replace(joined_month=jnp.where(joins, state.month, state.joined_month))

    def signals(self, state) -> dict:
        return {"joined_members": jnp.sum(state.joined_month > 0, axis=0, dtype=jnp.int32)}

    def final_category(self, state) -> jnp.ndarray:
        return jnp.any(state.joined_month > 0, axis=0).astype(jnp.int32)

    def tally(self, state, valid) -> dict:
        joined = (state.joined_month > 0) & valid[None, :]
        return {
            "joined": jnp.sum(joined, axis=1, dtype=jnp.int32),
            "any_joined": jnp.sum(jnp.any(joined, axis=0), dtype=jnp.int32),
        }

    def unpack(self, tallies: dict) -> dict:
        return tallies

    def finish(self, params, inputs, state, valid, *, num_months: int):
        """Paths by the number of members joined at the horizon (0 .. members)."""
        size = state.joined_month.shape[0] + 1
        number = jnp.sum(state.joined_month > 0, axis=0)
        return {"joiners": category_counts(number, valid, size)}, {}

    def complete(self, tallies, finals, num_valid) -> dict:
        return {
            "joined_count": tallies["joined"],
            "any_joined_count": tallies["any_joined"],
            "joiners_count": finals["joiners"],
            "path_count": num_valid,
        }


def member_covariates(member, contiguous: bool, era: str) -> list[float]:
    """``COVARIATE_NAMES`` values of an escalation ``Member`` (see the module docstring)."""
    values = {
        "defence_pact": float(member.commitment == "defence_pact"),
        "other_pledge": float(member.commitment == "ad_hoc"),
        "log_capability": float(np.log(member.capability / CAPABILITY_REFERENCE)),
        "land_contiguity": float(contiguous),
        "major_power": float(member.major_power),
        "defending_side": 1.0,
    } | {f"era_{name}": float(era == name) for name in ("before_1914", "world_wars", "cold_war")}
    return [values[name] for name in COVARIATE_NAMES]


def _variant_members(variant) -> dict[str, list[float]]:
    escalation, joining = variant.sections["escalation"], variant.sections["joining"]
    crisis = escalation.crisis(variant.actors)
    chosen = joining.joining_members(escalation.member_names)
    return {
        member.name: member_covariates(member, member.name in joining.contiguous, crisis.era)
        for member in crisis.coalition
        if member.name in chosen
    }


def scenario_arrays(scenario) -> ScenarioInputs:
    """Inputs stacked over variants on the union of the variants' joining members."""
    # a joining section without an escalation section is refused when the scenario is
    # built (JoiningSection.scenario_problems)
    per_variant = [_variant_members(variant) for variant in scenario.resolved_variants()]
    names = list(dict.fromkeys(name for members in per_variant for name in members))
    zeros = [0.0] * len(COVARIATE_NAMES)
    covariates = np.asarray([[m.get(n, zeros) for n in names] for m in per_variant], np.float32)
    covariates = covariates.reshape(len(per_variant), len(names), len(COVARIATE_NAMES))
    present = np.asarray([[n in m for n in names] for m in per_variant], bool).reshape(
        len(per_variant), len(names)
    )
    inputs = JoiningInputs(jnp.asarray(covariates), jnp.asarray(present))
    constant_data = {
        "joining_covariates": Variable(
            ("variant", "member", "joining_covariate"),
            covariates,
            "joining-model covariates of each member (0 where the member cannot join)",
            "1",
        ),
        "member_may_join": Variable(
            ("variant", "member"), present, "the member may join in this variant", "1"
        ),
    }
    num_months = scenario.horizon_months
    coords = {
        "month": np.arange(1, num_months + 1),
        "member": np.asarray(names),
        "joiners": np.arange(len(names) + 1),
        "joining_covariate": np.asarray(COVARIATE_NAMES),
    }
    return ScenarioInputs(inputs, {"num_months": num_months}, constant_data, coords)


def joining_metrics(totals: dict) -> dict[str, Variable]:
    """The cube's prediction variables from the summed totals."""
    paths = totals["path_count"].astype(np.float64)
    joined = totals["joined_count"]  # (chain, draw, variant, month, member)
    joiners = totals["joiners_count"]
    number = np.arange(joiners.shape[-1])
    return {
        "path_count": Variable(
            _LEAD, totals["path_count"], "simulated paths per draw and variant", "paths"
        ),
        "joined_count": Variable(
            (*_LEAD, "month", "member"),
            joined,
            "paths in which the member has joined by this month",
            "paths",
        ),
        "p_member_joins": Variable(
            (*_LEAD, "member", "month"),
            np.moveaxis(joined, -1, -2) / paths[..., None, None],
            "probability that the member has joined the defender by this month",
            "probability",
        ),
        "p_any_member_joins_by": Variable(
            (*_LEAD, "month"),
            totals["any_joined_count"] / paths[..., None],
            "probability that at least one committed member has joined by this month",
            "probability",
        ),
        "joiners_count": Variable(
            (*_LEAD, "joiners"),
            joiners,
            "paths by the number of members joined at the horizon",
            "paths",
        ),
        "expected_joiners": Variable(
            _LEAD,
            ratio((joiners * number).sum(-1), paths),
            "expected number of members joined by the horizon",
            "states",
        ),
    }


_DESCRIPTIONS = {
    "intercept": (
        "logit scale, per month",
        "logit of the monthly joining probability at covariates 0 and the use of force",
    ),
    "coefficients": (
        "logit scale per covariate unit",
        "covariate slopes of the monthly joining hazard",
    ),
    "level_effects": (
        "logit scale",
        "shift of the joining hazard at threat, display and war relative to the use of force "
        "(fitted as the association with the dispute's peak)",
    ),
}


class JoiningEnsemble(CoreEnsemble):
    """``EnsembleModel`` for ``riskengine.models.joining.core`` (composed only)."""

    name = "joining"
    core_module = core
    parameters = {
        name: Parameter(core.PARAMETER_DIMS[name], *_DESCRIPTIONS[name])
        for name in core.Params._fields
    }
    parameter_coords = dict(core.PARAMETER_COORDS)
    dimensions = {
        "member": "a coalition member that may join the defender (the union over variants)",
        "joiners": "number of members joined by the horizon",
        "joining_covariate": "joining-model covariate (riskengine.models.joining.data.COVARIATE_NAMES)",
        "joining_level": "crisis level of a joining level effect (use of force is the reference)",
    }
    reductions: dict = {}
    counter_steps = "own key words (fold_in 3); step (m-1) | j << 16 the month-m draw of member j"
    final_category_description = "whether a committed member joined by the horizon"
    data_note = (
        "joining: third states joining MID disputes 1816-2014 (COW MID 5.0, ATOP, NMC, contiguity)"
    )
    component = JoiningComponent()

    def scenario_inputs(self, scenario) -> ScenarioInputs:
        return scenario_arrays(scenario)

    def metrics(self, totals: dict, *, num_months: int) -> dict:
        return joining_metrics(totals)

    def judgments(self, *, num_months: int) -> list[Judgment]:
        return [
            Judgment(
                "p_any_member_joins_by",
                f"at least one committed coalition member joins the defender within {num_months} months",
                {"month": -1},
            ),
            Judgment(
                "expected_joiners",
                f"coalition members joined within {num_months} months",
                kind="quantity",
                units="states",
            ),
        ]

    def warnings(self, scenario, scenario_inputs, provenance: dict) -> dict[str, list[str]]:
        from riskengine.inference.posterior_checks import posterior_notes, stored_check
        from riskengine.models.paths import predictive_check_path

        if provenance.get("source") != "posterior":
            return {}
        table = stored_check(predictive_check_path("joining"))
        note = (
            "joining: fitted to MID disputes 1816-2014 with each dispute's months taken at its "
            "peak level; the level effects are associations with the peak, applied here to the "
            "current level"
        )
        return {"posterior": posterior_notes(provenance, table), "range": [note]}


MODEL = JoiningEnsemble()
