"""TIES v4.1 codings: which cases, their dates, outcome, costs, sanction types, senders.

Small vectorised functions from TIES columns to the sanctions model's codes; the choices
they make are listed in :mod:`riskengine.models.sanctions.data`. TIES codes are those of
the TIES v4 codebook (Morgan, Bapat & Kobayashi 2014); the groupings are in
:mod:`riskengine.models.sanctions.coding`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from riskengine.errors import DataError
from riskengine.models.sanctions.coding import (
    ERA_FIRST_YEARS,
    ISSUE_GROUP_OF_CODE,
    ISSUE_NAMES,
    MAX_SENDERS,
    OUTCOME_NAMES,
)
from riskengine.models.sanctions.predictors import FIRST_INSTITUTION_CODE

__all__ = [
    "ACQUIESCENCE_CODES",
    "MID_YEAR_MONTH",
    "SANCTION_TYPE_CODES",
    "SENDER_COLUMNS",
    "SETTLEMENT_CODES",
    "TIES_ENCODING",
    "TIES_FILE",
    "TOTAL_EMBARGO_CODES",
    "TRADE_RESTRICTION_CODES",
    "check_ties_codes",
    "cost_index",
    "durations",
    "end_dates",
    "era_of_year",
    "imposition_dates",
    "issue_index",
    "listed_senders",
    "months_between",
    "outcome_index",
    "sanction_type_flags",
    "select_cases",
    "sender_count",
]

SENDER_COLUMNS = tuple(f"sender{number}" for number in range(1, MAX_SENDERS + 1))
TIES_FILE: tuple[str, tuple[str, ...], tuple[str, ...]] = (
    "sanctions/ties_v4_1.csv",
    (
        "caseid", "startyear", "startmonth", "endyear", "endmonth", "ongoingasofyear",
        "ongoingasofmonth", *SENDER_COLUMNS, "primarysender", "targetstate", "institution",
        "issue1", "imposition", "sancimpositionstartyear", "sancimpositionstartmonth",
        "sanctiontype", "targetcosts", "sendercosts", "finaloutcome",
    ),
    ("TIES 4.1",),
)  # fmt: skip
"""(path relative to the data folder, columns read, citation keys) of TIES v4.1."""
TIES_ENCODING = "latin-1"

ACQUIESCENCE_CODES = (6, 7)
SETTLEMENT_CODES = (10,)
TOTAL_EMBARGO_CODES = frozenset({1, 5})
TRADE_RESTRICTION_CODES = frozenset({2, 3, 4, 9})
SANCTION_TYPE_CODES = frozenset(range(1, 11))
MID_YEAR_MONTH = 7

_YEAR_PATTERN = re.compile(r"^\s*(\d{4})")


def select_cases(ties: pd.DataFrame) -> pd.DataFrame:
    """The rows with ``imposition == 1`` and a ``finaloutcome``, in file order."""
    imposed = pd.to_numeric(ties["imposition"], errors="coerce") == 1
    known = pd.to_numeric(ties["finaloutcome"], errors="coerce").notna()
    return ties[imposed & known].reset_index(drop=True)


def check_ties_codes(cases: pd.DataFrame) -> None:
    """DataError naming the column, the value and the caseid of a code the loader cannot map."""
    checks = {
        "startyear": (range(1800, 2100), False),
        "finaloutcome": (range(1, 11), False),
        "targetcosts": ((1, 2, 3), True),
        "sendercosts": ((1, 2, 3), True),
        "issue1": (tuple(ISSUE_GROUP_OF_CODE), False),
        "institution": ((0, 1), True),
        "targetstate": (range(1, 10 * FIRST_INSTITUTION_CODE), False),
        "sancimpositionstartmonth": (range(1, 13), True),
        "startmonth": (range(1, 13), True),
        "endmonth": (range(1, 13), True),
        "ongoingasofmonth": (range(1, 13), True),
    }
    for column, (allowed, may_be_missing) in checks.items():
        values = pd.to_numeric(cases[column], errors="coerce")
        bad = ~values.isin(list(allowed)) & ~(values.isna() & may_be_missing)
        if bad.any():
            raise DataError(
                f"ties_v4_1.csv: column {column!r}: got {_plain(cases.loc[bad, column].iloc[0])} "
                f"for caseid {cases.loc[bad, 'caseid'].iloc[0]} ({int(bad.sum())} case(s)); "
                f"allowed: {_describe(allowed)}" + (" or empty" if may_be_missing else "")
            )


def _plain(value) -> str:
    """A cell as the user would write it: 12.0 -> "12", "x" -> "'x'"."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    if pd.notna(number) and float(number).is_integer():
        return str(int(number))
    return repr(str(value))


