"""Candidate supporters of TIES sanctions cases: which states joined the primary sender?

Issue 11, item 3: "coalition joining: which states joined as senders in TIES cases with
two or more senders, against alignment, trade and alliance with the primary sender".
One row per (case, candidate state). Sources (under the shared data folder, see
:mod:`riskengine.data.paths`; ``SUPPORT_FILES``): TIES v4.1 ``sanctions/ties_v4_1.csv``
(Morgan, Bapat & Kobayashi 2014), COW NMC 7.0 ``conflict/cow_nmc.csv`` (the state system
and CINC), ATOP 5.1, COW Trade 4.0, CShapes 2.0 minimum distances, COW Direct Contiguity
3.2, V-Dem / Polity. Counts are for these releases and are also in ``frame.attrs``
(key in brackets); how each measure is read is in
:mod:`riskengine.models.coalition.support_predictors`.

Which cases and candidates, and the outcome, are chosen in
:mod:`riskengine.models.coalition.support_cases` (cases with a state primary sender, a
state target and at least one state joiner; candidates = the system's other states;
TIES's five-sender listing cap); the predictors here.

Timing: every predictor is read in the year before the case starts (``startyear - 1``,
the *covariate year*), so it is known before the outcome. A candidate not in the system
that year uses the start year [num_candidate_start_year_fallback]; a pair measure uses
the start year when the primary or target was not in the system the year before
[num_pair_start_year_fallback].

Predictors (float64, ``COVARIATE_NAMES`` order):

1. ``defence_pact_with_primary``: ATOP defence pledge with the primary sender.
2. ``other_pledge_with_primary``: an ATOP offence, neutrality, non-aggression or
   consultation pledge with the primary, and no defence pledge.
3. ``alliance_with_target``: any ATOP pledge with the target.
4. ``trade_share_with_target``, 5. ``trade_share_with_primary``: ``log1p(100 * share)``
   of the candidate's total trade that is with the target / the primary [fallbacks
   num_trade_target_<source> and num_trade_primary_<source>, ``TRADE_SOURCES``].
6. ``log_distance_to_target``: ``log1p(km / 1000)`` [num_distance_<source>].
7. ``democracy``: V-Dem polyarchy, else rescaled Polity, else the median of the rows
   [num_democracy_polity2, num_democracy_missing].
8. ``major_power``: COW major power in the covariate year.
9. ``log_capability``: log(CINC / 1%) [num_capability_missing].
10-11. ``era_early_cold_war`` (start 1945-1969), ``era_late_cold_war`` (1970-1989);
    1990-2005 is the reference.

Reserved, not fitted yet: ``alignment_with_primary`` and ``alignment_with_target``
(``ALIGNMENT_NAMES``) are NaN unless ``load_candidates(agreement=...)`` receives a UN
General Assembly agreement table ``[ccode_a, ccode_b, year, agreement]`` (the reader is
being written elsewhere); then they hold the pair's agreement in the covariate year
[num_alignment_primary_median, num_alignment_target_median fallbacks] and
:func:`fitted_covariates` adds them to the fit. ``election_in_window`` is 0 on every
row: TIES has no election data, so the election shift rests on its prior.

Build cost (``load_candidates()``, ``/usr/bin/time -v`` of a fresh process, imports
included; ``BUILD_COST``): 1.1 s of CPU and 1.0 s wall on the idle 2-core machine (2.9 s
wall under light load, 16-20 s at a load average of 12); peak resident memory 278 MB.
``selection="all"`` (183,907 candidates) takes a few seconds more.

Counts (TIES v4.1, these releases): 1,412 cases; excluded 166 without a primary, 20
with the EC/EU as primary, 43 with an institution as target, 32 before 1949, 9 with the
primary or target outside the system, 2 with the primary not listed; 1,140 eligible. The
``multi_sender`` selection keeps 140 cases (1949-2005) with 21,079 candidates of whom
328 joined (1.56%); 2 more cases list two or more senders without a state joiner in the
system, 9 listed state senders were outside the system, 51 of the 140 cases are at the
five-sender cap (41 of them list four state joiners). Fallbacks: trade with the target
observed 17,506, earlier year 559, missing read as 0 3,014 (14%); with the primary
19,092 / 225 / 1,762 (mostly microstates and new states, whose small dyads COW leaves
unrecorded); distance recorded 20,437 (617 before the pair's first record, 25 nearest
record); democracy from Polity 294 rows, missing (median) 1,299 (microstates);
candidate covariate year = start year for 349 rows of new states; 119 EC/EU member
rows left out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.data import paths
from riskengine.data.allies import ALLIANCE_FILE
from riskengine.data.contiguity import CONTIGUITY_FILE
from riskengine.data.distance import DISTANCE_FILE
from riskengine.data.paths import DATA_CITATIONS, integer_columns, read_table
from riskengine.errors import DataError
from riskengine.models.coalition.support_cases import (
    SYSTEM_FILE,
    candidates,
    eligible_cases,
    in_system,
    read_system,
    read_ties,
    select,
)
from riskengine.models.sanctions.predictors import PREDICTOR_CITATIONS, provenance_of
from riskengine.models.sanctions.ties import TIES_FILE, listed_senders

__all__ = [
    "ALIGNMENT_NAMES",
    "BUILD_COST",
    "COVARIATE_NAMES",
    "LISTINGS",
    "SUPPORT_FILES",
    "candidate_arrays",
    "case_control_sample",
    "data_provenance",
    "fitted_covariates",
    "load_candidates",
    "outcome_known",
]

COVARIATE_NAMES: tuple[str, ...] = (
    "defence_pact_with_primary",
    "other_pledge_with_primary",
    "alliance_with_target",
    "trade_share_with_target",
    "trade_share_with_primary",
    "log_distance_to_target",
    "democracy",
    "major_power",
    "log_capability",
    "era_early_cold_war",
    "era_late_cold_war",
)
ALIGNMENT_NAMES: tuple[str, ...] = ("alignment_with_primary", "alignment_with_target")
LISTINGS = ("as_listed", "capped_unknown")
BUILD_COST = {"cpu_seconds": 1.1, "wall_seconds_idle": 1.0, "peak_memory_mb": 278}

SUPPORT_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ties": (TIES_FILE[0], ("TIES 4.1",)),
    "capabilities": (SYSTEM_FILE, ("COW NMC 7.0",)),
    "alliances": (ALLIANCE_FILE, ("ATOP 5.1",)),
    "trade": ("trade/cow_trade_ndy.csv.gz", ("COW Trade 4.0",)),
    "distance": (DISTANCE_FILE, ("CShapes 2.0",)),
    "contiguity": (CONTIGUITY_FILE, ("COW Direct Contiguity 3.2",)),
    "democracy": ("conflict/ccode_democracy.csv", ("V-Dem", "Polity5")),
}
"""Table name -> (path relative to the data folder, citation keys)."""


def _covariate_years(rows: pd.DataFrame, system: pd.DataFrame, counts: dict) -> None:
    """``covariate_year`` of the candidate and ``<partner>_year`` of its pairs, in place."""
    previous = rows["start_year"] - 1
    candidate_before = in_system(system, rows["ccode"], previous)
    rows["covariate_year"] = np.where(candidate_before, previous, rows["start_year"])
    counts["num_candidate_start_year_fallback"] = int((~candidate_before).sum())
    fallbacks = 0
    for partner in ("primary", "target"):
        both_before = candidate_before & in_system(system, rows[partner], previous)
        rows[f"{partner}_year"] = np.where(both_before, previous, rows["start_year"])
        fallbacks += int((candidate_before & ~both_before).sum())
    counts["num_pair_start_year_fallback"] = fallbacks


def _read_measure_tables(folder: Path) -> dict:
    from riskengine.data.allies import pledge_pairs
    from riskengine.data.contiguity import read_contiguity
    from riskengine.data.distance import read_distances
    from riskengine.models.coalition.support_predictors import trade_tables
    from riskengine.models.sanctions.predictors import source_tables

    kinds = ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul")
    columns = ("ccode1", "ccode2", "year", *kinds)
    alliances = integer_columns(
        read_table(folder, ALLIANCE_FILE, columns), columns, Path(ALLIANCE_FILE).name
    )
    sources = source_tables(folder)
    return {
        "defence_pairs": pledge_pairs(alliances, kinds[:1]),
        "pledge_pairs": pledge_pairs(alliances, kinds),
        "trade": trade_tables(sources.trade),
        "democracy": sources.democracy,
        "distances": read_distances(folder),
        "contiguity": read_contiguity(folder),
    }


def _alliance_columns(rows: pd.DataFrame, tables: dict) -> None:
    from riskengine.data.allies import has_pledge

    def linked(kind, partner):
        pairs = tables[kind]
        return has_pledge(pairs, rows["ccode"], rows[partner], rows[f"{partner}_year"])

    defence = linked("defence_pairs", "primary")
    rows["defence_pact_with_primary"] = defence.astype(np.float64)
    rows["other_pledge_with_primary"] = (linked("pledge_pairs", "primary") & ~defence).astype(
        np.float64
    )
    rows["alliance_with_target"] = linked("pledge_pairs", "target").astype(np.float64)


def _trade_and_distance_columns(rows: pd.DataFrame, tables: dict, counts: dict) -> None:
    from riskengine.data.distance import DISTANCE_SOURCES
    from riskengine.models.coalition.support_predictors import (
        TRADE_SOURCES,
        log_distances,
        trade_shares,
    )

    for partner in ("target", "primary"):
        value, source = trade_shares(
            tables["trade"], rows["ccode"], rows[partner], rows[f"{partner}_year"]
        )
        rows[f"trade_share_with_{partner}"] = value
        for index, name in enumerate(TRADE_SOURCES):
            counts[f"num_trade_{partner}_{name}"] = int((source == index).sum())
    value, source = log_distances(
        tables["distances"],
        tables["contiguity"],
        rows["ccode"],
        rows["target"],
        rows["target_year"],
    )
    rows["log_distance_to_target"] = value
    for index, name in enumerate(DISTANCE_SOURCES):
        counts[f"num_distance_{name}"] = int((source == index).sum())


def _state_columns(rows: pd.DataFrame, tables: dict, capabilities, counts: dict) -> None:
    from riskengine.data.major_powers import is_major_power
    from riskengine.models.coalition.support_predictors import log_capability
    from riskengine.models.sanctions.predictors import democracy_scores
    from riskengine.models.sanctions.ties import era_of_year

    score, source = democracy_scores(tables["democracy"], rows["ccode"], rows["covariate_year"])
    rows["democracy"] = np.where(np.isfinite(score), score, np.nanmedian(score))
    counts["num_democracy_polity2"] = int((source == "polity2").sum())
    counts["num_democracy_missing"] = int((source == "missing").sum())
    rows["major_power"] = is_major_power(rows["ccode"], rows["covariate_year"]).astype(float)
    rows["log_capability"], counts["num_capability_missing"] = log_capability(
        capabilities, rows["ccode"], rows["covariate_year"]
    )
    era = era_of_year(rows["start_year"].to_numpy())
    rows["era_early_cold_war"] = (era == 0).astype(np.float64)
    rows["era_late_cold_war"] = (era == 1).astype(np.float64)


def _alignment_columns(rows: pd.DataFrame, agreement, counts: dict) -> None:
    from riskengine.models.coalition.support_predictors import agreement_values

    for partner in ("primary", "target"):
        column = f"alignment_with_{partner}"
        if agreement is None:
            rows[column] = np.nan
            continue
        rows[column], fallback = agreement_values(
            agreement, rows["ccode"], rows[partner], rows[f"{partner}_year"]
        )
        counts[f"num_alignment_{partner}_median"] = int(fallback.sum())
    rows["election_in_window"] = 0.0  # no election data: the shift rests on its prior


def load_candidates(
    data_dir: str | Path | None = None,
    *,
    selection: str = "multi_sender",
    agreement: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per (case, candidate) with ``joined`` and every predictor.

    Columns: caseid, start_year, primary, target, ccode, joined (0/1), institution,
    imposition, num_listed_senders, listing_capped, community_listed, covariate_year,
    primary_year, target_year, the float64 ``COVARIATE_NAMES``, ``ALIGNMENT_NAMES``
    (NaN without ``agreement``) and ``election_in_window`` (0). ``attrs`` hold the
    counts named in the module docstring, ``selection`` and whether alignment is in.
    """
    folder = paths.data_dir(data_dir)
    ties, capabilities = read_ties(folder), read_system(folder)
    system = capabilities[["ccode", "year"]].drop_duplicates()
    cases, counts = eligible_cases(ties, system)
    rows = candidates(cases, listed_senders(ties), system, counts)
    rows = select(rows, cases, selection, counts)
    _covariate_years(rows, system, counts)
    tables = _read_measure_tables(folder)
    _alliance_columns(rows, tables)
    _trade_and_distance_columns(rows, tables, counts)
    _state_columns(rows, tables, capabilities, counts)
    _alignment_columns(rows, agreement, counts)
    rows.attrs.update(counts)
    rows.attrs.update(
        {"selection": selection, "alignment": agreement is not None, "data_dir": str(folder)}
    )
    return rows


