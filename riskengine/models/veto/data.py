"""The vetoed Security Council drafts, 1946-2022, as the veto model reads them.

Source: ``institutions/unsc_vetoes_1946_2022.csv`` (UN Dag Hammarskjöld Library veto
list, compiled by C. L. Yordan), one row per vetoed proposal (214). Who vetoed is read
from ``member_veto1``..``member_veto3``: 265 vetoes (USSR 90 + Russia 31, USA 82, UK 29,
China 17, France 16, the Library's own totals). The file's 0/1 member columns miss 26
of them (9 French, 11 US, 6 Soviet vetoes, mostly 1966-1985: the "239 vetoes" of the
data README) and are not used. The USSR and Russia are one member, ``Russia``.

Choices, all made here and in :mod:`riskengine.models.veto.coding`:

* Era of a draft (``ERAS``): 1946-1965 (a Council of 11), 1966-1991 (15 members, the
  Cold War), 1992-2022; the count part's periods (``COUNT_PERIODS``) split the first
  at 1955 and the last at 2010.
* Target and kind from the shipped coding table (:mod:`~riskengine.models.veto.coding`).
* Alignment of member ``m`` with the target: General Assembly agreement of the seat's
  COW code (China: the Republic of China's 713 before 25 Oct 1971) with the target in
  the latest year *before* the draft's year with at least ``MIN_VOTES`` common roll
  calls (:func:`riskengine.data.alignment.alignment_before`; the year read is kept in
  ``alignment_year_<member>``). A member that is the target agrees with itself (1).
  ``party_<member>`` is 1 when the coding table names it a party or it is the target.
* The alignment part (``in_alignment_part``) keeps the ``against`` drafts whose target
  has a General Assembly record before the draft for every member; ``exclusion`` says
  why each other draft is left out (``EXCLUSIONS``).
* Counts (:func:`member_year_counts`): vetoes cast by each member in each calendar
  year 1946-2022, zero years included (385 member-years).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.data import alignment, paths
from riskengine.errors import DataError
from riskengine.models.veto.coding import MEMBERS, code_targets, seat_ccode

__all__ = [
    "COUNT_PERIODS",
    "COUNT_PERIOD_NAMES",
    "ERAS",
    "ERA_NAMES",
    "EXCLUSIONS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "MIN_VOTES",
    "VETO_FILE",
    "count_arrays",
    "data_provenance",
    "draft_arrays",
    "period_of_year",
    "load_drafts",
    "member_year_counts",
    "read_vetoes",
]

VETO_FILE = "institutions/unsc_vetoes_1946_2022.csv"
FIRST_YEAR, LAST_YEAR = 1946, 2022
ERAS: tuple[tuple[str, int, int], ...] = (
    ("1946-1965", 1946, 1965),
    ("1966-1991", 1966, 1991),
    ("1992-2022", 1992, 2022),
)
"""Eras of the alignment part: a Council of 11, the Cold War's Council of 15, after it."""
COUNT_PERIODS: tuple[tuple[str, int, int], ...] = (
    ("1946-1955", 1946, 1955),
    ("1956-1965", 1956, 1965),
    ("1966-1991", 1966, 1991),
    ("1992-2010", 1992, 2010),
    ("2011-2022", 2011, 2022),
)
"""Periods of the count part: the eras, with the first split at the package deal of
December 1955 (which ended the membership deadlock behind 29 of the USSR's 57 vetoes
of 1946-1955) and the last at 2011 (the Syrian war's vetoes): see the notes for why."""
ERA_NAMES = tuple(name for name, _, _ in ERAS)
COUNT_PERIOD_NAMES = tuple(name for name, _, _ in COUNT_PERIODS)
MIN_VOTES = alignment.MIN_VOTES
EXCLUSIONS = ("admission", "favours target", "no state target", "no alignment record")
_SOURCE_NAMES = {"USA": "USA", "UK": "UK", "France": "France", "USSR": "Russia"}
_SOURCE_NAMES |= {"Russia": "Russia", "China": "China"}
_COLUMNS = ("year", "date", "draft", "agenda_item", "crisis_topic")
_VETO_COLUMNS = ("member_veto1", "member_veto2", "member_veto3")


def period_of_year(years, periods=ERAS) -> np.ndarray:
    """Index in ``periods`` (``ERAS`` or ``COUNT_PERIODS``) of each year."""
    years = np.asarray(years)
    return np.searchsorted([last for _, _, last in periods[:-1]], years, side="left")


