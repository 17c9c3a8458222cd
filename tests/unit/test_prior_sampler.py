"""Prior draws through the engine's cached sampler (``riskengine.models.base``) are the
numbers numpyro's ``Predictive`` gives, bit for bit, for every registered model: the
cache only saves tracing and compiling, it must not change any cube."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from numpyro.infer import Predictive

from riskengine.models import MODEL_NAMES, get_model


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_cached_prior_draws_equal_predictive(name):
    model = get_model(name)
    if not hasattr(model, "core_module"):
        pytest.skip(f"{name} draws its prior its own way")
    for seed, num_samples in ((20261126, 1), (20261126, 10), (7, 10)):  # 2nd 10: cache hit
        key = jax.random.fold_in(jax.random.key(seed), 1)
        draws = model.prior_draws(key, num_samples)
        expected = Predictive(model.core_module.model, num_samples=num_samples)(key)
        for field in model.core_module.Params._fields:
            np.testing.assert_array_equal(
                draws[field], np.asarray(expected[field]), err_msg=f"{field}, {num_samples}"
            )