def _describe(allowed) -> str:
    values = list(allowed)
    if len(values) > 6 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}..{values[-1]}"
    return ", ".join(str(value) for value in values)


def imposition_dates(cases: pd.DataFrame) -> pd.DataFrame:
    """Year and month of imposition from ``sancimpositionstart{year,month}``.

    The year is the first four digits of the field (three TIES entries carry a note
    after the year); when it has none, the case's start year (``startyear``). A missing
    month is the case's start month (``startmonth``) when the case started in the
    imposition year, else ``MID_YEAR_MONTH`` (7). Returns columns year, month (int64),
    year_source ("recorded", "text", "case_start") and month_source ("recorded",
    "case_start", "mid_year").
    """
    text = cases["sancimpositionstartyear"].astype("string").fillna("").str.strip()
    year = pd.to_numeric(text.str.extract(_YEAR_PATTERN, expand=False), errors="coerce")
    start_year = pd.to_numeric(cases["startyear"], errors="coerce")
    start_month = pd.to_numeric(cases["startmonth"], errors="coerce")
    year_source = np.select(
        [year.isna().to_numpy(), ~text.str.fullmatch(r"\d{4}(\.0)?").to_numpy(dtype=bool)],
        ["case_start", "text"],
        default="recorded",
    )
    year = year.fillna(start_year)
    month = pd.to_numeric(cases["sancimpositionstartmonth"], errors="coerce")
    month = month.where(year_source != "case_start")
    from_start = month.isna() & (year == start_year) & start_month.notna()
    month = month.fillna(start_month.where(year == start_year))
    month_source = np.select(
        [from_start.to_numpy(), month.isna().to_numpy()], ["case_start", "mid_year"], "recorded"
    )
    return pd.DataFrame(
        {
            "year": year.to_numpy(dtype=np.int64),
            "month": month.fillna(MID_YEAR_MONTH).to_numpy(dtype=np.int64),
            "year_source": year_source,
            "month_source": month_source,
        }
    )


def end_dates(cases: pd.DataFrame) -> pd.DataFrame:
    """Year and month of the end: ``endyear``/``endmonth``, else the ongoing-as-of date.

    A missing month (with a known year) is ``MID_YEAR_MONTH``. With neither date, year
    and month are -1 (the duration then comes from the outcome's median, see
    :func:`durations`). Returns columns year, month (int64), source ("recorded",
    "ongoing_as_of", "none") and month_mid_year (bool).
    """
    recorded_year = pd.to_numeric(cases["endyear"], errors="coerce")
    ongoing_year = pd.to_numeric(cases["ongoingasofyear"], errors="coerce")
    ongoing = recorded_year.isna() & ongoing_year.notna()
    year = recorded_year.fillna(ongoing_year)
    month = pd.to_numeric(cases["endmonth"], errors="coerce").where(~ongoing)
    month = month.fillna(pd.to_numeric(cases["ongoingasofmonth"], errors="coerce").where(ongoing))
    none = year.isna()
    mid_year = month.isna() & ~none
    month = month.fillna(MID_YEAR_MONTH).where(~none, -1)
    return pd.DataFrame(
        {
            "year": year.fillna(-1).to_numpy(dtype=np.int64),
            "month": month.to_numpy(dtype=np.int64),
            "source": np.select([none, ongoing], ["none", "ongoing_as_of"], "recorded"),
            "month_mid_year": mid_year.to_numpy(dtype=bool),
        }
    )


def months_between(start_year, start_month, end_year, end_month) -> np.ndarray:
    """Calendar months from start to end (days ignored), at least 1, as int64.

    ``12 * (end_year - start_year) + end_month - start_month``, then ``max(1, .)``:
    Jan -> Jan 1; Jan -> Feb 1; Jan -> Mar 2; an end before the start gives 1.
    """
    months = 12 * (np.asarray(end_year) - np.asarray(start_year))
    months = months + np.asarray(end_month) - np.asarray(start_month)
    return np.maximum(1, months).astype(np.int64)


