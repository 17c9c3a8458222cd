"""One row per (dispute, side, candidate third state) from COW MID 5.0: did it join?

Sources (under the shared data folder, see :mod:`riskengine.data.paths`):
``conflict/cow_mid_disputes.csv`` and ``conflict/cow_mid_directed_dyads.csv`` (COW MID
5.0), ``conflict/cow_nmc.csv`` (COW NMC 7.0: the state system and CINC),
``conflict/atop_alliance_dyad_years.csv.gz`` (ATOP 5.1 pledges) and
``conflict/cow_contdir.csv`` (COW Direct Contiguity 3.2).

Choices, all made here and nowhere else:

* Sides: side A (the challenger's, ``defending_side = 0``) and side B (the defender's,
  ``defending_side = 1``). A state is an *originator* of a side when any of its
  directed-dyad rows on that side has ``orig1 == 1``; it *joined* that side when it is
  on it and never coded an originator there.
* Candidates of a dispute: the states in the system (a row of ``cow_nmc.csv``) in the
  start year that originate neither side; each is a candidate for both sides (a joiner
  of side A is a candidate of side B that did not join it). Joiners not in the system
  in the start year are not candidates (counted in ``attrs["num_joiners_outside"]``).
* Covariate year: the year before the start year, when the candidate was in the system
  then; otherwise the start year (counted in ``attrs["num_start_year_fallback"]``). A
  pledge or border with an originator is read in that year too, or in the start year
  when that originator was not in the system the year before.
* ``defence_pact`` = 1 when ATOP codes a defence pledge (``atop_defense``) between the
  candidate and an originator of the side (either direction); ``other_pledge`` = 1 when
  it codes an offense, neutrality, non-aggression or consultation pledge but no defence
  pledge. *Committed* candidates are those with either.
* ``log_capability`` = log(CINC / ``CAPABILITY_REFERENCE``) (CINC of the nearest year
  within 5, as in :mod:`riskengine.data.capabilities`; a CINC of 0 is raised to
  ``MINIMUM_CINC``; none within 5 years: the median of the candidates, counted in
  ``attrs["num_capability_missing"]``). Centred at a 1% share so the intercept is that
  of a middling state.
* ``land_contiguity`` = 1 when the candidate shares a land or river border (COW direct
  contiguity ``conttype == 1``, in force in the covariate year) with an originator of
  the side. A border, not a log distance: scenarios state it as a list of actors.
* ``major_power`` in the covariate year (:mod:`riskengine.data.major_powers`); era
  indicators of the start year as in the escalation data (``ERA_NAMES``).
* Per dispute: ``duration_months`` = ``max(1, ceil(maxdur / 30.4375))`` and
  ``peak_level`` = ``hostlev - 1`` (1 threat .. 4 war), as in the escalation data.
* Case-control sampling: about 95% of the candidates are uncommitted non-joiners that
  carry little information each. :func:`case_control_sample` keeps every joiner and every
  committed candidate, and each uncommitted non-joiner with probability
  ``CONTROL_FRACTION`` (a fixed seed); every uncommitted row carries
  ``sampling_log_fraction = log(CONTROL_FRACTION)``: for them logit P(joined | x,
  sampled) = logit P(joined | x) - log f (Prentice & Pyke 1979), which the likelihood
  applies.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.data import paths
from riskengine.data.capabilities import NEAREST_YEAR_TOLERANCE
from riskengine.data.major_powers import is_major_power
from riskengine.data.paths import (
    files_provenance,
    integer_columns,
    read_table,
)
from riskengine.errors import DataError
from riskengine.models.escalation.data import (
    ERA_NAMES,
    duration_months,
    era_of_year,
)

__all__ = [
    "CAPABILITY_REFERENCE",
    "CONTROL_FRACTION",
    "COVARIATE_NAMES",
    "JOINING_FILES",
    "candidate_arrays",
    "case_control_sample",
    "data_provenance",
    "load_candidates",
]

COVARIATE_NAMES: tuple[str, ...] = (
    "defence_pact",
    "other_pledge",
    "log_capability",
    "land_contiguity",
    "major_power",
    "defending_side",
    "era_before_1914",
    "era_world_wars",
    "era_cold_war",
)
CAPABILITY_REFERENCE = 0.01
MINIMUM_CINC = 1e-6
CONTROL_FRACTION = 0.05
SAMPLING_SEED = 20261202
PLEDGE_COLUMNS = ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul")

JOINING_FILES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "disputes": (
        "conflict/cow_mid_disputes.csv",
        ("dispnum", "styear", "hostlev", "maxdur"),
        "COW MID 5.0",
    ),
    "dyads": (
        "conflict/cow_mid_directed_dyads.csv",
        ("dispnum", "ccode1", "sidea1", "orig1"),
        "COW MID 5.0",
    ),
    "capabilities": ("conflict/cow_nmc.csv", ("ccode", "year", "cinc"), "COW NMC 7.0"),
    "alliances": (
        "conflict/atop_alliance_dyad_years.csv.gz",
        ("ccode1", "ccode2", "year", *PLEDGE_COLUMNS),
        "ATOP 5.1",
    ),
    "contiguity": (
        "conflict/cow_contdir.csv",
        ("ccode1", "ccode2", "conttype", "stdate", "enddate"),
        "COW Direct Contiguity 3.2",
    ),
}
"""Table name -> (path relative to the data folder, required columns, citation key)."""

_INTEGER_COLUMNS = {
    "disputes": ("dispnum", "styear", "hostlev"),
    "dyads": ("dispnum", "ccode1", "sidea1", "orig1"),
    "capabilities": ("ccode", "year"),
    "alliances": ("ccode1", "ccode2", "year", *PLEDGE_COLUMNS),
    "contiguity": ("ccode1", "ccode2", "conttype"),
}


def _read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    tables = {}
    for name, (relative_path, columns, _) in JOINING_FILES.items():
        table = read_table(folder, relative_path, columns)
        tables[name] = integer_columns(table, _INTEGER_COLUMNS[name], Path(relative_path).name)
    return tables


def _check_disputes(disputes: pd.DataFrame) -> None:
    file_name = Path(JOINING_FILES["disputes"][0]).name
    bad = ~disputes["hostlev"].between(2, 5) | ~(disputes["maxdur"] >= 0)
    if bad.any():
        row = disputes.loc[bad].iloc[0]
        raise DataError(
            f"{file_name}: dispute {row['dispnum']} has hostlev {row['hostlev']} and maxdur "
            f"{row['maxdur']}; allowed: hostlev 2..5 and maxdur >= 0 ({int(bad.sum())} row(s))"
        )


def participants(dyads: pd.DataFrame) -> pd.DataFrame:
    """One row per (dispute_id, ccode, defending_side) with ``originator`` (bool)."""
    if not dyads["sidea1"].isin([0, 1]).all() or not dyads["orig1"].isin([0, 1]).all():
        raise DataError("cow_mid_directed_dyads.csv: sidea1 and orig1 must be 0 or 1")
    frame = dyads.rename(columns={"dispnum": "dispute_id", "ccode1": "ccode"})
    frame = frame.assign(defending_side=1 - frame["sidea1"])
    grouped = frame.groupby(["dispute_id", "ccode", "defending_side"], as_index=False)["orig1"]
    return grouped.max().rename(columns={"orig1": "originator"}).astype({"originator": bool})


def _dispute_table(disputes: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dispute_id": disputes["dispnum"].to_numpy(),
            "start_year": disputes["styear"].to_numpy(),
            "peak_level": disputes["hostlev"].to_numpy() - 1,
            "duration_months": duration_months(disputes["maxdur"]),
        }
    )


def _candidates(table: pd.DataFrame, members: pd.DataFrame, system: pd.DataFrame):
    """(dispute, side, candidate) rows of states in the system, not originators."""
    in_system = table.merge(
        system.rename(columns={"year": "start_year"}), on="start_year", how="inner"
    )
    originators = members.loc[members["originator"], ["dispute_id", "ccode"]].drop_duplicates()
    flagged = in_system.merge(
        originators.assign(excluded=True), on=["dispute_id", "ccode"], how="left"
    )
    kept = flagged.loc[flagged["excluded"].isna()].drop(columns="excluded")
    sides = pd.DataFrame({"defending_side": [0, 1]})
    rows = kept.merge(sides, how="cross")
    joiners = members.loc[~members["originator"], ["dispute_id", "ccode", "defending_side"]]
    rows = rows.merge(joiners.assign(joined=1), how="left", on=list(joiners.columns))
    rows["joined"] = rows["joined"].fillna(0).astype(np.int64)
    outside = len(joiners) - int(rows["joined"].sum())
    return rows.reset_index(drop=True), outside


def _covariate_years(rows: pd.DataFrame, system: pd.DataFrame) -> pd.Series:
    """The year before the start when the state was in the system then, else the start."""
    previous = rows["start_year"] - 1
    present = pd.MultiIndex.from_frame(system[["ccode", "year"]])
    existed = pd.MultiIndex.from_arrays([rows["ccode"], previous]).isin(present)
    return pd.Series(np.where(existed, previous, rows["start_year"]), index=rows.index)


def _pairs(rows: pd.DataFrame, members: pd.DataFrame, system: pd.DataFrame) -> pd.DataFrame:
    """(row, originator) pairs of each candidate row with its side's originators and the
    year their pledges and borders are read in."""
    originators = members.loc[members["originator"], ["dispute_id", "defending_side", "ccode"]]
    pairs = rows[
        ["dispute_id", "defending_side", "ccode", "start_year", "covariate_year"]
    ].reset_index(names="row")
    pairs = pairs.merge(
        originators.rename(columns={"ccode": "originator"}), on=["dispute_id", "defending_side"]
    )
    both = pairs[["originator"]].rename(columns={"originator": "ccode"})
    both["year"] = pairs["start_year"] - 1
    present = pd.MultiIndex.from_frame(system[["ccode", "year"]])
    originator_existed = pd.MultiIndex.from_frame(both).isin(present)
    pairs["pair_year"] = np.where(originator_existed, pairs["covariate_year"], pairs["start_year"])
    return pairs


def _pledges(pairs: pd.DataFrame, alliances: pd.DataFrame) -> pd.DataFrame:
    """Per row: any defence pledge, any other pledge, with the side's originators."""
    undirected = pd.concat(
        [alliances, alliances.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})]
    )
    undirected = undirected.groupby(["ccode1", "ccode2", "year"], as_index=False)[
        list(PLEDGE_COLUMNS)
    ].max()
    found = pairs.merge(
        undirected,
        left_on=["ccode", "originator", "pair_year"],
        right_on=["ccode1", "ccode2", "year"],
        how="inner",
    )
    found["other"] = found[list(PLEDGE_COLUMNS[1:])].max(axis=1)
    return found.groupby("row")[["atop_defense", "other"]].max()


