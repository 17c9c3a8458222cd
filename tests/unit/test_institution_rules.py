"""Decision rules: hand-built votes, closed forms against Monte Carlo, exact enumeration,
and monotonicity in members' positions and support (property tests)."""

from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from riskengine.models.coalition.exact import authorisation_probability_exact
from riskengine.models.coalition.institutions import make_rule, rule
from riskengine.models.coalition.rules import (
    blocking_members,
    coalition_positions,
    decide,
    draw_positions,
    rule_arrays,
)

DATE = "2025-06-01"
GERMANY, FRANCE, ITALY, SPAIN = 255, 220, 325, 230
NUM_DRAWS = 40_000
PROPERTY_SETTINGS = settings(max_examples=50, deadline=None)
decide_jit = jax.jit(decide)
decide_draws = jax.jit(jax.vmap(decide, in_axes=(0, None)))


def _positions(rule_, yes=(), abstain=(), no=(), default=1) -> jnp.ndarray:
    """Positions in the rule's member order: named members as given, the rest ``default``."""
    named = {**dict.fromkeys(yes, 1), **dict.fromkeys(abstain, 0), **dict.fromkeys(no, -1)}
    return jnp.array([named.get(code, default) for code in rule_.members], jnp.int8)


def _decide(rule_, positions) -> bool:
    return bool(decide_jit(positions, rule_arrays(rule_)))


def _blocking(rule_, positions) -> set[int]:
    blocking = np.asarray(blocking_members(positions, rule_arrays(rule_)))
    return set(np.asarray(rule_.members)[blocking].tolist())


# --- the rules on hand-built votes ------------------------------------------------------


def test_security_council():
    council = rule("security_council", DATE)
    permanent = np.asarray(council.members)[council.veto].tolist()
    elected = np.asarray(council.members)[~council.veto].tolist()
    assert _decide(council, _positions(council))
    abstaining = _positions(council, abstain=permanent[:1])  # an abstention is no veto
    assert _decide(council, abstaining) and not _blocking(council, abstaining)
    vetoed = _positions(council, no=permanent[1:2])
    assert not _decide(council, vetoed) and _blocking(council, vetoed) == {permanent[1]}
    nine_yes = _positions(council, no=elected[:6])
    assert _decide(council, nine_yes)
    eight_yes = _positions(council, no=elected[:7])
    assert not _decide(council, eight_yes) and not _blocking(council, eight_yes)
    five_permanent_abstain = _positions(council, abstain=permanent)  # 10 yes
    assert _decide(council, five_permanent_abstain)


def test_nato_consensus():
    nato = rule("nato", DATE)
    assert _decide(nato, _positions(nato))
    assert _decide(nato, _positions(nato, abstain=nato.members[:10]))  # silence is no objection
    objecting = _positions(nato, no=(640,))
    assert not _decide(nato, objecting) and _blocking(nato, objecting) == {640}
    assert not _decide(nato, _positions(nato, default=-1))


def test_eu_unanimity_with_constructive_abstention():
    unanimity = rule("eu_unanimity", DATE)
    by_population = [unanimity.members[i] for i in np.argsort(unanimity.population)]
    assert _decide(unanimity, _positions(unanimity))
    objecting = _positions(unanimity, no=(352,))
    assert not _decide(unanimity, objecting) and _blocking(unanimity, objecting) == {352}
    eight_largest = _positions(unanimity, abstain=by_population[-8:])  # 8 < 27 / 3
    assert _decide(unanimity, eight_largest)
    nine_smallest = _positions(unanimity, abstain=by_population[:9])  # a small population
    assert _decide(unanimity, nine_smallest)
    nine_largest = _positions(unanimity, abstain=by_population[-9:])  # 1/3 of both: fails
    assert not _decide(unanimity, nine_largest)
    assert _blocking(unanimity, nine_largest) == set(by_population[-9:])


def test_eu_qualified_majority():
    qualified_majority = rule("eu_qualified_majority", DATE)
    big_three = (GERMANY, FRANCE, ITALY)  # about 47% of the population
    three_against = _positions(qualified_majority, no=big_three)
    assert _decide(qualified_majority, three_against)  # a blocking minority needs 4 members
    four_against = _positions(qualified_majority, no=(*big_three, SPAIN))
    assert not _decide(qualified_majority, four_against)
    assert _blocking(qualified_majority, four_against) == {*big_three, SPAIN}
    four_abstain = _positions(qualified_majority, abstain=(*big_three, SPAIN))
    assert not _decide(qualified_majority, four_abstain)  # abstention: not in favour
    by_population = [
        qualified_majority.members[i] for i in np.argsort(qualified_majority.population)
    ]
    thirteen_small_against = _positions(qualified_majority, no=by_population[:13])  # 14 yes
    assert not _decide(qualified_majority, thirteen_small_against)
    twelve_small_against = _positions(qualified_majority, no=by_population[:12])  # 15 yes
    assert _decide(qualified_majority, twelve_small_against)


