"""Supply model: conservation of every path-month, monotonicity in stocks, the shipped
tables against the source files, and the section's checks."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.errors import ConfigError
from riskengine.models.supply_chain import core
from riskengine.models.supply_chain.testing import example_params, simulate, single_line

FRACTIONS = st.floats(0.0, 1.0, allow_nan=False, width=32)


def _flow_inputs(draw_fractions, paths=64, importers=3):
    """Random but valid propagation inputs from hypothesis fractions."""
    rng = np.random.default_rng(draw_fractions)
    shape = (importers, 2, paths)
    restricted = rng.uniform(0, 0.6, shape).astype(np.float32)
    cut = rng.uniform(0, 0.5, shape).astype(np.float32) * (rng.uniform(size=shape) < 0.5)
    rerouted = cut * rng.uniform(0, 1, shape).astype(np.float32)
    world = rng.uniform(0, 0.7, (2, paths)).astype(np.float32)
    available = rng.uniform(0, 0.3, (2, paths)).astype(np.float32)
    stock = rng.uniform(0, 3, shape).astype(np.float32)
    demand = rng.uniform(0.2, 2, (importers, 2)).astype(np.float32)
    pool = rng.uniform(size=importers) < 0.6
    return restricted, cut, rerouted, world, available, stock, demand, pool


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_every_month_conserves_supply(seed):
    arrays = _flow_inputs(seed)
    flows, stock = core.propagate(*arrays, arrays[5])
    np.testing.assert_allclose(np.asarray(core.ledger(flows)), 1.0, atol=2e-6)
    for part in flows:
        assert (np.asarray(part) >= -1e-7).all()
    assert (np.asarray(stock) >= 0).all()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), extra=st.floats(0.0, 4.0, width=32), who=st.integers(0, 2))
def test_more_stock_never_raises_shortfall(seed, extra, who):
    """Raising any importer's stocks (alone or pooled) lowers no one's shortfall, and
    the stocks left stay at least as large, month after month."""
    arrays = list(_flow_inputs(seed))
    more = np.array(arrays[5])
    more[who] += extra
    stocks = [jnp.asarray(arrays[5]), jnp.asarray(more)]
    capacity = [stocks[0] + 5.0, stocks[1] + 5.0]
    for _ in range(4):  # several months on the same losses
        results = [
            core.propagate(*arrays[:5], stock, *arrays[6:], cap)
            for stock, cap in zip(stocks, capacity, strict=True)
        ]
        (low, stock_low), (high, stock_high) = results
        assert (np.asarray(high.shortfall) <= np.asarray(low.shortfall) + 1e-6).all()
        assert (np.asarray(stock_high) >= np.asarray(stock_low) - 1e-5).all()
        stocks = [stock_low, stock_high]


def test_whole_paths_conserve_and_guard_counts_no_breach():
    """The component's own ledger check over every path-month of a run is clean."""
    inputs = single_line(
        sourcing=0.7,
        route=0.5,
        restriction_probability=0.05,
        closure_probability=0.05,
        reroute_share=0.6,
        spare=0.1,
        stock_months=1.5,
    )
    _, state = simulate(example_params(), inputs, num_months=24, num_paths=4000, seed=9, level=3)
    assert float(np.max(np.asarray(state.ledger_error))) < 1e-5


def test_price_multiplier_matches_the_constant_elasticity_form():
    shortfall = jnp.asarray([0.0, 0.01, 0.1, 0.5])
    got = np.asarray(core.price_multiplier(shortfall, 0.2))
    expected = np.minimum((1 - np.asarray(shortfall)) ** (-1 / 0.2), core.PRICE_CAP)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_prior_draws_cover_the_stated_elasticity_range():
    from riskengine.models.supply_chain.ensemble import MODEL

    draws = MODEL.prior_draws(jax.random.key(0), 20_000)
    low, high = np.quantile(draws["elasticity"], [0.05, 0.95])
    assert 0.015 < low < 0.03 and 0.25 < high < 0.45  # published short-run range 0.02-0.35
    assert set(draws) == set(core.Params._fields)