def read_vetoes(data_dir: str | Path | None = None) -> pd.DataFrame:
    """One row per vetoed draft: year, date (Timestamp), draft, agenda_item,
    crisis_topic, and one 0/1 ``veto_<member>`` column per member of ``MEMBERS``."""
    folder = paths.data_dir(data_dir)
    table = paths.read_table(
        folder, VETO_FILE, (*_COLUMNS, *_VETO_COLUMNS), allow_missing=True, as_text=True
    )
    if table[list(_COLUMNS)].isna().any().any():
        raise DataError(f"{Path(VETO_FILE).name}: a row lacks one of {_COLUMNS}")
    frame = table[list(_COLUMNS)].copy()
    frame["year"] = frame["year"].astype(np.int64)
    frame["date"] = pd.to_datetime(frame["date"], format="%m/%d/%Y")
    names = table[list(_VETO_COLUMNS)].stack().dropna()
    unknown = sorted(set(names) - set(_SOURCE_NAMES))
    if unknown or (frame["date"].dt.year != frame["year"]).any():
        raise DataError(
            f"{Path(VETO_FILE).name}: vetoing members must be among {sorted(_SOURCE_NAMES)} "
            f"(got {unknown}) and each date in its row's year"
        )
    members = names.map(_SOURCE_NAMES)
    for member in MEMBERS:
        vetoed = (members == member).groupby(level=0).any()
        frame[f"veto_{member}"] = vetoed.reindex(frame.index, fill_value=False).astype(int)
    return frame


def _add_alignment(drafts: pd.DataFrame, folder: Path) -> None:
    for member in MEMBERS:
        agreement, year = np.full(len(drafts), np.nan), np.zeros(len(drafts), np.int64)
        for index, draft in drafts.iterrows():
            seat, target = seat_ccode(member, draft["date"]), draft["target_ccode"]
            if seat == target:
                agreement[index], year[index] = 1.0, draft["year"]
                drafts.loc[index, f"party_{member}"] = 1
            elif target >= 0 and draft["kind"] == "against":
                found = alignment.alignment_before(seat, target, draft["year"], data_dir=folder)
                if found is not None:
                    agreement[index], year[index] = found.agreement, found.year
        drafts[f"alignment_{member}"] = agreement
        drafts[f"alignment_year_{member}"] = year


def _exclusion(drafts: pd.DataFrame) -> pd.Series:
    kind = drafts["kind"]
    no_record = drafts[[f"alignment_{m}" for m in MEMBERS]].isna().any(axis=1)
    reasons = np.select(
        [kind == "admission", kind == "favour", kind == "none", no_record],
        list(EXCLUSIONS),
        default="",
    )
    return pd.Series(reasons, index=drafts.index)


def load_drafts(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Every vetoed draft with its coding, era, alignments and inclusion.

    Columns: those of :func:`read_vetoes`, of :func:`coding.code_targets`, ``era``,
    ``alignment_<member>`` (0..1, NaN when unknown), ``alignment_year_<member>``,
    ``exclusion`` ('' when included) and ``in_alignment_part``. ``attrs`` count the
    drafts per exclusion and the alignments read more than one year back.
    """
    folder = paths.data_dir(data_dir)
    drafts = code_targets(read_vetoes(folder))
    drafts["era"] = period_of_year(drafts["year"])
    _add_alignment(drafts, folder)
    drafts["exclusion"] = _exclusion(drafts)
    drafts["in_alignment_part"] = drafts["exclusion"] == ""
    included = drafts[drafts["in_alignment_part"]]
    lags = np.stack([included["year"] - included[f"alignment_year_{m}"] for m in MEMBERS])
    counts = drafts["exclusion"].replace("", "included").value_counts().to_dict()
    drafts.attrs.update(
        {f"num_{name.replace(' ', '_')}": int(n) for name, n in counts.items()}
        | {"num_alignment_lag_over_1_year": int((lags > 1).sum()), "data_dir": str(folder)}
    )
    return drafts


def draft_arrays(drafts: pd.DataFrame) -> dict[str, np.ndarray]:
    """The alignment part's arrays: ``vetoed`` (drafts, members) int32, ``era``
    (drafts,) int32, ``alignment`` and ``party`` (drafts, members) float32."""
    included = drafts[drafts["in_alignment_part"]]

    def block(prefix, dtype):
        return included[[f"{prefix}_{m}" for m in MEMBERS]].to_numpy(dtype)

    return {
        "vetoed": block("veto", np.int32),
        "era": included["era"].to_numpy(np.int32),
        "alignment": block("alignment", np.float32),
        "party": block("party", np.float32),
    }


def member_year_counts(drafts: pd.DataFrame) -> pd.DataFrame:
    """Vetoes cast per calendar year (rows, ``FIRST_YEAR``..``LAST_YEAR``, zeros kept)
    and member (columns, ``MEMBERS`` order)."""
    columns = [f"veto_{m}" for m in MEMBERS]
    counts = drafts.groupby("year")[columns].sum()
    counts = counts.reindex(range(FIRST_YEAR, LAST_YEAR + 1), fill_value=0)
    counts.columns = list(MEMBERS)
    return counts.rename_axis("year")


def count_arrays(counts: pd.DataFrame) -> dict[str, np.ndarray]:
    """``counts`` (years, members) int32 and ``period`` (years,) int32, the index in
    ``COUNT_PERIODS``."""
    return {
        "counts": counts.to_numpy(np.int32),
        "period": period_of_year(counts.index.to_numpy(), COUNT_PERIODS).astype(np.int32),
    }


def data_provenance(data_dir: str | Path | None = None) -> dict:
    """The veto list and the two vote files with their SHA-256 and citations."""
    files = [(VETO_FILE, "UNSC veto list")]
    files += [(path, alignment.CITATION_KEY) for path, _ in alignment.ALIGNMENT_FILES.values()]
    return paths.files_provenance(data_dir, files)
