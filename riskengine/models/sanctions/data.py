"""TIES sanctions cases with their outcome and the predictors known at imposition.

Sources (under the shared data folder, see :mod:`riskengine.data.paths`):
``sanctions/ties_v4_1.csv`` (TIES v4.1, 1,412 cases 1945-2005, read as latin-1), and for
the predictors ``trade/cow_trade_ndy.csv.gz`` (COW Trade 4.0),
``conflict/atop_alliance_dyad_years.csv.gz`` (ATOP 5.1) and
``conflict/ccode_democracy.csv`` (V-Dem, Polity); how those are read is in
:mod:`riskengine.models.sanctions.predictors`, the TIES codings in
:mod:`riskengine.models.sanctions.ties`, the vocabulary in
:mod:`riskengine.models.sanctions.coding`.

Choices, all made here and in those two modules (counts are for TIES v4.1; the case
ids behind each are in ``frame.attrs["fallback_caseids"]``):

* Cases: ``imposition == 1`` and ``finaloutcome`` not missing: 540 of 1,412.
* Imposition date: ``sancimpositionstartyear`` / ``...month``. The year is the first
  four digits of the field, 3 entries carrying a note after the year; 4 cases without
  one take the case start date (``startyear`` / ``startmonth``). A missing month is the
  case's start month when the case started in the imposition year (5 cases, the 4
  above among them), else 7, mid-year (5 cases).
* End date: ``endyear`` / ``endmonth``; a missing end month is 7 (12 cases). Without an
  end year, the ongoing-as-of date (``ongoingasof*``, 19 cases; the coders' last
  observation, so these durations are lower bounds). ``end_year`` / ``end_month`` are
  -1 for the 32 cases with neither (27 of them stalemates, code 9; see below).
* ``duration_months`` = calendar months from imposition to the end, days ignored
  (TIES days are often missing or "?"; the error is under one month):
  ``max(1, 12 * (end_year - imposed_year) + end_month - imposed_month)``. 21 cases end
  in their imposition month (duration 1); 2 end dates fall before the imposition
  (1963049901, whose imposition month is the mid-year fallback, and 1978071801; both
  duration 1). The 32 cases without any end date take the median duration of the dated
  cases with the same outcome, rounded up (failure 24, settlement 22, acquiescence 13
  months).
* ``outcome`` = index into ``OUTCOME_NAMES``: ``finaloutcome`` 6, 7 -> acquiescence,
  10 -> negotiated_settlement, every other code -> failure. ``success_broad`` =
  6/7/10, ``success_strict`` = 6/7.
* ``target_cost``, ``sender_cost`` = TIES's actual ``targetcosts`` / ``sendercosts``
  (1 minor, 2 major, 3 severe) as an index into ``COST_NAMES``, -1 when missing (33 and
  32 cases). They are outcomes of the episode and never predictors.
* Senders: the distinct codes among ``sender1``..``sender5``. 2 cases list none but
  have a ``primarysender`` (the USA: 1953070901, 1960091501), which is used; 14
  institution-only cases list no sender at all. Codes of 1000 and above are institutions (TIES uses 1000 for the
  EC/EU, 19 cases); the others are COW state codes ("state senders").
* ``sender_count`` = log(number of listed senders, clipped to 1..``MAX_SENDERS``): an
  institution code counts as one sender; the 14 cases with no listed sender count 1.
* ``institutional_sender`` = ``institution == 1``; missing (3 cases) -> 0.
* ``multilateral`` = two or more listed senders, or an institutional sender: 167 cases
  (success 73.1% broad, 51.5% strict) against 373 unilateral (49.1% / 24.1%), the data
  README's figures.
* ``trade_dependence`` = the target's trade (imports + exports, COW ``flow1 + flow2``)
  with its state senders / its trade with all states, in the year before imposition.
  Institutions have no trade and their members are not listed, so only the listed
  state senders count (an EU sanction with the USA counts US trade only). Unknown
  dyads (both flows missing) are not zeros: a year is used when the target's total is
  positive and at least one sender's dyad is known, other senders' unknown dyads then
  counting 0 (30 cases); when the year before fails, the nearest earlier year within
  5 (7 cases); else the median of the measured cases (0.115): 28 cases with state
  senders and a state target, 23 with no state sender, and the 20 whose target is the
  EC/EU (``targetstate`` 1000).
* ``defence_pact`` = 1 when an ATOP defence pledge links any state sender and the target
  in the year before imposition (either direction); 0 for cases without a state sender
  or with an institutional target.
* ``target_democracy`` = V-Dem ``v2x_polyarchy`` of the target in the year before
  imposition; else Polity's ``polity2`` rescaled to ``(polity2 + 10) / 20`` (10 cases);
  else the median of the measured cases (0.505; 11 state targets and the 20 EC/EU ones).
* ``total_embargo``, ``trade_restriction`` from ``sanctiontype`` (several codes
  separated by spaces): total for 1 or 5; restriction for 2, 3, 4 or 9 unless total;
  a missing ``sanctiontype`` (9 cases) is neither (the targeted-measures reference).
* ``issue`` = ``ISSUE_GROUP_OF_CODE[issue1]`` as an index into ``ISSUE_NAMES``;
  ``era`` = index into ``ERA_NAMES`` of the imposition year (``ERA_FIRST_YEARS``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.data import paths
from riskengine.data.paths import DATA_CITATIONS
from riskengine.errors import DataError
from riskengine.models.sanctions.coding import COVARIATE_NAMES, OUTCOME_NAMES
from riskengine.models.sanctions.predictors import (
    FIRST_INSTITUTION_CODE,
    PREDICTOR_CITATIONS,
    PREDICTOR_FILES,
    case_defence_pact,
    case_democracy,
    case_trade_dependence,
    provenance_of,
    read_source,
    source_tables,
)
from riskengine.models.sanctions.ties import (
    TIES_ENCODING,
    TIES_FILE,
    check_ties_codes,
    cost_index,
    durations,
    end_dates,
    era_of_year,
    imposition_dates,
    issue_index,
    listed_senders,
    outcome_index,
    sanction_type_flags,
    select_cases,
    sender_count,
)

__all__ = ["CASE_COLUMNS", "case_arrays", "data_provenance", "load_cases"]

CASE_COLUMNS: tuple[str, ...] = (
    "caseid",
    "imposed_year",
    "imposed_month",
    "end_year",
    "end_month",
    "duration_months",
    "outcome",
    "success_broad",
    "success_strict",
    "target_cost",
    "sender_cost",
    *COVARIATE_NAMES,
    "issue",
    "era",
    "multilateral",
)
"""Columns of :func:`load_cases` and :func:`load_case_table`, in this order."""


def load_cases(data_dir: str | Path | None = None) -> pd.DataFrame:
    """TIES cases imposed (``imposition == 1``) with a known ``finaloutcome``: one row each.

    Columns ``CASE_COLUMNS`` (see the module docstring for every choice); the counts of
    each fallback are in ``frame.attrs["fallbacks"]`` and the case ids behind them in
    ``frame.attrs["fallback_caseids"]``.
    """
    folder = paths.data_dir(data_dir)
    relative_path, columns, _ = TIES_FILE
    ties = read_source(folder, relative_path, columns, encoding=TIES_ENCODING)
    cases = select_cases(ties)
    check_ties_codes(cases)
    frame, fallbacks = _case_columns(cases)
    predictors, predictor_fallbacks, medians = _case_predictors(cases, frame, source_tables(folder))
    for name in COVARIATE_NAMES:
        frame[name] = predictors[name]
    frame = frame[list(CASE_COLUMNS)]
    fallbacks.update(predictor_fallbacks)
    frame.attrs["fallbacks"] = {name: len(ids) for name, ids in fallbacks.items()}
    frame.attrs["fallback_caseids"] = {name: list(ids) for name, ids in fallbacks.items()}
    frame.attrs["fill_medians"] = medians
    return frame


def _case_columns(cases: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list]]:
    """Dates, duration, outcome, costs, issue, era and the TIES-only covariates."""
    caseid = cases["caseid"].to_numpy(dtype=np.int64)
    imposed, end = imposition_dates(cases), end_dates(cases)
    outcome = outcome_index(cases["finaloutcome"])
    duration, duration_source = durations(imposed, end, outcome)
    senders = listed_senders(cases)
    num_senders = senders.groupby("caseid").size().reindex(caseid, fill_value=0).to_numpy()
    institution = pd.to_numeric(cases["institution"], errors="coerce")
    institutional = (institution == 1).to_numpy()
    total, restriction, type_missing = sanction_type_flags(cases["sanctiontype"])
    frame = pd.DataFrame(
        {
            "caseid": caseid,
            "imposed_year": imposed["year"].to_numpy(),
            "imposed_month": imposed["month"].to_numpy(),
            "end_year": end["year"].to_numpy(),
            "end_month": end["month"].to_numpy(),
            "duration_months": duration,
            "outcome": outcome,
            "success_broad": outcome >= OUTCOME_NAMES.index("negotiated_settlement"),
            "success_strict": outcome == OUTCOME_NAMES.index("acquiescence"),
            "target_cost": cost_index(cases["targetcosts"]),
            "sender_cost": cost_index(cases["sendercosts"]),
            "sender_count": sender_count(num_senders),
            "institutional_sender": institutional.astype(np.float64),
            "total_embargo": total.astype(np.float64),
            "trade_restriction": restriction.astype(np.float64),
            "issue": issue_index(cases["issue1"]),
            "era": era_of_year(imposed["year"]),
            "multilateral": (num_senders >= 2) | institutional,
        }
    )
    sources = {
        "imposed_year_from_text": imposed["year_source"] == "text",
        "imposed_year_from_case_start": imposed["year_source"] == "case_start",
        "imposed_month_from_case_start": imposed["month_source"] == "case_start",
        "imposed_month_mid_year": imposed["month_source"] == "mid_year",
        "end_month_mid_year": end["month_mid_year"],
        "end_from_ongoing_as_of": end["source"] == "ongoing_as_of",
        "end_missing_outcome_median_duration": duration_source == "outcome_median",
        "end_in_imposition_month_duration_1": duration_source == "same_month",
        "end_before_imposition_duration_1": duration_source == "end_before_imposition",
        "no_listed_sender_count_1": num_senders == 0,
        "institution_missing_as_0": institution.isna().to_numpy(),
        "sanctiontype_missing_as_targeted": type_missing,
    }
    return frame, {name: caseid[mask].tolist() for name, mask in sources.items()}


def _case_predictors(cases: pd.DataFrame, frame: pd.DataFrame, tables) -> tuple[dict, dict, dict]:
    """Trade dependence, defence pact and democracy in the year before imposition.

    Returns the covariate values, the case ids of each fallback and the medians used.
    """
    keys = pd.DataFrame(
        {
            "caseid": frame["caseid"].to_numpy(),
            "target": pd.to_numeric(cases["targetstate"]).to_numpy(dtype=np.int64),
            "year": frame["imposed_year"].to_numpy() - 1,
        }
    )
    senders = listed_senders(cases)
    states = senders[senders["sender"] < FIRST_INSTITUTION_CODE]
    trade = case_trade_dependence(keys, states, tables.trade)
    dependence, trade_median = _median_filled(trade["trade_dependence"].to_numpy())
    democracy, democracy_source = case_democracy(tables.democracy, keys)
    democracy, democracy_median = _median_filled(democracy)
    values = {name: frame[name].to_numpy() for name in COVARIATE_NAMES if name in frame}
    values["trade_dependence"] = dependence
    values["defence_pact"] = case_defence_pact(tables.pledges, keys, states)
    values["target_democracy"] = democracy
    caseid, trade_source = keys["caseid"].to_numpy(), trade["trade_source"].to_numpy()
    state_target = keys["target"].to_numpy() < FIRST_INSTITUTION_CODE
    masks = {
        "trade_earlier_year": trade_source == "earlier_year",
        "trade_some_sender_dyads_unknown_as_0": trade["num_unknown_senders"].to_numpy() > 0,
        "trade_missing_median": (trade_source == "missing") & state_target,
        "no_state_sender_trade_median_pact_0": (trade_source == "no_state_sender") & state_target,
        "institution_target_trade_democracy_median_pact_0": ~state_target,
        "democracy_from_polity": democracy_source == "polity2",
        "democracy_missing_median": (democracy_source == "missing") & state_target,
    }
    fallbacks = {name: caseid[mask].tolist() for name, mask in masks.items()}
    medians = {"trade_dependence": trade_median, "target_democracy": democracy_median}
    return values, fallbacks, medians


def _median_filled(values: np.ndarray) -> tuple[np.ndarray, float]:
    known = np.isfinite(values)
    median = float(np.median(values[known])) if known.any() else 0.0
    return np.where(known, values, median), median


def case_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The model's data interface from a :func:`load_cases` / :func:`load_case_table` frame.

    ``covariates`` float32 (n, 7) in ``COVARIATE_NAMES`` order; ``issue``, ``era``,
    ``duration_months``, ``outcome``, ``target_cost``, ``sender_cost`` (-1 missing) and
    ``imposed_year`` int32 (n,); ``multilateral`` bool (n,).
    """
    integers = ("issue", "era", "duration_months", "outcome", "target_cost", "sender_cost")
    required = (*COVARIATE_NAMES, *integers, "multilateral", "imposed_year")
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise DataError(
            f"sanctions case frame: missing column {missing[0]!r}; build it with "
            "load_cases() or load_case_table()"
        )
    empty = [column for column in required if frame[column].isna().any()]
    if empty:
        raise DataError(
            f"sanctions case frame: column {empty[0]!r} has "
            f"{int(frame[empty[0]].isna().sum())} missing value(s); every case needs one"
        )
    arrays = {"covariates": frame[list(COVARIATE_NAMES)].to_numpy(dtype=np.float32)}
    for column in (*integers, "imposed_year"):
        arrays[column] = frame[column].to_numpy(dtype=np.int32)
    arrays["multilateral"] = frame["multilateral"].to_numpy(dtype=bool)
    return arrays


def data_provenance(data_dir: str | Path | None = None) -> dict:
    """Files behind :func:`load_cases` with their SHA-256, and the citations.

    ``{"files": {relative path: {"sha256", "citations"}}, "citations": {key: text}}``.
    """
    citations = {"TIES 4.1": DATA_CITATIONS["TIES 4.1"], **PREDICTOR_CITATIONS}
    return provenance_of([TIES_FILE, *PREDICTOR_FILES.values()], data_dir, citations)
