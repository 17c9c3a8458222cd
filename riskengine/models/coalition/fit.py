"""``riskengine fit coalition``: the decision process has no data of its own to fit.

The process parameters rest on priors (:mod:`riskengine.models.coalition.process`);
the member support model is fitted by its own module (``support_fit``, written to
``fitted/support_posterior.nc``), which the engine does not read yet: its intercept
describes joining a TIES sanctions case, not a vote on a tabled item. The engine would
read a ``fitted/posterior.nc`` holding some of the process parameters and draw the rest
(``prior_only``) from their priors.
"""

from __future__ import annotations

from riskengine.errors import UsageError

__all__ = ["FIT_DEFAULTS", "fit_command"]

FIT_DEFAULTS = {"seed": 0, "num_chains": 4, "num_warmup": 500, "num_samples": 500}


def fit_command(data, out, seed, num_chains, num_warmup, num_samples, ppc, chain_method, **_):
    raise UsageError(
        "coalition: the decision process has no fit (its parameters rest on priors); the "
        "member support model is fitted by riskengine.models.coalition.support_fit"
    )
