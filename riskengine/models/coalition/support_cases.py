"""Which TIES cases, which candidate supporters, and whether each joined.

Used by :mod:`riskengine.models.coalition.support_data`, which adds the predictors.
Counts are for TIES v4.1 and COW NMC 7.0; each is also in the candidate frame's
``attrs`` (key in brackets).

Cases. Of the 1,412 TIES cases (threatened or imposed, 1945-2005) [num_ties_cases]:
the primary sender (``primarysender``) must be a state: 166 cases have none (mostly
institution-led: EC, Arab League, UN measures with five members listed)
[num_excluded_no_primary] and 20 name the EC/EU (1000) [num_excluded_institution_primary];
the target must be a state (44 are the EC/EU) [num_excluded_institution_target]; the
case must start in 1949 or later, because COW Trade 4.0 has no dyad rows for 1939-1947,
so the year before a 1947-1948 case has no trade at all [num_excluded_trade_gap]; both
must be COW system members in the start year [num_excluded_outside_system]; and the
primary must be among the listed senders (``sender1``..``sender5``), or be an EC/EU
member in a case that lists the EC/EU [num_excluded_primary_not_listed: TIES
inconsistencies such as Germany (255) as primary and West Germany (260) as the only
sender]. That leaves the *eligible* cases [num_eligible_cases].

Selection (``selection``): ``"multi_sender"`` (the issue's filter, the shipped fit)
keeps the eligible cases with at least one candidate listed as a sender: two or more
listed senders, one of them a state in the system other than the primary [num_cases;
num_multi_listed_without_state_joiner cases list two or more senders but no such
state, e.g. the USA with the EC/EU only]. Because that selects on the outcome (at least
one joiner), the likelihood divides by the probability of at least one joiner
(:mod:`riskengine.models.coalition.support`). ``"all"`` keeps every eligible case,
unilateral ones too (the robustness variant, fitted on a case-control sample).

Candidates of a case: every state with a ``cow_nmc.csv`` row in the start year except
the primary and the target. In the 8 eligible cases that list the EC/EU (code 1000) as
a sender, the EC/EU members at the end of the start year (the shipped EU table) are not
candidates: they acted through the Community, and TIES does not say which of them
would have joined on their own [num_rows_european_community_dropped]. Outcome ``joined``
= 1 when the candidate is among the listed senders. Listed state senders outside the
system that year are not candidates [num_joiners_outside_system].

Listing cap: TIES lists at most five senders. A case with five listed senders
(``listing_capped``) may have had more, coded here as non-joiners: the shipped fit
follows the listing (the issue's definition, ``listing="as_listed"``); the predictive
check passes its replications through the same cap, and the ``"capped_unknown"``
variant (:func:`.support_data.outcome_known`) reads the unlisted candidates of capped cases as
unknown instead.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.data.paths import integer_columns, read_table
from riskengine.errors import DataError
from riskengine.models.coalition.institutions import members
from riskengine.models.sanctions.predictors import FIRST_INSTITUTION_CODE, read_source
from riskengine.models.sanctions.ties import (
    SENDER_COLUMNS,
    TIES_ENCODING,
    TIES_FILE,
    listed_senders,
)

__all__ = [
    "FIRST_START_YEAR",
    "LISTING_CAP",
    "SELECTIONS",
    "SYSTEM_FILE",
    "candidates",
    "eligible_cases",
    "european_community_member",
    "in_system",
    "read_system",
    "read_ties",
    "select",
]

SELECTIONS = ("multi_sender", "all")
LISTING_CAP = len(SENDER_COLUMNS)
EUROPEAN_COMMUNITY_CODE = FIRST_INSTITUTION_CODE  # TIES's code of the EC/EU
FIRST_START_YEAR = 1949  # COW Trade 4.0 has no dyad rows for 1939-1947

WEST_GERMANY, GERMANY = 260, 255
"""COW codes: the EU table records Germany under 255 from 1958; West Germany (260) is
that member until unification."""

SYSTEM_FILE = "conflict/cow_nmc.csv"


def read_ties(folder: Path) -> pd.DataFrame:
    """TIES v4.1 with integer case ids, start years and targets; ``primarysender`` and
    ``institution`` numeric (NaN / 0 where missing)."""
    relative_path, columns, _ = TIES_FILE
    ties = read_source(folder, relative_path, columns, encoding=TIES_ENCODING)
    ties = integer_columns(ties, ("caseid", "startyear", "targetstate"), "ties_v4_1.csv")
    ties["primarysender"] = pd.to_numeric(ties["primarysender"], errors="coerce")
    ties["institution"] = pd.to_numeric(ties["institution"], errors="coerce").fillna(0)
    return ties


def read_system(folder: Path) -> pd.DataFrame:
    """COW NMC 7.0: ccode, year (the state system) and cinc."""
    relative_path = SYSTEM_FILE
    table = read_table(folder, relative_path, ("ccode", "year", "cinc"))
    return integer_columns(table, ("ccode", "year"), Path(relative_path).name)


def european_community_member(ccodes, years) -> np.ndarray:
    """Is state ``ccodes[i]`` an EC/EU member at the end of ``years[i]``? Read from the
    shipped EU table (:func:`.institutions.members`), so a state counts in its accession
    year and after; West Germany (260) counts as the table's Germany (255)."""
    codes, years = np.asarray(ccodes), np.asarray(years)
    codes = np.where(codes == WEST_GERMANY, GERMANY, codes)
    member = np.zeros(codes.shape, dtype=bool)
    for year in np.unique(years):
        current = members("eu", datetime.date(int(year), 12, 31))
        member[years == year] = np.isin(codes[years == year], current)
    return member


