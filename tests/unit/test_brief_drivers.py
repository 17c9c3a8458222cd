"""Drivers (variance decomposition over draws and levers) and the brief's figures."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict

import numpy as np
import pytest
import xarray as xr

from riskengine.briefing.context import brief_context
from riskengine.briefing.drivers import LEVER, judgment_drivers
from riskengine.briefing.plots import brief_figures
from riskengine.models.base import Figure

NUM_CHAINS, NUM_DRAWS = 4, 250
COVARIATES = ["strong", "weak", "idle"]


def driven_cube(seed: int = 3) -> tuple[xr.DataTree, xr.DataArray]:
    """y = f(strong) + small g(weak) + a lever shift; ``idle`` does nothing."""
    rng = np.random.default_rng(seed)
    coefficients = rng.normal(size=(NUM_CHAINS, NUM_DRAWS, len(COVARIATES)))
    strong, weak = coefficients[..., 0], coefficients[..., 1]
    lever_shift = np.array([0.0, 0.3])
    y = 0.5 + 0.1 * (strong[..., None] + 0.3 * weak[..., None] + lever_shift)
    y = y + rng.normal(0, 0.005, y.shape)
    posterior = xr.Dataset(
        {"toy.coefficients": (("chain", "draw", "covariate"), coefficients)},
        coords={"covariate": COVARIATES},
    )
    constant = xr.Dataset(
        {"covariates": (("variant", "covariate"), np.zeros((2, 3)))},
        coords={"variant": ["baseline", "lever"], "covariate": COVARIATES},
    )
    values = xr.DataArray(
        y, dims=("chain", "draw", "variant"), coords={"variant": ["baseline", "lever"]}
    )
    predictions = xr.Dataset({"p_event": values})
    tree = xr.DataTree.from_dict(
        {"posterior": posterior, "constant_data": constant, "predictions": predictions}
    )
    tree.attrs["paths_per_draw"] = 10_000
    return tree, values


def test_the_input_that_drives_the_judgment_ranks_first():
    cube, values = driven_cube()
    drivers = judgment_drivers(cube, values, "event", seed=1)
    by_name = {d.name: d for d in drivers.drivers}
    assert drivers.drivers[0].name == "toy.coefficients[strong]"
    strong, weak, idle = (by_name[f"toy.coefficients[{c}]"] for c in COVARIATES)
    assert strong.first_order > weak.first_order > idle.first_order
    assert strong.lower <= strong.first_order <= strong.upper
    assert idle.lower < 0.02  # an input without effect has an index near zero
    # with independent inputs and an additive model the first-order indices add up
    y = values.values
    expected_strong = np.var(0.1 * cube["posterior"]["toy.coefficients"].values[..., 0]) / y.var()
    assert strong.first_order == pytest.approx(expected_strong, abs=0.05)
    assert drivers.indicators[0] == "strong"


def test_the_lever_total_index_is_the_spread_across_variants_within_draws():
    cube, values = driven_cube()
    drivers = judgment_drivers(cube, values, "event", seed=1)
    lever = next(d for d in drivers.drivers if d.name == LEVER)
    y = values.values.reshape(-1, 2)
    assert lever.total == pytest.approx(y.var(axis=1).mean() / y.var())
    assert lever.total_lower <= lever.total <= lever.total_upper
    assert lever.first_order <= lever.total + 0.02  # additive: first order ~ total
    assert np.isnan(drivers.drivers[0].total)  # not identified for one parameter


def test_the_top_decile_of_draws_is_distinguished_by_the_strong_input():
    cube, values = driven_cube()
    drivers = judgment_drivers(cube, values, "event", seed=1)
    by_name = {d.name: d for d in drivers.drivers}
    assert by_name["toy.coefficients[strong]"].distinguishes > 1.0
    assert abs(by_name["toy.coefficients[idle]"].distinguishes) < 0.5


def test_undefined_judgments_have_no_drivers():
    cube, values = driven_cube()
    assert judgment_drivers(cube, values.where(values < 0.5), "event") is None


def _png_size(uri: str) -> tuple[int, int]:
    data = base64.b64decode(uri.split(",", 1)[1])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _declare(cube, *figures: Figure) -> None:
    cube.attrs["figures"] = json.dumps([asdict(figure) for figure in figures])


FAN = Figure("fan", "p_level", x="month", series="level", title="Fan", caption="levels")


def test_figures_are_embedded_pngs_and_declared_ones_only_when_declared():
    cube, _ = driven_cube()
    cube.attrs["judgments"] = '[{"variable": "p_event", "label": "the event"}]'
    # a ladder and an exceedance variable in the cube, declared by no model: no figures
    predictions = cube["predictions"].to_dataset()
    rng = np.random.default_rng(0)
    level = rng.dirichlet(np.ones(3), (NUM_CHAINS, NUM_DRAWS, 2, 6))
    predictions["p_level"] = (("chain", "draw", "variant", "month", "level"), level)
    predictions = predictions.assign_coords(month=np.arange(1, 7), level=["a", "b", "c"])
    exceed = np.sort(rng.uniform(size=(NUM_CHAINS, NUM_DRAWS, 2, 5)), axis=-1)[..., ::-1]
    predictions["p_loss_exceeds"] = (("chain", "draw", "variant", "loss_threshold"), exceed)
    cube["predictions"] = xr.DataTree(predictions)
    titles = [figure["title"] for figure in brief_figures(cube, brief_context(cube))]
    assert "Variants compared" in titles and "Diagnostics panel: rank plots" in titles
    assert "Tornado plot: drivers of the event" in titles
    assert "Fan" not in titles and not any("Exceedance" in t for t in titles)
    # declared, they are drawn; a declared variable the cube lacks is left out
    curve = Figure(
        "exceedance", "p_loss_exceeds", x="loss_threshold", title="Exceedance", caption=""
    )
    missing = Figure("fan", "p_absent", x="month", series="level", title="Absent", caption="")
    _declare(cube, FAN, curve, missing)
    figures = brief_figures(cube, brief_context(cube))
    titles = [figure["title"] for figure in figures]
    assert "Fan" in titles and "Exceedance" in titles and "Absent" not in titles
    for figure in figures:
        width, height = _png_size(figure["uri"])
        assert 500 < width < 1000 and height > 100  # about 7 inches at 110 dpi: A4 text width


def test_exceedance_with_more_dims_is_drawn_at_its_declared_selection():
    """Supply-style curves (importer x commodity x measure x edge): the declared line,
    one panel per measure."""
    cube, _ = driven_cube()
    predictions = cube["predictions"].to_dataset()
    rng = np.random.default_rng(1)
    curves = np.sort(rng.uniform(size=(NUM_CHAINS, NUM_DRAWS, 2, 2, 3, 2, 6)), axis=-1)[..., ::-1]
    dims = ("chain", "draw", "variant", "importer", "commodity", "annual_measure", "annual_edge")
    predictions["annual_shortfall_exceedance"] = (dims, curves)
    predictions = predictions.assign_coords(
        importer=["EU", "Japan"],
        commodity=["oil", "gallium", "graphite"],
        annual_measure=["occurrence", "aggregate"],
        annual_edge=np.linspace(0, 1, 6),
    )
    cube["predictions"] = xr.DataTree(predictions)
    line = {"importer": "Japan", "commodity": "gallium"}
    _declare(
        cube,
        Figure(
            "exceedance",
            "annual_shortfall_exceedance",
            x="annual_edge",
            panels="annual_measure",
            select=line,
            title="Japan gallium",
            caption="",
        ),
    )
    figures = brief_figures(cube, brief_context(cube))
    assert [f["title"] for f in figures if f["title"] == "Japan gallium"] == ["Japan gallium"]


def test_run_records_the_models_declared_figures():
    from riskengine.models import ensemble_model

    figures = ensemble_model(("escalation", "supply_chain")).figures(
        num_months=12, supply_headline=("EU", "gallium", 12)
    )
    assert [(f.kind, f.variable) for f in figures] == [
        ("fan", "p_level"),
        ("exceedance", "annual_shortfall_exceedance"),
    ]
    assert figures[1].select == {"importer": "EU", "commodity": "gallium"}


def test_too_few_draws_give_no_drivers_and_the_brief_says_why():
    cube, values = driven_cube()
    few = cube.isel(draw=slice(0, 10))
    assert judgment_drivers(few, values.isel(draw=slice(0, 10)), "event") is None
    few.attrs["judgments"] = '[{"variable": "p_event", "label": "the event"}]'
    context = brief_context(few)
    assert context["driver_tables"] == []
    assert "at least 100 parameter draws; this cube has 40" in context["drivers_note"]


def test_every_registered_model_answers_for_its_figures():
    from riskengine.models import MODEL_NAMES, ensemble_model

    figures = ensemble_model(tuple(MODEL_NAMES)).figures(
        num_months=12, supply_importance_sampling=False, supply_headline=("EU", "oil", 12)
    )
    assert {f.variable for f in figures} == {"p_level", "annual_shortfall_exceedance"}
