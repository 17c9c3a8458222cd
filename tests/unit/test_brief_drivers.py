"""Drivers (variance decomposition over draws and levers) and the brief's figures."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import xarray as xr

from riskengine.briefing.context import brief_context
from riskengine.briefing.drivers import LEVER, judgment_drivers
from riskengine.briefing.plots import brief_figures

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


def test_figures_are_embedded_pngs_and_model_specific_ones_only_when_supported():
    cube, _ = driven_cube()
    cube.attrs["judgments"] = '[{"variable": "p_event", "label": "the event"}]'
    context = brief_context(cube)
    titles = [figure["title"] for figure in brief_figures(cube, context)]
    assert "Variants compared" in titles and "Diagnostics panel: rank plots" in titles
    assert "Tornado plot: drivers of the event" in titles
    assert not any("Fan chart" in t or "Exceedance" in t for t in titles)
    # a ladder and an exceedance variable bring their figures
    predictions = cube["predictions"].to_dataset()
    rng = np.random.default_rng(0)
    level = rng.dirichlet(np.ones(3), (NUM_CHAINS, NUM_DRAWS, 2, 6))
    predictions["p_level"] = (("chain", "draw", "variant", "month", "level"), level)
    predictions = predictions.assign_coords(month=np.arange(1, 7), level=["a", "b", "c"])
    exceed = np.sort(rng.uniform(size=(NUM_CHAINS, NUM_DRAWS, 2, 5)), axis=-1)[..., ::-1]
    predictions["p_loss_exceeds"] = (("chain", "draw", "variant", "loss_threshold"), exceed)
    cube["predictions"] = xr.DataTree(predictions)
    figures = brief_figures(cube, brief_context(cube))
    titles = [figure["title"] for figure in figures]
    assert "Fan chart of the ladder's level probabilities by month" in titles
    assert "Exceedance curve of p_loss_exceeds" in titles
    for figure in figures:
        width, height = _png_size(figure["uri"])
        assert 500 < width < 1000 and height > 100  # about 7 inches at 110 dpi: A4 text width


def test_exceedance_with_more_dims_is_drawn_at_a_declared_judgment_selection():
    """Supply-style curves (importer x commodity x measure x edge): the line a declared
    judgment selects, one panel per measure; with no such judgment, no figure."""
    cube, _ = driven_cube()
    predictions = cube["predictions"].to_dataset()
    rng = np.random.default_rng(1)
    curves = np.sort(rng.uniform(size=(NUM_CHAINS, NUM_DRAWS, 2, 2, 3, 2, 6)), axis=-1)[..., ::-1]
    dims = ("chain", "draw", "variant", "importer", "commodity", "annual_measure", "annual_edge")
    predictions["annual_shortfall_exceedance"] = (dims, curves)
    predictions["cumulative"] = (dims[:5], curves[..., 0, 0])
    predictions = predictions.assign_coords(
        importer=["EU", "Japan"],
        commodity=["oil", "gallium", "graphite"],
        annual_measure=["occurrence", "aggregate"],
        annual_edge=np.linspace(0, 1, 6),
    )
    cube["predictions"] = xr.DataTree(predictions)
    titles = [figure["title"] for figure in brief_figures(cube, brief_context(cube))]
    assert not any("annual_shortfall_exceedance" in title for title in titles)
    declared = json.loads(cube.attrs.get("judgments", "[]"))
    line = {"importer": "Japan", "commodity": "gallium"}
    declared.append(
        {"variable": "cumulative", "label": "x", "select": line, "kind": "quantity", "units": "1"}
    )
    cube.attrs["judgments"] = json.dumps(declared)
    titles = [figure["title"] for figure in brief_figures(cube, brief_context(cube))]
    assert (
        "Exceedance curve of annual_shortfall_exceedance (importer Japan, commodity gallium)"
        in titles
    )


def test_too_few_draws_give_no_drivers_and_the_brief_says_why():
    cube, values = driven_cube()
    few = cube.isel(draw=slice(0, 10))
    assert judgment_drivers(few, values.isel(draw=slice(0, 10)), "event") is None
    few.attrs["judgments"] = '[{"variable": "p_event", "label": "the event"}]'
    context = brief_context(few)
    assert context["driver_tables"] == []
    assert "at least 100 parameter draws; this cube has 40" in context["drivers_note"]
