"""The Taiwan cascade in one ensemble: crisis, coalition, sanctions and supply in the same
paths, one cube, conditional questions across models, and the same bits from threads and
from a real dask cluster with other chunking."""

from __future__ import annotations

import numpy as np
import pytest

import riskengine

# the cascade's sanctions look up trade, alliances and regimes in the shared data
pytestmark = pytest.mark.needs_data

SUPPLY_VARIABLES = (
    "shortfall_mean",
    "annual_shortfall_count",
    "p_rare_event",
    "cumulative_shortfall_mean",
)


def _small(path, **changes):
    scenario = riskengine.load_scenario(path)
    scenario.ensemble.paths_per_draw = changes.get("paths", 1500)
    scenario.ensemble.num_chains = 2
    scenario.ensemble.num_draws = 4
    scenario.ensemble.chunk_paths = changes.get("chunk", 1500)
    return scenario


@pytest.fixture(scope="module")
def cascade(repository, shared_data_dir):
    return riskengine.run(
        _small(repository / "configs/taiwan_cascade.yaml"), scheduler="threads", progress=False
    )


def _predictions(cube):
    return cube["predictions"].to_dataset()


def test_one_cube_holds_every_model_on_shared_dims(cascade):
    predictions = _predictions(cascade)
    for name in ("p_level", "p_authorised_by", "sanctions_status_count", *SUPPLY_VARIABLES):
        assert name in predictions, name
    for name in ("p_level", "sanctions_status_count", "shortfall_mean"):
        assert predictions[name].dims[:3] == ("chain", "draw", "variant")
    assert list(predictions["variant"].values) == ["baseline", "allied_pool_90d", "friend_shoring"]


def test_conditional_query_matches_the_joint_counts(cascade):
    answer = riskengine.conditional(
        cascade, "supply_chain:shortfall_above_20pct", given="escalation:use_of_force"
    )
    joint = _predictions(cascade)["joint_count_escalation_supply_chain"].values
    force = joint[..., [3, 4], :].sum(-2)  # peak use of force or war
    expected = force[..., [2, 3]].sum(-1) / force.sum(-1)
    np.testing.assert_allclose(answer["probability"].values, expected)
    reverse = riskengine.conditional(
        cascade, "escalation:use_of_force", given="supply_chain:shortfall_above_20pct"
    )
    # Bayes: P(A | B) P(B) = P(B | A) P(A), pooled over draws
    both = force[..., [2, 3]].sum(-1).sum((0, 1))
    assert np.allclose(
        reverse["pooled"].values * joint[..., [2, 3]].sum((-2, -1)).sum((0, 1)), both
    )
    assert np.allclose(answer["pooled"].values * force.sum(-1).sum((0, 1)), both)


def test_a_shortfall_is_likelier_given_the_use_of_force(cascade):
    """Supply reads the crisis: shortfall is likelier given use of force than overall."""
    given = riskengine.conditional(
        cascade, "supply_chain:shortfall_above_20pct", given="escalation:use_of_force"
    )
    overall = _predictions(cascade)["p_headline_shortfall_above_20pct"].mean(("chain", "draw"))
    assert (given["pooled"] > overall).all()


def test_the_pool_never_raises_the_headline_shortfall(cascade):
    probability = _predictions(cascade)["p_headline_shortfall_above_20pct"]
    pooled = probability.sel(variant="allied_pool_90d") - probability.sel(variant="baseline")
    assert (pooled <= 0).all() and (pooled < 0).any()


def test_tail_tables_carry_errors_and_intervals(cascade):
    table = riskengine.tail_table(
        cascade, importer="European Union", commodity="rare_earths_magnet"
    )
    for name in ("var", "var_mcse", "es", "es_mcse", "var_lower", "var_upper"):
        assert np.isfinite(table[name].values).all(), name
    assert (table["es"] >= table["var"] - 1e-9).all()
    assert (table["var_lower"] <= table["var_upper"]).all()
    convergence = riskengine.tail_convergence(
        cascade, "European Union", "rare_earths_magnet", variant="baseline"
    )
    assert list(convergence["paths"].values) == sorted(convergence["paths"].values)


def test_threads_and_a_dask_cluster_with_other_chunks_give_the_same_bits(cascade, repository):
    scenario = _small(repository / "configs/taiwan_cascade.yaml", chunk=700)
    distributed = riskengine.run(scenario, scheduler="local", workers=2, progress=False)
    first, second = _predictions(cascade), _predictions(distributed)
    for name in (
        *SUPPLY_VARIABLES,
        "joint_count_escalation_supply_chain",
        "sanctions_status_count",
    ):
        np.testing.assert_array_equal(first[name].values, second[name].values, err_msg=name)
