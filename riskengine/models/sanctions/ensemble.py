"""The sanctions model as an ``EnsembleModel`` and a composable ``Component``.

Per path: the sanctions are imposed in month 1 (trigger ``immediate``), in the first
month the crisis level (the ``level`` signal of the escalation component) reaches the
trigger, or (trigger ``authorised``) in the month the coalition component's institution
authorises the action (its ``authorised`` signal). With ``sender_count: coalition`` the
number of senders, a covariate of every part of the model, is the coalition's supporters
at the decision in that path (its ``coalition_size`` signal, 1 to ``MAX_SENDERS`` as
TIES lists them): the per-draw tables are kept for each count (a row per count, row 0 the
listed senders') and each path reads its row from imposition on; the listed senders
still price the money costs. The target's and the senders' cost levels are drawn at imposition
(``target_cost_probabilities``, ``sender_cost_probabilities``); from the month after
imposition each month the case ends with ``end_probability`` and, when it ends, its
outcome is drawn from ``outcome_probabilities`` (the core functions shared with the
likelihood in :mod:`riskengine.models.sanctions.core`).

Counter streams (the model's own key words): step ``s`` is the month-``s + 2`` ending
draw, ``s | 2**31`` its outcome draw, ``2**32 - 1`` the target's cost level,
``2**32 - 2`` the senders'.

Costs in money are an *assumption layer* on top of the fitted cost levels: a month in
force costs the target ``loss_fraction[level]`` of its monthly trade with the senders,
and each sender that fraction of its own monthly trade with the target (COW trade,
latest year). TIES codes cost levels, not amounts, so the fractions are scenario
settings (``sanctions.loss_fraction``), not fitted; each sender's share of the cost is
therefore its share of the senders' trade with the target.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from riskengine.models.base import (
    CoreEnsemble,
    Event,
    FixedPointSum,
    Histogram,
    Judgment,
    Parameter,
    ScenarioInputs,
)
from riskengine.models.sanctions import core
from riskengine.models.sanctions.coding import (
    COST_NAMES,
    COVARIATE_NAMES,
    MAX_SENDERS,
    OUTCOME_NAMES,
)
from riskengine.models.sanctions.inputs import scenario_arrays
from riskengine.models.sanctions.metrics import sanctions_metrics
from riskengine.models.sanctions.section import AUTHORISED_TRIGGER
from riskengine.primitives.counter_rng import AUXILIARY_STEP, uniform_bits
from riskengine.primitives.counts import category_counts
from riskengine.primitives.ordered_logit import (
    category_from_bits,
    cumulative_probabilities,
    probability_to_bits,
)
from riskengine.primitives.packed_counts import code_bytes, fold_lanes, unpack

__all__ = ["MODEL", "STATUS_NAMES", "SanctionsEnsemble", "SanctionsState"]

STATUS_NAMES = ("not_imposed", "in_force", *OUTCOME_NAMES)
"""A path's sanctions status in a month: not (yet) imposed, in force, or ended with an
outcome (failure, negotiated settlement, acquiescence)."""
MONTHS_IN_FORCE_EDGES = (1.0, 7.0, 13.0, 25.0, 61.0, 121.0)
_OUTCOME_STEP = 1 << 31
_TARGET_COST_STEP = AUXILIARY_STEP
_SENDER_COST_STEP = AUXILIARY_STEP - 1


class SanctionsState(NamedTuple):
    """Per-path state: months are scenario months (1-based), 0 = not (yet)."""

    imposed_month: jnp.ndarray
    end_month: jnp.ndarray
    outcome: jnp.ndarray  # index into OUTCOME_NAMES, -1 while not ended
    target_cost_draw: jnp.ndarray  # (paths,) uint32: the cost level's draw
    sender_cost_draw: jnp.ndarray
    month: jnp.ndarray  # the state's scenario month (scalar)
    valid: jnp.ndarray
    sender_row: jnp.ndarray  # per path: 0 the listed senders, k = k senders (coalition)
    end_thresholds: jnp.ndarray  # (rows, num_months + 1) bits of the ending hazard by months since
    outcome_thresholds: jnp.ndarray  # (rows, num_months + 1, 2) bits of the outcome's cumulative
    target_cost_thresholds: jnp.ndarray  # (rows, 2) bits of the cost levels' cumulative
    sender_cost_thresholds: jnp.ndarray


class SanctionsInputs(NamedTuple):
    """One variant: the case's covariates, issue and era; its trigger level; the money
    lost per month in force by cost level (target (3,), senders (sender, 3))."""

    covariates: jnp.ndarray
    issue: jnp.ndarray
    era: jnp.ndarray
    trigger_level: jnp.ndarray
    coalition_senders: jnp.ndarray  # bool: sender_count "coalition"
    target_rate_musd: jnp.ndarray
    sender_rate_musd: jnp.ndarray


def _params(params) -> core.Params:
    return params if isinstance(params, core.Params) else core.Params(*params)


def _cost_thresholds(params, covariates, prefix: str) -> jnp.ndarray:
    """(rows, levels - 1) bits of the cost levels' cumulative probabilities per row of
    ``covariates``; a path's level is read at its row when it is tallied."""
    cumulative = jax.vmap(
        lambda row: cumulative_probabilities(
            getattr(params, f"{prefix}_cutpoints"),
            jnp.sum(row * getattr(params, f"{prefix}_coefficients")),
        )
    )(covariates)
    return probability_to_bits(cumulative)


