"""Temporal backtest: fit on disputes that started before 1990, forecast every candidate
of the 1990-2014 disputes.

The model is fitted (NUTS, :func:`fit.fit_joining`) to the case-control sample
(:func:`data.case_control_sample`, as the shipped fit: every joiner and committed
candidate, 5% of the others, with the sampling offset) of the candidates of disputes
that started before ``CUTOFF_YEAR`` only; the candidates of later disputes are never
seen by the fit. Each of them, all of them (not a sample), gets as its forecast the
posterior mean (over ``num_draws`` draws) of the probability that it joins during its
dispute, given the dispute's duration and peak (``core.log_probability_joined``: a
forecast that knows how long and how high the dispute went, as the fit does).

Era: the post-Cold War era (the reference, all era indicators 0) does not occur in the
training data, so the intercept and the three era effects are identified only through
their sum per era (the prior splits it). The test candidates are forecast with the
``cold_war`` era, as a forecaster in 1990 would have had to (as the onset and sanctions
backtests do): the backtest asks whether the covariates carry over, not whether the era
shift could have been foreseen.

Scores (:func:`riskengine.inference.scoring.binary_scores`) against the observed joining:
Brier score and its skill against the base rate (the training candidates' joining rate,
all of them), mean log score vs the base rate, ROC AUC and a reliability table over
fixed, log-spaced bins of the forecast (``RELIABILITY_EDGES``: most candidates have
probabilities far below 1%); the same by commitment (defence pact vs not), each against
the same overall base rate.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.inference.scoring import beats_base_rate, binary_scores, format_scores
from riskengine.models.escalation.data import with_era
from riskengine.models.joining import core
from riskengine.models.joining.data import COVARIATE_NAMES

__all__ = [
    "CUTOFF_YEAR",
    "FORECAST_ERA",
    "RELIABILITY_EDGES",
    "backtest",
    "forecast_probabilities",
    "format_backtest",
    "scores_by_commitment",
]

CUTOFF_YEAR = 1990
FORECAST_ERA = "cold_war"
RELIABILITY_EDGES = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)


def forecast_probabilities(params: core.Params, arrays: dict) -> np.ndarray:
    """Posterior mean probability that each candidate joins during its dispute (draws on
    the leading axis of ``params``; one draw at a time, accumulated in float64).
    ``arrays``: ``covariates``, ``peak_level``, ``duration_months`` (``candidate_arrays``)."""
    covariates = jnp.asarray(arrays["covariates"], jnp.float32)
    peak = jnp.asarray(arrays["peak_level"], jnp.int32)
    duration = jnp.asarray(arrays["duration_months"], jnp.int32)

    def probability(draw):
        return jnp.exp(core.log_probability_joined(draw, covariates, peak, duration)[0])

    return np.asarray(jax.lax.map(jax.jit(probability), params), np.float64).mean(0)


def scores_by_commitment(forecast, observed, defence_pact, base_rate: float) -> dict:
    """``binary_scores`` of all rows and of the rows with and without a defence pact."""
    defence_pact = np.asarray(defence_pact, bool)
    groups = {"all": np.ones_like(defence_pact), "defence_pact": defence_pact}
    groups["no_defence_pact"] = ~defence_pact
    return {
        name: binary_scores(forecast[mask], observed[mask], base_rate, RELIABILITY_EDGES)
        for name, mask in groups.items()
    }


def backtest(rng_key, candidates, *, num_draws: int = 200, **nuts_options) -> dict:
    """Fit on ``candidates``' disputes that started before ``CUTOFF_YEAR``, score the
    forecasts of the rest.

    ``candidates`` is the full ``data.load_candidates()``; ``nuts_options`` go to
    :func:`fit.fit_joining`. ``passed``: the forecasts of all test candidates beat the
    base rate in Brier score and in log score, and AUC > 0.5.
    """
    from riskengine.models.joining.data import candidate_arrays, case_control_sample
    from riskengine.models.joining.fit import fit_joining, posterior_params

    train = candidates["start_year"].to_numpy() < CUTOFF_YEAR
    training = case_control_sample(candidates.loc[train])
    tree, report = fit_joining(rng_key, training, **nuts_options)
    params = posterior_params(tree, num_draws)
    test = candidate_arrays(candidates.loc[~train])
    test["covariates"] = with_era(test["covariates"], FORECAST_ERA, COVARIATE_NAMES)
    forecast = forecast_probabilities(params, test)
    base_rate = float(candidates.loc[train, "joined"].mean())
    defence_pact = candidates.loc[~train, "defence_pact"].to_numpy() == 1
    scores = scores_by_commitment(forecast, test["joined"], defence_pact, base_rate)
    return {
        "cutoff_year": CUTOFF_YEAR,
        "forecast_era": FORECAST_ERA,
        "control_fraction": training.attrs["control_fraction"],
        "num_train_rows": int(train.sum()),
        "num_train_joined": int(candidates.loc[train, "joined"].sum()),
        "num_train_sample": len(training),
        "num_draws": int(params.intercept.shape[0]),
        "scores": scores,
        "fit_diagnostics": report,
        "passed": beats_base_rate(scores["all"]),
    }


def format_backtest(result: dict) -> str:
    """Markdown: the overall scores and reliability, then the scores by commitment."""
    s = result["scores"]["all"]
    lines = [
        f"Fit on a case-control sample ({result['num_train_sample']:,} rows: every joiner and "
        f"committed candidate, {result['control_fraction']:.0%} of the others) of the "
        f"{result['num_train_rows']:,} candidates of disputes that started before "
        f"{result['cutoff_year']} ({result['num_train_joined']:,} joined); forecast all "
        f"{s['num_rows']:,} candidates of the disputes since ({s['num_events']:,} joined), "
        f"given each dispute's duration and peak, era set to {result['forecast_era']}; "
        f"posterior mean of {result['num_draws']} draws; base rate: the training "
        "candidates' joining rate.",
        "",
        *format_scores(s, "candidates", "joined"),
        "",
        "By commitment (defence pact with an originator of the side or not), against the "
        "same base rate:",
        "",
        "| candidates | rows | joined | observed rate | mean forecast | Brier skill "
        "| log score gain per row | ROC AUC |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, g in result["scores"].items():
        lines.append(
            f"| {name} | {g['num_rows']:,} | {g['num_events']:,} | {g['observed_share']:.5f} | "
            f"{g['mean_forecast']:.5f} | {g['brier_skill']:.4f} | {g['log_score_gain']:.5f} | "
            f"{g['roc_auc']:.3f} |"
        )
    return "\n".join(lines)
