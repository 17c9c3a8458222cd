"""A monthly escalation ladder: levels, the move implied by a step category, and its
Markov transition matrix.

Levels follow the COW MID hostility coding: 0 settled (absorbing), 1 threat, 2 display
of force, 3 use of force, 4 war. Each month an ordered step category moves the crisis:
0 settle (to 0), 1 de-escalate (one level down; from threat this also ends the crisis),
2 stay, 3 escalate (one level up; war stays war).
"""

from __future__ import annotations

import jax.numpy as jnp

__all__ = [
    "NUM_LEVELS",
    "NUM_STEP_CATEGORIES",
    "SETTLED",
    "THREAT",
    "DISPLAY",
    "USE_OF_FORCE",
    "WAR",
    "next_level",
    "transition_matrix",
]

SETTLED, THREAT, DISPLAY, USE_OF_FORCE, WAR = 0, 1, 2, 3, 4
NUM_LEVELS = 5
NUM_STEP_CATEGORIES = 4  # settle, de-escalate, stay, escalate


def next_level(level: jnp.ndarray, category: jnp.ndarray) -> jnp.ndarray:
    """Level after a step: settle -> 0, de-escalate -> level-1, stay, escalate -> level+1.

    Settled (0) is absorbing. Works on integer arrays of any (broadcastable) shape.
    """
    moved = jnp.clip(level + category - 2, SETTLED, WAR)
    moved = jnp.where(category == 0, SETTLED, moved)
    return jnp.where(level == SETTLED, SETTLED, moved).astype(level.dtype)


def transition_matrix(step_probabilities: jnp.ndarray) -> jnp.ndarray:
    """Markov matrix ``P[from, to]`` (5 x 5) from step probabilities per active level.

    ``step_probabilities`` has shape ``(..., 4, 4)``: for levels threat..war, the
    probabilities of (settle, de-escalate, stay, escalate). Row 0 (settled) is absorbing.
    """
    batch_shape = step_probabilities.shape[:-2]
    matrix = jnp.zeros((*batch_shape, NUM_LEVELS, NUM_LEVELS), step_probabilities.dtype)
    matrix = matrix.at[..., SETTLED, SETTLED].set(1.0)
    levels = jnp.arange(THREAT, WAR + 1)
    for category in range(NUM_STEP_CATEGORIES):
        targets = next_level(levels, jnp.full_like(levels, category))
        matrix = matrix.at[..., levels, targets].add(step_probabilities[..., :, category])
    return matrix
