"""The veto model's pure-JAX core on hand-made drafts (no data needed): the truncated
likelihood is a distribution over the 31 veto patterns with at least one veto, the
scenario probabilities agree with it, the simulators reproduce it, and jit does not
change anything."""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from numpyro.infer import Predictive

from riskengine.models.veto import core

PATTERNS = np.array(list(itertools.product([0, 1], repeat=core.NUM_MEMBERS)), np.int32)


@pytest.fixture(scope="module")
def params() -> core.Params:
    draw = Predictive(core.model, num_samples=1)(jax.random.key(3))
    params = jax.tree.map(lambda value: value[0], core.params_from_draws(draw))
    return params._replace(contestedness_scale=jnp.asarray(1.2), alignment_effect=jnp.asarray(4.0))


def _draft(alignment, party=(0, 0, 0, 0, 0), era=1):
    return {
        "era": jnp.full(len(PATTERNS), era, jnp.int32),
        "alignment": jnp.tile(jnp.asarray(alignment, jnp.float32), (len(PATTERNS), 1)),
        "party": jnp.tile(jnp.asarray(party, jnp.float32), (len(PATTERNS), 1)),
        "vetoed": jnp.asarray(PATTERNS),
    }


ALIGNMENT = (0.85, 0.7, 0.65, 0.3, 0.45)
PARTY = (1, 0, 0, 0, 0)


def test_truncated_likelihood_sums_to_one_over_patterns_with_a_veto(params):
    draft = _draft(ALIGNMENT, PARTY)
    probability = np.exp(np.asarray(core.draft_log_likelihood(params, draft), np.float64))
    assert probability[1:].sum() == pytest.approx(1.0, abs=1e-4)
    untruncated = np.exp(np.asarray(core.draft_log_likelihood(params, draft, truncated=False)))
    assert untruncated.sum() == pytest.approx(1.0, abs=1e-4)
    assert untruncated[0] == pytest.approx(
        1.0
        - float(core.any_veto_probability(params, 1, jnp.asarray(ALIGNMENT), jnp.asarray(PARTY))),
        abs=1e-5,
    )


def test_conditional_probabilities_are_the_marginals_of_the_truncated_patterns(params):
    draft = _draft(ALIGNMENT, PARTY)
    probability = np.exp(np.asarray(core.draft_log_likelihood(params, draft), np.float64))
    marginal = (probability[1:, None] * PATTERNS[1:]).sum(0)
    conditional = core.conditional_veto_probabilities(
        params, 1, jnp.asarray(ALIGNMENT), jnp.asarray(PARTY)
    )
    np.testing.assert_allclose(conditional, marginal, atol=1e-4)
    assert (conditional >= 0).all() and (conditional <= 1).all() and conditional.sum() >= 1


def test_any_veto_without_contestedness_spread_is_one_minus_the_product(params):
    alignment, party = jnp.asarray(ALIGNMENT), jnp.asarray(PARTY)
    each = core.veto_probabilities(params, 2, alignment, party, contestedness=0.5)
    fixed = core.any_veto_probability(params, 2, alignment, party, 0.5, contestedness_spread=0)
    assert float(fixed) == pytest.approx(1.0 - float(jnp.prod(1.0 - each)), rel=1e-5)
    more = core.any_veto_probability(params, 2, alignment, party, 1.5, contestedness_spread=0)
    assert float(more) > float(fixed)  # a more contested draft is likelier vetoed


def test_a_member_more_aligned_with_the_target_is_likelier_to_veto(params):
    low = core.veto_probabilities(params, 0, jnp.asarray([0.4, 0.9, 0.5, 0.5, 0.5]), jnp.zeros(5))
    high = core.veto_probabilities(params, 0, jnp.asarray([0.8, 0.9, 0.5, 0.5, 0.5]), jnp.zeros(5))
    assert float(high[0]) > float(low[0])
    np.testing.assert_allclose(
        core.alignment_gap(jnp.asarray([0.4, 0.9, 0.5])), [-0.5, 0, -0.4], atol=1e-6
    )


