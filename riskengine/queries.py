"""Questions asked of a cube: conditional probabilities across models and tail tables.

>>> riskengine.conditional(cube, "supply_chain:shortfall_above_20pct", given="escalation:use_of_force")
>>> riskengine.tail_table(cube, importer="European Union", commodity="rare_earths_magnet")
>>> riskengine.tail_convergence(cube, importer="European Union", commodity="rare_earths_magnet")

``conditional`` reads the joint counts the composite keeps for every pair of models in
a path (``joint_count_<first>_<second>``: paths by each model's final category) and the
events the models declare, so any pair of events of two different models can be asked,
either way round; it returns per-draw probabilities (NaN in a draw where no path met the
condition) and, summed over draws, the pooled estimate. The tail tables read the supply
model's binned annual shortfall (:mod:`riskengine.models.supply_chain.tails`).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from riskengine.errors import UsageError
from riskengine.models import get_model

__all__ = ["conditional", "tail_convergence", "tail_table"]


def _predictions(cube) -> xr.Dataset:
    node = cube["predictions"]
    return node.to_dataset() if hasattr(node, "to_dataset") else node


def _event(text: str):
    model_name, _, event_name = text.partition(":")
    try:
        component = get_model(model_name).component
    except Exception as error:
        raise UsageError(f"event {text!r}: unknown model {model_name!r}") from error
    for event in component.events:
        if event.name == event_name:
            return model_name, event
    names = ", ".join(f"{model_name}:{e.name}" for e in component.events)
    raise UsageError(f"event {text!r}: unknown event; allowed: {names}")


def _joint(predictions: xr.Dataset, first: str, second: str) -> tuple[xr.DataArray, bool]:
    for a, b, flipped in ((first, second, False), (second, first, True)):
        name = f"joint_count_{a}_{b}"
        if name in predictions:
            return predictions[name], flipped
    raise UsageError(
        f"the cube has no joint counts of {first} and {second}; allowed: events of two models "
        "the scenario ran together"
    )


def conditional(cube, event: str, given: str) -> xr.Dataset:
    """P(``event`` | ``given``) per draw and variant (``probability``), its pooled value
    over draws (``pooled``) and the number of paths that met the condition (``paths``).

    Events are ``"<model>:<event>"`` as the models declare them (e.g.
    ``"escalation:use_of_force"``, ``"supply_chain:shortfall_above_20pct"``)."""
    event_model, wanted = _event(event)
    given_model, condition = _event(given)
    if event_model == given_model:
        raise UsageError(
            f"event {event!r} and condition {given!r} are of the same model; allowed: two models"
        )
    predictions = _predictions(cube)
    joint, flipped = _joint(predictions, given_model, event_model)
    given_dim, event_dim = joint.dims[-2:] if not flipped else joint.dims[-1:-3:-1]
    met = joint.isel({given_dim: list(condition.categories)}).sum(given_dim)
    both = met.isel({event_dim: list(wanted.categories)}).sum(event_dim)
    met = met.sum(event_dim)
    probability = (both / met).where(met > 0)
    pooled = both.sum(("chain", "draw")) / met.sum(("chain", "draw"))
    return xr.Dataset(
        {
            "probability": probability,
            "pooled": pooled.where(met.sum(("chain", "draw")) > 0),
            "paths": met,
        },
        attrs={
            "event": event,
            "given": given,
            "description": f"P({wanted.description} | {condition.description})",
        },
    )


def _line(predictions: xr.Dataset, importer, commodity) -> xr.DataArray:
    if "annual_shortfall_count" not in predictions:
        raise UsageError(
            "the cube has no supply_chain outputs; allowed: a cube of a scenario with a supply_chain section"
        )
    counts = predictions["annual_shortfall_count"]
    selection = {}
    for dim, value in (("importer", importer), ("commodity", commodity)):
        if value is not None:
            known = [str(v) for v in counts[dim].values]
            if value not in known:
                raise UsageError(f"{dim} {value!r} is not in the cube; allowed: {', '.join(known)}")
            selection[dim] = value
    return counts.sel(selection)


def tail_table(
    cube, importer=None, commodity=None, levels=(0.95, 0.99), credible_mass=0.9
) -> xr.Dataset:
    """VaR and ES of the first year's shortfall: pooled over draws with their Monte Carlo
    standard errors, and the interval of the per-draw figures over posterior draws."""
    from riskengine.models.supply_chain.component import ANNUAL_EDGES
    from riskengine.models.supply_chain.tails import tail_figures

    counts = _line(_predictions(cube), importer, commodity)
    pooled = counts.sum(("chain", "draw"))
    tail = (1 - credible_mass) / 2
    variables = {}
    per_draw_figures = tail_figures(counts.values, ANNUAL_EDGES, levels)
    pooled_figures = tail_figures(pooled.values, ANNUAL_EDGES, levels)
    dims = tuple(d for d in counts.dims if d != "shortfall_bin")
    pooled_dims = tuple(d for d in pooled.dims if d != "shortfall_bin")
    for name in ("var", "es"):
        per_draw = xr.DataArray(per_draw_figures[name], dims=(*dims, "tail_level"))
        variables[name] = xr.DataArray(pooled_figures[name], dims=(*pooled_dims, "tail_level"))
        variables[f"{name}_mcse"] = xr.DataArray(
            pooled_figures[f"{name}_mcse"], dims=(*pooled_dims, "tail_level")
        )
        variables[f"{name}_lower"] = per_draw.quantile(tail, ("chain", "draw")).drop_vars(
            "quantile"
        )
        variables[f"{name}_upper"] = per_draw.quantile(1 - tail, ("chain", "draw")).drop_vars(
            "quantile"
        )
    coords = {name: counts[name] for name in pooled_dims if name in counts.coords}
    return xr.Dataset(variables, coords=coords | {"tail_level": list(levels)})


def tail_convergence(cube, importer, commodity, variant=None, level=0.99, steps=6) -> xr.Dataset:
    """How the pooled VaR and ES settle as paths grow: the figures from the first
    ``n`` draws' paths, ``n`` doubling up to all draws (with their standard errors)."""
    from riskengine.models.supply_chain.component import ANNUAL_EDGES
    from riskengine.models.supply_chain.tails import tail_figures

    counts = _line(_predictions(cube), importer, commodity)
    if variant is not None:
        counts = counts.sel(variant=variant)
    stacked = counts.stack(sample=("chain", "draw")).transpose("sample", ...)
    total = stacked.sizes["sample"]
    sizes = sorted({max(1, total >> k) for k in range(steps)})
    rows = []
    for size in sizes:
        figures = tail_figures(
            stacked.isel(sample=slice(0, size)).sum("sample").values, ANNUAL_EDGES, (level,)
        )
        rows.append({name: value[..., 0] for name, value in figures.items()})
    other = tuple(d for d in stacked.dims if d not in ("sample", "shortfall_bin"))
    paths_per_draw = int(stacked.isel(sample=0).sum("shortfall_bin").max())
    data = {
        name: xr.DataArray(np.stack([row[name] for row in rows]), dims=("draws_used", *other))
        for name in rows[0]
    }
    coords = {"draws_used": sizes, "paths": ("draws_used", [s * paths_per_draw for s in sizes])}
    coords |= {d: stacked[d] for d in other if d in stacked.coords}
    return xr.Dataset(data, coords=coords, attrs={"tail_level": level})
