"""Posterior predictive check of the member support model on the TIES candidates.

For ``NUM_DRAWS`` posterior draws, every case is replicated as a new draw of the same
case (its candidates and covariates, a new latent): the latent from its density given
that the case finds at least one joiner (:func:`selected_latents`, the selection the fit
conditions on), then the candidates' decisions given that latent and that selection
(:func:`truncated_joiners`, exact). This "mixed" replication (Marshall & Spiegelhalter
2007) checks the spread of the latent too, which replicating each case at its own
fitted latent would hide. Replicated statistics against the observed ones, each with
its 90% interval:

* joining share of the candidates: all, by pledge with the primary sender (defence,
  other, none), alliance with the target, major power, era;
* joiners per case: mean, share of cases with one joiner, share at the cap.

The replicated cases pass through TIES's listing, as the observed ones did: at most
``LISTING_CAP - 1`` = 4 joiners besides the primary are listed, a random four when more
joined (:func:`listed_joiners`). The shipped fit reads the listing as the outcome, so its
replications can have more joiners than TIES can show; how often is reported apart
(``replicated_share_above_cap``), not compared with anything observed.

With ``listing="capped_unknown"`` the shares use the cases below the cap only (their
outcomes are all known). A row passes when the observed value lies inside its interval.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.inference.posterior_checks import check_rows
from riskengine.models.coalition import support
from riskengine.models.coalition.support_cases import LISTING_CAP

__all__ = [
    "NUM_DRAWS",
    "REQUIRED_INSIDE",
    "listed_joiners",
    "padded_cases",
    "posterior_predictive_check",
    "selected_latents",
    "truncated_joiners",
]

NUM_DRAWS = 200
FINE_LATENT_NODES = np.linspace(-support.LATENT_BOUND, support.LATENT_BOUND, 481)
MAXIMUM_LISTED_JOINERS = LISTING_CAP - 1
REQUIRED_INSIDE = (
    "joining share: all",
    "joining share: defence_pact_with_primary",
    "joining share: other_pledge_with_primary",
    "joining share: no_pledge_with_primary",
    "joining share: era=early_cold_war",
    "joining share: era=late_cold_war",
    "joining share: era=post_cold_war",
    "joiners per case (listed, at most 4): mean",
)


def padded_cases(case_index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cases, longest case) row numbers of each case's candidates and their mask."""
    case_index = np.asarray(case_index)
    sizes = np.bincount(case_index)
    order = np.argsort(case_index, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    position = np.arange(sizes.max())[None, :]
    mask = position < sizes[:, None]
    rows = np.where(mask, order[np.minimum(starts[:, None] + position, len(order) - 1)], 0)
    return rows, mask


def truncated_joiners(rng_key, probability, truncated):
    """Joined flags (..., cases, members) given each member's probability (0 on padding),
    conditional on at least one joiner where ``truncated`` (cases,) is 1.

    Exact sequential draw: before the first joiner, member i joins with probability
    p_i / P(someone among i.. joins); after it, with p_i. The last member with p > 0 then
    joins for sure when nobody before did.
    """
    uniform = jax.random.uniform(rng_key, probability.shape)
    log_none = jnp.log1p(-jnp.clip(probability, 0.0, 1.0 - 1e-7))
    log_none_from = jnp.flip(jnp.cumsum(jnp.flip(log_none, -1), -1), -1)
    someone = -jnp.expm1(log_none_from)
    first_probability = jnp.where(someone > 0, probability / jnp.maximum(someone, 1e-30), 0.0)
    first_probability = jnp.where(truncated[..., None] > 0, first_probability, probability)
    hits = uniform < first_probability
    first = jnp.argmax(hits, axis=-1)[..., None]
    position = jnp.arange(probability.shape[-1])
    found = jnp.any(hits, axis=-1, keepdims=True)
    after = (position > first) & (uniform < probability)
    return jnp.where(found, (position == first) | after, uniform < probability)


def selected_latents(rng_key, params, covariates, mask, election=0.0, truncated=None):
    """(cases,) latents of cases given their covariates (cases, members, k) and ``mask``
    (cases, members), drawn from phi(z) P(at least one joiner | z) where ``truncated``
    (cases,) is 1 (default: every case), from phi(z) elsewhere; on a grid of 481 nodes
    with uniform jitter within a node's cell."""
    key_node, key_jitter = jax.random.split(rng_key)
    nodes = jnp.asarray(FINE_LATENT_NODES, jnp.float32)
    fixed = support.linear_predictor(params, covariates, 0.0, election)  # (cases, members)
    logits = fixed[..., None] + params.case_scale * nodes
    none_join = jnp.sum(jnp.where(mask[..., None], jax.nn.log_sigmoid(-logits), 0.0), axis=1)
    truncated = jnp.ones(fixed.shape[0]) if truncated is None else truncated
    log_density = -0.5 * nodes**2 + truncated[:, None] * support._log1m_exp(none_join)
    index = jax.random.categorical(key_node, log_density, axis=-1)
    step = float(FINE_LATENT_NODES[1] - FINE_LATENT_NODES[0])
    jitter = jax.random.uniform(key_jitter, index.shape, minval=-0.5, maxval=0.5)
    return nodes[index] + step * jitter


def listed_joiners(rng_key, joined):
    """(..., cases, members) the joiners TIES would list: all of them when at most
    ``MAXIMUM_LISTED_JOINERS`` joined, else that many chosen at random."""
    order = jnp.where(joined, jax.random.uniform(rng_key, joined.shape), 2.0)
    cutoff = jnp.sort(order, axis=-1)[..., MAXIMUM_LISTED_JOINERS - 1 : MAXIMUM_LISTED_JOINERS]
    return joined & (order <= cutoff)


def _groups(frame) -> dict[str, np.ndarray]:
    defence = frame["defence_pact_with_primary"].to_numpy() == 1
    other = frame["other_pledge_with_primary"].to_numpy() == 1
    early = frame["era_early_cold_war"].to_numpy() == 1
    late = frame["era_late_cold_war"].to_numpy() == 1
    return {
        "all": np.ones(len(frame), bool),
        "defence_pact_with_primary": defence,
        "other_pledge_with_primary": other,
        "no_pledge_with_primary": ~defence & ~other,
        "alliance_with_target": frame["alliance_with_target"].to_numpy() == 1,
        "major_power": frame["major_power"].to_numpy() == 1,
        "era=early_cold_war": early,
        "era=late_cold_war": late,
        "era=post_cold_war": ~early & ~late,
    }


def _case_counts(listed, joined) -> jnp.ndarray:
    """(4,) over cases: listed joiners, cases with one listed, cases at the cap, cases
    with more joiners than the cap (exact integers; divided in float64 outside)."""
    return jnp.stack(
        [
            listed.sum(),
            (listed == 1).sum(),
            (listed == MAXIMUM_LISTED_JOINERS).sum(),
            (joined > MAXIMUM_LISTED_JOINERS).sum(),
        ]
    ).astype(jnp.float32)


def _replicated(rng_key, params, arrays, rows, mask, weights):
    """(draws, groups + 4) replicated listed joiners by group, then ``_case_counts``."""
    covariates = arrays["covariates"][rows]  # (cases, members, k)
    election = arrays["election"][rows]
    truncated = arrays["truncated"]

    def one(key, draw):
        key_latent, key_join, key_list = jax.random.split(key, 3)
        latent = selected_latents(key_latent, draw, covariates, mask, election, truncated)
        probability = support.support_probability(draw, covariates, latent[:, None], election)
        joined = truncated_joiners(key_join, jnp.where(mask, probability, 0.0), truncated)
        joined = joined & mask
        listed = listed_joiners(key_list, joined)
        counts = (weights * listed[None]).sum((1, 2))
        return jnp.concatenate([counts, _case_counts(listed.sum(-1), joined.sum(-1))])

    keys = jax.random.split(rng_key, params.intercept.shape[0])
    return np.asarray(
        jax.lax.map(lambda item: one(item[0], support.Params(*item[1])), (keys, tuple(params)))
    )


def posterior_predictive_check(
    rng_key, tree, frame, num_draws: int = NUM_DRAWS, listing: str | None = None
) -> dict:
    """Observed vs replicated statistics (the shared check-table format of
    :mod:`riskengine.inference.posterior_checks`); ``passed`` when the
    ``REQUIRED_INSIDE`` rows are inside their 90% intervals."""
    from riskengine.models.coalition.support_fit import (
        covariate_names_of,
        device_arrays,
        posterior_params,
    )

    listing = listing or tree.attrs.get("listing", "as_listed")
    params = posterior_params(tree, num_draws)
    arrays = device_arrays(frame, covariate_names_of(tree), listing)
    rows, mask = padded_cases(np.asarray(arrays["case_index"]))
    groups = _groups(frame)
    usable = ~(frame["listing_capped"].to_numpy(bool) & (listing == "capped_unknown"))
    weights = np.stack([(group & usable)[rows] & mask for group in groups.values()])
    replicated = _replicated(
        rng_key,
        params,
        arrays,
        jnp.asarray(rows),
        jnp.asarray(mask),
        jnp.asarray(weights, jnp.float32),
    )
    weights = np.asarray(weights)
    joined = frame["joined"].to_numpy()
    sizes = np.asarray(weights.sum((1, 2)), np.float64)
    num_cases = rows.shape[0]
    replicated = np.asarray(replicated, np.float64)
    replicated = np.concatenate(
        [replicated[:, : len(groups)] / sizes, replicated[:, len(groups) :] / num_cases], axis=1
    )
    observed_shares = [joined[g & usable].mean() for g in groups.values()]
    per_case = np.minimum(
        np.bincount(np.asarray(arrays["case_index"]), weights=joined), MAXIMUM_LISTED_JOINERS
    )
    observed = [
        *observed_shares,
        per_case.mean(),
        np.mean(per_case == 1),
        np.mean(per_case == MAXIMUM_LISTED_JOINERS),
    ]
    names = [f"joining share: {name}" for name in groups] + [
        "joiners per case (listed, at most 4): mean",
        "joiners per case (listed, at most 4): share with 1",
        "joiners per case (listed, at most 4): share at 4",
    ]
    above_cap = replicated[:, -1]
    table_rows = check_rows(names, observed, replicated[:, :-1], REQUIRED_INSIDE)
    for row, group in zip(table_rows, [*groups.values(), None, None, None], strict=True):
        row["rows"] = int((group & usable).sum()) if group is not None else len(per_case)
    return {
        "source": "coalition support posterior",
        "listing": listing,
        "rows": table_rows,
        "num_draws": int(params.intercept.shape[0]),
        "interval": "90%",
        "required_inside": list(REQUIRED_INSIDE),
        "replicated_share_above_cap": {
            "mean": float(above_cap.mean()),
            "lower_5": float(np.quantile(above_cap, 0.05)),
            "upper_95": float(np.quantile(above_cap, 0.95)),
        },
        "passed": all(row["inside"] for row in table_rows if row["required"]),
    }
