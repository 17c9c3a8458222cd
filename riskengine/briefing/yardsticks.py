"""Estimative language: the ICD 203 and UK PHIA probability yardsticks, as data.

ICD 203 (US Intelligence Community Directive 203, Analytic Standards, 2015) pairs seven
terms with ranges that tile 0-100% (the directive starts at 1% and ends at 99%; values
below and above take the end terms). A boundary value belongs to the higher range: 20%
is "unlikely", not "very unlikely".

The UK Professional Head of Intelligence Assessment (PHIA) yardstick (2019) uses its own
terms and deliberately leaves gaps between its ranges (5-10%, 20-25%, 35-40%, 50-55%,
75-80%, 90-95%); its ranges include their ends. A value in a gap is not given one word:
it gets the range of the two terms on either side.

A judgment is stated with the terms its credible interval spans: ``term_range`` gives
one term when the whole interval lies in one range, else "first term to last term".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "ICD203",
    "PHIA",
    "YARDSTICKS",
    "Band",
    "Yardstick",
    "band_width",
    "icd203_term",
    "phia_term",
    "term_range",
]


@dataclass(frozen=True)
class Band:
    """One term of a yardstick and its probability range."""

    lower: float
    upper: float
    term: str


@dataclass(frozen=True)
class Yardstick:
    """A named, ordered tuple of bands; ``closed``: ranges include their upper end
    (PHIA, with gaps between ranges) rather than handing it to the next range (ICD 203)."""

    name: str
    title: str
    bands: tuple[Band, ...]
    closed: bool


ICD203 = Yardstick(
    "icd203",
    "ICD 203 (US Intelligence Community)",
    (
        Band(0.00, 0.05, "almost no chance"),
        Band(0.05, 0.20, "very unlikely"),
        Band(0.20, 0.45, "unlikely"),
        Band(0.45, 0.55, "roughly even chance"),
        Band(0.55, 0.80, "likely"),
        Band(0.80, 0.95, "very likely"),
        Band(0.95, 1.00, "almost certain"),
    ),
    closed=False,
)

PHIA = Yardstick(
    "phia",
    "PHIA probability yardstick (UK)",
    (
        Band(0.00, 0.05, "remote chance"),
        Band(0.10, 0.20, "highly unlikely"),
        Band(0.25, 0.35, "unlikely"),
        Band(0.40, 0.50, "realistic possibility"),
        Band(0.55, 0.75, "likely or probable"),
        Band(0.80, 0.90, "highly likely"),
        Band(0.95, 1.00, "almost certain"),
    ),
    closed=True,
)

YARDSTICKS = {yardstick.name: yardstick for yardstick in (ICD203, PHIA)}


def _check(probability: float) -> float:
    if not (math.isfinite(probability) and 0.0 <= probability <= 1.0):
        raise ValueError(f"probability must lie in [0, 1], got {probability}")
    return probability


def _span(yardstick: Yardstick, probability: float) -> tuple[int, int]:
    """Indices of the first and last band a probability belongs to: one band, or the two
    bands on either side of a gap."""
    probability = _check(probability)
    bands = yardstick.bands
    if not yardstick.closed:
        index = max(i for i, band in enumerate(bands) if probability >= band.lower)
        return index, index
    for index, band in enumerate(bands):
        if band.lower <= probability <= band.upper:
            return index, index
        if probability < band.lower:
            return index - 1, index
    raise AssertionError("a closed yardstick's last band ends at 1")


def term_range(yardstick: Yardstick, lower: float, upper: float | None = None) -> str:
    """The term(s) for a probability or an interval: "unlikely", or "unlikely to likely"
    when the interval (or a value in a gap) spans several ranges."""
    upper = lower if upper is None else upper
    first, _ = _span(yardstick, lower)
    _, last = _span(yardstick, upper)
    if first == last:
        return yardstick.bands[first].term
    return f"{yardstick.bands[first].term} to {yardstick.bands[last].term}"


def band_width(yardstick: Yardstick, probability: float) -> float:
    """Width of the narrowest range (or gap) the probability lies in: how precisely an
    estimate must be known for its term to be secure."""
    first, last = _span(yardstick, probability)
    bands = yardstick.bands
    if first == last:
        return bands[first].upper - bands[first].lower
    return bands[last].lower - bands[first].upper


def icd203_term(probability: float) -> str:
    """ICD 203 term of one probability (a boundary value belongs to the higher range)."""
    return term_range(ICD203, probability)


def phia_term(probability: float) -> str:
    """PHIA term of one probability; a value in a gap gets the two neighbouring terms."""
    return term_range(PHIA, probability)
