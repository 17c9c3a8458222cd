"""Dyadic and monadic measures of a candidate supporter, read in a given year.

Used by :mod:`riskengine.models.coalition.support_data` for the (TIES case, candidate)
rows. Every function takes arrays of candidate codes, partner codes (the primary sender
or the target) and years, and returns one value per row with, where a fallback can
happen, the source of each value, so the loader can count the fallbacks.

* Trade (COW Trade 4.0, ``trade/cow_trade_ndy.csv.gz``, read by
  :func:`riskengine.models.sanctions.predictors.source_tables`: COW's -9 is missing): a
  dyad's trade is ``flow1 + flow2`` (imports both ways, million current US dollars), a
  missing flow counting 0 and a dyad with both flows missing being *unknown*, not zero.
  A state's total trade is the sum over its known dyads. The share of the candidate's
  trade with a partner is dyad / total; when the dyad is unknown or the total is 0 in
  the year, the latest earlier year within ``TRADE_LOOKBACK_YEARS`` (5) where both are
  known is used (``earlier_year``); when none is, the share is 0 (``missing_as_zero``):
  COW leaves mostly small, distant dyads unrecorded, so 0 is the likelier value and the
  count of such rows is reported. The covariate is ``log1p(100 * share)``, the log of
  one plus the percentage: 0 without trade, 0.69 at 1%, 2.40 at 10%.
* ATOP 5.1 pledges (:mod:`riskengine.data.allies`): a pair is linked in a year when a
  pledge of the kinds asked for is coded in either direction.
* Distance (:mod:`riskengine.data.distance`, CShapes 2.0 minimum distances, with its
  fallbacks ``DISTANCE_SOURCES``; contiguity from COW Direct Contiguity 3.2 for pairs
  never recorded): ``log1p(km / 1000)``.
* Capability: CINC (COW NMC 7.0) of the nearest year within 5
  (:func:`riskengine.data.allies.cinc_by_state_year`), raised to ``MINIMUM_CINC``,
  as ``log(CINC / CAPABILITY_REFERENCE)`` (0 at a 1% share).
* Democracy: V-Dem ``v2x_polyarchy`` (0..1), else Polity's ``polity2`` rescaled to
  ``(polity2 + 10) / 20`` (:func:`riskengine.models.sanctions.predictors.democracy_scores`).
* Alignment: an agreement table ``[ccode_a, ccode_b, year, agreement]`` (UN General
  Assembly agreement, 0..1, from a reader written elsewhere); the pair is looked up in
  either order; a pair-year missing from it takes the median agreement of the rows of
  the same year that have one (else of all rows; left NaN when the table matches no
  row at all, which the fit refuses).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from riskengine.data.allies import cinc_by_state_year
from riskengine.data.contiguity import contiguity_by_year
from riskengine.data.distance import minimum_distance, pair_key
from riskengine.errors import DataError

__all__ = [
    "AGREEMENT_COLUMNS",
    "CAPABILITY_REFERENCE",
    "MINIMUM_CINC",
    "TRADE_LOOKBACK_YEARS",
    "TRADE_SOURCES",
    "TradeTables",
    "agreement_values",
    "log_capability",
    "log_distances",
    "trade_shares",
    "trade_tables",
]

TRADE_LOOKBACK_YEARS = 5
TRADE_SOURCES = ("observed", "earlier_year", "missing_as_zero")
CAPABILITY_REFERENCE = 0.01
MINIMUM_CINC = 1e-6
AGREEMENT_COLUMNS = ("ccode_a", "ccode_b", "year", "agreement")


class TradeTables(NamedTuple):
    """Known dyad trade by (pair key, year) and each state's total by (ccode, year)."""

    dyads: pd.Series  # million USD, indexed by (pair, year); unknown dyads absent
    totals: pd.Series  # million USD, indexed by (ccode, year)


def trade_tables(trade: pd.DataFrame) -> TradeTables:
    """From COW's non-directed dyad-years (flows NaN where missing) to ``TradeTables``."""
    value = trade[["flow1", "flow2"]].sum(axis=1, min_count=1).to_numpy(dtype=np.float64)
    known = np.isfinite(value)
    first, second = trade["ccode1"].to_numpy()[known], trade["ccode2"].to_numpy()[known]
    years, value = trade["year"].to_numpy()[known].astype(np.int32), value[known]
    dyads = pd.Series(value, index=pd.MultiIndex.from_arrays([pair_key(first, second), years]))
    dyads = dyads.groupby(level=[0, 1]).sum()
    both = pd.DataFrame(
        {
            "ccode": np.concatenate([first, second]).astype(np.int32),
            "year": np.concatenate([years, years]),
            "value": np.concatenate([value, value]),
        }
    )
    totals = both.groupby(["ccode", "year"])["value"].sum()
    return TradeTables(dyads, totals)