def _land_borders(pairs: pd.DataFrame, contiguity: pd.DataFrame) -> pd.Index:
    """Rows whose candidate borders an originator of the side (conttype 1) that year."""
    land = contiguity.loc[contiguity["conttype"] == 1].copy()
    land["first_year"] = pd.to_datetime(land["stdate"]).dt.year
    land["last_year"] = pd.to_datetime(land["enddate"]).dt.year
    found = pairs.merge(
        land, left_on=["ccode", "originator"], right_on=["ccode1", "ccode2"], how="inner"
    )
    within = found["pair_year"].between(found["first_year"], found["last_year"])
    return pd.Index(found.loc[within, "row"].unique())


def _capabilities(rows: pd.DataFrame, capabilities: pd.DataFrame) -> tuple[np.ndarray, int]:
    """CINC of the covariate year (nearest within 5 years), missing filled with the median."""
    left = rows[["ccode", "covariate_year"]].reset_index(names="row")
    left = left.sort_values("covariate_year", kind="stable")
    right = capabilities.rename(columns={"year": "covariate_year"}).dropna(subset=["cinc"])
    joined = pd.merge_asof(
        left,
        right.sort_values("covariate_year", kind="stable"),
        on="covariate_year",
        by="ccode",
        direction="nearest",
        tolerance=NEAREST_YEAR_TOLERANCE,
    ).set_index("row")
    cinc = joined["cinc"].reindex(rows.index).to_numpy(dtype=np.float64)
    missing = ~np.isfinite(cinc)
    cinc = np.where(missing, np.nanmedian(cinc), np.maximum(cinc, MINIMUM_CINC))
    return np.log(cinc / CAPABILITY_REFERENCE), int(missing.sum())


