"""The member support core on synthetic inputs (no data needed): the simulator-facing
probability, the selection term, the exact selection-conditional sampler, the priors."""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from riskengine.models.coalition import support
from riskengine.models.coalition.support_checks import padded_cases, truncated_joiners
from riskengine.models.coalition.support_data import ALIGNMENT_NAMES, COVARIATE_NAMES

K = len(COVARIATE_NAMES)


def _params(intercept=-3.0, scale=1.0, shift=-0.4, seed=0) -> support.Params:
    rng = np.random.default_rng(seed)
    return support.Params(
        jnp.float32(intercept),
        jnp.asarray(rng.normal(0, 0.5, K), jnp.float32),
        jnp.float32(scale),
        jnp.float32(shift),
    )


def _candidates(num_cases=5, members=12, seed=1) -> dict:
    rng = np.random.default_rng(seed)
    rows = num_cases * members
    return {
        "covariates": jnp.asarray(rng.normal(0, 1, (rows, K)), jnp.float32),
        "joined": jnp.asarray(rng.random(rows) < 0.1, jnp.int32),
        "case_index": jnp.repeat(jnp.arange(num_cases, dtype=jnp.int32), members),
        "offset": jnp.zeros(rows),
        "election": jnp.zeros(rows),
        "known": jnp.ones(rows),
        "truncated": jnp.ones(num_cases),
    }


def test_every_covariate_has_a_prior_scale():
    assert set(support.PRIOR_SCALES) == {*COVARIATE_NAMES, *ALIGNMENT_NAMES}
    priors = support.priors((*COVARIATE_NAMES, *ALIGNMENT_NAMES))
    assert priors["coefficients"].event_shape == (K + 2,)
    assert float(priors["election_shift"].mean) == pytest.approx(-0.4)


def test_support_probability_is_the_sigmoid_of_the_linear_predictor_and_jit_safe():
    params, covariates = _params(), _candidates()["covariates"][:7]
    election = jnp.asarray([0, 1, 0, 0, 1, 0, 0], jnp.float32)
    plain = support.support_probability(params, covariates, 0.3, election)
    jitted = jax.jit(support.support_probability)(params, covariates, 0.3, election)
    np.testing.assert_allclose(plain, jitted, rtol=1e-6)
    expected = jax.nn.sigmoid(
        params.intercept
        + covariates @ params.coefficients
        + 0.3 * params.case_scale
        + params.election_shift * election
    )
    np.testing.assert_allclose(plain, expected, rtol=1e-5)
    assert np.all(
        plain[election == 1] < support.support_probability(params, covariates, 0.3)[election == 1]
    )


def test_simulate_support_vmaps_over_draws_and_repeats_with_the_key():
    draws = jax.tree.map(lambda *v: jnp.stack(v), *(_params(seed=s) for s in range(3)))
    covariates = _candidates()["covariates"][:9]
    keys = jax.random.split(jax.random.key(3), 3)
    batched = jax.vmap(support.simulate_support, in_axes=(0, 0, None))(keys, draws, covariates)
    for index in range(3):
        one = support.simulate_support(
            keys[index], jax.tree.map(lambda v, i=index: v[i], draws), covariates
        )
        np.testing.assert_allclose(batched.probability[index], one.probability, rtol=1e-6)
        np.testing.assert_array_equal(batched.supports[index], one.supports)
    again = jax.vmap(support.simulate_support, in_axes=(0, 0, None))(keys, draws, covariates)
    np.testing.assert_array_equal(again.supports, batched.supports)


def test_the_shared_latent_correlates_members_decisions():
    params = support.Params(jnp.float32(-1.0), jnp.zeros(K), jnp.float32(2.0), jnp.float32(0))
    covariates = jnp.zeros((2, K))
    keys = jax.random.split(jax.random.key(5), 20_000)
    supports = jax.vmap(support.simulate_support, in_axes=(0, None, None))(
        keys, params, covariates
    ).supports
    correlation = np.corrcoef(np.asarray(supports, float).T)[0, 1]
    assert correlation > 0.2, correlation  # independent decisions would give 0 +- 0.007


def test_selection_term_without_latent_spread_is_exact():
    params, candidates = _params(scale=0.0), _candidates()
    log_any = support.log_probability_any_joiner(params, candidates, 5)
    p = jax.nn.sigmoid(support.linear_predictor(params, candidates["covariates"], 0.0))
    exact = np.log1p(-np.prod(1 - np.asarray(p).reshape(5, 12), axis=1))
    np.testing.assert_allclose(log_any, exact, rtol=1e-4)


