"""Drivers of a judgment: how its variance splits over its uncertain inputs.

The inputs are the parameter draws (every scalar entry of every ``posterior`` variable,
e.g. ``escalation.coefficients[capability_ratio]``) and the lever (which variant), taken
together over ``(chain, draw, variant)`` with the variants equally weighted. The
judgment's value is a function of them plus the Monte Carlo noise of finite paths.

- First-order index of an input: ``Var(E[Y | X_i]) / Var(Y)``, estimated from the given
  draws by binning ``X_i`` into ``NUM_BINS`` equal-count bins (the lever: one bin per
  variant), less the between-bin variance that pure noise gives ((B - 1) / (N - 1)).
- Total index: exact for the lever, ``E[Var(Y | parameters)] / Var(Y)`` (the spread
  across variants within each draw); for the Monte Carlo noise of a probability,
  ``E[p (1 - p) / paths] / Var(Y)``. The given draws do not identify the total index of
  one parameter among correlated others; it is not stated.
- Intervals (first-order and the lever's total): 90% basic-bootstrap intervals over draws (``NUM_BOOTSTRAP`` resamples of
  the draws, a fixed seed), which correct the estimator's upward bias in resamples.

Posterior parameters are correlated, so first-order indices can overlap (they need not
sum to one); they rank inputs, they do not partition the variance exactly.

Indicators to watch: the scenario inputs (``constant_data`` coordinates) whose parameter
entries have the largest first-order indices: the observable facts that move the
judgment most. "What distinguishes": the standardized difference of each input between
the draws where the outcome is most likely (top decile) and the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import xarray as xr

__all__ = ["MIN_DRAWS", "Driver", "Drivers", "judgment_drivers"]

NUM_BINS = 10
MIN_DRAWS = 100
"""Fewer parameter draws leave too few per bin for an index: no drivers are stated."""
NUM_BOOTSTRAP = 100
TOP_SHARE = 0.1
LEVER = "lever (variant)"


@dataclass(frozen=True)
class Driver:
    """One input's first-order index with its interval, total index (NaN: not stated),
    and the standardized difference between top-decile draws and the rest."""

    name: str
    first_order: float
    lower: float
    upper: float
    total: float = math.nan
    total_lower: float = math.nan
    total_upper: float = math.nan
    distinguishes: float = math.nan


@dataclass(frozen=True)
class Drivers:
    """The drivers of one judgment, largest first-order index first."""

    event: str
    drivers: tuple[Driver, ...]
    noise_share: float
    indicators: tuple[str, ...]


def _parameter_columns(posterior: xr.Dataset) -> dict[str, np.ndarray]:
    """Every scalar entry of every parameter as a (chain * draw,) column."""
    columns = {}
    for name, values in posterior.data_vars.items():
        flat = values.stack(sample=("chain", "draw")).transpose("sample", ...)
        extra = [d for d in flat.dims if d != "sample"]
        if not extra:
            columns[name] = flat.values.astype(float)
            continue
        entries = flat.stack(entry=extra)
        for index in range(entries.sizes["entry"]):
            label = ",".join(str(v) for v in np.atleast_1d(entries["entry"].values[index]))
            columns[f"{name}[{label}]"] = entries.values[:, index].astype(float)
    return {k: v for k, v in columns.items() if np.ptp(v) > 0}


def _bins(x: np.ndarray) -> np.ndarray:
    """Equal-count bin labels (0 .. NUM_BINS - 1) of a column."""
    edges = np.quantile(x, np.linspace(0, 1, NUM_BINS + 1)[1:-1])
    return np.searchsorted(edges, x, side="right")


def _first_order(bins: np.ndarray, y: np.ndarray) -> float:
    """Between-bin share of the variance, less what noise alone gives."""
    total = y.var()
    if total == 0:
        return 0.0
    counts = np.bincount(bins)
    present = counts > 0
    means = np.bincount(bins, weights=y)[present] / counts[present]
    between = np.sum(counts[present] * (means - y.mean()) ** 2) / y.size
    share = between / total - (present.sum() - 1) / (y.size - 1)
    return float(max(share, 0.0))


def _indices(columns, y, rng) -> dict[str, tuple[float, float, float]]:
    """First-order index and basic-bootstrap 90% interval per input; y is (draw, variant)."""
    num_draws, num_variants = y.shape
    labels = {name: _bins(column) for name, column in columns.items()}
    resamples = [np.arange(num_draws)] + [
        rng.integers(0, num_draws, num_draws) for _ in range(NUM_BOOTSTRAP)
    ]
    lever = np.arange(num_variants)
    names = [*columns, LEVER]
    estimates = np.empty((len(resamples), len(names)))
    for row, index in enumerate(resamples):
        flat_y = y[index].ravel()
        for column, name in enumerate(names):
            bins = np.tile(lever, num_draws) if name == LEVER else labels[name][index]
            bins = bins if name == LEVER else np.repeat(bins, num_variants)
            estimates[row, column] = _first_order(bins, flat_y)
    high, low = np.quantile(estimates[1:], [0.95, 0.05], axis=0)
    lower = np.maximum(2 * estimates[0] - high, 0.0)
    upper = np.maximum(2 * estimates[0] - low, 0.0)
    return {n: (estimates[0, i], lower[i], upper[i]) for i, n in enumerate(names)}


def _lever_total(y: np.ndarray, rng) -> tuple[float, float, float]:
    """The lever's total index, E[Var(Y | draw)] / Var(Y), with a basic-bootstrap 90%
    interval over draws (the same resampling as the first-order indices)."""
    if y.shape[1] < 2:
        return 0.0, 0.0, 0.0

    def share(rows: np.ndarray) -> float:
        return float(rows.var(axis=1).mean() / rows.var()) if rows.var() > 0 else 0.0

    estimate = share(y)
    resampled = [share(y[rng.integers(0, y.shape[0], y.shape[0])]) for _ in range(NUM_BOOTSTRAP)]
    high, low = np.quantile(resampled, [0.95, 0.05])
    return estimate, max(2 * estimate - high, 0.0), max(2 * estimate - low, 0.0)


def _distinguishes(column: np.ndarray, outcome: np.ndarray) -> float:
    """Standardized difference of an input between the top-decile draws and the rest."""
    top = outcome >= np.quantile(outcome, 1 - TOP_SHARE)
    spread = column.std()
    if spread == 0 or top.all() or not top.any():
        return math.nan
    return float((column[top].mean() - column[~top].mean()) / spread)


def _indicators(drivers: list[Driver], constant: xr.Dataset | None) -> tuple[str, ...]:
    """Observable scenario inputs behind the largest drivers."""
    if constant is None:
        return ()
    observable = {
        str(coord)
        for values in constant.data_vars.values()
        for d in values.dims
        if d != "variant"
        for coord in values[d].values
    }
    found = []
    for driver in drivers:
        label = driver.name.rsplit("[", 1)[-1].rstrip("]") if "[" in driver.name else ""
        if label in observable and label not in found:
            found.append(label)
    return tuple(found[:3])


def _driver(name, first_order, lever_total, column, outcome) -> Driver:
    totals = lever_total if name == LEVER else (math.nan, math.nan, math.nan)
    contrast = _distinguishes(column, outcome) if column is not None else math.nan
    return Driver(name, *first_order, *totals, distinguishes=contrast)


def judgment_drivers(
    cube: xr.DataTree, values: xr.DataArray, event: str, *, seed: int = 0
) -> Drivers | None:
    """Drivers of a judgment's ``(chain, draw, variant)`` values (None when undefined,
    constant, or with fewer than ``MIN_DRAWS`` draws)."""
    y = values.stack(sample=("chain", "draw")).transpose("sample", "variant").values
    if not np.isfinite(y).all() or y.var() == 0 or "posterior" not in cube.children:
        return None
    if y.shape[0] < MIN_DRAWS:
        return None
    columns = _parameter_columns(cube["posterior"].to_dataset())
    indices = _indices(columns, y, np.random.default_rng(seed))
    outcome = y.mean(axis=1)
    lever_total = _lever_total(y, np.random.default_rng(seed + 1))
    drivers = [
        _driver(name, indices[name], lever_total, columns.get(name), outcome) for name in indices
    ]
    drivers.sort(key=lambda d: (-d.first_order, d.name))  # ties: by name, whatever the order
    paths = float(cube.attrs.get("paths_per_draw", 0) or 0)
    noise = float(np.mean(y * (1 - y)) / paths / y.var()) if paths else math.nan
    constant = cube["constant_data"].to_dataset() if "constant_data" in cube.children else None
    return Drivers(event, tuple(drivers), noise, _indicators(drivers, constant))
