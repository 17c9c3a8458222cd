"""Escalation simulator: determinism (jit, vmap, keys) and `simulate` == what `summarize` counts."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from riskengine.models.escalation import core as escalation
from riskengine.primitives.counter_rng import AUXILIARY_STEP
from riskengine.primitives.ladder import NUM_LEVELS

NUM_MONTHS = 24

PARAMS = escalation.Params(
    onset_cutpoints=jnp.array([-1.0, 0.8, 2.5], jnp.float32),
    step_cutpoints=jnp.array([-2.2, -1.0, 1.6], jnp.float32),
    level_effect=jnp.array([0.3, 0.5, 0.9], jnp.float32),
    coefficients=jnp.array(
        [0.2, -0.1, -0.15, -0.3, 0.1, 0.25, 0.1, 0.5, -0.4, 0.5, 0.3, 0.2], jnp.float32
    ),
    resolve_scale=jnp.float32(0.8),
    multilateral_resolve_ratio=jnp.float32(1.5),
    era_resolve_ratio=jnp.array([1.2, 0.9, 0.7], jnp.float32),
    era_escalate_shift=jnp.array([0.4, -0.3, 0.6], jnp.float32),
)
COVARIATES = jnp.array([0.0, 0.693, -3.6, 0.0, 0.0, 1.0, 0.5, 1.0, 0.0, 0.0, 0.0, 1.0], jnp.float32)


def inputs(start_level: int = 1) -> escalation.Inputs:
    return escalation.Inputs(COVARIATES, jnp.int32(start_level))


def _simulate(rng_key, path_index=0, start_level=1, params=PARAMS):
    return escalation.simulate(
        rng_key, params, inputs(start_level), num_months=NUM_MONTHS, path_index=path_index
    )


_simulate_jit = jax.jit(_simulate)


def simulate(rng_key, path_index=0, start_level=1, params=PARAMS):
    """One path (compiled once per argument structure, to keep the tests fast)."""
    return _simulate_jit(rng_key, jnp.uint32(path_index), jnp.int32(start_level), params)


_summarize = jax.jit(escalation.summarize, static_argnames="num_months")


def assert_results_equal(first: escalation.Result, second: escalation.Result) -> None:
    np.testing.assert_array_equal(np.asarray(first.levels), np.asarray(second.levels))
    np.testing.assert_array_equal(np.asarray(first.resolve), np.asarray(second.resolve))


@pytest.fixture(scope="module")
def rng_key():
    return jax.random.key(20261126)


# --- shapes, dtypes and the ladder's rules --------------------------------------------------


@pytest.mark.parametrize("start_level", [1, 2, 3, 4, escalation.ONSET_FROM_MODEL])
def test_shapes_dtypes_and_ladder_moves(rng_key, start_level):
    paths = jax.jit(jax.vmap(lambda i: _simulate(rng_key, i, start_level)))(jnp.arange(300))
    levels = np.asarray(paths.levels)
    assert levels.shape == (300, NUM_MONTHS) and levels.dtype == np.int32
    assert paths.resolve.shape == (300,) and paths.resolve.dtype == np.float32
    assert np.all((levels >= 0) & (levels <= 4))
    if start_level != escalation.ONSET_FROM_MODEL:
        assert np.all(levels[:, 0] == start_level)
    else:
        assert np.all(levels[:, 0] >= 1)
    before, after = levels[:, :-1], levels[:, 1:]
    assert np.all(after[before == 0] == 0), "settled must be absorbing"
    moved = (after != 0) & (before != 0)
    assert np.all(np.abs(after - before)[moved] <= 1), "active moves are one level at most"
    assert np.any(after < before) and np.any(levels[:, -1] == 0)  # the paths do move


def test_typed_key_and_raw_key_words_give_the_same_path(rng_key):
    raw = jax.random.key_data(rng_key).astype(jnp.uint32)
    assert_results_equal(simulate(rng_key, 17), simulate(raw, 17))


# --- determinism --------------------------------------------------------------------------


@pytest.mark.parametrize("start_level", [2, escalation.ONSET_FROM_MODEL])
def test_jit_equals_no_jit(rng_key, start_level):
    jitted = jax.jit(functools.partial(_simulate, start_level=start_level))
    for path_index in (1, 2**31 + 5):
        with jax.disable_jit():
            eager = _simulate(rng_key, jnp.uint32(path_index), start_level)
        assert_results_equal(jitted(rng_key, jnp.uint32(path_index)), eager)


def test_vmap_over_keys_equals_loop():
    keys = jax.random.split(jax.random.key(7), 16)
    batched = jax.vmap(lambda key: _simulate(key, 3))(keys)
    for index in range(len(keys)):
        looped = simulate(keys[index], 3)
        np.testing.assert_array_equal(batched.levels[index], looped.levels)
        np.testing.assert_array_equal(batched.resolve[index], looped.resolve)


def test_vmap_over_path_index_and_params_equals_loop(rng_key):
    scales = jnp.array([0.0, 0.5, 1.5], jnp.float32)
    params = PARAMS._replace(
        resolve_scale=scales,
        **{f: jnp.stack([getattr(PARAMS, f)] * 3) for f in PARAMS._fields if f != "resolve_scale"},
    )
    batched = jax.jit(jax.vmap(lambda p, i: _simulate(rng_key, i, params=p)))(params, jnp.arange(3))
    for index in range(3):
        one = jax.tree.map(lambda leaf, i=index: leaf[i], params)
        looped = simulate(rng_key, index, params=one)
        np.testing.assert_array_equal(batched.levels[index], looped.levels)
        np.testing.assert_array_equal(batched.resolve[index], looped.resolve)


def test_same_key_same_output(rng_key):
    first = simulate(rng_key, 42)
    second = simulate(jax.random.key(20261126), 42)
    assert_results_equal(first, second)


def test_different_keys_give_different_paths():
    keys = jax.random.split(jax.random.key(1), 50)
    resolves = np.asarray(jax.jit(jax.vmap(lambda key: _simulate(key, 0).resolve))(keys))
    assert np.unique(resolves).size == resolves.size


def test_different_path_index_gives_different_paths(rng_key):
    paths = jax.jit(jax.vmap(lambda i: _simulate(rng_key, i)))(jnp.arange(200))
    resolves = np.asarray(paths.resolve)
    assert np.unique(resolves).size == resolves.size
    distinct_paths = np.unique(np.asarray(paths.levels), axis=0)
    assert len(distinct_paths) > 20, f"only {len(distinct_paths)} distinct paths of 200"


def test_zero_resolve_scale_gives_zero_resolve(rng_key):
    result = simulate(rng_key, 5, params=PARAMS._replace(resolve_scale=jnp.float32(0.0)))
    assert float(result.resolve) == 0.0


# --- simulate is exactly the path that summarize counts -------------------------------------


def _histograms(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(month, level) counts of the level and of the running peak, from (path, month) levels."""
    peaks = np.maximum.accumulate(levels, axis=1)
    count = lambda values: np.stack(  # noqa: E731
        [np.bincount(values[:, month], minlength=NUM_LEVELS) for month in range(levels.shape[1])]
    )
    return count(levels), count(peaks)


