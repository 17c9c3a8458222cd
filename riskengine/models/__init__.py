"""Model registry: model name (as in a scenario's ``model:`` field) -> EnsembleModel."""

from __future__ import annotations

from riskengine.errors import ModelError

__all__ = ["get_model", "MODEL_NAMES"]

MODEL_NAMES = ("escalation",)


def get_model(name: str):
    """The ``EnsembleModel`` registered under ``name``."""
    if name == "escalation":
        from riskengine.models.escalation.ensemble import ESCALATION

        return ESCALATION
    raise ModelError(f"unknown model {name!r}; available: {', '.join(MODEL_NAMES)}")
