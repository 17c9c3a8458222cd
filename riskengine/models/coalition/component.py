"""The coalition process as a composable ``Component``: per path, members' positions
month by month and the month the institution decides (:mod:`.process` has the story).
With an escalation model in the path it also records whether the crisis reaches the use
of force (level 3 or 4) in a month from the tabled month to the decision month: the risk
that a crisis escalates while the body deliberates.

Signals for the models stepping after it (``MODEL_NAMES``): ``authorised`` (bool per
path, true from the decision month on) and ``coalition_size`` (members supporting this
month; frozen at the decision). It reads the escalation ``level`` signal when a crisis
runs in the same path (support rises with the level, a prior-only effect), 0 otherwise.

Permanent members of the Security Council draw their veto once per path from the veto
model (:func:`.process.veto_logits`; the process's docstring has the story).

Counter streams (the model's own key words): step ``(m - 1) | j << 16`` is member
``j``'s drift draw of month ``m``; ``2**32 - 1`` the path's shared factor; ``2**32 - 2 - j``
member ``j``'s persistent reading; ``2**32 - 2**15 - 2`` the draft's contestedness and
``2**32 - 2**15 - 3 - j`` member ``j``'s veto reading (months below 2**16, members below
2**15).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.scipy.special import ndtri

from riskengine.models.base import Event
from riskengine.models.coalition import process
from riskengine.models.coalition.rules import RuleArrays, blocking_members, decide
from riskengine.primitives.counter_rng import AUXILIARY_STEP, bits_to_unit_interval, uniform_bits
from riskengine.primitives.counts import category_counts

__all__ = ["FREE_POSITION", "CoalitionComponent", "CoalitionInputs", "CoalitionState"]

FINAL_CATEGORIES = ("not_authorised", "authorised")
FREE_POSITION = 2  # fixed-position code of a member whose position is drawn
_MEMBER_SHIFT = 16
_LATENT_STEP = AUXILIARY_STEP
_READING_STEP = AUXILIARY_STEP - 1
_CONTESTEDNESS_STEP = AUXILIARY_STEP - 2**15 - 1
_VETO_READING_STEP = _CONTESTEDNESS_STEP - 1
_USE_OF_FORCE = 3  # escalation level code


class CoalitionInputs(NamedTuple):
    """One variant: per member (member, ...) its covariates, an election in the window
    (0 or 1), presence, fixed position
    (-1, 0, 1, or ``FREE_POSITION``) and capability; the decision rule as
    ``rules.RuleArrays`` on the same member axis; the tabled month. For the veto model:
    per member its permanent seat (index in ``veto.coding.MEMBERS``, -1 for none or outside
    a Security Council variant), per seat (5,) the General Assembly agreement with the
    target and whether it is a party, and the veto model's era.

    Members of other variants absent from this one vote yes with no population, and the
    rule's ``minimum_yes`` counts them (``ensemble.variant_rule``): they change no count,
    share or veto of the rule, and never block."""

    covariates: jnp.ndarray
    election: jnp.ndarray
    present: jnp.ndarray
    fixed_position: jnp.ndarray
    capability: jnp.ndarray
    rule: RuleArrays
    tabled_month: jnp.ndarray
    veto_seat: jnp.ndarray
    veto_alignment: jnp.ndarray
    veto_party: jnp.ndarray
    veto_era: jnp.ndarray


class CoalitionState(NamedTuple):
    month: jnp.ndarray  # the state's scenario month (scalar)
    valid: jnp.ndarray
    location: jnp.ndarray  # (member,) support model's linear predictor
    latent: jnp.ndarray  # (paths,) shared factor times its scale
    reading: jnp.ndarray  # (member, paths) persistent logistic term
    vetoes: jnp.ndarray  # (member, paths) a permanent member's veto of the draft
    drift: jnp.ndarray  # (member, paths) random walk from the tabled month
    position: jnp.ndarray  # (member, paths) int32 -1 no, 0 abstain / not tabled, 1 yes
    decision_month: jnp.ndarray  # (paths,) int32 scenario month of the decision, 0 = none
    blocked: jnp.ndarray  # (member, paths) blocked the item this month
    ever_blocked: jnp.ndarray  # (member, paths)
    force_while_open: jnp.ndarray  # (paths,) the crisis at use of force or war while undecided


def _params(params) -> process.Params:
    return params if isinstance(params, process.Params) else process.Params(*params)


def _unit(words, stream, step) -> jnp.ndarray:
    return bits_to_unit_interval(uniform_bits(words, stream, step))


def _logistic(unit) -> jnp.ndarray:
    return jnp.log(unit) - jnp.log1p(-unit)


def _vetoes(words, params, inputs: CoalitionInputs, stream, members) -> jnp.ndarray:
    """(member, paths) whether each permanent member vetoes the draft in this path."""
    contestedness = ndtri(_unit(words, stream, jnp.uint32(_CONTESTEDNESS_STEP)))
    logits = process.veto_logits(
        params, inputs.veto_era, inputs.veto_alignment, inputs.veto_party, contestedness
    )  # (paths, 5)
    seat = jnp.maximum(inputs.veto_seat, 0)
    steps = (jnp.uint32(_VETO_READING_STEP) - members)[:, None]
    reading = _logistic(_unit(words, stream[None, :], steps))
    return (inputs.veto_seat[:, None] >= 0) & (logits.T[seat] + reading > 0)


class CoalitionComponent:
    """Per-path positions and decision month (see the module docstring)."""

    name = "coalition"
    final_categories = FINAL_CATEGORIES
    events = (Event("authorised", (1,), "the institution authorises the action"),)
    headline_events = ("authorised",)

    def start(self, words, params, inputs: CoalitionInputs, stream, valid, context, *, num_months):
        params = _params(params)
        members = jnp.arange(inputs.covariates.shape[0], dtype=jnp.uint32)
        shared = ndtri(_unit(words, stream, jnp.uint32(_LATENT_STEP)))
        reading = _logistic(
            _unit(words, stream[None, :], (jnp.uint32(_READING_STEP) - members)[:, None])
        )
        shape = reading.shape
        state = CoalitionState(
            month=jnp.int32(1),
            valid=valid,
            location=process.location(params, inputs.covariates, inputs.election),
            latent=params.case_scale * shared,
            reading=reading,
            vetoes=_vetoes(words, params, inputs, stream, members),
            drift=jnp.zeros(shape, jnp.float32),
            position=jnp.zeros(shape, jnp.int32),
            decision_month=jnp.zeros(stream.shape, jnp.int32),
            blocked=jnp.zeros(shape, bool),
            ever_blocked=jnp.zeros(shape, bool),
            force_while_open=jnp.zeros(stream.shape, bool),
        )
        return self._advance(words, params, inputs, stream, state, context)

    def step(self, words, params, inputs: CoalitionInputs, stream, state, step, context):
        state = state._replace(month=state.month + 1)
        return self._advance(words, _params(params), inputs, stream, state, context)

    def _advance(self, words, params, inputs, stream, state: CoalitionState, context):
        month = state.month
        members = jnp.arange(state.location.shape[0], dtype=jnp.uint32)
        steps = (jnp.asarray(month, jnp.uint32) - 1) | (members << _MEMBER_SHIFT)
        moves = ndtri(_unit(words, stream[None, :], steps[:, None]))
        drift = jnp.where(
            month > inputs.tabled_month, state.drift + params.movement_scale * moves, state.drift
        )
        level = jnp.asarray(context.get("level", jnp.zeros_like(stream, jnp.int32)), jnp.int32)
        crisis = params.level_shift * jnp.maximum(level - 1, 0).astype(jnp.float32)
        willingness = (
            state.location[:, None]
            + state.latent[None, :]
            + drift
            + crisis[None, :]
            + state.reading
        )
        drawn = process.position_from_willingness(willingness, params.abstain_width)
        permanent = inputs.veto_seat[:, None] >= 0  # its no would be a veto: abstains
        drawn = jnp.where(permanent, jnp.where(state.vetoes, -1, jnp.maximum(drawn, 0)), drawn)
        fixed = inputs.fixed_position[:, None]
        drawn = jnp.where(fixed != FREE_POSITION, fixed, drawn)
        drawn = jnp.where(inputs.present[:, None], drawn, 0)  # absent: no position
        open_item = state.valid & (state.decision_month == 0) & (month >= inputs.tabled_month)
        position = jnp.where(open_item[None, :], drawn, state.position)
        passes, blockers = _decide(position, inputs)
        blocked = blockers & (open_item & ~passes)[None, :]
        return state._replace(
            drift=drift,
            position=position,
            decision_month=jnp.where(open_item & passes, month, state.decision_month),
            blocked=blocked,
            ever_blocked=state.ever_blocked | blocked,
            force_while_open=state.force_while_open | (open_item & (level >= _USE_OF_FORCE)),
        )

    def signals(self, state) -> dict:
        return {
            "authorised": state.decision_month > 0,
            "coalition_size": jnp.sum(state.position == 1, axis=0, dtype=jnp.int32),
        }

    def final_category(self, state) -> jnp.ndarray:
        return (state.decision_month > 0).astype(jnp.int32)

    def tally(self, state, valid) -> dict:
        return {
            "authorised": jnp.sum((state.decision_month > 0) & valid, dtype=jnp.int32),
            "blocked": jnp.sum(state.blocked & valid[None, :], axis=1, dtype=jnp.int32),
            "supporting": jnp.sum((state.position == 1) & valid[None, :], axis=1, dtype=jnp.int32),
        }

    def unpack(self, tallies: dict) -> dict:
        return tallies

    def finish(self, params, inputs: CoalitionInputs, state, valid, *, num_months: int):
        """Counts at the horizon (months from tabling to decision, coalition size, members
        participating and ever blocking) and each member's per-path cost share."""
        authorised = valid & (state.decision_month > 0)
        months = jnp.where(authorised, state.decision_month - inputs.tabled_month + 1, 0)
        participant = (state.position == 1) & inputs.present[:, None] & authorised[None, :]
        size = jnp.sum(participant, axis=0)
        committed = jnp.where(participant, inputs.capability[:, None], 0.0)
        total = jnp.sum(committed, axis=0)
        counts = {
            "decision_time": category_counts(months, valid, num_months + 1),
            "coalition_size": category_counts(size, authorised, participant.shape[0] + 1),
            "participating": jnp.sum(participant, axis=1, dtype=jnp.int32),
            "ever_blocked": jnp.sum(state.ever_blocked & valid[None, :], axis=1, dtype=jnp.int32),
            "member_present": inputs.present.astype(jnp.int32) * jnp.sum(valid, dtype=jnp.int32),
            "force_while_open": jnp.sum(state.force_while_open & valid, dtype=jnp.int32),
        }
        share = jnp.where(total > 0, committed / jnp.where(total > 0, total, 1.0), 0.0)
        return counts, {"cost_share": share.astype(jnp.float32)}

    def complete(self, tallies, finals, num_valid) -> dict:
        return {
            "authorised_count": tallies["authorised"],
            "blocked_count": tallies["blocked"],
            "supporting_count": tallies["supporting"],
            "path_count": num_valid,
        } | {f"{name}_count": value for name, value in finals.items()}


def _decide(position, inputs: CoalitionInputs):
    """(passes (paths,), blockers (member, paths)) of the variant's rule; absent members
    vote yes (see ``CoalitionInputs``)."""
    votes = jnp.where(inputs.present[:, None], position, 1).T  # (paths, member)
    passes = jax.vmap(decide, in_axes=(0, None))(votes, inputs.rule)
    blockers = jax.vmap(blocking_members, in_axes=(0, None))(votes, inputs.rule)
    return passes, blockers.T & inputs.present[:, None]
