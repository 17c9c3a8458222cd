"""Analytic confidence in a judgment, kept apart from its likelihood.

The rule: confidence starts high and each factor below can only lower it; the judgment's
confidence is the lowest level any factor gives, and the brief names every factor that
lowered it.

1. Convergence: R-hat of the judgment's draws above 1.01, or their bulk effective sample
   size below 400 (the fits' own floors; the gate's are 1.05 and 100) -> moderate; a
   fitted posterior in use that missed its floors (recorded in the cube's parameter
   provenance) -> low. (Below the gate's floors the judgment is not assessable.)
2. Monte Carlo precision: the MCSE of the mean against the width of the yardstick range
   (or gap) the mean lies in: above 10% of it -> moderate, above 25% -> low.
3. Fitted data: a warning in the cube naming the variant (the scenario lies outside the
   fitted data's range) or no variant (a model's posterior missed a predictive check)
   -> moderate; an input of the variant far outside the fitted range (more than a
   quarter of its width beyond it, or any value where the data held one value:
   :mod:`riskengine.briefing.extrapolation`) -> low.
4. Information: parameters drawn from the prior (no fitted posterior) -> low; a lever
   whose parameters kept their prior spread (information ratio >= 0.9,
   :mod:`riskengine.briefing.levers`) -> low, and the brief says the effect rests on the
   prior alone; partly on its prior, or a ratio between 0.5 and 0.9 -> moderate.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from riskengine.briefing.extrapolation import FAR_OUTSIDE, Outside
from riskengine.briefing.levers import INFORMED_RATIO, PRIOR_ONLY_RATIO, Lever
from riskengine.briefing.yardsticks import Yardstick, band_width
from riskengine.diagnostics import GateResult, ProbabilitySummary

__all__ = ["LEVELS", "Confidence", "assess_confidence", "warnings_for_variant"]

LEVELS = ("low", "moderate", "high")
STRICT_RHAT = 1.01
STRICT_ESS = 400.0
MCSE_MODERATE, MCSE_LOW = 0.10, 0.25


@dataclass(frozen=True)
class Confidence:
    """A level (high / moderate / low) and the reasons that lowered it."""

    level: str
    reasons: tuple[str, ...]

    def sentence(self, subject: str = "this judgment") -> str:
        if not self.reasons:
            return (
                f"We have high confidence in {subject}: its draws converged, its Monte "
                "Carlo error is small against its yardstick range, and it rests on fitted data."
            )
        return f"We have {self.level} confidence in {subject}: {'; '.join(self.reasons)}."


def warnings_for_variant(
    warnings: list[str], variant: str, kinds: list[str] | None = None
) -> list[tuple[int, str, str]]:
    """The cube's warnings that concern a variant, numbered from 1 as the brief's caveats
    (those naming it and those naming no variant), each with its kind: ``posterior`` (a
    fitted model missed a check) or ``range`` (the scenario outside the fitted data, or
    resting on stated assumptions). A cube written before kinds were recorded gets them
    from the text (``outside``: range)."""
    named = re.compile(r"variant '([^']*)'")
    if kinds is None or len(kinds) != len(warnings):
        kinds = ["range" if "outside" in text else "posterior" for text in warnings]
    return [
        (number, text, kind)
        for number, (text, kind) in enumerate(zip(warnings, kinds, strict=True), start=1)
        if not named.search(text) or f"variant '{variant}'" in text
    ]


def _convergence(gate: GateResult, failed_fits: tuple[str, ...]) -> list[tuple[str, str]]:
    found = []
    if math.isfinite(gate.rhat) and gate.rhat > STRICT_RHAT:
        found.append(("moderate", f"its chains agree only to R-hat {gate.rhat:.3f}"))
    if math.isfinite(gate.ess_bulk) and gate.ess_bulk < STRICT_ESS:
        found.append(
            (
                "moderate",
                f"its draws' effective sample size is {gate.ess_bulk:.0f}, below {STRICT_ESS:.0f}",
            )
        )
    for model in failed_fits:
        found.append(("low", f"the fitted posterior of {model} missed its diagnostic floors"))
    return found


def _precision(summary: ProbabilitySummary, yardstick: Yardstick | None) -> tuple | None:
    if yardstick is None or not math.isfinite(summary.mean):
        return None
    share = summary.mcse / band_width(yardstick, min(max(summary.mean, 0.0), 1.0))
    if share > MCSE_LOW:
        return "low", f"its Monte Carlo error is {100 * share:.0f}% of its yardstick range"
    if share > MCSE_MODERATE:
        return "moderate", f"its Monte Carlo error is {100 * share:.0f}% of its yardstick range"
    return None


def _fitted_data(
    warnings: list[tuple[int, str, str]], outside: tuple[Outside, ...]
) -> list[tuple[str, str]]:
    """Range warnings (the scenario outside the fitted data or resting on stated
    assumptions: low when far outside) and posterior warnings (a fitted model missing a
    check), each naming its caveats."""
    ranged = ", ".join(str(number) for number, _, kind in warnings if kind != "posterior")
    others = ", ".join(str(number) for number, _, kind in warnings if kind == "posterior")
    far = [o for o in outside if o.distance > FAR_OUTSIDE]
    found = []
    if far:
        facts = "; ".join(o.describe() for o in far) + (f"; caveat {ranged}" if ranged else "")
        found.append(("low", f"it lies far outside the fitted data ({facts})"))
    elif ranged:
        found.append(
            (
                "moderate",
                "the scenario lies outside the fitted data or rests on stated assumptions "
                f"(caveat {ranged})",
            )
        )
    if others:
        found.append(("moderate", f"a fitted model misses one of its checks (caveat {others})"))
    return found


def _information(parameter_source: str, lever: Lever | None) -> list[tuple[str, str]]:
    found = []
    if "prior" in parameter_source:
        found.append(("low", "parameters are prior draws, not fitted to data"))
    if lever is None or not lever.parameters:
        return found
    ratio = lever.information_ratio
    names = ", ".join(p.name for p in lever.parameters if p.ratio >= PRIOR_ONLY_RATIO)
    if lever.rests_on_prior:
        found.append(("low", f"the lever's effect rests on the prior alone ({names})"))
    elif lever.partly_on_prior:
        found.append(("moderate", f"part of the lever's effect rests on the prior ({names})"))
    elif ratio >= INFORMED_RATIO:
        found.append(("moderate", f"the data only partly informed the lever (ratio {ratio:.2f})"))
    return found


def assess_confidence(
    summary: ProbabilitySummary,
    gate: GateResult,
    *,
    yardstick: Yardstick | None,
    warnings: list[tuple[int, str, str]],
    parameter_source: str,
    lever: Lever | None,
    failed_fits: tuple[str, ...] = (),
    outside: tuple[Outside, ...] = (),
) -> Confidence:
    """Apply the rule (module docstring) to one judgment of one variant."""
    factors = [
        *_convergence(gate, failed_fits),
        _precision(summary, yardstick),
        *_fitted_data(warnings, outside),
        *_information(parameter_source, lever),
    ]
    factors = [factor for factor in factors if factor is not None]
    level = min((f[0] for f in factors), key=LEVELS.index, default="high")
    return Confidence(level, tuple(reason for _, reason in factors))