@pytest.mark.parametrize("start_level", [1, 3, escalation.ONSET_FROM_MODEL])
def test_simulate_is_the_path_summarize_counts(rng_key, start_level):
    path_index = np.array([0, 1, 2, 7, 100, 12345, 2**31 - 1, 2**32 - 2], np.uint32)
    valid = np.array([True, True, False, True, True, True, False, True])
    key_words = jax.random.key_data(rng_key).astype(jnp.uint32)
    summary = _summarize(
        key_words,
        PARAMS,
        inputs(start_level),
        jnp.asarray(path_index),
        jnp.asarray(valid),
        num_months=NUM_MONTHS,
    )
    levels = np.stack(
        [np.asarray(simulate(rng_key, int(i), start_level).levels) for i in path_index[valid]]
    )
    level_count, peak_count = _histograms(levels)
    np.testing.assert_array_equal(np.asarray(summary["level_count"]), level_count)
    np.testing.assert_array_equal(np.asarray(summary["peak_count"]), peak_count)
    assert int(summary["path_count"]) == valid.sum()


def test_summarize_is_additive_over_blocks(rng_key):
    key_words = jax.random.key_data(rng_key).astype(jnp.uint32)
    run = functools.partial(_summarize, key_words, PARAMS, inputs(2), num_months=NUM_MONTHS)
    whole = run(jnp.arange(600, dtype=jnp.uint32), jnp.ones(600, bool))
    for block in (300, 400):  # even blocks, and a ragged last block padded with invalid paths
        starts = range(0, 600, block)
        parts = [
            run(jnp.arange(s, s + block, dtype=jnp.uint32), jnp.arange(s, s + block) < 600)
            for s in starts
        ]
        for name in ("level_count", "peak_count", "path_count"):
            total = sum(np.asarray(part[name]) for part in parts)
            np.testing.assert_array_equal(np.asarray(whole[name]), total)


