"""Unit tests of the sanctions data layer on small synthetic tables written to tmp_path.

The synthetic world (COW codes: 2 USA, 200 UK, 365 Russia, 630 Iran, 731 North Korea;
1000 the EU as TIES codes it) has five cases with a known outcome and two that the
loader must drop; each case exercises one predictor rule or fallback.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskengine.errors import DataError
from riskengine.models.sanctions.case_table import (
    TIES_COLUMNS_MAP,
    load_case_table,
    write_case_table,
)
from riskengine.models.sanctions.coding import (
    COVARIATE_NAMES,
    ISSUE_NAMES,
    OUTCOME_NAMES,
)
from riskengine.models.sanctions.data import (
    CASE_COLUMNS,
    case_arrays,
    data_provenance,
    load_cases,
)
from riskengine.models.sanctions.predictors import source_tables
from riskengine.models.sanctions.present_day import scenario_predictors, scenario_provenance
from riskengine.models.sanctions.ties import (
    TIES_FILE,
    durations,
    end_dates,
    era_of_year,
    imposition_dates,
    issue_index,
    listed_senders,
    months_between,
    outcome_index,
    sanction_type_flags,
    sender_count,
)

USA, UK, RUSSIA, IRAN, NORTH_KOREA, EU = 2, 200, 365, 630, 731, 1000


# --- the synthetic data folder -----------------------------------------------------------


def _case(caseid, senders, target, year, month, **fields) -> dict:
    row = dict.fromkeys(TIES_FILE[1], np.nan)
    row.update(
        caseid=caseid,
        startyear=year,
        startmonth=month,
        targetstate=target,
        institution=0,
        issue1=2,
        imposition=1,
        sancimpositionstartyear=str(year),
        sancimpositionstartmonth=month,
        sanctiontype="3",
        targetcosts=1,
        sendercosts=1,
        finaloutcome=8,
        endyear=year + 1,
        endmonth=month,
    )
    for index, sender in enumerate(senders, start=1):
        row[f"sender{index}"] = sender
    row.update(fields)
    return row


CASES = [
    # 1: USA -> Iran 1990; trade 1989 observed: 20 of 100 with the USA.
    _case(1, [USA], IRAN, 1990, 3, sanctiontype="1 3", finaloutcome=7, targetcosts=2),
    # 2: USA + UK -> North Korea 1992; no trade in 1991, 1990 known for the USA only;
    #    a defence pledge recorded as (731, 200); democracy from Polity only.
    _case(2, [USA, UK], NORTH_KOREA, 1992, 1, sanctiontype="2 7", finaloutcome=10),
    # 3: the EU alone (institution) -> Russia 1993: no state sender; no democracy score.
    _case(3, [EU], RUSSIA, 1993, 5, institution=1, issue1=13, sanctiontype=np.nan),
    # 4: USA -> the EU as a target.
    _case(4, [USA], EU, 1994, 6, issue1=8, targetcosts=np.nan, sendercosts=np.nan),
    # 5: USA -> Iran 1997: no Iran trade within 5 years before 1996; no end date.
    _case(5, [USA], IRAN, 1997, 2, finaloutcome=9, endyear=np.nan, endmonth=np.nan),
    # dropped: not imposed; no final outcome.
    _case(6, [USA], IRAN, 1991, 1, imposition=0),
    _case(7, [USA], IRAN, 1991, 1, finaloutcome=np.nan),
]

TRADE = [  # ccode1 < ccode2, year, flow1 (imports of ccode1 from ccode2), flow2
    (USA, IRAN, 1989, 10.0, 10.0),
    (UK, IRAN, 1989, 15.0, 15.0),
    (RUSSIA, IRAN, 1989, 25.0, 25.0),
    (USA, NORTH_KOREA, 1990, 5.0, -9.0),  # COW's -9: one flow missing
    (UK, NORTH_KOREA, 1990, np.nan, np.nan),  # unknown dyad
    (RUSSIA, NORTH_KOREA, 1990, 40.0, 5.0),
    (USA, RUSSIA, 1992, 1.0, 1.0),
    (USA, UK, 2014, 100.0, 100.0),
    (USA, IRAN, 2014, 1.0, 2.0),
    (UK, IRAN, 2014, 3.0, 4.0),
    (RUSSIA, IRAN, 2014, 40.0, 50.0),
]

ALLIANCES = [  # ccode1, ccode2, year, atop_defense
    (NORTH_KOREA, UK, 1991, 1),  # recorded in the reverse direction only
    (IRAN, USA, 1989, 0),  # a pledge other than defence does not count
    (UK, IRAN, 2018, 1),
]

DEMOCRACY = [  # ccode, year, v2x_polyarchy, polity2
    (IRAN, 1989, 0.2, -6.0),
    (NORTH_KOREA, 1991, np.nan, -10.0),
    (IRAN, 2014, 0.25, np.nan),
    (IRAN, 2019, 0.3, np.nan),
]


def _write_world(folder: Path, cases=CASES) -> Path:
    for sub in ("sanctions", "trade", "conflict"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    pd.DataFrame(cases).to_csv(folder / "sanctions/ties_v4_1.csv", index=False)
    trade = pd.DataFrame(TRADE, columns=["ccode1", "ccode2", "year", "flow1", "flow2"])
    trade.to_csv(folder / "trade/cow_trade_ndy.csv.gz", index=False)
    alliances = pd.DataFrame(ALLIANCES, columns=["ccode1", "ccode2", "year", "atop_defense"])
    alliances.to_csv(folder / "conflict/atop_alliance_dyad_years.csv.gz", index=False)
    democracy = pd.DataFrame(DEMOCRACY, columns=["ccode", "year", "v2x_polyarchy", "polity2"])
    democracy.to_csv(folder / "conflict/ccode_democracy.csv", index=False)
    return folder


@pytest.fixture
def world(tmp_path) -> Path:
    return _write_world(tmp_path / "data")


@pytest.fixture
def cases(world) -> pd.DataFrame:
    return load_cases(world).set_index("caseid", drop=False)


# --- TIES codings --------------------------------------------------------------------------


def test_months_between_counts_calendar_months_at_least_one():
    start_year = np.array([1990, 1990, 1990, 1990, 1990])
    start_month = np.array([1, 1, 1, 12, 6])
    end_year = np.array([1990, 1990, 1990, 1991, 1990])
    end_month = np.array([1, 2, 3, 1, 2])
    assert months_between(start_year, start_month, end_year, end_month).tolist() == [1, 1, 2, 1, 1]


def test_durations_fill_undated_cases_with_the_median_of_their_outcome():
    imposed = pd.DataFrame({"year": [1990] * 6, "month": [1] * 6})
    end = pd.DataFrame({"year": [1990, 1991, 1992, 1989, -1, -1], "month": [1, 1, 2, 1, -1, -1]})
    outcome = np.array([0, 0, 0, 2, 0, 1])
    duration, source = durations(imposed, end, outcome)
    # failure: dated 1, 12, 25 -> median 12; settlement: none dated -> all dated 1, 12, 25, 1
    assert duration.tolist() == [1, 12, 25, 1, 12, 7]
    assert source.tolist() == [
        "same_month",
        "dates",
        "dates",
        "end_before_imposition",
        "outcome_median",
        "outcome_median",
    ]


def test_imposition_dates_parse_notes_and_fall_back_on_the_case_start():
    frame = pd.DataFrame(
        {
            "sancimpositionstartyear": ["1990", "1969, probably before", None, "1975", "1980"],
            "sancimpositionstartmonth": [4, 9, np.nan, np.nan, np.nan],
            "startyear": [1990, 1967, 1973, 1975, 1979],
            "startmonth": [2, 1, 10, 3, 5],
        }
    )
    dates = imposition_dates(frame)
    assert dates["year"].tolist() == [1990, 1969, 1973, 1975, 1980]
    assert dates["month"].tolist() == [4, 9, 10, 3, 7]
    assert dates["year_source"].tolist() == [
        "recorded",
        "text",
        "case_start",
        "recorded",
        "recorded",
    ]
    assert dates["month_source"].tolist() == [
        "recorded",
        "recorded",
        "case_start",
        "case_start",
        "mid_year",
    ]


def test_end_dates_use_the_ongoing_date_then_minus_one():
    frame = pd.DataFrame(
        {
            "endyear": [1991, 1992, np.nan, np.nan],
            "endmonth": [5, np.nan, np.nan, np.nan],
            "ongoingasofyear": [np.nan, np.nan, 2000, np.nan],
            "ongoingasofmonth": [np.nan, np.nan, 11, np.nan],
        }
    )
    dates = end_dates(frame)
    assert dates["year"].tolist() == [1991, 1992, 2000, -1]
    assert dates["month"].tolist() == [5, 7, 11, -1]
    assert dates["source"].tolist() == ["recorded", "recorded", "ongoing_as_of", "none"]
    assert dates["month_mid_year"].tolist() == [False, True, False, False]


def test_outcome_coding_follows_ties_final_outcome_codes():
    index = outcome_index(range(1, 11))
    names = [OUTCOME_NAMES[value] for value in index]
    assert names[5] == names[6] == "acquiescence"
    assert names[9] == "negotiated_settlement"
    assert {names[i] for i in (0, 1, 2, 3, 4, 7, 8)} == {"failure"}


def test_sanction_type_codes_several_per_cell_total_wins():
    cells = ["2 7", "1 3", "7", None, "5 4 8", "9", " 3  3 "]
    total, restriction, missing = sanction_type_flags(cells)
    assert total.tolist() == [False, True, False, False, True, False, False]
    assert restriction.tolist() == [True, False, False, False, False, True, True]
    assert missing.tolist() == [False, False, False, True, False, False, False]


def test_sanction_type_outside_the_codebook_is_named():
    with pytest.raises(DataError, match=r"sanctiontype: got '2 12'; allowed: codes 1\.\.10"):
        sanction_type_flags(["3", "2 12"])


def test_senders_counted_once_institution_as_one_primary_when_none_listed():
    frame = pd.DataFrame(
        {
            "caseid": [1, 2, 3, 4],
            "sender1": [2, 1000, np.nan, np.nan],
            "sender2": [200, 2, np.nan, np.nan],
            "sender3": [2, np.nan, np.nan, np.nan],
            "sender4": [np.nan] * 4,
            "sender5": [np.nan] * 4,
            "primarysender": [2, 1000, 2, np.nan],
        }
    )
    senders = listed_senders(frame)
    counts = senders.groupby("caseid").size().reindex([1, 2, 3, 4], fill_value=0)
    assert counts.tolist() == [2, 2, 1, 0]
    assert sender_count(counts).tolist() == pytest.approx([math.log(2), math.log(2), 0.0, 0.0])
    assert sender_count([7]).tolist() == pytest.approx([math.log(5)])


def test_issue_groups_and_eras():
    assert [ISSUE_NAMES[i] for i in issue_index([2, 8, 13, 1, 15])] == list(ISSUE_NAMES)
    assert era_of_year([1940, 1945, 1969, 1970, 1989, 1990, 2005]).tolist() == [0, 0, 0, 1, 1, 2, 2]


# --- load_cases on the synthetic world -----------------------------------------------------


def test_load_cases_keeps_imposed_cases_with_an_outcome(cases):
    assert cases["caseid"].tolist() == [1, 2, 3, 4, 5]
    assert list(cases.columns) == list(CASE_COLUMNS)
    assert cases["outcome"].tolist() == [2, 1, 0, 0, 0]
    assert cases["success_broad"].tolist() == [True, True, False, False, False]
    assert cases["success_strict"].tolist() == [True, False, False, False, False]
    assert cases["target_cost"].tolist() == [1, 0, 0, -1, 0]
    assert cases["sender_cost"].tolist() == [0, 0, 0, -1, 0]
    assert cases["multilateral"].tolist() == [False, True, True, False, False]
    assert cases["total_embargo"].tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert cases["trade_restriction"].tolist() == [0.0, 1.0, 0.0, 1.0, 1.0]


def test_trade_dependence_observed_earlier_year_and_medians(cases):
    trade = cases["trade_dependence"]
    assert trade[1] == pytest.approx(20 / 100)
    assert trade[2] == pytest.approx(5 / 50)  # 1990; UK's unknown dyad counts 0
    median = float(np.median([0.2, 0.1]))
    assert trade[3] == trade[4] == trade[5] == pytest.approx(median)
    fallbacks = cases.attrs["fallback_caseids"]
    assert fallbacks["trade_earlier_year"] == [2]
    assert fallbacks["trade_some_sender_dyads_unknown_as_0"] == [2]
    assert fallbacks["no_state_sender_trade_median_pact_0"] == [3]
    assert fallbacks["institution_target_trade_democracy_median_pact_0"] == [4]
    assert fallbacks["trade_missing_median"] == [5]
    assert cases.attrs["fill_medians"]["trade_dependence"] == pytest.approx(median)


def test_defence_pact_in_either_direction_and_democracy_fallbacks(cases):
    assert cases["defence_pact"].tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]
    democracy = cases["target_democracy"]
    assert democracy[1] == pytest.approx(0.2)
    assert democracy[2] == pytest.approx(0.0)  # polity2 -10 rescaled
    assert democracy[3] == democracy[4] == democracy[5] == pytest.approx(0.1)
    fallbacks = cases.attrs["fallback_caseids"]
    assert fallbacks["democracy_from_polity"] == [2]
    assert fallbacks["democracy_missing_median"] == [3, 5]


def test_dates_and_duration_fallbacks_are_counted(cases):
    assert cases.loc[1, ["imposed_year", "imposed_month", "end_year", "end_month"]].tolist() == [
        1990,
        3,
        1991,
        3,
    ]
    assert cases["duration_months"].tolist() == [12, 12, 12, 12, 12]
    assert cases.loc[5, ["end_year", "end_month"]].tolist() == [-1, -1]
    counts = cases.attrs["fallbacks"]
    assert counts["end_missing_outcome_median_duration"] == 1
    assert counts["sanctiontype_missing_as_targeted"] == 1
    assert counts["no_listed_sender_count_1"] == 0
    assert set(counts) == set(cases.attrs["fallback_caseids"])


def test_ties_code_outside_the_codebook_names_column_value_and_case(tmp_path):
    bad = [*CASES[:1], _case(9, [USA], IRAN, 1990, 3, finaloutcome=12)]
    folder = _write_world(tmp_path / "data", bad)
    with pytest.raises(
        DataError, match=r"'finaloutcome': got 12 for caseid 9 \(1 case\(s\)\); allowed: 1\.\.10"
    ):
        load_cases(folder)


def test_case_arrays_dtypes_and_shapes(cases):
    arrays = case_arrays(cases)
    assert arrays["covariates"].dtype == np.float32
    assert arrays["covariates"].shape == (5, len(COVARIATE_NAMES))
    for key in ("issue", "era", "duration_months", "outcome", "target_cost", "sender_cost"):
        assert arrays[key].dtype == np.int32, key
    assert arrays["imposed_year"].dtype == np.int32
    assert arrays["multilateral"].dtype == bool
    assert arrays["target_cost"].tolist() == [1, 0, 0, -1, 0]


def test_case_arrays_names_a_missing_or_empty_column(cases):
    with pytest.raises(DataError, match="missing column 'outcome'"):
        case_arrays(cases.drop(columns="outcome"))
    with pytest.raises(DataError, match="'trade_dependence' has 1 missing value"):
        case_arrays(cases.assign(trade_dependence=[0.1, np.nan, 0.2, 0.3, 0.4]))


def test_data_provenance_hashes_every_file_and_cites_the_sources(world):
    provenance = data_provenance(world)
    assert set(provenance["files"]) == {
        "sanctions/ties_v4_1.csv",
        "trade/cow_trade_ndy.csv.gz",
        "conflict/atop_alliance_dyad_years.csv.gz",
        "conflict/ccode_democracy.csv",
    }
    ties = world / "sanctions/ties_v4_1.csv"
    digest = hashlib.sha256(ties.read_bytes()).hexdigest()
    assert provenance["files"]["sanctions/ties_v4_1.csv"]["sha256"] == digest
    text = " ".join(provenance["citations"].values())
    for author in ("Morgan, T. C.", "Barbieri", "Leeds", "Coppedge", "Marshall"):
        assert author in text


# --- the researcher's case table -----------------------------------------------------------


def test_case_table_round_trips_load_cases(cases, tmp_path):
    frame = cases.reset_index(drop=True)
    path = write_case_table(frame, tmp_path / "cases.csv")
    pd.testing.assert_frame_equal(load_case_table(path, TIES_COLUMNS_MAP), frame, check_exact=True)


RAW_MAP = """
columns:
  caseid: id
  imposed_year: year
  duration_months: months
  outcome: result
  sender_count: log_senders
  institutional_sender: io
  trade_dependence: trade
  defence_pact: pact
  target_democracy: polyarchy
  total_embargo: embargo
  trade_restriction: restriction
  issue: issue1
  target_cost: tcost