def _hand_built_qualified_majority(yes_population: int) -> tuple:
    """20 members, 55% = exactly 11: members 0-10 vote yes and hold ``yes_population`` of 1000."""
    population = np.array([yes_population - 10, *[1] * 10, 1000 - yes_population - 8, *[1] * 8])
    qualified_majority = make_rule(
        "qualified_majority",
        range(20),
        population=population,
        minimum_yes_share=0.55,
        minimum_yes_population_share=0.65,
        minimum_blocking_members=4,
    )
    positions = jnp.array([1] * 11 + [-1] * 9, jnp.int8)
    return qualified_majority, positions


def test_qualified_majority_at_its_thresholds():
    qualified_majority, positions = _hand_built_qualified_majority(649)  # 64.9%
    assert qualified_majority.minimum_yes == 11 and qualified_majority.population.sum() == 1000
    assert not _decide(qualified_majority, positions)
    qualified_majority, positions = _hand_built_qualified_majority(650)  # 65.0%
    assert _decide(qualified_majority, positions)
    assert not _decide(qualified_majority, positions.at[10].set(0))  # 10 of 20 members


def test_coalition_of_the_willing():
    coalition = rule("coalition_of_the_willing", DATE, candidates=(2, 200, 220, 255))
    arrays = rule_arrays(coalition)
    support = jnp.array([0.9, 0.2, 0.6, 0.5])  # 0.5 is not above the threshold
    positions = coalition_positions(support, coalition.support_threshold)
    assert positions.tolist() == [1, -1, 1, -1]
    assert bool(decide(positions, arrays)) and not bool(blocking_members(positions, arrays).any())
    assert not bool(decide(positions.at[2].set(-1), arrays))


def test_jit_and_vmap_agree_with_a_loop():
    qualified_majority = rule("eu_qualified_majority", DATE)
    arrays = rule_arrays(qualified_majority)
    support = np.full(27, 0.7)
    positions = draw_positions(jax.random.key(3), support, np.full(27, 0.1), num_draws=64)
    assert positions.dtype == jnp.int8 and positions.shape == (64, 27)
    looped = [bool(decide_jit(row, arrays)) for row in positions]
    assert np.asarray(decide_draws(positions, arrays)).tolist() == looped
    assert [bool(decide(row, arrays)) for row in positions[:4]] == looped[:4]  # without jit
    assert np.asarray(decide_draws(positions.astype(jnp.int32), arrays)).tolist() == looped
    assert 0 < sum(looped) < 64


# --- exact probabilities: closed forms, enumeration and Monte Carlo ----------------------


def _poisson_binomial_at_least(probabilities, minimum: int) -> float:
    """P(at least ``minimum`` successes): the product of the generating polynomials."""
    polynomial = np.array([1.0])
    for probability in probabilities:
        polynomial = np.convolve(polynomial, [1 - probability, probability])
    return float(polynomial[minimum:].sum())


def _monte_carlo(rule_, support, abstain, seed: int) -> tuple[float, float]:
    """Estimate and standard error of P(pass) from NUM_DRAWS rounds of ``decide``."""
    positions = draw_positions(jax.random.key(seed), support, abstain, num_draws=NUM_DRAWS)
    passes = np.asarray(decide_draws(positions, rule_arrays(rule_)))
    estimate = passes.mean()
    return estimate, math.sqrt(max(estimate * (1 - estimate), 1e-12) / NUM_DRAWS)


def _assert_within_five_standard_errors(rule_, support, abstain, truth: float, seed: int):
    estimate, standard_error = _monte_carlo(rule_, support, abstain, seed)
    assert abs(estimate - truth) < 5 * standard_error, (
        f"{rule_.institution}: Monte Carlo {estimate:.4f}, exact {truth:.4f}, "
        f"standard error {standard_error:.4f} ({NUM_DRAWS} draws)"
    )
    return estimate, standard_error


def test_consensus_is_the_product_of_support():
    nato = rule("nato", DATE)
    support = np.random.default_rng(1).uniform(0.93, 1.0, nato.num_members)
    truth = float(np.prod(support))
    abstain = np.zeros_like(support)
    assert authorisation_probability_exact(support, abstain, nato) == pytest.approx(
        truth, rel=1e-12
    )
    _assert_within_five_standard_errors(nato, support, abstain, truth, seed=11)