@pytest.mark.parametrize("start_level", [1, escalation.ONSET_FROM_MODEL])
def test_long_horizons_skip_settled_paths_without_changing_the_counts(rng_key, start_level):
    """From ``_COMPACT_MONTH`` on, ``summarize`` runs only the paths still active: the
    counts are still those of every simulated path (blocks of paths, ragged and padded)."""
    num_months = escalation._COMPACT_MIN_MONTHS + 12
    key_words = jax.random.key_data(rng_key).astype(jnp.uint32)
    path_index = jnp.arange(5000, dtype=jnp.uint32)

    def one(index):
        crisis = inputs(start_level)
        return escalation.simulate(
            rng_key, PARAMS, crisis, num_months=num_months, path_index=index
        ).levels

    levels = np.asarray(jax.jit(jax.vmap(one))(path_index))
    level_count, peak_count = _histograms(levels)
    assert 0 < (levels[:, escalation._COMPACT_MONTH] > 0).sum() < len(levels)  # both kinds
    valid = jnp.ones(5000, bool)
    summary = _summarize(
        key_words, PARAMS, inputs(start_level), path_index, valid, num_months=num_months
    )
    np.testing.assert_array_equal(np.asarray(summary["level_count"]), level_count)
    np.testing.assert_array_equal(np.asarray(summary["peak_count"]), peak_count)
    padded = _summarize(
        key_words,
        PARAMS,
        inputs(start_level),
        jnp.arange(6000, dtype=jnp.uint32),
        jnp.arange(6000) < 5000,
        num_months=num_months,
    )
    np.testing.assert_array_equal(np.asarray(padded["peak_count"]), peak_count)


# --- the per-path resolve draw ------------------------------------------------------------


def _inverse_mix32(value: int) -> int:
    """Inverse of MurmurHash3 fmix32 (every step of it is invertible on uint32)."""
    mask = 0xFFFFFFFF
    value ^= value >> 16
    value = (value * pow(0xC2B2AE35, -1, 2**32)) & mask
    value ^= (value >> 13) ^ (value >> 26)
    value = (value * pow(0x85EBCA6B, -1, 2**32)) & mask
    return value ^ (value >> 16)


def _path_with_resolve_bits(key_words: np.ndarray, bits: int) -> int:
    """The path index whose resolve draw (step AUXILIARY_STEP) has the given 32 bits."""
    from riskengine.primitives.counter_rng import step_word

    word = int(step_word(jnp.asarray(key_words), AUXILIARY_STEP))
    stream = _inverse_mix32(_inverse_mix32(bits)) ^ word
    return _inverse_mix32(_inverse_mix32(stream) ^ int(key_words[0]))


def test_inverse_mix32_helper():
    from riskengine.primitives.counter_rng import mix32

    for value in (0, 1, 12345, 2**32 - 1):
        assert int(mix32(jnp.uint32(_inverse_mix32(value)))) == value


def test_resolve_is_finite_at_the_extreme_draw(rng_key):
    key_words = np.asarray(jax.random.key_data(rng_key)).astype(np.uint32)
    path_index = _path_with_resolve_bits(key_words, 2**32 - 1)
    result = simulate(rng_key, path_index)
    assert np.isfinite(float(result.resolve)), f"resolve {result.resolve} at path {path_index}"
    # the mirror-image draw is finite, and the two are roughly symmetric
    lowest = simulate(rng_key, _path_with_resolve_bits(key_words, 0))
    assert float(lowest.resolve) == pytest.approx(-float(result.resolve), rel=0.05)


