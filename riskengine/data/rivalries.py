"""Thompson-Dreyer strategic rivalries by year.

Source: ``conflict/td_rivalries.csv`` (197 rivalries 1494-2010: ``ccode1``, ``ccode2``,
``styear``, ``endyear``). A rivalry is unordered: the pair in either order is the same
rivalry.

Rule: a pair is a rivalry in year t when some rivalry between them started before t
(``styear < t``) and had not ended before t (``endyear >= t``). The start year itself
does not count, because Thompson and Dreyer often date a rivalry from the crisis or
dispute that opened it: counting it would put the outcome into the predictor. The
release ends in 2010 and codes a rivalry still running then with ``endyear`` 2010
(42 rivalries); such a rivalry is right-censored, not over, so it is taken to run on
(``CENSORED_END``): without this, 2011-2014 would look rivalry-free, a break that an
onset backtest over 1990-2014 would mistake for a change in the world.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.data.distance import pair_key
from riskengine.data.paths import integer_columns, read_table
from riskengine.errors import DataError

__all__ = ["RIVALRY_FILE", "read_rivalries", "rivalry_active"]

RIVALRY_FILE = "conflict/td_rivalries.csv"
LAST_CODED_YEAR = 2010
CENSORED_END = 2100  # a rivalry coded as running in LAST_CODED_YEAR runs on to here


def read_rivalries(folder: Path) -> pd.DataFrame:
    """Return ccode1, ccode2, styear, endyear (int64) of every rivalry; ``endyear`` of a
    rivalry running at the end of the release is ``CENSORED_END``."""
    name = Path(RIVALRY_FILE).name
    columns = ("ccode1", "ccode2", "styear", "endyear")
    table = integer_columns(read_table(folder, RIVALRY_FILE, columns), columns, name)
    bad = (table["endyear"] < table["styear"]) | (table["ccode1"] == table["ccode2"])
    if bad.any():
        row = table.loc[bad].iloc[0].to_dict()
        raise DataError(f"{name}: a rivalry needs two states and endyear >= styear; got {row}")
    censored = table["endyear"] >= LAST_CODED_YEAR
    return table.assign(endyear=table["endyear"].where(~censored, CENSORED_END))


def rivalry_active(rivalries: pd.DataFrame, ccode1, ccode2, years) -> np.ndarray:
    """Return a boolean array: is (ccode1[i], ccode2[i]) a rivalry in years[i]?"""
    spans = (rivalries["endyear"] - rivalries["styear"]).to_numpy()
    expanded = rivalries.loc[rivalries.index.repeat(spans)]
    # Years styear + 1 .. endyear: started before the year, not ended before it.
    active_years = expanded["styear"] + 1 + expanded.groupby(level=0).cumcount()
    active = pd.DataFrame(
        {
            "pair": pair_key(expanded["ccode1"], expanded["ccode2"]),
            "year": active_years.to_numpy(dtype=np.int32),
            "rivalry": True,
        }
    ).drop_duplicates(["pair", "year"])
    query = pd.DataFrame(
        {"pair": pair_key(ccode1, ccode2), "year": np.asarray(years, dtype=np.int32)}
    )
    found = query.merge(active, on=["pair", "year"], how="left")
    return found["rivalry"].fillna(False).to_numpy(dtype=bool)