def test_veto_majority_closed_form():
    """P = P(no permanent member votes no) x P(at least 9 yes | no permanent "no"): given
    that, a permanent member votes yes with probability yes / (yes + abstain)."""
    council = rule("security_council", DATE)
    generator = np.random.default_rng(2)
    support = generator.uniform(0.4, 0.9, 15)
    abstain = generator.uniform(0.0, 1.0, 15) * (1 - support)
    veto = council.veto
    no_veto = float(np.prod((support + abstain)[veto]))
    conditional_yes = np.where(veto, support / (support + abstain), support)
    truth = no_veto * _poisson_binomial_at_least(conditional_yes, 9)
    assert authorisation_probability_exact(support, abstain, council) == pytest.approx(
        truth, rel=1e-12
    )
    estimate, standard_error = _assert_within_five_standard_errors(
        council, support, abstain, truth, seed=12
    )
    # negative control: treating "no veto" and "9 yes" as independent is wrong, and the
    # Monte Carlo check has the power to see it
    naive = no_veto * _poisson_binomial_at_least(support, 9)
    assert abs(estimate - naive) > 5 * standard_error, (estimate, naive, standard_error)
    no_abstention = np.zeros(15)  # then: all five permanent yes, and 4 of the 10 elected
    truth = float(np.prod(support[veto])) * _poisson_binomial_at_least(support[~veto], 4)
    exact = authorisation_probability_exact(support, no_abstention, council)
    assert exact == pytest.approx(truth, rel=1e-12)


def test_unanimity_is_the_product_of_no_objection():
    """With abstention possible for 8 members only (fewer than a third of 27), the limit
    cannot bind: P(pass) = prod(1 - P(no))."""
    unanimity = rule("eu_unanimity", DATE)
    generator = np.random.default_rng(3)
    support = generator.uniform(0.9, 0.99, 27)
    abstain = np.where(np.arange(27) < 8, 1 - support - 0.005, 0.0)
    truth = float(np.prod(support + abstain))
    assert authorisation_probability_exact(support, abstain, unanimity) == pytest.approx(
        truth, rel=1e-12
    )
    _assert_within_five_standard_errors(unanimity, support, abstain, truth, seed=13)


def test_unanimity_with_a_binding_abstention_limit():
    unanimity = rule("eu_unanimity", DATE)
    support, abstain = np.full(27, 0.64), np.full(27, 0.355)  # about 9.6 abstainers expected
    exact = authorisation_probability_exact(support, abstain, unanimity)
    assert exact < 0.75 * float(np.prod(support + abstain))  # the limit matters here
    _assert_within_five_standard_errors(unanimity, support, abstain, exact, seed=14)


def test_threshold_is_a_poisson_binomial():
    """Candidates join when a Normal(mean, 1) support exceeds 0.5: P(join) = 1 - Phi(0.5 - mean)."""
    coalition = rule("coalition_of_the_willing", DATE, candidates=(2, 200, 220, 255, 290, 375))
    mean = np.array([1.0, 0.8, 0.2, -0.5, 0.0, 0.4])
    joins = stats.norm.sf(coalition.support_threshold - mean)
    for minimum in (1, 2, 4):
        threshold = make_rule(
            "threshold", coalition.members, support_threshold=0.5, minimum_members=minimum
        )
        truth = _poisson_binomial_at_least(joins, minimum)
        assert authorisation_probability_exact(joins, np.zeros(6), threshold) == pytest.approx(
            truth
        )
    support = mean + jax.random.normal(jax.random.key(15), (NUM_DRAWS, 6))
    positions = coalition_positions(support, coalition.support_threshold)
    estimate = float(np.asarray(decide_draws(positions, rule_arrays(coalition))).mean())
    truth = _poisson_binomial_at_least(joins, 2)
    standard_error = math.sqrt(truth * (1 - truth) / NUM_DRAWS)
    assert abs(estimate - truth) < 5 * standard_error, (estimate, truth, standard_error)


def test_qualified_majority_exact_against_monte_carlo():
    qualified_majority = rule("eu_qualified_majority", DATE)
    generator = np.random.default_rng(4)
    support = generator.uniform(0.5, 0.85, 27)
    abstain = generator.uniform(0.0, 0.1, 27)
    exact = authorisation_probability_exact(support, abstain, qualified_majority)
    assert 0.05 < exact < 0.95
    _assert_within_five_standard_errors(qualified_majority, support, abstain, exact, seed=16)


