"""Where the shared research data live, how to read them safely, and how to cite them.

The datasets are never copied into the repository. They are found, in this order, at

1. the path passed explicitly (``--data`` on the command line, ``data_dir=`` in the API);
2. the path in the environment variable ``RISKENGINE_DATA_DIR``;
3. ``<repository root>/../shared/data``, where the repository root is the folder that
   holds the ``riskengine`` package.

Every reader goes through :func:`read_table`, which names the file and the missing
columns when a file does not have what the loaders need.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.errors import DataError

__all__ = [
    "DATA_CITATIONS",
    "DATA_DIR_ENVIRONMENT_VARIABLE",
    "data_dir",
    "file_sha256",
    "files_provenance",
    "integer_columns",
    "read_table",
]

DATA_DIR_ENVIRONMENT_VARIABLE = "RISKENGINE_DATA_DIR"

DATA_CITATIONS: dict[str, str] = {
    "COW MID 5.0": (
        "Palmer, G., McManus, R. W., D'Orazio, V., Kenwick, M. R., Karstens, M., Bloch, C., "
        "Dietrich, N., Kahn, K., Ritter, K. and Soules, M. J. (2022). The MID5 Dataset, "
        "2011-2014: Procedures, coding rules, and description. Conflict Management and "
        "Peace Science 39(4). Correlates of War Militarized Interstate Disputes v5.0."
    ),
    "COW NMC 7.0": (
        "Singer, J. D., Bremer, S. and Stuckey, J. (1972). Capability Distribution, "
        "Uncertainty, and Major Power War, 1820-1965. In B. Russett (ed.), Peace, War, and "
        "Numbers. Correlates of War National Material Capabilities v7.0."
    ),
    "ATOP 5.1": (
        "Leeds, B. A., Ritter, J. M., Mitchell, S. M. and Long, A. G. (2002). Alliance "
        "Treaty Obligations and Provisions, 1815-1944. International Interactions 28. "
        "ATOP v5.1 directed dyad-years as distributed by peacesciencer v1.2.9."
    ),
    "COW State System Membership 2016": (
        "Correlates of War Project (2017). State System Membership List, v2016 "
        "(major-power status by year)."
    ),
    "COW Direct Contiguity 3.2": (
        "Stinnett, D. M., Tir, J., Schafer, P., Diehl, P. F. and Gochman, C. (2002). The "
        "Correlates of War Project Direct Contiguity Data, Version 3. Conflict Management "
        "and Peace Science 19(2). Directed pairs as distributed by peacesciencer v1.2.9."
    ),
    "CShapes 2.0": (
        "Schvitz, G., Girardin, L., Ruegger, S., Weidmann, N. B., Cederman, L.-E. and "
        "Gleditsch, K. S. (2022). Mapping the International System, 1886-2019: The CShapes "
        "2.0 Dataset. Journal of Conflict Resolution 66(1). Minimum distances between COW "
        "states as distributed by peacesciencer v1.2.9 (cow_mindist)."
    ),
    "Polity5": (
        "Marshall, M. G. and Gurr, T. R. (2020). Polity5: Political Regime Characteristics "
        "and Transitions, 1800-2018. Center for Systemic Peace (polity2); as distributed in "
        "peacesciencer's ccode_democracy."
    ),
    "V-Dem": (
        "Coppedge, M., Gerring, J., Knutsen, C. H., Lindberg, S. I., Teorell, J. et al. "
        "V-Dem Country-Year Dataset, electoral democracy index v2x_polyarchy. Varieties of "
        "Democracy (V-Dem) Project; as distributed in peacesciencer's ccode_democracy."
    ),
    "Thompson-Dreyer rivalries": (
        "Thompson, W. R. and Dreyer, D. R. (2012). Handbook of International Rivalries, "
        "1494-2010. CQ Press. Strategic rivalries as distributed by peacesciencer v1.2.9."
    ),
    "TIES 4.1": (
        "Morgan, T. C., Bapat, N. and Kobayashi, Y. (2014). Threat and Imposition of "
        "Economic Sanctions 1945-2005: Updating the TIES dataset. Conflict Management and "
        "Peace Science 31(5)."
    ),
    "Martin 1992": (
        "Martin, L. L. (1992). Coercive Cooperation: Explaining Multilateral Economic "
        "Sanctions. Princeton University Press."
    ),
    "EIA chokepoints": (
        "U.S. Energy Information Administration. World Oil Transit Chokepoints, Table 1 "
        "(updated 2024-06-25)."
    ),
    "USGS MCS 2025": "U.S. Geological Survey (2025). Mineral Commodity Summaries 2025.",
    "IEA critical minerals": "IEA (2024). Critical Minerals Data Explorer (CC BY 4.0).",
    "UNGA votes": (
        "Voeten, E., Strezhnev, A. and Bailey, M. (2009). United Nations General Assembly "
        "Voting Data. Harvard Dataverse, hdl:1902.1/12379; Voeten, E. (2013). Data and "
        "Analyses of Voting in the UN General Assembly. In B. Reinalda (ed.), Routledge "
        "Handbook of International Organization. As distributed by the R package unvotes "
        "(dgrtwo/unvotes@7eb7034, MIT)."
    ),
    "UNSC veto list": (
        "UN Dag Hammarskjold Library, Security Council - Veto List; compiled by Carlos L. "
        "Yordan, World Politics Data Lab, world-politics-datalab/vetoes-un-security-council"
        "@661c524 (MIT)."
    ),
}


def _repository_default() -> Path:
    """Return ``<repository root>/../shared/data`` (repository root holds ``riskengine``)."""
    repository_root = Path(__file__).resolve().parents[2]
    return repository_root.parent / "shared" / "data"


def data_dir(explicit: str | Path | None = None) -> Path:
    """Return the folder that holds the shared datasets (``conflict/``, ``sanctions/``, ...).

    Looks at ``explicit``, then ``$RISKENGINE_DATA_DIR``, then ``<repo>/../shared/data``.
    Raises ``DataError`` naming every place it looked when none of them is a folder.
    """
    if explicit is not None:
        return _existing_folder(Path(explicit), "the path passed as data_dir / --data")
    from_environment = os.environ.get(DATA_DIR_ENVIRONMENT_VARIABLE)
    if from_environment:
        return _existing_folder(Path(from_environment), f"${DATA_DIR_ENVIRONMENT_VARIABLE}")
    default = _repository_default()
    if default.is_dir():
        return default
    raise DataError(
        f"data folder not found: no data_dir was passed, ${DATA_DIR_ENVIRONMENT_VARIABLE} "
        f"is not set, and the default {default} does not exist; set "
        f"{DATA_DIR_ENVIRONMENT_VARIABLE}=/path/to/shared/data or pass --data /path/to/shared/data"
    )


def _existing_folder(path: Path, source: str) -> Path:
    if not path.is_dir():
        raise DataError(
            f"data folder {path} (from {source}) does not exist or is not a folder; point "
            f"{DATA_DIR_ENVIRONMENT_VARIABLE} or --data at the folder that holds conflict/"
        )
    return path


def file_sha256(path: str | Path) -> str:
    """Return the hexadecimal SHA-256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(
    folder: Path,
    relative_path: str,
    required_columns: Sequence[str],
    *,
    allow_missing: bool = False,
    encoding: str | None = None,
    as_text: bool = False,
) -> pd.DataFrame:
    """Read the CSV ``folder / relative_path``, keeping only ``required_columns``.

    With ``as_text`` every column is read as text and only an empty field is missing
    (``"NA"`` stays Namibia's ISO code, not a missing value). Raises ``DataError`` when
    the file is missing, unreadable, lacks a required column, or (unless
    ``allow_missing``) has a missing value in one.
    """
    path = folder / relative_path
    name = Path(relative_path).name
    if not path.is_file():
        raise DataError(
            f"data file {path} not found; check that {DATA_DIR_ENVIRONMENT_VARIABLE} "
            f"(or --data) points at the shared data folder that holds {relative_path}"
        )
    try:
        header = pd.read_csv(path, nrows=0, encoding=encoding).columns
        missing = [column for column in required_columns if column not in header]
        if missing:
            raise DataError(
                f"{name}: missing column {missing[0]!r} "
                f"(required: {', '.join(required_columns)}; file: {path})"
            )
        text = {"dtype": str, "keep_default_na": False, "na_values": [""]} if as_text else {}
        table = pd.read_csv(
            path, usecols=list(required_columns), encoding=encoding, low_memory=False, **text
        )
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DataError(f"{name}: cannot be read as CSV ({path}): {error}") from error
    if not allow_missing:
        _check_no_missing_values(table, name)
    return table


