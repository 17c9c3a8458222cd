"""The sanctions model on the real TIES cases: a short fit runs, and the shipped posterior
(``riskengine/models/sanctions/fitted/posterior.nc``, written by
``scripts/fit_sanctions.sh``) meets the diagnostic floors and its stored posterior
predictive check has the four required success rows inside their intervals."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from riskengine.inference.fit import DIAGNOSTIC_FLOORS, diagnostics
from riskengine.models.sanctions import core
from riskengine.models.sanctions.fit import POSTERIOR_PATH, PPC_PATH

pytestmark = pytest.mark.needs_data


@pytest.fixture(scope="module")
def cases(shared_data_dir):
    data = pytest.importorskip(
        "riskengine.models.sanctions.data",
        reason="the TIES loader (riskengine.models.sanctions.data) is not on this branch",
    )
    if not (shared_data_dir / "sanctions" / "ties_v4_1.csv").is_file():
        pytest.skip(f"TIES not found under {shared_data_dir}/sanctions; set RISKENGINE_DATA_DIR")
    return data.case_arrays(data.load_cases(shared_data_dir))


@pytest.fixture(scope="module")
def shipped() -> xr.DataTree:
    if not POSTERIOR_PATH.exists():
        pytest.fail(f"{POSTERIOR_PATH} is missing: run scripts/fit_sanctions.sh")
    with xr.open_datatree(POSTERIOR_PATH, engine="h5netcdf") as tree:
        return tree.load()


def test_shipped_posterior_meets_the_floors(shipped):
    stored = json.loads(shipped.attrs["diagnostics"])
    assert stored["max_rhat"] <= DIAGNOSTIC_FLOORS["max_rhat"], stored
    assert stored["min_ess_bulk"] >= DIAGNOSTIC_FLOORS["min_ess_bulk"], stored
    assert stored["min_ess_tail"] >= DIAGNOSTIC_FLOORS["min_ess_tail"], stored
    assert stored["divergences"] == 0, stored
    recomputed = diagnostics(shipped)
    for name in ("max_rhat", "min_ess_bulk", "min_ess_tail", "divergences"):
        assert np.isclose(stored[name], recomputed[name], rtol=1e-3), (name, stored, recomputed)


def test_shipped_posterior_has_every_parameter_and_its_provenance(shipped):
    posterior = shipped["posterior"].to_dataset()
    for name, dims in core.PARAMETER_DIMS.items():
        assert posterior[name].dims == ("chain", "draw", *dims), name
    assert list(posterior["outcome_cutpoint"].values) == [
        "failure|negotiated_settlement",
        "negotiated_settlement|acquiescence",
    ]
    assert list(posterior["cost_cutpoint"].values) == ["minor|major", "major|severe"]
    for key in ("data", "seed", "command", "package_versions", "fit_seconds"):
        assert key in shipped.attrs, key
    assert "sha256" in shipped.attrs["data"]


def test_shipped_ppc_required_rows_are_inside():
    table = json.loads(PPC_PATH.read_text())
    rows = {row["statistic"]: row for row in table["rows"]}
    assert len(table["required_inside"]) == 4
    for name in table["required_inside"]:
        row = rows[name]
        assert row["inside"], row
        assert row["lower_5"] <= row["observed"] <= row["upper_95"], row
    assert table["passed"]
