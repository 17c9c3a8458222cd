"""The notebook-friendly API; the CLI is a thin wrapper of it.

>>> scenario = riskengine.load_scenario("configs/quickstart.yaml")
>>> scenario.ensemble.paths_per_draw = 5_000          # validated on assignment
>>> cube = riskengine.run(scenario)                    # xarray.DataTree (arviz-ready)
>>> riskengine.brief(cube)                                # HTML in Jupyter
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import warnings
from dataclasses import asdict

import xarray as xr

from riskengine.briefing import Brief, render_brief
from riskengine.briefing.judgments import judgment_problems
from riskengine.config import Scenario
from riskengine.cube import build_cube
from riskengine.cube.provenance import provenance_attributes
from riskengine.ensemble.cluster import execution
from riskengine.ensemble.keys import KEY_SCHEME
from riskengine.ensemble.parameters import select_parameter_draws
from riskengine.ensemble.preflight import calibrate, check_budget
from riskengine.ensemble.runner import prepare_ensemble, run_ensemble
from riskengine.errors import ConfigError
from riskengine.models import ensemble_model

__all__ = ["RangeWarning", "brief", "run"]


class RangeWarning(UserWarning):
    """A scenario lies outside the range of the data the model was fitted on."""


class PosteriorWarning(UserWarning):
    """The fitted posterior in use missed a diagnostic floor (R-hat, ESS, divergences) or
    a required row of its posterior predictive check."""


WARNING_CLASSES = {"posterior": PosteriorWarning, "range": RangeWarning}


def _parameter_draws(model, settings):
    """Each model's draws (namespaced ``<model>.<name>``), sources and provenance."""
    draws, sources, provenances = {}, {}, {}
    for part, stream_index in zip(model.models, model.stream_indices, strict=True):
        part_draws, sources[part.name], provenances[part.name] = select_parameter_draws(
            part,
            source=settings.parameters,
            seed=settings.seed,
            num_chains=settings.num_chains,
            num_draws=settings.num_draws,
            stream_index=stream_index,
        )
        draws |= {f"{part.name}.{name}": value for name, value in part_draws.items()}
    return draws, sources, provenances


def _source_text(sources: dict[str, str]) -> str:
    """``posterior``/``prior`` when every model agrees, else ``model=source, ...``."""
    if len(set(sources.values())) == 1:
        return next(iter(sources.values()))
    return ", ".join(f"{name}={source}" for name, source in sources.items())


