"""One row per Militarized Interstate Dispute with the escalation model's covariates.

Sources (under the shared data folder, see :mod:`riskengine.data.paths`):
``conflict/cow_mid_disputes.csv`` (COW MID 5.0, dispute level, 2,436 disputes 1816-2014),
``conflict/cow_mid_directed_dyads.csv`` (which state is on which side),
``conflict/cow_nmc.csv`` (COW NMC 7.0, CINC scores) and
``conflict/atop_alliance_dyad_years.csv.gz`` (ATOP 5.1 defence pledges).

Choices, all made here and nowhere else:

* Every dispute is kept. ``peak_level`` = ``hostlev - 1``: 1 threat, 2 display of force,
  3 use of force, 4 war. MID never codes a dispute's peak as 1 (no militarized action);
  a ``hostlev`` outside 2..5 raises ``DataError``.
* Challenger = side A, COW's side of the state that took the first militarized action;
  defender = side B. ``num_challenger_side`` = ``numa``, ``num_defender_side`` = ``numb``
  (every participant, joiners included; counted from the directed-dyad file and checked
  against it here).
* Covariates describe the dispute at its start, so they use only the ORIGINATORS
  (``orig1 == 1`` rows of the directed-dyad file): states that joined later are an outcome
  of the dispute, not a cause (in MID 5.0, 46 of the 54 multilateral wars are multilateral
  only through joiners; disputes that gained joiners reach war in 20.2%, those with
  several originators on a side in 4.8%). A side with no originator (one dispute, 4344,
  side B) keeps all its states; counted in ``frame.attrs["num_sides_without_originator"]``.
  ``num_challenger_originators`` / ``num_defender_originators`` count them and
  ``gained_joiners`` marks disputes with a non-originator participant (descriptive only).
  A state recorded on both sides (a side switcher) counts on both.
* Reference year of each originator: the year before the start year (what was known when
  the dispute began), or the start year when the state has no COW NMC row in the year
  before (it entered the state system in the start year, or the start year is 1816);
  counted in ``frame.attrs["num_start_year_fallbacks"]``. CINC and ATOP are read in it.
* ``duration_months`` = ``max(1, ceil(maxdur / 30.4375))`` (30.4375 = 365.25 / 12 days).
  ``maxdur`` is the longest duration the coded dates allow and ``mindur`` the shortest;
  they differ only when a start or end day is unknown (367 disputes, by up to 119 days).
  ``maxdur`` is used because a risk engine should not understate how long a crisis
  stays open when the coders could not rule the longer span out, and because it is
  never 0 in MID 5.0 (one dispute has ``mindur == 0``). The choice matters little:
  it lengthens 314 of 2,436 disputes (257 by one month, 56 by two, one by three).
  A negative ``maxdur`` (COW's -9 missing code) raises ``DataError``.
* Covariates (float64, names and order in ``COVARIATE_NAMES``):
  ``challenger_side_size`` = log(# side-A originators); ``defender_side_size`` =
  log(# side-B originators);
  ``capability_ratio`` = log(side-B originators' CINC / side-A originators' CINC) (see
  :mod:`riskengine.data.capabilities`: nearest CINC year within 5 of the reference year,
  clip to +/-6, 0.0 when a side has no CINC, flagged in ``capability_missing`` and counted
  in ``frame.attrs["num_capability_missing"]``);
  ``defender_defence_pact`` = 1 when a side-B originator shares an ATOP defence pledge
  (``atop_defense == 1``, either direction of the directed dyad) in its reference year
  with a third state, one that is an originator on neither side (a third state that
  joined the dispute later still counts: the pledge predates the dispute);
  ``defender_allied_capability`` = log1p(sum CINC of those third states / side-A
  originators' CINC), clipped to 6, 0.0 when the side-A CINC is missing;
  ``challenger_defence_pact`` and ``challenger_allied_capability`` likewise for side A
  (its originators' third-state defence allies vs side B's originators); a third state
  pledged to both sides counts for both. Allies' CINC is read at the reference year of
  the originator they are pledged to (nearest year within 5), each ally counted once;
  ``major_power`` = 1 when an originator on either side is a COW major power in the
  start year (:mod:`riskengine.data.major_powers`); ``crisis_management`` = 0.0 everywhere,
  because MID does not record mediation or other third-party management: the model's
  crisis-management effect is not identified by these data and stays at its prior.
  ``era_before_1914``, ``era_world_wars``, ``era_cold_war`` = 1 when the start year is in
  1816-1913, 1914-1945, 1946-1989 (``ERA_FIRST_YEARS``); all 0 from 1990 on, the
  reference era. The cut years are the conventional ones (the two world wars, the end
  of the Cold War); MID war shares differ sharply between them (11%, 10%, 2.3%, 0.8%).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.data import paths
from riskengine.data.capabilities import (
    CAPABILITY_RATIO_BOUND,
    capability_ratio,
    member_capabilities,
)
from riskengine.data.major_powers import is_major_power
from riskengine.data.paths import (
    files_provenance,
    integer_columns,
    read_table,
)
from riskengine.errors import DataError

__all__ = [
    "COVARIATE_NAMES",
    "DAYS_PER_MONTH",
    "ERA_NAMES",
    "ERA_FIRST_YEARS",
    "era_of_year",
    "with_era",
    "DISPUTE_FILES",
    "data_provenance",
    "dispute_arrays",
    "duration_months",
    "load_disputes",
    "originator_members",
    "side_members",
]

COVARIATE_NAMES: tuple[str, ...] = (
    "challenger_side_size",
    "defender_side_size",
    "capability_ratio",
    "defender_defence_pact",
    "defender_allied_capability",
    "challenger_defence_pact",
    "challenger_allied_capability",
    "major_power",
    "crisis_management",
    "era_before_1914",
    "era_world_wars",
    "era_cold_war",
)
ERA_NAMES: tuple[str, ...] = ("before_1914", "world_wars", "cold_war", "post_cold_war")
ERA_FIRST_YEARS: tuple[int, ...] = (1816, 1914, 1946, 1990)

DAYS_PER_MONTH = 30.4375

DISPUTE_FILES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "disputes": (
        "conflict/cow_mid_disputes.csv",
        ("dispnum", "styear", "hostlev", "maxdur", "numa", "numb"),
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
        ("ccode1", "ccode2", "year", "atop_defense"),
        "ATOP 5.1",
    ),
}
"""Table name -> (path relative to the data folder, required columns, citation key)."""

_INTEGER_COLUMNS = {
    "disputes": ("dispnum", "styear", "hostlev", "numa", "numb"),
    "dyads": ("dispnum", "ccode1", "sidea1", "orig1"),
    "capabilities": ("ccode", "year"),
    "alliances": ("ccode1", "ccode2", "year", "atop_defense"),
}


def _read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Read the four source tables, checking columns and integer-coded values."""
    tables = {}
    for name, (relative_path, columns, _) in DISPUTE_FILES.items():
        table = read_table(folder, relative_path, columns)
        tables[name] = integer_columns(table, _INTEGER_COLUMNS[name], Path(relative_path).name)
    return tables


