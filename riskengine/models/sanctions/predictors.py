"""Predictors of a sanctions episode from COW Trade 4.0, ATOP 5.1 and V-Dem / Polity.

Used twice: by :mod:`riskengine.models.sanctions.data` for the TIES cases (the year
before imposition) and by :mod:`riskengine.models.sanctions.present_day` for a
present-day scenario (the latest year of each source). Sources, under the shared data folder:

* ``trade/cow_trade_ndy.csv.gz`` (COW Trade 4.0, non-directed dyad-years 1870-2014):
  the target's trade with a partner is ``flow1 + flow2`` (its imports from and its
  exports to the partner, million current US dollars). A flow that is missing (empty,
  or COW's -9) adds nothing; a dyad with both flows missing is *unknown*, not zero. The
  target's total trade is the sum over all its known dyads.
* ``conflict/atop_alliance_dyad_years.csv.gz`` (ATOP 5.1 directed dyad-years,
  1815-2018): a defence pact links two states in a year when ``atop_defense == 1`` for
  the pair in either direction.
* ``conflict/ccode_democracy.csv``: V-Dem ``v2x_polyarchy`` (0..1); Polity ``polity2``
  (-10..10) rescaled to 0..1 as ``(polity2 + 10) / 20`` where V-Dem has no value.
  The rescaling is crude (Polity's +10 maps to 1.0 while V-Dem's highest score is about
  0.92) and is only a fallback.

Only states have trade and alliances: sender codes of 1000 and above (TIES's
institution codes, e.g. 1000 for the EU) are left out of the sums and joins here.
The source tables are read once per data folder and cached (``functools.lru_cache``);
the cached frames are never modified.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from riskengine.data import paths
from riskengine.data.paths import DATA_CITATIONS, file_sha256
from riskengine.errors import DataError

__all__ = [
    "FIRST_INSTITUTION_CODE",
    "TRADE_LOOKBACK_YEARS",
    "PREDICTOR_CITATIONS",
    "PREDICTOR_FILES",
    "SourceTables",
    "case_defence_pact",
    "case_democracy",
    "case_trade_dependence",
    "defence_pact_links",
    "democracy_scores",
    "provenance_of",
    "read_source",
    "rescaled_polity",
    "source_tables",
    "target_dyad_trade",
]

FIRST_INSTITUTION_CODE = 1000
"""TIES sender codes from here up are international institutions, not COW states."""

TRADE_LOOKBACK_YEARS = 5
"""How many years before the wanted one a case's trade may come from."""

PREDICTOR_CITATIONS: dict[str, str] = {
    "COW Trade 4.0": (
        "Barbieri, K., Keshk, O. M. G. and Pollins, B. M. (2009). Trading Data: Evaluating "
        "our Assumptions and Coding Rules. Conflict Management and Peace Science 26(5). "
        "Correlates of War Trade v4.0, non-directed dyad-years as distributed by peacesciencer."
    ),
    "ATOP 5.1": DATA_CITATIONS["ATOP 5.1"],
    "V-Dem": (
        "Coppedge, M., Gerring, J., Knutsen, C. H., Lindberg, S. I., Teorell, J. et al. "
        "V-Dem Country-Year Dataset, electoral democracy index v2x_polyarchy. Varieties of "
        "Democracy (V-Dem) Project; as distributed in peacesciencer's ccode_democracy."
    ),
    "Polity5": (
        "Marshall, M. G. and Gurr, T. R. (2020). Polity5: Political Regime Characteristics "
        "and Transitions, 1800-2018. Center for Systemic Peace (polity2)."
    ),
}

PREDICTOR_FILES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "trade": (
        "trade/cow_trade_ndy.csv.gz",
        ("ccode1", "ccode2", "year", "flow1", "flow2"),
        ("COW Trade 4.0",),
    ),
    "alliances": (
        "conflict/atop_alliance_dyad_years.csv.gz",
        ("ccode1", "ccode2", "year", "atop_defense"),
        ("ATOP 5.1",),
    ),
    "democracy": (
        "conflict/ccode_democracy.csv",
        ("ccode", "year", "v2x_polyarchy", "polity2"),
        ("V-Dem", "Polity5"),
    ),
}
"""Table name -> (path relative to the data folder, columns read, citation keys)."""


class SourceTables(NamedTuple):
    """The three predictor sources, integer ccodes and years; never modified once cached."""

    trade: pd.DataFrame  # ccode1 < ccode2, year, flow1, flow2 (NaN where missing)
    pledges: pd.DataFrame  # ccode1, ccode2, year of every ATOP defence pledge
    democracy: pd.DataFrame  # ccode, year, v2x_polyarchy, polity2 (NaN where missing)


