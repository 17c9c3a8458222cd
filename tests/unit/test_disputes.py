"""Unit tests of riskengine.data on small synthetic CSVs written to tmp_path."""

from __future__ import annotations

import hashlib
import math
import typing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskengine.data import paths
from riskengine.data.major_powers import is_major_power
from riskengine.errors import DataError
from riskengine.models.escalation import core as escalation
from riskengine.models.escalation.data import (
    COVARIATE_NAMES,
    ERA_FIRST_YEARS,
    ERA_NAMES,
    data_provenance,
    dispute_arrays,
    duration_months,
    era_of_year,
    load_disputes,
)
from riskengine.models.escalation.section import Era

USA, UK, FRANCE, GERMANY, IRAN, NORTH_KOREA = 2, 200, 220, 255, 630, 731


def _dispute(number, year, side_a, side_b, hostlev=3, maxdur=40, joiners=()):
    """A dispute; ``joiners`` are states on either side that are not originators."""
    return {
        "dispnum": float(number),
        "styear": float(year),
        "hostlev": float(hostlev),
        "maxdur": float(maxdur),
        "side_a": side_a,
        "side_b": side_b,
        "joiners": tuple(joiners),
    }


def _default_disputes():
    return [
        _dispute(1, 2000, [IRAN], [USA]),
        _dispute(2, 2000, [IRAN], [UK, FRANCE], hostlev=5),
        _dispute(3, 2000, [NORTH_KOREA], [UK, FRANCE]),
    ]


def _default_capabilities():
    years = range(1990, 2011)
    cinc = {USA: 0.14, UK: 0.02, FRANCE: 0.02, IRAN: 0.01, NORTH_KOREA: 0.01}
    return [{"ccode": c, "year": y, "cinc": v} for c, v in cinc.items() for y in years]


def _dyad_rows(dispute):
    rows = []
    for a in dispute["side_a"]:
        for b in dispute["side_b"]:
            common = {"dispnum": dispute["dispnum"], "year": dispute["styear"]}
            orig_a = float(a not in dispute["joiners"])
            orig_b = float(b not in dispute["joiners"])
            rows.append(
                {**common, "ccode1": a, "ccode2": b, "sidea1": 1.0, "sidea2": 0.0, "orig1": orig_a}
            )
            rows.append(
                {**common, "ccode1": b, "ccode2": a, "sidea1": 0.0, "sidea2": 1.0, "orig1": orig_b}
            )
    return rows


def write_data(folder: Path, disputes=None, capabilities=None, alliances=None) -> Path:
    """Write a synthetic shared-data folder; returns it."""
    disputes = _default_disputes() if disputes is None else disputes
    capabilities = _default_capabilities() if capabilities is None else capabilities
    alliances = [] if alliances is None else alliances
    conflict = folder / "conflict"
    conflict.mkdir(parents=True, exist_ok=True)
    dispute_table = pd.DataFrame(disputes)
    dispute_table["numa"] = dispute_table["side_a"].map(len)
    dispute_table["numb"] = dispute_table["side_b"].map(len)
    dispute_table.drop(columns=["side_a", "side_b", "joiners"]).to_csv(
        conflict / "cow_mid_disputes.csv", index=False
    )
    dyads = [row for dispute in disputes for row in _dyad_rows(dispute)]
    pd.DataFrame(dyads).to_csv(conflict / "cow_mid_directed_dyads.csv", index=False)
    pd.DataFrame(capabilities, columns=["ccode", "year", "cinc"]).to_csv(
        conflict / "cow_nmc.csv", index=False
    )
    pd.DataFrame(alliances, columns=["ccode1", "ccode2", "year", "atop_defense"]).to_csv(
        conflict / "atop_alliance_dyad_years.csv.gz", index=False
    )
    return folder


def _pact(first, second, year=1999, defense=1):
    return {"ccode1": first, "ccode2": second, "year": year, "atop_defense": defense}


# data_dir ---------------------------------------------------------------------------


