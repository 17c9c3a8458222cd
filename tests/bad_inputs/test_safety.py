"""User files are data, never code; a run writes only its outputs, only under ``--out``.

- The package source has no call that can run code from a file: no ``yaml.load`` /
  ``yaml.unsafe_load`` / ``yaml.full_load``, no ``pickle`` / ``marshal`` / ``dill`` loads,
  no ``pandas.read_pickle``, no ``numpy.load(..., allow_pickle=True)``, no ``eval`` or
  ``exec``. YAML is read with ``yaml.SafeLoader`` in ``riskengine.config.loading`` only.
- A tiny ``riskengine run`` in a fresh process, whose home, temporary and working
  directories all lie under one root, leaves exactly ``cube.zarr``, ``brief.html`` and
  ``brief.md`` under ``--out``; elsewhere under that root only matplotlib's font list (``CACHES``). The JAX
  compilation cache (``RISKENGINE_JAX_CACHE``, documented; ``off`` disables it) is kept
  where it is, warm.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGE = REPOSITORY / "riskengine"
TINY = REPOSITORY / "tests" / "data" / "tiny.yaml"

UNSAFE_ATTRIBUTES = {
    "yaml": {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all"},
    "pickle": {"load", "loads", "Unpickler"},
    "cPickle": {"load", "loads"},
    "dill": {"load", "loads"},
    "cloudpickle": {"load", "loads"},
    "marshal": {"load", "loads"},
    "shelve": {"open"},
    "pd": {"read_pickle"},
    "pandas": {"read_pickle"},
}
UNSAFE_NAMES = {"eval", "exec", "UnsafeLoader", "FullLoader", "Loader"}
CACHES = ("home/.cache/matplotlib/",)
"""Where a run may write besides ``--out`` (below the home directory of the test's root)
and besides the JAX compilation cache."""


def unsafe_calls(source: str, filename: str = "<source>") -> list[str]:
    """``file:line: what`` for each construct of the source that can run code from data."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name) and function.id in {"eval", "exec"}:
                found.append(f"{filename}:{node.lineno}: {function.id}(")
            if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
                module, name = function.value.id, function.attr
                if name in UNSAFE_ATTRIBUTES.get(module, ()):
                    found.append(f"{filename}:{node.lineno}: {module}.{name}(")
                if (module, name) in {("np", "load"), ("numpy", "load")} and any(
                    keyword.arg == "allow_pickle" for keyword in node.keywords
                ):
                    found.append(f"{filename}:{node.lineno}: {module}.load(allow_pickle=...)")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "yaml" and node.attr in UNSAFE_NAMES:
                found.append(f"{filename}:{node.lineno}: yaml.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in {"pickle", "marshal", "dill"}:
            found.append(f"{filename}:{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.ImportFrom) and node.module == "yaml":
            names = {alias.name for alias in node.names}
            if names & (UNSAFE_NAMES | UNSAFE_ATTRIBUTES["yaml"]):
                found.append(f"{filename}:{node.lineno}: from yaml import {sorted(names)}")
    return found


def test_the_package_never_loads_user_files_as_code():
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 50, sources
    found = [
        problem
        for path in sources
        for problem in unsafe_calls(
            path.read_text(encoding="utf-8"), str(path.relative_to(REPOSITORY))
        )
    ]
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        "import yaml\nyaml.load(text)",
        "import yaml\nyaml.load(text, Loader=yaml.SafeLoader)",  # refused too: use read_yaml
        "import yaml\nyaml.unsafe_load(text)",
        "import yaml\nyaml.full_load(text)",
        "from yaml import FullLoader",
        "import pickle\npickle.load(handle)",
        "import pickle\npickle.loads(data)",
        "from pickle import load",
        "import pandas as pd\npd.read_pickle(path)",
        "import numpy as np\nnp.load(path, allow_pickle=True)",
        "eval(text)",
        "exec(compile(text, 'x', 'exec'))",
    ],
)
def test_the_scan_finds_each_unsafe_construct(source):
    """Negative controls: each construct the scan exists for is found."""
    assert len(unsafe_calls(source)) >= 1, source


@pytest.mark.parametrize(
    "source",
    [
        "import yaml\nyaml.SafeLoader(text).get_single_node()",
        "import yaml\nyaml.safe_dump(data)",
        "import ast\nast.literal_eval(text)",
        "model.eval_shape(x)",
        "# yaml.load(text) in a comment\n'eval(text) in a string'",
        "import numpy as np\nnp.load(path)",
    ],
)
def test_the_scan_passes_safe_constructs(source):
    assert unsafe_calls(source) == []


def _files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if not path.is_dir())