def _check_disputes(disputes: pd.DataFrame) -> None:
    """Raise DataError on duplicate ids or codes outside what the loader can convert."""
    file_name = Path(DISPUTE_FILES["disputes"][0]).name
    checks = [
        ("hostlev", ~disputes["hostlev"].between(2, 5), "between 2 (threat) and 5 (war)"),
        ("maxdur", ~(disputes["maxdur"] >= 0), "a duration in days >= 0 (not COW's -9)"),
        ("numa", disputes["numa"] < 1, "at least 1 state on side A"),
        ("numb", disputes["numb"] < 1, "at least 1 state on side B"),
        ("dispnum", disputes["dispnum"].duplicated(), "one row per dispute (no duplicates)"),
    ]
    for column, bad, expected in checks:
        if bad.any():
            value = disputes.loc[bad, column].iloc[0]
            dispute = disputes.loc[bad, "dispnum"].iloc[0]
            raise DataError(
                f"{file_name}: column {column!r} must be {expected}; got {value} "
                f"for dispnum {dispute} ({int(bad.sum())} row(s) affected)"
            )


def duration_months(maxdur_days: np.ndarray | pd.Series) -> np.ndarray:
    """Return ``max(1, ceil(days / 30.4375))`` as int64: 1, 30 -> 1; 31 -> 2; 61 -> 3."""
    days = np.asarray(maxdur_days, dtype=np.float64)
    return np.maximum(1, np.ceil(days / DAYS_PER_MONTH)).astype(np.int64)