def in_system(system: pd.DataFrame, ccodes, years) -> np.ndarray:
    """Is state ``ccodes[i]`` in the system (a row of ``system``) in ``years[i]``?"""
    present = pd.MultiIndex.from_frame(system[["ccode", "year"]])
    return pd.MultiIndex.from_arrays([np.asarray(ccodes), np.asarray(years)]).isin(present)


def eligible_cases(ties: pd.DataFrame, system: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The cases with a state primary sender and a state target (module docstring), one
    row each: caseid, start_year, primary, target, institution, imposition,
    num_listed_senders, listing_capped, community_listed; and the exclusion counts."""
    senders = listed_senders(ties)
    counts = {"num_ties_cases": len(ties)}
    primary, target = ties["primarysender"], ties["targetstate"]
    steps = {
        "num_excluded_no_primary": primary.isna(),
        "num_excluded_institution_primary": primary >= FIRST_INSTITUTION_CODE,
        "num_excluded_institution_target": target >= FIRST_INSTITUTION_CODE,
        "num_excluded_trade_gap": ties["startyear"] < FIRST_START_YEAR,
    }
    kept = pd.Series(True, index=ties.index)
    for name, excluded in steps.items():
        counts[name] = int((kept & excluded).sum())
        kept &= ~excluded
    cases = ties.loc[kept]
    inside = in_system(system, cases["primarysender"].astype(np.int64), cases["startyear"])
    inside &= in_system(system, cases["targetstate"], cases["startyear"])
    counts["num_excluded_outside_system"] = int((~inside).sum())
    cases = cases.loc[inside]
    frame = pd.DataFrame(
        {
            "caseid": cases["caseid"].to_numpy(),
            "start_year": cases["startyear"].to_numpy(),
            "primary": cases["primarysender"].to_numpy(dtype=np.int64),
            "target": cases["targetstate"].to_numpy(),
            "institution": cases["institution"].to_numpy(dtype=np.int64),
            "imposition": pd.to_numeric(cases["imposition"]).to_numpy(dtype=np.int64),
        }
    )
    return _check_primary_listed(frame, senders, counts)


def _check_primary_listed(frame: pd.DataFrame, senders: pd.DataFrame, counts: dict):
    listed = senders.groupby("caseid")["sender"]
    frame["num_listed_senders"] = listed.size().reindex(frame["caseid"]).fillna(0).to_numpy()
    frame["listing_capped"] = frame["num_listed_senders"] >= LISTING_CAP
    community = senders.loc[senders["sender"] == EUROPEAN_COMMUNITY_CODE, "caseid"]
    frame["community_listed"] = frame["caseid"].isin(community).to_numpy()
    pairs = pd.MultiIndex.from_frame(senders[["caseid", "sender"]])
    primary_listed = pd.MultiIndex.from_arrays([frame["caseid"], frame["primary"]]).isin(pairs)
    via_community = frame["community_listed"] & european_community_member(
        frame["primary"], frame["start_year"]
    )
    ok = primary_listed | via_community.to_numpy()
    counts["num_excluded_primary_not_listed"] = int((~ok).sum())
    counts["num_eligible_cases"] = int(ok.sum())
    return frame.loc[ok].reset_index(drop=True), counts


def candidates(cases, senders, system, counts: dict) -> pd.DataFrame:
    """(case, candidate) rows with ``joined``; see the module docstring."""
    rows = cases.merge(system.rename(columns={"year": "start_year"}), on="start_year")
    rows = rows[(rows["ccode"] != rows["primary"]) & (rows["ccode"] != rows["target"])]
    member = european_community_member(rows["ccode"], rows["start_year"])
    dropped = rows["community_listed"].to_numpy() & member
    counts["num_rows_european_community_dropped"] = int(dropped.sum())
    rows = rows.loc[~dropped]
    states = senders[senders["sender"] < FIRST_INSTITUTION_CODE]
    states = states[states["caseid"].isin(cases["caseid"])]
    joiners = pd.MultiIndex.from_arrays([states["caseid"], states["sender"]])
    rows = rows.assign(
        joined=pd.MultiIndex.from_arrays([rows["caseid"], rows["ccode"]])
        .isin(joiners)
        .astype(np.int64)
    )
    is_primary = states.merge(cases[["caseid", "primary"]], on="caseid")
    num_state_joiners = int((is_primary["sender"] != is_primary["primary"]).sum())
    counts["num_joiners_outside_system"] = num_state_joiners - int(rows["joined"].sum())
    return rows.reset_index(drop=True)


def select(rows: pd.DataFrame, cases: pd.DataFrame, selection: str, counts: dict):
    """Rows of the cases kept by ``selection`` (``SELECTIONS``)."""
    if selection not in SELECTIONS:
        raise DataError(f"selection: got {selection!r}; allowed: {', '.join(SELECTIONS)}")
    joined_cases = rows.loc[rows["joined"] == 1, "caseid"].unique()
    multi = cases["num_listed_senders"] >= 2
    counts["num_multi_listed_without_state_joiner"] = int(
        (multi & ~cases["caseid"].isin(joined_cases)).sum()
    )
    if selection == "multi_sender":
        rows = rows[rows["caseid"].isin(joined_cases)]
    counts["num_cases"] = int(rows["caseid"].nunique())
    counts["num_rows"] = len(rows)
    counts["num_joined"] = int(rows["joined"].sum())
    counts["num_capped_cases"] = int(rows.groupby("caseid")["listing_capped"].first().sum())
    return rows.sort_values(["caseid", "ccode"], kind="stable").reset_index(drop=True)
