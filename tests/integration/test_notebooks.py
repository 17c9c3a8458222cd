"""The quickstart notebook: stored clean, paired with its script, and runs end to end.

The run executes the notebook in a real Jupyter kernel with papermill at a reduced size
(2 chains x 5 draws x 500 paths, dask threads scheduler). The kernel is ``python3``: in a
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
QUICKSTART_SCRIPT = NOTEBOOKS / "01_quickstart.py"
PARAMETER_NAMES = {
    "config_path",
    "paths_per_draw",
    "num_draws",
    "num_chains",
    "scheduler",
    "output_dir",
}
REDUCED = dict(paths_per_draw=500, num_draws=5, num_chains=2, scheduler="threads")
NUM_VARIANTS = 4  # the three of configs/quickstart.yaml and the one the notebook adds


def _read(path: Path):
    nbformat = pytest.importorskip("nbformat")
    return nbformat.read(path, as_version=4)


def _code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_stored_notebook_has_no_outputs_and_kernel_metadata():
    notebook = _read(QUICKSTART)
    with_outputs = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not with_outputs, (
        f"{QUICKSTART.name}: cells {with_outputs} have outputs or execution counts; "
        "clear them (Jupyter: Edit > Clear Outputs of All Cells) before committing"
    )
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert notebook.metadata["language_info"]["name"] == "python"


def test_first_code_cell_holds_the_papermill_parameters():
    first = _code_cells(_read(QUICKSTART))[0]
    assert "parameters" in first.metadata.get("tags", [])
    assigned = {line.split("=")[0].strip() for line in first.source.splitlines() if "=" in line}
    assert assigned >= PARAMETER_NAMES, f"missing parameters: {PARAMETER_NAMES - assigned}"


def test_paired_script_matches_notebook():
    jupytext = pytest.importorskip("jupytext")
    from jupytext.compare import compare_notebooks

    notebook = jupytext.read(QUICKSTART)
    assert notebook.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    script = jupytext.read(QUICKSTART_SCRIPT, fmt="py:percent")
    # Raises with the first differing cell; fix with `jupytext --sync notebooks/01_quickstart.py`.
    compare_notebooks(script, notebook, fmt="py:percent")


def _outputs(notebook):
    for cell in _code_cells(notebook):
        yield from cell.outputs


def test_quickstart_notebook_runs(tmp_path):
    papermill = pytest.importorskip("papermill")
    executed_path = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(QUICKSTART),
        str(executed_path),
        parameters=dict(**REDUCED, output_dir=str(tmp_path)),
        kernel_name="python3",
        cwd=str(NOTEBOOKS),  # the default config_path is relative to notebooks/
        progress_bar=False,
        execution_timeout=300,
    )
    executed = _read(executed_path)
    outputs = list(_outputs(executed))

    errors = [f"{o.ename}: {o.evalue}" for o in outputs if o.output_type == "error"]
    assert not errors, errors
    markdown = [o.data["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})]
    assert any("## Probability: war within 24 months" in text for text in markdown), markdown

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
