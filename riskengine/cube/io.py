"""Write and read cubes: Zarr (default) or NetCDF, written atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from riskengine.errors import DataError, UsageError

__all__ = [
    "CUBE_FORMATS",
    "CHECKPOINT_NAME",
    "RUN_OUTPUTS",
    "check_output_directory",
    "cube_filename",
    "write_cube",
    "open_cube",
]

CUBE_FORMATS = {"zarr": "cube.zarr", "netcdf": "cube.nc"}
RUN_OUTPUTS = (*CUBE_FORMATS.values(), "brief.html", "brief.md")
"""What ``riskengine run`` leaves in its output directory (nothing else, nowhere else);
while it runs it also keeps its checkpoint there (``CHECKPOINT_NAME``), removed at the end."""
CHECKPOINT_NAME = ".riskengine-run"
"""An interrupted run's checkpoint (``riskengine.ensemble.checkpoint``), which --out accepts."""


def check_output_directory(path: str | Path, option: str = "--out") -> Path:
    """``path`` when ``riskengine run`` may write its outputs there, else a UsageError.

    Allowed: a directory that does not exist yet (its parents are created), an empty one,
    or one that holds only a previous run's outputs (``RUN_OUTPUTS``, replaced), an
    interrupted run's checkpoint, or the hidden temporaries of an interrupted write. Refused:
    an existing file, a directory holding anything else (so a mistyped ``--out`` such as
    ``..`` or ``~`` cannot put files among unrelated ones), a path below a file, and a
    directory that cannot be written. Checked before the run, so a refusal costs nothing.
    """
    path = Path(path)
    allowed = (
        "allowed: a new directory, an empty one, or one holding only a previous run's "
        f"{', '.join(RUN_OUTPUTS)} (or an interrupted run's {CHECKPOINT_NAME})"
    )
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option}: got {str(path)!r}, an existing file; {allowed}")
    if path.is_dir():
        others = sorted(entry.name for entry in path.iterdir() if not _ours(entry.name))
        if others:
            shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            raise UsageError(f"{option}: got {str(path)!r}, a directory holding {shown}; {allowed}")
    existing = next(parent for parent in (path, *path.parents) if parent.exists())
    if not existing.is_dir():
        raise UsageError(f"{option}: got {str(path)!r}, but {str(existing)!r} is a file; {allowed}")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(
            f"{option}: got {str(path)!r}, but {str(existing)!r} is not writable; {allowed}"
        )
    return path


def _ours(name: str) -> bool:
    """A run's output, its checkpoint, or the hidden temporary of an output whose writing
    was interrupted (``.cube.zarr.<random>``, ``.brief.md.partial``; removed by the next
    write)."""
    if name in (*RUN_OUTPUTS, CHECKPOINT_NAME):
        return True
    return any(name.startswith(f".{output}.") for output in RUN_OUTPUTS)


def _remove_leftovers(path: Path) -> None:
    """Hidden temporaries of earlier interrupted writes of ``path``."""
    for leftover in path.parent.glob(f".{path.name}.*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink(missing_ok=True)


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
    _remove_leftovers(path)
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
