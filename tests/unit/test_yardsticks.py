"""ICD 203 and PHIA yardsticks: every range, its boundaries, the PHIA gaps, term ranges."""

from __future__ import annotations

import itertools
import math

import pytest

from riskengine.briefing.yardsticks import (
    ICD203,
    PHIA,
    YARDSTICKS,
    band_width,
    icd203_term,
    phia_term,
    term_range,
)

EPSILON = 1e-9


def _icd_cases():
    """Each ICD 203 boundary: just below it the lower term, at it the higher term."""
    cases = [(0.0, "almost no chance"), (1.0, "almost certain")]
    for below, above in itertools.pairwise(ICD203.bands):
        cases += [(above.lower - EPSILON, below.term), (above.lower, above.term)]
    return cases


@pytest.mark.parametrize(("probability", "term"), _icd_cases())
def test_icd203_boundaries(probability, term):
    assert icd203_term(probability) == term


@pytest.mark.parametrize(
    ("probability", "term"),
    [
        (0.01, "almost no chance"),
        (0.05, "very unlikely"),
        (0.20, "unlikely"),
        (0.45, "roughly even chance"),
        (0.55, "likely"),
        (0.80, "very likely"),
        (0.95, "almost certain"),
        (0.99, "almost certain"),
    ],
)
def test_icd203_the_directives_ranges(probability, term):
    """The directive's own table, written out: a boundary value belongs to the higher range."""
    assert icd203_term(probability) == term


def test_icd203_ranges_tile_zero_to_one():
    bands = ICD203.bands
    assert bands[0].lower == 0.0 and bands[-1].upper == 1.0
    for below, above in itertools.pairwise(bands):
        assert below.upper == above.lower
    assert len({band.term for band in bands}) == 7


def _phia_cases():
    """Each PHIA range's ends belong to it; just outside them lies a gap (two terms)."""
    bands = PHIA.bands
    cases = []
    for band in bands:
        cases += [(band.lower, band.term), (band.upper, band.term)]
    for below, above in itertools.pairwise(bands):
        gap = f"{below.term} to {above.term}"
        cases += [(below.upper + EPSILON, gap), (above.lower - EPSILON, gap)]
        cases += [((below.upper + above.lower) / 2, gap)]
    return cases


@pytest.mark.parametrize(("probability", "term"), _phia_cases())
def test_phia_ranges_and_gaps(probability, term):
    assert phia_term(probability) == term


@pytest.mark.parametrize(
    ("probability", "term"),
    [
        (0.05, "remote chance"),
        (0.07, "remote chance to highly unlikely"),
        (0.10, "highly unlikely"),
        (0.22, "highly unlikely to unlikely"),
        (0.38, "unlikely to realistic possibility"),
        (0.52, "realistic possibility to likely or probable"),
        (0.78, "likely or probable to highly likely"),
        (0.92, "highly likely to almost certain"),
        (0.95, "almost certain"),
    ],
)
def test_phia_the_yardsticks_table(probability, term):
    """The yardstick's own table, written out: <= 5%, 10-20%, ..., >= 95%, with gaps."""
    assert phia_term(probability) == term


def test_phia_ranges_are_ordered_with_gaps():
    bands = PHIA.bands
    assert bands[0].lower == 0.0 and bands[-1].upper == 1.0
    for below, above in itertools.pairwise(bands):
        assert above.lower > below.upper  # the PHIA yardstick leaves gaps between ranges


@pytest.mark.parametrize("yardstick", list(YARDSTICKS.values()), ids=list(YARDSTICKS))
def test_an_interval_within_one_range_gives_one_term(yardstick):
    for band in yardstick.bands:
        inner = (band.lower + 0.25 * (band.upper - band.lower), band.upper - 0.01)
        assert term_range(yardstick, *inner) == band.term


@pytest.mark.parametrize("yardstick", list(YARDSTICKS.values()), ids=list(YARDSTICKS))
def test_an_interval_straddling_ranges_gives_the_range_of_terms(yardstick):
    bands = yardstick.bands
    for first, last in itertools.combinations(range(len(bands)), 2):
        lower = (bands[first].lower + bands[first].upper) / 2
        upper = (bands[last].lower + bands[last].upper) / 2
        expected = f"{bands[first].term} to {bands[last].term}"
        assert term_range(yardstick, lower, upper) == expected


def test_band_width_is_the_range_or_the_gap():
    assert band_width(ICD203, 0.3) == pytest.approx(0.25)
    assert band_width(ICD203, 0.2) == pytest.approx(0.25)  # 20% belongs to 20-45%
    assert band_width(PHIA, 0.15) == pytest.approx(0.10)
    assert band_width(PHIA, 0.07) == pytest.approx(0.05)  # the gap 5-10%


@pytest.mark.parametrize("function", [icd203_term, phia_term])
@pytest.mark.parametrize("probability", [-0.01, 1.0001, math.nan, math.inf])
def test_out_of_range_probability_raises(function, probability):
    with pytest.raises(ValueError, match="probability must lie in"):
        function(probability)
