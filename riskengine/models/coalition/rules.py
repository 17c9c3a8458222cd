"""Decision rules on members' positions: pure JAX, one decision round, works under jit/vmap.

A round's *positions* hold one integer per member (int8 or int32), in the member order
of the rule (:func:`riskengine.models.coalition.institutions.members`): 1 yes (support,
joins), 0 abstain, -1 no (objects). Every rule kind of ``rules.yaml`` is one instance of
a single form (:class:`RuleArrays`, built from an ``institutions.Rule`` by
:func:`rule_arrays`); a decision passes when all four criteria hold:

1. count: at least ``minimum_yes`` members vote yes;
2. population: the yes side holds at least ``minimum_yes_population`` persons, unless
   fewer than ``minimum_blocking_members`` members do not vote yes (the Union's "a
   blocking minority must include at least four members"); an abstention counts as not
   in favour, as in the Council of the EU;
3. veto: no member with ``veto`` votes no;
4. abstention limit: not (at least ``abstention_limit_members`` members abstain holding at
   least ``abstention_limit_population`` persons) (Art. 31(1) TEU).

The kinds: ``veto_majority`` (Security Council: 9 yes, veto for the permanent members, an
abstention is no veto), ``consensus`` (NATO: every member has a veto, abstaining does not
object), ``unanimity_constructive_abstention`` (every member has a veto, plus the
abstention limit), ``qualified_majority`` (criteria 1 and 2) and ``threshold`` (criterion
1: a coalition acts when at least ``minimum_members`` join; :func:`coalition_positions`
turns support into joining). Thresholds are exact integers (counts, persons); sums are
int32, so a rule's total population must stay below 2**31.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.errors import UsageError

__all__ = [
    "RuleArrays",
    "blocking_members",
    "coalition_positions",
    "decide",
    "draw_positions",
    "rule_arrays",
]

YES, ABSTAIN, NO = 1, 0, -1


class RuleArrays(NamedTuple):
    """A decision rule as arrays (a pytree); per-member fields in member order."""

    veto: jnp.ndarray  # (members,) bool: a "no" from this member blocks on its own
    population: jnp.ndarray  # (members,) int32 persons (1 each where unused)
    minimum_yes: jnp.ndarray  # () int32 members voting yes
    minimum_yes_population: jnp.ndarray  # () int32 persons voting yes (0: no criterion)
    minimum_blocking_members: jnp.ndarray  # () int32 not-yes members a shortfall needs
    abstention_limit_members: jnp.ndarray  # () int32 abstainers (members + 1: no limit)
    abstention_limit_population: jnp.ndarray  # () int32 persons abstaining


def rule_arrays(rule) -> RuleArrays:
    """``RuleArrays`` of an ``institutions.Rule`` (checked here, before any ``jit``)."""
    if int(np.sum(rule.population)) >= 2**31:
        raise UsageError(
            f"{rule.institution}: total population {int(np.sum(rule.population))}; allowed: "
            "below 2**31 (sums are int32): give population in a coarser unit"
        )
    scalars = (
        rule.minimum_yes,
        rule.minimum_yes_population,
        rule.minimum_blocking_members,
        rule.abstention_limit_members,
        rule.abstention_limit_population,
    )
    return RuleArrays(
        jnp.asarray(rule.veto, bool),
        jnp.asarray(rule.population, jnp.int32),
        *(jnp.asarray(value, jnp.int32) for value in scalars),
    )


class _Tally(NamedTuple):
    majority: jnp.ndarray  # () bool: criteria 1 and 2 hold
    minority_blocks: jnp.ndarray  # () bool: a blocking minority of not-yes members
    vetoes: jnp.ndarray  # (members,) bool: veto holders voting no
    abstention_exceeded: jnp.ndarray  # () bool: criterion 4 fails


def _tally(positions: jnp.ndarray, arrays: RuleArrays) -> _Tally:
    yes, abstain = positions == YES, positions == ABSTAIN
    num_yes = jnp.sum(yes, dtype=jnp.int32)
    num_not_yes = positions.shape[-1] - num_yes
    yes_population = jnp.sum(jnp.where(yes, arrays.population, 0), dtype=jnp.int32)
    shortfall = (yes_population < arrays.minimum_yes_population) & (
        num_not_yes >= arrays.minimum_blocking_members
    )
    majority = (num_yes >= arrays.minimum_yes) & ~shortfall
    minority_blocks = (
        (arrays.minimum_blocking_members > 0)
        & ~majority
        & (num_not_yes >= arrays.minimum_blocking_members)
    )
    abstention_exceeded = (jnp.sum(abstain, dtype=jnp.int32) >= arrays.abstention_limit_members) & (
        jnp.sum(jnp.where(abstain, arrays.population, 0), dtype=jnp.int32)
        >= arrays.abstention_limit_population
    )
    return _Tally(majority, minority_blocks, (positions == NO) & arrays.veto, abstention_exceeded)


def decide(positions: jnp.ndarray, arrays: RuleArrays) -> jnp.ndarray:
    """() bool: the decision passes (see the module docstring for the four criteria)."""
    tally = _tally(positions, arrays)
    return tally.majority & ~jnp.any(tally.vetoes) & ~tally.abstention_exceeded


def blocking_members(positions: jnp.ndarray, arrays: RuleArrays) -> jnp.ndarray:
    """(members,) bool: the members whose positions block the decision.

    A veto holder voting no (any objector under consensus or unanimity); under a
    qualified majority, when the majority fails and at least ``minimum_blocking_members``
    members do not vote yes, every member not voting yes (the blocking minority: an
    abstention counts as not in favour); when the abstention limit is reached, the
    abstainers. A count shortfall alone (8 yes in the Council, too few joining a
    coalition) is nobody's block: all False.
    """
    tally = _tally(positions, arrays)
    minority = tally.minority_blocks & (positions != YES)
    return tally.vetoes | minority | (tally.abstention_exceeded & (positions == ABSTAIN))


def coalition_positions(support: jnp.ndarray, support_threshold) -> jnp.ndarray:
    """(..., members) int8 positions of a threshold rule: 1 (joins) where support exceeds
    ``support_threshold``, else -1 (stays out)."""
    return jnp.where(support > support_threshold, YES, NO).astype(jnp.int8)


def draw_positions(
    rng_key: jax.Array,
    support_probabilities: jnp.ndarray,
    abstain_probabilities: jnp.ndarray,
    *,
    num_draws: int,
) -> jnp.ndarray:
    """(num_draws, members) int8 positions, members independent: yes with probability
    ``support_probabilities``, abstain with ``abstain_probabilities``, else no."""
    support = jnp.asarray(support_probabilities)
    uniform = jax.random.uniform(rng_key, (num_draws, support.shape[-1]))
    abstain_below = support + jnp.asarray(abstain_probabilities)
    positions = jnp.where(uniform < support, YES, jnp.where(uniform < abstain_below, ABSTAIN, NO))
    return positions.astype(jnp.int8)
