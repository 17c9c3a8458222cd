"""load_disputes on the real COW MID 5.0 / NMC 7.0 / ATOP 5.1 files in ../shared/data.

Reference figures from the shared data README: 106 of 2,436 disputes reach war; the war
share is 14.5% with more than one state on a side and 2.5% for bilateral disputes.
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


def test_columns_are_in_range(frame):
    assert frame["peak_level"].between(1, 4).all()
    assert (frame["duration_months"] >= 1).all()
    assert frame["start_year"].between(1816, 2014).all()
    covariates = frame[list(COVARIATE_NAMES)].to_numpy()
    assert np.isfinite(covariates).all()
    assert (np.abs(frame["capability_ratio"]) <= 6.0).all()


def test_covariate_shares_are_plausible(frame):
    multi_defender = frame["num_defender_side"] > 1
    pact_share = frame["defence_pact"].mean()
    ad_hoc_share = frame["ad_hoc_coalition"].mean()
    major_share = frame["major_power"].mean()
    print(
        f"defence pact {pact_share:.4f} (of multi-state defending sides "
        f"{frame.loc[multi_defender, 'defence_pact'].mean():.4f}); ad hoc {ad_hoc_share:.4f}; "
        f"major power {major_share:.4f}; capability missing "
        f"{frame.attrs['num_capability_missing']}"
    )
    print("capability ratio", frame["capability_ratio"].describe().round(3).to_dict())
    print("duration months", frame["duration_months"].describe().round(2).to_dict())
    assert (frame["defence_pact"] + frame["ad_hoc_coalition"]).eq(multi_defender).all()
    assert 0.01 < pact_share < 0.2
    assert 0.2 < major_share < 0.8
    assert frame.attrs["num_capability_missing"] < 50


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
