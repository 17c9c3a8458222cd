"""``riskengine fit coalition``: the decision process has no data of its own to fit.

The permanent members' vetoes are the veto model's, fitted by ``scripts/fit_veto.sh``
(``riskengine/models/veto/fitted/posterior.nc``, which the coalition model reads); the
other process parameters rest on priors (:mod:`riskengine.models.coalition.process`);
the member support model is fitted by its own module (``support_fit``, written to
``fitted/support_posterior.nc``), which the engine does not read yet: its intercept
describes joining a TIES sanctions case, not a vote on a tabled item.
"""

from __future__ import annotations

from riskengine.errors import UsageError

__all__ = ["FIT_DEFAULTS", "fit_command"]

FIT_DEFAULTS = {"seed": 0, "num_chains": 4, "num_warmup": 500, "num_samples": 500}


def fit_command(data, out, seed, num_chains, num_warmup, num_samples, ppc, chain_method, **_):
    raise UsageError(
        "coalition: the decision process has no fit of its own (the vetoes come from the "
        "veto model, scripts/fit_veto.sh; the other parameters rest on priors); the member "
        "support model is fitted by riskengine.models.coalition.support_fit"
    )
