"""Estimative language: the ICD 203 and UK PHIA probability yardsticks.

ICD 203 (US Intelligence Community Directive 203, Analytic Standards, 2015) pairs seven
terms with probability ranges; the UK Professional Head of Intelligence Assessment (PHIA)
yardstick (2019) uses its own terms and deliberately leaves gaps between ranges. A
probability falling in a PHIA gap is reported with the nearer term.
"""

from __future__ import annotations

__all__ = ["ICD203", "PHIA", "icd203_term", "phia_term"]

ICD203 = (
    (0.00, 0.05, "almost no chance"),
    (0.05, 0.20, "very unlikely"),
    (0.20, 0.45, "unlikely"),
    (0.45, 0.55, "roughly even chance"),
    (0.55, 0.80, "likely"),
    (0.80, 0.95, "very likely"),
    (0.95, 1.00, "almost certain"),
)

PHIA = (
    (0.00, 0.05, "remote chance"),
    (0.10, 0.20, "highly unlikely"),
    (0.25, 0.35, "unlikely"),
    (0.40, 0.50, "realistic possibility"),
    (0.55, 0.75, "likely or probable"),
    (0.80, 0.90, "highly likely"),
    (0.95, 1.00, "almost certain"),
)


def _check(probability: float) -> float:
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"probability must lie in [0, 1], got {probability}")
    return probability


def icd203_term(probability: float) -> str:
    """ICD 203 term; a boundary value belongs to the higher range (0.20 -> unlikely)."""
    probability = _check(probability)
    for lower, _upper, term in reversed(ICD203):
        if probability >= lower:
            return term
    return ICD203[0][2]


def phia_term(probability: float) -> str:
    """PHIA term of the range containing the probability, or of the nearest range."""
    probability = _check(probability)

    def distance(entry):
        lower, upper, _ = entry
        return max(lower - probability, 0.0, probability - upper)

    return min(PHIA, key=distance)[2]
