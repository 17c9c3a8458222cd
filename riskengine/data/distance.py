"""Minimum distance between two states by year, from CShapes 2.0 via peacesciencer.

Source: ``conflict/cow_mindist.csv.gz`` (952,244 dyad-years 1886-2019, one row per
unordered pair with ``ccode1 < ccode2``; ``mindist`` = km between the two territories,
rounded to 1 km, 0 for states that touch).

:func:`minimum_distance` returns a distance for every pair-year asked for, in this order
of sources (``DISTANCE_SOURCES``), and which source each value came from:

1. ``recorded``: the pair's own value in that year;
2. ``before_first_record``: a year before the pair's first record (every year before
   1886, and later years of pairs recorded only from a later year): the pair's earliest
   recorded distance (borders before 1886 are taken to be those of 1886);
3. ``nearest_record``: another year with no record for a pair recorded in some years
   (gaps, years after its last record): its nearest recorded year, ties to the earlier;
4. ``contiguous_fallback``: a pair never recorded and directly contiguous in the year
   (land, or sea up to 400 miles): 0 km;
5. ``median_fallback``: a pair never recorded and not contiguous: the median distance of
   that year's non-contiguous pairs that have a value from sources 1-3.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.data.paths import integer_columns, read_table
from riskengine.errors import DataError

__all__ = [
    "DISTANCE_FILE",
    "DISTANCE_SOURCES",
    "minimum_distance",
    "pair_key",
    "read_distances",
]

DISTANCE_FILE = "conflict/cow_mindist.csv.gz"
DISTANCE_SOURCES: tuple[str, ...] = (
    "recorded",
    "before_first_record",
    "nearest_record",
    "contiguous_fallback",
    "median_fallback",
)
_PAIR_BASE = 1000
"""Pair key = smaller ccode * 1000 + larger ccode (COW codes are below 1000)."""


def read_distances(folder: Path) -> pd.DataFrame:
    """Return ``pair`` (int32 key), ``year`` (int32) and ``mindist`` (km, float64)."""
    name = Path(DISTANCE_FILE).name
    table = read_table(folder, DISTANCE_FILE, ("ccode1", "ccode2", "year", "mindist"))
    table = integer_columns(table, ("ccode1", "ccode2", "year"), name)
    checks = [
        (table["ccode1"] >= table["ccode2"], "ccode1 < ccode2 (one row per unordered pair)"),
        (table["mindist"] < 0, "a distance in km >= 0"),
        (table["ccode2"] >= _PAIR_BASE, f"COW codes below {_PAIR_BASE}"),
        (table.duplicated(["ccode1", "ccode2", "year"]), "one row per pair and year"),
    ]
    for bad, expected in checks:
        if bad.any():
            row = table.loc[bad].iloc[0].to_dict()
            raise DataError(f"{name}: every row must have {expected}; got {row}")
    return pd.DataFrame(
        {
            "pair": pair_key(table["ccode1"], table["ccode2"]),
            "year": table["year"].to_numpy(dtype=np.int32),
            "mindist": table["mindist"].to_numpy(dtype=np.float64),
        }
    )


def pair_key(ccode1, ccode2) -> np.ndarray:
    """Return the unordered pair key ``min * 1000 + max`` (int32) of two code arrays."""
    first = np.asarray(ccode1, dtype=np.int32)
    second = np.asarray(ccode2, dtype=np.int32)
    return np.minimum(first, second) * _PAIR_BASE + np.maximum(first, second)


def minimum_distance(
    distances: pd.DataFrame, pairs: np.ndarray, years: np.ndarray, contiguous: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return (km float64, source index into ``DISTANCE_SOURCES`` int8) per pair-year.

    ``distances`` from :func:`read_distances`; ``pairs`` from :func:`pair_key`;
    ``contiguous`` is True where the pair is directly contiguous in the year.
    """
    query = pd.DataFrame({"pair": np.asarray(pairs, np.int32), "year": np.asarray(years, np.int32)})
    found = query.merge(distances, on=["pair", "year"], how="left")
    km = found["mindist"].to_numpy(dtype=np.float64, copy=True)
    source = np.where(np.isnan(km), -1, 0).astype(np.int8)
    unrecorded = np.flatnonzero(np.isnan(km))
    nearest_km = _nearest_record(distances, query.iloc[unrecorded])
    first_year = distances.groupby("pair")["year"].min()
    before_first = (
        query["year"].to_numpy()[unrecorded]
        < first_year.reindex(query["pair"].to_numpy()[unrecorded]).to_numpy()
    )
    has_record = ~np.isnan(nearest_km)
    km[unrecorded] = nearest_km
    source[unrecorded[has_record]] = np.where(before_first[has_record], 1, 2)
    _fill_never_recorded(km, source, query["year"].to_numpy(), np.asarray(contiguous, bool))
    return km, source


def _nearest_record(distances: pd.DataFrame, query: pd.DataFrame) -> np.ndarray:
    """The pair's distance in its nearest recorded year (NaN for pairs never recorded)."""
    ordered = query.assign(row=np.arange(len(query))).sort_values("year", kind="stable")
    found = pd.merge_asof(
        ordered,
        distances.sort_values("year", kind="stable"),
        on="year",
        by="pair",
        direction="nearest",
    )
    km = np.full(len(query), np.nan)
    km[found["row"].to_numpy()] = found["mindist"].to_numpy(dtype=np.float64)
    return km


def _fill_never_recorded(
    km: np.ndarray, source: np.ndarray, years: np.ndarray, contiguous: np.ndarray
) -> None:
    """Fill, in place, pairs never recorded: 0 km if contiguous, else the year's median."""
    never = np.isnan(km)
    km[never & contiguous] = 0.0
    source[never & contiguous] = 3
    known = ~never & ~contiguous
    medians = pd.Series(km[known]).groupby(years[known]).median()
    remaining = never & ~contiguous
    year_median = medians.reindex(years[remaining]).to_numpy()
    if np.isnan(year_median).any():
        year = years[remaining][np.isnan(year_median)][0]
        raise DataError(
            f"{DISTANCE_FILE}: no pair has a distance in {year}; cannot fill the median"
        )
    km[remaining] = year_median
    source[remaining] = 4