def test_data_dir_prefers_explicit_then_environment(tmp_path, monkeypatch):
    explicit, environment = tmp_path / "explicit", tmp_path / "environment"
    explicit.mkdir()
    environment.mkdir()
    monkeypatch.setenv("RISKENGINE_DATA_DIR", str(environment))
    assert paths.data_dir(explicit) == explicit
    assert paths.data_dir() == environment


def test_data_dir_explains_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.delenv("RISKENGINE_DATA_DIR", raising=False)
    monkeypatch.setattr(paths, "_repository_default", lambda: tmp_path / "absent")
    with pytest.raises(DataError, match=r"RISKENGINE_DATA_DIR.*--data") as error:
        paths.data_dir()
    assert str(tmp_path / "absent") in str(error.value)


def test_data_dir_rejects_a_missing_explicit_folder(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        paths.data_dir(tmp_path / "nowhere")


def test_file_sha256_matches_hashlib(tmp_path):
    path = tmp_path / "file.bin"
    path.write_bytes(b"riskengine" * 1000)
    assert paths.file_sha256(path) == hashlib.sha256(b"riskengine" * 1000).hexdigest()


# file and column checks ---------------------------------------------------------------


def test_missing_file_names_path_and_environment_variable(tmp_path):
    folder = write_data(tmp_path)
    (folder / "conflict" / "cow_nmc.csv").unlink()
    with pytest.raises(DataError, match=r"cow_nmc\.csv not found.*RISKENGINE_DATA_DIR"):
        load_disputes(folder)


def test_missing_column_names_file_and_column(tmp_path):
    folder = write_data(tmp_path)
    nmc = folder / "conflict" / "cow_nmc.csv"
    pd.read_csv(nmc).drop(columns=["cinc"]).to_csv(nmc, index=False)
    with pytest.raises(
        DataError, match=r"cow_nmc\.csv: missing column 'cinc' \(required: ccode, year, cinc"
    ):
        load_disputes(folder)


def test_missing_value_names_file_and_column(tmp_path):
    folder = write_data(tmp_path)
    table_path = folder / "conflict" / "cow_mid_disputes.csv"
    table = pd.read_csv(table_path)
    table.loc[0, "maxdur"] = np.nan
    table.to_csv(table_path, index=False)
    with pytest.raises(DataError, match=r"cow_mid_disputes\.csv: column 'maxdur' has 1 missing"):
        load_disputes(folder)


@pytest.mark.parametrize("hostlev", [1, 6])
def test_hostlev_outside_2_to_5_is_rejected(tmp_path, hostlev):
    disputes = [*_default_disputes(), _dispute(9, 2000, [IRAN], [USA], hostlev=hostlev)]
    folder = write_data(tmp_path, disputes=disputes)
    with pytest.raises(DataError, match=rf"'hostlev' must be between 2.*got {hostlev}.*dispnum 9"):
        load_disputes(folder)


def test_negative_maxdur_is_rejected(tmp_path):
    disputes = [_dispute(1, 2000, [IRAN], [USA], maxdur=-9)]
    with pytest.raises(DataError, match=r"'maxdur' must be a duration in days"):
        load_disputes(write_data(tmp_path, disputes=disputes))


def test_side_counts_must_match_the_dyad_file(tmp_path):
    folder = write_data(tmp_path)
    table_path = folder / "conflict" / "cow_mid_disputes.csv"
    table = pd.read_csv(table_path)
    table.loc[0, "numb"] = 3
    table.to_csv(table_path, index=False)
    with pytest.raises(DataError, match=r"dispute 1 has \[1, 1\] states.*numa/numb = \[1, 3\]"):
        load_disputes(folder)


# columns -----------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "months"), [(0, 1), (1, 1), (30, 1), (31, 2), (61, 3)])
def test_duration_months_at_boundaries(days, months):
    assert duration_months(np.array([days]))[0] == months


def test_load_disputes_columns_and_levels(tmp_path):
    disputes = [
        _dispute(number, 2000, [IRAN], [USA], hostlev=hostlev, maxdur=days)
        for number, hostlev, days in [(1, 2, 1), (2, 3, 30), (3, 4, 31), (4, 5, 61)]
    ]
    frame = load_disputes(write_data(tmp_path, disputes=disputes))
    assert frame["peak_level"].tolist() == [1, 2, 3, 4]
    assert frame["duration_months"].tolist() == [1, 1, 2, 3]
    assert frame["dispute_id"].tolist() == [1, 2, 3, 4]
    assert list(frame.columns[6 : 6 + len(COVARIATE_NAMES)]) == list(COVARIATE_NAMES)
    assert all(frame[name].dtype == np.float64 for name in COVARIATE_NAMES)
    assert (frame["crisis_management"] == 0.0).all()


@pytest.mark.parametrize(
    ("year", "era"),
    [(1816, 0), (1913, 0), (1914, 1), (1945, 1), (1946, 2), (1989, 2), (1990, 3), (2014, 3)],
)
def test_era_of_year_at_the_cut_years(year, era):
    assert era_of_year(np.array([year]))[0] == era
    assert ERA_NAMES[era] == escalation.ERA_NAMES[era]


def test_era_covariates_are_one_hot_with_post_cold_war_as_reference(tmp_path):
    disputes = [
        _dispute(number, year, [IRAN], [USA])
        for number, year in [(1, 1900), (2, 1939), (3, 1962), (4, 2001)]
    ]
    frame = load_disputes(write_data(tmp_path, disputes=disputes))
    era_columns = ["era_before_1914", "era_world_wars", "era_cold_war"]
    expected = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]]
    np.testing.assert_array_equal(frame[era_columns].to_numpy(), expected)
    np.testing.assert_array_equal(
        escalation.era_index(frame[list(COVARIATE_NAMES)].to_numpy()), [0, 1, 2, 3]
    )


