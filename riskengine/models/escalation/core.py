"""Escalation ladder: a crisis climbs or descends the COW MID hostility levels month by month.

Generative story (one crisis = one path):

1. The crisis has covariates ``x``, all known when it starts (``COVARIATE_NAMES``: the
   number of originating states on each side, the defender-vs-challenger capability
   ratio of the originators, each side's defence pledges from third states and those
   allies' capability, major-power involvement, crisis management, historical era:
   ``ERA_NAMES``); states that join a crisis later are an outcome, not a covariate. It
   has a latent resolve ``r ~ Normal(0, resolve_scale)`` shared by all its months (a
   random effect), its scale multiplied by ``multilateral_resolve_ratio`` when a side
   has more than one originator (see ``resolve_scales``).
2. Its location on the logit scale is ``eta = x . coefficients + r``: positive values
   push towards higher hostility and away from settlement.
3. Month 1: the level is the scenario's start level, or ("onset") drawn from an ordered
   logit over threat < display < use of force < war with ``onset_cutpoints`` at ``eta``.
4. Each later month, from an active level ``l``, a step category is drawn from an
   ordered logit with ``step_cutpoints`` at ``eta + shift[l]``: settle (the
   crisis ends, absorbing), de-escalate (one level down; from threat it ends), stay,
   escalate (one level up; war stays war). See ``riskengine.primitives.ladder``.
   In an era other than the post-Cold War reference, the last cut-point (stay|escalate)
   is moved by that era's ``era_escalate_shift`` (``step_cutpoints``): eras may differ
   in how often crises climb without differing in how long they last.
   ``shift[l]`` is ``level_effect`` at threat, display and war and 0 at use of force,
   the reference level: two thirds of MID disputes peak there, so the step cut-points
   are pinned down by the commonest level and the level effects by the others (with
   threat, the rarest level, as reference, cut-points and all three level effects moved
   together and NUTS mixed poorly).

Units: levels are COW MID ``hostlev - 1`` (1 threat .. 4 war, 0 settled); time in
months; cut-points, level effects, coefficients and resolve on the logit scale.

The deterministic core (``location``, ``step_probabilities``, ``onset_probabilities``
and the thresholds derived from them) is shared by the simulator (``simulate``,
``summarize``) and by the numpyro ``model`` and its exact likelihood, so the two cannot
drift. References: Jones, Bremer & Singer (1996) and Palmer et al. (2022) for the MID
hostility coding; McCullagh (1980) for the ordered logit.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from jax.scipy.special import ndtri

from riskengine.primitives.counter_rng import (
    AUXILIARY_STEP,
    bits_to_unit_interval,
    stream_words,
    uniform_bits,
)
from riskengine.primitives.ladder import NUM_LEVELS, next_level
from riskengine.primitives.ordered_logit import (
    category_from_bits,
    category_probabilities,
    cumulative_probabilities,
    probability_to_bits,
)
from riskengine.primitives.packed_counts import MIN_LANES, code_bytes, fold_lanes, unpack

__all__ = [
    "COVARIATE_NAMES",
    "ERA_NAMES",
    "ERA_FIRST_YEARS",
    "REFERENCE_ERA",
    "era_indicators",
    "era_index",
    "LEVEL_NAMES",
    "Params",
    "Inputs",
    "Result",
    "priors",
    "attenuation",
    "params_from_sites",
    "sample_params",
    "is_multilateral",
    "resolve_scales",
    "escalate_shift",
    "step_cutpoints",
    "location",
    "level_shifts",
    "step_probabilities",
    "onset_probabilities",
    "simulate",
    "summarize",
    "model",
]

COVARIATE_NAMES = (
    "challenger_side_size",  # log(number of originators on the challenger's side)
    "defender_side_size",  # log(number of originators on the defender's side)
    "capability_ratio",  # log(defender originators' CINC / challenger originators' CINC)
    "defender_defence_pact",  # 1 if a defender originator has a defence pledge from a third state
    "defender_allied_capability",  # log1p(those third states' CINC / challenger side's CINC)
    "challenger_defence_pact",  # the same for the challenger's side
    "challenger_allied_capability",  # log1p(its third-state allies' CINC / defender side's)
    "major_power",  # 1 if a major power is among the originators
    "crisis_management",  # 1 if mediation / crisis management is active
    "era_before_1914",  # 1 if the crisis follows the 1816-1913 era (see ERA_NAMES)
    "era_world_wars",  # 1 for the 1914-1945 era
    "era_cold_war",  # 1 for the 1946-1989 era
)
# Historical eras with their own location shift (an era effect), in time order; the last
# one, post_cold_war (1990 on), is the reference (all era indicators 0): present-day
# crises follow it unless a scenario says otherwise.
ERA_NAMES = ("before_1914", "world_wars", "cold_war", "post_cold_war")
ERA_FIRST_YEARS = (1816, 1914, 1946, 1990)
REFERENCE_ERA = ERA_NAMES[-1]
LEVEL_NAMES = ("settled", "threat", "display", "use_of_force", "war")
ACTIVE_LEVEL_NAMES = LEVEL_NAMES[1:]
STEP_CATEGORY_NAMES = ("settle", "de_escalate", "stay", "escalate")
# Prior mean of the war level effect (population-averaged scale), see ``priors``.
WAR_PERSISTENCE_MEAN = 1.0
ONSET_FROM_MODEL = -1  # Inputs.start_level value meaning "draw the first month's level"

_RESOLVE_STEP = AUXILIARY_STEP
_ONSET_STEP = AUXILIARY_STEP - 1


class Params(NamedTuple):
    """Model parameters (a pytree); all on the logit scale."""

    onset_cutpoints: jnp.ndarray  # (3,) increasing: first-month level threat|display|use|war
    step_cutpoints: jnp.ndarray  # (3,) increasing: settle|de-escalate|stay|escalate
    level_effect: jnp.ndarray  # (3,) step-location shift at threat, display, war vs use of force
    coefficients: jnp.ndarray  # (12,) covariate slopes, COVARIATE_NAMES order
    resolve_scale: jnp.ndarray  # () standard deviation of the latent resolve (bilateral crises)
    multilateral_resolve_ratio: jnp.ndarray  # () ratio of that sd, multilateral / bilateral
    era_resolve_ratio: jnp.ndarray  # (3,) ratio of that sd in ERA_NAMES[:-1] / post-Cold War
    era_escalate_shift: jnp.ndarray  # (3,) shift of the stay|escalate cut-point, era / post-CW


class Inputs(NamedTuple):
    """One crisis configuration: covariates (12,) float32 and start level (int32; -1 = onset)."""

    covariates: jnp.ndarray
    start_level: jnp.ndarray


class Result(NamedTuple):
    """One simulated path: the level in each month (int32) and the drawn resolve."""

    levels: jnp.ndarray
    resolve: jnp.ndarray


def priors() -> dict[str, dist.Distribution]:
    """Prior of every sampled site (used by fitting and by prior-predictive ensembles).

    Sites are on the population-averaged scale (see :func:`params_from_sites`): cut-points
    as a first value plus positive gaps (so they stay ordered), level effects and slopes.
    Their centres encode plausible base rates (stated and checked by the prior predictive
    check of ``riskengine.models.escalation.validate``): few crises open at war (onset gaps 2.5
    and 4), a use-of-force month mostly settles or de-escalates (step cut-points near
    -0.5, 1, 4), and the capability ratio, a log ratio with sd 2.4 in the MID data, gets
    a narrower slope prior so it cannot dominate the location.
    The crisis-management slope has an informative prior (mediation lowers escalation,
    e.g. Beardsley et al. 2006) because the MID data do not record mediation.
    The war level effect has an informative prior, Normal(1, 0.5): a war month is more
    likely to go on than a use-of-force month at the same location (P = 0.98 under the
    prior; with Normal(1, 0.75) 2% of the MID posterior draws still fell in the
    short-war mode below and the chains mixed poorly between the two). Peak and duration do not say how long a dispute stayed at war, and with the
    flat Normal(0, 1) of the other level effects the MID posterior had two modes of equal
    density: wars far *less* persistent than uses of force (effect about -2.4 on this
    scale, wars over within a month whatever the dispute) or more (about +0.6). Outside
    knowledge rules out the first: inter-state wars in the COW war list (Sarkees & Wayman
    2010) last a median 139 days and a mean 408 days, with no duration dependence
    (Bennett & Stam 1996), while MID disputes peaking at use of force last a median of
    two months (``docs/validation/escalation-fit-notes.md``). Since the era terms were
    added, the MID posterior sat on the short-war side all the same (about -2.1 on
    this scale, 6 prior sds below its mean); with the era escalation shifts (issue 10)
    it is about -0.75 (-1.0 conditional), still 3.5 prior sds below: a prior-data
    conflict, stated in the fit notes, which the monthly model's constant hazard per
    level may cause.
    The era shifts (vs the post-Cold War era) get Normal(0, 1): eras are known to differ
    (MID war shares 11% before 1914, 10% in 1914-1945, 2.3% in the Cold War and 0.8%
    since 1990) but the prior does not say in which direction. So do the era shifts of
    the stay|escalate cut-point (``era_escalate_shift``, see :func:`step_cutpoints`).
    Slopes: Normal(0, 0.5) for side sizes, defence pacts and major power; Normal(0, 0.2)
    for the capability-type log ratios (``capability_ratio`` and the two allied
    capabilities, which range over [0, 6] in the MID data with sd ~2).
    The resolve scale is LogNormal(0, 0.5) (median 1, 95% in [0.38, 2.7]): crises are
    known to differ in resolve beyond the covariates, and keeping it away from 0 keeps
    the likelihood's quadrature over resolve accurate (``riskengine.models.escalation.likelihood``).
    """
    coefficient_means = jnp.array([0.0] * 8 + [-0.4, 0.0, 0.0, 0.0])
    coefficient_scales = jnp.array([0.5, 0.5, 0.2, 0.5, 0.2, 0.5, 0.2, 0.5, 0.2, 1.0, 1.0, 1.0])
    return {
        "onset_cutpoint_first": dist.Normal(-3.0, 1.0),
        "onset_cutpoint_gaps": dist.LogNormal(jnp.log(jnp.array([2.5, 4.0])), 0.4),
        "step_cutpoint_first": dist.Normal(-0.5, 1.0),
        "step_cutpoint_gaps": dist.LogNormal(jnp.log(jnp.array([1.5, 3.0])), 0.4),
        "level_effect_average": dist.Normal(
            jnp.array([0.0, 0.0, WAR_PERSISTENCE_MEAN]), jnp.array([1.0, 1.0, 0.5])
        ),
        "coefficients_average": dist.Normal(coefficient_means, coefficient_scales),
        "resolve_scale": dist.LogNormal(0.0, 0.5),
        "multilateral_resolve_ratio": dist.LogNormal(0.0, 0.5),
        "era_resolve_ratio": dist.LogNormal(jnp.zeros(3), 0.5),
        "era_escalate_shift_average": dist.Normal(jnp.zeros(3), 1.0),
    }


def era_indicators(era: str) -> np.ndarray:
    """The era covariates (float32, 3) of an era in ``ERA_NAMES``: one-hot, all 0 for the
    reference era (post_cold_war)."""
    if era not in ERA_NAMES:
        raise ValueError(f"era: got {era!r}; allowed: {', '.join(ERA_NAMES)}")
    return np.asarray([float(era == name) for name in ERA_NAMES[:-1]], dtype=np.float32)


_ERA_COLUMNS = [COVARIATE_NAMES.index(f"era_{name}") for name in ERA_NAMES[:-1]]


def era_index(covariates: jnp.ndarray) -> jnp.ndarray:
    """Index into ``ERA_NAMES`` of each crisis, from its era covariates (int32)."""
    indicators = jnp.asarray(covariates)[..., _ERA_COLUMNS]
    reference = 1.0 - jnp.sum(indicators, axis=-1, keepdims=True)
    return jnp.argmax(jnp.concatenate([indicators, reference], axis=-1), axis=-1)


def _ordered(first: jnp.ndarray, gaps: jnp.ndarray) -> jnp.ndarray:
    return first[..., None] + jnp.concatenate(
        [jnp.zeros_like(gaps[..., :1]), jnp.cumsum(gaps, axis=-1)], axis=-1
    )


def attenuation(resolve_scale: jnp.ndarray) -> jnp.ndarray:
    """``sqrt(1 + pi s^2 / 8)``: how much a Normal(0, s) resolve flattens a logit.

    ``E[sigmoid(x + r)] ~= sigmoid(x / attenuation(s))`` (Zeger, Liang & Albert 1988).
    """
    return jnp.sqrt(1.0 + jnp.pi * jnp.square(resolve_scale) / 8.0)


def params_from_sites(site: dict) -> Params:
    """``Params`` from the sampled sites of :func:`priors`.

    Cut-points, level effects and slopes are sampled on the population-averaged scale
    and multiplied by ``attenuation(resolve_scale)`` to give the per-crisis (conditional)
    values the simulator uses. Sampled directly, a larger resolve scale had to be matched
    by proportionally larger cut-points and slopes to keep the base rates, a curved
    ridge on which NUTS reached 10-30 effective draws in 300; on the averaged scale the
    base rates barely depend on the resolve scale and the worst parameter got ~120.
    """
    scale = attenuation(site["resolve_scale"])[..., None]
    return Params(
        onset_cutpoints=_ordered(site["onset_cutpoint_first"], site["onset_cutpoint_gaps"]) * scale,
        step_cutpoints=_ordered(site["step_cutpoint_first"], site["step_cutpoint_gaps"]) * scale,
        level_effect=site["level_effect_average"] * scale,
        coefficients=site["coefficients_average"] * scale,
        resolve_scale=site["resolve_scale"],
        multilateral_resolve_ratio=site["multilateral_resolve_ratio"],
        era_resolve_ratio=site["era_resolve_ratio"],
        era_escalate_shift=site["era_escalate_shift_average"] * scale,
    )


def sample_params() -> Params:
    """numpyro sample sites for the priors; every ``Params`` field recorded as a site."""
    site = {name: numpyro.sample(name, distribution) for name, distribution in priors().items()}
    params = params_from_sites(site)
    return Params(
        *(
            value if name in site else numpyro.deterministic(name, value)
            for name, value in zip(Params._fields, params, strict=True)
        )
    )


_SIDE_SIZES = [
    COVARIATE_NAMES.index(name) for name in ("challenger_side_size", "defender_side_size")
]


def is_multilateral(covariates: jnp.ndarray) -> jnp.ndarray:
    """Whether a side has more than one originator (a log side size above 0), per crisis."""
    return jnp.any(jnp.asarray(covariates)[..., _SIDE_SIZES] > 0, axis=-1)


def resolve_scales(params: Params, covariates: jnp.ndarray) -> jnp.ndarray:
    """Standard deviation of each crisis's resolve (broadcasts over leading axes).

    ``resolve_scale`` for bilateral crises, times ``multilateral_resolve_ratio`` when a
    side has several originators (a product, not an ``exp``, so jitted and eager code
    agree to the bit). Counting every participant, multilateral disputes were both
    likelier to reach war (14.5% vs 2.5%) and as likely to stop at threat or display
    (31% vs 30%), which a shared resolve scale could not fit; counting originators only
    (the model's covariates since issue 10) the war shares are 4.8% vs 4.3%, and the
    ratio is kept so the data can say whether the spread differs. Eras differ the same
    way: before 1914, 36% of disputes peaked at display and 11% at war; in the Cold War
    20% and 2.3%. Each era other than the post-Cold War reference multiplies the scale by
    its ``era_resolve_ratio`` (with a location shift alone, the era war shares stayed
    outside their posterior predictive intervals).
    """
    covariates = jnp.asarray(covariates)
    ratio = jnp.where(is_multilateral(covariates), params.multilateral_resolve_ratio, 1.0)
    for index, column in enumerate(_ERA_COLUMNS):
        in_era = covariates[..., column] > 0
        ratio = ratio * jnp.where(in_era, params.era_resolve_ratio[..., index], 1.0)
    return params.resolve_scale * ratio


def escalate_shift(params: Params, covariates: jnp.ndarray) -> jnp.ndarray:
    """(...,) shift of each crisis's stay|escalate cut-point: its era's
    ``era_escalate_shift``, 0 in the post-Cold War reference era."""
    indicators = jnp.asarray(covariates)[..., _ERA_COLUMNS]
    return jnp.sum(indicators * params.era_escalate_shift, axis=-1)


def step_cutpoints(params: Params, shift=0.0) -> jnp.ndarray:
    """(..., 3) step cut-points with only the last one (stay|escalate) moved by ``shift``.

    An era's shift changes how often its crises climb a level without changing how often
    they settle or de-escalate (a location shift moves all three cut-points relative to
    the location, so an era escalating less would also settle sooner). The moved cut-point
    is kept at least ``_MIN_GAP`` above the de-escalate|stay one, so the categories stay
    ordered for any shift.
    """
    cutpoints = params.step_cutpoints
    shift = jnp.asarray(shift, cutpoints.dtype)[..., None]
    last = jnp.maximum(cutpoints[..., 2:] + shift, cutpoints[..., 1:2] + _MIN_GAP)
    return jnp.concatenate([jnp.broadcast_to(cutpoints[..., :2], (*last.shape[:-1], 2)), last], -1)


_MIN_GAP = 1e-3


def location(params: Params, covariates: jnp.ndarray, resolve: jnp.ndarray) -> jnp.ndarray:
    """Logit-scale location ``x . coefficients + resolve`` (broadcasts over leading axes)."""
    return jnp.sum(covariates * params.coefficients, axis=-1) + resolve


def level_shifts(level_effect: jnp.ndarray) -> jnp.ndarray:
    """(..., 4) step-location shift at threat, display, use of force (0: reference), war."""
    reference = jnp.zeros_like(level_effect[..., :1])
    return jnp.concatenate([level_effect[..., :2], reference, level_effect[..., 2:]], -1)


def _level_locations(params: Params, eta: jnp.ndarray) -> jnp.ndarray:
    return jnp.asarray(eta)[..., None] + level_shifts(params.level_effect)


def step_probabilities(params: Params, eta: jnp.ndarray, shift=0.0) -> jnp.ndarray:
    """(..., 4 levels threat..war, 4 categories settle|de-escalate|stay|escalate).

    ``shift`` moves the stay|escalate cut-point (``escalate_shift``; 0: reference era).
    """
    cutpoints = step_cutpoints(params, shift)[..., None, :]
    return category_probabilities(cutpoints, _level_locations(params, eta))


def onset_probabilities(params: Params, eta: jnp.ndarray) -> jnp.ndarray:
    """(..., 4): probability that month 1 is at threat, display, use of force, war."""
    return category_probabilities(params.onset_cutpoints, eta)


def _path_start(key_words, params: Params, inputs: Inputs, stream):
    """Per-path resolve, step thresholds (.., 4, 3) in bits and month-1 level."""
    resolve_bits = uniform_bits(key_words, stream, _RESOLVE_STEP)
    resolve = resolve_scales(params, inputs.covariates) * ndtri(bits_to_unit_interval(resolve_bits))
    eta = location(params, inputs.covariates, resolve)
    cutpoints = step_cutpoints(params, escalate_shift(params, inputs.covariates))[..., None, :]
    step_cumulative = cumulative_probabilities(cutpoints, _level_locations(params, eta))
    onset_cumulative = cumulative_probabilities(params.onset_cutpoints, eta)
    onset_bits = uniform_bits(key_words, stream, _ONSET_STEP)
    onset_level = 1 + category_from_bits(onset_bits, probability_to_bits(onset_cumulative))
    start = jnp.where(inputs.start_level == ONSET_FROM_MODEL, onset_level, inputs.start_level)
    # Level-major layout (4, 3, *paths): each threshold is a contiguous vector over paths,
    # so the per-month select below is plain vector code (the path-minor (paths, 4, 3)
    # layout, read with strided selects, was ~3x slower per step on 2 cores).
    thresholds = jnp.moveaxis(probability_to_bits(step_cumulative), (-2, -1), (0, 1))
    return resolve, thresholds, start.astype(jnp.int32)


def _select_by_level(table: jnp.ndarray, level: jnp.ndarray) -> jnp.ndarray:
    """``table[level - 1]`` for levels 1..4 (table level-major) with selects, not a gather."""
    chosen = table[0]
    for active in range(2, NUM_LEVELS):
        chosen = jnp.where(level == active, table[active - 1], chosen)
    return chosen


def _advance(level, bits, thresholds):
    """Next level from this month's bits; ``thresholds`` is (4 levels, 3, *paths)."""
    chosen = _select_by_level(thresholds, level)
    # category = thresholds reached; three vector compares, not a reduce over a small axis
    category = sum((bits >= chosen[k]).astype(jnp.int32) for k in range(chosen.shape[0]))
    return next_level(level, category)


def _key_words(rng_key) -> jnp.ndarray:
    if jnp.issubdtype(rng_key.dtype, jax.dtypes.prng_key):
        return jax.random.key_data(rng_key).astype(jnp.uint32)
    return jnp.asarray(rng_key, jnp.uint32)


def simulate(rng_key, params: Params, inputs: Inputs, *, num_months: int, path_index=0) -> Result:
    """Simulate one crisis path of ``num_months`` months (jit- and vmap-safe).

    The path is the one ``summarize`` counts as path ``path_index`` under the same key,
    so single paths can be inspected exactly as the ensemble saw them.
    """
    key_words = _key_words(rng_key)
    stream = stream_words(key_words, path_index)
    resolve, thresholds, start = _path_start(key_words, params, inputs, stream)

    def month(level, step):
        new_level = _advance(level, uniform_bits(key_words, stream, step), thresholds)
        return new_level, new_level

    _, later = jax.lax.scan(month, start, jnp.arange(num_months - 1, dtype=jnp.uint32))
    return Result(levels=jnp.concatenate([start[None], later]), resolve=resolve)


# Paths simulated together in one sweep over the months. A sweep's carry and thresholds
# (~60 bytes a path per variant) stay in the core's L2 cache; measured per core at 120
# months: 1024-4096 paths about equal, 16384 paths 2x slower, one sweep over 1e5 paths
# 7-10x slower (the whole block streams from memory every month).
_SWEEP_PATHS = 2048
# Counts per month are summed in packed form (riskengine.primitives.packed_counts): one
# byte per level in a uint32 word, folded in halves down to _COUNT_LANES words.
_COUNT_LANES = MIN_LANES
# On a GPU one sweep holds the whole block (all paths in flight each month): measured on
# an H100 at 120 months, 2.4e10 path-months/s vs 8.7e8 with CPU-sized sweeps, identical
# counts (benchmarks/RESULTS.md).
_ACCELERATOR_SWEEP_PATHS = 1 << 22


_level_bytes = code_bytes
_histogram = fold_lanes
_unpack_counts = unpack


# Settled is absorbing, so a settled path need not be simulated further. The first
# ``_COMPACT_MONTH`` months run for every path; then the paths still active are compacted
# (their indices, levels and peaks gathered to the front) and only they run the remaining
# months, in sweeps of the same size; a path settled by then counts at level 0 (the
# remainder of ``path_count``) with its peak unchanged. Counts are integers and every path
# draws the same bits at the same (path, month), so the counts are those of simulating
# every month of every path, bit for bit. Measured per core on the quickstart's prior
# draw (most paths settle within a few months, a few wars last the horizon): 120 months
# 7.9e8 -> 1.5e9 path-months/s with the split at month 12; at 24 months no split was
# faster (the recomputed per-path set-up of the survivors costs about what it saves).
_COMPACT_MONTH = 12
_COMPACT_MIN_MONTHS = 36  # horizons shorter than this run every path every month


def _run_months(key_words, params, inputs, path_index, level, peak, steps, from_start: bool):
    """Simulate one sweep from (level, peak) over months ``steps``: its packed counts
    unpacked to (months, 4) and the final (level, peak). ``from_start``: the paths begin
    at their month-1 level where ``level`` is 1 (valid), at 0 where it is 0."""
    stream = stream_words(key_words, path_index)
    _, thresholds, start = _path_start(key_words, params, inputs, stream)
    if from_start:
        level = peak = jnp.where(level > 0, start, 0)

    def month(carry, step):
        level, peak = carry
        counts = (_histogram(_level_bytes(level)), _histogram(_level_bytes(peak)))
        level = _advance(level, uniform_bits(key_words, stream, step), thresholds)
        return (level, jnp.maximum(peak, level)), counts

    (level, peak), (level_words, peak_words) = jax.lax.scan(month, (level, peak), steps)
    return _unpack_counts(level_words), _unpack_counts(peak_words), level, peak


def _first_months(key_words, params, inputs, index, valid, size: int, last: int):
    """Months ``0 .. last - 1`` of every path, in sweeps of ``size``: counts (months, 4)
    each and every path's (level, peak) after them, (paths,) each."""
    steps = jnp.arange(last, dtype=jnp.uint32)
    valid = valid.astype(jnp.int32).reshape(-1, size)  # 1: the path starts; 0: never counts

    def sweep(total, block):
        sweep_index, sweep_valid = block
        levels, peaks, level, peak = _run_months(
            key_words, params, inputs, sweep_index, sweep_valid, sweep_valid, steps, True
        )
        return (total[0] + levels, total[1] + peaks), (level, peak)

    zeros = jnp.zeros((last, NUM_LEVELS - 1), jnp.int32)
    blocks = (index.reshape(-1, size), valid)
    (levels, peaks), (level, peak) = jax.lax.scan(sweep, (zeros, zeros), blocks)
    return levels, peaks, level.reshape(-1), peak.reshape(-1)


def _later_months(key_words, params, inputs, paths, num_active, size: int, first, last):
    """Months ``first .. last - 1`` of the first ``num_active`` of ``paths`` (path index,
    level, peak; each (capacity,)), in sweeps of ``size``: counts (months, 4) each. A
    loop over as many sweeps as the active paths fill (lanes past them sit settled)."""
    index, level, peak = paths
    steps = jnp.arange(first, last, dtype=jnp.uint32)
    lanes = jnp.arange(size)

    def body(carry):
        sweep, levels, peaks = carry
        offset = sweep * size
        take = lambda values: jax.lax.dynamic_slice(values, (offset,), (size,))  # noqa: E731
        live = offset + lanes < num_active
        counts = _run_months(
            key_words, params, inputs, take(index),
            jnp.where(live, take(level), 0), jnp.where(live, take(peak), 0), steps, False,
        )  # fmt: skip
        return sweep + 1, levels + counts[0], peaks + counts[1]

    num_sweeps = (num_active + size - 1) // size
    zeros = jnp.zeros((last - first, NUM_LEVELS - 1), jnp.int32)
    _, levels, peaks = jax.lax.while_loop(
        lambda carry: carry[0] < num_sweeps, body, (jnp.int32(0), zeros, zeros)
    )
    return levels, peaks


def _peak_histogram(peak, settled):
    """(4,) paths with peak 1..4 among those ``settled``."""
    one_hot = peak[:, None] == jnp.arange(1, NUM_LEVELS, dtype=peak.dtype)
    return jnp.sum(one_hot & settled[:, None], axis=0, dtype=jnp.int32)


def _sweep_size(num_paths: int) -> int:
    """Paths per sweep: cache-sized on a CPU, the whole block on an accelerator; a power
    of two (the packed counts fold in halves), at least the number of count lanes."""
    limit = _SWEEP_PATHS if jax.default_backend() == "cpu" else _ACCELERATOR_SWEEP_PATHS
    return max(_COUNT_LANES, min(limit, 1 << max(0, num_paths - 1).bit_length()))


def summarize(key_words, params: Params, inputs: Inputs, path_index, valid, *, num_months: int):
    """Integer counts over a block of paths, time-major, without storing paths.

    Returns ``level_count`` (month, level): paths at each level in each month;
    ``peak_count`` (month, level): paths whose highest level so far is that level;
    ``path_count`` (): valid paths. First-passage and peak probabilities derive from
    ``peak_count`` (see ``metrics``).

    The block is cut into sweeps of at most ``_SWEEP_PATHS`` paths (padded with invalid
    paths), each simulated over the first months before the next; on long horizons only
    the paths still active after ``_COMPACT_MONTH`` months run the rest. Counts are
    integers, so neither the sweep size nor the split changes them.
    """
    num_paths = path_index.shape[0]
    size = _sweep_size(num_paths)
    capacity = -(-num_paths // size) * size
    index = jnp.pad(path_index, (0, capacity - num_paths))
    padded_valid = jnp.pad(valid, (0, capacity - num_paths))
    split = _COMPACT_MONTH if num_months >= _COMPACT_MIN_MONTHS else num_months
    levels, peaks, level, peak = _first_months(
        key_words, params, inputs, index, padded_valid, size, split
    )
    if split < num_months:
        active = level > 0
        order = jnp.nonzero(active, size=capacity, fill_value=0)[0]
        paths = (index[order], level[order], peak[order])
        num_active = jnp.sum(active, dtype=jnp.int32)
        later_levels, later_peaks = _later_months(
            key_words, params, inputs, paths, num_active, size, split, num_months
        )
        settled_peaks = _peak_histogram(peak, ~active)  # unchanged after they settled
        levels = jnp.concatenate([levels, later_levels])
        peaks = jnp.concatenate([peaks, later_peaks + settled_peaks])
    num_valid = jnp.sum(valid, dtype=jnp.int32)
    return {
        "level_count": jnp.concatenate([num_valid - levels.sum(-1, keepdims=True), levels], -1),
        "peak_count": jnp.concatenate([num_valid - peaks.sum(-1, keepdims=True), peaks], -1),
        "path_count": num_valid,
    }


def model(disputes=None, *, log_likelihood_fn=None):
    """numpyro model: priors, and (with data) the exact dispute likelihood as a factor.

    ``disputes`` is a mapping with ``covariates`` (n, 12), ``peak_level`` (n,) and
    ``duration_months`` (n,); ``log_likelihood_fn(params, disputes)`` returns the
    per-dispute log-likelihood (see ``riskengine.models.escalation.likelihood``).
    """
    params = sample_params()
    if disputes is not None:
        log_likelihood = log_likelihood_fn(params, disputes)
        numpyro.deterministic("log_likelihood", log_likelihood)
        numpyro.factor("disputes", jnp.sum(log_likelihood))
    return params


def params_from_draws(draws: dict[str, np.ndarray]) -> Params:
    """Build ``Params`` from a mapping holding (at least) its fields."""
    return Params(*(jnp.asarray(draws[name], jnp.float32) for name in Params._fields))
