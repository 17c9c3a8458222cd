"""Preflight: `run` states the work and a calibrated estimate before computing, and a run
estimated above its budget stops with exit code 2, saying how to go on, having written
nothing. The calibration runs where the run computes (in-process for the threaded
scheduler, on a worker of a real LocalCluster)."""

from __future__ import annotations

import json

import pytest

import riskengine
from riskengine.ensemble.preflight import BudgetError, Preflight, check_budget, format_seconds
from riskengine.errors import UsageError


def execution_facts(cube) -> dict:
    return json.loads(cube.attrs["execution"])


SMALL = ("--paths", "200", "--draws", "2", "--chains", "2", "--scheduler", "threads")


def _preflight(seconds_per_task: float, num_tasks: int = 10, num_workers: int = 2) -> Preflight:
    return Preflight(
        path_months=1_000_000,
        num_tasks=num_tasks,
        num_workers=num_workers,
        seconds_per_task=seconds_per_task,
        compile_seconds=0.0,
    )


def test_the_estimate_is_the_time_per_task_times_the_tasks_per_worker():
    assert _preflight(2.0, num_tasks=10, num_workers=2).estimated_seconds == 10.0
    assert _preflight(2.0, num_tasks=11, num_workers=2).estimated_seconds == 12.0  # 6 rounds
    assert _preflight(2.0).rate == pytest.approx(1_000_000 / 10 / 2.0)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.5, "0.5 s"),
        (42, "42 s"),
        (119, "119 s"),
        (120, "2 minutes"),
        (7_200, "2 hours"),
        (3e6, "34.7 days"),
    ],
)
def test_durations_read_in_their_unit(seconds, text):
    assert format_seconds(seconds) == text


def test_a_budget_stops_only_an_estimate_above_it():
    check_budget(_preflight(2.0), None)
    check_budget(_preflight(2.0), 10.0)  # exactly at the budget: runs
    with pytest.raises(BudgetError) as refused:
        check_budget(_preflight(2.0), 5.0)
    assert isinstance(refused.value, UsageError)
    message = str(refused.value)
    assert "estimated 10 s" in message and "above the budget of 5 s" in message
    assert "--yes" in message and "0.5x the paths or draws" in message


def test_the_work_is_counted_exactly_and_recorded(tiny_scenario):
    scenario = tiny_scenario.with_ensemble(paths_per_draw=300, num_chains=2, num_draws=3)
    cube = riskengine.run(scenario, scheduler="threads", progress=False, preflight=True)
    facts = execution_facts(cube)
    variants, months = len(scenario.variants), scenario.horizon_months
    assert facts["path_months"] == 2 * 3 * variants * 300 * months
    assert facts["estimated_seconds"] > 0 and facts["calibrated_seconds_per_task"] > 0


def test_the_calibration_runs_on_a_cluster_worker(tiny_scenario):
    scenario = tiny_scenario.with_ensemble(paths_per_draw=300, num_chains=2, num_draws=2)
    cube = riskengine.run(
        scenario, scheduler="local", workers=2, progress=False, budget_seconds=3_600
    )
    facts = execution_facts(cube)
    assert facts["where"].startswith("LocalCluster") and facts["estimated_seconds"] > 0


def test_a_run_above_its_budget_refuses_before_writing(run_cli, tiny_path, tmp_path):
    out = tmp_path / "never"
    result = run_cli("run", tiny_path, "--out", out, *SMALL, "--budget", "1e-6")
    assert result.returncode == 2, result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("riskengine run: estimated ")
    assert "above the budget of" in last_line and "--yes" in last_line
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not out.exists()


def test_a_run_within_its_budget_states_the_work(run_cli, tiny_path, tmp_path):
    result = run_cli("run", tiny_path, "--out", tmp_path, *SMALL, "--budget", "30")
    assert result.returncode == 0, result.stderr
    assert "work: " in result.stderr and "path-months in" in result.stderr
    assert (tmp_path / "cube.zarr").exists()


def test_yes_runs_without_the_preflight(run_cli, tiny_path, tmp_path):
    result = run_cli("run", tiny_path, "--out", tmp_path, *SMALL, "--budget", "1e-6", "--yes")
    assert result.returncode == 0, result.stderr
    assert "work: " not in result.stderr and (tmp_path / "cube.zarr").exists()


@pytest.mark.parametrize("budget", ["0", "-5", "soon", "nan"])
def test_a_budget_must_be_a_positive_number_of_minutes(run_cli, tiny_path, tmp_path, budget):
    result = run_cli("run", tiny_path, "--out", tmp_path / "x", "--budget", budget)
    assert result.returncode == 2
    assert f"argument --budget: got '{budget}'; allowed: a positive number of minutes" in (
        result.stderr
    )


def test_the_cluster_progress_bar_shows_the_time_left(run_cli, tiny_path, tmp_path):
    """tqdm's 'done/total [elapsed<left' over the tasks of a real LocalCluster."""
    import re

    result = run_cli(
        "run",
        tiny_path,
        "--out",
        tmp_path,
        "--paths",
        "300",
        "--draws",
        "2",
        "--scheduler",
        "local",
        "--workers",
        "2",
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"escalation ensemble: 100%.*\d+/\d+ \[\d\d:\d\d<\d\d:\d\d", result.stderr)
