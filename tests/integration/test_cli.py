"""The command line end to end, in subprocesses: outputs, exit codes and error messages."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from markupsafe import escape

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
    assert sorted(path.name for path in out.iterdir()) == ["brief.html", "brief.md", "cube.zarr"]
    assert f"cube:  {out / 'cube.zarr'}" in result.stdout
    assert f"brief: {out / 'brief.html'}" in result.stdout
    assert f"brief: {out / 'brief.md'}" in result.stdout


def test_run_cube_equals_the_api_cube(zarr_run, threaded_cube, assert_same_cube):
    _, out = zarr_run
    assert_same_cube(riskengine.open_cube(out / "cube.zarr"), threaded_cube)


def test_run_brief_names_every_variant(zarr_run, threaded_cube, assert_same_brief):
    _, out = zarr_run
    brief = (out / "brief.md").read_text(encoding="utf-8")
    assert_same_brief(brief, riskengine.brief(threaded_cube).markdown)
    assert brief.startswith("# Tiny: a bilateral crisis for the test suite")
    html = (out / "brief.html").read_text(encoding="utf-8")
    assert "<h1>Tiny: a bilateral crisis for the test suite</h1>" in html
    for variant in VARIANTS:
        assert f"\n| {variant} |" in brief and f"<td>{variant}</td>" in html
    assert "Prior draws only" in brief and "Prior draws only" in html  # tiny.yaml: prior


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
    assert sorted(path.name for path in out.iterdir()) == ["brief.html", "brief.md", "cube.nc"]
    assert_same_cube(riskengine.open_cube(out / "cube.nc"), threaded_cube)


# --- the quickstart: warnings as short lines, the prior-only lever --------------------------


def test_run_prints_warnings_as_short_lines(quickstart_run):
    result, out = quickstart_run
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    warned = [line for line in lines if line.startswith("warning: ")]
    assert any("warning: variant 'mediation': crisis_management" in line for line in warned)
    assert not any(".py:" in line or "Warning:" in line for line in lines), result.stderr
    cube = riskengine.open_cube(out / "cube.zarr")
    texts = [line.removeprefix("warning: ") for line in warned]
    assert texts == json.loads(cube.attrs["warnings"])  # the same text in the cube
    html = (out / "brief.html").read_text(encoding="utf-8")
    for text in texts:  # ... and in the brief
        assert f"<li>{escape(text)}</li>" in html


def test_quickstart_brief_says_the_mediation_lever_rests_on_its_prior(quickstart_run):
    _, out = quickstart_run
    markdown = (out / "brief.md").read_text(encoding="utf-8")
    html = (out / "brief.html").read_text(encoding="utf-8")
    levers = markdown.split("## Levers", 1)[1].split("\n## ", 1)[0]
    (mediation,) = [line for line in levers.splitlines() if line.startswith("- **mediation**")]
    assert "rests on the model's prior alone" in mediation
    (commits,) = [line for line in levers.splitlines() if "**finland_commits**" in line]
    assert "prior alone" not in commits
    comparisons = markdown.split("## Comparisons", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in comparisons.splitlines() if line.startswith("| mediation |")]
    assert rows and all(row.rstrip(" |").endswith("the prior alone") for row in rows)
    assert "<span class=\"prior\">This lever's effect rests on the model's prior alone" in html
    for section in ("## Key judgments", "## Drivers", "## Caveats", "## Provenance"):
        assert section in markdown
    assert html.count('<img src="data:image/png;base64,') >= 4


# --- brief --------------------------------------------------------------------------------


def test_brief_command_writes_either_format(run_cli, quickstart_run, tmp_path):
    _, out = quickstart_run
    cube = riskengine.open_cube(out / "cube.zarr")
    target = tmp_path / "phia.md"
    result = run_cli(
        "brief", out / "cube.zarr", "--format", "md", "--yardstick", "phia", "--out", target
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"brief: {target}"
    assert target.read_text(encoding="utf-8") == riskengine.brief(cube, yardstick="phia").markdown
    assert "PHIA" in target.read_text(encoding="utf-8")
    printed = run_cli("brief", out / "cube.zarr")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == riskengine.brief(cube).html


BRIEF_FAILURES = {
    "missing_cube": (["{root}/missing/cube.zarr"], ["CUBE", "missing/cube.zarr", "does not exist"]),
    "unknown_yardstick": (["{cube}", "--yardstick", "nato"], ["--yardstick", "'nato'", "icd203"]),
    "unknown_format": (["{cube}", "--format", "pdf"], ["--format", "'pdf'", "html"]),
    "out_in_missing_directory": (
        ["{cube}", "--out", "{root}/nowhere/brief.html"],
        ["--out", "nowhere", "not a directory"],
    ),
}


@pytest.mark.parametrize("case", list(BRIEF_FAILURES))
def test_brief_bad_input_exits_2_and_writes_nothing(run_cli, quickstart_run, tmp_path, case):
    _, out = quickstart_run
    arguments, expected = BRIEF_FAILURES[case]
    values = {"root": tmp_path, "cube": out / "cube.zarr"}
    result = run_cli("brief", *(argument.format(**values) for argument in arguments))
    assert_clean_failure(result, *expected)
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


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
