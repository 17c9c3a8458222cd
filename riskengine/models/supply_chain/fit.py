"""``riskengine fit supply_chain``: the supply model has no data to fit.

USGS, IEA and EIA give the network (who produces what, what flows where), not the
history of disruptions a likelihood would need; every hazard, duration, rerouting and
substitution parameter rests on a prior whose source is stated in
:mod:`riskengine.models.supply_chain.core`.
"""

from __future__ import annotations

from riskengine.errors import UsageError

__all__ = ["FIT_DEFAULTS", "fit_command"]

FIT_DEFAULTS = {"seed": 0, "num_chains": 4, "num_warmup": 500, "num_samples": 500}


def fit_command(data, out, seed, num_chains, num_warmup, num_samples, ppc, chain_method, **_):
    raise UsageError(
        "supply_chain: nothing to fit (the production and chokepoint tables set the network; "
        "the hazard parameters rest on priors stated in riskengine.models.supply_chain.core)"
    )
