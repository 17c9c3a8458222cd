"""Loaders for the shared research data and their provenance.

The datasets live outside the repository (``RISKENGINE_DATA_DIR`` or ``../shared/data``);
see :mod:`riskengine.data.paths`. :func:`load_disputes` builds the escalation model's
one-row-per-dispute table from COW MID 5.0, COW NMC 7.0 and ATOP 5.1.
"""

from riskengine.data.disputes import (
    COVARIATE_NAMES,
    data_provenance,
    dispute_arrays,
    load_disputes,
)
from riskengine.data.paths import DATA_CITATIONS, data_dir, file_sha256

__all__ = [
    "COVARIATE_NAMES",
    "DATA_CITATIONS",
    "data_dir",
    "data_provenance",
    "dispute_arrays",
    "file_sha256",
    "load_disputes",
]
