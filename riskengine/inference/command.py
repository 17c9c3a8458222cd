"""``riskengine fit``: dispatch to the named model's fit command.

Each model's fit module (``MODEL_FIT_MODULES``) has a ``fit_command`` that fits the
model to its data, writes the posterior (and predictive check) and prints a summary.
The CLI must call ``numpyro.set_host_device_count(num_chains)`` before jax is imported
(the fit modules import jax); otherwise the chains run one after another.
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["MODEL_FIT_MODULES", "fit_command"]

MODEL_FIT_MODULES = {"escalation": "riskengine.models.escalation.fit"}


def fit_command(
    model_name: str,
    data_dir: str | None,
    out: str | None,
    seed: int,
    num_chains: int,
    num_warmup: int,
    num_samples: int,
    ppc: bool,
    chain_method: str = "parallel",
) -> int:
    """Fit ``model_name`` and write ``out`` (default: the model's shipped posterior file).

    Returns 0 when the diagnostic floors are met, 1 when the fit ran but a floor was
    missed (the posterior is still written, with its diagnostics), 2 on a usage/data error.
    """
    if model_name not in MODEL_FIT_MODULES:
        available = ", ".join(MODEL_FIT_MODULES)
        print(f"fit: unknown model {model_name!r}; available: {available}", file=sys.stderr)
        return 2
    module = importlib.import_module(MODEL_FIT_MODULES[model_name])
    return module.fit_command(
        data_dir, out, seed, num_chains, num_warmup, num_samples, ppc, chain_method
    )
