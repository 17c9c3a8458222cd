"""The onset model as an ``EnsembleModel`` and a composable ``Component``.

How a scenario's ``onset`` section maps onto the covariates the model was fitted on
(:data:`riskengine.models.onset.core.COVARIATE_NAMES`):

- ``target_defence_pact`` = 1 when the target has at least one ally (``target_allies``);
- ``target_allied_capability`` = log1p(sum of the allies' capabilities / the
  challenger's capability);
- ``challenger_offensive_pact`` = 1 when ``challenger_partners`` is not empty;
- ``dyad_defence_pact`` = ``dyad.defence_pact``;
- ``capability_ratio`` = log(challenger / target capability), clipped to [-6, 6];
- ``land_contiguity`` / ``sea_contiguity`` from ``dyad.contiguity``;
  ``log_distance`` = log1p(``dyad.distance_km`` / 1000);
- ``joint_democracy``, ``rivalry``, ``challenger_major_power``, ``target_major_power``;
- the peace-years cubic of ``dyad.peace_years``; the era indicators of ``era``.

Per path: in month 1, and each later month until the first challenge, the challenger
opens a dispute with the constant monthly hazard of :func:`core.monthly_probability`.
The component exposes ``challenge`` (a dispute opens this month) and ``challenged``
(one has opened by now) to the models after it; the escalation crisis starts on
``challenge``. Counter stream (the model's own key words): step ``s`` is month ``s + 2``'s
draw, ``2**32 - 1`` month 1's.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from riskengine.models.base import (
    CoreEnsemble,
    Event,
    Judgment,
    Parameter,
    ScenarioInputs,
    Variable,
)
from riskengine.models.onset import core
from riskengine.models.onset.section import OnsetSection

__all__ = ["MODEL", "OnsetComponent", "OnsetEnsemble", "OnsetState", "onset_covariates"]

CAPABILITY_RATIO_LIMIT = 6.0
PEACE_YEARS_SCALE = 100.0
CHALLENGE_WINDOW_MONTHS = 12


def _peace_terms(peace_years: int) -> list[float]:
    scaled = min(peace_years, PEACE_YEARS_SCALE) / PEACE_YEARS_SCALE
    return [scaled, scaled**2, scaled**3]


def _era_terms(era: str) -> list[float]:
    return [float(era == name) for name in core.ERA_NAMES[:-1]]


def onset_covariates(section: OnsetSection, allies, actors) -> np.ndarray:
    """Covariate vector (float32, ``COVARIATE_NAMES`` order) of one variant."""
    challenger, target, dyad = actors[section.challenger], actors[section.target], section.dyad
    allied = sum(actors[name].capability for name in allies)
    ratio = math.log(challenger.capability / target.capability)
    values = [
        float(bool(allies)),
        math.log1p(allied / challenger.capability),
        float(bool(section.challenger_partners)),
        float(dyad.defence_pact),
        max(-CAPABILITY_RATIO_LIMIT, min(CAPABILITY_RATIO_LIMIT, ratio)),
        float(dyad.contiguity == "land"),
        float(dyad.contiguity == "sea"),
        math.log1p(dyad.distance_km / 1000.0),
        float(dyad.joint_democracy),
        float(dyad.rivalry),
        float(challenger.major_power),
        float(target.major_power),
        *_peace_terms(dyad.peace_years),
        *_era_terms(section.era),
    ]
    return np.asarray(values, dtype=np.float32)


class OnsetState(NamedTuple):
    challenge_month: jnp.ndarray  # int32 per path: month of the first challenge, 0 none yet
    month: jnp.ndarray  # the state's scenario month (scalar)
    threshold: jnp.ndarray  # the monthly hazard in bits (scalar per variant)
    valid: jnp.ndarray  # bool per path: padding paths never challenge


def _params(params) -> core.Params:
    return params if isinstance(params, core.Params) else core.Params(*params)


class OnsetComponent:
    """The onset's per-path state and monthly hazard (see the module docstring)."""

    name = "onset"
    final_categories = ("no_challenge", "challenge")
    events = (Event("challenge", (1,), "a militarized challenge is made"),)
    headline_events = ("challenge",)

    def start(self, words, params, covariates, stream, valid, context, *, num_months: int):
        threshold = core.monthly_threshold(_params(params), covariates)
        challenged = valid & core.first_month_challenged(words, stream, threshold)
        month = jnp.where(challenged, 1, 0).astype(jnp.int32)
        return OnsetState(month, jnp.int32(1), threshold, valid)

    def step(self, words, params, covariates, stream, state, step, context):
        month = state.month + 1
        challenged = core.later_month_challenged(words, stream, state.threshold, step)
        new = state.valid & (state.challenge_month == 0) & challenged
        challenge_month = jnp.where(new, month, state.challenge_month)
        return state._replace(challenge_month=challenge_month, month=month)

    def signals(self, state) -> dict:
        return {
            "challenge": state.challenge_month == state.month,
            "challenged": state.challenge_month > 0,
        }

    def final_category(self, state) -> jnp.ndarray:
        return (state.challenge_month > 0).astype(jnp.int32)

    def tally(self, state, valid) -> dict:
        """Paths challenged by this month."""
        return {"challenged": jnp.sum(valid & (state.challenge_month > 0), dtype=jnp.int32)}

    def unpack(self, tallies: dict) -> dict:
        return tallies

    def finish(self, params, covariates, state, valid, *, num_months: int):
        return {}, {}

    def complete(self, tallies, finals, num_valid) -> dict:
        return {"challenged_count": tallies["challenged"], "path_count": num_valid}