def fitted_covariates(frame: pd.DataFrame) -> tuple[str, ...]:
    """The covariates a fit uses: ``COVARIATE_NAMES``, and ``ALIGNMENT_NAMES`` too when
    the frame was built with an agreement table (``frame.attrs["alignment"]``)."""
    return COVARIATE_NAMES + (ALIGNMENT_NAMES if frame.attrs.get("alignment") else ())


def case_control_sample(
    frame: pd.DataFrame, control_fraction: float, rng_seed: int = 20261215
) -> pd.DataFrame:
    """Every joiner and each non-joiner with probability ``control_fraction``, with the
    King-Zeng offset ``-log(control_fraction)`` (the onset model's
    :func:`riskengine.models.onset.data.case_control_sample`, on ``joined``). Only for
    ``selection="all"``: the ``multi_sender`` likelihood needs every candidate of a case."""
    from riskengine.models.onset.data import case_control_sample as onset_sample

    if frame.attrs.get("selection") == "multi_sender":
        raise DataError(
            "case_control_sample: the multi_sender selection's likelihood needs every "
            "candidate of a case; sample only a frame built with selection='all'"
        )
    renamed = frame.rename(columns={"joined": "onset"})
    renamed.attrs = dict(frame.attrs)
    sample = onset_sample(renamed, control_fraction=control_fraction, rng_seed=rng_seed)
    return sample.rename(columns={"onset": "joined"})