def _covariate_rows(covariates) -> jnp.ndarray:
    """(1 + MAX_SENDERS, covariates): the variant's own, then sender_count = log(k) for
    k = 1..MAX_SENDERS (the coalition's supporters as senders)."""
    index = COVARIATE_NAMES.index("sender_count")
    counts = jnp.log(jnp.arange(1, MAX_SENDERS + 1, dtype=jnp.float32))
    by_count = jnp.broadcast_to(covariates, (MAX_SENDERS, covariates.shape[-1]))
    return jnp.concatenate([covariates[None], by_count.at[:, index].set(counts)])


def _sender_row(inputs, context, stream) -> jnp.ndarray:
    size = context.get("coalition_size", jnp.zeros_like(stream, jnp.int32))
    return jnp.where(inputs.coalition_senders, jnp.clip(size, 1, MAX_SENDERS), 0)


class SanctionsComponent:
    """The sanctions' per-path state and monthly transition (see the module docstring)."""

    name = "sanctions"
    final_categories = STATUS_NAMES
    events = (
        Event("imposed", (1, 2, 3, 4), "sanctions are imposed"),
        Event("success", (3, 4), "sanctions succeed (negotiated settlement or acquiescence)"),
        Event("acquiescence", (4,), "the target acquiesces to the sanctions"),
    )
    headline_events = ("success",)

    def start(self, words, params, inputs: SanctionsInputs, stream, valid, context, *, num_months):
        params = _params(params)
        # per-draw tables by months since imposition (index 0 unused): a gather a month,
        # not a logistic per path-month
        months_since = jnp.arange(num_months + 1).at[0].set(1)
        rows = _covariate_rows(inputs.covariates)
        end = jax.vmap(lambda row: core.end_probability(params, row, months_since))(rows)
        outcome = jax.vmap(
            lambda row: core.outcome_probabilities(
                params, row, inputs.issue, inputs.era, months_since
            )
        )(rows)
        level = context.get("level", jnp.zeros_like(stream, jnp.int32))
        authorised = context.get("authorised", jnp.zeros_like(stream, bool))
        imposed = valid & _triggered(inputs.trigger_level, level, authorised, at_start=True)
        return SanctionsState(
            imposed_month=jnp.where(imposed, 1, 0).astype(jnp.int32),
            end_month=jnp.zeros_like(stream, jnp.int32),
            outcome=jnp.full_like(stream, -1, jnp.int32),
            target_cost_draw=uniform_bits(words, stream, _TARGET_COST_STEP),
            sender_cost_draw=uniform_bits(words, stream, _SENDER_COST_STEP),
            month=jnp.int32(1),
            valid=valid,
            sender_row=jnp.where(imposed, _sender_row(inputs, context, stream), 0),
            end_thresholds=probability_to_bits(end),
            outcome_thresholds=probability_to_bits(jnp.cumsum(outcome[..., :-1], axis=-1)),
            target_cost_thresholds=_cost_thresholds(params, rows, "target_cost"),
            sender_cost_thresholds=_cost_thresholds(params, rows, "sender_cost"),
        )

    def step(self, words, params, inputs: SanctionsInputs, stream, state, step, context):
        params = _params(params)
        month = state.month + 1
        level = context.get("level", jnp.zeros_like(stream, jnp.int32))
        authorised = context.get("authorised", jnp.zeros_like(stream, bool))
        newly = (
            state.valid
            & (state.imposed_month == 0)
            & _triggered(inputs.trigger_level, level, authorised, at_start=False)
        )
        imposed_month = jnp.where(newly, month, state.imposed_month)
        sender_row = jnp.where(newly, _sender_row(inputs, context, stream), state.sender_row)
        active = (state.imposed_month > 0) & (state.end_month == 0)
        months_since = jnp.clip(month - state.imposed_month, 1, state.end_thresholds.shape[1] - 1)
        end_threshold = state.end_thresholds[state.sender_row, months_since]
        ends = active & (uniform_bits(words, stream, step) < end_threshold)
        outcome = category_from_bits(
            uniform_bits(words, stream, step | jnp.uint32(_OUTCOME_STEP)),
            state.outcome_thresholds[state.sender_row, months_since],
        )
        return state._replace(
            imposed_month=imposed_month,
            sender_row=sender_row,
            end_month=jnp.where(ends, month, state.end_month),
            outcome=jnp.where(ends, outcome, state.outcome),
            month=month,
        )

    def signals(self, state) -> dict:
        return {"sanctions_in_force": (state.imposed_month > 0) & (state.end_month == 0)}

    def final_category(self, state) -> jnp.ndarray:
        """Status index (``STATUS_NAMES``) of each path."""
        status = jnp.where(state.imposed_month > 0, 1, 0)
        return jnp.where(state.end_month > 0, 2 + state.outcome, status).astype(jnp.int32)

    def tally(self, state, valid) -> dict:
        """Packed counts of statuses 1..4 (not imposed, and invalid paths, count nowhere)."""
        return {"status": fold_lanes(code_bytes(self.final_category(state)))}

    def unpack(self, tallies: dict) -> dict:
        return {"status": unpack(tallies["status"])}

    def finish(self, params, inputs: SanctionsInputs, state, valid, *, num_months: int):
        """Counts at the horizon, and per-path months in force and money lost."""
        imposed = valid & (state.imposed_month > 0)
        ended = valid & (state.end_month > 0)
        in_force_until = jnp.where(ended, state.end_month, state.month + 1)
        months_in_force = jnp.where(imposed, in_force_until - state.imposed_month, 0)
        row = state.sender_row
        target_cost = category_from_bits(state.target_cost_draw, state.target_cost_thresholds[row])
        sender_cost = category_from_bits(state.sender_cost_draw, state.sender_cost_thresholds[row])
        counts = {
            "target_cost": category_counts(target_cost, imposed, len(COST_NAMES)),
            "sender_cost": category_counts(sender_cost, imposed, len(COST_NAMES)),
            "outcome_time": _outcome_time_counts(
                state.end_month - state.imposed_month, state.outcome, ended, num_months
            ),
        }
        months = months_in_force.astype(jnp.float32)
        per_path = {
            "months_in_force": months,
            "target_trade_lost_musd": months * inputs.target_rate_musd[target_cost],
            "sender_trade_lost_musd": months[None, :] * inputs.sender_rate_musd[:, sender_cost],
        }
        return counts, per_path

    def complete(self, tallies, finals, num_valid) -> dict:
        counts = tallies["status"]
        status = jnp.concatenate([num_valid - counts.sum(-1, keepdims=True), counts], -1)
        return {"status_count": status, "path_count": num_valid} | {
            f"{name}_count": value for name, value in finals.items()
        }


