"""Pure-JAX primitives: the ladder's moves, its Markov matrix, the ordered logit, counter bits."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special, stats

from riskengine.primitives.counter_rng import (
    AUXILIARY_STEP,
    bits_to_unit_interval,
    mix32,
    stream_words,
    uniform_bits,
)
from riskengine.primitives.ladder import NUM_LEVELS, next_level, transition_matrix
from riskengine.primitives.ordered_logit import (
    category_from_bits,
    category_probabilities,
    cumulative_probabilities,
    probability_to_bits,
)

# next_level[level, category]: settle, de-escalate, stay, escalate (written out by hand).
NEXT_LEVEL_TABLE = np.array(
    [
        [0, 0, 0, 0],  # settled is absorbing
        [0, 0, 1, 2],  # threat: de-escalating ends the crisis
        [0, 1, 2, 3],  # display
        [0, 2, 3, 4],  # use of force
        [0, 3, 4, 4],  # war: escalating stays at war
    ]
)


def _binomial_check(counts: np.ndarray, probabilities: np.ndarray, label: str) -> None:
    """Every cell within 5 binomial standard errors; the message prints estimate and SE."""
    n = counts.sum()
    estimate = counts / n
    se = np.sqrt(probabilities * (1 - probabilities) / n)
    z = np.abs(estimate - probabilities) / se
    assert np.all(z < 5), (
        f"{label}: estimate {estimate}, truth {probabilities}, SE {se}, |z| {z} (n = {n})"
    )


# --- ladder -------------------------------------------------------------------------------


def test_next_level_table():
    levels, categories = np.meshgrid(np.arange(5), np.arange(4), indexing="ij")
    moved = np.asarray(next_level(jnp.asarray(levels, jnp.int32), jnp.asarray(categories)))
    np.testing.assert_array_equal(moved, NEXT_LEVEL_TABLE)


def test_next_level_keeps_dtype_and_broadcasts():
    level = jnp.array([[1], [4]], jnp.int32)
    moved = next_level(level, jnp.array([3, 0, 2]))
    assert moved.dtype == jnp.int32
    np.testing.assert_array_equal(moved, [[2, 0, 1], [4, 0, 4]])


def _random_step_probabilities(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.dirichlet(np.ones(4), size=(*shape, 4)).astype(np.float32)


def test_transition_matrix_matches_hand_built_matrix():
    step = _random_step_probabilities(np.random.default_rng(11), ())
    expected = np.zeros((NUM_LEVELS, NUM_LEVELS))
    expected[0, 0] = 1.0
    for level in range(1, 5):
        for category in range(4):
            expected[level, NEXT_LEVEL_TABLE[level, category]] += step[level - 1, category]
    np.testing.assert_allclose(
        np.asarray(transition_matrix(jnp.asarray(step))), expected, atol=1e-7
    )


def test_transition_matrix_rows_sum_to_one_batched():
    step = _random_step_probabilities(np.random.default_rng(12), (3, 2))
    matrix = np.asarray(transition_matrix(jnp.asarray(step)))
    assert matrix.shape == (3, 2, NUM_LEVELS, NUM_LEVELS)
    assert np.all(matrix >= 0)
    np.testing.assert_allclose(matrix.sum(axis=-1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(matrix[..., 0, :], np.broadcast_to([1, 0, 0, 0, 0], (3, 2, 5)))


# --- ordered logit ------------------------------------------------------------------------

CUTPOINTS = np.array([-1.5, 0.2, 1.7], np.float32)


@pytest.mark.parametrize("location", [-3.0, -0.4, 0.0, 1.1, 4.0])
def test_category_probabilities_are_sigmoid_differences(location):
    probabilities = np.asarray(category_probabilities(jnp.asarray(CUTPOINTS), location))
    cumulative = np.concatenate(
        [[0.0], special.expit(CUTPOINTS.astype(np.float64) - location), [1.0]]
    )
    np.testing.assert_allclose(probabilities, np.diff(cumulative), atol=1e-6)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-6)
    assert np.all(probabilities >= 0)


def test_category_probabilities_broadcast_over_locations():
    locations = jnp.linspace(-4.0, 4.0, 17).reshape(17)
    probabilities = np.asarray(category_probabilities(jnp.asarray(CUTPOINTS), locations))
    assert probabilities.shape == (17, 4)
    np.testing.assert_allclose(probabilities.sum(-1), 1.0, atol=1e-6)
    cumulative = np.asarray(cumulative_probabilities(jnp.asarray(CUTPOINTS), locations))
    assert np.all(np.diff(cumulative, axis=0) <= 0)  # higher location, less mass below


def test_probability_to_bits_end_points_and_monotone():
    bits = np.asarray(probability_to_bits(jnp.array([0.0, 0.25, 0.5, 1.0])))
    assert bits.dtype == np.uint32
    assert bits[0] == 0
    assert bits[1] == 2**30 and bits[2] == 2**31
    assert bits[3] == 4294967040  # clipped below 2**32, no wrap to 0
    grid = np.asarray(probability_to_bits(jnp.linspace(0.0, 1.0, 1001)))
    assert np.all(np.diff(grid.astype(np.int64)) >= 0)
    # quantisation at most 2**-24 of probability
    probabilities = np.linspace(0.0, 1.0, 1001, dtype=np.float32)
    assert np.max(np.abs(grid / 2.0**32 - probabilities)) <= 2.0**-24


def test_category_from_bits_counts_thresholds_reached():
    thresholds = jnp.array([10, 20, 30], jnp.uint32)
    bits = jnp.array([0, 9, 10, 19, 20, 29, 30, 2**32 - 1], jnp.uint32)
    np.testing.assert_array_equal(category_from_bits(bits, thresholds), [0, 0, 1, 1, 2, 2, 3, 3])


def test_sampled_category_frequencies_match_probabilities():
    location = 0.3
    thresholds = probability_to_bits(cumulative_probabilities(jnp.asarray(CUTPOINTS), location))
    bits = np.random.default_rng(2026).integers(0, 2**32, size=1_000_000, dtype=np.uint32)
    categories = np.asarray(category_from_bits(jnp.asarray(bits), thresholds))
    counts = np.bincount(categories, minlength=4)
    truth = np.diff(
        np.concatenate([[0.0], special.expit(CUTPOINTS.astype(np.float64) - location), [1.0]])
    )
    _binomial_check(counts, truth, "ordered-logit categories from bits")


# --- counter-based bits -------------------------------------------------------------------


@pytest.mark.parametrize("start", [0, 2**32 - 500_000])
def test_mix32_is_injective_on_consecutive_integers(start):
    values = (np.arange(1_000_000, dtype=np.uint64) + start) % 2**32
    mixed = np.asarray(mix32(jnp.asarray(values.astype(np.uint32))))
    assert mixed.dtype == np.uint32
    assert np.unique(mixed).size == values.size


def test_mix32_known_values():
    # MurmurHash3 fmix32 reference values (fmix32(0) == 0; fmix32(1) == 0x514E28B7).
    np.testing.assert_array_equal(mix32(jnp.array([0, 1], jnp.uint32)), [0, 0x514E28B7])


def test_stream_words_distinct_per_path():
    key_words = jnp.array([0x12345678, 0x9ABCDEF0], jnp.uint32)
    streams = np.asarray(stream_words(key_words, jnp.arange(1_000_000, dtype=jnp.uint32)))
    assert np.unique(streams).size == streams.size


def _byte_chi_square_pvalues(bits: np.ndarray) -> list[float]:
    pvalues = []
    for shift in (0, 8, 16, 24):
        counts = np.bincount((bits >> shift) & 0xFF, minlength=256)
        pvalues.append(stats.chisquare(counts).pvalue)
    return pvalues


def test_uniform_bits_bytes_are_uniform_across_paths():
    key_words = jnp.array([0x0BADBEEF, 0x5EED1234], jnp.uint32)
    streams = stream_words(key_words, jnp.arange(400_000, dtype=jnp.uint32))
    bits = np.asarray(uniform_bits(key_words, streams, 3)).astype(np.int64)
    pvalues = _byte_chi_square_pvalues(bits)
    assert min(pvalues) > 1e-4, f"byte chi-square p-values {pvalues}"


def test_uniform_bits_bytes_are_uniform_across_months():
    key_words = jnp.array([7, 11], jnp.uint32)
    stream = stream_words(key_words, jnp.uint32(5))
    bits = np.asarray(uniform_bits(key_words, stream, jnp.arange(400_000, dtype=jnp.uint32)))
    pvalues = _byte_chi_square_pvalues(bits.astype(np.int64))
    assert min(pvalues) > 1e-4, f"byte chi-square p-values {pvalues}"


def test_uniform_bits_neighbouring_months_uncorrelated():
    key_words = jnp.array([3, 4], jnp.uint32)
    streams = stream_words(key_words, jnp.arange(200_000, dtype=jnp.uint32))
    first = np.asarray(bits_to_unit_interval(uniform_bits(key_words, streams, 0)), np.float64)
    second = np.asarray(bits_to_unit_interval(uniform_bits(key_words, streams, 1)), np.float64)
    auxiliary = np.asarray(
        bits_to_unit_interval(uniform_bits(key_words, streams, AUXILIARY_STEP)), np.float64
    )
    se = 1 / np.sqrt(first.size)  # SE of a correlation under independence
    for other, name in ((second, "month 1"), (auxiliary, "auxiliary")):
        correlation = np.corrcoef(first, other)[0, 1]
        assert abs(correlation) < 5 * se, f"corr(month 0, {name}) = {correlation}, SE {se}"


def test_bits_to_unit_interval_open_interval():
    extremes = jnp.array([0, 255, 256, 2**31, 0xFFFFFF00, 2**32 - 1], jnp.uint32)
    values = np.asarray(bits_to_unit_interval(extremes))
    assert values.dtype == np.float32
    assert np.all(np.diff(values) >= 0)
    assert np.all((values > 0) & (values < 1)), f"not in (0, 1): {values}"
    assert values[-1] > 1 - 2.0**-22 and values[0] < 2.0**-22
