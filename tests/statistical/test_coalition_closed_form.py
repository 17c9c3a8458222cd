"""The coalition component against closed forms. Without the shared factor and the
drift, members decide independently, each voting no with probability
``sigmoid(-abstain_width - location)``: NATO's consensus passes in the tabled month with
probability prod_j (1 - P(no_j)); the Security Council's veto majority and a coalition
of the willing's threshold follow the same product over permanent members and a
Poisson-binomial count. Monte Carlo within 5 standard errors, fixed seeds; the negative
control (a shared factor with scale 1.5) must leave the independent closed form."""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import expit

from riskengine.models.coalition import process
from riskengine.models.coalition.component import FREE_POSITION, CoalitionComponent, CoalitionInputs
from riskengine.models.coalition.inputs import variant_rule
from riskengine.models.coalition.section import CoalitionSection
from riskengine.primitives.counter_rng import stream_words

NUM_PATHS = 40_000
COMPONENT = CoalitionComponent()
NAMES = ["P", "A", "B", "C", "D"]
INTERCEPTS = np.asarray([0.0, 1.5, 0.8, 0.2, -0.3], np.float32)  # member locations
WIDTH = 1.0


def _params(case_scale: float, level_shift: float = 0.0) -> process.Params:
    return process.Params(
        intercept=jnp.float32(0.0),
        coefficients=jnp.asarray([1.0] + [0.0] * 7, jnp.float32),  # ally_proposer carries it
        case_scale=jnp.float32(case_scale),
        election_shift=jnp.float32(0.0),
        abstain_width=jnp.float32(WIDTH),
        movement_scale=jnp.float32(0.0),
        level_shift=jnp.float32(level_shift),
    )


def _passed_in_month_one(
    institution: str, case_scale: float, minimum=None, level=None, level_shift=0.0
) -> np.ndarray:
    section = CoalitionSection.build(
        institution=institution, proposer="P", target="T", members=NAMES, minimum_members=minimum
    )
    rows = {n: {"veto_holder": n in "PAB", "population": 1.0} for n in NAMES}
    rule, _ = variant_rule(section, rows, NAMES)
    covariates = np.zeros((len(NAMES), len(process.COVARIATE_NAMES)), np.float32)
    covariates[:, 0] = INTERCEPTS
    inputs = CoalitionInputs(
        covariates=jnp.asarray(covariates),
        election=jnp.zeros(len(NAMES), jnp.float32),
        present=jnp.ones(len(NAMES), bool),
        fixed_position=jnp.asarray([1] + [FREE_POSITION] * 4, jnp.int32),
        capability=jnp.ones(len(NAMES), jnp.float32),
        rule=jax.tree.map(jnp.asarray, rule),
        tabled_month=jnp.int32(1),
    )
    words = jax.random.key_data(jax.random.key(11)).astype(jnp.uint32)
    stream = stream_words(words, jnp.arange(NUM_PATHS))
    context = {} if level is None else {"level": jnp.full(NUM_PATHS, level, jnp.int32)}
    params = _params(case_scale, level_shift)
    valid = jnp.ones(NUM_PATHS, bool)
    state = COMPONENT.start(words, params, inputs, stream, valid, context, num_months=3)
    return np.asarray(state.decision_month == 1)


def _no_yes() -> tuple[np.ndarray, np.ndarray]:
    no = expit(-WIDTH - INTERCEPTS[1:])
    yes = expit(INTERCEPTS[1:])
    return no, yes


def _poisson_binomial_at_least(probabilities, count: int) -> float:
    total = 0.0
    for outcome in itertools.product((0, 1), repeat=len(probabilities)):
        if sum(outcome) >= count:
            total += np.prod(
                [p if o else 1 - p for p, o in zip(probabilities, outcome, strict=True)]
            )
    return total


def _assert_close(simulated: np.ndarray, truth: float) -> None:
    estimate = simulated.mean()
    error = np.sqrt(truth * (1 - truth) / simulated.size)
    assert abs(estimate - truth) < 5 * error, (estimate, truth, error, simulated.size)


def test_consensus_is_the_product_of_no_objection():
    no, _ = _no_yes()
    _assert_close(_passed_in_month_one("nato", 0.0), float(np.prod(1 - no)))


def test_veto_majority_needs_no_permanent_no_and_enough_yes():
    """P (the proposer, yes), A and B hold vetoes; four yes votes of five are needed."""
    no, yes = _no_yes()
    truth = 0.0  # enumerate the four free members' positions (no, abstain, yes)
    for outcome in itertools.product((-1, 0, 1), repeat=4):
        p = np.prod(
            [
                no[j] if o == -1 else yes[j] if o == 1 else 1 - no[j] - yes[j]
                for j, o in enumerate(outcome)
            ]
        )
        vetoed = -1 in outcome[:2]
        if not vetoed and 1 + outcome.count(1) >= 4:
            truth += p
    _assert_close(_passed_in_month_one("security_council", 0.0, minimum=4), truth)


def test_threshold_is_a_poisson_binomial_count():
    _, yes = _no_yes()
    truth = _poisson_binomial_at_least(yes, 2)  # the proposer and two more
    _assert_close(_passed_in_month_one("coalition_of_the_willing", 0.0, minimum=3), truth)


def test_the_crisis_level_shifts_support():
    """At war (level 4) support shifts by 3 * level_shift (prior-only effect)."""
    no = expit(-WIDTH - INTERCEPTS[1:] - 3 * 0.4)
    simulated = _passed_in_month_one("nato", 0.0, level=4, level_shift=0.4)
    _assert_close(simulated, float(np.prod(1 - no)))


def test_negative_control_a_shared_factor_breaks_independence():
    no, _ = _no_yes()
    simulated = _passed_in_month_one("nato", 1.5)
    truth = float(np.prod(1 - no))
    error = np.sqrt(truth * (1 - truth) / simulated.size)
    with pytest.raises(AssertionError):
        assert abs(simulated.mean() - truth) < 5 * error
