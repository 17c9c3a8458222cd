"""Simulation-based calibration (Talts et al. 2018) and parameter recovery of the veto fit.

The design is the real one (:func:`design_from_drafts`): the alignment-part drafts with
their eras, the five members' alignments with the target and the party flags, and the
77 years' count periods. One SBC replication draws ``theta ~ prior`` (``core.priors``),
simulates every draft's veto pattern conditioned on at least one veto
(``core.simulate_vetoes``) and every member-year's count (``core.simulate_counts``),
fits them with short NUTS from a Laplace warm start, and records the rank of each of the
45 scalar parameters' true value among the thinned posterior draws and whether it lies
in the central 90% interval. The model-free parts (batches, sampler, ranks, uniformity
test, coverage) are :mod:`riskengine.inference.sbc`'s.

The negative control (``misspecified=True``) simulates exactly as above but fits the
*untruncated* likelihood (``core.model(truncated=False)``): it forgets that only drafts
with a veto are observed, sees more vetoes than its parameters imply and pushes the
intercepts up, so their true values rank low; the test must reject.

:func:`recovery` is the fixed-truth counterpart: data simulated on the real design from
a given truth (e.g. the shipped posterior's medians), fitted with the full 4-chain NUTS,
each parameter's truth compared with its posterior interval.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.infer import Predictive

from riskengine.inference import sbc
from riskengine.models.veto import core

__all__ = [
    "Design",
    "design_from_drafts",
    "parameter_names",
    "recovery",
    "run_replication",
    "run_sbc",
    "scalar_parameters",
    "simulate_data",
]


class Design(NamedTuple):
    """The fixed inputs of a simulated data set (numpy): ``era`` (drafts,) int32,
    ``alignment`` and ``party`` (drafts, members) float32, ``period`` (years,) int32."""

    era: np.ndarray
    alignment: np.ndarray
    party: np.ndarray
    period: np.ndarray


def design_from_drafts(drafts) -> Design:
    """The real design from ``data.load_drafts``."""
    from riskengine.models.veto.fit import model_arrays

    draft_part, count_part = model_arrays(drafts)
    return Design(
        *(np.asarray(draft_part[name]) for name in ("era", "alignment", "party")),
        np.asarray(count_part["period"]),
    )


def simulate_data(rng_key, params: core.Params, design: Design) -> tuple[dict, dict, bool]:
    """(alignment-part arrays, count arrays, whether every draft got a veto) simulated
    from ``params`` on ``design``, in the layout ``core.model`` reads."""
    key_vetoes, key_counts = jax.random.split(rng_key)
    era, alignment, party = (jnp.asarray(value) for value in design[:3])
    vetoed, complete = core.simulate_vetoes(key_vetoes, params, era, alignment, party)
    period = jnp.asarray(design.period)
    counts = core.simulate_counts(key_counts, params, period)
    drafts = {"vetoed": vetoed, "era": era, "alignment": alignment, "party": party}
    return drafts, {"counts": counts, "period": period}, bool(complete)


def scalar_parameters(params: core.Params) -> tuple[list[str], np.ndarray]:
    """Flatten ``Params`` with one leading draw axis into ``(names, (draws, 45))``:
    ``intercepts[<member>, <era>]``, the four effects and scales,
    ``log_rates[<member>, <period>]``, ``dispersion``."""
    names, columns = [], []
    for name in core.Params._fields:
        value = np.asarray(getattr(params, name))
        dims = core.PARAMETER_DIMS[name]
        draws = value.shape[0]
        columns.append(value.reshape(draws, -1))
        if not dims:
            names.append(name)
            continue
        labels = [core.PARAMETER_COORDS[dim] for dim in dims]
        names += [f"{name}[{a}, {b}]" for a in labels[0] for b in labels[1]]
    return names, np.concatenate(columns, axis=-1)


def parameter_names() -> list[str]:
    """Names of the scalar parameters ranked by SBC (``scalar_parameters`` order)."""
    shapes = {"intercepts": (core.NUM_MEMBERS, core.NUM_ERAS)}
    shapes["log_rates"] = (core.NUM_MEMBERS, core.NUM_PERIODS)
    zeros = core.Params(*(np.zeros((1, *shapes.get(n, ()))) for n in core.Params._fields))
    return scalar_parameters(zeros)[0]


def _fitted_model(drafts, counts, *, misspecified: bool):
    """``core.model``; the negative control fits it without the truncation."""
    return core.model(drafts, counts, truncated=not misspecified)


def run_replication(seed_words, design: Design, replication: int, options: sbc.SbcOptions):
    """One SBC replication: ``(ranks (45,), divergences, inside_90 (45,))``.

    ``seed_words`` is ``jax.random.key_data`` of the run's key (plain uint32, picklable).
    """
    key = sbc.replication_key(seed_words, replication)
    key_truth, key_data, key_start, key_run = jax.random.split(key, 4)
    truth = core.params_from_draws(Predictive(core.model, num_samples=1)(key_truth))
    params = jax.tree.map(lambda value: value[0], truth)
    drafts, counts, _ = simulate_data(key_data, params, design)
    mcmc = sbc.nuts_sampler(_fitted_model, options)
    samples, divergences = sbc.warm_started_draws(mcmc, key_start, key_run, (drafts, counts))
    _, posterior = scalar_parameters(core.params_from_draws(samples))
    _, true_scalars = scalar_parameters(truth)
    ranks, inside = sbc.ranks_and_coverage(posterior, true_scalars[0], options)
    return ranks, divergences, inside


def run_sbc(rng_key, design: Design, **options) -> sbc.SbcResult:
    """``num_replications`` replications on ``design`` (see
    :func:`riskengine.inference.sbc.run_sbc` for ``mapper``, ``num_batches`` and the
    ``SbcOptions``)."""
    return sbc.run_sbc(run_replication, parameter_names(), rng_key, design, **options)


def recovery(rng_key, design: Design, truth: core.Params, **nuts_options) -> dict:
    """Fit data simulated from ``truth`` on ``design`` with ``run_model_nuts`` (4 chains
    by default); per scalar parameter: truth, posterior mean, sd, 5% and 95% quantiles,
    whether the truth is inside, and the z-score (mean - truth) / sd."""
    from riskengine.inference.fit import diagnostics, posterior_tree, run_model_nuts

    key_data, key_fit = jax.random.split(rng_key)
    drafts, counts, complete = simulate_data(key_data, truth, design)
    mcmc = run_model_nuts(key_fit, core.model, model_args=(drafts, counts), **nuts_options)
    tree = posterior_tree(mcmc, core.PARAMETER_DIMS, core.PARAMETER_COORDS)
    samples = mcmc.get_samples()
    names, posterior = scalar_parameters(core.params_from_draws(samples))
    _, true_values = scalar_parameters(jax.tree.map(lambda value: value[None], truth))
    low, high = np.quantile(posterior, [0.05, 0.95], axis=0)
    mean, sd = posterior.mean(0), posterior.std(0)
    rows = {
        name: {
            "truth": float(true_values[0, i]),
            "mean": float(mean[i]),
            "sd": float(sd[i]),
            "lower_5": float(low[i]),
            "upper_95": float(high[i]),
            "inside_90": bool(low[i] <= true_values[0, i] <= high[i]),
            "z": float((mean[i] - true_values[0, i]) / sd[i]),
        }
        for i, name in enumerate(names)
    }
    inside = np.mean([row["inside_90"] for row in rows.values()])
    return {
        "parameters": rows,
        "share_inside_90": float(inside),
        "max_abs_z": float(max(abs(row["z"]) for row in rows.values())),
        "all_drafts_vetoed": complete,
        "fit_diagnostics": diagnostics(tree),
    }
