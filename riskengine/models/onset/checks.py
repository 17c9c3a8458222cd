"""Posterior predictive check of the onset model on the full directed dyad-years.

The model claims population rates, so the check replicates every one of the 1.84
million directed dyad-years 1816-2014, whatever the fit used (a case-control fit with
the King-Zeng offset failed this check; the shipped fit uses every dyad-year). For a
full-data fit the rows an indicator covariate defines (era, contiguity, pacts,
democracy, rivalry) are a weak check: the logit's score equations match the fitted
onsets to the observed ones in each such group. For each of ``num_draws`` evenly thinned posterior draws, every dyad-year gets
one Bernoulli draw with its yearly probability ``core.yearly_probability`` (exact
replication, no normal approximation; draws run one at a time under ``jax.lax.map``),
and the replicated onsets are counted in groups of dyad-years. Each statistic is an
initiation rate, in onsets per 1,000 directed dyad-years: overall, by era (the model's
four eras), by land contiguity, by whether the target has a defence pact with a third
state, by joint democracy and by strategic rivalry (each yes / no).

A row is ``inside`` when the observed rate lies in the central 90% interval of the
replicated rates. Issue 10 asks the model to get the rates right where deterrence is
judged: the era, contiguity and target-defence-pact rows are required
(``REQUIRED_INSIDE``); ``passed`` when all of them are inside. The table's layout is the
escalation and sanctions checks' (:func:`riskengine.inference.posterior_checks.check_rows`).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.inference.posterior_checks import check_rows, format_check_table
from riskengine.models.onset import core

__all__ = [
    "PER_DYAD_YEARS",
    "REQUIRED_INSIDE",
    "group_masks",
    "observed_rates",
    "replicated_counts",
    "predictive_table",
    "posterior_predictive_check",
    "format_check_table",
]

PER_DYAD_YEARS = 1000.0
_RATE = "onsets per 1,000 dyad-years"
_YES_NO = (
    ("land contiguity", "land_contiguity"),
    ("target defence pact", "target_defence_pact"),
    ("joint democracy", "joint_democracy"),
    ("rivalry", "rivalry"),
)
REQUIRED_INSIDE = (
    *(f"{_RATE}: era {era}" for era in core.ERA_NAMES),
    f"{_RATE}: land contiguity yes",
    f"{_RATE}: land contiguity no",
    f"{_RATE}: target defence pact yes",
    f"{_RATE}: target defence pact no",
)


def group_masks(frame) -> tuple[list[str], np.ndarray]:
    """The statistics' names and their groups of dyad-years as a ``(rows, groups)`` bool
    array: all, each era (from the era indicators; none set = the last era), then yes /
    no of each indicator in ``_YES_NO``."""
    column = {name: frame[name].to_numpy() > 0.5 for name in core.COVARIATE_NAMES}
    era_flags = [column[f"era_{era}"] for era in core.ERA_NAMES[:-1]]
    eras = [*era_flags, ~np.any(era_flags, axis=0)]
    names = [f"{_RATE}: all", *(f"{_RATE}: era {era}" for era in core.ERA_NAMES)]
    masks = [np.ones(len(frame), bool), *eras]
    for label, name in _YES_NO:
        names += [f"{_RATE}: {label} yes", f"{_RATE}: {label} no"]
        masks += [column[name], ~column[name]]
    return names, np.stack(masks, axis=-1)


def observed_rates(onset, masks) -> np.ndarray:
    """Observed onsets per 1,000 dyad-years in each group."""
    onset = np.asarray(onset, np.float64)
    return PER_DYAD_YEARS * (onset @ masks) / masks.sum(0)


def replicated_counts(rng_key, params: core.Params, covariates, masks) -> jnp.ndarray:
    """Replicated onset counts per group, ``(draws, groups)``, for parameter draws with a
    leading axis: one Bernoulli per dyad-year and draw, one draw at a time."""
    covariates = jnp.asarray(covariates, jnp.float32)
    weights = jnp.asarray(masks, jnp.float32)
    keys = jax.random.split(rng_key, params.intercept.shape[0])

    def one_draw(args):
        key, draw = args
        probability = core.yearly_probability(draw, covariates)
        onset = jax.random.uniform(key, probability.shape) < probability
        return onset.astype(jnp.float32) @ weights

    return jax.lax.map(jax.jit(one_draw), (keys, params))


def predictive_table(rng_key, params: core.Params, frame, *, source: str) -> dict:
    """The check table of ``frame`` (the full dyad-years) under a batch of draws."""
    from riskengine.models.onset.data import onset_arrays

    arrays = onset_arrays(frame)
    names, masks = group_masks(frame)
    counts = np.asarray(replicated_counts(rng_key, params, arrays["covariates"], masks))
    replicated = PER_DYAD_YEARS * counts / masks.sum(0)
    rows = check_rows(
        names, observed_rates(arrays["onset"], masks), replicated, required=REQUIRED_INSIDE
    )
    return {
        "model": "onset",
        "source": source,
        "num_draws": int(params.intercept.shape[0]),
        "interval": "central 90%",
        "unit": "onsets per 1,000 directed dyad-years",
        "num_rows": len(frame),
        "num_onsets": int(arrays["onset"].sum()),
        "group_sizes": {name: int(size) for name, size in zip(names, masks.sum(0), strict=True)},
        "rows": rows,
    }


def posterior_predictive_check(rng_key, tree, frame, *, num_draws: int = 200) -> dict:
    """Observed vs replicated initiation rates over ``num_draws`` evenly thinned draws.

    ``frame`` is the full ``data.load_dyad_years()`` (not a case-control sample: the
    check is of population rates). ``passed`` when every ``REQUIRED_INSIDE`` row is
    inside its 90% interval; the other rows are reported, not required.
    """
    from riskengine.models.onset.fit import posterior_params

    if "offset" in frame.columns:
        raise ValueError(
            "posterior_predictive_check: got a case-control sample (it has an 'offset' "
            "column); pass the full dyad-years from data.load_dyad_years()"
        )
    table = predictive_table(rng_key, posterior_params(tree, num_draws), frame, source="posterior")
    table["required_inside"] = list(REQUIRED_INSIDE)
    table["passed"] = all(row["inside"] for row in table["rows"] if row["required"])
    return table
