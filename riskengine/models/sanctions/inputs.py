"""A scenario's sanctions section -> the model's per-variant inputs.

Predictors follow the TIES coding (:mod:`riskengine.models.sanctions.coding`):

- ``sender_count``: log of the number of senders as TIES would list them: an imposing
  institution (``institution`` other than ``none``) is one sender, its members are not
  listed; otherwise the states, at most ``MAX_SENDERS`` (TIES lists five);
- ``institutional_sender``: 1 when an institution imposes;
- ``trade_dependence``, ``defence_pact``, ``target_democracy``: from the shared data by
  the actors' ccodes (:func:`riskengine.models.sanctions.present_day.scenario_predictors`:
  COW trade 2014, ATOP 2018, V-Dem latest), unless the section's ``predictors`` gives
  them; the senders' trade with the target also prices the costs (``loss_fraction``);
- ``total_embargo`` / ``trade_restriction`` from ``sanction_type``;
- issue group from ``issue``; era: ``post_cold_war`` (the latest TIES era; a
  present-day case lies after the data, which the run's warnings say).
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from riskengine.models.base import ScenarioInputs, Variable
from riskengine.models.sanctions.coding import (
    COST_NAMES,
    COVARIATE_NAMES,
    ERA_NAMES,
    ISSUE_NAMES,
    MAX_SENDERS,
    OUTCOME_NAMES,
)

__all__ = ["PRESENT_ERA", "scenario_arrays", "variant_predictors"]

PRESENT_ERA = "post_cold_war"
_MONTHS_PER_YEAR = 12.0


def _listed_senders(section) -> int:
    return 1 if section.institution != "none" else min(len(section.senders), MAX_SENDERS)


def variant_predictors(section, actors) -> dict:
    """Covariates and trade of one variant's sanctions (see the module docstring)."""
    given = section.predictors
    looked_up = _given_predictors(given) if given.complete else _looked_up(section, actors)
    values = {
        "sender_count": math.log(_listed_senders(section)),
        "institutional_sender": float(section.institution != "none"),
        "trade_dependence": _given(given.trade_dependence, looked_up["trade_dependence"]),
        "defence_pact": float(_given(given.defence_pact, looked_up["defence_pact"])),
        "target_democracy": _given(given.target_democracy, looked_up["target_democracy"]),
        "total_embargo": float(section.sanction_type == "total_embargo"),
        "trade_restriction": float(section.sanction_type == "trade_restriction"),
    }
    trade = given.sender_trade_musd or {}
    sender_trade = {
        name: float(trade.get(name, looked_up["sender_trade_musd"].get(name, 0.0)))
        for name in section.senders
    }
    return {"covariates": values, "sender_trade_musd": sender_trade, "source": looked_up}


def _looked_up(section, actors) -> dict:
    """Predictors from the shared data, the senders' trade keyed by actor name."""
    from riskengine.models.sanctions.present_day import scenario_predictors

    codes = {name: actors[name].ccode for name in section.senders}
    found = scenario_predictors(actors[section.target].ccode, list(codes.values()))
    by_code = found["sender_trade_musd"]
    return found | {"sender_trade_musd": {n: by_code.get(c, 0.0) for n, c in codes.items()}}


def _given_predictors(given) -> dict:
    """Every predictor given in the scenario: no data read."""
    return {
        "trade_dependence": given.trade_dependence,
        "leakage": 1.0 - given.trade_dependence,
        "defence_pact": float(given.defence_pact),
        "target_democracy": given.target_democracy,
        "sender_trade_musd": dict(given.sender_trade_musd),
        "years": {"trade": "given in the scenario"},
    }


def _given(value, default):
    return default if value is None else value


def _sender_names(sections) -> list[str]:
    return list(dict.fromkeys(name for section in sections for name in section.senders))


def scenario_arrays(scenario) -> ScenarioInputs:
    """Inputs (``SanctionsInputs`` stacked over variants), constant data and coords."""
    from riskengine.models.sanctions.ensemble import (
        MONTHS_IN_FORCE_LABELS,
        STATUS_NAMES,
        SanctionsInputs,
    )

    variants = scenario.resolved_variants()
    sections = [variant.sections["sanctions"] for variant in variants]
    predictors = [variant_predictors(s, v.actors) for s, v in zip(sections, variants, strict=True)]
    senders = _sender_names(sections)
    covariates = np.asarray(
        [[p["covariates"][name] for name in COVARIATE_NAMES] for p in predictors], np.float32
    )
    yearly = np.asarray(
        [[p["sender_trade_musd"].get(name, 0.0) for name in senders] for p in predictors]
    )
    fractions = np.asarray(
        [[getattr(s.loss_fraction, cost) for cost in COST_NAMES] for s in sections]
    )
    monthly = yearly / _MONTHS_PER_YEAR
    inputs = SanctionsInputs(
        covariates=jnp.asarray(covariates),
        issue=jnp.asarray([ISSUE_NAMES.index(s.issue) for s in sections], jnp.int32),
        era=jnp.full(len(sections), ERA_NAMES.index(PRESENT_ERA), jnp.int32),
        trigger_level=jnp.asarray([s.trigger_level for s in sections], jnp.int32),
        coalition_senders=jnp.asarray([s.sender_count == "coalition" for s in sections]),
        target_rate_musd=jnp.asarray(monthly.sum(axis=1)[:, None] * fractions, jnp.float32),
        sender_rate_musd=jnp.asarray(monthly[:, :, None] * fractions[:, None, :], jnp.float32),
    )
    leakage = np.asarray([p["source"]["leakage"] for p in predictors])
    trade_year = predictors[0]["source"]["years"]["trade"]
    constant_data = {
        "sanction_covariates": Variable(
            ("variant", "sanction_covariate"),
            covariates,
            "sanctions-model predictors of each variant's case (TIES coding)",
            "1",
        ),
        "leakage": Variable(
            ("variant",),
            leakage,
            f"share of the target's trade with states that do not sanction (COW trade {trade_year}): "
            "the trade the sanctions cannot reach",
            "fraction",
        ),
        "sender_trade_musd": Variable(
            ("variant", "sender"),
            yearly,
            f"the target's annual trade with each sender (COW trade {trade_year}); 0 where "
            "the state is not a sender in this variant",
            "million current USD per year",
        ),
        "trigger_level": Variable(
            ("variant",),
            np.asarray([s.trigger_level for s in sections], np.int32),
            "crisis level that imposes the sanctions (0: month 1; -1: the month the coalition's "
            "institution authorises the action)",
            "level code",
        ),
    }
    num_months = scenario.horizon_months
    coords = {
        "month": np.arange(1, num_months + 1),
        "sender": np.asarray(senders),
        "sanction_covariate": np.asarray(COVARIATE_NAMES),
        "sanctions_status": np.asarray(STATUS_NAMES),
        "outcome": np.asarray(OUTCOME_NAMES),
        "cost_level": np.asarray(COST_NAMES),
        "months_since_imposition": np.arange(1, num_months + 1),
        "months_in_force_bin": np.asarray(MONTHS_IN_FORCE_LABELS),
    }
    return ScenarioInputs(inputs, {"num_months": num_months}, constant_data, coords)
