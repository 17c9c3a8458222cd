"""``riskengine fit sanctions`` on a researcher's own case table: the columns map names the
columns; every bad input is one clear line, exit code 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
import xarray as xr

from riskengine.models.sanctions.case_table import TIES_COLUMNS_MAP, write_case_table
from riskengine.models.sanctions.data import load_cases

pytestmark = pytest.mark.needs_data


@pytest.fixture(scope="module")
def case_table(tmp_path_factory, shared_data_dir) -> Path:
    """The TIES-derived table written as a CSV, its columns renamed as a researcher might."""
    frame = load_cases(shared_data_dir).head(120)
    path = tmp_path_factory.mktemp("cases") / "cases.csv"
    write_case_table(frame, path)
    return path


def _no_files(folder: Path) -> None:
    assert not any(folder.glob("*.nc")) and not any(folder.glob("*.json")), list(folder.iterdir())


def test_a_case_table_without_a_columns_map_is_refused(run_cli, case_table, tmp_path):
    result = run_cli("fit", "sanctions", "--data", case_table, "--out", tmp_path / "p.nc")
    assert result.returncode == 2
    assert "--data: got the file" in result.stderr and "--columns MAP.yaml" in result.stderr
    assert "Traceback" not in result.stderr
    _no_files(tmp_path)


def test_a_mistyped_column_is_one_clear_error(run_cli, case_table, tmp_path):
    mapping = (
        Path(TIES_COLUMNS_MAP)
        .read_text()
        .replace("duration_months: duration_months", "duration_months: duraton")
    )
    columns = tmp_path / "columns.yaml"
    columns.write_text(mapping)
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(
        "fit", "sanctions", "--data", case_table, "--columns", columns, "--out", out / "p.nc"
    )
    assert result.returncode == 2, result.stderr
    assert "columns.duration_months" in result.stderr and "'duraton'" in result.stderr
    assert "available:" in result.stderr and "Traceback" not in result.stderr
    _no_files(out)


def test_a_case_table_fits_with_its_columns_map(run_cli, case_table, tmp_path):
    out = tmp_path / "posterior.nc"
    result = run_cli(
        "fit", "sanctions", "--data", case_table, "--columns", TIES_COLUMNS_MAP,
        "--out", out, "--chains", "1", "--warmup", "30", "--samples", "30",
        "--chain-method", "sequential",
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr  # 1: a floor missed by so short a fit
    with xr.open_datatree(out, engine="h5netcdf") as tree:
        assert tree["posterior"].sizes["draw"] == 30
        assert "case_table" in tree.attrs["data"]
        assert "outcome_coefficients" in tree["posterior"]
