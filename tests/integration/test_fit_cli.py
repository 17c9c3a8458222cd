"""``riskengine fit escalation`` end to end on the real disputes (short chains).

The shipped fit takes minutes; here 2 chains x (30 warmup + 30 draws) exercise the whole
path: data loading and provenance, the Laplace warm start, NUTS, the DataTree written
atomically as NetCDF, the posterior predictive table and its JSON. A short fit may miss
the diagnostic floors, so exit code 1 is accepted; bad input must give 2 and no file.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import xarray as xr

from riskengine.data import paths
from riskengine.errors import DataError

pytestmark = pytest.mark.needs_data


def _fit(*arguments, cwd):
    command = [sys.executable, "-m", "riskengine.cli", "fit", "escalation", *arguments]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=900)


@pytest.fixture(scope="module")
def short_fit(tmp_path_factory):
    try:
        paths.data_dir()
    except DataError:
        pytest.skip("../shared/data not found; set RISKENGINE_DATA_DIR")
    folder = tmp_path_factory.mktemp("fit")
    out = folder / "short_posterior.nc"
    arguments = ("--out", str(out), "--chains", "2", "--warmup", "30", "--samples", "30")
    result = _fit(*arguments, "--ppc", "--seed", "5", cwd=folder)
    return result, out


def test_short_fit_writes_the_posterior_with_provenance(short_fit):
    result, out = short_fit
    assert result.returncode in (0, 1), result.stderr[-3000:]
    assert "max R-hat" in result.stdout and "posterior written" in result.stdout
    with xr.open_datatree(out, engine="h5netcdf") as tree:
        posterior = tree["posterior"].to_dataset()
        assert (posterior.sizes["chain"], posterior.sizes["draw"]) == (2, 30)
        assert posterior["coefficients"].dims == ("chain", "draw", "covariate")
        assert {"diverging", "n_steps", "lp"} <= set(tree["sample_stats"].to_dataset().data_vars)
        attrs = tree.attrs
    assert int(attrs["seed"]) == 5 and json.loads(attrs["nuts"])["num_warmup"] == 30
    assert "conflict/cow_mid_disputes.csv" in json.loads(attrs["data"])["files"]
    assert not list(out.parent.glob(".*.partial"))


def test_short_fit_writes_the_predictive_table(short_fit):
    result, out = short_fit
    table = json.loads(out.with_name("short_ppc.json").read_text())
    assert "war share: all" in result.stdout
    statistics = [row["statistic"] for row in table["rows"]]
    assert statistics[:3] == ["war share: all", "war share: multilateral", "war share: bilateral"]
    assert table["num_draws"] == 60 and isinstance(table["passed"], bool)


def test_missing_data_folder_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "never_posterior.nc"
    result = _fit("--data", str(tmp_path / "missing"), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "missing" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
