"""Diagnostics of cubes: posterior summaries of risk metrics with Monte Carlo errors, and
the gate a judgment's draws must pass (R-hat, effective sample size)."""

from riskengine.diagnostics.gates import MAX_RHAT, MIN_ESS_BULK, GateResult, gate_judgment
from riskengine.diagnostics.summaries import ProbabilitySummary, summarize_probability

__all__ = [
    "MAX_RHAT",
    "MIN_ESS_BULK",
    "GateResult",
    "ProbabilitySummary",
    "gate_judgment",
    "summarize_probability",
]