@pytest.mark.parametrize("intercept,scale", [(-5.0, 0.5), (-4.0, 1.5), (-7.0, 2.5)])
def test_selection_term_matches_a_fine_grid(intercept, scale):
    params, candidates = _params(intercept, scale), _candidates()
    grid = np.linspace(-9, 9, 6001)
    weights = np.exp(-(grid**2) / 2) / np.exp(-(grid**2) / 2).sum()
    fixed = np.asarray(support.linear_predictor(params, candidates["covariates"], 0.0))
    logits = fixed.reshape(5, 12)[..., None] + scale * grid
    none = np.sum(-np.logaddexp(0, logits), axis=1)
    fine = np.log(np.sum((1 - np.exp(none)) * weights, axis=1))
    quadrature = support.log_probability_any_joiner(params, candidates, 5)
    np.testing.assert_allclose(quadrature, fine, atol=2e-3)


def test_case_likelihood_matches_a_fine_grid():
    params, candidates = _params(-2.0, 1.5), _candidates()
    grid = np.linspace(-9, 9, 6001)
    weights = np.exp(-(grid**2) / 2) / np.exp(-(grid**2) / 2).sum()
    fixed = np.asarray(support.linear_predictor(params, candidates["covariates"], 0.0))
    logits = fixed.reshape(5, 12)[..., None] + 1.5 * grid
    joined = np.asarray(candidates["joined"]).reshape(5, 12, 1) == 1
    rows = np.where(joined, -np.logaddexp(0, -logits), -np.logaddexp(0, logits))
    marginal = np.log(np.sum(np.exp(rows.sum(1)) * weights, axis=1))
    none = np.sum(-np.logaddexp(0, logits), axis=1)
    selection = np.log(np.sum((1 - np.exp(none)) * weights, axis=1))
    np.testing.assert_allclose(
        support.log_likelihood(params, candidates), marginal - selection, atol=2e-3
    )


def test_the_election_shift_gets_no_information_from_the_historical_rows():
    candidates = _candidates()

    def total(shift):
        return jnp.sum(support.log_likelihood(_params(shift=shift), candidates))

    assert float(jax.grad(total)(-0.4)) == 0.0


def test_unknown_rows_do_not_count_but_the_selection_term_does():
    params, candidates = _params(), _candidates()
    known = candidates["known"].at[:6].set(0.0)
    flipped = candidates["joined"].at[:6].set(1 - candidates["joined"][:6])
    first = support.log_likelihood(params, {**candidates, "known": known})
    second = support.log_likelihood(params, {**candidates, "known": known, "joined": flipped})
    np.testing.assert_allclose(first, second, rtol=1e-6)
    untruncated = support.log_likelihood(params, {**candidates, "truncated": jnp.zeros(5)})
    assert np.all(np.asarray(untruncated) < np.asarray(support.log_likelihood(params, candidates)))


def test_latent_posterior_is_normalised_and_follows_the_joiners():
    params, candidates = _params(-3.0, 1.5), _candidates()
    many = candidates["joined"].at[:12].set(1)
    posterior = support.latent_log_posterior(params, {**candidates, "joined": many}, 5)
    np.testing.assert_allclose(jnp.exp(posterior).sum(-1), 1.0, rtol=1e-5)
    nodes, _ = support.latent_grid()
    means = jnp.exp(posterior) @ nodes
    assert float(means[0]) > float(means[1:].max())  # the case where everyone joined


def test_truncated_sampler_matches_the_exact_conditional_law():
    p = np.array([0.1, 0.3, 0.05])
    probability = jnp.broadcast_to(jnp.asarray(p, jnp.float32), (200_000, 3))
    draws = np.asarray(truncated_joiners(jax.random.key(11), probability, jnp.ones(200_000)))
    codes = np.bincount(draws.astype(int) @ np.array([4, 2, 1]), minlength=8)
    any_joiner = 1 - np.prod(1 - p)
    assert codes[0] == 0
    for pattern in itertools.product((0, 1), repeat=3):
        if sum(pattern) == 0:
            continue
        exact = np.prod(np.where(pattern, p, 1 - p)) / any_joiner
        observed = codes[np.dot(pattern, [4, 2, 1])] / len(draws)
        standard_error = np.sqrt(exact * (1 - exact) / len(draws))
        assert abs(observed - exact) < 5 * standard_error, (pattern, observed, exact)


def test_untruncated_cases_draw_plain_bernoulli():
    probability = jnp.full((100_000, 2), 0.2)
    draws = np.asarray(truncated_joiners(jax.random.key(2), probability, jnp.zeros(100_000)))
    assert abs(draws.mean() - 0.2) < 5 * np.sqrt(0.16 / draws.size)
    assert (draws.sum(1) == 0).mean() == pytest.approx(0.64, abs=0.01)


def test_padded_cases_lists_each_cases_rows():
    case_index = np.array([1, 0, 1, 2, 0, 1])
    rows, mask = padded_cases(case_index)
    assert rows.shape == mask.shape == (3, 3)
    assert [sorted(rows[c][mask[c]].tolist()) for c in range(3)] == [[1, 4], [0, 2, 5], [3]]