def _warn(notes: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Each note warned once; (kind, text) pairs in the models' order."""
    flat = []
    for kind, texts in notes.items():
        for text in texts:
            warnings.warn(text, WARNING_CLASSES.get(kind, UserWarning), stacklevel=3)
            flat.append((kind, text))
    return flat


def run(
    scenario: Scenario,
    *,
    client=None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = True,
    preflight: bool = False,
    budget_seconds: float | None = None,
    checkpoint=None,
) -> xr.DataTree:
    """Run the scenario's ensemble and return its cube.

    ``client``: an existing ``distributed.Client`` to use; otherwise ``scheduler`` picks
    where to run (``None``/"threads": dask's threaded scheduler, one thread per core, the
    fastest on one machine; "local": an embedded LocalCluster of pinned worker processes;
    "synchronous"; or a scheduler address "tcp://HOST:PORT").

    ``preflight`` (implied by ``budget_seconds``): before computing, time the first task
    where the run computes and state the work and the estimated time (on stderr when
    ``progress``; in the cube's ``execution`` provenance); with ``budget_seconds``, a run
    estimated to take longer raises ``riskengine.errors.UsageError`` (a ``BudgetError``
    saying how to go on) before anything else is computed
    (:mod:`riskengine.ensemble.preflight`).

    ``checkpoint``: a ``riskengine.ensemble.checkpoint.Checkpoint``: finished draw blocks
    are saved there as they complete, and those it already holds (``resume=True``) are
    read back instead of computed; the cube is the same bit for bit
    (:mod:`riskengine.ensemble.checkpoint`).
    """
    model = ensemble_model(scenario.model_names)
    settings = scenario.ensemble
    scenario_inputs = model.scenario_inputs(scenario)
    draws, sources, provenances = _parameter_draws(model, settings)
    notes = _warn(model.warnings(scenario, scenario_inputs, provenances))
    prepared = prepare_ensemble(
        model,
        scenario_inputs,
        draws,
        seed=settings.seed,
        paths_per_draw=settings.paths_per_draw,
        chunk_paths=settings.chunk_paths,
        common_random_numbers=settings.common_random_numbers,
    )
    started = time.perf_counter()
    estimate = {}
    with execution(scheduler, client=client, num_workers=workers) as where:
        if preflight or budget_seconds is not None:
            checked = calibrate(prepared, where, num_months=scenario.horizon_months)
            if progress:
                print(checked.describe(), file=sys.stderr, flush=True)
            check_budget(checked, budget_seconds)
            estimate = checked.as_facts()
        totals, blocks = run_ensemble(
            prepared, execution=where, progress=progress, checkpoint=checkpoint
        )
        description, dashboard = where.description, where.dashboard_link
    execution_facts = (
        {
            "where": description,
            "dashboard": dashboard or "",
            "chunk_paths": settings.chunk_paths,
            "num_tasks": prepared.plan.num_tasks,
            "seconds": round(time.perf_counter() - started, 3),
            "machine": _machine(),
        }
        | blocks
        | estimate
    )
    attributes = provenance_attributes(
        config_text=scenario.source_text,
        config_path=str(scenario.source_path or ""),
        seed=settings.seed,
        key_scheme=KEY_SCHEME,
        paths_per_draw=settings.paths_per_draw,
        parameter_source=_source_text(sources),
        parameter_provenance=provenances,
        model_name=model.name,
        execution=execution_facts,
    )
    added = [j.model_dump() for j in scenario.judgments or []]
    judgments = [asdict(j) for j in model.judgments(**scenario_inputs.static)] + added
    attributes.update(
        scenario_name=scenario.name,
        scenario_title=scenario.title,
        scenario_description=scenario.description,
        common_random_numbers=int(settings.common_random_numbers),
        counter_steps=json.dumps({m.name: m.counter_steps for m in model.models}),
        data_notes=json.dumps({m.name: m.data_note for m in model.models}),
        judgments=json.dumps(judgments),
        figures=json.dumps([asdict(f) for f in model.figures(**scenario_inputs.static)]),
        warnings=json.dumps([text for _, text in notes]),
        warning_kinds=json.dumps([kind for kind, _ in notes]),
    )
    cube = build_cube(
        model,
        scenario_inputs,
        draws,
        totals,
        variant_names=list(scenario.variant_names),
        attributes=attributes,
    )
    _check_added_judgments(cube, added, scenario)
    return cube


def _check_added_judgments(cube: xr.DataTree, added: list[dict], scenario: Scenario) -> None:
    """A judgment the scenario adds must name a variable of this run (known only now)."""
    problems = judgment_problems(cube["predictions"].to_dataset(), added)
    if problems:
        source = f"{scenario.source_path}: " if scenario.source_path else ""
        raise ConfigError([f"{source}{problem}" for problem in problems])


def _machine() -> str:
    """Where the run's driver ran, for the brief's provenance (no host name)."""
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores"


def brief(
    cube: xr.DataTree,
    credible_mass: float = 0.9,
    *,
    yardstick: str = "icd203",
    allow_failing_diagnostics: bool = False,
    figures: bool = True,
) -> Brief:
    """The brief of a cube: ``.html`` (self-contained, shown in Jupyter), ``.markdown``
    (the same numbers), ``.write(path)``. ``yardstick``: ``icd203`` or ``phia``; a
    judgment whose draws fail the diagnostics floors is "not assessable" unless
    ``allow_failing_diagnostics`` (then every page says so)."""
    return render_brief(
        cube,
        credible_mass,
        yardstick=yardstick,
        allow_failing_diagnostics=allow_failing_diagnostics,
        figures=figures,
    )
