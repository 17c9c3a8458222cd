"""The command line end to end, in subprocesses: outputs, exit codes and error messages."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import riskengine
from riskengine.config import load_scenario, load_scenario_text, upgrade_text
from riskengine.models import MODEL_NAMES

TESTS = Path(__file__).resolve().parents[1]
CONFIGS = TESTS.parent / "configs"
TINY_COUPLED = TESTS / "data" / "tiny_coupled.yaml"
VERSION_1 = TESTS / "data" / "v1"
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
    files = [tiny_path, TINY_COUPLED, *sorted(CONFIGS.glob("*.yaml"))]
    assert len(files) >= 7
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
            [":7:", "horizon_months", "-3"],
        ),
        "unknown_field": (text.replace("  num_draws: 5", "  num_draw: 5"), [":34:", "num_draw"]),
        "paths": (
            text.replace("paths_per_draw: 3000", "paths_per_draw: 0"),
            [":32:", "paths_per_draw"],
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


# --- upgrade ------------------------------------------------------------------------------


def assert_one_problem(result, *expected: str) -> None:
    """Exit 2, nothing on stdout, one problem line on stderr naming what is wrong."""
    output = result.stdout + result.stderr
    assert result.returncode == 2, f"exit {result.returncode}\n{output}"
    assert "Traceback" not in output, output
    assert result.stdout == ""
    (problem,) = result.stderr.splitlines()
    for text in expected:
        assert text in problem, f"{text!r} not in {problem!r}"


@pytest.fixture
def version_1_file(tmp_path) -> Path:
    path = tmp_path / "old.yaml"
    path.write_text((VERSION_1 / "tiny.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_upgrade_prints_version_2_and_leaves_the_file(run_cli, version_1_file, tiny_path):
    before = version_1_file.read_text(encoding="utf-8")
    result = run_cli("upgrade", version_1_file)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert result.stdout == upgrade_text(before)
    assert result.stdout.startswith("schema_version: 2\n")
    upgraded = load_scenario_text(result.stdout)
    assert upgraded.model_names == ("escalation",)
    assert upgraded.variant_names == load_scenario(tiny_path).variant_names
    assert version_1_file.read_text(encoding="utf-8") == before


def test_upgrade_write_replaces_the_file_atomically(run_cli, version_1_file, tiny_path):
    expected = upgrade_text(version_1_file.read_text(encoding="utf-8"))
    inode = version_1_file.stat().st_ino
    result = run_cli("upgrade", version_1_file, "--write")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == result.stderr == ""
    assert version_1_file.read_text(encoding="utf-8") == expected
    # replaced by a rename of a complete file, not rewritten in place; nothing left over
    assert version_1_file.stat().st_ino != inode
    assert sorted(path.name for path in version_1_file.parent.iterdir()) == ["old.yaml"]
    scenario = load_scenario(version_1_file)
    shipped = load_scenario(tiny_path)
    assert [a.name for a in scenario.actors] == [a.name for a in shipped.actors]
    assert scenario.escalation == shipped.escalation and scenario.variants == shipped.variants
    # the rewritten file is version 2: upgrading it again is refused
    assert_one_problem(run_cli("upgrade", version_1_file), "schema_version: got 2")


def test_upgrade_of_a_version_2_file_exits_2(run_cli, tiny_path):
    result = run_cli("upgrade", tiny_path, "--write")
    assert_one_problem(
        result,
        str(tiny_path),
        "schema_version: got 2; allowed: 1 (only version-1 files need upgrading)",
    )


def test_upgrade_of_a_missing_file_exits_2(run_cli, tmp_path):
    missing = tmp_path / "missing.yaml"
    assert_one_problem(run_cli("upgrade", missing), str(missing), "No such file")
    assert list(tmp_path.iterdir()) == []


def test_upgrade_refuses_a_file_that_would_not_load(run_cli, version_1_file):
    """A version-1 file with a bad value: the loader's problem, nothing written."""
    text = version_1_file.read_text(encoding="utf-8").replace(
        "horizon_months: 12", "horizon_months: -3"
    )
    version_1_file.write_text(text, encoding="utf-8")
    result = run_cli("upgrade", version_1_file, "--write")
    assert_one_problem(result, f"{version_1_file} (upgraded)", "horizon_months: got -3")
    assert version_1_file.read_text(encoding="utf-8") == text
    assert sorted(path.name for path in version_1_file.parent.iterdir()) == ["old.yaml"]


def test_upgrade_of_several_files_reports_each(run_cli, version_1_file, tiny_path):
    result = run_cli("upgrade", version_1_file, tiny_path)
    assert result.returncode == 2
    assert result.stdout == upgrade_text(version_1_file.read_text(encoding="utf-8"))
    assert result.stderr.splitlines() == [
        f"{tiny_path}: schema_version: got 2; allowed: 1 (only version-1 files need upgrading)"
    ]


# --- fit: usage errors (the fit itself: test_fit_cli.py) ----------------------------------


def test_fit_escalation_refuses_a_columns_map(run_cli, tmp_path):
    out = tmp_path / "posterior.nc"
    result = run_cli("fit", "escalation", "--columns", "x.yaml", "--out", out, cwd=tmp_path)
    assert_one_problem(
        result, "--columns", "got 'x.yaml'", "allowed: no columns map for escalation"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("arguments", [["nosuchmodel"], []])
def test_fit_needs_a_registered_model(run_cli, arguments):
    result = run_cli("fit", *arguments)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "usage: riskengine fit" in result.stderr
    assert "{" + ",".join(MODEL_NAMES) + "}" in result.stderr
    if arguments:
        assert "invalid choice: 'nosuchmodel'" in result.stderr


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