def _add_covariates(rows: pd.DataFrame, members, tables) -> dict[str, int]:
    system = tables["capabilities"][["ccode", "year"]].drop_duplicates()
    rows["covariate_year"] = _covariate_years(rows, system)
    pairs = _pairs(rows, members, system)
    pledges = _pledges(pairs, tables["alliances"]).reindex(rows.index, fill_value=0)
    defence = pledges["atop_defense"].to_numpy() == 1
    rows["defence_pact"] = defence.astype(np.float64)
    rows["other_pledge"] = ((pledges["other"].to_numpy() == 1) & ~defence).astype(np.float64)
    rows["log_capability"], num_missing = _capabilities(rows, tables["capabilities"])
    rows["land_contiguity"] = rows.index.isin(_land_borders(pairs, tables["contiguity"])).astype(
        np.float64
    )
    rows["major_power"] = is_major_power(rows["ccode"], rows["covariate_year"]).astype(np.float64)
    rows["defending_side"] = rows["defending_side"].astype(np.float64)
    era = era_of_year(rows["start_year"].to_numpy())
    for index, name in enumerate(ERA_NAMES[:-1]):
        rows[f"era_{name}"] = (era == index).astype(np.float64)
    fallback = int((rows["covariate_year"] == rows["start_year"]).sum())
    return {"num_capability_missing": num_missing, "num_start_year_fallback": fallback}


