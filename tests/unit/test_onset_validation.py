"""The onset validation's pieces on hand-computed examples: forecast scores (Brier, log
score, ROC AUC, fixed-bin reliability), predictive-check rows, the check's groups and its
replication at extreme probabilities, the backtest's era and the period-split columns."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from riskengine.inference.posterior_checks import check_rows
from riskengine.inference.scoring import (
    binary_scores,
    brier_score,
    log_score,
    reliability_table,
    roc_auc,
)
from riskengine.models.onset import core
from riskengine.models.onset.backtest import with_era
from riskengine.models.onset.checks import (
    REQUIRED_INSIDE,
    group_masks,
    observed_rates,
    posterior_predictive_check,
    predictive_table,
)
from riskengine.models.onset.deterrence import SPLIT_NAMES, odds_ratio, split_covariates

FORECAST = np.array([0.1, 0.8, 0.4, 0.3, 0.4])
OBSERVED = np.array([0, 1, 0, 0, 1])


def test_brier_score_by_hand():
    # (0.01 + 0.04 + 0.16 + 0.09 + 0.36) / 5
    assert brier_score(FORECAST, OBSERVED) == pytest.approx(0.132)


def test_log_score_by_hand():
    assert log_score([0.5, 0.25], [1, 0]) == pytest.approx((np.log(0.5) + np.log(0.75)) / 2)


def test_roc_auc_counts_ties_as_one_half():
    # events 0.8, 0.4 against non-events 0.1, 0.4, 0.3: 3 + (1 + 0.5 + 1) of 6 pairs
    assert roc_auc(FORECAST, OBSERVED) == pytest.approx(5.5 / 6)
    assert roc_auc([0.9, 0.1], [0, 1]) == 0.0
    with pytest.raises(ValueError, match="both outcomes"):
        roc_auc([0.2, 0.3], [0, 0])


def test_reliability_uses_fixed_bins_with_the_last_closed():
    rows = reliability_table([*FORECAST, 1.0], [*OBSERVED, 1], edges=[0.0, 0.5, 1.0])
    assert [row["count"] for row in rows] == [4, 2]
    assert rows[0]["mean_forecast"] == pytest.approx(0.3)
    assert rows[0]["observed_share"] == pytest.approx(0.25) and rows[0]["events"] == 1
    assert rows[1]["mean_forecast"] == pytest.approx(0.9) and rows[1]["observed_share"] == 1.0


def test_the_base_rate_forecast_has_no_skill():
    scores = binary_scores(np.full(5, 0.4), OBSERVED, 0.4, edges=[0.0, 1.0])
    assert scores["brier_skill"] == pytest.approx(0.0)
    assert scores["log_score_gain"] == pytest.approx(0.0)
    assert scores["roc_auc"] == pytest.approx(0.5)


def test_check_rows_mark_inside_and_required():
    replicated = np.tile(np.arange(100.0)[:, None], (1, 2))  # 5% and 95%: 4.95, 94.05
    rows = check_rows(["a", "b"], [1.0, 50.0], replicated, required=("b",))
    assert [row["inside"] for row in rows] == [False, True]
    assert [row["required"] for row in rows] == [False, True]
    assert rows[1]["lower_5"] == pytest.approx(4.95) and rows[1]["mean"] == pytest.approx(49.5)
    with pytest.raises(ValueError, match="3 names"):
        check_rows(["a", "b", "c"], [1.0, 2.0], replicated)


def _frame(num_rows: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {name: (rng.random(num_rows) < 0.3).astype(np.float32) for name in core.COVARIATE_NAMES}
    )
    era = rng.integers(0, 4, num_rows)
    for index, name in enumerate(core.ERA_NAMES[:-1]):
        frame[f"era_{name}"] = (era == index).astype(np.float32)
    frame["year"] = np.array([1850, 1930, 1970, 2000])[era]
    frame["onset"] = (rng.random(num_rows) < 0.1).astype(np.int8)
    return frame


def test_groups_cover_all_eras_once_and_every_indicator_both_ways():
    frame = _frame()
    names, masks = group_masks(frame)
    assert len(names) == masks.shape[1] == 13 and set(REQUIRED_INSIDE) <= set(names)
    assert masks[:, 0].all()
    np.testing.assert_array_equal(masks[:, 1:5].sum(1), 1)  # each row in exactly one era
    np.testing.assert_array_equal(masks[:, 5] ^ masks[:, 6], True)  # contiguity yes / no
    rates = observed_rates(frame["onset"], masks)
    assert rates[0] == pytest.approx(1000 * frame["onset"].mean())


@pytest.mark.parametrize(("intercept", "rate"), [(30.0, 1000.0), (-30.0, 0.0)])
def test_replicated_rates_at_certain_and_impossible_onsets(intercept, rate):
    params = core.Params(jnp.full((3,), intercept), jnp.zeros((3, len(core.COVARIATE_NAMES))))
    table = predictive_table(jax.random.key(0), params, _frame(), source="test")
    assert table["num_draws"] == 3
    for row in table["rows"]:
        assert row["mean"] == row["lower_5"] == row["upper_95"] == pytest.approx(rate)


def test_the_check_refuses_a_case_control_sample():
    frame = _frame().assign(offset=np.float32(3.0))
    with pytest.raises(ValueError, match="case-control"):
        posterior_predictive_check(jax.random.key(0), None, frame)


def test_backtest_forecasts_in_the_cold_war_era():
    covariates = _frame()[list(core.COVARIATE_NAMES)].to_numpy()
    forced = with_era(covariates, "cold_war")
    eras = [core.COVARIATE_NAMES.index(f"era_{name}") for name in core.ERA_NAMES[:-1]]
    np.testing.assert_array_equal(forced[:, eras], [[0, 0, 1]] * len(forced))
    others = [i for i in range(len(core.COVARIATE_NAMES)) if i not in eras]
    np.testing.assert_array_equal(forced[:, others], covariates[:, others])


def test_split_columns_move_the_alliance_terms_at_1945():
    covariates = np.zeros((2, len(core.COVARIATE_NAMES)), np.float32)
    covariates[:, 0], covariates[:, 1] = 1.0, 0.7
    split = split_covariates(covariates, np.array([1944, 1945]))
    assert split.shape == (2, len(SPLIT_NAMES)) == (2, 20)
    np.testing.assert_allclose(split[0, [0, 1, 18, 19]], [1.0, 0.7, 0.0, 0.0])
    np.testing.assert_allclose(split[1, [0, 1, 18, 19]], [0.0, 0.0, 1.0, 0.7])


def test_odds_ratio_direction_follows_the_interval():
    assert odds_ratio(np.full(100, -0.5))["direction"] == "reduces"
    assert odds_ratio(np.linspace(-1, 1, 101))["direction"] == "unclear"
    assert odds_ratio(np.linspace(-1, 1, 101))["odds_ratio"] == pytest.approx(1.0)
