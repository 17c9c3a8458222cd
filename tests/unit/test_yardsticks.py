"""ICD 203 and PHIA yardstick terms: every range, its boundaries and the PHIA gaps."""

from __future__ import annotations

import itertools
import math

import pytest

from riskengine.briefing.yardsticks import ICD203, PHIA, icd203_term, phia_term


@pytest.mark.parametrize(
    ("probability", "term"),
    [
        (0.0, "almost no chance"),
        (0.049999, "almost no chance"),
        (0.05, "very unlikely"),  # a boundary value belongs to the higher range
        (0.199999, "very unlikely"),
        (0.20, "unlikely"),
        (0.449999, "unlikely"),
        (0.45, "roughly even chance"),
        (0.5, "roughly even chance"),
        (0.549999, "roughly even chance"),
        (0.55, "likely"),
        (0.799999, "likely"),
        (0.80, "very likely"),
        (0.949999, "very likely"),
        (0.95, "almost certain"),
        (1.0, "almost certain"),
    ],
)
def test_icd203_boundaries(probability, term):
    assert icd203_term(probability) == term


def test_icd203_ranges_tile_zero_to_one():
    assert ICD203[0][0] == 0.0 and ICD203[-1][1] == 1.0
    for (_, upper, _), (lower, _, _) in itertools.pairwise(ICD203):
        assert upper == lower
    assert len({term for _, _, term in ICD203}) == 7


@pytest.mark.parametrize(
    ("probability", "term"),
    [
        (0.0, "remote chance"),
        (0.05, "remote chance"),
        (0.07, "remote chance"),  # gap 0.05-0.10: nearer to 0.05
        (0.08, "highly unlikely"),  # nearer to 0.10
        (0.10, "highly unlikely"),
        (0.20, "highly unlikely"),
        (0.22, "highly unlikely"),  # gap 0.20-0.25
        (0.23, "unlikely"),
        (0.25, "unlikely"),
        (0.35, "unlikely"),
        (0.38, "realistic possibility"),  # gap 0.35-0.40
        (0.40, "realistic possibility"),
        (0.50, "realistic possibility"),
        (0.52, "realistic possibility"),  # gap 0.50-0.55
        (0.53, "likely or probable"),
        (0.55, "likely or probable"),
        (0.75, "likely or probable"),
        (0.78, "highly likely"),  # gap 0.75-0.80
        (0.80, "highly likely"),
        (0.90, "highly likely"),
        (0.92, "highly likely"),  # gap 0.90-0.95
        (0.93, "almost certain"),
        (0.95, "almost certain"),
        (1.0, "almost certain"),
    ],
)
def test_phia_ranges_and_gaps(probability, term):
    assert phia_term(probability) == term


def test_phia_ranges_are_ordered_with_gaps():
    assert PHIA[0][0] == 0.0 and PHIA[-1][1] == 1.0
    for (_, upper, _), (lower, _, _) in itertools.pairwise(PHIA):
        assert lower > upper  # the PHIA yardstick leaves gaps between its ranges


@pytest.mark.parametrize("function", [icd203_term, phia_term])
@pytest.mark.parametrize("probability", [-0.01, 1.0001, math.nan, math.inf])
def test_out_of_range_probability_raises(function, probability):
    with pytest.raises(ValueError, match="probability must lie in"):
        function(probability)