def read_source(
    folder: Path, relative_path: str, columns: tuple[str, ...], encoding: str | None = None
) -> pd.DataFrame:
    """Read ``columns`` of the CSV ``folder / relative_path``; missing values are allowed
    (``riskengine.data.paths.read_table``, which names the file when it is absent,
    unreadable or lacks a column)."""
    return paths.read_table(folder, relative_path, columns, allow_missing=True, encoding=encoding)


def source_tables(data_dir: str | Path | None = None) -> SourceTables:
    """Return the trade, alliance and democracy tables of the data folder (cached)."""
    return _cached_tables(str(paths.data_dir(data_dir).resolve()))


@functools.lru_cache(maxsize=4)
def _cached_tables(folder: str) -> SourceTables:
    tables = {
        name: read_source(Path(folder), relative_path, columns)
        for name, (relative_path, columns, _) in PREDICTOR_FILES.items()
    }
    trade = _integer_keys(tables["trade"], ("ccode1", "ccode2", "year"), "trade")
    for column in ("flow1", "flow2"):
        flow = pd.to_numeric(trade[column], errors="coerce")
        trade[column] = flow.where(flow >= 0)  # COW's -9 (and any negative) = missing
    alliances = _integer_keys(tables["alliances"], ("ccode1", "ccode2", "year"), "alliances")
    pledges = alliances.loc[alliances["atop_defense"] == 1, ["ccode1", "ccode2", "year"]]
    democracy = _integer_keys(tables["democracy"], ("ccode", "year"), "democracy")
    return SourceTables(trade, pledges.drop_duplicates().reset_index(drop=True), democracy)


def _integer_keys(table: pd.DataFrame, columns: tuple[str, ...], name: str) -> pd.DataFrame:
    """Key columns stored as floats (``2.0``) as int64; DataError if not integers."""
    return paths.integer_columns(table, columns, Path(PREDICTOR_FILES[name][0]).name)


def target_dyad_trade(trade: pd.DataFrame, targets, years) -> pd.DataFrame:
    """Return the known dyads of ``targets`` in ``years``: target, partner, year, trade_musd.

    ``trade_musd`` = ``flow1 + flow2`` with a missing flow counted as 0; dyads with both
    flows missing are dropped (unknown, not zero).
    """
    targets, years = np.unique(targets), np.unique(years)
    rows = trade[trade["year"].isin(years)]
    sides = []
    for own, other in (("ccode1", "ccode2"), ("ccode2", "ccode1")):
        side = rows[rows[own].isin(targets)]
        sides.append(
            pd.DataFrame(
                {
                    "target": side[own].to_numpy(),
                    "partner": side[other].to_numpy(),
                    "year": side["year"].to_numpy(),
                    "trade_musd": side[["flow1", "flow2"]].sum(axis=1, min_count=1).to_numpy(),
                }
            )
        )
    dyads = pd.concat(sides, ignore_index=True)
    return dyads[dyads["trade_musd"].notna()].reset_index(drop=True)


