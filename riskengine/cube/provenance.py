"""Provenance recorded in every cube's root attributes."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from riskengine.versions import package_versions

__all__ = ["package_versions", "git_revision", "provenance_attributes"]


def git_revision() -> str:
    """``git describe`` of the source tree the package was imported from, or 'unknown'."""
    root = Path(__file__).resolve().parents[2]
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() or "unknown"


def provenance_attributes(
    *,
    config_text: str,
    config_path: str | None,
    seed: int,
    key_scheme: str,
    paths_per_draw: int,
    parameter_source: str,
    parameter_provenance: dict,
    model_name: str,
    execution: dict,
) -> dict:
    """Root attributes of a cube (JSON-serialisable scalars and strings only)."""
    import json

    return {
        "title": "riskengine ensemble cube",
        "cube_schema_version": "2",
        "model": model_name,
        "config_text": config_text,
        "config_sha256": hashlib.sha256(config_text.encode()).hexdigest(),
        "config_path": config_path or "",
        "seed": int(seed),
        "key_scheme": key_scheme,
        "paths_per_draw": int(paths_per_draw),
        "parameter_source": parameter_source,
        "parameter_provenance": json.dumps(parameter_provenance, sort_keys=True),
        "package_versions": json.dumps(package_versions(), sort_keys=True),
        "git_revision": git_revision(),
        "execution": json.dumps(execution, sort_keys=True),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }
