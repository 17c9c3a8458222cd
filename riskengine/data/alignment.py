"""Foreign-policy alignment of two states: their agreement in UN General Assembly votes.

Sources (under the shared data folder, :mod:`riskengine.data.paths`):
``alignment/un_votes.csv.gz`` (one row per state and roll call: ``rcid``, ``country``,
``country_code`` ISO alpha-2, ``vote`` yes / no / abstain; absences are not rows) and
``alignment/un_roll_calls.csv.gz`` (``rcid``, ``date``), Voeten, Strezhnev & Bailey
(2009), 1946-2019 (plus one roll call of January 2020). Delegations are mapped to COW
codes by :mod:`riskengine.data.country_codes` (votes of the SSRs before 1991 and of
British India in 1946 are dropped there).

Measure (Voeten's "agree" index with abstentions as half agreement): a vote is scored
yes 1, abstain 0.5, no 0, and on one roll call two states agree by ``1 - |a - b|``:
yes/yes, no/no and abstain/abstain 1, yes or no against abstain 0.5, yes against no 0.
A dyad's ``agreement`` in a year is the mean over the roll calls *both* voted on that
calendar year (the roll call's date, not the GA session), ``num_votes`` their number; a
dyad with no common roll call has no row. Absences carry no information (the file has
none). Years with no roll call (1964) or too few (2020: one) are skipped by
:func:`alignment_before`, which returns the latest year *before* the one asked for with
at least ``min_votes`` common roll calls, since a predictor must be known before the
outcome.

Speed and memory: per year, states x roll calls indicator matrices and three matrix
products give every dyad at once. Building all 74 calendar years from the 870,109 votes
takes about 2.5-3 s of CPU on this machine (3-6 s wall, with the two cores shared;
reading the gzip files is 1.7 s of it), with a peak of about 180 MB of Python
allocations (``tracemalloc``; the process's maximum RSS grows by about 230 MB). The
per-year tables (27 MB) are cached in memory for the session (:func:`clear_cache`);
nothing is written to disk. :func:`agreement` over every year builds a frame of 823,953
dyad-years (33 MB) in about 0.25 s.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from riskengine.data import paths
from riskengine.data.country_codes import map_to_ccode
from riskengine.errors import DataError

__all__ = [
    "ALIGNMENT_FILES",
    "MIN_VOTES",
    "VOTE_VALUES",
    "Alignment",
    "YearTable",
    "agreement",
    "alignment_before",
    "clear_cache",
    "data_provenance",
    "dyad_agreement",
    "load_votes",
    "year_tables",
]

ALIGNMENT_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "votes": ("alignment/un_votes.csv.gz", ("rcid", "country", "country_code", "vote")),
    "roll_calls": ("alignment/un_roll_calls.csv.gz", ("rcid", "date")),
}
"""Table name -> (path relative to the data folder, required columns)."""
CITATION_KEY = "UNGA votes"
VOTE_VALUES = {"yes": 1.0, "abstain": 0.5, "no": 0.0}
MIN_VOTES = 10
"""Fewest common roll calls for a year to count in :func:`alignment_before`."""


class YearTable(NamedTuple):
    """Every dyad of one calendar year: ``ccodes`` (states,) sorted; ``agreement``
    (states, states) float64, NaN without a common roll call; ``num_votes`` int64."""

    year: int
    ccodes: np.ndarray
    agreement: np.ndarray
    num_votes: np.ndarray


class Alignment(NamedTuple):
    """A dyad's agreement in ``year`` over ``num_votes`` common roll calls."""

    year: int
    agreement: float
    num_votes: int


def load_votes(data_dir: str | Path | None = None) -> pd.DataFrame:
    """One row per (roll call, state): rcid, year, ccode (COW), value (1 yes, 0.5
    abstain, 0 no). ``attrs["num_dropped"]``: votes of delegations outside COW's system
    (see :mod:`riskengine.data.country_codes`)."""
    folder = paths.data_dir(data_dir)
    path, columns = ALIGNMENT_FILES["votes"]
    votes = paths.read_table(folder, path, columns, allow_missing=True, as_text=True)
    path, columns = ALIGNMENT_FILES["roll_calls"]
    calls = paths.read_table(folder, path, columns, as_text=True)
    calls["year"] = pd.to_datetime(calls["date"], format="%Y-%m-%d", errors="coerce").dt.year
    if calls["year"].isna().any():
        raise DataError(f"un_roll_calls: date must be YYYY-MM-DD, got {calls['date'].iloc[0]!r}")
    rcid = votes["rcid"].astype(np.int64)
    call = pd.Index(calls["rcid"].astype(np.int64)).get_indexer(rcid)
    if (call < 0).any():
        raise DataError(f"un_votes: {int((call < 0).sum())} vote(s) name an unknown rcid")
    year = pd.Series(calls["year"].to_numpy(np.int64)[call], index=votes.index)
    choice = pd.Categorical(votes["vote"], categories=list(VOTE_VALUES)).codes
    if (choice < 0).any():
        raise DataError(
            f"un_votes: vote must be one of {sorted(VOTE_VALUES)}, got "
            f"{votes['vote'].to_numpy()[choice < 0][0]!r}"
        )
    value = np.asarray(list(VOTE_VALUES.values()))[choice]
    codes = votes["country_code"].fillna("")
    ccode = map_to_ccode(codes, votes["country"], year)
    frame = pd.DataFrame(
        {"rcid": rcid.to_numpy(), "year": year.to_numpy(), "ccode": ccode, "value": value}
    )
    kept = frame[frame["ccode"] >= 0].reset_index(drop=True)
    if kept.duplicated(["rcid", "ccode"]).any():
        raise DataError("un_votes: a state votes twice on one roll call after COW mapping")
    kept.attrs["num_dropped"] = int(len(frame) - len(kept))
    return kept


