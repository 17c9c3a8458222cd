"""Temporal backtest: fit on the cases that started before a cut, forecast the later ones.

Cuts (``CUTOFF_YEARS``): 1990, the end of the Cold War: alignments, blocs and the use of
multilateral sanctions changed then (UN sanctions multiplied, the Soviet bloc
dissolved), so a model fitted on 1949-1989 and scored on 1990-2005 (56 of the 140
cases) faces the break a forecaster in 1990 would have faced. 1995: the fit then sees
the first post-Cold War cases (16), so the era's level is estimated rather than assumed,
and the last decade (40 cases) is forecast; this is the situation of a model used today,
long after the break. The test cases are never seen by the fit
(:func:`support_fit.fit_support`, NUTS).

Forecast of a test candidate: the posterior mean over ``num_draws`` draws of the
probability that it joins *given that its case found at least one joiner* (the
selection the test cases share with the training cases), its case's latent unknown:

    P(i joins | at least one) = E_z[p_i(z)] / P_c(at least one)

(both on the latent grid of :mod:`riskengine.models.coalition.support`).
With the 1990 cut the post-Cold War era (the reference) does not occur in training, so
the test rows are forecast with the ``late_cold_war`` era (``FORECAST_ERA``), as the
joining and onset backtests do: the question is whether the covariates carry over, not
whether the era shift could have been foreseen. With the 1995 cut the test rows keep
their own era. The unconditional probability E_z[p_i(z)] (what the
simulator gives for a new action) is scored by its AUC too.

Scores (:func:`riskengine.inference.scoring.binary_scores`): Brier score and its skill
against the base rate (the training candidates' joining share), mean log score and its
gain over the base rate, ROC AUC over all test candidates, the mean within-case AUC
(does the model rank a case's joiners above its other candidates?) and a reliability
table. ``passed`` when the forecasts beat the base rate in Brier and log score and the
AUC exceeds 0.5.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.inference.scoring import beats_base_rate, binary_scores, format_scores, roc_auc
from riskengine.models.coalition import support

__all__ = [
    "CUTOFF_YEARS",
    "FORECAST_ERA",
    "RELIABILITY_EDGES",
    "backtest",
    "format_backtest",
    "selected_forecast",
]

CUTOFF_YEARS = (1990, 1995)
POST_COLD_WAR = 1990
FORECAST_ERA = "era_late_cold_war"
RELIABILITY_EDGES = (0.0, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


def selected_forecast(params: support.Params, arrays: dict) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean of (P(joins | its case has a joiner), P(joins)) per row, draws on
    the leading axis of ``params``; one draw at a time, accumulated in float64."""
    _, log_weights = support.latent_grid()
    num_cases = arrays["truncated"].shape[0]

    def one(draw):
        logits = support.node_logits(draw, arrays)
        marginal = jnp.exp(
            jax.scipy.special.logsumexp(jax.nn.log_sigmoid(logits).T + log_weights, axis=-1)
        )  # E_z[p_i(z)] per row
        any_joiner = support.log_probability_any_joiner(draw, arrays, num_cases)
        return marginal / jnp.exp(any_joiner)[arrays["case_index"]], marginal

    conditional, marginal = jax.lax.map(jax.jit(one), params)
    return (
        np.asarray(conditional, np.float64).mean(0),
        np.asarray(marginal, np.float64).mean(0),
    )


def within_case_auc(forecast, observed, case_index) -> float:
    """Mean over cases (with joiners and non-joiners) of the ROC AUC inside the case."""
    values = []
    for case in np.unique(case_index):
        rows = case_index == case
        if 0 < observed[rows].sum() < rows.sum():
            values.append(roc_auc(forecast[rows], observed[rows]))
    return float(np.mean(values))


def backtest(
    rng_key,
    frame,
    *,
    cutoff_year: int = CUTOFF_YEARS[0],
    listing: str = "as_listed",
    num_draws: int = 200,
    **nuts,
):
    """Fit on ``frame``'s cases that started before ``cutoff_year``, score the rest
    (``nuts`` options go to :func:`support_fit.fit_support`)."""
    from riskengine.models.coalition.support_data import COVARIATE_NAMES
    from riskengine.models.coalition.support_fit import (
        device_arrays,
        fit_support,
        posterior_params,
    )

    train = frame["start_year"].to_numpy() < cutoff_year
    training, testing = frame.loc[train].copy(), frame.loc[~train].copy()
    training.attrs, testing.attrs = dict(frame.attrs), dict(frame.attrs)
    tree, report = fit_support(rng_key, training, listing=listing, **nuts)
    params = posterior_params(tree, num_draws)
    forecast_era = FORECAST_ERA if cutoff_year <= POST_COLD_WAR else "own"
    if forecast_era == FORECAST_ERA:
        testing[FORECAST_ERA] = 1.0
    arrays = device_arrays(testing, COVARIATE_NAMES, listing)
    conditional, marginal = selected_forecast(params, arrays)
    usable = ~(testing["listing_capped"].to_numpy(bool) & (listing == "capped_unknown"))
    observed = testing["joined"].to_numpy()
    base_rate = float(training["joined"].mean())
    scores = binary_scores(conditional[usable], observed[usable], base_rate, RELIABILITY_EDGES)
    case_index = np.asarray(arrays["case_index"])
    return {
        "cutoff_year": cutoff_year,
        "forecast_era": forecast_era,
        "listing": listing,
        "num_train_cases": int(training["caseid"].nunique()),
        "num_train_rows": len(training),
        "num_train_joined": int(training["joined"].sum()),
        "num_test_cases": int(testing.loc[usable, "caseid"].nunique()),
        "num_draws": int(params.intercept.shape[0]),
        "scores": scores,
        "within_case_auc": within_case_auc(
            conditional[usable], observed[usable], case_index[usable]
        ),
        "unconditional_auc": roc_auc(marginal[usable], observed[usable]),
        "fit_diagnostics": report,
        "passed": beats_base_rate(scores),
    }


def format_backtest(result: dict) -> str:
    """Markdown: what was fitted and forecast, the scores and the reliability table."""
    s = result["scores"]
    era = result["forecast_era"]
    era_text = "each with its own era" if era == "own" else f"era set to {era}"
    lines = [
        f"Fit on the {result['num_train_cases']} cases that started before "
        f"{result['cutoff_year']} ({result['num_train_rows']:,} candidates, "
        f"{result['num_train_joined']} joined; listing {result['listing']}); forecast all "
        f"{s['num_rows']:,} candidates of the {result['num_test_cases']} cases since "
        f"({s['num_events']} joined), each given that its case found a joiner, {era_text}; "
        f"posterior mean of {result['num_draws']} draws; base rate: the training "
        "candidates' joining share.",
        "",
        *format_scores(s, "candidates", "joined"),
        "",
        f"Mean within-case ROC AUC: {result['within_case_auc']:.3f}; ROC AUC of the "
        f"unconditional probability (the simulator's): {result['unconditional_auc']:.3f}.",
    ]
    return "\n".join(lines)
