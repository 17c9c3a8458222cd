"""Simulation-based calibration (Talts et al. 2018) of the member support fit.

The design is fixed: ``num_cases`` real TIES cases, ``members`` real candidates of each
(:func:`design_from_frame`), with their covariates (all of ``COVARIATE_NAMES`` or a
subset: the prior scales follow the names). One replication: draw the parameters from
the prior (``support.priors``), then each case's latent *and* its candidates' outcomes
conditional on the case having at least one joiner (:func:`simulate_selected`: the
latent from its selection-conditional density on a grid four times finer than the
fit's, :func:`support_checks.selected_latents`; the outcomes by the exact sequential
draw of :func:`support_checks.truncated_joiners`), which is how the TIES
cases enter the data; fit with short NUTS from a Laplace warm start; record the rank
of each scalar parameter's true value among thinned draws and whether it lies in the
central 90% interval (recovery). The model-free parts are :mod:`riskengine.inference.sbc`'s.

Negative control (``misspecified=True``): the same selected data, fitted with a
likelihood that ignores the selection (no division by P(at least one joiner)). Cases
that found a joiner look like cases where joining is common, so the intercept (and the
latent scale) come out too high: their ranks pile up at the bottom and the uniformity
test must reject. This is the error the selection term exists to prevent.
"""

from __future__ import annotations

from functools import cache, partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.infer import Predictive

from riskengine.inference import sbc
from riskengine.models.coalition import support
from riskengine.models.coalition.support_checks import selected_latents, truncated_joiners
from riskengine.models.coalition.support_data import COVARIATE_NAMES

__all__ = [
    "Design",
    "design_from_frame",
    "parameter_names",
    "run_replication",
    "run_sbc",
    "scalar_parameters",
    "simulate_selected",
]


class Design(NamedTuple):
    """Fixed candidates of an SBC data set: ``covariates`` (cases, members, k) float32 and
    the names of its k covariates (they set the prior scales)."""

    covariates: np.ndarray
    covariate_names: tuple[str, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(str(name) for name in np.atleast_1d(self.covariate_names))

    def candidates(self, joined, *, selection_term: bool = True) -> dict:
        """The mapping ``support.model`` reads, with ``joined`` (cases, members) flags."""
        num_cases, members, k = np.shape(self.covariates)
        rows = num_cases * members
        return {
            "covariates": jnp.asarray(self.covariates, jnp.float32).reshape(rows, k),
            "joined": jnp.asarray(joined, jnp.int32).reshape(rows),
            "case_index": jnp.repeat(jnp.arange(num_cases, dtype=jnp.int32), members),
            "offset": jnp.zeros(rows, jnp.float32),
            "election": jnp.zeros(rows, jnp.float32),
            "known": jnp.ones(rows, jnp.float32),
            "truncated": jnp.full(num_cases, float(selection_term), jnp.float32),
        }


def design_from_frame(
    frame, num_cases: int = 60, members: int = 60, covariate_names=COVARIATE_NAMES, seed: int = 7
) -> Design:
    """``num_cases`` cases drawn from a candidate frame, ``members`` candidates of each
    (without replacement; ``seed`` picks them)."""
    rng = np.random.default_rng(seed)
    sizes = frame.groupby("caseid").size()
    eligible = sizes.index[sizes >= members].to_numpy()
    if num_cases > len(eligible):
        raise ValueError(f"design_from_frame: {num_cases} cases asked, {len(eligible)} fit")
    cases = np.sort(rng.choice(eligible, num_cases, replace=False))
    blocks = []
    for case in cases:
        rows = frame.loc[frame["caseid"] == case, list(covariate_names)].to_numpy(np.float32)
        blocks.append(rows[np.sort(rng.choice(len(rows), members, replace=False))])
    return Design(np.stack(blocks), tuple(covariate_names))


def simulate_selected(rng_key, params: support.Params, design: Design) -> jnp.ndarray:
    """(cases, members) joined flags of cases selected for having at least one joiner."""
    key_latent, key_join = jax.random.split(rng_key)
    covariates = jnp.asarray(design.covariates, jnp.float32)
    mask = jnp.ones(covariates.shape[:2], bool)
    latent = selected_latents(key_latent, params, covariates, mask)
    probability = support.support_probability(params, covariates, latent[:, None])
    return truncated_joiners(key_join, probability, jnp.ones(mask.shape[0])).astype(jnp.int32)


def scalar_parameters(params: support.Params, names) -> tuple[list[str], np.ndarray]:
    """Named scalars of ``Params`` with one leading draw axis: ``(names, (draws, k + 3))``."""
    intercept = np.asarray(params.intercept).reshape(-1, 1)
    draws = intercept.shape[0]
    columns = [
        intercept,
        np.asarray(params.coefficients).reshape(draws, -1),
        np.asarray(params.case_scale).reshape(draws, 1),
        np.asarray(params.election_shift).reshape(draws, 1),
    ]
    labels = ["intercept", *(f"coefficients[{n}]" for n in names), "case_scale", "election_shift"]
    return labels, np.concatenate(columns, axis=-1)


def parameter_names(names) -> list[str]:
    """The scalar parameters ranked by SBC (``scalar_parameters`` order)."""
    return ["intercept", *(f"coefficients[{n}]" for n in names), "case_scale", "election_shift"]


def _fitted_model(candidates, *, misspecified: bool, covariate_names: tuple[str, ...]):
    """``support.model``; in the negative control its selection term is switched off."""
    return support.model(
        candidates, covariate_names=covariate_names, selection_corrected=not misspecified
    )


@cache
def _model_for(covariate_names: tuple[str, ...]):
    """One model object per covariate list and process, so its sampler is compiled once."""
    return partial(_fitted_model, covariate_names=covariate_names)


def run_replication(seed_words, design: Design, replication: int, options: sbc.SbcOptions):
    """One SBC replication: ``(ranks (k + 3,), divergences, inside_90 (k + 3,))``."""
    names = design.names()
    key = sbc.replication_key(seed_words, replication)
    key_truth, key_data, key_start, key_run = jax.random.split(key, 4)
    prior = partial(support.model, covariate_names=names)
    truth = support.params_from_draws(Predictive(prior, num_samples=1)(key_truth))
    params = jax.tree.map(lambda value: value[0], truth)
    candidates = design.candidates(simulate_selected(key_data, params, design))
    mcmc = sbc.nuts_sampler(_model_for(names), options)
    samples, divergences = sbc.warm_started_draws(mcmc, key_start, key_run, (candidates,))
    _, posterior = scalar_parameters(support.params_from_draws(samples), names)
    _, true_scalars = scalar_parameters(truth, names)
    ranks, inside = sbc.ranks_and_coverage(posterior, true_scalars[0], options)
    return ranks, divergences, inside


def run_sbc(rng_key, design: Design, **options) -> sbc.SbcResult:
    """``num_replications`` replications on ``design`` (:func:`riskengine.inference.sbc.run_sbc`
    for ``mapper``, ``num_batches`` and the ``SbcOptions``)."""
    names = parameter_names(design.names())
    return sbc.run_sbc(run_replication, names, rng_key, design, **options)
