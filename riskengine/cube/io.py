"""Write and read cubes: Zarr (default) or NetCDF, written atomically."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from riskengine.errors import DataError, UsageError

__all__ = ["CUBE_FORMATS", "cube_filename", "write_cube", "open_cube"]

CUBE_FORMATS = {"zarr": "cube.zarr", "netcdf": "cube.nc"}


def cube_filename(cube_format: str) -> str:
    if cube_format not in CUBE_FORMATS:
        raise UsageError(f"--format: got {cube_format!r}; allowed: {', '.join(CUBE_FORMATS)}")
    return CUBE_FORMATS[cube_format]


def write_cube(cube: xr.DataTree, path: str | Path, cube_format: str = "zarr") -> Path:
    """Write ``cube`` to ``path`` (a temporary sibling first, renamed at the end)."""
    path = Path(path)
    cube_filename(cube_format)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent)) / path.name
    try:
        if cube_format == "zarr":
            with warnings.catch_warnings():  # consolidated metadata is not yet in the Zarr v3 spec
                warnings.filterwarnings(
                    "ignore", message="Consolidated metadata", category=UserWarning
                )
                cube.to_zarr(staging, mode="w", consolidated=True)
        else:
            cube.to_netcdf(staging, engine="h5netcdf")
        if path.exists():
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        staging.rename(path)
    finally:
        shutil.rmtree(staging.parent, ignore_errors=True)
    return path


def open_cube(path: str | Path) -> xr.DataTree:
    """Open a cube written by ``riskengine run`` (Zarr directory or NetCDF file), loaded in memory."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"cube not found: {path}")
    engine = "zarr" if path.is_dir() else "h5netcdf"
    try:
        with xr.open_datatree(path, engine=engine) as tree:
            tree = tree.load()
    except (OSError, ValueError, KeyError) as error:
        raise DataError(f"{path}: not a readable riskengine cube ({error})") from None
    # NetCDF returns numeric attributes as numpy scalars: give back the Python values written
    tree.attrs = {
        key: value.item() if isinstance(value, np.generic) else value
        for key, value in tree.attrs.items()
    }
    return tree