def outcome_known(frame: pd.DataFrame, listing: str) -> np.ndarray:
    """1.0 where the fit reads the row's outcome: every row with ``"as_listed"`` (the
    listing is the outcome); with ``"capped_unknown"``, not the unlisted candidates of
    cases at the five-sender cap (they may have joined unlisted)."""
    if listing not in LISTINGS:
        raise DataError(f"listing: got {listing!r}; allowed: {', '.join(LISTINGS)}")
    unknown = frame["listing_capped"].to_numpy(bool) & (frame["joined"].to_numpy() == 0)
    return np.where(unknown & (listing == "capped_unknown"), 0.0, 1.0).astype(np.float32)


def candidate_arrays(
    frame: pd.DataFrame, covariate_names=COVARIATE_NAMES, listing: str = "as_listed"
) -> dict:
    """The arrays the likelihood reads (numpy): ``covariates`` float32 (rows, k) in
    ``covariate_names`` order; ``joined``, ``case_index`` int32 (rows,) (cases numbered
    in caseid order); ``offset`` float32 (rows,) (the case-control offset, else 0);
    ``election`` float32 (rows,); ``known`` float32 (rows,) (:func:`outcome_known`);
    ``truncated`` float32 (cases,): 1 where the case was selected for having a joiner
    (``selection="multi_sender"``)."""
    missing = [c for c in (*covariate_names, "joined", "caseid") if c not in frame]
    if missing:
        raise DataError(
            f"candidate frame: missing column {missing[0]!r}; build it with load_candidates()"
        )
    covariates = frame[list(covariate_names)].to_numpy(dtype=np.float32)
    if not np.isfinite(covariates).all():
        bad = [n for n in covariate_names if not np.isfinite(frame[n].to_numpy(float)).all()]
        raise DataError(
            f"candidate frame: covariate {bad[0]!r} has missing values; alignment needs "
            "load_candidates(agreement=...) before it can be fitted"
        )
    codes, case_index = np.unique(frame["caseid"].to_numpy(), return_inverse=True)
    truncated = frame.attrs.get("selection", "multi_sender") == "multi_sender"
    offsets = frame["offset"] if "offset" in frame else np.zeros(len(frame))
    election = frame["election_in_window"] if "election_in_window" in frame else offsets * 0
    return {
        "covariates": covariates,
        "joined": frame["joined"].to_numpy(dtype=np.int32),
        "case_index": case_index.astype(np.int32),
        "offset": np.asarray(offsets, dtype=np.float32),
        "election": np.asarray(election, dtype=np.float32),
        "known": outcome_known(frame, listing),
        "truncated": np.full(len(codes), float(truncated), dtype=np.float32),
    }


def data_provenance(data_dir: str | Path | None = None) -> dict:
    """The files behind ``load_candidates`` with their SHA-256 and citations."""
    citations = {**DATA_CITATIONS, **PREDICTOR_CITATIONS}
    entries = [(path, (), keys) for path, keys in SUPPORT_FILES.values()]
    provenance = provenance_of(entries, data_dir, citations)
    provenance["citations"]["COW State System Membership 2016"] = DATA_CITATIONS[
        "COW State System Membership 2016"
    ]
    provenance["citations"]["European Union membership"] = (
        "European Union, 'EU member countries' (europa.eu): accession dates in "
        "riskengine/models/coalition/tables/eu_members.csv (its SOURCES.md)"
    )
    return provenance
