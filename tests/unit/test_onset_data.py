"""The onset model's directed dyad-years (issue 10) on the real files, and the case-control
offset on simulated data.

The real-data tests build the full table once per module (about 3 s, under 0.5 GB) and
skip when the shared data folder is absent; the case-control recovery test needs no data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskengine.data import paths
from riskengine.errors import DataError, UsageError
from riskengine.models.onset.data import (
    PREDICTOR_NAMES,
    case_control_sample,
    data_provenance,
    load_dyad_years,
    onset_arrays,
)

USA, CANADA, UK, FRANCE, RUSSIA = 2, 20, 200, 220, 365
BINARY = tuple(
    name
    for name in PREDICTOR_NAMES
    if name not in {"target_allied_capability", "capability_ratio", "log_distance"}
    and not name.startswith("peace_years")
)


@pytest.fixture(scope="module")
def folder():
    try:
        return paths.data_dir()
    except DataError:
        pytest.skip("../shared/data not found; set RISKENGINE_DATA_DIR=/path/to/shared/data")


@pytest.fixture(scope="module")
def frame(folder) -> pd.DataFrame:
    return load_dyad_years(folder)


def _row(frame: pd.DataFrame, challenger: int, target: int, year: int) -> pd.Series:
    selected = frame[
        (frame["challenger"] == challenger) & (frame["target"] == target) & (frame["year"] == year)
    ]
    assert len(selected) == 1, (challenger, target, year)
    return selected.iloc[0]


@pytest.mark.needs_data
def test_rows_are_every_ordered_pair_of_nmc_states(frame, folder):
    nmc = pd.read_csv(folder / "conflict" / "cow_nmc.csv", usecols=["ccode", "year"])
    per_year = nmc[nmc["year"].between(1816, 2014)].groupby("year").size()
    assert len(frame) == int((per_year * (per_year - 1)).sum()) == frame.attrs["num_rows"]
    assert not frame.duplicated(["challenger", "target", "year"]).any()
    assert (frame["challenger"] != frame["target"]).all()
    assert list(frame.columns) == ["challenger", "target", "year", "onset", *PREDICTOR_NAMES]


@pytest.mark.needs_data
def test_events_are_the_originator_onsets_of_the_mid_file(frame, folder):
    mid = pd.read_csv(folder / "conflict" / "cow_mid_directed_dyads.csv")
    chosen = mid[
        (mid["disponset"] == 1) & (mid["sidea1"] == 1) & (mid["orig1"] == 1) & (mid["orig2"] == 1)
    ]
    expected = chosen[["ccode1", "ccode2", "year"]].drop_duplicates()
    assert frame["onset"].dtype == np.int8
    assert int(frame["onset"].sum()) == len(expected) == frame.attrs["num_events"]
    assert frame.attrs["num_event_rows"] == len(chosen)
    events = frame.loc[frame["onset"] == 1, ["challenger", "target", "year"]].astype(int)
    merged = events.merge(
        expected.astype(int),
        left_on=["challenger", "target", "year"],
        right_on=["ccode1", "ccode2", "year"],
        how="inner",
    )
    assert len(merged) == len(expected)


@pytest.mark.needs_data
def test_predictors_have_their_documented_ranges(frame):
    values = frame[list(PREDICTOR_NAMES)]
    assert (values.dtypes == np.float32).all()
    assert np.isfinite(values.to_numpy()).all()
    for name in BINARY:
        assert set(np.unique(values[name])) <= {0.0, 1.0}, name
    assert values["capability_ratio"].between(-6, 6).all()
    assert values["log_distance"].between(0, np.log1p(20.1)).all()
    assert (values["target_allied_capability"] >= 0).all()
    assert (values.loc[values["target_defence_pact"] == 0, "target_allied_capability"] == 0).all()
    assert not ((values["land_contiguity"] == 1) & (values["sea_contiguity"] == 1)).any()
    linear = values["peace_years_linear"].to_numpy(np.float64)
    assert ((linear >= 0) & (linear <= 1)).all()
    np.testing.assert_allclose(values["peace_years_quadratic"], linear**2, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(values["peace_years_cubic"], linear**3, rtol=1e-5, atol=1e-7)
    eras = values[["era_before_1914", "era_world_wars", "era_cold_war"]].sum(axis=1)
    assert (eras == (frame["year"] < 1990)).all()


@pytest.mark.needs_data
def test_known_facts(frame):
    assert _row(frame, USA, CANADA, 1960)["land_contiguity"] == 1
    assert _row(frame, USA, CANADA, 1960)["log_distance"] == 0
    uk_france = _row(frame, UK, FRANCE, 1960)
    assert uk_france["sea_contiguity"] == 1 and uk_france["land_contiguity"] == 0
    assert _row(frame, FRANCE, UK, 1942)["sea_contiguity"] == 0  # occupied France: no entry
    assert _row(frame, USA, UK, 1960)["dyad_defence_pact"] == 1
    assert _row(frame, USA, UK, 1960)["target_defence_pact"] == 1  # the UK's other allies
    for challenger, target in ((USA, RUSSIA), (RUSSIA, USA)):
        assert _row(frame, challenger, target, 1960)["rivalry"] == 1
        assert _row(frame, challenger, target, 1960)["target_major_power"] == 1
    assert _row(frame, USA, RUSSIA, 1960)["joint_democracy"] == 0
    assert _row(frame, USA, UK, 1960)["joint_democracy"] == 1


@pytest.mark.needs_data
def test_peace_years_reset_the_year_after_any_onset(frame, folder):
    mid = pd.read_csv(folder / "conflict" / "cow_mid_directed_dyads.csv")
    onsets = mid.loc[mid["disponset"] == 1, ["ccode1", "ccode2", "year"]].astype(int)
    following = onsets.assign(year=onsets["year"] + 1).rename(
        columns={"ccode1": "challenger", "ccode2": "target"}
    )
    rows = frame.astype({"challenger": int, "target": int, "year": int}).merge(
        following.drop_duplicates(), on=["challenger", "target", "year"]
    )
    assert len(rows) > 1000
    np.testing.assert_allclose(rows["peace_years_linear"], 0.01, rtol=1e-5)
    # Either order: the reverse pair resets too.
    reverse = following.rename(columns={"challenger": "target", "target": "challenger"})
    rows = frame.astype({"challenger": int, "target": int, "year": int}).merge(
        reverse.drop_duplicates(), on=["challenger", "target", "year"]
    )
    np.testing.assert_allclose(rows["peace_years_linear"], 0.01, rtol=1e-5)


@pytest.mark.needs_data
def test_dyad_defence_pact_is_read_in_the_year_before(frame, folder):
    atop = pd.read_csv(folder / "conflict" / "atop_alliance_dyad_years.csv.gz")
    pledged = atop.loc[atop["atop_defense"] == 1, ["ccode1", "ccode2", "year"]].astype(int)
    linked = set(map(tuple, pledged.to_numpy())) | set(
        map(tuple, pledged[["ccode2", "ccode1", "year"]].to_numpy())
    )
    rows = frame[frame["year"] > 1900].sample(3000, random_state=1)
    expected = [
        (c, t, y - 1) in linked
        for c, t, y in rows[["challenger", "target", "year"]].astype(int).to_numpy()
    ]
    # A new state (no NMC row in t - 1) is read in t; there are few, so allow them.
    mismatch = np.asarray(expected) != (rows["dyad_defence_pact"].to_numpy() == 1)
    assert mismatch.sum() <= 0.01 * len(rows)
    assert np.mean(expected) > 0.02


@pytest.mark.needs_data
def test_counts_of_every_fallback_are_recorded(frame):
    attrs = frame.attrs
    distance_keys = [key for key in attrs if key.startswith("num_distance_")]
    assert sum(attrs[key] for key in distance_keys) == len(frame)
    assert attrs["num_events_outside_system"] == 0
    assert attrs["num_challenger_same_year"] == attrs["num_target_same_year"] > 0
    for key in (
        "num_rows_democracy_polyarchy",
        "num_rows_democracy_missing",
        "num_capability_missing",
        "num_defence_partner_years_without_cinc",
        "num_rows_without_earlier_onset",
    ):
        assert isinstance(attrs[key], int) and attrs[key] >= 0


@pytest.mark.needs_data
def test_case_control_sample_keeps_all_events_and_a_fraction_of_controls(frame):
    fraction = 0.02
    sample = case_control_sample(frame, control_fraction=fraction, rng_seed=7)
    events = int(frame["onset"].sum())
    assert int(sample["onset"].sum()) == events
    controls = len(frame) - events
    kept = len(sample) - events
    standard_error = np.sqrt(controls * fraction * (1 - fraction))
    assert abs(kept - controls * fraction) < 5 * standard_error
    np.testing.assert_allclose(sample["offset"], -np.log(fraction), rtol=1e-6)
    assert sample.attrs["control_fraction"] == fraction
    assert sample.attrs["num_events"] == events
    again = case_control_sample(frame, control_fraction=fraction, rng_seed=7)
    pd.testing.assert_frame_equal(sample, again)
    arrays = onset_arrays(sample)
    assert arrays["covariates"].shape == (len(sample), len(PREDICTOR_NAMES))
    assert arrays["covariates"].dtype == np.float32 and arrays["offset"].dtype == np.float32
    assert arrays["onset"].dtype == np.int32 and arrays["year"].dtype == np.int32


@pytest.mark.needs_data
def test_provenance_names_every_file_with_its_hash(folder):
    provenance = data_provenance(folder)
    assert len(provenance["files"]) == 7
    for entry in provenance["files"].values():
        assert len(entry["sha256"]) == 64 and entry["citation"]
    assert "Thompson-Dreyer rivalries" in provenance["citations"]


def test_bad_arguments_are_usage_errors():
    frame = pd.DataFrame({"onset": np.zeros(3, dtype=np.int8)})
    for fraction in (0.0, 1.5):
        with pytest.raises(UsageError, match="control_fraction"):
            case_control_sample(frame, control_fraction=fraction, rng_seed=0)
    with pytest.raises(UsageError, match="first_year"):
        load_dyad_years(first_year=1800)
    with pytest.raises(DataError, match="onset"):
        case_control_sample(pd.DataFrame({"x": [1]}), control_fraction=0.5, rng_seed=0)


def test_onset_arrays_without_offset_gives_zeros():
    frame = pd.DataFrame({name: np.zeros(4, np.float32) for name in PREDICTOR_NAMES})
    frame["onset"], frame["year"] = np.int8(0), np.int16(2000)
    arrays = onset_arrays(frame)
    assert (arrays["offset"] == 0).all() and arrays["offset"].dtype == np.float32


def _fit_logistic(design: np.ndarray, outcome: np.ndarray, offset: np.ndarray):
    """Maximum likelihood by Newton's method; returns (estimate, standard errors)."""
    beta = np.zeros(design.shape[1])
    share = outcome.mean()  # start at the intercept-only fit, where Newton is stable
    beta[0] = np.log(share / (1 - share)) - offset.mean()
    for _ in range(50):
        probability = 1.0 / (1.0 + np.exp(-(design @ beta + offset)))
        gradient = design.T @ (outcome - probability)
        information = (design * (probability * (1 - probability))[:, None]).T @ design
        step = np.linalg.solve(information, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta, np.sqrt(np.diag(np.linalg.inv(information)))


def test_case_control_offset_recovers_the_population_intercept():
    intercept, slope, fraction = -5.0, 0.8, 0.05
    rng = np.random.default_rng(20240610)
    covariate = rng.normal(size=400_000)
    probability = 1.0 / (1.0 + np.exp(-(intercept + slope * covariate)))
    population = pd.DataFrame(
        {"x": covariate, "onset": (rng.random(covariate.size) < probability).astype(np.int8)}
    )
    sample = case_control_sample(population, control_fraction=fraction, rng_seed=3)
    design = np.column_stack([np.ones(len(sample)), sample["x"].to_numpy()])
    outcome = sample["onset"].to_numpy(np.float64)
    offset = sample["offset"].to_numpy(np.float64)
    estimate, standard_error = _fit_logistic(design, outcome, offset)
    assert abs(estimate[0] - intercept) < 5 * standard_error[0]
    assert abs(estimate[1] - slope) < 5 * standard_error[1]
    # Negative control: without the offset the intercept is off by log(1 / f) = 3.0.
    naive, naive_error = _fit_logistic(design, outcome, np.zeros(len(sample)))
    assert abs(naive[0] - intercept) > 5 * naive_error[0]
    np.testing.assert_allclose(naive[0] - estimate[0], -np.log(fraction), atol=5 * naive_error[0])
