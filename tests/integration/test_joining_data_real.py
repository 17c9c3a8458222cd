"""The joining data on the real COW MID 5.0, NMC 7.0, ATOP 5.1 and contiguity files:
who is a candidate, who joined, and the case-control sample the fit uses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine.data import paths
from riskengine.errors import DataError
from riskengine.models.joining.data import (
    CONTROL_FRACTION,
    COVARIATE_NAMES,
    candidate_arrays,
    case_control_sample,
    load_candidates,
)

pytestmark = pytest.mark.needs_data


@pytest.fixture(scope="module")
def folder():
    try:
        folder = paths.data_dir()
    except DataError:
        pytest.skip("../shared/data not found; set RISKENGINE_DATA_DIR")
    if not (folder / "conflict" / "cow_contdir.csv").is_file():
        pytest.skip("conflict/cow_contdir.csv not in the data folder; set RISKENGINE_DATA_DIR")
    return folder


@pytest.fixture(scope="module")
def candidates(folder):
    return load_candidates(folder)


@pytest.fixture(scope="module")
def dyads(folder):
    return pd.read_csv(folder / "conflict" / "cow_mid_directed_dyads.csv")


def test_counts(candidates):
    assert len(candidates) == 595_718
    assert candidates["joined"].sum() == 660
    assert candidates.attrs["num_joiners_outside"] == 2
    joined = candidates["joined"] == 1
    assert candidates.loc[joined, "defence_pact"].sum() == 265
    # joining is ten times likelier with a defence pact with the side's originators
    pact = candidates.groupby("defence_pact")["joined"].mean()
    assert pact[1.0] > 5 * pact[0.0]


def test_joiners_are_non_originators_on_their_side(candidates, dyads):
    coded = (
        dyads.assign(defending_side=1 - dyads["sidea1"])
        .groupby(["dispnum", "ccode1", "defending_side"])["orig1"]
        .max()
    )
    joined = candidates.loc[candidates["joined"] == 1]
    keys = zip(
        joined["dispute_id"], joined["ccode"], joined["defending_side"].astype(int), strict=True
    )
    assert all(coded[key] == 0 for key in keys)


def test_candidates_exclude_originators(candidates, dyads):
    originators = dyads.loc[dyads["orig1"] == 1, ["dispnum", "ccode1"]].drop_duplicates()
    found = candidates.merge(
        originators, left_on=["dispute_id", "ccode"], right_on=["dispnum", "ccode1"]
    )
    assert found.empty
    # both sides of every dispute, one row per candidate and side
    assert not candidates.duplicated(["dispute_id", "ccode", "defending_side"]).any()


def test_munich_1938_joiners(candidates):
    dispute = candidates.loc[(candidates["dispute_id"] == 12) & (candidates["joined"] == 1)]
    assert set(dispute["ccode"]) >= {200, 220}
    assert (dispute["defending_side"] == 1).all()
    france = dispute.loc[dispute["ccode"] == 220].iloc[0]
    assert france["defence_pact"] == 1 and france["start_year"] == 1938


def test_covariates_are_coded(candidates):
    binary = [n for n in COVARIATE_NAMES if n != "log_capability"]
    assert candidates[binary].isin([0.0, 1.0]).all().all()
    assert not ((candidates["defence_pact"] == 1) & (candidates["other_pledge"] == 1)).any()
    assert candidates["peak_level"].between(1, 4).all()
    assert (candidates["duration_months"] >= 1).all()
    assert np.isfinite(candidates["log_capability"]).all()


def test_case_control_sample_keeps_cases_and_committed(candidates):
    sample = case_control_sample(candidates)
    assert sample["joined"].sum() == candidates["joined"].sum()
    assert sample["committed"].sum() == candidates["committed"].sum()
    controls = (~candidates["committed"]) & (candidates["joined"] == 0)
    kept = (~sample["committed"]) & (sample["joined"] == 0)
    assert kept.sum() == pytest.approx(CONTROL_FRACTION * controls.sum(), rel=0.03)
    offsets = sample["sampling_log_fraction"]
    assert np.allclose(offsets[~sample["committed"]], np.log(CONTROL_FRACTION))
    assert (offsets[sample["committed"]] == 0).all()
    arrays = candidate_arrays(sample)
    assert arrays["covariates"].shape == (len(sample), len(COVARIATE_NAMES))