def durations(
    imposed: pd.DataFrame, end: pd.DataFrame, outcome: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Duration in months (int64, >= 1) and its source, from imposition to the end.

    ``source``: "dates" (:func:`months_between`), "same_month" (the end is in the
    imposition month: 1), "end_before_imposition" (a dating inconsistency: 1) or
    "outcome_median" (no end date: the median duration of the dated cases with the same
    outcome, rounded up; of all dated cases when none has that outcome).
    """
    has_end = end["year"].to_numpy() >= 0
    raw = 12 * (end["year"].to_numpy() - imposed["year"].to_numpy())
    raw = raw + end["month"].to_numpy() - imposed["month"].to_numpy()
    duration = np.maximum(1, raw).astype(np.int64)
    source = np.select([raw < 0, raw == 0], ["end_before_imposition", "same_month"], "dates")
    source = np.where(has_end, source, "outcome_median")
    for level in np.unique(outcome[~has_end]):
        same = has_end & (outcome == level)
        pool = duration[same] if same.any() else duration[has_end]
        fill = int(np.ceil(np.median(pool))) if len(pool) else 1
        duration[~has_end & (outcome == level)] = fill
    return duration, source


def outcome_index(finaloutcome) -> np.ndarray:
    """Index into ``OUTCOME_NAMES``: 6, 7 -> acquiescence; 10 -> settlement; else failure."""
    codes = pd.to_numeric(pd.Series(finaloutcome), errors="coerce").to_numpy()
    return np.select(
        [np.isin(codes, ACQUIESCENCE_CODES), np.isin(codes, SETTLEMENT_CODES)],
        [OUTCOME_NAMES.index("acquiescence"), OUTCOME_NAMES.index("negotiated_settlement")],
        default=OUTCOME_NAMES.index("failure"),
    ).astype(np.int64)


def cost_index(costs) -> np.ndarray:
    """Index into ``COST_NAMES`` of TIES cost codes 1, 2, 3; -1 where missing."""
    codes = pd.to_numeric(pd.Series(costs), errors="coerce")
    return (codes - 1).fillna(-1).to_numpy(dtype=np.int64)


def sanction_type_flags(sanctiontype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(total_embargo, trade_restriction, missing) from ``sanctiontype`` codes.

    A cell may list several codes separated by spaces ("2 7"). ``total_embargo`` when
    any code is in ``TOTAL_EMBARGO_CODES`` (1, 5); ``trade_restriction`` when any is in
    ``TRADE_RESTRICTION_CODES`` (2, 3, 4, 9) and none is total (total wins). A missing
    cell gives neither (the targeted-measures reference) and is flagged in ``missing``.
    """
    cells = pd.Series(sanctiontype, dtype="string").str.strip().fillna("")
    tokens = cells.str.split()
    flat = tokens.explode().dropna()
    bad = ~flat.isin([str(code) for code in SANCTION_TYPE_CODES])
    if bad.any():
        raise DataError(
            f"sanctiontype: got {cells.loc[bad[bad].index[0]]!r}; allowed: codes 1..10 "
            "separated by spaces (TIES codebook), or empty"
        )
    codes = flat.astype(np.int64)
    total = codes.isin(TOTAL_EMBARGO_CODES).groupby(level=0).any()
    restriction = codes.isin(TRADE_RESTRICTION_CODES).groupby(level=0).any()
    total = total.reindex(cells.index, fill_value=False).to_numpy(dtype=bool)
    restriction = restriction.reindex(cells.index, fill_value=False).to_numpy(dtype=bool)
    return total, restriction & ~total, (cells == "").to_numpy(dtype=bool)


def listed_senders(cases: pd.DataFrame) -> pd.DataFrame:
    """One row per (caseid, sender): the distinct codes among ``sender1``..``sender5``.

    A case that lists none falls back on its ``primarysender`` when there is one (an
    institution-only case without a primary sender has no row).
    """
    long = cases.melt(id_vars="caseid", value_vars=list(SENDER_COLUMNS), value_name="sender")
    long["sender"] = pd.to_numeric(long["sender"], errors="coerce")
    long = long.dropna(subset=["sender"])
    primary = cases[~cases["caseid"].isin(long["caseid"])]
    primary = primary.assign(sender=pd.to_numeric(primary["primarysender"], errors="coerce"))
    senders = pd.concat([long[["caseid", "sender"]], primary[["caseid", "sender"]].dropna()])
    senders = senders.astype({"sender": np.int64}).drop_duplicates()
    return senders.reset_index(drop=True)


def sender_count(num_senders) -> np.ndarray:
    """``log(number of senders)``, the number clipped to 1..``MAX_SENDERS``."""
    return np.log(np.clip(np.asarray(num_senders, dtype=np.float64), 1, MAX_SENDERS))


def issue_index(issue1) -> np.ndarray:
    """Index into ``ISSUE_NAMES`` of each TIES ``issue1`` code (``ISSUE_GROUP_OF_CODE``)."""
    codes = pd.to_numeric(pd.Series(issue1), errors="coerce").to_numpy(dtype=np.int64)
    names = [ISSUE_GROUP_OF_CODE[int(code)] for code in codes]
    return np.array([ISSUE_NAMES.index(name) for name in names], dtype=np.int64)


def era_of_year(years) -> np.ndarray:
    """Index into ``ERA_NAMES`` of each year (years before 1945 fall in the first era)."""
    position = np.searchsorted(ERA_FIRST_YEARS, np.asarray(years), side="right") - 1
    return np.maximum(position, 0).astype(np.int64)
