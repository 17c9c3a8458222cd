"""Exact reductions of continuous outputs: fixed-point sums and histograms do not depend
on how paths are grouped, and nothing is cast silently."""

from __future__ import annotations

import numpy as np
import pytest

from riskengine.ensemble.reductions import finalize, reduce_outputs
from riskengine.errors import ModelError
from riskengine.models.base import FixedPointSum, Histogram

REDUCTIONS = {
    "money": FixedPointSum(scale_bits=4, square_scale_bits=0),
    "months": Histogram((1.0, 7.0, 13.0)),
}


def _values(num_paths: int = 2_000, seed: int = 3):
    rng = np.random.default_rng(seed)
    money = (rng.gamma(2.0, 5e4, size=(3, num_paths)) * rng.integers(0, 2, num_paths)).astype(
        np.float32
    )
    months = rng.integers(0, 20, size=(3, num_paths)).astype(np.float32)
    return {"money": money, "months": months}


def _reduce_in_blocks(values, valid, cuts):
    blocks = []
    for start, stop in zip([0, *cuts], [*cuts, valid.size], strict=True):
        part = {name: value[..., start:stop] for name, value in values.items()}
        blocks.append(reduce_outputs(part, REDUCTIONS, valid[start:stop]))
    return {name: sum(block[name] for block in blocks) for name in blocks[0]}


@pytest.mark.parametrize("cuts", [[], [1], [999, 1000, 1001], list(range(7, 2000, 293))])
def test_totals_do_not_depend_on_how_paths_are_grouped(cuts):
    values = _values()
    valid = np.ones(2_000, bool)
    valid[-13:] = False  # padded paths count nowhere
    whole = finalize(reduce_outputs(values, REDUCTIONS, valid), REDUCTIONS)
    grouped = finalize(_reduce_in_blocks(values, valid, cuts), REDUCTIONS)
    assert whole.keys() == grouped.keys() == {"money.sum", "money.sum_of_squares", "months"}
    for name in whole:
        np.testing.assert_array_equal(whole[name], grouped[name])


def test_fixed_point_sum_is_the_exact_sum_of_the_rounded_values():
    values = _values()
    valid = np.ones(2_000, bool)
    valid[:5] = False
    totals = finalize(reduce_outputs(values, REDUCTIONS, valid), REDUCTIONS)
    money = values["money"].astype(np.float64)[:, valid]
    for row in range(3):
        exact = sum(round(v * 16) for v in money[row].tolist())
        assert totals["money.sum"][row] == exact / 16
        squares = sum(round(v * v) for v in money[row].tolist())
        assert totals["money.sum_of_squares"][row] == float(squares)
    # rounding each path to 1/16 keeps the sum within paths / 32 of the float sum
    np.testing.assert_allclose(totals["money.sum"], money.sum(-1), atol=valid.sum() / 32)


def test_histogram_counts_valid_paths_in_fixed_bins():
    values = {"months": np.asarray([[0.0, 1.0, 6.9, 7.0, 12.0, 13.0, 30.0, 5.0]])}
    valid = np.asarray([True] * 7 + [False])
    counts = reduce_outputs(values, {"months": REDUCTIONS["months"]}, valid)["months"]
    np.testing.assert_array_equal(counts, [[1, 2, 2, 2]])  # <1, [1,7), [7,13), >=13


def test_a_float_output_without_a_declared_reduction_is_an_error():
    with pytest.raises(ModelError, match=r"'cost' is float32, not an integer count.*declare"):
        reduce_outputs({"cost": np.ones(4, np.float32)}, {}, np.ones(4, bool))


def test_integer_counts_are_summed_as_int64():
    counts = reduce_outputs({"paths": np.asarray([3, 4], np.int32)}, {}, np.ones(2, bool))
    assert counts["paths"].dtype == np.int64


@pytest.mark.parametrize("bad", [np.inf, np.nan, 2.0**50])
def test_values_beyond_the_fixed_point_range_are_refused(bad):
    values = {"money": np.asarray([1.0, bad])}
    with pytest.raises(ModelError, match=r"'money'.*does not fit the fixed-point scale 2\*\*4"):
        reduce_outputs(values, {"money": FixedPointSum(4, 0)}, np.ones(2, bool))
