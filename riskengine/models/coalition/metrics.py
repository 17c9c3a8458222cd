"""Reduced totals of the coalition component -> the cube's prediction variables."""

from __future__ import annotations

import numpy as np

from riskengine.models.base import Variable
from riskengine.primitives.counts import ratio

__all__ = ["coalition_metrics"]

_LEAD = ("chain", "draw", "variant")


def coalition_metrics(totals: dict) -> dict[str, Variable]:
    """The cube's prediction variables from the summed totals."""
    paths = totals["path_count"].astype(np.float64)
    by_month = totals["authorised_count"]  # (chain, draw, variant, month)
    decided = by_month[..., -1].astype(np.float64)
    times = totals["decision_time_count"]  # (..., months_to_decision), bin 0: no decision
    months = np.arange(times.shape[-1])
    sizes = totals["coalition_size_count"]
    present = totals["member_present_count"] > 0
    members = present.sum(-1, keepdims=True)
    cost_share = ratio(totals["cost_share.sum"], decided[..., None])
    benefit_share = np.where(present, 1.0 / np.maximum(members, 1), np.nan)
    member_month = (*_LEAD, "coalition_member", "month")
    variables = {
        "path_count": Variable(_LEAD, totals["path_count"], "simulated paths", "paths"),
        "authorised_count": Variable(
            (*_LEAD, "month"), by_month, "paths with a decision by this month", "paths"
        ),
        "p_authorised_by": Variable(
            (*_LEAD, "month"),
            by_month / paths[..., None],
            "probability that the institution has authorised the action by this month",
            "probability",
        ),
        "p_authorised_within": Variable(
            _LEAD,
            decided / paths,
            "probability that the institution authorises the action within the horizon",
            "probability",
        ),
        "decision_time_count": Variable(
            (*_LEAD, "months_to_decision"),
            times,
            "paths by months from tabling to decision (1 = the tabled month; 0 = no decision)",
            "paths",
        ),
        "expected_months_to_decision": Variable(
            _LEAD,
            ratio((times * months).sum(-1), decided),
            "mean months from tabling to decision (the tabled month counts 1), given a decision "
            "within the horizon",
            "months",
        ),
        "p_member_blocks": Variable(
            member_month,
            np.moveaxis(totals["blocked_count"], -1, -2) / paths[..., None, None],
            "probability that the member blocks the item in this month (it fails and the member "
            "is counted among its blockers)",
            "probability",
        ),
        "p_member_ever_blocks": Variable(
            (*_LEAD, "coalition_member"),
            totals["ever_blocked_count"] / paths[..., None],
            "probability that the member blocks the item in at least one month",
            "probability",
        ),
        "p_member_supports": Variable(
            member_month,
            np.moveaxis(totals["supporting_count"], -1, -2) / paths[..., None, None],
            "probability that the member supports the action in this month (frozen at the decision)",
            "probability",
        ),
        "p_member_participates": Variable(
            (*_LEAD, "coalition_member"),
            totals["participating_count"] / paths[..., None],
            "probability that a decision is taken and the member supports it (takes part)",
            "probability",
        ),
        "coalition_size_count": Variable(
            (*_LEAD, "coalition_size"),
            sizes,
            "paths with a decision by the number of supporting members",
            "paths",
        ),
        "expected_coalition_size": Variable(
            _LEAD,
            ratio((sizes * np.arange(sizes.shape[-1])).sum(-1), decided),
            "mean number of members taking part, given a decision",
            "states",
        ),
        "p_force_while_deliberating": Variable(
            _LEAD,
            totals["force_while_open_count"] / paths,
            "probability that the crisis reaches the use of force in a month from tabling to the "
            "decision (or to the horizon without one); 0 without an escalation section",
            "probability",
        ),
        "cost_share": Variable(
            (*_LEAD, "coalition_member"),
            cost_share,
            "member's share of the participants' capability (COW CINC), averaged over paths with "
            "a decision: its expected share of the action's cost",
            "fraction",
        ),
        "benefit_share": Variable(
            (*_LEAD, "coalition_member"),
            benefit_share,
            "member's share of the action's benefit: equal among the institution's members "
            "(a public good); NaN where not a member",
            "fraction",
        ),
        "free_riding_index": Variable(
            (*_LEAD, "coalition_member"),
            benefit_share - cost_share,
            "benefit share minus cost share (positive: gains more than it pays), given a decision",
            "fraction",
        ),
    }
    return variables
