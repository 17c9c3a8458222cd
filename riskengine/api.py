"""The notebook-friendly API; the CLI is a thin wrapper of it.

>>> scenario = riskengine.load_scenario("configs/quickstart.yaml")
>>> scenario.ensemble.paths_per_draw = 5_000          # validated on assignment
>>> cube = riskengine.run(scenario)                    # xarray.DataTree (arviz-ready)
>>> riskengine.brief(cube)                                # Markdown in Jupyter
"""

from __future__ import annotations

import json
import time
import warnings

import xarray as xr

from riskengine.briefing import Brief, render_brief
from riskengine.config import Scenario
from riskengine.cube import build_cube
from riskengine.cube.provenance import provenance_attributes
from riskengine.ensemble.cluster import execution
from riskengine.ensemble.keys import KEY_SCHEME
from riskengine.ensemble.parameters import select_parameter_draws
from riskengine.ensemble.runner import plan_ensemble, run_ensemble
from riskengine.models import get_model

__all__ = ["RangeWarning", "brief", "run"]


class RangeWarning(UserWarning):
    """A scenario lies outside the range of the data the model was fitted on."""


class PosteriorWarning(UserWarning):
    """The fitted posterior in use missed a diagnostic floor (R-hat, ESS, divergences) or
    a required row of its posterior predictive check."""


def _floor_notes(provenance: dict) -> list[str]:
    report = json.loads(provenance["diagnostics"])
    if report.get("passed", True):
        return []
    return [
        f"the fitted posterior ({provenance.get('file')}) misses its diagnostic floors: "
        f"max R-hat {report['max_rhat']:.3f} (floor 1.01), min ESS bulk "
        f"{report['min_ess_bulk']:.0f} / tail {report['min_ess_tail']:.0f} (floor 400), "
        f"{report['divergences']} divergences; its intervals are less reliable than stated"
    ]


def _predictive_check_notes(table: dict | None) -> list[str]:
    if not table or table.get("passed", True):
        return []
    return [
        f"the fitted posterior's predictive check misses the observed {row['statistic']}: "
        f"{row['observed']:.4f} outside its 90% interval [{row['lower_5']:.4f}, "
        f"{row['upper_95']:.4f}]; the model is biased for such crises"
        for row in table["rows"]
        if row["statistic"] in table.get("required_inside", ()) and not row["inside"]
    ]


def _era_notes(table: dict | None, eras) -> list[str]:
    """Notes for the scenario's eras whose war share misses its predictive interval."""
    rows = {row["statistic"]: row for row in (table or {}).get("rows", ())}
    notes = []
    for era in dict.fromkeys(eras):
        row = rows.get(f"war share: era {era}")
        if row is None or row["inside"]:
            continue
        direction = "overstated" if row["observed"] < row["lower_5"] else "understated"
        notes.append(
            f"the fitted posterior's predictive check misses the war share of {era} "
            f"disputes: observed {row['observed']:.4f}, 90% interval [{row['lower_5']:.4f}, "
            f"{row['upper_95']:.4f}]; war probabilities of crises in this era are likely "
            f"{direction}"
        )
    return notes


def _posterior_warnings(
    provenance: dict, predictive_check: dict | None = None, eras=()
) -> list[str]:
    """Notes on a fitted posterior's own checks: its diagnostics, its stored PPC's
    required rows, and the war-share rows of the ``eras`` a scenario's crises are in."""
    if provenance.get("source") != "posterior" or not provenance.get("diagnostics"):
        return []
    return (
        _floor_notes(provenance)
        + _predictive_check_notes(predictive_check)
        + _era_notes(predictive_check, eras)
    )


def _stored_predictive_check(model_name: str) -> dict | None:
    from riskengine.ensemble.parameters import predictive_check_path

    path = predictive_check_path(model_name)
    return json.loads(path.read_text()) if path.exists() else None


def _range_warnings(model, scenario_inputs, variant_names, source: str) -> list[str]:
    if source != "posterior":
        return []
    from riskengine.ensemble.parameters import posterior_path
    from riskengine.inference.ranges import covariate_ranges_from_posterior
    from riskengine.models.escalation.ranges import out_of_range_warnings

    ranges = covariate_ranges_from_posterior(posterior_path(model.name))
    covariates = scenario_inputs.constant_data["covariates"].values
    return out_of_range_warnings(covariates, variant_names, ranges)


def run(
    scenario: Scenario,
    *,
    client=None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> xr.DataTree:
    """Run the scenario's ensemble and return its cube.

    ``client``: an existing ``distributed.Client`` to use; otherwise ``scheduler`` picks
    where to run (``None``/"local": an embedded LocalCluster sized to the machine;
    "threads" / "synchronous"; or a scheduler address "tcp://HOST:PORT").
    """
    model = get_model(scenario.model)
    settings = scenario.ensemble
    scenario_inputs = model.scenario_inputs(scenario)
    draws, source, parameter_provenance = select_parameter_draws(
        model,
        source=settings.parameters,
        seed=settings.seed,
        num_chains=settings.num_chains,
        num_draws=settings.num_draws,
    )
    eras = [crisis.era for _, crisis in scenario.resolved_crises()]
    posterior_notes = _posterior_warnings(
        parameter_provenance, _stored_predictive_check(model.name), eras
    )
    for note in posterior_notes:
        warnings.warn(note, PosteriorWarning, stacklevel=2)
    range_notes = _range_warnings(model, scenario_inputs, scenario.variant_names, source)
    for note in range_notes:
        warnings.warn(note, RangeWarning, stacklevel=2)
    notes = posterior_notes + range_notes
    started = time.perf_counter()
    with execution(scheduler, client=client, num_workers=workers) as where:
        counts = run_ensemble(
            model,
            scenario_inputs,
            draws,
            seed=settings.seed,
            paths_per_draw=settings.paths_per_draw,
            chunk_paths=settings.chunk_paths,
            common_random_numbers=settings.common_random_numbers,
            execution=where,
            progress=progress,
        )
        description, dashboard = where.description, where.dashboard_link
    plan = plan_ensemble(
        settings.num_chains * settings.num_draws, settings.paths_per_draw, settings.chunk_paths
    )
    execution_facts = {
        "where": description,
        "dashboard": dashboard or "",
        "chunk_paths": settings.chunk_paths,
        "num_tasks": plan.num_tasks,
        "seconds": round(time.perf_counter() - started, 3),
    }
    attributes = provenance_attributes(
        config_text=scenario.source_text,
        config_path=str(scenario.source_path or ""),
        seed=settings.seed,
        key_scheme=KEY_SCHEME,
        paths_per_draw=settings.paths_per_draw,
        parameter_source=source,
        parameter_provenance=parameter_provenance,
        model_name=model.name,
        execution=execution_facts,
    )
    attributes.update(
        scenario_name=scenario.name,
        scenario_title=scenario.title,
        scenario_description=scenario.description,
        common_random_numbers=int(settings.common_random_numbers),
        warnings=json.dumps(notes),
    )
    return build_cube(
        model,
        scenario_inputs,
        draws,
        counts,
        variant_names=list(scenario.variant_names),
        attributes=attributes,
    )


def brief(cube: xr.DataTree, credible_mass: float = 0.9) -> Brief:
    """The Markdown brief of a cube (renders in Jupyter)."""
    return render_brief(cube, credible_mass)
