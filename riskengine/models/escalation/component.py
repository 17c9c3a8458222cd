"""The escalation ladder as a composable component: per-path level, peak and thresholds.

The same transition as ``core.summarize`` (``core._path_start`` and ``core._advance``
on the model's own counter stream), so the crisis paths of a composed run are the
escalation-only paths, bit for bit; it exposes the crisis ``level`` each month to the
models after it (e.g. a sanctions trigger). Its final category is the peak level.

When a model before it exposes ``challenge`` (the onset model: a dispute opens this
month), the crisis waits: a path sits at level 0 until its challenge, then starts at
its start level that month and steps from the next. A path that is never challenged
has peak 0, counted as ``settled``.
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp

from riskengine.models.base import Event
from riskengine.models.escalation import core
from riskengine.primitives.counter_rng import uniform_bits
from riskengine.primitives.packed_counts import code_bytes, fold_lanes, unpack

__all__ = ["EscalationComponent", "EscalationState"]


class EscalationState(NamedTuple):
    level: jnp.ndarray  # int32 per path, 0 settled .. 4 war (invalid paths sit at 0)
    peak: jnp.ndarray  # highest level so far
    thresholds: jnp.ndarray  # (4 levels, 3, paths) step thresholds in bits
    opening: jnp.ndarray  # the level each path starts at (when its dispute opens)


def _params(params) -> core.Params:
    return params if isinstance(params, core.Params) else core.Params(*params)


class EscalationComponent:
    """Escalation's per-path state and monthly transition (see the module docstring)."""

    name = "escalation"
    final_categories = core.LEVEL_NAMES
    final_category_description = "highest escalation level reached by the horizon"
    events = (
        Event("use_of_force", (3, 4), "the crisis reaches use of force (or war)"),
        Event("war", (4,), "the crisis reaches war"),
    )
    headline_events = ("use_of_force", "war")

    def start(self, words, params, inputs, stream, valid, context, *, num_months: int):
        _, thresholds, opening = core._path_start(words, _params(params), inputs, stream)
        opening = jnp.where(valid, opening, 0)
        start = jnp.where(context["challenge"], opening, 0) if "challenge" in context else opening
        return EscalationState(start, start, thresholds, opening)

    def step(self, words, params, inputs, stream, state, step, context):
        level = core._advance(state.level, uniform_bits(words, stream, step), state.thresholds)
        if "challenge" in context:
            level = jnp.where(context["challenge"] & (state.peak == 0), state.opening, level)
        return state._replace(level=level, peak=jnp.maximum(state.peak, level))

    def signals(self, state) -> dict:
        return {"level": state.level}

    def final_category(self, state) -> jnp.ndarray:
        return state.peak

    def tally(self, state, valid) -> dict:
        """Packed counts of levels 1..4 (invalid paths sit at 0 and count nowhere)."""
        return {
            "level": fold_lanes(code_bytes(state.level)),
            "peak": fold_lanes(code_bytes(state.peak)),
        }

    def unpack(self, tallies: dict) -> dict:
        """A sweep's packed monthly tallies -> int32 counts (month, 4)."""
        return {name: unpack(words) for name, words in tallies.items()}

    def finish(self, params, inputs, state, valid, *, num_months: int):
        return {}, {}

    def complete(self, tallies, finals, num_valid) -> dict:
        def with_settled(counts):
            return jnp.concatenate([num_valid - counts.sum(-1, keepdims=True), counts], -1)

        return {
            "level_count": with_settled(tallies["level"]),
            "peak_count": with_settled(tallies["peak"]),
            "path_count": num_valid,
        }
