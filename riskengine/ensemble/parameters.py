"""Parameter draws for an ensemble: the shipped fitted posterior, or the priors.

``auto`` uses ``riskengine/models/<model>/fitted/posterior.nc`` when it exists (written
by ``riskengine fit``; every model keeps its fitted files there, the posterior predictive
check beside it as ``ppc.json``) and the priors otherwise. Posterior draws are thinned evenly to the
requested ``num_chains`` x ``num_draws``; prior draws are sampled from the seed's
parameter key, so they too are reproducible. A model whose posterior file holds only
some of its parameters declares the others in ``prior_only``; they are then drawn from
the priors and the provenance lists which came from where (``from_posterior``,
``from_prior``).
"""

from __future__ import annotations

import json
from pathlib import Path

import jax
import numpy as np

from riskengine.ensemble.keys import PARAMETER_PURPOSE, purpose_key
from riskengine.errors import DataError, UsageError
from riskengine.models.paths import posterior_path, predictive_check_path

__all__ = [
    "PARAMETER_SOURCES",
    "posterior_path",
    "predictive_check_path",
    "select_parameter_draws",
]

PARAMETER_SOURCES = ("auto", "prior", "posterior")
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _shipped_name(path: Path) -> str:
    """``riskengine/models/<model>/fitted/posterior.nc``: the file named within the package
    (the full path for a file elsewhere)."""
    if not path.is_relative_to(_PACKAGE_DIR.parent):
        return str(path)
    return path.relative_to(_PACKAGE_DIR.parent).as_posix()


def _prior_key(seed: int, stream_index: int):
    """The parameter key of model ``stream_index``: the seed's own for model 0, else
    ``fold_in(key, stream_index)``, so a model's prior draws are the same alone and
    composed."""
    key = purpose_key(seed, PARAMETER_PURPOSE)
    return key if stream_index == 0 else jax.random.fold_in(key, stream_index)


def _prior(model, seed: int, num_chains: int, num_draws: int, stream_index: int):
    flat = model.prior_draws(_prior_key(seed, stream_index), num_chains * num_draws)
    draws = {name: v.reshape(num_chains, num_draws, *v.shape[1:]) for name, v in flat.items()}
    note = "prior draws: no fitted posterior used; probabilities reflect prior assumptions only"
    return draws, "prior", {"source": "prior", "note": note}


def _not_a_posterior(model, path: Path, what: str) -> DataError:
    return DataError(
        f"{_shipped_name(path)}: {what}; allowed: the posterior file `riskengine fit "
        f"{model.name}` writes (refit the model, or set ensemble.parameters: prior)"
    )


def _source_path(model) -> Path:
    """The fitted posterior a model reads (``CoreEnsemble.posterior_path``: its own, or
    the model's it names as ``posterior_source``)."""
    return Path(model.posterior_path)


def _read_posterior(model, path: Path, xr):
    """The posterior group (its variables named as the model's parameters, through
    ``model.posterior_names``) and the root attributes of a fitted posterior file, or a
    DataError naming the file when it is not one (not NetCDF, no group, a variable or a
    dimension missing)."""
    try:
        with xr.open_datatree(path, engine="h5netcdf") as tree:
            posterior = tree["posterior"].to_dataset().load()
            provenance = dict(tree.attrs)
    except (OSError, ValueError, KeyError, TypeError) as error:
        reason = " ".join(str(error).split())[:120]
        raise _not_a_posterior(model, path, f"not a readable posterior ({reason})") from None
    renames = {
        stored: name
        for name, stored in getattr(model, "posterior_names", {}).items()
        if stored in posterior
    }
    posterior = posterior[list(renames)].rename(renames) if renames else posterior
    prior_only = getattr(model, "prior_only", ())
    missing = [
        name for name in model.parameters if name not in posterior and name not in prior_only
    ]
    missing += [dim for dim in ("chain", "draw") if dim not in posterior.dims]
    if missing:
        raise _not_a_posterior(model, path, f"no {', '.join(missing)} in its posterior group")
    return posterior, provenance


def _posterior(model, num_chains: int, num_draws: int, seed: int = 0, stream_index: int = 0):
    import xarray as xr

    path = _source_path(model)
    posterior, provenance = _read_posterior(model, path, xr)
    available_chains, available_draws = posterior.sizes["chain"], posterior.sizes["draw"]
    if num_chains > available_chains or num_draws > available_draws:
        raise UsageError(
            f"ensemble: asked for {num_chains} chains x {num_draws} draws but the fitted posterior "
            f"({_shipped_name(path)}) has {available_chains} x {available_draws}; lower ensemble.num_chains / num_draws"
        )
    draw_index = np.linspace(0, available_draws - 1, num_draws).round().astype(int)
    selected = posterior.isel(chain=slice(0, num_chains), draw=draw_index)
    # _read_posterior refused a file lacking a parameter not declared prior_only
    fitted = [name for name in model.parameters if name in selected.data_vars]
    missing = [name for name in model.parameters if name not in selected.data_vars]
    draws = {name: np.asarray(selected[name].values) for name in fitted}
    if missing:
        prior, _, _ = _prior(model, seed, num_chains, num_draws, stream_index)
        mismatched = [name for name in fitted if draws[name].shape != prior[name].shape]
        if mismatched:
            raise UsageError(
                f"{_shipped_name(path)}: parameters {', '.join(mismatched)} do not have the "
                f"shapes model {model.name} declares; refit it or use 'prior'"
            )
        draws |= {name: prior[name] for name in missing}
    provenance = {
        key: value if isinstance(value, str) else json.dumps(value, default=str)
        for key, value in provenance.items()
    }
    provenance.update(source="posterior", file=_shipped_name(path), draw_index=draw_index.tolist())
    if missing:
        provenance.update(from_posterior=fitted, from_prior=missing)
    return draws, "posterior", provenance


def select_parameter_draws(
    model, *, source: str, seed: int, num_chains: int, num_draws: int, stream_index: int = 0
):
    """``(draws, source_used, provenance)``; draws map names to (chain, draw, ...) arrays."""
    if source not in PARAMETER_SOURCES:
        raise UsageError(f"parameters: got {source!r}; allowed: {', '.join(PARAMETER_SOURCES)}")
    path = _source_path(model)
    has_posterior = path.exists()
    if source == "posterior" and not has_posterior:
        raise UsageError(
            f"parameters: 'posterior' asked for but {path} does not exist; fit the model "
            f"({path.parent.parent.name}) or use 'prior'"
        )
    if source == "prior" or not has_posterior:
        return _prior(model, seed, num_chains, num_draws, stream_index)
    return _posterior(model, num_chains, num_draws, seed, stream_index)
