"""The diagnostics gate of a judgment's draws, and levers on inputs with several dims."""

from __future__ import annotations

import numpy as np
import xarray as xr

from riskengine.briefing.levers import variant_levers
from riskengine.diagnostics import MAX_RHAT, MIN_ESS_BULK, gate_judgment, summarize_probability


def draws(values) -> xr.DataArray:
    return xr.DataArray(np.asarray(values, float), dims=("chain", "draw"))


def test_independent_draws_pass():
    gate = gate_judgment(draws(np.random.default_rng(1).normal(0.3, 0.02, (4, 100))))
    assert gate.passed and gate.rhat <= MAX_RHAT and gate.ess_bulk >= MIN_ESS_BULK


def test_a_shifted_chain_fails_on_rhat_and_names_the_value():
    values = np.random.default_rng(2).normal(0.3, 0.02, (4, 100))
    values[0] += 0.05
    gate = gate_judgment(draws(values))
    assert not gate.passed and gate.rhat > MAX_RHAT
    assert f"R-hat {gate.rhat:.3f} above the floor {MAX_RHAT}" in gate.reason


def test_too_few_draws_fail_on_the_effective_sample_size():
    gate = gate_judgment(draws(np.random.default_rng(3).normal(0.3, 0.02, (2, 5))))
    assert not gate.passed and "effective sample size" in gate.reason
    assert "nan" not in gate.reason


def test_constant_and_undefined_judgments_pass_and_constant_ones_are_exact():
    assert gate_judgment(draws(np.zeros((2, 50)))).passed
    assert gate_judgment(draws(np.full((2, 50), np.nan))).passed
    assert summarize_probability(draws(np.zeros((2, 50)))).mcse == 0.0


def test_a_lever_on_an_input_with_several_dims_is_described_not_broken():
    variants, members, covariates = ["baseline", "abstains"], ["a", "b"], ["x", "y"]
    inputs = np.zeros((2, 2, 2))
    inputs[1, 0, 1] = 1.0  # member a's covariate y changes in the second variant
    constant = xr.Dataset(
        {"member_covariates": (("variant", "member", "covariate"), inputs)},
        coords={"variant": variants, "member": members, "covariate": covariates},
    )
    rng = np.random.default_rng(0)
    posterior = xr.Dataset(
        {"toy.slopes": (("chain", "draw", "covariate"), rng.normal(size=(2, 50, 2)))},
        coords={"covariate": covariates},
    )
    predictions = xr.Dataset(coords={"variant": variants})
    cube = xr.DataTree.from_dict(
        {"constant_data": constant, "posterior": posterior, "predictions": predictions}
    )
    (lever,) = variant_levers(cube).values()
    assert "member_covariates at a (1 of 2 entries)" in lever.changes
    assert "member_covariates at y (1 of 2 entries)" in lever.changes
    assert lever.parameters == ()  # toy is no registered model: no prior to compare with