def test_shipped_tables_reproduce_the_source_files(shared_data_dir):
    import pandas as pd

    from riskengine.models.supply_chain.data import (
        CHOKEPOINT_TABLE,
        PRODUCTION_TABLE,
        build_tables,
        read_production,
    )

    production, chokepoints = build_tables(shared_data_dir)
    shipped = pd.read_csv(PRODUCTION_TABLE)
    pd.testing.assert_frame_equal(
        shipped.reset_index(drop=True),
        production.round(4).reset_index(drop=True),
        check_dtype=False,
    )
    pd.testing.assert_frame_equal(
        pd.read_csv(CHOKEPOINT_TABLE), chokepoints, check_dtype=False, atol=1e-4
    )
    source = read_production(shared_data_dir)
    latest = source[(source.commodity == "rare_earths_magnet") & (source.stage == "refining")]
    china = shipped[
        (shipped.commodity == "rare_earths_magnet")
        & (shipped.stage == "refining")
        & (shipped.producer == "China")
    ]
    assert float(china.share.iloc[0]) == pytest.approx(
        float(latest[latest.country == "China"].share.iloc[0])
    )
    sums = shipped.groupby(["commodity", "stage"]).share.sum()
    assert ((sums > 0.995) & (sums < 1.011)).all()


def test_a_broken_production_file_is_refused(tmp_path, shared_data_dir):
    from riskengine.errors import DataError
    from riskengine.models.supply_chain.data import read_production

    (tmp_path / "supply").mkdir()
    text = (shared_data_dir / "supply" / "mineral_production_shares.csv").read_text()
    lines = text.splitlines()
    lines[1] = lines[1].replace("0.6923", "0.9")  # share no longer quantity / world_total
    (tmp_path / "supply" / "mineral_production_shares.csv").write_text("\n".join(lines))
    with pytest.raises(DataError, match="share must equal quantity / world_total"):
        read_production(tmp_path)


SECTION = {
    "importers": [{"name": "EU"}],
    "commodities": [{"name": "rare_earths_magnet", "stage": "refining"}],
    "restrictors": [{"producer": "China", "commodities": ["rare_earths_magnet"]}],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"commodities": [{"name": "unobtainium"}]}, "got 'unobtainium'; allowed: oil, antimony"),
        (
            {"commodities": [{"name": "rare_earths_magnet"}]},
            "missing for 'rare_earths_magnet'; allowed: one of mine, refining",
        ),
        (
            {"restrictors": [{"producer": "Atlantis", "commodities": ["rare_earths_magnet"]}]},
            "'Atlantis' is not a listed producer",
        ),
        (
            {"chokepoints": [{"name": "Strait of Gibraltar"}]},
            "got 'Strait of Gibraltar'; allowed: Strait of Malacca",
        ),
        (
            {
                "importers": [
                    {"name": "EU", "routes": {"rare_earths_magnet": {"Strait of Malacca": 0.5}}}
                ]
            },
            "allowed: a chokepoint of the section",
        ),
        (
            {
                "importers": [
                    {
                        "name": "EU",
                        "sourcing": {"rare_earths_magnet": {"China": 0.8, "Malaysia": 0.4}},
                    }
                ]
            },
            "shares sum to 1.2",
        ),
        ({"headline": {"importer": "Japan"}}, "got 'Japan'; allowed: EU"),
    ],
)
def test_section_problems_name_the_field_and_what_is_allowed(change, message):
    from riskengine.models.supply_chain.section import SupplyChainSection

    section = SupplyChainSection.build(**(SECTION | change))
    problems = section.problems({})
    assert any(message in text for _, text in problems), problems


def test_a_probability_of_one_is_refused():
    from riskengine.models.supply_chain.section import SupplyChainSection

    with pytest.raises(ConfigError, match="monthly_probability"):
        SupplyChainSection.build(
            **(
                SECTION
                | {
                    "restrictors": [
                        {
                            "producer": "China",
                            "commodities": ["rare_earths_magnet"],
                            "monthly_probability": 1.0,
                        }
                    ]
                }
            )
        )