def _triggered(trigger_level, level, authorised, *, at_start: bool) -> jnp.ndarray:
    """Paths whose trigger fires this month: ``immediate`` (0) only at the start, a crisis
    level once the crisis reaches it, ``authorised`` (-1) once the coalition's institution
    has authorised the action (its ``authorised`` signal; False without a coalition)."""
    crisis = (trigger_level > 0) & (level >= trigger_level)
    by_institution = (trigger_level == AUTHORISED_TRIGGER) & authorised
    return crisis | by_institution | ((trigger_level == 0) & at_start)


def _outcome_time_counts(months, outcome, ended, num_months: int) -> jnp.ndarray:
    """(num_months months from imposition to outcome, 3 outcomes) counts of ended paths
    (a scatter-add: a one-hot over months x outcomes cost more than the months' loop)."""
    cell = (jnp.clip(months, 1, num_months) - 1) * len(OUTCOME_NAMES) + jnp.maximum(outcome, 0)
    counts = (
        jnp.zeros(num_months * len(OUTCOME_NAMES), jnp.int32).at[cell].add(ended.astype(jnp.int32))
    )
    return counts.reshape(num_months, len(OUTCOME_NAMES))


MONTHS_IN_FORCE_LABELS = ("none", "1-6", "7-12", "13-24", "25-60", "61-120", "over 120")
_LOGIT = "logit scale"
_DIMENSIONS = {
    "sender": "a sending state of any variant (the union over variants)",
    "sanction_covariate": "sanctions-model predictor (riskengine.models.sanctions.coding.COVARIATE_NAMES)",
    "issue": "TIES issue group (coding.ISSUE_NAMES)",
    "sanction_era": "era of imposition in TIES (coding.ERA_NAMES)",
    "outcome_cutpoint": "boundary between two ordered sanctions outcomes",
    "cost_cutpoint": "boundary between two ordered cost levels",
    "sanctions_status": "not_imposed, in_force, or ended with failure, negotiated_settlement, acquiescence",
    "outcome": "how sanctions end: failure, negotiated_settlement (TIES 10), acquiescence (TIES 6, 7)",
    "cost_level": "TIES cost level: minor, major, severe",
    "months_since_imposition": "months from imposition to the outcome, 1-based",
    "months_in_force_bin": "months the sanctions are in force within the horizon",
}
_DESCRIPTIONS = {
    "hazard_intercept": (
        "logit scale, per month",
        "logit of the monthly ending probability in month 1 at covariates 0",
    ),
    "hazard_coefficients": (
        "logit scale per covariate unit",
        "covariate slopes of the monthly ending hazard",
    ),
    "hazard_duration_slope": (
        "logit scale per log month",
        "duration dependence of the ending hazard",
    ),
    "outcome_cutpoints": (_LOGIT, "ordered-logit cut-points of the outcome when the case ends"),
    "outcome_coefficients": (
        "logit scale per covariate unit",
        "covariate slopes of the outcome location (positive: success likelier)",
    ),
    "outcome_duration_slope": (
        "logit scale per log month",
        "outcome location change with the month the case ends",
    ),
    "issue_effect": (_LOGIT, "outcome-location shift of the issue group (partially pooled)"),
    "issue_scale": (_LOGIT, "standard deviation of the issue-group effects"),
    "era_effect": (_LOGIT, "outcome-location shift of the era (partially pooled)"),
    "era_scale": (_LOGIT, "standard deviation of the era effects"),
    "target_cost_cutpoints": (_LOGIT, "ordered-logit cut-points of the target's cost level"),
    "target_cost_coefficients": (
        "logit scale per covariate unit",
        "covariate slopes of the target's cost level",
    ),
    "sender_cost_cutpoints": (_LOGIT, "ordered-logit cut-points of the senders' cost level"),
    "sender_cost_coefficients": (
        "logit scale per covariate unit",
        "covariate slopes of the senders' cost level (rests largely on its prior: few costly cases)",
    ),
}


