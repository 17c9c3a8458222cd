"""Whether a state is a democracy in a year, from Polity and V-Dem.

Source: ``conflict/ccode_democracy.csv`` (peacesciencer's ``ccode_democracy``, state-years
1816-2020): Polity ``polity2`` (-10..10) and V-Dem ``v2x_polyarchy`` (0..1), either
possibly missing.

Rule (``DEMOCRACY_SOURCES`` names where each answer came from):

* ``polity2``: democratic when ``polity2 >= POLITY_THRESHOLD`` (6, the conventional
  Polity cut for democracy);
* ``polyarchy``: where ``polity2`` is missing, democratic when
  ``v2x_polyarchy >= POLYARCHY_THRESHOLD`` (0.5);
* ``missing``: both missing, or no row for the state-year: not democratic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.data.paths import integer_columns, read_table
from riskengine.errors import DataError

__all__ = [
    "DEMOCRACY_FILE",
    "DEMOCRACY_SOURCES",
    "POLITY_THRESHOLD",
    "POLYARCHY_THRESHOLD",
    "is_democracy",
    "read_democracy",
]

DEMOCRACY_FILE = "conflict/ccode_democracy.csv"
DEMOCRACY_SOURCES: tuple[str, ...] = ("polity2", "polyarchy", "missing")
POLITY_THRESHOLD = 6
POLYARCHY_THRESHOLD = 0.5


def read_democracy(folder: Path) -> pd.DataFrame:
    """Return ccode, year (int64), polity2, v2x_polyarchy (float64, NaN where missing)."""
    name = Path(DEMOCRACY_FILE).name
    columns = ("ccode", "year", "polity2", "v2x_polyarchy")
    table = read_table(folder, DEMOCRACY_FILE, columns, allow_missing=True)
    table = integer_columns(table, ("ccode", "year"), name)
    ranges = {"polity2": (-10.0, 10.0), "v2x_polyarchy": (0.0, 1.0)}
    for column, (low, high) in ranges.items():
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.notna() & ~values.between(low, high) | values.isna() & table[column].notna()
        if bad.any():
            raise DataError(
                f"{name}: column {column!r} must be a number in [{low}, {high}] or empty, "
                f"got {table.loc[bad, column].iloc[0]!r} ({int(bad.sum())} row(s))"
            )
        table[column] = values.astype(np.float64)
    if table.duplicated(["ccode", "year"]).any():
        raise DataError(
            f"{name}: more than one row for a state-year; expected one per (ccode, year)"
        )
    return table


def is_democracy(democracy: pd.DataFrame, ccodes, years) -> tuple[np.ndarray, np.ndarray]:
    """Return (democratic bool, source index into ``DEMOCRACY_SOURCES`` int8) per state-year."""
    query = pd.DataFrame(
        {"ccode": np.asarray(ccodes, dtype=np.int64), "year": np.asarray(years, dtype=np.int64)}
    )
    found = query.merge(democracy, on=["ccode", "year"], how="left")
    polity, polyarchy = found["polity2"].to_numpy(), found["v2x_polyarchy"].to_numpy()
    has_polity, has_polyarchy = ~np.isnan(polity), ~np.isnan(polyarchy)
    democratic = np.where(
        has_polity, polity >= POLITY_THRESHOLD, has_polyarchy & (polyarchy >= POLYARCHY_THRESHOLD)
    )
    source = np.where(has_polity, 0, np.where(has_polyarchy, 1, 2)).astype(np.int8)
    return democratic.astype(bool), source
