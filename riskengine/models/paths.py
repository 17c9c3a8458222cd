"""Where a model's fitted files live: ``riskengine/models/<name>/fitted/``.

Every model follows the convention: ``posterior.nc`` (written by ``riskengine fit
<name>``, an arviz DataTree with provenance) and ``ppc.json`` (its posterior predictive
check table). Runs use the posterior when it exists (``parameters: auto``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["fitted_dir", "posterior_path", "predictive_check_path"]

_MODELS_DIR = Path(__file__).resolve().parent


def fitted_dir(model_name: str) -> Path:
    return _MODELS_DIR / model_name / "fitted"


def posterior_path(model_name: str) -> Path:
    """The shipped fitted posterior of a model."""
    return fitted_dir(model_name) / "posterior.nc"


def predictive_check_path(model_name: str) -> Path:
    """The posterior predictive check table beside the posterior."""
    return fitted_dir(model_name) / "ppc.json"
