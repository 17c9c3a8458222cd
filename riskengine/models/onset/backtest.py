"""Temporal backtest: fit on dyad-years before 1990, forecast every dyad-year since.

The model is fitted (NUTS, :func:`fit.fit_onset`) to the directed dyad-years before
``CUTOFF_YEAR`` only (as the shipped fit, every one: ``CONTROL_FRACTION`` 1; a smaller
share fits a case-control sample with the King-Zeng offset); the 1990-2014 dyad-years
are never seen by the fit. Each of them gets the posterior mean (over ``num_draws``
draws) of its yearly onset probability as the forecast.

Era: the post-Cold War era (the reference, all era indicators 0) does not occur in the
training data, so the intercept and the three era effects are identified only through
their sum per era (the prior splits it). The test dyad-years are forecast with the
``cold_war`` era, as a forecaster in 1990 would have had to (the sanctions backtest
does the same): the backtest asks whether the covariates carry over, not whether the
era shift could have been foreseen.

Scores (:func:`riskengine.inference.scoring.binary_scores`) against the observed
onsets: Brier score and its skill against the base rate (the training period's
population onset rate), mean log score vs the base rate, ROC AUC, and a reliability
table over fixed bins of the forecast (``RELIABILITY_EDGES``, log-spaced: most
dyad-years have probabilities far below 1%, so deciles would put nine bins near 0).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.inference.scoring import beats_base_rate, binary_scores, format_scores
from riskengine.models.onset import core

__all__ = [
    "CUTOFF_YEAR",
    "FORECAST_ERA",
    "CONTROL_FRACTION",
    "RELIABILITY_EDGES",
    "with_era",
    "forecast_probabilities",
    "backtest",
    "format_backtest",
]

CUTOFF_YEAR = 1990
FORECAST_ERA = "cold_war"
CONTROL_FRACTION = 1.0  # as the shipped fit: every training dyad-year
RELIABILITY_EDGES = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)


def with_era(covariates: np.ndarray, era: str) -> np.ndarray:
    """``covariates`` (rows, 18) with every row's era indicators set to ``era``."""
    from riskengine.models.escalation.data import with_era as with_era_of

    return with_era_of(covariates, era, core.COVARIATE_NAMES)


def forecast_probabilities(params: core.Params, covariates) -> np.ndarray:
    """Posterior mean yearly onset probability per row (draws on the leading axis of
    ``params``; one draw at a time, accumulated in float64)."""
    covariates = jnp.asarray(covariates, jnp.float32)
    probability = jax.lax.map(
        jax.jit(lambda draw: core.yearly_probability(draw, covariates)), params
    )
    return np.asarray(probability, np.float64).mean(0)


def backtest(rng_key, frame, *, num_draws: int = 200, seed: int = 1990, **nuts_options) -> dict:
    """Fit on ``frame``'s dyad-years before ``CUTOFF_YEAR``, score the forecasts of the rest.

    ``frame`` is the full ``data.load_dyad_years()``; ``seed`` draws the training
    case-control sample; ``nuts_options`` go to :func:`fit.fit_onset`. ``passed``: the
    forecasts beat the base rate in Brier score and in log score, and AUC > 0.5.
    """
    from riskengine.models.onset.data import case_control_sample, onset_arrays
    from riskengine.models.onset.fit import fit_onset, posterior_params

    train = frame["year"].to_numpy() < CUTOFF_YEAR
    training = case_control_sample(
        frame.loc[train], control_fraction=CONTROL_FRACTION, rng_seed=seed
    )
    tree, report = fit_onset(rng_key, onset_arrays(training), **nuts_options)
    params = posterior_params(tree, num_draws)
    test = onset_arrays(frame.loc[~train])
    forecast = forecast_probabilities(params, with_era(test["covariates"], FORECAST_ERA))
    base_rate = float(frame.loc[train, "onset"].mean())
    scores = binary_scores(forecast, test["onset"], base_rate, RELIABILITY_EDGES)
    return {
        "cutoff_year": CUTOFF_YEAR,
        "forecast_era": FORECAST_ERA,
        "control_fraction": CONTROL_FRACTION,
        "num_train_rows": int(train.sum()),
        "num_train_onsets": int(frame.loc[train, "onset"].sum()),
        "num_train_sample": len(training),
        "num_draws": int(params.intercept.shape[0]),
        "scores": scores,
        "fit_diagnostics": report,
        "passed": beats_base_rate(scores),
    }


def format_backtest(result: dict) -> str:
    """Markdown: the scores, then the reliability table."""
    s = result["scores"]
    sample = (
        "every one"
        if result["control_fraction"] >= 1
        else f"a case-control sample ({result['num_train_sample']:,} rows: every onset, "
        f"{result['control_fraction']:.0%} of the others)"
    )
    lines = [
        f"Fit on {sample} of the {result['num_train_rows']:,} "
        f"directed dyad-years before {result['cutoff_year']} ({result['num_train_onsets']:,} "
        f"onsets); forecast all {s['num_rows']:,} dyad-years since ({s['num_events']:,} "
        f"onsets), era set to {result['forecast_era']}; posterior mean of "
        f"{result['num_draws']} draws.",
        "",
        *format_scores(s, "dyad-years", "onsets"),
    ]
    return "\n".join(lines)
