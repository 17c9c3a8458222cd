"""ISO 3166 alpha-2 codes of the UN General Assembly votes -> Correlates of War codes.

The mapping is the shipped table ``riskengine/data/iso_cow.csv`` (no maintained
ISO-to-COW package is installed; pycountry would give names, not COW codes), one row
per UN delegation as the votes file names it: ``country_code`` (ISO alpha-2; empty for
the three historical states the votes file leaves without one: the Federal Republic of
Germany, the Yemen Arab Republic and Zanzibar, matched by ``country`` name instead),
``ccode`` (COW State System Membership v2016), an optional ``first_year`` /
``last_year`` (votes outside are dropped) and a ``note`` on every non-obvious choice:

* one seat, one code: the USSR and Russia are 365; Yugoslavia and its successor
  Serbia (and Montenegro) keep 345; Czechoslovakia is 315 until 1992, then 316 / 317;
* Germany by date, as the votes file already splits it: the FRG (no ISO code) 260 in
  1973-1990, the GDR (``DD``) 265, unified Germany (``DE``, from 1991) 255;
* Yemen: the Yemen Arab Republic (no ISO code) 678, the PDRY (``YD``) 680, unified
  Yemen (``YE``) 679;
* China's seat: the Republic of China's votes (``TW``, 1946-1971) are Taiwan's 713 in
  every year, so that 710 (``CN``) is the People's Republic's record only (from 1971);
  COW starts 713 in 1949, so (713, 1946-1948) are the one deliberate departure from
  COW's state-years (:data:`OUTSIDE_COW_SYSTEM`);
* the Byelorussian and Ukrainian SSRs' seats before 1991 and British India's 1946 votes
  are dropped: not sovereign states in COW then.

Every other delegation maps to the COW state of the same name, and every mapped
state-year but those of :data:`OUTSIDE_COW_SYSTEM` is a state-year of COW NMC 7.0
(tested on the real files).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.errors import DataError

__all__ = ["MAPPING_PATH", "OUTSIDE_COW_SYSTEM", "iso_cow_table", "map_to_ccode"]

MAPPING_PATH = Path(__file__).resolve().parent / "iso_cow.csv"
OUTSIDE_COW_SYSTEM: dict[tuple[int, int], str] = {
    (713, year): "Republic of China's delegation before COW starts Taiwan (1949)"
    for year in (1946, 1947, 1948)
}
"""(ccode, year) pairs kept although COW has no such state-year, with the reason."""


def _keys(country_code: pd.Series, country: pd.Series) -> pd.Series:
    """The ISO code, or ``name:<country>`` where the votes file gives none."""
    return country_code.where(country_code != "", "name:" + country)


@cache
def iso_cow_table() -> pd.DataFrame:
    """The shipped mapping: country_code, country, ccode, first_year, last_year (int64;
    open ends as 0 and 9999), note."""
    table = pd.read_csv(MAPPING_PATH, dtype=str, keep_default_na=False)
    for column, open_end in (("first_year", "0"), ("last_year", "9999")):
        table[column] = table[column].replace("", open_end)
    table = table.astype({"ccode": np.int64, "first_year": np.int64, "last_year": np.int64})
    keys = _keys(table["country_code"], table["country"])
    if keys.duplicated().any():
        raise DataError(f"{MAPPING_PATH.name}: {keys[keys.duplicated()].iloc[0]!r} listed twice")
    return table


def map_to_ccode(country_code: pd.Series, country: pd.Series, year: pd.Series) -> np.ndarray:
    """COW ccode (int64) of each vote row; -1 where the row falls outside its delegation's
    ``first_year``..``last_year``. Raises ``DataError`` naming any delegation the table
    does not list (add it to ``iso_cow.csv``)."""
    table = iso_cow_table()
    keys = _keys(country_code, country)
    index = pd.Index(_keys(table["country_code"], table["country"])).get_indexer(keys)
    if (index < 0).any():
        row = int(np.argmax(index < 0))
        raise DataError(
            f"un_votes: delegation {country_code.iloc[row]!r} ({country.iloc[row]}) is not in "
            f"{MAPPING_PATH.name}; add its COW code there ({int((index < 0).sum())} vote row(s))"
        )
    year = np.asarray(year, np.int64)
    first, last = table["first_year"].to_numpy()[index], table["last_year"].to_numpy()[index]
    return np.where((first <= year) & (year <= last), table["ccode"].to_numpy()[index], -1)
