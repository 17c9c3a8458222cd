"""The supply-chain model as an ``EnsembleModel`` (composed with the crisis models or alone).

It reads the ``level`` signal of the escalation component (0 without one) and the
``sanctions_in_force`` signal of the sanctions component (False without one), and
exposes nothing: it steps last. Its parameters are not fitted: every one rests on a
prior whose source is stated in :mod:`riskengine.models.supply_chain.core`, and the
brief says so.
"""

from __future__ import annotations

import numpy as np

from riskengine.models.base import (
    CoreEnsemble,
    Figure,
    FixedPointSum,
    Judgment,
    Parameter,
    ScenarioInputs,
)
from riskengine.models.supply_chain import core
from riskengine.models.supply_chain.component import (
    ANNUAL_EDGES,
    BAND_NAMES,
    RECOVERY_EDGES,
    SupplyComponent,
)
from riskengine.models.supply_chain.inputs import scenario_arrays
from riskengine.models.supply_chain.metrics import TAIL_LEVELS, supply_metrics

__all__ = ["MODEL", "SupplyChainEnsemble"]

_DESCRIPTIONS = {
    "restriction_level_slope": (
        "logit scale per crisis level",
        "rise of a restriction's monthly onset per crisis level",
    ),
    "restriction_sanctions_effect": (
        "logit scale",
        "rise of a restriction's onset while sanctions against the producer are in force",
    ),
    "restriction_rate_scale": (
        "1",
        "multiplier on the scenario's base monthly restriction probabilities",
    ),
    "restriction_end": ("probability per month", "monthly probability that a restriction lifts"),
    "restriction_coverage": ("1", "share of a restricting producer's exports stopped"),
    "closure_level_slope": (
        "logit scale per crisis level",
        "rise of a crisis-linked closure's monthly onset per crisis level",
    ),
    "closure_rate_scale": ("1", "multiplier on the scenario's base monthly closure probabilities"),
    "closure_end": ("probability per month", "monthly probability that a closure ends"),
    "closure_severity": ("1", "mean share of a chokepoint's flow a closure cuts"),
    "reroute_scale": ("1", "multiplier on the scenario's reroute shares"),
    "spare_scale": ("1", "multiplier on the scenario's spare capacity"),
    "ramp_scale": ("1", "multiplier on the scenario's ramp-up months"),
    "elasticity": ("1", "magnitude of the short-run price elasticity of demand"),
}


class SupplyChainEnsemble(CoreEnsemble):
    """``EnsembleModel`` for :mod:`riskengine.models.supply_chain.core`."""

    name = "supply_chain"
    core_module = core
    parameters = {
        name: Parameter(core.PARAMETER_DIMS[name], *_DESCRIPTIONS[name])
        for name in core.Params._fields
    }
    parameter_coords = dict(core.PARAMETER_COORDS)
    dimensions = {
        "importer": "an importing state or union of the supply_chain section",
        "commodity": "a commodity (at one stage) of the supply_chain section",
        "restrictor": "a producer that may restrict its exports",
        "chokepoint": "a maritime chokepoint that may close",
        "shortfall_threshold": "a monthly shortfall level, fraction of normal supply",
        "annual_measure": "the first year's worst month (occurrence) or mean month (aggregate)",
        "shortfall_bin": "bin of annual shortfall: [annual_edge[b-1], annual_edge[b])",
        "annual_edge": "annual shortfall level of an exceedance probability",
        "tail_level": "probability level of a value at risk or expected shortfall",
        "recovery_bin": "never short; months short 1, 2-3, 4-6, 7-12, 13-24, 25+; still short at the horizon",
        "supply_band": "the headline's worst monthly shortfall within the window, banded",
    }
    reductions = {
        "cumulative_shortfall": FixedPointSum(scale_bits=16, square_scale_bits=8),
        "price_peak": FixedPointSum(scale_bits=16, square_scale_bits=8),
        "rare_weighted": FixedPointSum(scale_bits=36, square_scale_bits=24),
    }
    static_names = ("num_months", "supply_importance_sampling", "supply_headline")
    counter_steps = (
        "own key words (fold_in 5); step (m-1) | j << 16 | kind << 24 for month m and item j: "
        "kind 0 restriction onset, 1 its end, 2 closure onset, 3 its end, 4 its severity"
    )
    final_category_description = "the headline importer's worst shortfall within the window"
    data_note = (
        "supply_chain: not fitted; producer shares from USGS MCS 2025 and the IEA Critical "
        "Minerals Data Explorer 2024, oil routes from EIA chokepoint flows 2023; hazards, "
        "durations, rerouting, substitution and elasticities rest on stated priors"
    )
    component = SupplyComponent()

    def scenario_inputs(self, scenario) -> ScenarioInputs:
        arrays = scenario_arrays(scenario)
        coords = arrays.coords | {
            "annual_measure": np.asarray(["occurrence", "aggregate"]),
            "shortfall_bin": np.arange(len(ANNUAL_EDGES) + 1),
            "annual_edge": np.asarray(ANNUAL_EDGES),
            "tail_level": np.asarray(TAIL_LEVELS),
            "recovery_bin": np.asarray(
                ["never_short", "1", "2-3", "4-6", "7-12", "13-24", "25+", "still_short"]
            ),
            "supply_band": np.asarray(BAND_NAMES),
        }
        assert len(coords["recovery_bin"]) == len(RECOVERY_EDGES) + 2
        return ScenarioInputs(arrays.inputs, arrays.static, arrays.constant_data, coords)

    def metrics(self, totals: dict, **static) -> dict:
        return supply_metrics(totals)

    def judgments(self, *, num_months: int, supply_headline, **static) -> list[Judgment]:
        importer, commodity, window = supply_headline
        line = {"importer": importer, "commodity": commodity}
        return [
            Judgment(
                "p_headline_shortfall_above_20pct",
                f"{importer}'s supply of {commodity} falls short by 20% or more in some month "
                f"within {window} months",
            ),
            Judgment(
                "cumulative_shortfall_mean",
                f"{importer}'s supply of {commodity} lost over {num_months} months (prior-only model)",
                line,
                kind="quantity",
                units="months of demand",
            ),
            Judgment(
                "price_peak_mean",
                f"peak price of {commodity} relative to normal (assumed elasticity)",
                {"commodity": commodity},
                kind="quantity",
                units="multiple of the normal price",
            ),
        ]

    def figures(self, *, supply_headline, **static) -> list[Figure]:
        importer, commodity, _ = supply_headline
        return [
            Figure(
                "exceedance",
                "annual_shortfall_exceedance",
                x="annual_edge",
                panels="annual_measure",
                select={"importer": importer, "commodity": commodity},
                title=f"Exceedance of {importer}'s first-year shortfall of {commodity}",
                caption="Probability that the first year's worst month (occurrence) or mean "
                "month (aggregate) falls short by at least the shortfall on the x axis "
                "(fraction of normal supply), per variant: posterior mean and 90% credible "
                "band (log scale).",
            )
        ]

    def warnings(self, scenario, scenario_inputs, provenance: dict) -> dict[str, list[str]]:
        note = (
            "supply_chain: not fitted to data; every hazard, duration, rerouting and "
            "substitution parameter rests on its prior (sources in "
            "riskengine.models.supply_chain.core), and the network's sourcing and routes "
            "are scenario defaults (world shares) unless the scenario gives them"
        )
        return {"range": [note]}


MODEL = SupplyChainEnsemble()
