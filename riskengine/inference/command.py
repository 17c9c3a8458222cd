"""``riskengine fit``: dispatch to the named model's fit command, through the registry.

Each model's ``fit`` module has a ``fit_command`` that fits the model to its data,
writes the posterior (and predictive check) and prints a summary, and ``FIT_DEFAULTS``,
the settings of its shipped posterior (so that ``riskengine fit MODEL`` refits it).
The CLI must call ``numpyro.set_host_device_count(num_chains)`` before jax is imported
(the fit modules import jax); otherwise the chains run one after another.
"""

from __future__ import annotations

import os
from pathlib import Path

from riskengine.errors import UsageError
from riskengine.models import MODEL_NAMES, model_module

__all__ = ["check_posterior_destination", "fit_command", "fit_defaults"]


def fit_defaults(model_name: str) -> dict:
    """The shipped posterior's fit settings of a model (seed, chains, warmup, samples)."""
    return dict(model_module(model_name, "fit").FIT_DEFAULTS)


def fit_command(
    model_name: str, *, data=None, columns=None, out=None, ppc=False, **settings
) -> int:
    """Fit ``model_name`` and write ``out`` (default: the model's shipped posterior file).

    ``settings`` (``seed``, ``num_chains``, ``num_warmup``, ``num_samples``,
    ``chain_method``) left out or None take the model's ``FIT_DEFAULTS``. Returns 0 when
    the diagnostic floors are met, 1 when the fit ran but a floor was missed (the
    posterior is still written, with its diagnostics), 2 on a usage/data error.
    """
    if model_name not in MODEL_NAMES:
        raise ValueError(f"unknown model {model_name!r}; available: {', '.join(MODEL_NAMES)}")
    if out is not None:
        check_posterior_destination(out)
    chosen = fit_defaults(model_name) | {k: v for k, v in settings.items() if v is not None}
    return model_module(model_name, "fit").fit_command(
        data,
        out,
        chosen["seed"],
        chosen["num_chains"],
        chosen["num_warmup"],
        chosen["num_samples"],
        ppc,
        chosen.get("chain_method", "parallel"),
        columns=columns,
    )


def check_posterior_destination(out, option: str = "--out") -> Path:
    """``out`` when a fit may write its posterior there, else a UsageError, raised before
    the fit (minutes of sampling) rather than when the file is written: ``out`` must not
    be a directory, and its directory must exist and be writable."""
    path = Path(out)
    allowed = "allowed: a file path in an existing, writable directory"
    if path.is_dir():
        raise UsageError(f"{option}: got {str(out)!r}, a directory; {allowed}")
    parent = path.parent
    if not parent.is_dir():
        what = "a file" if parent.exists() else "missing"
        raise UsageError(f"{option}: got {str(out)!r}, but {str(parent)!r} is {what}; {allowed}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(
            f"{option}: got {str(out)!r}, but {str(parent)!r} is not writable; {allowed}"
        )
    return path