def _metrics(totals: dict) -> dict[str, Variable]:
    lead = ("chain", "draw", "variant")
    paths = totals["path_count"]
    challenged = totals["challenged_count"]
    first = np.diff(challenged, axis=-1, prepend=0)
    return {
        "path_count": Variable(lead, paths, "simulated paths per draw and variant", "paths"),
        "challenged_count": Variable(
            (*lead, "month"),
            challenged,
            "paths with a militarized challenge by this month",
            "paths",
        ),
        "first_challenge_count": Variable(
            (*lead, "month"), first, "paths whose first challenge comes in this month", "paths"
        ),
        "p_challenge_by": Variable(
            (*lead, "month"),
            challenged / paths[..., None].astype(np.float64),
            "probability of a militarized challenge (dispute onset) by the end of this month",
            "probability",
        ),
    }


class OnsetEnsemble(CoreEnsemble):
    """``EnsembleModel`` for ``riskengine.models.onset.core``."""

    name = "onset"
    core_module = core
    parameters = {
        "intercept": Parameter((), "logit scale, per year", "yearly onset logit at covariates 0"),
        "coefficients": Parameter(
            ("onset_covariate",),
            "logit scale per covariate unit",
            "covariate slopes of the yearly onset logit",
        ),
    }
    parameter_coords = {"onset_covariate": core.COVARIATE_NAMES}
    dimensions = {
        "onset_covariate": "onset-model covariate (riskengine.models.onset.core.COVARIATE_NAMES)",
        "onset_final": "whether a militarized challenge was made by the horizon",
    }
    reductions: dict = {}  # every output is an integer count
    counter_steps = "own key words (fold_in 2); step s month s+2's draw, 2**32-1 month 1's"
    final_category_description = "whether a militarized challenge was made by the horizon"
    data_note = (
        "onset: directed dyad-years 1816-2014 (COW NMC 7.0, MID 5.0 originators, ATOP 5.1, "
        "contiguity, distance, democracy, rivalries)"
    )
    component = OnsetComponent()

    def scenario_inputs(self, scenario) -> ScenarioInputs:
        variants = scenario.resolved_variants()
        covariates = np.stack([_variant_covariates(variant) for variant in variants])
        num_months = scenario.horizon_months
        constant_data = {
            "onset_covariates": Variable(
                ("variant", "onset_covariate"),
                covariates,
                "onset-model covariates of each variant's dyad",
                "1",
            )
        }
        coords = {
            "month": np.arange(1, num_months + 1),
            "onset_covariate": np.asarray(core.COVARIATE_NAMES),
        }
        return ScenarioInputs(
            jnp.asarray(covariates), {"num_months": num_months}, constant_data, coords
        )

    def metrics(self, totals: dict, *, num_months: int) -> dict[str, Variable]:
        return _metrics(totals)

    def judgments(self, *, num_months: int) -> list[Judgment]:
        window = min(CHALLENGE_WINDOW_MONTHS, num_months)
        judgments = [
            Judgment(
                "p_challenge_by",
                f"a militarized challenge within {num_months} months",
                {"month": num_months},
            )
        ]
        if window < num_months:
            judgments.insert(
                0,
                Judgment(
                    "p_challenge_by",
                    f"a militarized challenge within {window} months",
                    {"month": window},
                ),
            )
        return judgments

    def warnings(self, scenario, scenario_inputs, provenance: dict) -> dict[str, list[str]]:
        from riskengine.models.onset.warnings import onset_warnings

        return onset_warnings(scenario, scenario_inputs, provenance)


def _variant_covariates(variant) -> np.ndarray:
    section = variant.sections["onset"]
    return onset_covariates(section, section.allies(variant.sections), variant.actors)


MODEL = OnsetEnsemble()
