"""Reduced totals of the sanctions component -> the cube's prediction variables."""

from __future__ import annotations

import numpy as np

from riskengine.models.base import Variable
from riskengine.primitives.counts import ratio

__all__ = ["sanctions_metrics"]

_LEAD = ("chain", "draw", "variant")
_SUCCESS = slice(1, 3)  # negotiated settlement, acquiescence (OUTCOME_NAMES indices)
_ACQUIESCENCE = slice(2, 3)


def _status_variables(totals: dict) -> dict[str, Variable]:
    status = totals["status_count"]
    paths = totals["path_count"].astype(np.float64)[..., None]
    month_dims = (*_LEAD, "month")
    return {
        "sanctions_status_count": Variable(
            (*month_dims, "sanctions_status"),
            status,
            "paths in each sanctions status by month",
            "paths",
        ),
        "p_sanctions_status": Variable(
            (*month_dims, "sanctions_status"),
            status / paths[..., None],
            "probability of each sanctions status in each month",
            "probability",
        ),
        "p_imposed_by": Variable(
            month_dims,
            1.0 - status[..., 0] / paths,
            "probability that sanctions are imposed by this month",
            "probability",
        ),
        "p_success_by": Variable(
            month_dims,
            status[..., 3:].sum(-1) / paths,
            "probability that sanctions have succeeded (negotiated settlement or acquiescence) by this month",
            "probability",
        ),
        "p_acquiescence_by": Variable(
            month_dims,
            status[..., 4] / paths,
            "probability that the target has acquiesced by this month",
            "probability",
        ),
    }


def _time_variables(totals: dict) -> dict[str, Variable]:
    times = totals["outcome_time_count"]
    imposed = (totals["path_count"] - totals["status_count"][..., -1, 0]).astype(np.float64)
    dims = (*_LEAD, "months_since_imposition")
    success = np.cumsum(times[..., _SUCCESS].sum(-1), axis=-1)
    acquiescence = np.cumsum(times[..., _ACQUIESCENCE].sum(-1), axis=-1)
    note = (
        "given imposition; a path imposed fewer months before the horizon counts as not yet "
        "ended, so values at long durations are lower bounds when imposition can come late"
    )
    return {
        "imposed_count": Variable(
            _LEAD, imposed.astype(np.int64), "paths with sanctions imposed by the horizon", "paths"
        ),
        "outcome_time_count": Variable(
            (*dims, "outcome"),
            times,
            "paths ending this many months after imposition, by outcome",
            "paths",
        ),
        "p_success_within": Variable(
            dims,
            ratio(success, imposed[..., None]),
            f"probability that sanctions succeed within this many months of imposition ({note})",
            "probability",
        ),
        "p_acquiescence_within": Variable(
            dims,
            ratio(acquiescence, imposed[..., None]),
            f"probability that the target acquiesces within this many months of imposition ({note})",
            "probability",
        ),
    }


def _cost_variables(totals: dict) -> dict[str, Variable]:
    imposed = totals["target_cost_count"].sum(-1, keepdims=True)
    variables = {}
    for party in ("target", "sender"):
        counts = totals[f"{party}_cost_count"]
        who = "the target" if party == "target" else "the senders"
        variables[f"{party}_cost_count"] = Variable(
            (*_LEAD, "cost_level"), counts, f"imposed paths by the cost level to {who}", "paths"
        )
        variables[f"p_{party}_cost"] = Variable(
            (*_LEAD, "cost_level"),
            ratio(counts, imposed),
            f"probability of each cost level to {who}, given imposition (TIES levels, fitted)",
            "probability",
        )
    variables["months_in_force_count"] = Variable(
        (*_LEAD, "months_in_force_bin"),
        totals["months_in_force"],
        "paths by the number of months the sanctions are in force within the horizon",
        "paths",
    )
    return variables


def _money_variables(totals: dict) -> dict[str, Variable]:
    paths = totals["path_count"].astype(np.float64)
    target_mean = totals["target_trade_lost_musd.sum"] / paths
    target_square = totals["target_trade_lost_musd.sum_of_squares"] / paths
    senders = totals["sender_trade_lost_musd.sum"] / paths[..., None]
    assumption = "priced with the scenario's assumed loss fractions per cost level"
    return {
        "target_trade_lost_musd_mean": Variable(
            _LEAD,
            target_mean,
            f"expected trade the target loses to the sanctions over the horizon ({assumption})",
            "million current USD",
        ),
        "target_trade_lost_musd_sd": Variable(
            _LEAD,
            np.sqrt(np.maximum(target_square - target_mean**2, 0.0)),
            "standard deviation over paths of the target's trade lost (its Monte Carlo "
            "standard error is this over the square root of the paths)",
            "million current USD",
        ),
        "sender_trade_lost_musd_mean": Variable(
            (*_LEAD, "sender"),
            senders,
            f"expected trade each sender gives up over the horizon ({assumption})",
            "million current USD",
        ),
        "sender_cost_share": Variable(
            (*_LEAD, "sender"),
            ratio(senders, senders.sum(-1, keepdims=True)),
            "each sender's share of the senders' expected cost",
            "fraction",
        ),
    }


def sanctions_metrics(totals: dict) -> dict[str, Variable]:
    """All sanctions prediction variables from the summed totals."""
    path_count = Variable(
        _LEAD, totals["path_count"], "simulated paths per draw and variant", "paths"
    )
    return (
        {"path_count": path_count}
        | _status_variables(totals)
        | _time_variables(totals)
        | _cost_variables(totals)
        | _money_variables(totals)
    )
