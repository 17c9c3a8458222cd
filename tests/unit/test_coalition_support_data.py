"""The member support candidate table on the real TIES, COW and ATOP files.

Builds the table once per module (about 1 s idle, under 0.3 GB; the whole file about 10 s); skips when the shared data
folder is absent (set RISKENGINE_DATA_DIR=/path/to/shared/data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine.errors import DataError
from riskengine.models.coalition.support_cases import (
    FIRST_START_YEAR,
    european_community_member,
)
from riskengine.models.coalition.support_data import (
    ALIGNMENT_NAMES,
    COVARIATE_NAMES,
    candidate_arrays,
    case_control_sample,
    data_provenance,
    fitted_covariates,
    load_candidates,
)

pytestmark = pytest.mark.needs_data

USA, UK, FRANCE, USSR = 2, 200, 220, 365


@pytest.fixture(scope="module")
def frame(shared_data_dir) -> pd.DataFrame:
    return load_candidates(shared_data_dir)


@pytest.fixture(scope="module")
def ties(shared_data_dir) -> pd.DataFrame:
    return pd.read_csv(shared_data_dir / "sanctions" / "ties_v4_1.csv", encoding="latin-1")


def test_counts_are_those_of_the_docstring_and_the_rows(frame):
    attrs = frame.attrs
    assert attrs["num_ties_cases"] == 1412
    assert attrs["num_cases"] == frame["caseid"].nunique()
    assert attrs["num_rows"] == len(frame)
    assert attrs["num_joined"] == frame["joined"].sum()
    assert 130 <= attrs["num_cases"] <= 151 and attrs["num_joined"] >= 300
    excluded = [value for key, value in attrs.items() if key.startswith("num_excluded")]
    assert attrs["num_eligible_cases"] + sum(excluded) == 1412


def test_every_case_has_a_joiner_and_no_primary_or_target_candidate(frame):
    assert (frame.groupby("caseid")["joined"].sum() >= 1).all()
    assert not (frame["ccode"] == frame["primary"]).any()
    assert not (frame["ccode"] == frame["target"]).any()
    assert not frame.duplicated(["caseid", "ccode"]).any()
    assert (frame["primary"] < 1000).all() and (frame["target"] < 1000).all()
    assert (frame["start_year"] >= FIRST_START_YEAR).all()


def test_candidates_are_the_system_members_of_the_start_year(frame, shared_data_dir):
    nmc = pd.read_csv(shared_data_dir / "conflict" / "cow_nmc.csv", usecols=["ccode", "year"])
    case = frame[frame["community_listed"] == 0].groupby("caseid").first().iloc[3]
    members = set(nmc.loc[nmc["year"] == case["start_year"], "ccode"])
    candidates = set(frame.loc[frame["caseid"] == case.name, "ccode"])
    assert candidates == members - {case["primary"], case["target"]}


def test_joined_means_listed_as_a_sender(frame, ties):
    row = frame.sample(1, random_state=3, weights=frame["joined"] + 0.01).iloc[0]
    case = ties.loc[ties["caseid"] == row["caseid"]].iloc[0]
    listed = {case[f"sender{n}"] for n in range(1, 6) if pd.notna(case[f"sender{n}"])}
    for _, candidate in frame[frame["caseid"] == row["caseid"]].iterrows():
        assert bool(candidate["joined"]) == (candidate["ccode"] in listed)


def test_predictors_are_read_the_year_before_the_case(frame):
    before = frame["covariate_year"] == frame["start_year"] - 1
    assert (~before).sum() == frame.attrs["num_candidate_start_year_fallback"]
    assert (before.mean()) > 0.97
    assert (frame.loc[~before, "covariate_year"] == frame.loc[~before, "start_year"]).all()


def test_the_uk_has_a_nato_defence_pact_with_the_usa(frame):
    rows = frame[(frame["primary"] == USA) & (frame["ccode"] == UK)]
    assert (rows.loc[rows["covariate_year"] >= 1950, "defence_pact_with_primary"] == 1).all()
    assert (rows["other_pledge_with_primary"] == 0).all()  # defence wins


def test_covariates_are_finite_and_in_range(frame):
    values = frame[list(COVARIATE_NAMES)]
    assert np.isfinite(values.to_numpy()).all()
    for name in ("trade_share_with_target", "trade_share_with_primary"):
        assert values[name].between(0.0, np.log1p(100.0)).all()
    assert values["log_distance_to_target"].between(0.0, np.log1p(21.0)).all()
    assert values["democracy"].between(0.0, 1.0).all()
    binary = ["defence_pact_with_primary", "other_pledge_with_primary", "alliance_with_target"]
    assert values[[*binary, "major_power"]].isin([0.0, 1.0]).all().all()
    assert (values["defence_pact_with_primary"] * values["other_pledge_with_primary"] == 0).all()


def test_every_fallback_is_counted(frame):
    attrs = frame.attrs
    for partner in ("target", "primary"):
        sources = [
            f"num_trade_{partner}_{s}" for s in ("observed", "earlier_year", "missing_as_zero")
        ]
        assert sum(attrs[key] for key in sources) == len(frame)
    distance = [key for key in attrs if key.startswith("num_distance_")]
    assert sum(attrs[key] for key in distance) == len(frame)


def test_community_members_are_not_candidates_when_the_community_is_listed(frame):
    rows = frame[frame["community_listed"]]
    assert not european_community_member(rows["ccode"], rows["start_year"]).any()
    assert frame.attrs["num_rows_european_community_dropped"] > 0


def test_alignment_slots_are_empty_until_an_agreement_table_is_given(frame, shared_data_dir):
    assert frame[list(ALIGNMENT_NAMES)].isna().all().all()
    assert fitted_covariates(frame) == COVARIATE_NAMES
    with pytest.raises(DataError, match="alignment"):
        candidate_arrays(frame, (*COVARIATE_NAMES, *ALIGNMENT_NAMES))
    pairs = frame[["ccode", "primary", "primary_year"]].drop_duplicates()
    agreement = pd.DataFrame(
        {
            "ccode_a": pairs["primary"],  # the reverse order of the lookup: either order works
            "ccode_b": pairs["ccode"],
            "year": pairs["primary_year"],
            "agreement": 0.25 + 0.5 * ((pairs["ccode"] + pairs["primary"]) % 2),  # symmetric
        }
    )
    aligned = load_candidates(shared_data_dir, agreement=agreement)
    expected = 0.25 + 0.5 * ((aligned["ccode"] + aligned["primary"]) % 2)
    np.testing.assert_allclose(aligned["alignment_with_primary"], expected)
    assert aligned.attrs["num_alignment_primary_median"] == 0
    # target pairs were not given (except where a target was another case's primary)
    assert 0.5 * len(aligned) < aligned.attrs["num_alignment_target_median"] < len(aligned)
    assert np.isfinite(aligned["alignment_with_target"]).all()
    assert fitted_covariates(aligned) == (*COVARIATE_NAMES, *ALIGNMENT_NAMES)
    assert candidate_arrays(aligned, fitted_covariates(aligned))["covariates"].shape[1] == 13


def test_candidate_arrays_and_the_listing_cap(frame):
    arrays = candidate_arrays(frame)
    assert arrays["covariates"].shape == (len(frame), len(COVARIATE_NAMES))
    assert arrays["truncated"].shape == (frame["caseid"].nunique(),)
    assert arrays["truncated"].min() == 1.0 and arrays["known"].min() == 1.0
    capped = candidate_arrays(frame, listing="capped_unknown")["known"]
    unknown = frame["listing_capped"] & (frame["joined"] == 0)
    np.testing.assert_array_equal(capped == 0, unknown.to_numpy())
    with pytest.raises(DataError, match="listing"):
        candidate_arrays(frame, listing="guess")


def test_all_cases_selection_and_its_case_control_sample(frame, shared_data_dir):
    everything = load_candidates(shared_data_dir, selection="all")
    assert everything.attrs["num_cases"] > 5 * frame.attrs["num_cases"]
    assert everything["joined"].sum() == frame["joined"].sum()
    sample = case_control_sample(everything, 0.1)
    assert sample["joined"].sum() == everything["joined"].sum()
    np.testing.assert_allclose(sample["offset"], -np.log(0.1), rtol=1e-6)
    assert candidate_arrays(sample)["truncated"].max() == 0.0
    with pytest.raises(DataError, match="multi_sender"):
        case_control_sample(frame, 0.1)
    with pytest.raises(DataError, match="selection"):
        load_candidates(shared_data_dir, selection="some")


def test_provenance_names_every_file_and_ties(shared_data_dir):
    provenance = data_provenance(shared_data_dir)
    assert "sanctions/ties_v4_1.csv" in provenance["files"]
    assert "trade/cow_trade_ndy.csv.gz" in provenance["files"]
    assert "Morgan" in provenance["citations"]["TIES 4.1"]
    assert all(len(entry["sha256"]) == 64 for entry in provenance["files"].values())


@pytest.mark.parametrize(
    ("ccode", "year", "member"),
    [
        (260, 1958, True),  # West Germany, a founder, as the table's Germany (255)
        (255, 1995, True),
        (200, 1972, False),  # the United Kingdom joined on 1973-01-01
        (200, 1973, True),
        (290, 2003, False),  # Poland joined on 2004-05-01: a member in its accession year
        (290, 2004, True),
        (2, 1990, False),
    ],
)
def test_community_membership_is_read_from_the_eu_table(ccode, year, member):
    assert european_community_member([ccode], [year]).tolist() == [member]
