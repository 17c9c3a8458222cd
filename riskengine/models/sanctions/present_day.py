"""Predictors of a present-day sanctions scenario: the latest year of each source.

For a target and a set of sending states (COW ccodes), :func:`scenario_predictors`
returns the trade dependence of the target on the senders and its complement, the
leakage (the share of the target's trade with states that do not sanction), the trade
with each sender, the defence-pact link and the target's democracy score, computed as
in :mod:`riskengine.models.sanctions.predictors` (the same files and rules as the TIES
cases, so a scenario's predictors sit on the scale the model was fitted on).
The source tables are cached per data folder, so several variants cost one read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.errors import DataError
from riskengine.models.sanctions.predictors import (
    PREDICTOR_CITATIONS,
    PREDICTOR_FILES,
    defence_pact_links,
    provenance_of,
    rescaled_polity,
    source_tables,
    target_dyad_trade,
)

__all__ = ["scenario_predictors", "scenario_provenance"]


def scenario_predictors(
    target_ccode: int,
    sender_ccodes: list[int],
    *,
    data_dir: str | Path | None = None,
    year: int | None = None,
) -> dict:
    """Predictors of a present-day sanctions episode against ``target_ccode``.

    Returns ``trade_dependence`` (the target's trade with the senders / its total trade),
    ``leakage`` (``1 - trade_dependence``: the share of its trade with states that are
    not senders), ``sender_trade_musd`` (sender ccode -> the target's trade with it,
    million current USD; 0.0 where COW has no value, listed in
    ``senders_without_trade_data``), ``target_total_trade_musd``, ``defence_pact``
    (1.0 when an ATOP defence pledge links a sender and the target), ``target_democracy``
    and its ``democracy_source``, and ``years`` (the year used for each source).

    Years: trade in ``year`` (default: the latest COW trade year, 2014); alliances in
    ``min(year, latest ATOP year)`` (default 2018); democracy in the latest year at or
    before ``year`` (default: the latest) with a V-Dem value, else a Polity value.
    Raises ``DataError`` naming an unknown ccode or a year without trade data.
    """
    tables = source_tables(data_dir)
    senders = _checked_codes(target_ccode, sender_ccodes, tables.trade)
    trade_year = _trade_year(tables.trade, year)
    trade = _scenario_trade(tables.trade, target_ccode, senders, trade_year)
    alliance_year = int(tables.pledges["year"].max())
    alliance_year = alliance_year if year is None else min(int(year), alliance_year)
    pairs = pd.DataFrame({"sender": senders, "target": target_ccode, "year": alliance_year})
    democracy, democracy_year, source = _latest_democracy(tables.democracy, target_ccode, year)
    return {
        "target_ccode": int(target_ccode),
        "sender_ccodes": list(senders),
        **trade,
        "defence_pact": float(defence_pact_links(tables.pledges, pairs).any()),
        "target_democracy": democracy,
        "democracy_source": source,
        "years": {
            "trade": trade_year,
            "defence_pact": alliance_year,
            "target_democracy": democracy_year,
        },
    }


def _checked_codes(target: int, senders: list[int], trade: pd.DataFrame) -> list[int]:
    known = np.union1d(trade["ccode1"].unique(), trade["ccode2"].unique())
    codes = [int(target), *(int(code) for code in senders)]
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise DataError(
            f"ccode {unknown[0]} is not a state in cow_trade_ndy.csv.gz (COW Trade 4.0); use "
            "COW state codes (2 = USA, 200 = UK, 630 = Iran, ...); institutions such as the "
            "EU (1000) have no trade: list their member states instead"
        )
    if not senders:
        raise DataError("sender_ccodes is empty; list at least one sending state's COW ccode")
    if int(target) in codes[1:]:
        raise DataError(
            f"sender_ccodes includes the target {target}; a state cannot sanction itself"
        )
    return list(dict.fromkeys(codes[1:]))


def _trade_year(trade: pd.DataFrame, year: int | None) -> int:
    first, last = int(trade["year"].min()), int(trade["year"].max())
    if year is None:
        return last
    if not first <= int(year) <= last:
        raise DataError(f"year {year}: COW trade covers {first}-{last}; pick a year in that range")
    return int(year)


def _scenario_trade(trade: pd.DataFrame, target: int, senders: list[int], year: int) -> dict:
    dyads = target_dyad_trade(trade, [target], [year]).set_index("partner")["trade_musd"]
    total = float(dyads.sum())
    if total <= 0.0:
        raise DataError(
            f"ccode {target} has no known trade in {year} in cow_trade_ndy.csv.gz; "
            "pass an earlier year="
        )
    per_sender = {code: float(dyads.get(code, 0.0)) for code in senders}
    dependence = sum(per_sender.values()) / total
    return {
        "trade_dependence": dependence,
        "leakage": 1.0 - dependence,
        "sender_trade_musd": per_sender,
        "senders_without_trade_data": [code for code in senders if code not in dyads.index],
        "target_total_trade_musd": total,
    }


def _latest_democracy(
    democracy: pd.DataFrame, target: int, year: int | None
) -> tuple[float, int, str]:
    rows = democracy[democracy["ccode"] == target]
    if year is not None:
        rows = rows[rows["year"] <= int(year)]
    for column in ("v2x_polyarchy", "polity2"):
        known = rows[rows[column].notna()]
        if len(known):
            latest = known.loc[known["year"].idxmax()]
            value = float(latest[column])
            score = value if column == "v2x_polyarchy" else float(rescaled_polity(value))
            return score, int(latest["year"]), column
    raise DataError(
        f"ccode {target} has no V-Dem or Polity score in ccode_democracy.csv"
        + ("" if year is None else f" up to {year}")
    )


def scenario_provenance(data_dir: str | Path | None = None) -> dict:
    """Files behind :func:`scenario_predictors` with their SHA-256, and the citations."""
    return provenance_of(PREDICTOR_FILES.values(), data_dir, PREDICTOR_CITATIONS)