def test_data_and_model_name_the_same_covariates_and_eras():
    assert COVARIATE_NAMES == escalation.COVARIATE_NAMES
    assert ERA_NAMES == escalation.ERA_NAMES == typing.get_args(Era)
    assert ERA_FIRST_YEARS == escalation.ERA_FIRST_YEARS


def test_side_sizes_are_logs(tmp_path):
    frame = load_disputes(write_data(tmp_path)).set_index("dispute_id")
    assert frame.loc[1, "defender_side_size"] == 0.0
    assert frame.loc[2, "defender_side_size"] == pytest.approx(math.log(2))
    assert frame.loc[2, "challenger_side_size"] == 0.0


def test_side_sizes_and_capabilities_count_originators_only(tmp_path):
    disputes = [_dispute(1, 2000, [IRAN, NORTH_KOREA], [UK, USA], joiners=[USA, NORTH_KOREA])]
    frame = load_disputes(write_data(tmp_path, disputes=disputes))
    assert frame["num_defender_side"].tolist() == [2]
    assert frame["num_defender_originators"].tolist() == [1]
    assert frame["defender_side_size"].tolist() == [0.0]
    assert frame["challenger_side_size"].tolist() == [0.0]
    assert frame["gained_joiners"].tolist() == [True]
    assert frame.loc[0, "capability_ratio"] == pytest.approx(math.log(0.02 / 0.01))
    assert frame["major_power"].tolist() == [1.0]  # the UK originated it


def test_a_side_without_originators_keeps_all_its_states(tmp_path):
    disputes = [_dispute(1, 2000, [IRAN], [UK, FRANCE], joiners=[UK, FRANCE])]
    frame = load_disputes(write_data(tmp_path, disputes=disputes))
    assert frame["num_defender_originators"].tolist() == [2]
    assert frame.attrs["num_sides_without_originator"] == 1


# capability ratio --------------------------------------------------------------------


def test_capability_ratio_uses_side_sums(tmp_path):
    frame = load_disputes(write_data(tmp_path)).set_index("dispute_id")
    assert frame.loc[1, "capability_ratio"] == pytest.approx(math.log(0.14 / 0.01))
    assert frame.loc[2, "capability_ratio"] == pytest.approx(math.log(0.04 / 0.01))