def side_members(dyads: pd.DataFrame, disputes: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (dispute_id, ccode, on_side_a) with the dispute's start_year
    and ``originator`` (the state took part from the dispute's start: ``orig1 == 1``).

    Checks that ``sidea1`` and ``orig1`` are 0/1, that every dispute has dyads, and that
    the number of states per side matches ``numa`` / ``numb``.
    """
    dyad_file = Path(DISPUTE_FILES["dyads"][0]).name
    for column in ("sidea1", "orig1"):
        if not dyads[column].isin([0, 1]).all():
            bad = dyads.loc[~dyads[column].isin([0, 1]), column].iloc[0]
            raise DataError(f"{dyad_file}: column {column!r} must be 0 or 1, got {bad}")
    members = (
        dyads.rename(columns={"dispnum": "dispute_id", "ccode1": "ccode"})
        .assign(on_side_a=lambda table: table["sidea1"] == 1)
        .groupby(["dispute_id", "ccode", "on_side_a"], as_index=False)["orig1"]
        .max()
        .assign(originator=lambda table: table["orig1"] == 1)
        .drop(columns="orig1")
    )
    starts = disputes.rename(columns={"dispnum": "dispute_id", "styear": "start_year"})
    members = members.merge(starts[["dispute_id", "start_year"]], on="dispute_id", how="inner")
    _check_side_counts(members, starts, dyad_file)
    return members.reset_index(drop=True)


def _check_side_counts(members: pd.DataFrame, starts: pd.DataFrame, dyad_file: str) -> None:
    counts = members.groupby(["dispute_id", "on_side_a"]).size().unstack(fill_value=0)
    counts = counts.reindex(index=starts["dispute_id"], columns=[True, False], fill_value=0)
    expected = starts.set_index("dispute_id")[["numa", "numb"]].to_numpy()
    mismatch = (counts.to_numpy() != expected).any(axis=1)
    if mismatch.any():
        dispute = counts.index[mismatch][0]
        raise DataError(
            f"{dyad_file}: dispute {dispute} has {counts.loc[dispute].tolist()} states on "
            f"sides A/B but cow_mid_disputes.csv says numa/numb = "
            f"{expected[mismatch][0].tolist()} ({int(mismatch.sum())} dispute(s) differ); "
            "the two files must come from the same MID release"
        )


def load_disputes(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Load MID disputes as one row per dispute with the escalation model's covariates.

    Columns: dispute_id, start_year, peak_level (1..4), duration_months (>= 1),
    num_challenger_side, num_defender_side, the float64 covariates in ``COVARIATE_NAMES``
    order, capability_missing (bool), num_challenger_originators,
    num_defender_originators and gained_joiners (bool). See the module docstring for
    every choice; ``frame.attrs`` counts the fallbacks.
    """
    folder = paths.data_dir(data_dir)
    tables = _read_tables(folder)
    disputes = tables["disputes"]
    _check_disputes(disputes)
    members = side_members(tables["dyads"], disputes)
    frame = _base_columns(disputes)
    originators, num_without = originator_members(members, tables["capabilities"])
    frame = _add_side_counts(frame, members, originators)
    frame = _add_covariates(frame, originators, tables["capabilities"], tables["alliances"])
    descriptive = ["num_challenger_originators", "num_defender_originators", "gained_joiners"]
    frame = frame[[c for c in frame.columns if c not in descriptive] + descriptive]
    frame.attrs["num_capability_missing"] = int(frame["capability_missing"].sum())
    frame.attrs["num_sides_without_originator"] = num_without
    frame.attrs["num_start_year_fallbacks"] = int(
        (originators["reference_year"] == originators["start_year"]).sum()
    )
    frame.attrs["data_dir"] = str(folder)
    return frame


def _base_columns(disputes: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dispute_id": disputes["dispnum"].to_numpy(),
            "start_year": disputes["styear"].to_numpy(),
            "peak_level": disputes["hostlev"].to_numpy() - 1,
            "duration_months": duration_months(disputes["maxdur"]),
            "num_challenger_side": disputes["numa"].to_numpy(),
            "num_defender_side": disputes["numb"].to_numpy(),
        }
    )


def originator_members(
    members: pd.DataFrame, capabilities: pd.DataFrame
) -> tuple[pd.DataFrame, int]:
    """Originators of each side with their ``reference_year``; sides with none keep all.

    ``reference_year`` = start_year - 1, or start_year when the state has no COW NMC row
    in the year before. Returns the rows and the number of sides without an originator.
    """
    side = ["dispute_id", "on_side_a"]
    has_originator = members.groupby(side)["originator"].transform("any")
    kept = members[members["originator"] | ~has_originator].copy()
    num_without = int((~members.groupby(side)["originator"].any()).sum())
    known = pd.MultiIndex.from_frame(capabilities[["ccode", "year"]])
    previous = pd.MultiIndex.from_arrays([kept["ccode"], kept["start_year"] - 1])
    in_system = previous.isin(known)
    kept["reference_year"] = np.where(in_system, kept["start_year"] - 1, kept["start_year"])
    return kept.reset_index(drop=True), num_without


def _add_side_counts(
    frame: pd.DataFrame, members: pd.DataFrame, originators: pd.DataFrame
) -> pd.DataFrame:
    ids = frame["dispute_id"]
    counts = originators.groupby(["dispute_id", "on_side_a"]).size().unstack(fill_value=0)
    counts = counts.reindex(index=ids, columns=[True, False], fill_value=0)
    frame["num_challenger_originators"] = counts[True].to_numpy()
    frame["num_defender_originators"] = counts[False].to_numpy()
    joiners = members.groupby("dispute_id")["originator"].all().reindex(ids, fill_value=True)
    frame["gained_joiners"] = ~joiners.to_numpy(dtype=bool)
    return frame


def _third_state_allies(originators: pd.DataFrame, alliances: pd.DataFrame) -> pd.DataFrame:
    """(dispute_id, on_side_a, ccode, reference_year) of each originator side's defence
    allies in its reference year that are originators on neither side, one row per ally."""
    pledges = alliances.loc[alliances["atop_defense"] == 1, ["ccode1", "ccode2", "year"]]
    both = pd.concat(
        [pledges, pledges.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})]
    ).drop_duplicates()
    left = originators[["dispute_id", "on_side_a", "ccode", "reference_year", "start_year"]]
    allies = left.rename(columns={"ccode": "ccode1"}).merge(
        both.rename(columns={"year": "reference_year"}), on=["ccode1", "reference_year"]
    )
    taking_part = originators[["dispute_id", "ccode"]].drop_duplicates()
    allies = allies.rename(columns={"ccode2": "ccode"}).merge(
        taking_part, on=["dispute_id", "ccode"], how="left", indicator=True
    )
    allies = allies[allies["_merge"] == "left_only"]
    columns = ["dispute_id", "on_side_a", "ccode", "reference_year", "start_year"]
    return allies.sort_values("reference_year")[columns].drop_duplicates(
        ["dispute_id", "on_side_a", "ccode"]
    )