def integer_columns(table: pd.DataFrame, columns: Sequence[str], file_name: str) -> pd.DataFrame:
    """Convert integer codes stored as floats (``2.0``) to int64; DataError if fractional
    or missing, naming the file, the column and a bad value."""
    for column in columns:
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values) | (values != np.round(values))
        if bad.any():
            raise DataError(
                f"{file_name}: column {column!r} must hold integers, got "
                f"{table[column].to_numpy()[bad][0]} ({int(bad.sum())} such row(s))"
            )
        table[column] = values.astype(np.int64)
    return table


def _check_no_missing_values(table: pd.DataFrame, name: str) -> None:
    counts = table.isna().sum()
    for column, count in counts[counts > 0].items():
        raise DataError(
            f"{name}: column {column!r} has {count} missing value(s); every row needs one"
        )


def files_provenance(
    directory: str | Path | None, files: Sequence[tuple[str, str]], extra_citations=()
) -> dict:
    """``{"files": {relative path: {"sha256", "citation"}}, "citations": {key: text}}`` of
    ``files`` ((relative path, ``DATA_CITATIONS`` key) pairs) in the data folder
    ``directory`` (None: the default), with the citations of the ``extra_citations`` keys;
    the folder itself is not recorded, so provenance is the same on every machine."""
    folder = data_dir(directory)
    recorded = {}
    for relative_path, key in files:
        path = folder / relative_path
        if not path.is_file():
            raise DataError(f"data file {path} not found; check RISKENGINE_DATA_DIR or --data")
        recorded[relative_path] = {"sha256": file_sha256(path), "citation": DATA_CITATIONS[key]}
    keys = {key for _, key in files} | set(extra_citations)
    return {"files": recorded, "citations": {key: DATA_CITATIONS[key] for key in sorted(keys)}}
