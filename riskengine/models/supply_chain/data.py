"""The supply network's source tables: producers' shares and oil through chokepoints.

Sources (in the shared data folder, ``supply/``):

- ``mineral_production_shares.csv``: top producers of 12 strategic minerals by stage
  (USGS Mineral Commodity Summaries 2025, mine data 2024; IEA Critical Minerals Data
  Explorer 2024, processing 2023). ``share = quantity / world_total``; the producers
  listed do not exhaust the world: the remainder is ``REST_OF_WORLD``.
- ``eia_chokepoints_2018_2023.csv``: crude oil and petroleum liquids through the
  maritime chokepoints, million barrels per day (EIA, World Oil Transit Chokepoints).

The engine does not read these files at run time: :func:`build_tables` derives the
default tables shipped in ``tables/`` (``production_shares.csv``: the latest year of
every commodity and stage, with the rest of the world; ``chokepoint_shares.csv``: each
chokepoint's share of world maritime oil trade), and ``scripts/build_supply_tables.py``
rebuilds them; a test checks that the shipped tables reproduce the source files.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from riskengine.data.paths import read_table
from riskengine.errors import DataError

__all__ = [
    "CHOKEPOINT_FILE",
    "CHOKEPOINT_TABLE",
    "OIL",
    "PRODUCTION_FILE",
    "PRODUCTION_TABLE",
    "REST_OF_WORLD",
    "build_tables",
    "chokepoint_flows",
    "chokepoint_shares",
    "commodity_stages",
    "latest_production_shares",
    "producer_shares",
    "read_production",
]

PRODUCTION_FILE = "supply/mineral_production_shares.csv"
CHOKEPOINT_FILE = "supply/eia_chokepoints_2018_2023.csv"
TABLES = Path(__file__).resolve().parent / "tables"
PRODUCTION_TABLE = TABLES / "production_shares.csv"
CHOKEPOINT_TABLE = TABLES / "chokepoint_shares.csv"
OIL = "oil"
REST_OF_WORLD = "rest of world"
WORLD_ROWS = ("World maritime oil trade", "World total oil supply")
_PRODUCTION_COLUMNS = ("commodity", "stage", "year", "country", "quantity", "world_total", "share")
_SHARE_TOLERANCE = 1e-3  # the file's shares are rounded to 4 decimals
# USGS rounds its world totals, so listed shares may sum slightly above 1 (antimony 2024:
# 1.002); the rest of the world is then 0
_SUM_TOLERANCE = 0.01


def read_production(folder: Path) -> pd.DataFrame:
    """The production-shares file, checked: shares in [0, 1] that match quantity / world
    total, and no commodity-stage-year whose listed shares exceed 1."""
    name = Path(PRODUCTION_FILE).name
    table = read_table(folder, PRODUCTION_FILE, _PRODUCTION_COLUMNS)
    numbers = table[["quantity", "world_total", "share"]].apply(pd.to_numeric, errors="coerce")
    if numbers.isna().any().any():
        row = table.loc[numbers.isna().any(axis=1)].iloc[0].to_dict()
        raise DataError(f"{name}: quantity, world_total and share must be numbers; got {row}")
    table[["quantity", "world_total", "share"]] = numbers
    bad = (table["share"] < 0) | (table["share"] > 1) | (table["world_total"] <= 0)
    bad |= (table["quantity"] / table["world_total"] - table["share"]).abs() > _SHARE_TOLERANCE
    if bad.any():
        row = table.loc[bad].iloc[0].to_dict()
        raise DataError(
            f"{name}: share must equal quantity / world_total within {_SHARE_TOLERANCE} and lie "
            f"in [0, 1]; got {row}"
        )
    totals = table.groupby(["commodity", "stage", "year"])["share"].sum()
    if (totals > 1 + _SUM_TOLERANCE).any():
        key = totals[totals > 1 + _SUM_TOLERANCE].index[0]
        raise DataError(f"{name}: the shares of {key} sum to more than 1")
    return table


def latest_production_shares(table: pd.DataFrame) -> pd.DataFrame:
    """commodity, stage, year, producer, share: each commodity-stage at its latest year,
    the listed producers and ``REST_OF_WORLD`` (the remainder, at least 0)."""
    latest = table.groupby(["commodity", "stage"])["year"].transform("max")
    rows = table.loc[table["year"] == latest, ["commodity", "stage", "year", "country", "share"]]
    rows = rows.rename(columns={"country": "producer"})
    rest = (
        rows.groupby(["commodity", "stage", "year"], as_index=False)["share"]
        .sum()
        .assign(producer=REST_OF_WORLD)
    )
    rest["share"] = (1.0 - rest["share"]).clip(lower=0.0).round(4)
    combined = pd.concat([rows, rest[rows.columns]], ignore_index=True)
    return combined.sort_values(["commodity", "stage", "share"], ascending=[True, True, False])


def chokepoint_flows(folder: Path, year: int = 2023) -> dict[str, float]:
    """Location -> million barrels per day in ``year`` (chokepoints, the Cape of Good
    Hope, world maritime trade and world supply)."""
    column = f"y{year}"
    table = read_table(folder, CHOKEPOINT_FILE, ("location", column))
    values = pd.to_numeric(table[column], errors="coerce")
    if values.isna().any() or (values < 0).any():
        raise DataError(f"{Path(CHOKEPOINT_FILE).name}: column {column} must hold flows >= 0")
    return dict(zip(table["location"], values.astype(float), strict=True))


def build_tables(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped default tables derived from the source files in ``folder``."""
    production = latest_production_shares(read_production(folder))
    flows = chokepoint_flows(folder)
    trade = flows["World maritime oil trade"]
    chokepoints = pd.DataFrame(
        [
            {
                "chokepoint": name,
                "flow_mbd_2023": flow,
                "share_of_maritime_trade": round(flow / trade, 4),
            }
            for name, flow in flows.items()
            if name not in WORLD_ROWS
        ]
    )
    return production, chokepoints


@functools.cache
def _shipped_production() -> pd.DataFrame:
    return pd.read_csv(PRODUCTION_TABLE)


@functools.cache
def _shipped_chokepoints() -> pd.DataFrame:
    return pd.read_csv(CHOKEPOINT_TABLE)


def producer_shares(commodity: str, stage: str) -> dict[str, float]:
    """Producer -> share of world output of ``commodity`` at ``stage`` (the shipped
    default table, latest year; ``REST_OF_WORLD`` included, shares summing to 1)."""
    table = _shipped_production()
    rows = table[(table["commodity"] == commodity) & (table["stage"] == stage)]
    return dict(zip(rows["producer"], rows["share"].astype(float), strict=True))


def commodity_stages() -> dict[str, tuple[str, ...]]:
    """Commodity -> the stages the shipped table has for it."""
    table = _shipped_production()
    return {
        commodity: tuple(group["stage"].unique())
        for commodity, group in table.groupby("commodity", sort=True)
    }


def chokepoint_shares() -> dict[str, float]:
    """Chokepoint -> its share of world maritime oil trade (EIA, 2023)."""
    table = _shipped_chokepoints()
    return dict(
        zip(table["chokepoint"], table["share_of_maritime_trade"].astype(float), strict=True)
    )
