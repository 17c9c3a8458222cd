"""Readers of the shared research data, used by every model's data loader, and provenance.

The datasets live outside the repository (``RISKENGINE_DATA_DIR`` or ``../shared/data``);
see :mod:`riskengine.data.paths`. :mod:`riskengine.data.alliances`,
:mod:`riskengine.data.capabilities` and :mod:`riskengine.data.major_powers` read ATOP 5.1,
COW NMC 7.0 and the COW major-power list; :mod:`riskengine.data.allies` (ATOP partners by
state-year), :mod:`riskengine.data.contiguity`, :mod:`riskengine.data.distance`,
:mod:`riskengine.data.democracy` and :mod:`riskengine.data.rivalries` serve dyad-year
models. Each model's own table (e.g. the escalation
model's disputes, :mod:`riskengine.models.escalation.data`) is built in its package.
"""

from riskengine.data.paths import DATA_CITATIONS, data_dir, file_sha256

__all__ = [
    "DATA_CITATIONS",
    "data_dir",
    "file_sha256",
]
