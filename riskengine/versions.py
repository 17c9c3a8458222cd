"""Versions of the packages a result depends on, for provenance (no heavy imports)."""

from __future__ import annotations

import platform
from importlib import metadata

__all__ = ["PACKAGES", "package_versions"]

PACKAGES = (
    "riskengine",
    "jax",
    "jaxlib",
    "numpyro",
    "numpy",
    "xarray",
    "arviz",
    "dask",
    "distributed",
    "zarr",
    "pydantic",
)


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    versions["python"] = platform.python_version()
    return versions
