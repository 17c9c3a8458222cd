"""Direct contiguity of two states by year, from COW Direct Contiguity 3.2.

Source: ``conflict/cow_contdir.csv`` (1,874 directed entries, both orders of every pair):
``conttype`` 1 = land or river border; 2, 3, 4, 5 = separated by at most 12, 24, 150,
400 miles of water; 0 = a pair's period without contiguity (kept by the distributor to
mark gaps; ignored here). Each entry holds from ``stdate`` to ``enddate``
(``YYYY-MM-DD``).

Choices:

* An entry is in force in every calendar year from its start year to its end year, both
  included, so a contiguity that begins or ends during a year counts for that whole
  year (the UK and France: 24 miles of water until June 1940 and again from August
  1944, so 1940 and 1944 are sea-contiguous, 1941-1943 are not).
* ``land`` = some entry of type 1 is in force in the year; ``sea`` = some entry of type
  2-5 is in force and none of type 1 (land takes precedence within a year).
* The file's entries are mirrored, so a pair coded in one order only still counts in
  both.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.data.paths import integer_columns, read_table
from riskengine.errors import DataError

__all__ = ["CONTIGUITY_FILE", "contiguity_by_year", "read_contiguity"]

CONTIGUITY_FILE = "conflict/cow_contdir.csv"
LAND = 1
WATER_TYPES = (2, 3, 4, 5)


def read_contiguity(folder: Path) -> pd.DataFrame:
    """Return the contiguity entries: ccode1, ccode2, conttype, first_year, last_year."""
    name = Path(CONTIGUITY_FILE).name
    table = read_table(
        folder, CONTIGUITY_FILE, ("ccode1", "ccode2", "conttype", "stdate", "enddate")
    )
    table = integer_columns(table, ("ccode1", "ccode2", "conttype"), name)
    if not table["conttype"].between(0, 5).all():
        bad = table.loc[~table["conttype"].between(0, 5), "conttype"].iloc[0]
        raise DataError(f"{name}: column 'conttype' must be 0..5, got {bad}")
    years = {}
    for column, label in (("stdate", "first_year"), ("enddate", "last_year")):
        dates = pd.to_datetime(table[column], format="%Y-%m-%d", errors="coerce")
        if dates.isna().any():
            bad = table.loc[dates.isna(), column].iloc[0]
            raise DataError(f"{name}: column {column!r} must be a YYYY-MM-DD date, got {bad!r}")
        years[label] = dates.dt.year.astype(np.int64)
    return table[["ccode1", "ccode2", "conttype"]].assign(**years)


def _contiguous_years(entries: pd.DataFrame) -> pd.DataFrame:
    """One row per (ccode1, ccode2, year) with ``land`` and ``water`` in force (both orders)."""
    entries = entries[entries["conttype"] > 0]
    spans = (entries["last_year"] - entries["first_year"] + 1).clip(lower=0).to_numpy()
    expanded = entries.loc[entries.index.repeat(spans)].copy()
    expanded["year"] = expanded["first_year"] + expanded.groupby(level=0).cumcount()
    expanded["land"] = expanded["conttype"] == LAND
    expanded["water"] = expanded["conttype"].isin(WATER_TYPES)
    mirrored = expanded.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    both = pd.concat([expanded, mirrored], ignore_index=True)
    return both.groupby(["ccode1", "ccode2", "year"], as_index=False)[["land", "water"]].any()


def contiguity_by_year(
    entries: pd.DataFrame, ccode1: np.ndarray, ccode2: np.ndarray, years: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return boolean arrays (land, sea) for the pairs (ccode1[i], ccode2[i]) in years[i].

    ``entries`` comes from :func:`read_contiguity`; see the module docstring for the rules.
    """
    in_force = _contiguous_years(entries).astype(
        {"ccode1": "int32", "ccode2": "int32", "year": "int32"}
    )
    query = pd.DataFrame(
        {
            "ccode1": np.asarray(ccode1, dtype=np.int32),
            "ccode2": np.asarray(ccode2, dtype=np.int32),
            "year": np.asarray(years, dtype=np.int32),
        }
    )
    found = query.merge(in_force, on=["ccode1", "ccode2", "year"], how="left")
    land = found["land"].fillna(False).to_numpy(dtype=bool)
    water = found["water"].fillna(False).to_numpy(dtype=bool)
    return land, water & ~land