def _side_cinc(rows: pd.DataFrame, capabilities: pd.DataFrame, ids) -> pd.DataFrame:
    """Sum of CINC per dispute and side (columns True = side A, False = side B)."""
    lookup = rows.drop(columns="start_year").rename(columns={"reference_year": "start_year"})
    with_cinc = member_capabilities(lookup, capabilities)
    sums = with_cinc.groupby(["dispute_id", "on_side_a"])["cinc"].sum().unstack(fill_value=0.0)
    return sums.reindex(index=ids, columns=[True, False], fill_value=0.0).fillna(0.0)


def _allied_capability(allies_cinc: np.ndarray, opponent_cinc: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.log1p(allies_cinc / opponent_cinc)
    value = np.where(opponent_cinc > 0.0, value, 0.0)
    return np.minimum(value, CAPABILITY_RATIO_BOUND)


def _add_covariates(
    frame: pd.DataFrame,
    originators: pd.DataFrame,
    capabilities: pd.DataFrame,
    alliances: pd.DataFrame,
) -> pd.DataFrame:
    ids = frame["dispute_id"]
    lookup = originators.drop(columns="start_year").rename(columns={"reference_year": "start_year"})
    ratio = capability_ratio(lookup, capabilities).reindex(ids)
    own = _side_cinc(originators, capabilities, ids)
    allies = _third_state_allies(originators, alliances)
    allied = _side_cinc(allies, capabilities, ids)
    has_allies = allies.groupby(["dispute_id", "on_side_a"]).size().unstack(fill_value=0)
    has_allies = has_allies.reindex(index=ids, columns=[True, False], fill_value=0) > 0
    major = originators.assign(
        major=is_major_power(originators["ccode"], originators["start_year"])
    )
    major_any = major.groupby("dispute_id")["major"].any().reindex(ids, fill_value=False)
    covariates = {
        "challenger_side_size": np.log(frame["num_challenger_originators"].to_numpy()),
        "defender_side_size": np.log(frame["num_defender_originators"].to_numpy()),
        "capability_ratio": ratio["capability_ratio"].fillna(0.0).to_numpy(),
        "defender_defence_pact": has_allies[False].to_numpy(),
        "defender_allied_capability": _allied_capability(
            allied[False].to_numpy(), own[True].to_numpy()
        ),
        "challenger_defence_pact": has_allies[True].to_numpy(),
        "challenger_allied_capability": _allied_capability(
            allied[True].to_numpy(), own[False].to_numpy()
        ),
        "major_power": major_any.to_numpy(),
        "crisis_management": np.zeros(len(frame)),
    }
    era = era_of_year(frame["start_year"].to_numpy())
    for index, name in enumerate(ERA_NAMES[:-1]):
        covariates[f"era_{name}"] = era == index
    for name in COVARIATE_NAMES:
        frame[name] = np.asarray(covariates[name], dtype=np.float64)
    frame["capability_missing"] = ratio["capability_missing"].fillna(True).to_numpy(dtype=bool)
    return frame


def era_of_year(years: np.ndarray) -> np.ndarray:
    """Index into ``ERA_NAMES`` of each year (years before 1816 fall in the first era)."""
    return np.maximum(np.searchsorted(ERA_FIRST_YEARS, np.asarray(years), side="right") - 1, 0)


def with_era(covariates: np.ndarray, era: str, covariate_names) -> np.ndarray:
    """A float32 copy of ``covariates`` (rows, len(covariate_names)) with every row's era
    indicators (the columns ``era_<name>`` of ``covariate_names``) set to ``era``: how a
    backtest forecasts an era its training data lack."""
    if era not in ERA_NAMES:
        raise ValueError(f"with_era: got era {era!r}; allowed: {list(ERA_NAMES)}")
    covariates = np.array(covariates, np.float32, copy=True)
    for name in ERA_NAMES[:-1]:
        covariates[:, list(covariate_names).index(f"era_{name}")] = float(name == era)
    return covariates


def dispute_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return the arrays the JAX likelihood takes from a ``load_disputes`` frame.

    ``covariates`` float32 (n, 12) in ``COVARIATE_NAMES`` order; ``peak_level``,
    ``duration_months`` and ``start_year`` int32 (n,).
    """
    required = (*COVARIATE_NAMES, "peak_level", "duration_months", "start_year")
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise DataError(
            f"dispute frame: missing column {missing[0]!r}; build it with load_disputes()"
        )
    return {
        "covariates": frame[list(COVARIATE_NAMES)].to_numpy(dtype=np.float32),
        "peak_level": frame["peak_level"].to_numpy(dtype=np.int32),
        "duration_months": frame["duration_months"].to_numpy(dtype=np.int32),
        "start_year": frame["start_year"].to_numpy(dtype=np.int32),
    }


def data_provenance(data_dir: str | Path | None = None) -> dict:
    """Return the files behind ``load_disputes`` with their SHA-256 and citations
    (:func:`riskengine.data.paths.files_provenance`)."""
    files = [(path, key) for path, _, key in DISPUTE_FILES.values()]
    return files_provenance(data_dir, files, ["COW State System Membership 2016"])
