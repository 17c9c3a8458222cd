"""Martin (1992) on her 78 cases: the ordered logit of sender cooperation runs and finds the
cost coefficient positive (her finding), with a 90% interval above 0."""

from __future__ import annotations

import jax
import pytest

from riskengine.models.sanctions.martin import MARTIN_FILE, PREDICTORS, fit_martin, martin_table

pytestmark = pytest.mark.needs_data


def test_cost_coefficient_is_positive(shared_data_dir):
    if not (shared_data_dir / MARTIN_FILE).is_file():
        pytest.skip(f"{MARTIN_FILE} not found under {shared_data_dir}")
    result = fit_martin(
        jax.random.key(0), shared_data_dir, num_chains=2, num_warmup=300, num_samples=400
    )
    assert result["num_cases"] == 78
    assert set(result["coefficients"]) == set(PREDICTORS)
    cost = result["coefficients"]["cost"]
    assert cost["lower_5"] > 0, result["finding"]
    assert cost["rhat"] < 1.05 and result["divergences"] == 0, result
    assert martin_table(result).count("\n") == len(PREDICTORS) + 1
