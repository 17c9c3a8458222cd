"""Diagnostics of cubes: posterior summaries of risk metrics with Monte Carlo errors."""

from riskengine.diagnostics.summaries import ProbabilitySummary, summarize_probability

__all__ = ["ProbabilitySummary", "summarize_probability"]