def test_a_run_writes_only_its_outputs_and_only_under_out(tmp_path):
    """One root holds the home, temporary and working directories of the process and the
    output directory; after the run every file under the root is one of the outputs."""
    home, temporary, work = tmp_path / "home", tmp_path / "tmp", tmp_path / "work"
    for directory in (home, temporary, work):
        directory.mkdir()
    out = tmp_path / "results" / "run"
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "HOME": str(home),
        "TMPDIR": str(temporary),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        # the compilation cache stays where it is (warm, so the test takes seconds): a
        # cache the README documents, not an output
        "RISKENGINE_JAX_CACHE": os.environ.get(
            "RISKENGINE_JAX_CACHE", str(Path.home() / ".cache" / "riskengine" / "jax")
        ),
    }
    environment.pop("MPLCONFIGDIR", None)
    arguments = ["--paths", "200", "--scheduler", "threads", "--no-progress"]
    result = subprocess.run(
        [sys.executable, "-m", "riskengine", "run", str(TINY), "--out", str(out), *arguments],
        capture_output=True,
        text=True,
        cwd=work,
        env=environment,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    written = _files(tmp_path)
    outputs = [name for name in written if name.startswith("results/run/")]
    caches = [name for name in written if name.startswith(CACHES)]
    assert sorted(outputs + caches) == written, (
        f"written outside --out: {sorted(set(written) - set(outputs) - set(caches))}"
    )
    assert not any(work.iterdir()) and not any(temporary.iterdir())
    expected = ["brief.html", "brief.md", "cube.zarr"]
    assert sorted({Path(name).parts[2] for name in outputs}) == expected
    assert sorted(path.name for path in out.iterdir()) == expected


def test_the_out_rule_accepts_a_new_an_empty_and_a_previous_run_directory(tmp_path):
    """The other side of the corpus' refusals: what ``run --out`` accepts, unchanged."""
    from riskengine.cube.io import RUN_OUTPUTS, check_output_directory

    new = tmp_path / "a" / "b" / "new"
    empty = tmp_path / "empty"
    previous = tmp_path / "previous"
    empty.mkdir()
    (previous / "cube.zarr").mkdir(parents=True)
    (previous / "brief.md").write_text("old", encoding="utf-8")
    before = _files(tmp_path)
    for path in (new, empty, previous, str(previous)):
        assert check_output_directory(path) == Path(path)
    assert _files(tmp_path) == before and not new.parent.exists()
    assert set(RUN_OUTPUTS) == {"cube.zarr", "cube.nc", "brief.html", "brief.md"}


def test_the_temporaries_of_an_interrupted_write_are_accepted_and_cleared(tmp_path):
    """A run killed while writing its cube leaves ``.cube.zarr.<random>/``; the next run
    on that --out is accepted and its write removes the leftover."""
    import xarray as xr

    from riskengine.cube.io import check_output_directory, write_cube
    from riskengine.errors import UsageError

    out = tmp_path / "out"
    leftover = out / ".cube.zarr.k3j9x" / "cube.zarr"
    leftover.mkdir(parents=True)
    (out / ".brief.md.partial").write_text("half", encoding="utf-8")
    assert check_output_directory(out) == out
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError, match=r"a directory holding notes\.txt"):
        check_output_directory(out)
    (out / "notes.txt").unlink()
    cube = xr.DataTree.from_dict({"/": xr.Dataset({"x": ("a", [1, 2])})})
    write_cube(cube, out / "cube.zarr")
    assert sorted(p.name for p in out.iterdir()) == [".brief.md.partial", "cube.zarr"]