outcome_codes: {acquiescence: [6, 7], negotiated_settlement: [10], failure: [1, 2, 3, 4, 5, 8, 9]}
issue_codes: {security: [2, 5], economic: [13], regime_and_rights: [8], other: ["misc"]}
cost_codes: {minor: [1], major: [2], severe: [3], missing: [-9]}
"""

RAW_ROWS = {
    "id": ["a1", "a2", "a3"],
    "year": ["1985", "1995", "1960"],
    "months": ["3", "14", "1"],
    "result": ["7", "10", "9"],
    "log_senders": ["0", repr(math.log(2)), "0"],
    "io": ["0", "0", "1"],
    "trade": ["0.25", "0.5", "0"],
    "pact": ["1", "0", "0"],
    "polyarchy": ["0.3", "0.8", "0.1"],
    "embargo": ["0", "1", "0"],
    "restriction": ["1", "0", "0"],
    "issue1": ["2", "misc", "13.0"],
    "tcost": ["-9", "2", ""],
    "notes": ["x", "y", "z"],
}


def _write_raw(tmp_path, rows=None, mapping=RAW_MAP) -> tuple[Path, Path]:
    csv_path, map_path = tmp_path / "cases.csv", tmp_path / "columns.yaml"
    pd.DataFrame(rows or RAW_ROWS).to_csv(csv_path, index=False)
    map_path.write_text(mapping)
    return csv_path, map_path


def test_case_table_maps_codes_and_derives_columns(tmp_path):
    frame = load_case_table(*_write_raw(tmp_path))
    assert list(frame.columns) == list(CASE_COLUMNS)
    assert frame["caseid"].tolist() == ["a1", "a2", "a3"]
    assert frame["outcome"].tolist() == [2, 1, 0]
    assert [ISSUE_NAMES[i] for i in frame["issue"]] == ["security", "other", "economic"]
    assert frame["target_cost"].tolist() == [-1, 1, -1]
    assert frame["sender_cost"].tolist() == [-1, -1, -1]
    assert frame["era"].tolist() == [1, 2, 0]
    assert frame["multilateral"].tolist() == [False, True, True]
    assert frame["success_broad"].tolist() == [True, True, False]
    assert frame["imposed_month"].tolist() == [-1, -1, -1]
    assert case_arrays(frame)["covariates"].shape == (3, 7)


def _problems(tmp_path, rows=None, mapping=RAW_MAP) -> list[str]:
    with pytest.raises(DataError) as raised:
        load_case_table(*_write_raw(tmp_path, rows, mapping))
    return raised.value.problems


def test_column_not_in_the_file_lists_the_available_ones(tmp_path):
    problems = _problems(tmp_path, mapping=RAW_MAP.replace("outcome: result", "outcome: outcome"))
    assert problems == [
        "cases.csv: columns.outcome: column 'outcome' not in the file; available: id, year, "
        "months, result, log_senders, io, trade, pact, polyarchy, embargo, restriction, "
        "issue1, tcost, notes"
    ]


def test_missing_and_unknown_map_keys_are_all_reported(tmp_path):
    mapping = RAW_MAP.replace("  duration_months: months\n", "  duratoin: months\n")
    mapping += "colour: blue\n"
    problems = _problems(tmp_path, mapping=mapping)
    assert (
        "columns.yaml: colour: unknown key; allowed: columns, outcome_codes, issue_codes, cost_codes"
        in problems
    )
    assert any(
        p.startswith(
            "columns.yaml: columns.duratoin: unknown field; allowed: imposed_year, duration_months"
        )
        for p in problems
    )
    assert (
        "columns.yaml: columns.duration_months: required field missing; add the name of the column that holds duration_months"
        in problems
    )
    assert len(problems) == 3


def test_bad_code_maps_are_reported(tmp_path):
    mapping = RAW_MAP.replace(
        "failure: [1, 2, 3, 4, 5, 8, 9]", "failure: [1, 2, 3, 4, 5, 8, 9, 10]"
    )
    mapping = mapping.replace("other: [", "elsewhere: [")
    problems = _problems(tmp_path, mapping=mapping)
    assert problems == [
        "columns.yaml: outcome_codes: code 10 listed under both negotiated_settlement and "
        "failure; allowed: each code under one name",
        "columns.yaml: issue_codes.elsewhere: unknown name; allowed: security, "
        "regime_and_rights, economic, political_influence, other",
    ]


def test_map_that_is_not_a_mapping(tmp_path):
    with pytest.raises(
        DataError,
        match=r"columns.yaml: got list; allowed: a mapping with the keys columns, outcome_codes",
    ):
        load_case_table(*_write_raw(tmp_path, mapping="- columns\n"))


def test_every_bad_cell_is_one_line_naming_row_field_value_and_allowed(tmp_path):
    rows = dict(RAW_ROWS)
    rows.update(
        result=["7", "11", "9"],
        months=["3", "0", "1"],
        trade=["0.25", "high", "1.5"],
        io=["0", "2", "1"],
        restriction=["1", "1", "0"],
        year=["1985", "1995.5", "1960"],
        tcost=["-9", "4", ""],
        id=["a1", "a1", "a3"],
    )
    problems = _problems(tmp_path, rows=rows)
    expected = [
        "cases.csv:row 2: caseid (column 'id'): got a1; allowed: a case id used once in the file",
        "cases.csv:row 3: caseid (column 'id'): got a1; allowed: a case id used once in the file",
        "cases.csv:row 3: imposed_year (column 'year'): got 1995.5; allowed: an integer 1800..2100",
        "cases.csv:row 3: duration_months (column 'months'): got 0; allowed: an integer >= 1",
        "cases.csv:row 3: outcome (column 'result'): got 11; allowed: 1, 2, 3, 4, 5, 6, 7, 8, "
        "9, 10 (outcome_codes)",
        "cases.csv:row 3: target_cost (column 'tcost'): got 4; allowed: -9, 1, 2, 3 "
        "(cost_codes), or empty",
        "cases.csv:row 3: institutional_sender (column 'io'): got 2; allowed: 0 or 1",
        "cases.csv:row 3: trade_dependence (column 'trade'): got high; allowed: a number in [0, 1]",
        "cases.csv:row 4: trade_dependence (column 'trade'): got 1.5; allowed: a number in [0, 1]",
        "cases.csv:row 3: trade_restriction (column 'restriction'): got 1; allowed: 0 when "
        "total_embargo is 1 (a total embargo wins over a trade restriction)",
    ]
    assert problems == expected


def test_canonical_names_are_required_without_a_codes_map(tmp_path, cases):
    path = write_case_table(cases.reset_index(drop=True), tmp_path / "ties.csv")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[0, "outcome"] = "win"
    table.loc[1, "sender_count"] = ""
    table.to_csv(path, index=False)
    with pytest.raises(DataError) as raised:
        load_case_table(path, TIES_COLUMNS_MAP)
    assert raised.value.problems == [
        "ties.csv:row 2: outcome: got win; allowed: failure, negotiated_settlement, "
        "acquiescence (or map your codes with outcome_codes)",
        "ties.csv:row 3: sender_count: got an empty cell; allowed: a number in [0, 1.60944]",
    ]


def test_long_runs_of_one_problem_are_summarised(tmp_path):
    rows = {key: values * 8 for key, values in RAW_ROWS.items()}
    rows["id"] = [f"c{i}" for i in range(24)]
    rows["months"] = ["0"] * 24
    problems = _problems(tmp_path, rows=rows)
    assert len(problems) == 11
    assert problems[-1] == (
        "cases.csv: duration_months (column 'months'): ... and 14 more rows with the same problem"
    )


# --- present-day scenario --------------------------------------------------------------------


def test_scenario_predictors_latest_years(world):
    result = scenario_predictors(IRAN, [USA, UK], data_dir=world)
    assert result["years"] == {"trade": 2014, "defence_pact": 2018, "target_democracy": 2019}
    assert result["sender_trade_musd"] == {USA: 3.0, UK: 7.0}
    assert result["target_total_trade_musd"] == 100.0
    assert result["trade_dependence"] == pytest.approx(0.1)
    assert result["leakage"] == pytest.approx(0.9)
    assert result["defence_pact"] == 1.0
    assert result["target_democracy"] == pytest.approx(0.3)


def test_scenario_predictors_in_a_given_year(world):
    result = scenario_predictors(IRAN, [USA], data_dir=world, year=1989)
    assert result["trade_dependence"] == pytest.approx(0.2)
    assert result["years"] == {"trade": 1989, "defence_pact": 1989, "target_democracy": 1989}
    assert result["defence_pact"] == 0.0


def test_scenario_predictors_name_unknown_codes_and_years(world):
    with pytest.raises(DataError, match="ccode 999 is not a state"):
        scenario_predictors(IRAN, [USA, 999], data_dir=world)
    with pytest.raises(DataError, match="ccode 4242 is not a state"):
        scenario_predictors(4242, [USA], data_dir=world)
    with pytest.raises(DataError, match="year 2020: COW trade covers 1989-2014"):
        scenario_predictors(IRAN, [USA], data_dir=world, year=2020)


def test_source_tables_are_read_once_per_folder(world):
    assert source_tables(world) is source_tables(world)


def test_scenario_provenance_lists_the_three_sources(world):
    provenance = scenario_provenance(world)
    assert len(provenance["files"]) == 3
    assert set(provenance["citations"]) == {"COW Trade 4.0", "ATOP 5.1", "V-Dem", "Polity5"}
