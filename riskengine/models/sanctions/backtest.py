"""Temporal backtest: fit on cases imposed before 1990, forecast the cases imposed since.

The model is fitted (NUTS, :func:`fit.fit_sanctions`) on the TIES cases imposed before
``CUTOFF_YEAR`` only; the test cases are never seen by the fit. For each test case the
posterior mean (over ``num_draws`` draws) of four probabilities is computed exactly from
the core (no simulation):

- P(success) at any time: ``sum_m P(D = m) P(outcome in success | ends in month m)`` over
  ``NUM_MONTHS`` months, under the broad (negotiated settlement or acquiescence) and
  strict (acquiescence) readings;
- the same within 24 months (``m <= 24``).

Scores against the observed outcomes: Brier score and its skill against the training
base rate (the share of training cases with that event), mean log score (binary) vs the
base rate, and a reliability table (quintiles of the forecast: mean forecast, observed
share, count).

Era: the post-Cold War era (1990 on) does not occur in the training data, so its
effect would be a prior draw. The test cases are forecast with the ``late_cold_war``
era, as a forecaster in 1990 would have had to: the backtest asks whether the
covariates carry over, not whether the era shift could have been foreseen.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.models.sanctions import core
from riskengine.models.sanctions.coding import ERA_NAMES, OUTCOME_NAMES, SUCCESS_BROAD

__all__ = [
    "CUTOFF_YEAR",
    "FORECAST_ERA",
    "EVENTS",
    "success_probabilities",
    "score",
    "reliability_table",
    "backtest",
    "format_backtest",
]

CUTOFF_YEAR = 1990
FORECAST_ERA = "late_cold_war"
NUM_MONTHS = 600
WITHIN_MONTHS = 24
EVENTS = ("broad", "strict", "broad within 24 months", "strict within 24 months")
_BROAD = jnp.asarray([name in SUCCESS_BROAD for name in OUTCOME_NAMES], jnp.float32)


def success_probabilities(params: core.Params, covariates, issue, era, num_months=NUM_MONTHS):
    """(n, 4) probabilities of the ``EVENTS`` for each case under one parameter draw."""
    log_end, _ = core.duration_log_probabilities(params, covariates, num_months)
    months = jnp.arange(1, num_months + 1)
    outcome = core.outcome_probabilities(
        params, jnp.asarray(covariates)[:, None, :], issue[:, None], era[:, None], months
    )
    joint = jnp.exp(log_end)[..., None] * outcome  # (n, months, 3): ends in m with outcome k
    anytime, early = joint.sum(1), joint[:, :WITHIN_MONTHS].sum(1)
    return jnp.stack([anytime @ _BROAD, anytime[:, 2], early @ _BROAD, early[:, 2]], axis=-1)


def observed_events(cases) -> np.ndarray:
    """(n, 4) 0/1 outcomes of the ``EVENTS`` for the observed cases."""
    outcome = np.asarray(cases["outcome"])
    early = np.asarray(cases["duration_months"]) <= WITHIN_MONTHS
    broad, strict = np.asarray(_BROAD)[outcome] > 0, outcome == 2
    return np.stack([broad, strict, broad & early, strict & early], axis=-1).astype(float)


def reliability_table(forecast: np.ndarray, observed: np.ndarray, num_bins: int = 5) -> list:
    """Quantile bins of the forecast: mean forecast, observed share and count per bin."""
    edges = np.quantile(forecast, np.linspace(0, 1, num_bins + 1))
    group = np.clip(np.searchsorted(edges, forecast, side="right") - 1, 0, num_bins - 1)
    return [
        {
            "mean_forecast": float(forecast[group == g].mean()),
            "observed_share": float(observed[group == g].mean()),
            "count": int((group == g).sum()),
        }
        for g in range(num_bins)
        if np.any(group == g)
    ]


def score(forecast: np.ndarray, observed: np.ndarray, base_rate: float) -> dict:
    """Brier score, skill vs the base rate, mean binary log scores, reliability."""
    forecast = np.clip(forecast, 1e-6, 1 - 1e-6)
    base = np.clip(base_rate, 1e-6, 1 - 1e-6)
    brier = float(np.mean((forecast - observed) ** 2))
    brier_base = float(np.mean((base - observed) ** 2))

    def log_score(p):
        return float(np.mean(observed * np.log(p) + (1 - observed) * np.log1p(-p)))

    return {
        "base_rate": float(base_rate),
        "observed_share": float(observed.mean()),
        "mean_forecast": float(forecast.mean()),
        "brier": brier,
        "brier_base_rate": brier_base,
        "brier_skill": 1 - brier / brier_base,
        "log_score": log_score(forecast),
        "log_score_base_rate": log_score(np.full_like(forecast, base)),
        "reliability": reliability_table(forecast, observed),
    }


def _subset(cases, mask) -> dict:
    return {name: np.asarray(value)[mask] for name, value in cases.items()}


def backtest(rng_key, cases, *, num_draws: int = 400, **nuts_options) -> dict:
    """Fit on cases imposed before ``CUTOFF_YEAR``, score the forecasts of the others.

    ``cases`` is ``data.case_arrays(...)`` (needs ``imposed_year``); ``nuts_options`` go
    to :func:`fit.fit_sanctions`. ``passed``: the broad-success forecast beats the
    training base rate in Brier score and log score.
    """
    from riskengine.models.sanctions.fit import fit_sanctions, posterior_params

    year = np.asarray(cases["imposed_year"])
    train = year < CUTOFF_YEAR
    training, test = _subset(cases, train), _subset(cases, ~train)
    tree, report = fit_sanctions(rng_key, training, **nuts_options)
    params = posterior_params(tree, num_draws)
    covariates = jnp.asarray(test["covariates"], jnp.float32)
    issue = jnp.asarray(test["issue"], jnp.int32)
    era = jnp.full(issue.shape, ERA_NAMES.index(FORECAST_ERA), jnp.int32)
    probability = jax.lax.map(
        jax.jit(lambda p: success_probabilities(p, covariates, issue, era)), params
    )
    forecast = np.asarray(probability, np.float64).mean(0)
    observed, observed_training = observed_events(test), observed_events(training)
    scores = {
        event: score(forecast[:, i], observed[:, i], observed_training[:, i].mean())
        for i, event in enumerate(EVENTS)
    }
    broad = scores["broad"]
    return {
        "cutoff_year": CUTOFF_YEAR,
        "forecast_era": FORECAST_ERA,
        "num_train": int(train.sum()),
        "num_test": int((~train).sum()),
        "num_draws": int(params.hazard_intercept.shape[0]),
        "events": scores,
        "fit_diagnostics": report,
        "passed": bool(
            broad["brier"] <= broad["brier_base_rate"]
            and broad["log_score"] >= broad["log_score_base_rate"]
        ),
    }


def format_backtest(result: dict) -> str:
    """Markdown: one row of scores per event, then the reliability table of each event."""
    lines = [
        f"Fit on {result['num_train']} cases imposed before {result['cutoff_year']}, "
        f"forecast {result['num_test']} imposed since (era forced to {result['forecast_era']}; "
        f"{result['num_draws']} posterior draws).",
        "",
        "| event | observed | mean forecast | base rate | Brier | Brier (base) | skill "
        "| log score | log score (base) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for event, s in result["events"].items():
        lines.append(
            f"| {event} | {s['observed_share']:.3f} | {s['mean_forecast']:.3f} | "
            f"{s['base_rate']:.3f} | {s['brier']:.4f} | {s['brier_base_rate']:.4f} | "
            f"{s['brier_skill']:.3f} | {s['log_score']:.4f} | {s['log_score_base_rate']:.4f} |"
        )
    for event, s in result["events"].items():
        lines += ["", f"Reliability, {event} (quintiles of the forecast):", ""]
        lines += ["| mean forecast | observed share | count |", "|---|---|---|"]
        lines += [
            f"| {r['mean_forecast']:.3f} | {r['observed_share']:.3f} | {r['count']} |"
            for r in s["reliability"]
        ]
    return "\n".join(lines)