def defence_pact_links(pledges: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    """For each row of ``pairs`` (sender, target, year): is there an ATOP defence pledge?

    The pledge may be recorded as (sender, target) or (target, sender).
    """
    keys = pd.MultiIndex.from_frame(pledges[["ccode1", "ccode2", "year"]])
    forward = pd.MultiIndex.from_arrays([pairs["sender"], pairs["target"], pairs["year"]])
    backward = pd.MultiIndex.from_arrays([pairs["target"], pairs["sender"], pairs["year"]])
    return np.asarray(forward.isin(keys) | backward.isin(keys), dtype=bool)


def rescaled_polity(polity2) -> np.ndarray:
    """Polity's ``polity2`` (-10..10) on V-Dem's 0..1 scale: ``(polity2 + 10) / 20``."""
    return (np.asarray(polity2, dtype=np.float64) + 10.0) / 20.0


def democracy_scores(democracy: pd.DataFrame, ccodes, years) -> tuple[np.ndarray, np.ndarray]:
    """Return (score, source) per (ccode, year): V-Dem, else rescaled Polity, else NaN.

    ``source`` holds "v2x_polyarchy", "polity2" or "missing".
    """
    index = pd.MultiIndex.from_arrays([np.asarray(ccodes), np.asarray(years)])
    table = democracy.drop_duplicates(["ccode", "year"]).set_index(["ccode", "year"])
    found = table.reindex(index)
    vdem = found["v2x_polyarchy"].to_numpy(dtype=np.float64)
    polity = rescaled_polity(found["polity2"].to_numpy(dtype=np.float64))
    score = np.where(np.isfinite(vdem), vdem, polity)
    source = np.where(
        np.isfinite(vdem), "v2x_polyarchy", np.where(np.isfinite(polity), "polity2", "missing")
    )
    return score, source


def case_trade_dependence(
    cases: pd.DataFrame, senders: pd.DataFrame, trade: pd.DataFrame
) -> pd.DataFrame:
    """Trade dependence of each case on its state senders, nearest earlier year within 5.

    ``cases`` has caseid, target, year (the year wanted); ``senders`` has caseid, sender
    (state senders only). A year is usable for a case when the target's total known
    trade is positive and at least one state sender's dyad with the target is known;
    the other senders' unknown dyads then count as 0. The latest usable year from
    ``year`` back to ``year - TRADE_LOOKBACK_YEARS`` is taken. Returns, indexed like
    ``cases``: ``trade_dependence`` (NaN when no year is usable or the case has no state
    sender), ``trade_year`` (-1 then), ``trade_source`` ("observed", "earlier_year",
    "no_state_sender" or "missing") and ``num_unknown_senders`` (senders whose dyad is
    unknown in the year used).
    """
    offsets = np.arange(TRADE_LOOKBACK_YEARS + 1)
    candidates = cases[["caseid", "target", "year"]].merge(
        pd.DataFrame({"offset": offsets}), how="cross"
    )
    candidates["year"] = candidates["year"] - candidates["offset"]
    dyads = target_dyad_trade(trade, cases["target"], candidates["year"])
    totals = dyads.groupby(["target", "year"], as_index=False)["trade_musd"].sum()
    candidates = candidates.merge(totals, on=["target", "year"], how="left")
    links = candidates[["caseid", "target", "year"]].merge(senders, on="caseid")
    links = links.merge(
        dyads.rename(columns={"partner": "sender", "trade_musd": "sender_musd"}),
        on=["target", "sender", "year"],
        how="left",
    )
    links["num_known"] = links["sender_musd"].notna().astype(np.int64)
    links["num_unknown"] = 1 - links["num_known"]
    columns = ["sender_musd", "num_known", "num_unknown"]
    by_candidate = links.groupby(["caseid", "year"])[columns].sum()
    candidates = candidates.join(by_candidate, on=["caseid", "year"])
    usable = (candidates["trade_musd"] > 0) & (candidates["num_known"] > 0)
    best = candidates[usable].sort_values("offset").drop_duplicates("caseid")
    best = best.set_index("caseid").reindex(cases["caseid"])
    return _trade_result(best, cases["caseid"].isin(senders["caseid"]).to_numpy())


def _trade_result(best: pd.DataFrame, has_state_sender: np.ndarray) -> pd.DataFrame:
    dependence = (best["sender_musd"] / best["trade_musd"]).to_numpy(dtype=np.float64)
    found = np.isfinite(dependence)
    source = np.where(best["offset"].to_numpy() == 0, "observed", "earlier_year")
    source = np.where(found, source, "missing")
    source = np.where(has_state_sender, source, "no_state_sender")
    dependence = np.where(has_state_sender, dependence, np.nan)
    return pd.DataFrame(
        {
            "trade_dependence": dependence,
            "trade_year": np.where(found & has_state_sender, best["year"].to_numpy(), -1),
            "trade_source": source,
            "num_unknown_senders": best["num_unknown"].fillna(0).to_numpy(dtype=np.int64),
        }
    ).astype({"trade_year": np.int64})


def case_defence_pact(
    pledges: pd.DataFrame, cases: pd.DataFrame, senders: pd.DataFrame
) -> np.ndarray:
    """1.0 per case when an ATOP defence pledge links a state sender and the target in
    the case's ``year``; 0.0 otherwise (also when the case has no state sender)."""
    pairs = cases[["caseid", "target", "year"]].merge(senders, on="caseid")
    linked = pairs.loc[defence_pact_links(pledges, pairs), "caseid"].unique()
    return cases["caseid"].isin(linked).to_numpy(dtype=np.float64)


def case_democracy(democracy: pd.DataFrame, cases: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(score, source) of each case's target in its ``year``; see :func:`democracy_scores`."""
    return democracy_scores(democracy, cases["target"], cases["year"])


def provenance_of(entries, data_dir: str | Path | None, citations: dict[str, str]) -> dict:
    """``{"files": {path: {"sha256", "citations"}}, "citations": {key: text}}`` of entries.

    ``entries`` are (relative path, columns, citation keys) triples; the data folder
    itself is not recorded, so provenance is the same on every machine.
    """
    folder = paths.data_dir(data_dir)
    files, used = {}, {}
    for relative_path, _, keys in entries:
        path = folder / relative_path
        if not path.is_file():
            raise DataError(f"data file {path} not found; check RISKENGINE_DATA_DIR or --data")
        files[relative_path] = {"sha256": file_sha256(path), "citations": list(keys)}
        used.update({key: citations[key] for key in keys})
    return {"files": files, "citations": dict(sorted(used.items()))}