def test_simulated_vetoes_follow_the_conditional_probabilities(params):
    num_drafts = 20_000
    alignment = jnp.tile(jnp.asarray(ALIGNMENT, jnp.float32), (num_drafts, 1))
    party = jnp.tile(jnp.asarray(PARTY, jnp.float32), (num_drafts, 1))
    era = jnp.full(num_drafts, 1, jnp.int32)
    vetoed, complete = core.simulate_vetoes(jax.random.key(5), params, era, alignment, party)
    assert bool(complete) and int(vetoed.sum(-1).min()) >= 1
    expected = np.asarray(core.conditional_veto_probabilities(params, 1, alignment[0], party[0]))
    observed = np.asarray(vetoed).mean(0)
    standard_error = np.sqrt(expected * (1 - expected) / num_drafts)
    assert np.all(np.abs(observed - expected) < 5 * standard_error + 1e-6), (observed, expected)


def test_simulated_counts_have_the_model_mean(params):
    period = jnp.zeros(40_000, jnp.int32)
    counts = np.asarray(core.simulate_counts(jax.random.key(7), params, period))
    mean = np.exp(np.asarray(params.log_rates)[:, 0])
    concentration = 1.0 / float(params.dispersion) ** 2
    standard_error = np.sqrt((mean + mean**2 / concentration) / len(period))
    assert np.all(np.abs(counts.mean(0) - mean) < 5 * standard_error), (counts.mean(0), mean)


def test_jit_and_keys_change_nothing(params):
    draft = _draft(ALIGNMENT, PARTY)
    eager = core.draft_log_likelihood(params, draft)
    compiled = jax.jit(core.draft_log_likelihood)(params, draft)
    np.testing.assert_allclose(eager, compiled, rtol=1e-6)
    era, alignment, party = draft["era"], draft["alignment"], draft["party"]
    first = core.simulate_vetoes(jax.random.key(1), params, era, alignment, party)[0]
    again = jax.jit(core.simulate_vetoes)(jax.random.key(1), params, era, alignment, party)[0]
    np.testing.assert_array_equal(first, again)


def test_prior_draws_have_the_declared_shapes():
    draws = Predictive(core.model, num_samples=3)(jax.random.key(0))
    params = core.params_from_draws(draws)
    assert params.intercepts.shape == (3, core.NUM_MEMBERS, core.NUM_ERAS)
    assert params.log_rates.shape == (3, core.NUM_MEMBERS, core.NUM_PERIODS)
    assert set(core.PARAMETER_DIMS) == set(core.Params._fields) == set(core.priors())


@pytest.mark.parametrize("dispersion", [1.0, 0.3, 0.05, 1e-3])
def test_negative_binomial_is_accurate_near_the_poisson_limit(dispersion):
    from scipy.stats import nbinom

    counts, mean = np.array([0, 1, 4, 20]), 3.0
    concentration = 1.0 / dispersion**2
    expected = nbinom.logpmf(counts, concentration, concentration / (concentration + mean))
    found = core.negative_binomial_log_probability(
        jnp.asarray(counts), jnp.float32(mean), jnp.float32(dispersion)
    )
    np.testing.assert_allclose(found, expected, atol=1e-4)


def test_fit_command_refuses_bad_input_with_exit_code_2(tmp_path, capsys):
    from riskengine.models.veto.fit import FIT_DEFAULTS, fit_command

    settings = dict(FIT_DEFAULTS)
    assert fit_command(tmp_path / "missing", None, ppc=False, **settings) == 2
    assert "does not exist" in capsys.readouterr().err
    assert fit_command(None, None, ppc=False, columns="map.yaml", **settings) == 2
    assert "--columns" in capsys.readouterr().err
    assert fit_command(None, None, ppc=False, **(settings | {"num_chains": 0})) == 2
