"""Does a target's defence pact deter? The fitted effect next to the published studies.

The effect of a target's defence pact with a third state on a challenger's yearly odds of
initiating a dispute is read from the posterior as odds ratios with central 90%
intervals:

- the pact alone: ``exp(coefficient of target_defence_pact)`` (allied capability 0);
- the pact with allies of typical capability: ``exp(b_pact + b_capability * c)`` with
  ``c`` the median ``target_allied_capability`` over the dyad-years whose target has such
  a pact (of the period compared).

Overall (the shipped model, 1816-2014), and split by period: a *variant* of the model,
used only here, replaces the two alliance columns by their products with ``year < 1945``
and ``year >= 1945`` (four columns, each with the prior of the column it splits:
Normal(0, 1) for the pact, Normal(0, 0.5) for the capability), fitted to the same kind of
case-control sample with the same offset. The shipped model is unchanged.

The published studies (directions only; their estimates are not reproduced here):

- Leeds (2003, AJPS 47(3)): defensive alliances with the target reduce dispute
  initiation, 1816-1944;
- Johnson & Leeds (2011, Foreign Policy Analysis 7(1)): defence pacts deter, 1816-2000;
- Kenwick, Vasquez & Powers (2015, JOP 77(4)): alliance formation is positively
  associated with dispute initiation in the pre-nuclear era; certain alliances reduce
  initiation in the nuclear era;
- Benson (2011, JOP 73(4)): deterrent alliances contingent on attack go with about 18%
  lower initiation.

The measures differ (ATOP defence pledges of the target with any third state here,
lagged a year; the studies code alliance types and dyads in their own ways), so the
comparison is of directions, not magnitudes.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

from riskengine.models.onset import core

__all__ = [
    "SPLIT_YEAR",
    "PUBLISHED",
    "split_covariates",
    "split_model",
    "odds_ratio",
    "typical_capability",
    "effects_overall",
    "effects_by_period",
    "fit_split",
    "comparison",
    "format_comparison",
]

SPLIT_YEAR = 1945
_PACT = core.COVARIATE_NAMES.index("target_defence_pact")
_CAPABILITY = core.COVARIATE_NAMES.index("target_allied_capability")
SPLIT_NAMES = (
    *core.COVARIATE_NAMES,
    "target_defence_pact_from_1945",
    "target_allied_capability_from_1945",
)
"""Covariates of the split variant: columns 0 and 1 hold the pre-1945 products."""

PUBLISHED = (
    {
        "study": "Leeds (2003), AJPS 47(3)",
        "period": "1816-1944",
        "compare_with": "before 1945",
        "finding": "defensive alliances with the target reduce dispute initiation",
        "direction": "reduces",
    },
    {
        "study": "Johnson & Leeds (2011), Foreign Policy Analysis 7(1)",
        "period": "1816-2000",
        "compare_with": "1816-2014",
        "finding": "defence pacts deter initiation",
        "direction": "reduces",
    },
    {
        "study": "Kenwick, Vasquez & Powers (2015), JOP 77(4)",
        "period": "pre-nuclear era",
        "compare_with": "before 1945",
        "finding": "alliance formation positively associated with initiation",
        "direction": "increases",
    },
    {
        "study": "Kenwick, Vasquez & Powers (2015), JOP 77(4)",
        "period": "nuclear era",
        "compare_with": "1945 on",
        "finding": "certain alliances reduce initiation",
        "direction": "reduces",
    },
    {
        "study": "Benson (2011), JOP 73(4)",
        "period": "1816-2000",
        "compare_with": "1816-2014",
        "finding": "deterrent alliances contingent on attack: about 18% lower initiation",
        "direction": "reduces",
    },
)


def split_covariates(covariates: np.ndarray, year: np.ndarray) -> np.ndarray:
    """(rows, 20) covariates of the split variant (``SPLIT_NAMES``)."""
    covariates = np.asarray(covariates, np.float32)
    later = (np.asarray(year) >= SPLIT_YEAR).astype(np.float32)
    split = np.concatenate(
        [covariates, (covariates[:, [_PACT, _CAPABILITY]] * later[:, None])], axis=-1
    )
    split[:, [_PACT, _CAPABILITY]] *= (1.0 - later)[:, None]
    return split


def _split_priors() -> dict[str, dist.Distribution]:
    base = core.priors()["coefficients"].base_dist
    scales = jnp.concatenate([base.scale, base.scale[jnp.asarray([_PACT, _CAPABILITY])]])
    return {
        "intercept": core.priors()["intercept"],
        "coefficients": dist.Normal(jnp.zeros(scales.size), scales).to_event(1),
    }


def split_model(covariates=None, onset=None, offset=None):
    """``core.model`` with the 20 ``SPLIT_NAMES`` covariates (the period-split variant)."""
    priors = _split_priors()
    params = core.Params(*(numpyro.sample(name, prior) for name, prior in priors.items()))
    if covariates is not None:
        logits = core.yearly_logit(params, covariates)
        if offset is not None:
            logits = logits + offset
        with numpyro.plate("dyad_years", covariates.shape[0]):
            numpyro.sample("onset", dist.Bernoulli(logits=logits), obs=onset)
    return params


def odds_ratio(log_odds: np.ndarray) -> dict:
    """Posterior median odds ratio, central 90% interval and P(odds ratio < 1)."""
    ratio = np.exp(np.asarray(log_odds, np.float64))
    lower, median, upper = np.quantile(ratio, [0.05, 0.5, 0.95])
    return {
        "odds_ratio": float(median),
        "lower_5": float(lower),
        "upper_95": float(upper),
        "p_below_1": float(np.mean(ratio < 1.0)),
        "direction": "reduces" if upper < 1.0 else "increases" if lower > 1.0 else "unclear",
    }


def typical_capability(frame, mask=None) -> float:
    """Median ``target_allied_capability`` of the rows (in ``mask``) whose target has a pact."""
    rows = frame["target_defence_pact"].to_numpy() > 0.5
    if mask is not None:
        rows &= np.asarray(mask)
    return float(np.median(frame.loc[rows, "target_allied_capability"].to_numpy()))


def _effects(coefficients: np.ndarray, pact: int, capability: int, typical: float) -> dict:
    return {
        "pact_alone": odds_ratio(coefficients[:, pact]),
        "pact_typical_allies": odds_ratio(
            coefficients[:, pact] + typical * coefficients[:, capability]
        ),
        "typical_allied_capability": typical,
    }


def effects_overall(coefficients: np.ndarray, frame) -> dict:
    """The shipped model's effects, 1816-2014: ``coefficients`` (draws, 18)."""
    return _effects(np.asarray(coefficients), _PACT, _CAPABILITY, typical_capability(frame))


