"""The onset model's predictors, built for every directed dyad-year at once.

The coding choices are stated in :mod:`riskengine.models.onset.data`, which calls these
functions; here they are implemented. Every function is vectorised: state attributes are
computed once per state-year (``state_years``) and gathered into the dyad rows by
position, so no step loops over rows in Python.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.data.allies import cinc_by_state_year, has_pledge, partner_totals
from riskengine.data.capabilities import CAPABILITY_RATIO_BOUND
from riskengine.data.contiguity import contiguity_by_year
from riskengine.data.democracy import is_democracy
from riskengine.data.distance import DISTANCE_SOURCES, minimum_distance, pair_key
from riskengine.data.major_powers import is_major_power
from riskengine.data.rivalries import rivalry_active
from riskengine.models.escalation.data import ERA_NAMES, era_of_year

__all__ = [
    "PEACE_YEARS_CAP",
    "alliance_predictors",
    "directed_dyads",
    "geography_predictors",
    "peace_years",
    "political_predictors",
    "state_years",
    "time_predictors",
]

PEACE_YEARS_CAP = 100
"""Peace years above this count as this many (s = min(p, 100) / 100)."""


def state_years(tables: dict[str, pd.DataFrame], first_year: int, last_year: int) -> pd.DataFrame:
    """One row per NMC state-year in the span, with the state's attributes in its lag year.

    Columns: ccode, year, cinc (year t), lag_year, same_year (no NMC row in t - 1, so the
    lag year is t), lag_cinc, democratic and democracy_source (lag year), major_power
    (year t), first_nmc_year and the ATOP partner totals (lag year).
    """
    capabilities = tables["capabilities"]
    states = capabilities[capabilities["year"].between(first_year, last_year)]
    states = states.sort_values(["year", "ccode"]).reset_index(drop=True)
    present = pd.MultiIndex.from_frame(capabilities[["ccode", "year"]])
    before = pd.MultiIndex.from_arrays([states["ccode"], states["year"] - 1])
    same_year = ~before.isin(present)
    states["lag_year"] = np.where(same_year, states["year"], states["year"] - 1)
    states["same_year"] = same_year
    lagged = capabilities.rename(columns={"year": "lag_year", "cinc": "lag_cinc"})
    states = states.merge(lagged, on=["ccode", "lag_year"], how="left")
    democratic, source = is_democracy(tables["democracy"], states["ccode"], states["lag_year"])
    states["democratic"], states["democracy_source"] = democratic, source
    states["major_power"] = is_major_power(states["ccode"], states["year"])
    first_nmc_year = capabilities.groupby("ccode")["year"].min()
    states["first_nmc_year"] = first_nmc_year.reindex(states["ccode"]).to_numpy()
    return _add_partner_totals(states, tables)


def _add_partner_totals(states: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Attach each state's ATOP defence and offence/neutrality partners in its lag year."""
    for kind, pairs in (
        ("defence", tables["defence_pairs"]),
        ("offensive", tables["offensive_pairs"]),
    ):
        totals = partner_totals(pairs, tables["capabilities"]).rename(
            columns={
                "year": "lag_year",
                "partners": f"{kind}_partners",
                "partner_cinc": f"{kind}_partner_cinc",
                "partners_without_cinc": f"{kind}_partners_without_cinc",
            }
        )
        states = states.merge(totals, on=["ccode", "lag_year"], how="left")
    partner_columns = [column for column in states.columns if "partner" in column]
    states[partner_columns] = states[partner_columns].fillna(0)
    return states


