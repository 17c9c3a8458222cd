"""Correlates of War major powers by year.

Source: Correlates of War Project, State System Membership List v2016 (``majors2016``).
The list is short and fixed, so it is written out here rather than read from a file.
Periods are inclusive; an open-ended period (status still held in 2016) ends at
``OPEN_END``. West Germany (COW code 260) was never a major power; unified Germany
takes code 255 again from 1990 and is a major power from 1991.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MAJOR_POWER_PERIODS", "OPEN_END", "major_power_periods", "is_major_power"]

OPEN_END = 9999

MAJOR_POWER_PERIODS: tuple[tuple[int, str, int, int], ...] = (
    (2, "United States", 1898, OPEN_END),
    (200, "United Kingdom", 1816, OPEN_END),
    (220, "France", 1816, 1940),
    (220, "France", 1945, OPEN_END),
    (255, "Germany / Prussia", 1816, 1918),
    (255, "Germany / Prussia", 1925, 1945),
    (255, "Germany / Prussia", 1991, OPEN_END),
    (300, "Austria-Hungary", 1816, 1918),
    (325, "Italy", 1860, 1943),
    (365, "Russia / USSR", 1816, 1917),
    (365, "Russia / USSR", 1922, OPEN_END),
    (710, "China", 1950, OPEN_END),
    (740, "Japan", 1895, 1945),
    (740, "Japan", 1991, OPEN_END),
)
"""(COW ccode, name, first year, last year) of each period of major-power status."""


def major_power_periods() -> pd.DataFrame:
    """Return ``MAJOR_POWER_PERIODS`` as a frame with ccode, name, first_year, last_year."""
    return pd.DataFrame(
        MAJOR_POWER_PERIODS, columns=["ccode", "name", "first_year", "last_year"]
    ).astype({"ccode": "int64", "first_year": "int64", "last_year": "int64"})


def is_major_power(ccodes: np.ndarray | pd.Series, years: np.ndarray | pd.Series) -> np.ndarray:
    """Return a boolean array: is state ``ccodes[i]`` a COW major power in ``years[i]``?"""
    query = pd.DataFrame(
        {
            "row": np.arange(len(ccodes)),
            "ccode": np.asarray(ccodes, dtype=np.int64),
            "year": np.asarray(years, dtype=np.int64),
        }
    )
    joined = query.merge(major_power_periods(), on="ccode", how="inner")
    in_period = joined["year"].between(joined["first_year"], joined["last_year"])
    result = np.zeros(len(query), dtype=bool)
    result[joined.loc[in_period, "row"].to_numpy()] = True
    return result
