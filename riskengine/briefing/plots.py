"""Figures of the HTML brief, embedded as base64 PNG (no files, no network).

- the figures the cube's models declare (``riskengine.models.base.Figure``, recorded in
  the cube's ``figures`` attribute): fan charts (e.g. the escalation ladder's level
  probabilities by month) and exceedance curves (e.g. the supply model's shortfall);
- the variants compared, with their credible intervals;
- a tornado plot of each judgment's drivers;
- a diagnostics panel: rank plots of each judgment's draws by chain.

Sized for A4 (7 inches wide), with titles and units.
"""

from __future__ import annotations

import base64
import io
import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from riskengine.briefing.judgments import declared_judgments, selected_values

__all__ = ["brief_figures"]

WIDTH_INCHES = 7.0
FLOOR_PERCENT = 0.01  # the fan chart's log axis starts at 0.01%
DPI = 110


def _uri(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _band(values: xr.DataArray, mass: float = 0.9):
    tail = (1 - mass) / 2
    stacked = values.stack(sample=("chain", "draw"))
    quantiles = stacked.quantile([tail, 1 - tail], dim="sample", skipna=True)
    return (
        stacked.mean("sample", skipna=True),
        quantiles.isel(quantile=0),
        quantiles.isel(quantile=1),
    )


def _panels(count: int, height: float):
    columns = min(count, 3)
    rows = -(-count // columns)
    figure, axes = plt.subplots(
        rows,
        columns,
        figsize=(WIDTH_INCHES, height * rows + 0.5),
        squeeze=False,
        sharey=True,
        layout="constrained",
    )
    for extra in axes.ravel()[count:]:
        extra.set_visible(False)
    return figure, axes.ravel()


def _fan_chart(predictions: xr.Dataset, spec: dict) -> dict | None:
    values = predictions[spec["variable"]]
    variants = [str(v) for v in values["variant"].values]
    figure, axes = _panels(len(variants), 2.6)
    x = values[spec["x"]].values
    for axis, variant in zip(axes, variants, strict=False):
        for category in values[spec["series"]].values:
            mean, lower, upper = (
                np.clip(100 * band, FLOOR_PERCENT, 100)
                for band in _band(values.sel({"variant": variant, spec["series"]: category}))
            )
            (line,) = axis.plot(x, mean, label=str(category))
            axis.fill_between(x, lower, upper, alpha=0.2, color=line.get_color())
        axis.set_yscale("log")  # the rare categories stay visible beside the common ones
        axis.set_ylim(FLOOR_PERCENT, 100)
        axis.set_title(variant, fontsize=9)
        axis.set_xlabel(spec["x"].replace("_", " "))
    axes[0].set_ylabel("probability (%, log scale)")
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=8)
    figure.suptitle(spec["title"], fontsize=11)
    return {"title": spec["title"], "caption": spec["caption"], "uri": _uri(figure)}


def _exceedance_curve(predictions: xr.Dataset, spec: dict) -> dict | None:
    values = predictions[spec["variable"]].sel(spec.get("select") or {})
    panel = spec.get("panels")
    panels = list(values[panel].values) if panel else [None]
    figure, axes = plt.subplots(
        1, len(panels), figsize=(WIDTH_INCHES, 3.2), layout="constrained", squeeze=False
    )
    x = values[spec["x"]].values
    for axis, name in zip(axes[0], panels, strict=True):
        shown = values.sel({panel: name}) if panel else values
        for variant in shown["variant"].values:
            mean, lower, upper = _band(shown.sel(variant=variant))
            (line,) = axis.plot(x, mean, label=str(variant))
            axis.fill_between(x, lower, upper, alpha=0.2, color=line.get_color())
        axis.set_xlabel(spec["x"].replace("_", " "))
        axis.set_yscale("log")
        if name is not None:
            axis.set_title(str(name), fontsize=10)
    axes[0][0].set_ylabel("exceedance probability")
    axes[0][0].legend(fontsize=8)
    figure.suptitle(spec["title"], fontsize=11)
    return {"title": spec["title"], "caption": spec["caption"], "uri": _uri(figure)}


_DRAWERS = {"fan": _fan_chart, "exceedance": _exceedance_curve}


def _declared_figures(cube: xr.DataTree, predictions: xr.Dataset) -> list[dict | None]:
    """The figures the cube's models declared (its ``figures`` attribute), drawn where
    their variable is in the cube (a reopened or trimmed cube may lack it)."""
    specs = json.loads(cube.attrs.get("figures", "[]"))
    return [
        _DRAWERS[spec["kind"]](predictions, spec)
        for spec in specs
        if spec["kind"] in _DRAWERS and spec["variable"] in predictions
    ]


def _comparison(sections: list[dict], judgments) -> dict | None:
    events = [s["event"] for s in sections if s["kind"] == "probability"]
    if not events:
        return None
    figure, axes = plt.subplots(
        len(events),
        1,
        figsize=(WIDTH_INCHES, 1.0 + 0.45 * len(judgments)),
        squeeze=False,
        layout="constrained",
    )
    for axis, event in zip(axes.ravel(), events, strict=True):
        rows = [j for j in judgments if j.event == event]
        means = np.array([100 * j.summary.mean for j in rows])
        lower = np.array([100 * j.summary.lower for j in rows])
        upper = np.array([100 * j.summary.upper for j in rows])
        positions = np.arange(len(rows))[::-1]
        axis.errorbar(means, positions, xerr=[means - lower, upper - means], fmt="o", capsize=4)
        axis.set_yticks(positions, [j.variant for j in rows])
        axis.set_xlabel("probability (%)")
        axis.set_title(f"{event}: mean and 90% credible interval", fontsize=10)
        axis.grid(axis="x", alpha=0.3)
    return {
        "title": "Variants compared",
        "caption": "Each variant's probability (%) with its 90% credible interval.",
        "uri": _uri(figure),
    }


def _tornado(drivers_list) -> list[dict]:
    figures = []
    for drivers in drivers_list:
        shown = drivers.drivers[:8]
        if not shown:
            continue
        figure, axis = plt.subplots(
            figsize=(WIDTH_INCHES, 0.6 + 0.35 * len(shown)), layout="constrained"
        )
        positions = np.arange(len(shown))[::-1]
        values = np.array([d.first_order for d in shown])
        errors = [values - [d.lower for d in shown], [d.upper for d in shown] - values]
        axis.barh(positions, values, xerr=np.clip(errors, 0, None), color="#4c72b0", capsize=3)
        axis.set_yticks(positions, [d.name for d in shown], fontsize=8)
        axis.set_xlabel("first-order variance index (share of the judgment's variance)")
        axis.set_title(f"Drivers: {drivers.event}", fontsize=10)
        figures.append(
            {
                "title": f"Tornado plot: drivers of {drivers.event}",
                "caption": "First-order variance indices with 90% bootstrap intervals, "
                "largest first.",
                "uri": _uri(figure),
            }
        )
    return figures


def _rank_plots(cube: xr.DataTree) -> dict | None:
    predictions = cube["predictions"].to_dataset()
    declared = declared_judgments(cube)
    if not declared or predictions.sizes["chain"] < 2:
        return None
    figure, axes = _panels(len(declared), 2.4)
    baseline = predictions["variant"].values[0]
    for axis, judgment in zip(axes, declared, strict=False):
        values = selected_values(predictions, judgment).sel(variant=baseline).values
        finite = np.where(np.isfinite(values), values, np.inf)
        ranks = finite.ravel().argsort().argsort().reshape(values.shape)
        bins = np.linspace(0, values.size, 11)
        for chain, chain_ranks in enumerate(ranks):
            counts, _ = np.histogram(chain_ranks, bins)
            axis.step(bins[:-1], counts, where="post", label=f"chain {chain}")
        axis.axhline(values.shape[1] / 10, color="black", linestyle=":", linewidth=1)
        axis.set_title(judgment["label"], fontsize=9)
        axis.set_xlabel("rank of draw")
    axes[0].set_ylabel("draws per bin")
    axes[0].legend(fontsize=7)
    figure.suptitle(f"Diagnostics: rank plots by chain ({baseline})", fontsize=11)
    return {
        "title": "Diagnostics panel: rank plots",
        "caption": "Ranks of each judgment's draws, by chain: chains that mix give flat, "
        "overlapping histograms (dotted: the uniform count).",
        "uri": _uri(figure),
    }


def brief_figures(cube: xr.DataTree, context: dict) -> list[dict]:
    """Every figure the cube supports, as ``{title, caption, uri}``."""
    predictions = cube["predictions"].to_dataset()
    figures = [
        *_declared_figures(cube, predictions),
        _comparison(context["sections"], context["judgments"]),
        *_tornado(context["drivers"]),
        _rank_plots(cube),
    ]
    return [figure for figure in figures if figure is not None]