def directed_dyads(states: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row positions in ``states`` of (challenger, target) for every ordered pair in a year.

    Sorted by year, challenger, target (``states`` is sorted by year and ccode).
    """
    positions = pd.DataFrame({"year": states["year"], "position": np.arange(len(states))})
    pairs = positions.merge(positions, on="year", suffixes=("_challenger", "_target"))
    pairs = pairs[pairs["position_challenger"] != pairs["position_target"]]
    return (
        pairs["position_challenger"].to_numpy(dtype=np.int32),
        pairs["position_target"].to_numpy(dtype=np.int32),
    )


def peace_years(mid: pd.DataFrame, frame: pd.DataFrame, start_year: np.ndarray, counts: dict):
    """Years since the pair's last MID onset before t (either order), else since entry."""
    onsets = mid.loc[mid["disponset"] == 1]
    onsets = pd.DataFrame(
        {
            "pair": pair_key(onsets["ccode1"], onsets["ccode2"]),
            "last_onset": onsets["year"].to_numpy(dtype=np.int32),
        }
    ).drop_duplicates()
    query = pd.DataFrame(
        {
            "row": np.arange(len(frame)),
            "pair": pair_key(frame["challenger"], frame["target"]),
            "year": frame["year"].to_numpy(dtype=np.int32),
        }
    )
    found = pd.merge_asof(
        query,
        onsets.assign(year=onsets["last_onset"]).sort_values("year"),
        on="year",
        by="pair",
        allow_exact_matches=False,
        direction="backward",
    )
    last = np.full(len(frame), np.nan)
    last[found["row"].to_numpy()] = found["last_onset"].to_numpy(dtype=np.float64)
    none = np.isnan(last)
    counts["num_rows_without_earlier_onset"] = int(none.sum())
    peace = query["year"].to_numpy() - np.where(none, start_year, last)
    return np.minimum(peace, PEACE_YEARS_CAP) / PEACE_YEARS_CAP


def alliance_predictors(tables, states, challenger, target, counts) -> dict[str, np.ndarray]:
    """Predictors 1-5: the target's third-party defence allies, the challenger's offensive
    or neutrality partners, the pair's own defence pact and the capability ratio."""
    challenger_code = states["ccode"].to_numpy()[challenger]
    target_code = states["ccode"].to_numpy()[target]
    challenger_lag = states["lag_year"].to_numpy()[challenger]
    target_lag = states["lag_year"].to_numpy()[target]
    defence, offensive = tables["defence_pairs"], tables["offensive_pairs"]
    pact_in_target_year = has_pledge(defence, target_code, challenger_code, target_lag)
    third_allies = states["defence_partners"].to_numpy()[target] - pact_in_target_year
    allied_cinc = states["defence_partner_cinc"].to_numpy()[target].copy()
    linked = np.flatnonzero(pact_in_target_year)
    allied_cinc[linked] -= np.nan_to_num(
        cinc_by_state_year(tables["capabilities"], challenger_code[linked], target_lag[linked])
    )
    allied_cinc = np.where(third_allies > 0, np.maximum(allied_cinc, 0.0), 0.0)
    offensive_partners = states["offensive_partners"].to_numpy()[challenger]
    offensive_partners = offensive_partners - has_pledge(
        offensive, challenger_code, target_code, challenger_lag
    )
    challenger_cinc = states["lag_cinc"].to_numpy()[challenger]
    target_cinc = states["lag_cinc"].to_numpy()[target]
    ratio, missing = _capability_ratio(challenger_cinc, target_cinc)
    counts["num_capability_missing"] = int(missing.sum())
    counts["num_defence_partner_years_without_cinc"] = int(
        states["defence_partners_without_cinc"].sum()
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(challenger_cinc > 0, allied_cinc / challenger_cinc, 0.0)
    return {
        "target_defence_pact": third_allies > 0,
        "target_allied_capability": np.log1p(relative),
        "challenger_offensive_pact": offensive_partners > 0,
        "dyad_defence_pact": has_pledge(
            defence, challenger_code, target_code, np.maximum(challenger_lag, target_lag)
        ),
        "capability_ratio": ratio,
    }


def _capability_ratio(challenger_cinc: np.ndarray, target_cinc: np.ndarray):
    """log(challenger / target CINC) clipped to +/-6; 0.0 and flagged when one is not > 0."""
    missing = ~(challenger_cinc > 0) | ~(target_cinc > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log(challenger_cinc / target_cinc)
    bound = CAPABILITY_RATIO_BOUND
    return np.where(missing, 0.0, np.clip(ratio, -bound, bound)), missing


def geography_predictors(tables, frame, counts) -> dict[str, np.ndarray]:
    """Predictors 6-8: land and sea contiguity in year t, log distance."""
    codes = (frame["challenger"].to_numpy(), frame["target"].to_numpy(), frame["year"].to_numpy())
    land, sea = contiguity_by_year(tables["contiguity"], *codes)
    pairs = pair_key(codes[0], codes[1])
    km, source = minimum_distance(tables["distances"], pairs, codes[2], land | sea)
    for index, name in enumerate(DISTANCE_SOURCES):
        counts[f"num_distance_{name}"] = int((source == index).sum())
    return {"land_contiguity": land, "sea_contiguity": sea, "log_distance": np.log1p(km / 1000)}


def political_predictors(tables, states, frame, challenger, target, counts) -> dict:
    """Predictors 9-12: joint democracy, rivalry, major-power status of each side."""
    democratic = states["democratic"].to_numpy()
    source = states["democracy_source"].to_numpy()
    for index, name in ((1, "polyarchy"), (2, "missing")):
        either = (source[challenger] == index) | (source[target] == index)
        counts[f"num_rows_democracy_{name}"] = int(either.sum())
    major = states["major_power"].to_numpy()
    rivalry = rivalry_active(
        tables["rivalries"], frame["challenger"], frame["target"], frame["year"]
    )
    return {
        "joint_democracy": democratic[challenger] & democratic[target],
        "rivalry": rivalry,
        "challenger_major_power": major[challenger],
        "target_major_power": major[target],
    }


def time_predictors(tables, states, frame, challenger, target, counts) -> dict:
    """Predictors 13-18: the peace-years cubic and the era indicators; the lag counts."""
    same_year = states["same_year"].to_numpy()
    counts["num_state_years_same_year"] = int(same_year.sum())
    counts["num_challenger_same_year"] = int(same_year[challenger].sum())
    counts["num_target_same_year"] = int(same_year[target].sum())
    entry = states["first_nmc_year"].to_numpy()
    start_year = np.maximum(entry[challenger], entry[target])
    peace = peace_years(tables["mid"], frame, start_year, counts)
    era = era_of_year(frame["year"].to_numpy())
    predictors = {
        "peace_years_linear": peace,
        "peace_years_quadratic": peace**2,
        "peace_years_cubic": peace**3,
    }
    for index, name in enumerate(ERA_NAMES[:-1]):
        predictors[f"era_{name}"] = era == index
    return predictors