class SanctionsEnsemble(CoreEnsemble):
    """``EnsembleModel`` for ``riskengine.models.sanctions.core``."""

    name = "sanctions"
    core_module = core
    parameters = {
        name: Parameter(core.PARAMETER_DIMS[name], *_DESCRIPTIONS[name])
        for name in core.Params._fields
    }
    parameter_coords = dict(core.PARAMETER_COORDS)
    dimensions = _DIMENSIONS
    reductions = {
        "months_in_force": Histogram(MONTHS_IN_FORCE_EDGES),
        "target_trade_lost_musd": FixedPointSum(scale_bits=4, square_scale_bits=0),
        "sender_trade_lost_musd": FixedPointSum(scale_bits=4, square_scale_bits=0),
    }
    counter_steps = (
        "own key words (fold_in 1); step s the month-(s+2) ending draw, s | 2**31 its outcome "
        "draw, 2**32-1 the target's cost level, 2**32-2 the senders'"
    )
    final_category_description = "sanctions status at the horizon"
    data_note = "sanctions: imposed cases of TIES 4.1 (1945-2005) with COW trade, ATOP, V-Dem"
    component = SanctionsComponent()

    def scenario_inputs(self, scenario) -> ScenarioInputs:
        return scenario_arrays(scenario)

    def metrics(self, totals: dict, *, num_months: int) -> dict:
        return sanctions_metrics(totals)

    def judgments(self, *, num_months: int) -> list[Judgment]:
        window = {"months_since_imposition": min(24, max(1, num_months - 1))}
        months = window["months_since_imposition"]
        return [
            Judgment(
                "p_success_within",
                f"sanctions succeed (negotiated settlement or acquiescence) within {months} months of imposition",
                window,
            ),
            Judgment(
                "p_acquiescence_within",
                f"the target acquiesces within {months} months of imposition",
                window,
            ),
            Judgment(
                "target_trade_lost_musd_mean",
                f"trade the target loses to the sanctions within {num_months} months (assumed loss fractions)",
                kind="quantity",
                units="million current USD",
            ),
        ]

    def warnings(self, scenario, scenario_inputs, provenance: dict) -> dict[str, list[str]]:
        from riskengine.models.sanctions.warnings import sanctions_warnings

        return sanctions_warnings(scenario, provenance)


MODEL = SanctionsEnsemble()