def _year_table(year: int, votes: pd.DataFrame) -> YearTable:
    ccodes, state = np.unique(votes["ccode"].to_numpy(), return_inverse=True)
    _, call = np.unique(votes["rcid"].to_numpy(), return_inverse=True)
    shape = (len(ccodes), int(call.max()) + 1)
    value = votes["value"].to_numpy()
    yes, abstain, no = (np.zeros(shape) for _ in range(3))
    for matrix, score in ((yes, 1.0), (abstain, 0.5), (no, 0.0)):
        chosen = value == score
        matrix[state[chosen], call[chosen]] = 1.0
    decided = yes + no
    present = decided + abstain
    num_votes = present @ present.T
    disagreement = yes @ no.T + no @ yes.T + 0.5 * (abstain @ decided.T + decided @ abstain.T)
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = np.where(num_votes > 0, 1.0 - disagreement / num_votes, np.nan)
    return YearTable(int(year), ccodes, agreement, num_votes.round().astype(np.int64))


@cache
def _cached_tables(folder: str) -> dict[int, YearTable]:
    votes = load_votes(folder)
    return {int(year): _year_table(year, group) for year, group in votes.groupby("year")}


def year_tables(data_dir: str | Path | None = None) -> dict[int, YearTable]:
    """Calendar year -> :class:`YearTable`, built once per data folder and session."""
    return _cached_tables(str(paths.data_dir(data_dir).resolve()))


def clear_cache() -> None:
    """Forget the in-memory tables (the next call rebuilds them)."""
    _cached_tables.cache_clear()


def agreement(year_from: int, year_to: int, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Dyad-years ``year_from``..``year_to`` (inclusive) with a common roll call: ccode_a <
    ccode_b (each unordered pair once), year, agreement (0..1), num_votes (int64)."""
    if year_from > year_to:
        raise ValueError(f"agreement: year_from {year_from} is after year_to {year_to}")
    frames = []
    for year, table in year_tables(data_dir).items():
        if year_from <= year <= year_to:
            first, second = np.triu_indices(len(table.ccodes), k=1)
            common = table.num_votes[first, second] > 0
            first, second = first[common], second[common]
            frames.append(
                pd.DataFrame(
                    {
                        "ccode_a": table.ccodes[first],
                        "ccode_b": table.ccodes[second],
                        "year": np.full(len(first), year, np.int64),
                        "agreement": table.agreement[first, second],
                        "num_votes": table.num_votes[first, second],
                    }
                )
            )
    columns = ["ccode_a", "ccode_b", "year", "agreement", "num_votes"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _lookup(table: YearTable, ccode_a: int, ccode_b: int) -> Alignment | None:
    first, second = np.searchsorted(table.ccodes, [ccode_a, ccode_b])
    found = [
        index < len(table.ccodes) and table.ccodes[index] == code
        for index, code in ((first, ccode_a), (second, ccode_b))
    ]
    if not all(found) or table.num_votes[first, second] == 0:
        return None
    return Alignment(
        table.year, float(table.agreement[first, second]), int(table.num_votes[first, second])
    )


def dyad_agreement(ccode_a: int, ccode_b: int, data_dir: str | Path | None = None) -> pd.DataFrame:
    """One dyad's years with a common roll call: year, agreement, num_votes."""
    found = [_lookup(table, ccode_a, ccode_b) for table in year_tables(data_dir).values()]
    rows = [alignment for alignment in found if alignment is not None]
    return pd.DataFrame(rows, columns=list(Alignment._fields))


def alignment_before(
    ccode_a: int,
    ccode_b: int,
    year: int,
    *,
    min_votes: int = MIN_VOTES,
    data_dir: str | Path | None = None,
) -> Alignment | None:
    """The dyad's agreement in the latest year before ``year`` with at least
    ``min_votes`` common roll calls, or None when there is none (a state not yet a
    member, or absent from the General Assembly, e.g. South Africa 1974-1993)."""
    tables = year_tables(data_dir)
    for past in sorted((y for y in tables if y < year), reverse=True):
        found = _lookup(tables[past], ccode_a, ccode_b)
        if found is not None and found.num_votes >= min_votes:
            return found
    return None


def data_provenance(data_dir: str | Path | None = None) -> dict:
    """The two vote files with their SHA-256 and the citation."""
    files = [(path, CITATION_KEY) for path, _ in ALIGNMENT_FILES.values()]
    return paths.files_provenance(data_dir, files)