def test_prior_sites_map_to_params_through_the_attenuation():
    from numpyro.infer import Predictive

    draws = Predictive(escalation.model, num_samples=200)(jax.random.key(3))
    scale = np.asarray(escalation.attenuation(draws["resolve_scale"]))[:, None]
    np.testing.assert_allclose(
        draws["coefficients"], draws["coefficients_average"] * scale, rtol=1e-6
    )
    np.testing.assert_allclose(
        draws["level_effect"], draws["level_effect_average"] * scale, rtol=1e-6
    )
    for name in ("onset_cutpoints", "step_cutpoints"):
        assert np.all(np.diff(draws[name], axis=-1) > 0), name
        first = draws[f"{name[:-1]}_first"]
        np.testing.assert_allclose(draws[name][:, 0], first * scale[:, 0], rtol=1e-5, atol=1e-6)


def test_attenuation_matches_the_logistic_normal_mean():
    """E[sigmoid(x + r)], r ~ N(0, s), vs sigmoid(x / attenuation(s)) by Gauss-Hermite."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()
    for scale in (0.5, 1.0, 1.5, 2.5):
        for x in (-3.0, -1.0, 0.5, 2.0):
            exact = np.sum(weights / (1 + np.exp(-(x + scale * nodes))))
            approximate = 1 / (1 + np.exp(-x / float(escalation.attenuation(scale))))
            assert abs(exact - approximate) < 0.02, (scale, x, exact, approximate)


def test_era_escalate_shift_moves_only_the_stay_escalate_cut_point():
    eta = jnp.linspace(-3.0, 3.0, 7)
    reference = np.asarray(escalation.step_probabilities(PARAMS, eta))
    shifted = np.asarray(escalation.step_probabilities(PARAMS, eta, 0.8))
    np.testing.assert_allclose(shifted[..., :2], reference[..., :2], atol=1e-7)
    np.testing.assert_allclose(shifted[..., 2:].sum(-1), reference[..., 2:].sum(-1), atol=1e-6)
    assert (shifted[..., 3] < reference[..., 3]).all()
    cold_war = jnp.zeros(len(escalation.COVARIATE_NAMES)).at[-1].set(1.0)
    assert float(escalation.escalate_shift(PARAMS, cold_war)) == float(PARAMS.era_escalate_shift[2])
    extreme = np.asarray(escalation.step_probabilities(PARAMS, eta, -50.0))
    assert (extreme >= 0).all()  # the cut-points stay ordered


def test_reference_level_use_of_force_has_no_shift():
    shifts = np.asarray(escalation.level_shifts(jnp.array([1.0, 2.0, 3.0])))
    np.testing.assert_array_equal(shifts, [1.0, 2.0, 0.0, 3.0])


def test_resolve_scale_follows_side_sizes_and_era(rng_key):
    """Resolve sd is resolve_scale for a bilateral post-Cold War crisis, times
    multilateral_resolve_ratio when a side has several states and times the era's
    era_resolve_ratio in an earlier era (within 5 standard errors)."""
    num_paths = 20_000
    cold_war = escalation.COVARIATE_NAMES.index("era_cold_war")
    bilateral = COVARIATES.at[1].set(0.0).at[cold_war].set(0.0)
    assert not bool(escalation.is_multilateral(bilateral))
    assert bool(escalation.is_multilateral(COVARIATES))

    @jax.jit
    def resolves(covariates):
        def one(path_index):
            crisis = escalation.Inputs(covariates, jnp.int32(1))
            return escalation.simulate(rng_key, PARAMS, crisis, num_months=2, path_index=path_index)

        return jax.vmap(one)(jnp.arange(num_paths, dtype=jnp.uint32)).resolve

    scale, multilateral = float(PARAMS.resolve_scale), float(PARAMS.multilateral_resolve_ratio)
    cold_war_ratio = float(PARAMS.era_resolve_ratio[2])
    for covariates, expected in (
        (bilateral, scale),
        (COVARIATES.at[cold_war].set(0.0), scale * multilateral),
        (bilateral.at[cold_war].set(1.0), scale * cold_war_ratio),
        (COVARIATES, scale * multilateral * cold_war_ratio),
    ):
        standard_deviation = float(jnp.std(resolves(covariates)))
        standard_error = expected / np.sqrt(2 * (num_paths - 1))
        assert abs(standard_deviation - expected) < 5 * standard_error, (
            f"covariates {covariates}: resolve sd {standard_deviation:.4f}, expected "
            f"{expected:.4f} +- {standard_error:.4f}"
        )


@pytest.mark.parametrize("era", escalation.ERA_NAMES)
def test_era_indicators_round_trip_through_era_index(era):
    covariates = np.zeros(len(escalation.COVARIATE_NAMES), np.float32)
    era_columns = [
        escalation.COVARIATE_NAMES.index(f"era_{name}") for name in escalation.ERA_NAMES[:-1]
    ]
    covariates[era_columns] = escalation.era_indicators(era)
    assert escalation.ERA_NAMES[int(escalation.era_index(covariates))] == era
    assert (escalation.era_indicators(era).sum() == 0) == (era == escalation.REFERENCE_ERA)


def test_unknown_era_names_the_allowed_ones():
    with pytest.raises(ValueError, match="era: got 'victorian'; allowed: before_1914, world_wars"):
        escalation.era_indicators("victorian")


def test_a_crisis_era_sets_its_era_covariates():
    from riskengine.config import Actor
    from riskengine.models.escalation.ensemble import crisis_covariates
    from riskengine.models.escalation.section import EscalationSection

    actors = {"A": Actor(name="A", capability=0.02), "B": Actor(name="B", capability=0.01)}
    section = EscalationSection(challenger="A", defender="B")
    names = list(escalation.COVARIATE_NAMES)
    era_columns = [names.index(f"era_{name}") for name in escalation.ERA_NAMES[:-1]]
    assert crisis_covariates(section.crisis(actors))[era_columns].tolist() == [0.0, 0.0, 0.0]
    section.era = "world_wars"
    assert crisis_covariates(section.crisis(actors))[era_columns].tolist() == [0.0, 1.0, 0.0]


def test_crisis_covariates_from_originators_pledges_and_partners():
    from riskengine.config import Actor
    from riskengine.models.escalation.ensemble import crisis_covariates
    from riskengine.models.escalation.section import EscalationPatch, EscalationSection

    actors = {
        name: Actor(name=name, capability=capability, major_power=major)
        for name, capability, major in [
            ("A", 0.02, False),
            ("A2", 0.02, False),
            ("B", 0.01, False),
            ("P", 0.12, True),
            ("H", 0.03, False),
            ("Q", 0.08, True),
        ]
    }
    section = EscalationSection(
        challenger="A",
        challenger_allies=["A2"],
        defender="B",
        coalition=[
            {"name": "P", "commitment": "defence_pact"},
            {"name": "H", "commitment": "ad_hoc"},
        ],
        challenger_partners=["Q"],
    )
    values = dict(
        zip(escalation.COVARIATE_NAMES, crisis_covariates(section.crisis(actors)), strict=True)
    )
    assert values["challenger_side_size"] == pytest.approx(np.log(2))
    assert values["defender_side_size"] == 0.0
    assert values["capability_ratio"] == pytest.approx(np.log(0.01 / 0.04))
    assert values["defender_defence_pact"] == 1.0
    assert values["defender_allied_capability"] == pytest.approx(np.log1p(0.12 / 0.04))
    assert values["challenger_defence_pact"] == 1.0
    assert values["challenger_allied_capability"] == pytest.approx(np.log1p(0.08 / 0.01))
    assert values["major_power"] == 0.0  # P and Q are committed third states, not originators

    patch = EscalationPatch(remove_challenger_partners=["Q"], add_challenger_partners=["H"])
    assert patch.problems(section, actors) != []  # H already takes part (a coalition member)
    patch = EscalationPatch(remove_challenger_partners=["Q"], set_commitment={"P": "ad_hoc"})
    assert patch.problems(section, actors) == []
    patched, patched_actors = patch.apply(section, actors)
    values = dict(
        zip(
            escalation.COVARIATE_NAMES,
            crisis_covariates(patched.crisis(patched_actors)),
            strict=True,
        )
    )
    assert values["defender_defence_pact"] == values["defender_allied_capability"] == 0.0
    assert values["challenger_defence_pact"] == values["challenger_allied_capability"] == 0.0
    bad = EscalationPatch(remove_challenger_partners=["P"])
    ((location, message),) = bad.problems(section, actors)
    assert location == ("remove_challenger_partners", 0)
    assert "is not a challenger partner; allowed: 'Q'" in message or "allowed: Q" in message
