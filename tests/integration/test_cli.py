"""The command line end to end, in subprocesses: outputs, exit codes and error messages."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import riskengine

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
VARIANTS = ("baseline", "mediation", "finland_commits")


def assert_clean_failure(result, *expected: str) -> None:
    """Exit 2, one `riskengine ...:` message naming what is wrong, no traceback."""
    output = result.stdout + result.stderr
    assert result.returncode == 2, f"exit {result.returncode}\n{output}"
    assert "Traceback" not in output, output
    messages = [line for line in result.stderr.splitlines() if line.startswith("riskengine")]
    assert len(messages) == 1, f"expected one message line:\n{result.stderr}"
    for text in expected:
        assert text in messages[0], f"{text!r} not in {messages[0]!r}"


# --- run ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zarr_run(run_cli, tiny_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "out"
    result = run_cli("run", tiny_path, "--out", out, "--scheduler", "threads", "--no-progress")
    return result, out


def test_run_writes_cube_and_brief(zarr_run):
    result, out = zarr_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in out.iterdir()) == ["brief.md", "cube.zarr"]
    assert f"cube:  {out / 'cube.zarr'}" in result.stdout
    assert f"brief: {out / 'brief.md'}" in result.stdout


def test_run_cube_equals_the_api_cube(zarr_run, threaded_cube, assert_same_cube):
    _, out = zarr_run
    assert_same_cube(riskengine.open_cube(out / "cube.zarr"), threaded_cube)


def test_run_brief_names_every_variant(zarr_run, threaded_cube):
    _, out = zarr_run
    brief = (out / "brief.md").read_text(encoding="utf-8")
    assert brief == riskengine.brief(threaded_cube).markdown
    assert brief.startswith("# Tiny: a bilateral crisis for the test suite")
    for variant in VARIANTS:
        assert f"\n| {variant} |" in brief
    assert "Prior draws only" in brief  # tiny.yaml asks for prior draws


def test_run_netcdf_writes_cube_nc(run_cli, tiny_path, tmp_path, threaded_cube, assert_same_cube):
    out = tmp_path / "out"
    result = run_cli(
        "run",
        tiny_path,
        "--out",
        out,
        "--format",
        "netcdf",
        "--scheduler",
        "threads",
        "--no-progress",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(path.name for path in out.iterdir()) == ["brief.md", "cube.nc"]
    assert_same_cube(riskengine.open_cube(out / "cube.nc"), threaded_cube)


# --- validate -----------------------------------------------------------------------------


def test_validate_good_files(run_cli, tiny_path):
    files = [
        tiny_path,
        *(CONFIGS / name for name in ("quickstart.yaml", "baltic.yaml", "taiwan_strait.yaml")),
    ]
    result = run_cli("validate", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    for path in files:
        assert f"{path}: ok" in result.stdout
    assert result.stderr == ""


def _bad_configs(tiny_path: Path, directory: Path) -> dict[str, tuple[Path, list[str]]]:
    text = tiny_path.read_text(encoding="utf-8")
    cases = {
        "horizon": (
            text.replace("horizon_months: 12", "horizon_months: -3"),
            [":17:", "horizon_months", "-3"],
        ),
        "unknown_field": (text.replace("  num_draws: 5", "  num_draw: 5"), [":30:", "num_draw"]),
        "paths": (
            text.replace("paths_per_draw: 3000", "paths_per_draw: 0"),
            [":28:", "paths_per_draw"],
        ),
        "yaml_syntax": (text.replace("name: tiny", "name: [tiny"), ["YAML syntax error"]),
    }
    written = {}
    for name, (content, expected) in cases.items():
        assert content != text, name
        path = directory / f"{name}.yaml"
        path.write_text(content, encoding="utf-8")
        written[name] = (path, expected)
    return written


@pytest.fixture(scope="module")
def bad_configs(tiny_path, tmp_path_factory):
    return _bad_configs(tiny_path, tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize("case", ["horizon", "unknown_field", "paths", "yaml_syntax"])
def test_validate_bad_file(run_cli, bad_configs, tiny_path, case):
    path, expected = bad_configs[case]
    result = run_cli("validate", tiny_path, path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert f"{tiny_path}: ok" in result.stdout
    problems = [line for line in result.stderr.splitlines() if line]
    assert problems and all(line.startswith(str(path)) for line in problems), result.stderr
    for text in expected:
        assert text in result.stderr, f"{text!r} not in {result.stderr!r}"


# --- run: bad input gives exit 2, one message, nothing written ----------------------------

RUN_FAILURES = {
    "bad_config": (["{bad}"], ["horizon_months", "got -3"]),
    "missing_file": (["{missing}"], ["missing.yaml", "file not found"]),
    "paths_zero": (["{tiny}", "--paths", "0"], ["--paths", "got 0"]),
    "seed_negative": (["{tiny}", "--seed", "-1"], ["--seed", "got -1"]),
    "workers_word": (["{tiny}", "--workers", "two"], ["--workers", "'two'"]),
    "format_unknown": (["{tiny}", "--format", "xml"], ["--format", "'xml'"]),
    "scheduler_nonsense": (["{tiny}", "--scheduler", "nonsense"], ["--scheduler", "'nonsense'"]),
}


@pytest.fixture(scope="module")
def run_failures(run_cli, tiny_path, bad_configs, tmp_path_factory):
    """Every failing `riskengine run`, started together to save wall time."""
    root = tmp_path_factory.mktemp("failures")
    values = {"tiny": tiny_path, "bad": bad_configs["horizon"][0], "missing": root / "missing.yaml"}

    def one(case):
        arguments, _ = RUN_FAILURES[case]
        out = root / case / "out"
        arguments = [argument.format(**values) for argument in arguments]
        return case, run_cli("run", *arguments, "--out", out, "--no-progress"), out

    with ThreadPoolExecutor(max_workers=4) as pool:
        return {case: (result, out) for case, result, out in pool.map(one, RUN_FAILURES)}


@pytest.mark.parametrize("case", list(RUN_FAILURES))
def test_run_bad_input_exits_2_and_writes_nothing(run_failures, case):
    result, out = run_failures[case]
    assert_clean_failure(result, *RUN_FAILURES[case][1])
    assert not out.exists(), f"{case}: wrote {list(out.rglob('*'))}"
    assert not out.parent.exists() or not any(out.parent.iterdir())


# --- info ---------------------------------------------------------------------------------


def test_info_mentions_jax(run_cli):
    result = run_cli("info")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "jax" in result.stdout and "jax devices:" in result.stdout
    assert "default dask scheduler" in result.stdout


def test_no_command_is_a_usage_error(run_cli):
    result = run_cli()
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "usage: riskengine" in result.stderr
