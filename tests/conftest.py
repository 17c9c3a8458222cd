"""Shared fixtures: the repository root and the shared data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repository() -> Path:
    return REPOSITORY


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The shared datasets, or skip with the reason."""
    from riskengine.data.paths import data_dir
    from riskengine.errors import DataError

    try:
        return data_dir()
    except DataError as error:
        pytest.skip(f"../shared/data not found; set RISKENGINE_DATA_DIR ({error})")