def effects_by_period(coefficients: np.ndarray, frame) -> dict:
    """The split variant's effects before 1945 and from 1945: ``coefficients`` (draws, 20)."""
    year = frame["year"].to_numpy()
    late_pact, late_capability = len(core.COVARIATE_NAMES), len(core.COVARIATE_NAMES) + 1
    return {
        "before 1945": _effects(
            coefficients, _PACT, _CAPABILITY, typical_capability(frame, year < SPLIT_YEAR)
        ),
        "1945 on": _effects(
            coefficients, late_pact, late_capability, typical_capability(frame, year >= SPLIT_YEAR)
        ),
    }


def fit_split(rng_key, frame, *, control_fraction: float, seed: int, **nuts_options):
    """Fit the split variant to a case-control sample of ``frame``: ``(coefficients
    (draws, 20), diagnostics)``."""
    from riskengine.inference.fit import diagnostics, posterior_tree, run_model_nuts
    from riskengine.models.onset.data import case_control_sample, onset_arrays

    sample = case_control_sample(frame, control_fraction=control_fraction, rng_seed=seed)
    arrays = onset_arrays(sample)
    covariates = split_covariates(arrays["covariates"], arrays["year"])
    mcmc = run_model_nuts(
        rng_key,
        split_model,
        model_args=(
            jnp.asarray(covariates),
            jnp.asarray(arrays["onset"]),
            jnp.asarray(arrays["offset"]),
        ),
        extra_fields=("diverging",),
        **nuts_options,
    )
    tree = posterior_tree(
        mcmc,
        {"intercept": (), "coefficients": ("split_covariate",)},
        {"split_covariate": SPLIT_NAMES},
        sample_stats={"diverging": ("diverging", 1)},
    )
    report = {**diagnostics(tree), "num_rows": int(arrays["onset"].size)}
    return np.asarray(mcmc.get_samples()["coefficients"]), report


def comparison(overall: dict, by_period: dict) -> list[dict]:
    """One row per published finding, with the model's estimate for the closest period."""
    estimates = {"1816-2014": overall, **by_period}
    rows = []
    for study in PUBLISHED:
        estimate = estimates[study["compare_with"]]["pact_typical_allies"]
        rows.append(
            {
                **study,
                "model_direction": estimate["direction"],
                "agrees": estimate["direction"] == study["direction"],
            }
        )
    return rows


def _ratio(entry: dict) -> str:
    return (
        f"{entry['odds_ratio']:.2f} [{entry['lower_5']:.2f}, {entry['upper_95']:.2f}]; "
        f"P(<1) {entry['p_below_1']:.2f}"
    )


def format_comparison(result: dict) -> str:
    """Markdown: the model's odds ratios per period, then the published findings."""
    estimates = {"1816-2014 (shipped model)": result["overall"]}
    estimates.update({f"{k} (split variant)": v for k, v in result["by_period"].items()})
    lines = [
        "Odds ratio of a challenger's yearly initiation when the target has a defence pact "
        "with a third state (posterior median, 90% interval, P(odds ratio < 1)):",
        "",
        "| period | pact alone (allied capability 0) | typical allied capability c "
        "| pact with allies of capability c |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {period} | {_ratio(e['pact_alone'])} | {e['typical_allied_capability']:.2f} | "
        f"{_ratio(e['pact_typical_allies'])} |"
        for period, e in estimates.items()
    ]
    lines += [
        "",
        "| study | period | published finding (direction) | model, closest period | agrees |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['study']} | {r['period']} | {r['finding']} ({r['direction']}) | "
        f"{r['compare_with']}: {r['model_direction']} | {'yes' if r['agrees'] else 'no'} |"
        for r in result["rows"]
    ]
    return "\n".join(lines)