def load_candidates(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Every (dispute, side, candidate) row with ``joined``, the covariates
    (``COVARIATE_NAMES``), ``committed``, ``peak_level`` and ``duration_months``.

    Columns: dispute_id, ccode, defending_side, start_year, covariate_year, joined (0/1),
    the float64 covariates, committed (bool), peak_level (1..4), duration_months (>= 1).
    ``attrs`` count the joiners outside the system, the start-year fallbacks and the
    missing capabilities. See the module docstring for every choice.
    """
    folder = paths.data_dir(data_dir)
    tables = _read_tables(folder)
    _check_disputes(tables["disputes"])
    members = participants(tables["dyads"])
    system = tables["capabilities"][["ccode", "year"]].drop_duplicates()
    rows, outside = _candidates(_dispute_table(tables["disputes"]), members, system)
    counts = _add_covariates(rows, members, tables)
    rows["committed"] = (rows["defence_pact"] + rows["other_pledge"]) > 0
    rows.attrs.update(counts | {"num_joiners_outside": outside, "data_dir": str(folder)})
    return rows


def case_control_sample(
    rows: pd.DataFrame, fraction: float = CONTROL_FRACTION, seed: int = SAMPLING_SEED
) -> pd.DataFrame:
    """Every joiner and committed candidate, and uncommitted non-joiners with probability
    ``fraction``; ``sampling_log_fraction`` is log(fraction) on every uncommitted row (the
    stratum whose controls were sampled), 0 elsewhere."""
    if not 0 < fraction <= 1:
        raise DataError(f"case-control fraction: got {fraction}; allowed: 0 < fraction <= 1")
    uniform = np.random.default_rng(seed).random(len(rows))
    control = (~rows["committed"].to_numpy()) & (rows["joined"].to_numpy() == 0)
    kept = ~control | (uniform < fraction)
    sample = rows.loc[kept].copy()
    sample["sampling_log_fraction"] = np.where(sample["committed"], 0.0, np.log(fraction))
    sample.attrs = dict(rows.attrs) | {"control_fraction": fraction, "sampling_seed": seed}
    return sample.reset_index(drop=True)


def candidate_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The arrays the likelihood reads: ``covariates`` float32 (n, 9); ``joined``,
    ``peak_level``, ``duration_months`` int32; ``sampling_log_fraction`` float32 (0 when
    the frame was not sampled)."""
    missing = [
        c for c in (*COVARIATE_NAMES, "joined", "peak_level", "duration_months") if c not in frame
    ]
    if missing:
        raise DataError(
            f"candidate frame: missing column {missing[0]!r}; build it with load_candidates()"
        )
    offsets = (
        frame["sampling_log_fraction"]
        if "sampling_log_fraction" in frame
        else 0.0 * frame["joined"]
    )
    return {
        "covariates": frame[list(COVARIATE_NAMES)].to_numpy(dtype=np.float32),
        "joined": frame["joined"].to_numpy(dtype=np.int32),
        "peak_level": frame["peak_level"].to_numpy(dtype=np.int32),
        "duration_months": frame["duration_months"].to_numpy(dtype=np.int32),
        "sampling_log_fraction": np.asarray(offsets, dtype=np.float32),
    }


def data_provenance(data_dir: str | Path | None = None) -> dict:
    """The files behind ``load_candidates`` with their SHA-256 and citations
    (:func:`riskengine.data.paths.files_provenance`)."""
    files = [(path, key) for path, _, key in JOINING_FILES.values()]
    return files_provenance(data_dir, files, ["COW State System Membership 2016"])