def test_capability_missing_in_start_year_uses_nearest_year(tmp_path):
    capabilities = [
        row
        for row in _default_capabilities()
        if not (row["ccode"] == USA and row["year"] in (1998, 1999, 2000, 2001))
    ]
    capabilities = [
        {**row, "cinc": 0.28} if row["ccode"] == USA and row["year"] == 2002 else row
        for row in capabilities
    ]
    frame = load_disputes(write_data(tmp_path, capabilities=capabilities)).set_index("dispute_id")
    # no USA row in 1999, so its reference year is the start year: 2002 (2 years off)
    # beats 1997 (3 years off)
    assert frame.loc[1, "capability_ratio"] == pytest.approx(math.log(0.28 / 0.01))
    assert frame.attrs["num_start_year_fallbacks"] == 1
    assert not frame.loc[1, "capability_missing"]


def test_capabilities_are_read_in_the_year_before_the_start(tmp_path):
    capabilities = [
        {**row, "cinc": 0.28} if row["ccode"] == USA and row["year"] == 1999 else row
        for row in _default_capabilities()
    ]
    frame = load_disputes(write_data(tmp_path, capabilities=capabilities)).set_index("dispute_id")
    assert frame.loc[1, "capability_ratio"] == pytest.approx(math.log(0.28 / 0.01))
    assert frame.attrs["num_start_year_fallbacks"] == 0


def test_a_state_new_in_the_start_year_falls_back_to_it_and_is_counted(tmp_path):
    capabilities = [
        row for row in _default_capabilities() if not (row["ccode"] == IRAN and row["year"] < 2000)
    ]
    capabilities += [{"ccode": NORTH_KOREA, "year": 2000, "cinc": 0.5}]
    alliances = [_pact(IRAN, NORTH_KOREA, year=2000), _pact(USA, FRANCE, year=2000)]
    folder = write_data(tmp_path, capabilities=capabilities, alliances=alliances)
    frame = load_disputes(folder).set_index("dispute_id")
    assert frame.attrs["num_start_year_fallbacks"] == 2  # Iran in disputes 1 and 2
    assert frame.loc[1, "challenger_defence_pact"] == 1.0  # Iran's pledge read in 2000
    assert frame.loc[1, "defender_defence_pact"] == 0.0  # the USA's read in 1999


def test_capability_beyond_five_years_is_dropped_from_the_side(tmp_path):
    capabilities = [
        row
        for row in _default_capabilities()
        if not (row["ccode"] == FRANCE and 1994 <= row["year"] <= 2006)
    ]
    frame = load_disputes(write_data(tmp_path, capabilities=capabilities)).set_index("dispute_id")
    assert frame.loc[2, "capability_ratio"] == pytest.approx(math.log(0.02 / 0.01))


def test_side_without_any_capability_gives_zero_and_is_counted(tmp_path):
    capabilities = [row for row in _default_capabilities() if row["ccode"] != IRAN]
    frame = load_disputes(write_data(tmp_path, capabilities=capabilities)).set_index("dispute_id")
    assert frame.loc[1, "capability_ratio"] == 0.0
    assert frame["capability_missing"].tolist() == [True, True, False]
    assert frame.attrs["num_capability_missing"] == 2


def test_capability_ratio_is_clipped(tmp_path):
    capabilities = [
        {**row, "cinc": 1e-6} if row["ccode"] == IRAN else row for row in _default_capabilities()
    ]
    frame = load_disputes(write_data(tmp_path, capabilities=capabilities)).set_index("dispute_id")
    assert frame.loc[1, "capability_ratio"] == 6.0


# defence pledges to third states -----------------------------------------------------


@pytest.mark.parametrize("direction", [(USA, UK), (UK, USA)])
def test_a_defenders_pledge_with_a_third_state_counts_in_either_direction(tmp_path, direction):
    frame = load_disputes(write_data(tmp_path, alliances=[_pact(*direction)]))
    frame = frame.set_index("dispute_id")
    assert frame.loc[1, "defender_defence_pact"] == 1.0
    assert frame.loc[1, "defender_allied_capability"] == pytest.approx(math.log1p(0.02 / 0.01))
    assert frame.loc[1, "challenger_defence_pact"] == 0.0
    assert frame.loc[1, "challenger_allied_capability"] == 0.0
    # in dispute 2 the UK is the originator and the USA the third state
    assert frame.loc[2, "defender_allied_capability"] == pytest.approx(math.log1p(0.14 / 0.01))


