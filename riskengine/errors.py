"""Exception hierarchy: every failure the user can fix is a ``RiskEngineError``.

The CLI maps ``RiskEngineError`` subclasses that describe bad input (``ConfigError``,
``DataError``, ``UsageError``) to exit code 2 with a one-paragraph message and no
traceback; anything else is an internal failure (exit code 1).
"""

from __future__ import annotations

__all__ = [
    "RiskEngineError",
    "ConfigError",
    "DataError",
    "UsageError",
    "ModelError",
    "DiagnosticsError",
]


class RiskEngineError(Exception):
    """Base class of every error raised on purpose by riskengine."""

    exit_code = 1


class ConfigError(RiskEngineError):
    """A scenario file or scenario object is invalid.

    ``problems`` holds one human-readable line per problem, each naming the file, the
    field path, the value received and what is allowed.
    """

    exit_code = 2

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class DataError(RiskEngineError):
    """A data file is missing, unreadable or lacks a required column."""

    exit_code = 2


class UsageError(RiskEngineError):
    """A command-line argument or API argument has a value that is not allowed."""

    exit_code = 2


class ModelError(RiskEngineError):
    """A model was asked for something it cannot do (unknown name, bad parameters)."""

    exit_code = 1


class DiagnosticsError(RiskEngineError):
    """A diagnostic gate failed (R-hat, ESS, divergences, Monte Carlo error)."""

    exit_code = 1