def _share_in(tables: TradeTables, ccodes, partners, years) -> np.ndarray:
    """Dyad / total in exactly ``years`` (NaN where either is unknown or the total is 0)."""
    years = np.asarray(years, dtype=np.int32)
    pairs = pd.MultiIndex.from_arrays([pair_key(ccodes, partners), years])
    own = pd.MultiIndex.from_arrays([np.asarray(ccodes, dtype=np.int32), years])
    dyad = tables.dyads.reindex(pairs).to_numpy(dtype=np.float64)
    total = tables.totals.reindex(own).to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, dyad / total, np.nan)


def trade_shares(tables: TradeTables, ccodes, partners, years) -> tuple[np.ndarray, np.ndarray]:
    """(``log1p(100 * share)``, source index into ``TRADE_SOURCES``) per row; the share of
    the candidate's trade that is with the partner (module docstring for the fallbacks)."""
    share = _share_in(tables, ccodes, partners, years)
    source = np.where(np.isfinite(share), 0, 2).astype(np.int8)
    for offset in range(1, TRADE_LOOKBACK_YEARS + 1):
        missing = ~np.isfinite(share)
        if not missing.any():
            break
        earlier = _share_in(
            tables,
            np.asarray(ccodes)[missing],
            np.asarray(partners)[missing],
            np.asarray(years)[missing] - offset,
        )
        share[missing] = earlier
        source[np.flatnonzero(missing)[np.isfinite(earlier)]] = 1
    share = np.where(np.isfinite(share), share, 0.0)
    return np.log1p(100.0 * np.clip(share, 0.0, 1.0)), source


def log_distances(
    distances: pd.DataFrame, contiguity: pd.DataFrame, ccodes, partners, years
) -> tuple[np.ndarray, np.ndarray]:
    """(``log1p(km / 1000)``, source index into ``DISTANCE_SOURCES``) per row."""
    land, sea = contiguity_by_year(contiguity, ccodes, partners, years)
    km, source = minimum_distance(distances, pair_key(ccodes, partners), years, land | sea)
    return np.log1p(km / 1000.0), source


def log_capability(capabilities: pd.DataFrame, ccodes, years) -> tuple[np.ndarray, int]:
    """``log(CINC / CAPABILITY_REFERENCE)`` per row and how many rows had no CINC within 5
    years (those take the median of the others)."""
    cinc = cinc_by_state_year(capabilities, ccodes, years)
    missing = ~np.isfinite(cinc)
    cinc = np.where(missing, np.nanmedian(cinc), np.maximum(cinc, MINIMUM_CINC))
    return np.log(cinc / CAPABILITY_REFERENCE), int(missing.sum())


def _check_agreement(agreement: pd.DataFrame) -> pd.DataFrame:
    missing = [column for column in AGREEMENT_COLUMNS if column not in agreement.columns]
    if missing:
        raise DataError(
            f"agreement table: missing column {missing[0]!r}; expected columns "
            f"{list(AGREEMENT_COLUMNS)} (one row per pair-year, agreement in 0..1)"
        )
    values = pd.to_numeric(agreement["agreement"], errors="coerce")
    if not values.dropna().between(0.0, 1.0).all():
        raise DataError("agreement table: column 'agreement' must lie in 0..1")
    return agreement.assign(agreement=values)


def agreement_values(agreement: pd.DataFrame, ccodes, partners, years):
    """(agreement, used_median bool) per row from an agreement table; see the module
    docstring for the lookup and the median fallback."""
    agreement = _check_agreement(agreement)
    table = pd.Series(
        agreement["agreement"].to_numpy(dtype=np.float64),
        index=pd.MultiIndex.from_arrays(
            [
                pair_key(agreement["ccode_a"], agreement["ccode_b"]),
                agreement["year"].to_numpy(dtype=np.int32),
            ]
        ),
    )
    table = table.groupby(level=[0, 1]).mean()
    years = np.asarray(years, dtype=np.int32)
    keys = pd.MultiIndex.from_arrays([pair_key(ccodes, partners), years])
    value = table.reindex(keys).to_numpy(dtype=np.float64, copy=True)
    missing = ~np.isfinite(value)
    if missing.all():  # nothing to take a median of: left missing, and counted
        return value, missing
    medians = pd.Series(value[~missing]).groupby(years[~missing]).median()
    filled = medians.reindex(years[missing]).to_numpy()
    value[missing] = np.where(np.isfinite(filled), filled, np.median(value[~missing]))
    return value, missing
