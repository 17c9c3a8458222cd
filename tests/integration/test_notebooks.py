"""The notebooks: stored clean, paired with their scripts, and run end to end.

Each run executes a notebook in a real Jupyter kernel with papermill at a reduced size
(the quickstart at 2 chains x 5 draws x 500 paths; the sanctions notebook with a short
fit on the real TIES cases; the deterrence notebook on the real dyad-years and MID files
with the Baltic scenario at 4 chains x 5 draws x 300 paths; the institutions notebook with
two coalition scenarios at 2 chains x 3 draws x 300 paths; the supply notebook with the
Taiwan cascade at 2 chains x 5 draws x 300 paths; dask threads scheduler). The kernel is ``python3``: in a
virtual environment Jupyter looks for kernelspecs in the environment first, and the
``python3`` spec there (installed with ipykernel) starts this interpreter.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import riskengine

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
QUICKSTART = NOTEBOOKS / "01_quickstart.ipynb"
SANCTIONS = NOTEBOOKS / "02_sanctions.ipynb"
DETERRENCE = NOTEBOOKS / "03_deterrence.ipynb"
INSTITUTIONS = NOTEBOOKS / "04_institutions.ipynb"
SUPPLY = NOTEBOOKS / "05_supply_and_cascade.ipynb"
NOTEBOOK_FILES = [QUICKSTART, SANCTIONS, DETERRENCE, INSTITUTIONS, SUPPLY]
PARAMETER_NAMES = {
    QUICKSTART: {
        "config_path",
        "paths_per_draw",
        "num_draws",
        "num_chains",
        "scheduler",
        "output_dir",
    },
    SANCTIONS: {
        "fit_chains",
        "fit_warmup",
        "fit_samples",
        "ppc_draws",
        "paths_per_draw",
        "num_draws",
        "scheduler",
    },
    DETERRENCE: {"paths_per_draw", "num_draws", "num_chains", "scheduler", "scenario_path"},
    INSTITUTIONS: {"paths_per_draw", "num_draws", "num_chains", "scheduler", "config_dir"},
    SUPPLY: {"paths_per_draw", "num_draws", "num_chains", "scheduler", "scenario_path"},
}
REDUCED = dict(paths_per_draw=500, num_draws=5, num_chains=2, scheduler="threads")
NUM_VARIANTS = 4  # the three of configs/quickstart.yaml and the one the notebook adds


def _read(path: Path):
    nbformat = pytest.importorskip("nbformat")
    return nbformat.read(path, as_version=4)


def _code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda path: path.stem)
def test_stored_notebook_has_no_outputs_and_kernel_metadata(path):
    notebook = _read(path)
    with_outputs = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not with_outputs, (
        f"{path.name}: cells {with_outputs} have outputs or execution counts; "
        "clear them (Jupyter: Edit > Clear Outputs of All Cells) before committing"
    )
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert notebook.metadata["language_info"]["name"] == "python"


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda path: path.stem)
def test_first_code_cell_holds_the_papermill_parameters(path):
    first = _code_cells(_read(path))[0]
    assert "parameters" in first.metadata.get("tags", [])
    assigned = {line.split("=")[0].strip() for line in first.source.splitlines() if "=" in line}
    expected = PARAMETER_NAMES[path]
    assert assigned >= expected, f"missing parameters: {expected - assigned}"


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda path: path.stem)
def test_paired_script_matches_notebook(path):
    jupytext = pytest.importorskip("jupytext")
    from jupytext.compare import compare_notebooks

    notebook = jupytext.read(path)
    assert notebook.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    script = jupytext.read(path.with_suffix(".py"), fmt="py:percent")
    # Raises with the first differing cell; fix with `jupytext --sync notebooks/<name>.py`.
    compare_notebooks(script, notebook, fmt="py:percent")


def _outputs(notebook):
    for cell in _code_cells(notebook):
        yield from cell.outputs


def _execute(notebook: Path, tmp_path: Path, **parameters) -> list:
    """Run ``notebook`` in a real kernel with papermill (from notebooks/, whose relative
    default paths it uses) and return its outputs, failing on any error output."""
    papermill = pytest.importorskip("papermill")
    executed_path = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(notebook),
        str(executed_path),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        execution_timeout=300,
    )
    outputs = list(_outputs(_read(executed_path)))
    errors = [f"{o.ename}: {o.evalue}" for o in outputs if o.output_type == "error"]
    assert not errors, errors
    return outputs


def test_quickstart_notebook_runs(tmp_path):
    outputs = _execute(QUICKSTART, tmp_path, **REDUCED, output_dir=str(tmp_path))
    markdown = [o.data["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})]
    assert any("### Probability: war within 24 months" in text for text in markdown), markdown

    cube = riskengine.open_cube(tmp_path / "cube.zarr")
    predictions = cube["predictions"]
    assert dict(predictions.sizes) == {
        "chain": REDUCED["num_chains"],
        "draw": REDUCED["num_draws"],
        "variant": NUM_VARIANTS,
        "month": 24,
        "level": 5,
    }
    assert np.all(predictions["path_count"].values == REDUCED["paths_per_draw"])
    assert int(cube.attrs["paths_per_draw"]) == REDUCED["paths_per_draw"]
    assert "commit_and_mediate" in predictions["variant"].values
    assert "escalation.coefficients" in cube["posterior"].data_vars  # namespaced by model
    brief_text = (tmp_path / "brief.md").read_text(encoding="utf-8")
    assert brief_text == str(riskengine.brief(cube))


@pytest.mark.needs_data
def test_sanctions_notebook_runs(tmp_path, shared_data_dir):
    outputs = _execute(
        SANCTIONS,
        tmp_path,
        fit_chains=1,
        fit_warmup=40,
        fit_samples=40,
        ppc_draws=50,
        paths_per_draw=300,
        num_draws=5,
    )
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "540 cases" in text
    assert "*success (broad): multilateral" in text  # the posterior predictive table
    markdown = [o.data["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})]
    assert any("within 24 months of imposition" in m for m in markdown), markdown
    frames = [o.data["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("P(success | use of force)" in html for html in frames)


@pytest.mark.needs_data
def test_deterrence_notebook_runs(tmp_path, shared_data_dir):
    outputs = _execute(DETERRENCE, tmp_path, paths_per_draw=300, num_draws=5)
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "2,692 originator onsets" in text
    assert "escalation: covariates constant in the data (prior only): ['crisis_management']" in text
    assert "distinguishable from zero at this size:" in text
    data = [o.get("data", {}) for o in outputs]
    html = "".join(d.get("text/html", "") for d in data)
    assert "gained joiners" in html and "several originators on a side" in html
    assert "P(war | challenge)" in html and "change vs baseline" in html
    markdown = "".join(d.get("text/markdown", "") for d in data)
    assert "a militarized challenge within 24 months" in markdown  # the brief


def test_institutions_notebook_runs(tmp_path):
    outputs = _execute(INSTITUTIONS, tmp_path, paths_per_draw=300, num_draws=3, num_chains=2)
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "P(authorised within 12 months)" in html and "free-riding index" in html
    assert "P(force while deliberating)" in html
    assert "China" in html and "Hungary" in html
    markdown = "".join(o.get("data", {}).get("text/markdown", "") for o in outputs)
    assert "the institution authorises the action within 12 months" in markdown


@pytest.mark.needs_data
def test_supply_notebook_runs(tmp_path, shared_data_dir):
    outputs = _execute(SUPPLY, tmp_path, paths_per_draw=300, num_draws=5, num_chains=2)
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "headline: European Union, rare_earths_magnet, shortfall within 12 months" in text
    assert "2 chains x 5 draws x 300 paths x 3 variants" in text
    assert "supply_chain: not fitted to data" in text  # the run's warning, printed
    data = [o.get("data", {}) for o in outputs]
    html = "".join(d.get("text/html", "") for d in data)
    assert "reads from the path" in html and "Strait of Malacca" in html  # the chain
    assert "VaR MCSE" in html and "ES 90% interval over draws" in html  # tail_table
    assert "P(lever lowers the risk)" in html and "allied_pool_90d" in html
    assert "P(shortfall | use of force)" in html and "P(use of force | shortfall)" in html
    assert "importance sampling" in html and "variance ratio" in html
    assert sum("image/png" in d for d in data) == 2  # exceedance curves, monthly shortfall
    markdown = "".join(d.get("text/markdown", "") for d in data)
    assert markdown  # the brief
