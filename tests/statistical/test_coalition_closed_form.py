"""The coalition component against closed forms. Without the shared factor and the
drift, members decide independently, each voting no with probability
``sigmoid(-abstain_width - location)``: NATO's consensus passes in the tabled month with
probability prod_j (1 - P(no_j)); the Security Council's veto majority and a coalition
of the willing's threshold follow the same product over permanent members and a
Poisson-binomial count. Permanent members with a seat in the veto model veto with the
veto model's probabilities, correlated through the draft's contestedness (a
Gauss-Hermite integral). Monte Carlo within 5 standard errors, fixed seeds; the negative
controls (a shared factor with scale 1.5; the contestedness ignored) must leave the
closed forms."""

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
from riskengine.models.veto import core as veto_core
from riskengine.primitives.counter_rng import stream_words

NUM_PATHS = 40_000
COMPONENT = CoalitionComponent()
NAMES = ["P", "A", "B", "C", "D"]
INTERCEPTS = np.asarray([0.0, 1.5, 0.8, 0.2, -0.3], np.float32)  # member locations
WIDTH = 1.0
VETO_INTERCEPTS = np.asarray([[-2.0] * 3, [-1.0] * 3, [-1.5] * 3, [0.3] * 3, [-0.4] * 3])
AGREEMENT = np.asarray([0.15, 0.5, 0.5, 0.85, 0.9], np.float32)  # seats' agreement with T


def _params(case_scale: float, level_shift: float = 0.0, contestedness: float = 0.0):
    return process.Params(
        intercept=jnp.float32(0.0),
        coefficients=jnp.asarray([1.0] + [0.0] * 7, jnp.float32),  # ally_proposer carries it
        case_scale=jnp.float32(case_scale),
        election_shift=jnp.float32(0.0),
        abstain_width=jnp.float32(WIDTH),
        movement_scale=jnp.float32(0.0),
        level_shift=jnp.float32(level_shift),
        veto_intercepts=jnp.asarray(VETO_INTERCEPTS, jnp.float32),
        veto_alignment_effect=jnp.float32(4.0),
        veto_gap_effect=jnp.float32(3.0),
        veto_party_effect=jnp.float32(0.0),
        veto_contestedness_scale=jnp.float32(contestedness),
    )


def _passed_in_month_one(
    institution: str,
    case_scale: float,
    minimum=None,
    level=None,
    level_shift=0.0,
    *,
    seats=(-1,) * 5,
    fixed=(1,) + (FREE_POSITION,) * 4,
    contestedness=0.0,
) -> np.ndarray:
    """Whether the item passes in the tabled month, per path; members ``P`` (the
    proposer) and ``A``, ``B`` hold vetoes; ``seats`` gives each member's veto-model
    seat (-1: its veto comes from its willingness, as for NATO's members)."""
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
        fixed_position=jnp.asarray(fixed, jnp.int32),
        capability=jnp.ones(len(NAMES), jnp.float32),
        rule=jax.tree.map(jnp.asarray, rule),
        tabled_month=jnp.int32(1),
        veto_seat=jnp.asarray(seats, jnp.int32),
        veto_alignment=jnp.asarray(AGREEMENT),
        veto_party=jnp.zeros(5, jnp.float32),
        veto_era=jnp.int32(2),
    )
    words = jax.random.key_data(jax.random.key(11)).astype(jnp.uint32)
    stream = stream_words(words, jnp.arange(NUM_PATHS))
    context = {} if level is None else {"level": jnp.full(NUM_PATHS, level, jnp.int32)}
    params = _params(case_scale, level_shift, contestedness)
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


def _veto_probabilities(contestedness_scale: float, node) -> np.ndarray:
    """(5,) the veto model's P(veto) of each seat at contestedness ``node``."""
    params = veto_core.Params(
        intercepts=jnp.asarray(VETO_INTERCEPTS, jnp.float32),
        alignment_effect=4.0,
        gap_effect=3.0,
        party_effect=0.0,
        contestedness_scale=contestedness_scale,
        log_rates=None,
        dispersion=None,
    )
    return np.asarray(
        veto_core.veto_probabilities(params, 2, AGREEMENT, np.zeros(5, np.float32), node)
    )


def _no_veto_by_seats_3_and_4(contestedness_scale: float, *, correlated: bool = True) -> float:
    """P(neither seat 3 nor 4 vetoes), integrated over the contestedness by
    Gauss-Hermite (exact for this smooth integrand at 40 nodes); ``correlated=False`` is
    the negative control that integrates each seat's veto on its own."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    weights = weights / weights.sum()
    vetoes = np.stack([_veto_probabilities(contestedness_scale, node)[3:] for node in nodes])
    if correlated:
        return float(weights @ np.prod(1 - vetoes, axis=1))
    return float(np.prod(1 - weights @ vetoes))


# A and B sit in the veto model's seats 3 and 4; the elected members C and D and the
# proposer vote yes, so the draft passes exactly when neither A nor B vetoes.
_COUNCIL = {
    "seats": (0, 3, 4, -1, -1),
    "fixed": (1, FREE_POSITION, FREE_POSITION, 1, 1),
    "minimum": 3,
}


def test_permanent_members_veto_with_the_veto_models_probabilities():
    simulated = _passed_in_month_one("security_council", 0.0, **_COUNCIL)
    _assert_close(simulated, _no_veto_by_seats_3_and_4(0.0))


def test_the_drafts_contestedness_correlates_the_vetoes():
    simulated = _passed_in_month_one("security_council", 0.0, contestedness=1.8, **_COUNCIL)
    _assert_close(simulated, _no_veto_by_seats_3_and_4(1.8))


def test_negative_control_vetoes_taken_as_independent_miss():
    simulated = _passed_in_month_one("security_council", 0.0, contestedness=1.8, **_COUNCIL)
    with pytest.raises(AssertionError):
        _assert_close(simulated, _no_veto_by_seats_3_and_4(1.8, correlated=False))
