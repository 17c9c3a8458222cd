"""The sanctions data layer on the real TIES v4.1, COW Trade 4.0, ATOP 5.1 and V-Dem files.

Reference figures from the shared data README: 540 imposed cases with a known outcome;
multilateral (a second sender or an institutional sender) n = 167, success 73.1% broad
(codes 6, 7, 10) and 51.5% strict (6, 7); unilateral n = 373, 49.1% / 24.1%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine.data import paths
from riskengine.errors import DataError
from riskengine.models.sanctions.case_table import (
    TIES_COLUMNS_MAP,
    load_case_table,
    write_case_table,
)
from riskengine.models.sanctions.coding import COVARIATE_NAMES, ERA_NAMES, ISSUE_NAMES
from riskengine.models.sanctions.data import case_arrays, data_provenance, load_cases
from riskengine.models.sanctions.present_day import scenario_predictors

pytestmark = pytest.mark.needs_data

IRAN, USA, UK, FRANCE, GERMANY = 630, 2, 200, 220, 255


@pytest.fixture(scope="module")
def folder():
    try:
        folder = paths.data_dir()
    except DataError:
        pytest.skip("../shared/data not found; set RISKENGINE_DATA_DIR")
    if not (folder / "sanctions" / "ties_v4_1.csv").is_file():
        pytest.skip("sanctions/ties_v4_1.csv not in the data folder; set RISKENGINE_DATA_DIR")
    return folder


@pytest.fixture(scope="module")
def frame(folder) -> pd.DataFrame:
    return load_cases(folder)


def test_imposed_cases_with_a_known_outcome(frame):
    assert len(frame) == 540
    assert frame["caseid"].is_unique


def test_multilateral_and_unilateral_success_shares_match_the_readme(frame):
    shares = {}
    for label, group in (
        ("multilateral", frame["multilateral"]),
        ("unilateral", ~frame["multilateral"]),
    ):
        cases = frame[group]
        shares[label] = (
            len(cases),
            round(100 * cases["success_broad"].mean(), 1),
            round(100 * cases["success_strict"].mean(), 1),
        )
    print(shares)
    assert shares == {"multilateral": (167, 73.1, 51.5), "unilateral": (373, 49.1, 24.1)}
    assert round(100 * frame["success_broad"].mean(), 1) == 56.5
    assert round(100 * frame["success_strict"].mean(), 1) == 32.6


def test_predictors_and_codes_are_in_range(frame):
    assert frame["trade_dependence"].between(0, 1).all()
    assert frame["target_democracy"].between(0, 1).all()
    assert frame["sender_count"].between(0, np.log(5) + 1e-12).all()
    for column in ("institutional_sender", "defence_pact", "total_embargo", "trade_restriction"):
        assert frame[column].isin([0.0, 1.0]).all(), column
    assert not (frame["total_embargo"].astype(bool) & frame["trade_restriction"].astype(bool)).any()
    assert frame["issue"].between(0, len(ISSUE_NAMES) - 1).all()
    assert frame["era"].between(0, len(ERA_NAMES) - 1).all()
    assert frame["target_cost"].between(-1, 2).all() and frame["sender_cost"].between(-1, 2).all()
    assert (frame["duration_months"] >= 1).all()
    assert frame["imposed_year"].between(1945, 2007).all()


def test_fallback_counts_are_the_documented_ones(frame):
    counts = frame.attrs["fallbacks"]
    print(counts)
    assert counts["trade_missing_median"] == 28
    assert counts["no_state_sender_trade_median_pact_0"] == 23
    assert counts["institution_target_trade_democracy_median_pact_0"] == 20
    assert counts["trade_earlier_year"] == 7
    assert counts["democracy_from_polity"] == 10
    assert counts["democracy_missing_median"] == 11
    assert counts["end_missing_outcome_median_duration"] == 32


def test_case_arrays_have_no_missing_values(frame):
    arrays = case_arrays(frame)
    assert arrays["covariates"].shape == (540, len(COVARIATE_NAMES))
    for key, values in arrays.items():
        if values.dtype.kind == "f":
            assert np.isfinite(values).all(), key
    assert arrays["outcome"].min() >= 0 and arrays["outcome"].max() <= 2


def test_case_table_round_trip_on_the_real_cases(frame, tmp_path):
    path = write_case_table(frame, tmp_path / "ties_cases.csv")
    pd.testing.assert_frame_equal(load_case_table(path, TIES_COLUMNS_MAP), frame, check_exact=True)


def test_iran_scenario_trade_dependence_and_leakage(folder):
    result = scenario_predictors(IRAN, [USA, UK, FRANCE, GERMANY], data_dir=folder)
    print(result)
    assert 0 < result["trade_dependence"] < 1
    assert result["leakage"] == pytest.approx(1 - result["trade_dependence"])
    assert result["years"]["trade"] == 2014
    assert result["years"]["defence_pact"] == 2018
    assert set(result["sender_trade_musd"]) == {USA, UK, FRANCE, GERMANY}
    total = sum(result["sender_trade_musd"].values())
    assert total / result["target_total_trade_musd"] == pytest.approx(result["trade_dependence"])
    assert 0 <= result["target_democracy"] <= 1


def test_provenance_names_the_four_files(folder):
    provenance = data_provenance(folder)
    assert len(provenance["files"]) == 4
    assert all(len(entry["sha256"]) == 64 for entry in provenance["files"].values())
