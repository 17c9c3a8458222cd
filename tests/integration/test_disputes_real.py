"""load_disputes on the real COW MID 5.0 / NMC 7.0 / ATOP 5.1 files in ../shared/data.

Reference figures from the shared data README: 106 of 2,436 disputes reach war; the war
share is 14.5% with more than one state on a side and 2.5% for bilateral disputes.
Counting originators only (issue 10): 165 disputes have several originators on a side
(war share 4.8%), 238 gained joiners (20.2%).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine.data import paths
from riskengine.errors import DataError
from riskengine.models.escalation.data import (
    COVARIATE_NAMES,
    data_provenance,
    dispute_arrays,
    load_disputes,
)

pytestmark = pytest.mark.needs_data


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    try:
        folder = paths.data_dir()
    except DataError:
        pytest.skip("../shared/data not found; set RISKENGINE_DATA_DIR")
    if not (folder / "conflict" / "cow_mid_disputes.csv").is_file():
        pytest.skip("../shared/data not found; set RISKENGINE_DATA_DIR")
    return load_disputes(folder)


def test_every_dispute_is_kept(frame):
    assert len(frame) == 2436
    assert frame["dispute_id"].is_unique


def test_wars_and_war_shares_match_the_readme(frame):
    war = frame["peak_level"] == 4
    multi = (frame["num_challenger_side"] > 1) | (frame["num_defender_side"] > 1)
    multi_share, bilateral_share = war[multi].mean(), war[~multi].mean()
    print(f"wars {war.sum()}; war share multi {multi_share:.4f}, bilateral {bilateral_share:.4f}")
    assert war.sum() == 106
    assert abs(multi_share - 0.145) < 0.005
    assert abs(bilateral_share - 0.025) < 0.005


def test_originator_groups_match_issue_10(frame):
    war = frame["peak_level"] == 4
    multi = (frame["num_challenger_originators"] > 1) | (frame["num_defender_originators"] > 1)
    assert multi.sum() == 165
    assert abs(war[multi].mean() - 0.048) < 0.0005
    assert frame["gained_joiners"].sum() == 238
    assert abs(war[frame["gained_joiners"]].mean() - 0.202) < 0.0005
    assert frame.attrs["num_sides_without_originator"] == 1  # dispute 4344, side B


def test_columns_are_in_range(frame):
    assert frame["peak_level"].between(1, 4).all()
    assert (frame["duration_months"] >= 1).all()
    assert frame["start_year"].between(1816, 2014).all()
    covariates = frame[list(COVARIATE_NAMES)].to_numpy()
    assert np.isfinite(covariates).all()
    assert (np.abs(frame["capability_ratio"]) <= 6.0).all()


def test_covariate_shares_are_plausible(frame):
    shares = {
        name: frame[name].mean()
        for name in ("defender_defence_pact", "challenger_defence_pact", "major_power")
    }
    print({name: round(value, 4) for name, value in shares.items()}, dict(frame.attrs))
    for name in ("defender_allied_capability", "challenger_allied_capability"):
        print(name, frame[name].describe().round(3).to_dict())
        assert frame[name].between(0.0, 6.0).all()
        assert ((frame[name] > 0) <= (frame[name.split("_")[0] + "_defence_pact"] > 0)).all()
    assert 0.4 < shares["defender_defence_pact"] < 0.8
    assert 0.4 < shares["challenger_defence_pact"] < 0.8
    assert 0.2 < shares["major_power"] < 0.8
    assert frame.attrs["num_capability_missing"] < 50
    assert frame.attrs["num_start_year_fallbacks"] < 100


def test_arrays_and_provenance(frame):
    arrays = dispute_arrays(frame)
    assert arrays["covariates"].shape == (2436, len(COVARIATE_NAMES))
    assert arrays["covariates"].dtype == np.float32
    provenance = data_provenance(frame.attrs["data_dir"])
    assert set(provenance["files"]) == {
        "conflict/cow_mid_disputes.csv",
        "conflict/cow_mid_directed_dyads.csv",
        "conflict/cow_nmc.csv",
        "conflict/atop_alliance_dyad_years.csv.gz",
    }
    assert all(len(entry["sha256"]) == 64 for entry in provenance["files"].values())
