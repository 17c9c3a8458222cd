"""Preflight: the work a run asks for and how long it will take, stated before computing.

The work is counted exactly (path-months: draws x variants x paths x months; tasks: the
plan's). The time comes from a short calibration on the run's own execution: the run's
first task is computed twice where the run will compute (on a worker of a distributed
cluster, or in this process for the local schedulers); the first call compiles (the
worker keeps it for the run), the second is timed. The estimate is that time per task
times the tasks each worker will run (tasks / workers, rounded up), plus the measured
compilation once (the other workers compile while the first computes); it leaves out the
cluster's start and the scheduler's overhead per task (about 1.6 ms on the default
LocalCluster), so it runs low, most for short runs. A run whose estimate exceeds its budget stops before
computing anything else and says how to go on.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from riskengine.ensemble.runner import PreparedEnsemble
from riskengine.ensemble.tasks import run_task
from riskengine.errors import UsageError

__all__ = ["BudgetError", "Preflight", "calibrate", "check_budget", "format_seconds"]


class BudgetError(UsageError):
    """The run's estimated time exceeds its budget (nothing was computed or written)."""


@dataclass(frozen=True)
class Preflight:
    """The work of a run and its calibrated time."""

    path_months: int
    num_tasks: int
    num_workers: int
    seconds_per_task: float
    compile_seconds: float

    @property
    def estimated_seconds(self) -> float:
        """The workers' tasks in rounds, plus one compilation (the other workers compile
        theirs while the first is already computing)."""
        rounds = math.ceil(self.num_tasks / self.num_workers)
        return self.compile_seconds + self.seconds_per_task * rounds

    @property
    def rate(self) -> float:
        """Path-months per second per worker, as calibrated."""
        return self.path_months / self.num_tasks / max(self.seconds_per_task, 1e-9)

    def describe(self) -> str:
        return (
            f"work: {self.path_months:.3g} path-months in {self.num_tasks:,} tasks on "
            f"{self.num_workers} worker{'s' * (self.num_workers > 1)}; estimated "
            f"{format_seconds(self.estimated_seconds)} (calibrated: "
            f"{self.seconds_per_task:.3g} s per task, {self.rate:.3g} path-months/s per worker)"
        )

    def as_facts(self) -> dict:
        return {
            "path_months": self.path_months,
            "estimated_seconds": round(self.estimated_seconds, 3),
            "calibrated_seconds_per_task": round(self.seconds_per_task, 6),
        }


def format_seconds(seconds: float) -> str:
    """'42 s', '3.5 minutes', '2.1 hours', '12 days'."""
    for unit, size in (("days", 86_400), ("hours", 3_600), ("minutes", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.2g} s"


def _timed_twice(arguments: tuple) -> tuple[float, float]:
    """Seconds of the first (compiling) and the second call of ``run_task``."""
    times = []
    for _ in range(2):
        started = time.perf_counter()
        run_task(*arguments)
        times.append(time.perf_counter() - started)
    return times[0], times[1]


def calibrate(prepared: PreparedEnsemble, execution, *, num_months: int) -> Preflight:
    """Time the run's first task where the run computes (see the module docstring)."""
    arguments = prepared.task_arguments(0, 0)
    if execution.client is None:
        first, second = _timed_twice(arguments)
    else:
        future = execution.client.submit(_timed_twice, arguments, pure=False)
        first, second = future.result()
    plan = prepared.plan
    num_variants = prepared.key_words.shape[1]
    return Preflight(
        path_months=plan.num_draws * num_variants * plan.paths_per_draw * num_months,
        num_tasks=plan.num_tasks,
        num_workers=max(1, execution.num_workers),
        seconds_per_task=second,
        compile_seconds=max(0.0, first - second),
    )


def check_budget(preflight: Preflight, budget_seconds: float | None) -> None:
    """Raise ``BudgetError`` (saying how to go on) when the estimate exceeds the budget."""
    if budget_seconds is None or preflight.estimated_seconds <= budget_seconds:
        return
    fraction = budget_seconds / preflight.estimated_seconds
    raise BudgetError(
        f"estimated {format_seconds(preflight.estimated_seconds)} "
        f"({preflight.path_months:.3g} path-months in {preflight.num_tasks:,} tasks on "
        f"{preflight.num_workers} workers), above the budget of "
        f"{format_seconds(budget_seconds)}; allowed: a run within the budget. To go on, "
        f"run again with --yes (or a larger --budget), or ask for about "
        f"{fraction:.2g}x the paths or draws (--paths, --draws) to fit the budget"
    )