@pytest.mark.parametrize(
    "pact",
    [_pact(USA, UK, year=2000), _pact(USA, UK, defense=0), _pact(UK, FRANCE)],
    ids=["start year, not the year before", "not a defence pledge", "between originators"],
)
def test_pledges_that_do_not_count(tmp_path, pact):
    frame = load_disputes(write_data(tmp_path, alliances=[pact])).set_index("dispute_id")
    assert frame.loc[1, "defender_defence_pact"] == 0.0
    assert frame.loc[2, "defender_defence_pact"] == 0.0
    assert frame.loc[2, "defender_allied_capability"] == 0.0


def test_a_pledged_state_that_joins_later_still_counts(tmp_path):
    disputes = [_dispute(1, 2000, [IRAN], [UK, FRANCE], joiners=[FRANCE])]
    folder = write_data(tmp_path, disputes=disputes, alliances=[_pact(UK, FRANCE)])
    frame = load_disputes(folder)
    assert frame["defender_defence_pact"].tolist() == [1.0]


def test_challenger_pledges_and_allies_counted_once(tmp_path):
    disputes = [_dispute(1, 2000, [IRAN, NORTH_KOREA], [USA])]
    alliances = [_pact(IRAN, FRANCE), _pact(NORTH_KOREA, FRANCE), _pact(IRAN, NORTH_KOREA)]
    frame = load_disputes(write_data(tmp_path, disputes=disputes, alliances=alliances))
    assert frame["challenger_defence_pact"].tolist() == [1.0]
    assert frame.loc[0, "challenger_allied_capability"] == pytest.approx(math.log1p(0.02 / 0.14))
    assert frame["defender_defence_pact"].tolist() == [0.0]


# major powers ------------------------------------------------------------------------


def test_major_power_years():
    ccodes = [USA, USA, GERMANY, GERMANY, GERMANY, FRANCE, IRAN]
    years = [1897, 1898, 1918, 1920, 1991, 1942, 2000]
    expected = [False, True, True, False, True, False, False]
    assert is_major_power(np.array(ccodes), np.array(years)).tolist() == expected


def test_major_power_among_the_originators(tmp_path):
    frame = load_disputes(write_data(tmp_path)).set_index("dispute_id")
    assert frame["major_power"].tolist() == [1.0, 1.0, 1.0]
    disputes = [_dispute(1, 2000, [IRAN], [NORTH_KOREA]), _dispute(2, 2000, [USA], [IRAN])]
    frame = load_disputes(write_data(tmp_path, disputes=disputes))
    assert frame["major_power"].tolist() == [0.0, 1.0]


# arrays and provenance ---------------------------------------------------------------


def test_dispute_arrays_shapes_and_dtypes(tmp_path):
    frame = load_disputes(write_data(tmp_path))
    arrays = dispute_arrays(frame)
    assert arrays["covariates"].dtype == np.float32
    assert arrays["covariates"].shape == (3, len(COVARIATE_NAMES))
    for name in ("peak_level", "duration_months", "start_year"):
        assert arrays[name].dtype == np.int32
        assert arrays[name].shape == (3,)
    np.testing.assert_allclose(
        arrays["covariates"][:, 2], frame["capability_ratio"].to_numpy(), rtol=1e-6
    )


def test_dispute_arrays_rejects_a_frame_without_covariates():
    with pytest.raises(DataError, match="missing column 'challenger_side_size'"):
        dispute_arrays(pd.DataFrame({"peak_level": [1]}))


def test_data_provenance_lists_relative_files_with_hashes(tmp_path):
    folder = write_data(tmp_path)
    provenance = data_provenance(folder)
    disputes_file = "conflict/cow_mid_disputes.csv"
    assert provenance["files"][disputes_file]["sha256"] == paths.file_sha256(folder / disputes_file)
    assert "Palmer" in provenance["files"][disputes_file]["citation"]
    assert "COW State System Membership 2016" in provenance["citations"]
    assert str(tmp_path) not in repr(provenance)
