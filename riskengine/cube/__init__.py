"""Cubes: arviz-ready ``xarray.DataTree`` results with provenance, in Zarr or NetCDF."""

from riskengine.cube.build import build_cube
from riskengine.cube.io import CUBE_FORMATS, cube_filename, open_cube, write_cube
from riskengine.cube.schema import DIMENSIONS, GROUPS

__all__ = [
    "CUBE_FORMATS",
    "DIMENSIONS",
    "GROUPS",
    "build_cube",
    "cube_filename",
    "open_cube",
    "write_cube",
]
