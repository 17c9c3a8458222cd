"""Alliance partners of states by year, from ATOP directed dyad-years.

ATOP 5.1 (``conflict/atop_alliance_dyad_years.csv.gz``, 1815-2018) records pledges per
directed pair (ccode1, ccode2, year). A pledge of the kinds asked for (``atop_defense``,
or ``atop_offense`` / ``atop_neutral``) recorded in *either* direction links the pair,
as in :mod:`riskengine.data.alliances`: ATOP's few one-sided rows (492 of 137,762
defence rows have no mirror) are read as a link both ways. A pair absent from the file
has no pledge. :func:`pledge_pairs` returns the links with both orders present, so a
state's partners are the rows with ``ccode1`` equal to it.

The partners' capabilities use :func:`cinc_by_state_year`: a state's CINC in a year, or
the nearest year within ``NEAREST_YEAR_TOLERANCE`` (5, ties to the earlier year), as in
:mod:`riskengine.data.capabilities`; a partner with none within the window counts 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from riskengine.data.capabilities import NEAREST_YEAR_TOLERANCE

__all__ = [
    "ALLIANCE_FILE",
    "cinc_by_state_year",
    "has_pledge",
    "partner_totals",
    "pledge_pairs",
]

ALLIANCE_FILE = "conflict/atop_alliance_dyad_years.csv.gz"


def pledge_pairs(alliances: pd.DataFrame, kinds: Sequence[str]) -> pd.DataFrame:
    """Return the distinct (ccode1, ccode2, year) linked by any pledge in ``kinds``.

    ``alliances`` has ccode1, ccode2, year and the 0/1 columns named in ``kinds``
    (e.g. ``("atop_defense",)``). Both orders of every linked pair are returned; pairs of
    a state with itself are dropped.
    """
    pledged = (alliances[list(kinds)] == 1).any(axis=1)
    pairs = alliances.loc[pledged, ["ccode1", "ccode2", "year"]]
    mirrored = pairs.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    pairs = pd.concat([pairs, mirrored[["ccode1", "ccode2", "year"]]], ignore_index=True)
    pairs = pairs[pairs["ccode1"] != pairs["ccode2"]].drop_duplicates()
    return pairs.astype({"ccode1": "int32", "ccode2": "int32", "year": "int32"}).reset_index(
        drop=True
    )


def has_pledge(
    pairs: pd.DataFrame, ccode1: np.ndarray, ccode2: np.ndarray, years: np.ndarray
) -> np.ndarray:
    """Return a boolean array: is (ccode1[i], ccode2[i]) in ``pairs`` in years[i]?"""
    linked = _pair_year_key(pairs["ccode1"], pairs["ccode2"], pairs["year"])
    return np.isin(_pair_year_key(ccode1, ccode2, years), linked)


def _pair_year_key(ccode1, ccode2, years) -> np.ndarray:
    """One int64 per directed pair-year: (ccode1 * 1000 + ccode2) * 10000 + year."""
    first = np.asarray(ccode1, dtype=np.int64)
    second = np.asarray(ccode2, dtype=np.int64)
    return (first * 1000 + second) * 10000 + np.asarray(years, dtype=np.int64)


def cinc_by_state_year(capabilities: pd.DataFrame, ccodes, years) -> np.ndarray:
    """Return the CINC of state ``ccodes[i]`` in ``years[i]`` (float64, NaN when none).

    A state without a CINC in that year takes the nearest year within
    ``NEAREST_YEAR_TOLERANCE`` (pandas' ``nearest`` breaks ties toward the earlier year).
    """
    query = pd.DataFrame(
        {
            "row": np.arange(len(ccodes)),
            "ccode": np.asarray(ccodes, dtype=np.int64),
            "year": np.asarray(years, dtype=np.int64),
        }
    ).sort_values("year", kind="stable")
    table = capabilities[["ccode", "year", "cinc"]].astype({"ccode": "int64", "year": "int64"})
    found = pd.merge_asof(
        query,
        table.sort_values("year", kind="stable"),
        on="year",
        by="ccode",
        direction="nearest",
        tolerance=NEAREST_YEAR_TOLERANCE,
    )
    result = np.full(len(query), np.nan)
    result[found["row"].to_numpy()] = found["cinc"].to_numpy(dtype=np.float64)
    return result


def partner_totals(pairs: pd.DataFrame, capabilities: pd.DataFrame) -> pd.DataFrame:
    """Return, per (ccode, year) with at least one partner in ``pairs``, the partners.

    Columns: ccode, year (int32), ``partners`` (number of partners, int32),
    ``partner_cinc`` (sum of their CINC, float64; a partner without one counts 0) and
    ``partners_without_cinc`` (how many partners had no CINC within the window).
    """
    cinc = cinc_by_state_year(capabilities, pairs["ccode2"], pairs["year"])
    rows = pd.DataFrame(
        {
            "ccode": pairs["ccode1"].to_numpy(),
            "year": pairs["year"].to_numpy(),
            "partner_cinc": np.nan_to_num(cinc, nan=0.0),
            "partners_without_cinc": np.isnan(cinc).astype(np.int32),
        }
    )
    totals = rows.groupby(["ccode", "year"], sort=False).agg(
        partners=("partner_cinc", "size"),
        partner_cinc=("partner_cinc", "sum"),
        partners_without_cinc=("partners_without_cinc", "sum"),
    )
    return totals.reset_index().astype({"partners": "int32", "partners_without_cinc": "int32"})
