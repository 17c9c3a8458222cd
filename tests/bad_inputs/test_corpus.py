"""The bad-input corpus (``cases.yaml``): malformed configs, data files and command lines.

Every case must exit 2 with its expected message (one line unless the case says
otherwise; no traceback; nothing on stdout) and write nothing: every file under the
case's directory, which is also the working directory, is the same before and after.
Cases run in-process through ``riskengine.cli.main``; those marked ``subprocess`` run
again through ``python -m riskengine``, as a user runs the console script.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import riskengine.models.paths
from riskengine.cli import main

REPOSITORY = Path(__file__).resolve().parents[2]
CASES = yaml.safe_load((Path(__file__).with_name("cases.yaml")).read_text(encoding="utf-8"))
CASE_IDS = [case["id"] for case in CASES]
DEFAULT_ARGV = ["run", "{config}", "--out", "{out}", "--scheduler", "threads", "--no-progress"]
KNOWN_KEYS = {
    "id", "argv", "base", "replace", "append", "text", "generate", "encoding", "config",
    "files", "env", "posterior", "expect", "lines", "subprocess",
}  # fmt: skip


def _deep_nesting() -> str:
    return "name: " + "[" * 20_000 + "]" * 20_000 + "\n"


GENERATED = {"deep_nesting": _deep_nesting}


def _write_netcdf(path: Path, groups: dict) -> None:
    import numpy as np
    import xarray as xr

    tree = xr.DataTree.from_dict(
        {
            name: xr.Dataset({k: (d, np.zeros([2] * len(d))) for k, d in v.items()})
            for name, v in groups.items()
        }
    )
    tree.to_netcdf(path, engine="h5netcdf")


def _posterior_missing_parameter(path: Path) -> None:
    from riskengine.models.escalation.ensemble import ESCALATION

    first = next(iter(ESCALATION.parameters))
    _write_netcdf(path, {"/posterior": {first: ("chain", "draw")}})


POSTERIORS = {
    "lfs_pointer": lambda path: path.write_text(
        "version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n", encoding="utf-8"
    ),
    "empty": lambda path: path.write_bytes(b""),
    "no_posterior_group": lambda path: _write_netcdf(path, {"/": {"x": ("chain",)}}),
    "missing_parameter": _posterior_missing_parameter,
}


class Places:
    """The paths of one case and the placeholders that name them."""

    def __init__(self, root: Path):
        self.root = root
        self.config = root / "in" / "scenario.yaml"
        self.values = {
            "{config}": str(self.config),
            "{out}": str(root / "out"),
            "{tmp}": str(root),
            "{repo}": str(REPOSITORY),
        }

    def fill(self, text: str) -> str:
        for placeholder, value in self.values.items():
            text = text.replace(placeholder, value)
        return text


def _config_text(case: dict, places: Places) -> str:
    if "generate" in case:
        return GENERATED[case["generate"]]()
    if "text" in case:
        return places.fill(case["text"])
    text = (REPOSITORY / case.get("base", "tests/data/tiny.yaml")).read_text(encoding="utf-8")
    for old, new in case.get("replace", []):
        assert old in text, f"{case['id']}: {old!r} not in the base config"
        text = text.replace(old, places.fill(new))
    return text + case.get("append", "")


def prepare(case: dict, root: Path) -> Places:
    """Write the case's config and files under ``root``."""
    places = Places(root)
    places.config.parent.mkdir(parents=True)
    kind = case.get("config")
    if kind == "directory":
        places.config.mkdir()
    elif kind != "missing":
        text = _config_text(case, places)
        places.config.write_bytes(text.encode(case.get("encoding", "utf-8")))
    for name, text in case.get("files", {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(places.fill(text), encoding="utf-8")
    if "posterior" in case:
        POSTERIORS[case["posterior"]](root / "posterior.nc")
    return places


def snapshot(root: Path) -> dict[str, tuple]:
    """Every file and directory under ``root`` with its size and modification time."""
    return {
        str(path.relative_to(root)): (path.is_dir(), path.stat().st_size, path.stat().st_mtime_ns)
        for path in root.rglob("*")
    }


def message_lines(stderr: str) -> list[str]:
    """stderr without argparse's usage block (``usage:`` and its indented continuation)."""
    return [
        line
        for line in stderr.splitlines()
        if line.strip() and not line.startswith("usage:") and not line[:1].isspace()
    ]


def run_in_process(argv: list[str]) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse exits, as the console script would
            code = exit_.code
    return code, stdout.getvalue(), stderr.getvalue()


def run_in_subprocess(argv: list[str], cwd: Path, env: dict) -> tuple[int, str, str]:
    environment = {**os.environ, **env, "PYTHONPATH": str(REPOSITORY)}
    result = subprocess.run(
        [sys.executable, "-m", "riskengine", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=300,
    )
    return result.returncode, result.stdout, result.stderr


def check(case: dict, places: Places, code: int, stdout: str, stderr: str) -> None:
    output = f"exit {code}\nstdout: {stdout}\nstderr: {stderr}"
    assert code == 2, output
    assert "Traceback" not in stdout + stderr, output
    assert stdout == "", output
    lines = message_lines(stderr)
    expected_lines = case.get("lines", 1)
    if expected_lines == "many":
        assert len(lines) > 1, output
    else:
        assert len(lines) == expected_lines, output
    message = "\n".join(lines)
    for fragment in case["expect"]:
        assert places.fill(fragment) in message, f"{places.fill(fragment)!r} not in:\n{message}"


def test_the_corpus_is_large_and_well_formed():
    assert len(CASES) >= 40
    assert len(set(CASE_IDS)) == len(CASE_IDS), "duplicate case ids"
    for case in CASES:
        assert set(case) <= KNOWN_KEYS, f"{case['id']}: unknown keys {set(case) - KNOWN_KEYS}"
        assert case["expect"], case["id"]


@pytest.fixture
def posterior_at(monkeypatch):
    """Point the ensemble at a posterior file of the test's own (the shipped one is kept)."""

    def point(path: Path) -> None:
        # every model's posterior_path (CoreEnsemble) reads it from here when asked
        monkeypatch.setattr(riskengine.models.paths, "posterior_path", lambda _: path)

    return point


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_bad_input_exits_2_with_its_message_and_writes_nothing(
    case, tmp_path, monkeypatch, posterior_at
):
    places = prepare(case, tmp_path)
    if "posterior" in case:
        posterior_at(tmp_path / "posterior.nc")
    monkeypatch.chdir(tmp_path)
    # `fit` sets XLA_FLAGS for its chains: restore it afterwards
    monkeypatch.setenv("XLA_FLAGS", os.environ.get("XLA_FLAGS", ""))
    for name, value in case.get("env", {}).items():
        monkeypatch.setenv(name, places.fill(value))
    before = snapshot(tmp_path)
    argv = [places.fill(argument) for argument in case.get("argv", DEFAULT_ARGV)]
    check(case, places, *run_in_process(argv))
    assert snapshot(tmp_path) == before


SUBPROCESS_CASES = [case for case in CASES if case.get("subprocess")]


@pytest.mark.parametrize("case", SUBPROCESS_CASES, ids=[case["id"] for case in SUBPROCESS_CASES])
def test_bad_input_through_the_console_entry_point(case, tmp_path):
    places = prepare(case, tmp_path)
    env = {name: places.fill(value) for name, value in case.get("env", {}).items()}
    before = snapshot(tmp_path)
    argv = [places.fill(argument) for argument in case.get("argv", DEFAULT_ARGV)]
    check(case, places, *run_in_subprocess(argv, tmp_path, env))
    assert snapshot(tmp_path) == before


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    """Decision: a UTF-8 BOM (as some Windows editors write) is read as UTF-8, not refused."""
    path = tmp_path / "bom.yaml"
    text = (REPOSITORY / "tests" / "data" / "tiny.yaml").read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    code, stdout, stderr = run_in_process(["validate", str(path)])
    assert (code, stdout, stderr) == (0, f"{path}: ok\n", "")
