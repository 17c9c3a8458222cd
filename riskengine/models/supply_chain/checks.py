"""A historical check of the oil side: the 2024 Red Sea diversion.

EIA (Today in Energy, October 2024, from Vortexa data; ``shared/data/README.md``): oil
through Bab el-Mandeb averaged 8.7 mb/d in 2023 and 4.0 mb/d in January-August 2024
after the attacks on shipping, while flows around the Cape of Good Hope rose from 6.0 to
9.2 mb/d. In the model, a closure of Bab el-Mandeb cuts ``severity`` of its flow
(per closure, around the prior's ``closure_severity``), and from its second month
``min(1, reroute_share x reroute_scale)`` of the cut flow goes round the Cape (the
section's default reroute share, 0.7). :func:`red_sea_check` draws both from the priors
and asks whether EIA's two figures fall inside the model's 90% predictive intervals.
The check is not independent of the priors: the severity and reroute priors cite the
same episode, so it shows the parameterisation can reproduce it, not a forecast skill.
"""

from __future__ import annotations

import jax
import numpy as np

from riskengine.models.supply_chain import core
from riskengine.models.supply_chain.section import CHOKEPOINT_DEFAULTS

__all__ = ["RED_SEA", "red_sea_check"]

RED_SEA = {
    "bab_el_mandeb_2023": 8.7,
    "bab_el_mandeb_2024": 4.0,
    "cape_2023": 6.0,
    "cape_2024": 9.2,
}


def red_sea_check(rng_key, num_draws: int = 20_000, mass: float = 0.9) -> dict:
    """Predictive intervals of Bab el-Mandeb's flow and the Cape's rise during a closure,
    against EIA's 2024 figures (mb/d); ``passed`` when both fall inside."""
    prior_key, unit_key = jax.random.split(rng_key)
    draws = _prior(prior_key, num_draws)
    unit = np.asarray(jax.random.uniform(unit_key, (num_draws,)))
    severity = np.asarray(core.severity(draws["closure_severity"], unit))
    reroute = np.minimum(
        1.0, CHOKEPOINT_DEFAULTS["Bab el-Mandeb"]["reroute_share"] * draws["reroute_scale"]
    )
    before = RED_SEA["bab_el_mandeb_2023"]
    through = before * (1.0 - severity)
    cape_rise = before * severity * reroute
    tail = (1 - mass) / 2
    observed = {
        "bab_el_mandeb_flow": RED_SEA["bab_el_mandeb_2024"],
        "cape_rise": RED_SEA["cape_2024"] - RED_SEA["cape_2023"],
    }
    result = {}
    for name, values in (("bab_el_mandeb_flow", through), ("cape_rise", cape_rise)):
        low, median, high = np.quantile(values, [tail, 0.5, 1 - tail])
        result[name] = {
            "observed": observed[name],
            "median": float(median),
            "interval": (float(low), float(high)),
            "inside": bool(low <= observed[name] <= high),
        }
    result["passed"] = all(entry["inside"] for entry in result.values())
    return result


def _prior(rng_key, num_draws: int) -> dict[str, np.ndarray]:
    from riskengine.models.supply_chain.ensemble import MODEL

    return MODEL.prior_draws(rng_key, num_draws)