def _small_rule(kind: str, population: np.ndarray):
    """A 7-member rule of each kind (3 veto holders for ``veto_majority``)."""
    parameters = {
        "veto_majority": {"veto_holders": (0, 1, 2), "minimum_yes": 4},
        "consensus": {},
        "unanimity_constructive_abstention": {
            "abstention_limit_members_share": "1/3",
            "abstention_limit_population_share": "1/3",
        },
        "qualified_majority": {
            "minimum_yes_share": 0.55,
            "minimum_yes_population_share": 0.65,
            "minimum_blocking_members": 4,
        },
        "threshold": {"support_threshold": 0.5, "minimum_members": 3},
    }[kind]
    weighted = kind in ("unanimity_constructive_abstention", "qualified_majority")
    return make_rule(kind, range(7), population=population if weighted else None, **parameters)


KINDS = (
    "veto_majority",
    "consensus",
    "unanimity_constructive_abstention",
    "qualified_majority",
    "threshold",
)
ALL_POSITIONS = jnp.array(list(itertools.product((-1, 0, 1), repeat=7)), jnp.int8)


@pytest.mark.parametrize("kind", KINDS)
def test_exact_probability_equals_enumeration_of_every_vote(kind):
    """Sum over all 3**7 votes of P(vote) x decide(vote) equals the exact function."""
    generator = np.random.default_rng(KINDS.index(kind))
    rule_ = _small_rule(kind, generator.integers(1, 100, 7))
    support = generator.uniform(0.1, 0.8, 7)
    abstain = generator.uniform(0.0, 1.0, 7) * (1 - support)
    probability = np.stack([1 - support - abstain, abstain, support])  # rows: no, abstain, yes
    vote_probability = np.prod(probability[np.asarray(ALL_POSITIONS) + 1, np.arange(7)], axis=1)
    passes = np.asarray(decide_draws(ALL_POSITIONS, rule_arrays(rule_)))
    enumerated = float(np.sum(vote_probability * passes))
    assert authorisation_probability_exact(support, abstain, rule_) == pytest.approx(
        enumerated, abs=1e-12
    )


@pytest.mark.parametrize(
    "kind",
    ("veto_majority", "consensus", "unanimity_constructive_abstention", "qualified_majority"),
)
def test_a_failed_vote_has_a_blocker_unless_too_few_say_yes(kind):
    rule_ = _small_rule(kind, np.arange(1, 8) * 10)
    arrays = rule_arrays(rule_)
    passes = np.asarray(decide_draws(ALL_POSITIONS, arrays))
    blocked = np.asarray(jax.vmap(blocking_members, in_axes=(0, None))(ALL_POSITIONS, arrays)).any(
        axis=1
    )
    assert not (passes & blocked).any()
    enough_yes = np.asarray((ALL_POSITIONS == 1).sum(axis=1) >= rule_.minimum_yes)
    assert blocked[~passes & enough_yes].all()


# --- monotonicity (property tests) -------------------------------------------------------

populations = st.lists(st.integers(1, 1_000), min_size=7, max_size=7).map(np.array)
probability_rows = st.lists(
    st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)), min_size=7, max_size=7
)


@PROPERTY_SETTINGS
@given(
    kind=st.sampled_from(KINDS),
    population=populations,
    positions=st.lists(st.sampled_from((-1, 0, 1)), min_size=7, max_size=7),
    member=st.integers(0, 6),
)
def test_raising_a_members_position_never_undoes_a_decision(kind, population, positions, member):
    arrays = rule_arrays(_small_rule(kind, population))
    before = jnp.array(positions, jnp.int8)
    raised = before.at[member].set(min(positions[member] + 1, 1))  # no -> abstain -> yes
    assert bool(decide_jit(raised, arrays)) >= bool(decide_jit(before, arrays))


@PROPERTY_SETTINGS
@given(
    kind=st.sampled_from(KINDS),
    population=populations,
    rows=probability_rows,
    member=st.integers(0, 6),
    move=st.sampled_from(("no_to_yes", "abstain_to_yes", "no_to_abstain")),
    fraction=st.floats(0, 1),
)
def test_raising_a_members_support_never_lowers_the_probability(
    kind, population, rows, member, move, fraction
):
    weights = np.array(rows) + 1e-9
    no, abstain, support = (weights / weights.sum(axis=1, keepdims=True)).T
    rule_ = _small_rule(kind, population)
    before = authorisation_probability_exact(support, abstain, rule_)
    support, abstain = support.copy(), abstain.copy()
    if move == "no_to_yes":
        support[member] += fraction * no[member]
    elif move == "abstain_to_yes":
        support[member] += fraction * abstain[member]
        abstain[member] -= fraction * abstain[member]
    else:
        abstain[member] += fraction * no[member]
    after = authorisation_probability_exact(support, abstain, rule_)
    assert after >= before - 1e-12, (kind, move, before, after)
