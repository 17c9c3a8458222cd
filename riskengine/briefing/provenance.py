"""The brief's provenance block: a trail from every number back to the run.

Read from the cube's root attributes: the config's sha256 and path, the seed, the draws
and paths, the package versions, the git revision, the data citations of every model
(from each model's parameter provenance), the run time and the machine.
"""

from __future__ import annotations

import json

import xarray as xr

__all__ = ["provenance_facts"]


def _json(cube: xr.DataTree, name: str, default):
    text = cube.attrs.get(name)
    if not text:
        return default
    try:
        return json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError:
        return default


def _citations(provenance: dict) -> list[dict]:
    """One entry per model: its parameter source and the distinct citations of its data."""
    models = []
    for model, facts in sorted(provenance.items()):
        data = facts.get("data", {}) if isinstance(facts, dict) else {}
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError:
                data = {}
        files = data.get("files", {}) if isinstance(data, dict) else {}
        citations = sorted({f["citation"] for f in files.values() if f.get("citation")})
        source = facts.get("source", "unknown") if isinstance(facts, dict) else "unknown"
        models.append({"model": model, "source": source, "citations": citations})
    return models


def provenance_facts(cube: xr.DataTree) -> dict:
    """The provenance block's facts, as text."""
    predictions = cube["predictions"]
    execution = _json(cube, "execution", {})
    versions = _json(cube, "package_versions", {})
    return {
        "config_path": str(cube.attrs.get("config_path", "")),
        "config_sha256": str(cube.attrs.get("config_sha256", "")),
        "seed": str(cube.attrs.get("seed", "")),
        "num_chains": str(predictions.sizes["chain"]),
        "num_draws": str(predictions.sizes["draw"]),
        "paths_per_draw": f"{int(cube.attrs.get('paths_per_draw', 0)):,}",
        "parameter_source": str(cube.attrs.get("parameter_source", "unknown")),
        "git_revision": str(cube.attrs.get("git_revision", "unknown")),
        "versions": ", ".join(f"{name} {version}" for name, version in sorted(versions.items())),
        "models": _citations(_json(cube, "parameter_provenance", {})),
        "created_utc": str(cube.attrs.get("created_utc", "")),
        "seconds": str(execution.get("seconds", "")),
        "where": str(execution.get("where", "")),
        "machine": str(execution.get("machine", "")),
    }
