"""Directed dyad-years 1816-2014 with dispute onsets and the predictors known before them.

Issue 10 ("deterrence the data can identify"): a model of *who starts* a militarized
dispute against *whom*, where a target's alliances can deter a challenger. The unit is
the directed dyad-year (challenger, target, year).

Sources (under the shared data folder, see :mod:`riskengine.data.paths`; ``ONSET_FILES``):
COW NMC 7.0 ``conflict/cow_nmc.csv`` (the state system and CINC), COW MID 5.0
``conflict/cow_mid_directed_dyads.csv``, ATOP 5.1
``conflict/atop_alliance_dyad_years.csv.gz``, COW Direct Contiguity 3.2
``conflict/cow_contdir.csv``, CShapes 2.0 minimum distances ``conflict/cow_mindist.csv.gz``,
Polity / V-Dem ``conflict/ccode_democracy.csv`` and Thompson-Dreyer rivalries
``conflict/td_rivalries.csv``. Counts below are for 1816-2014 and these releases; each
is also in ``frame.attrs`` (key in brackets). The predictors are computed in
:mod:`riskengine.models.onset.predictors`; the choices are all stated here.

Rows: every ordered pair of distinct states that both have a row in ``cow_nmc.csv`` in
the year: sum over years of n(n - 1) = 1,836,690 rows [num_rows].

Outcome ``onset`` (int8) = 1 when some MID starts in the year with the challenger an
originator on side A and the target an originator on side B: rows of the directed-dyad
file with ``disponset == 1``, ``sidea1 == 1``, ``orig1 == 1`` and ``orig2 == 1``: 2,773
rows [num_event_rows] in 2,692 distinct directed dyad-years [num_events]. Several such
disputes in one directed dyad-year count once (81 rows are such repeats). Joiners (not
originators) never make an onset, and an onset row of a dyad that is not in the system
that year would be dropped [num_events_outside_system]: none is.

Timing: alliances, capabilities and democracy are read in year t - 1 (the *lag year*),
so they are known before a dispute in year t starts. A state with no NMC row in t - 1
(a new or returning state, and every state in 1816, NMC's first year) uses year t
[num_state_years_same_year: 243 state-years; num_challenger_same_year and
num_target_same_year: 22,794 dyad rows each].
Contiguity and rivalry describe year t, major-power status is COW's for year t (these
change slowly and are not chosen in response to a dispute that year), and peace years
count up to t - 1.

Predictors (float32, ``PREDICTOR_NAMES`` order):

1. ``target_defence_pact``: 1 when the target shares an ATOP defence pledge with at
   least one third state (not the challenger) in the target's lag year. ATOP pledges
   count in either direction (:mod:`riskengine.data.allies`).
2. ``target_allied_capability``: log1p(sum of those third states' CINC in the target's
   lag year / the challenger's CINC in its own lag year); 0 without such allies. An
   ally's CINC is the nearest NMC year within 5; an ally with none counts 0
   [num_defence_partner_years_without_cinc: 412 ally-years among the state-years used].
   Unbounded above: a tiny challenger facing a target with great-power allies reaches
   14.1 (mean 2.85).
3. ``challenger_offensive_pact``: 1 when the challenger shares an ATOP offence or
   neutrality pledge with a third state (not the target) in its lag year.
4. ``dyad_defence_pact``: 1 when the two share a defence pledge in the later of their
   two lag years (t - 1 when both existed then, else t).
5. ``capability_ratio``: log(challenger CINC / target CINC), each in its lag year,
   clipped to +/-6 (:mod:`riskengine.data.capabilities`); a side whose CINC is not
   positive would make it 0.0 [num_capability_missing]: NMC 7.0 has none (0 rows).
6. ``land_contiguity``, 7. ``sea_contiguity``: COW Direct Contiguity in force in year t
   (:mod:`riskengine.data.contiguity`: type 1 land; types 2-5 up to 400 miles of water,
   and only when not land).
8. ``log_distance``: log1p(minimum distance / 1000 km) in year t
   (:mod:`riskengine.data.distance`): before 1886 the pair's earliest record, gaps the
   nearest record, pairs never recorded 0 when contiguous, else the year's median over
   non-contiguous pairs [num_distance_<source> for every source in ``DISTANCE_SOURCES``:
   recorded 1,715,338; before_first_record 87,200 (81,642 rows are before 1886);
   nearest_record 2,892; contiguous_fallback 4,340; median_fallback 26,920, mostly
   pairs with a state that left the system before 1886].
9. ``joint_democracy``: 1 when both are democracies in their lag years
   (:mod:`riskengine.data.democracy`: polity2 >= 6; V-Dem v2x_polyarchy >= 0.5 where
   polity2 is missing; neither -> not a democracy) [num_rows_democracy_polyarchy:
   165,620 and num_rows_democracy_missing: 209,086 rows where at least one side used
   that rule; the missing ones are 645 state-years, mostly microstates after 1980].
10. ``rivalry``: a Thompson-Dreyer rivalry between the pair started before t and had not
    ended before t (:mod:`riskengine.data.rivalries`; the release ends in 2010 and 42
    rivalries end then, so 2011-2014 have none: a break the model must not read as
    rivalries ending).
11. ``challenger_major_power``, 12. ``target_major_power``: COW major power in year t
    (:mod:`riskengine.data.major_powers`).
13-15. ``peace_years_linear``, ``_quadratic``, ``_cubic``: s, s^2, s^3 with
    s = min(p, 100) / 100 (Carter & Signorino 2010), where p = t minus the last year
    before t with an onset of any MID between the pair (any row of the directed-dyad
    file with ``disponset == 1``, either order, any side or role), so p >= 1; for a pair
    with none, p = t minus the later of the two states' first NMC years (0 in the first
    year they coexist) [num_rows_without_earlier_onset: 1,727,768].
16-18. ``era_before_1914``, ``era_world_wars``, ``era_cold_war``: t in 1816-1913,
    1914-1945, 1946-1989; 1990 on is the reference (all 0), as in the escalation model.

Descriptive rates (events per 1,000 dyad-years): overall 1.47; 1816-1913 3.23,
1914-1945 3.67, 1946-1989 1.49, 1990-2014 0.91; land-contiguous 29.3 against 0.72;
target with a third-party defence pact 1.37 against 1.62.

:func:`case_control_sample` keeps every event and each non-event with probability f,
and adds ``offset`` = -log(f) to every kept row: with cases kept with probability 1,
logit P(onset | x, kept) = logit P(onset | x) - log f, so a logistic model fitted to
the sample with that offset estimates the population intercept (King & Zeng 2001's
prior correction, written as an offset).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.data import paths
from riskengine.data.allies import ALLIANCE_FILE, pledge_pairs
from riskengine.data.contiguity import CONTIGUITY_FILE, read_contiguity
from riskengine.data.democracy import DEMOCRACY_FILE, read_democracy
from riskengine.data.distance import DISTANCE_FILE, read_distances
from riskengine.data.paths import (
    files_provenance,
    integer_columns,
    read_table,
)
from riskengine.data.rivalries import RIVALRY_FILE, read_rivalries
from riskengine.errors import DataError, UsageError
from riskengine.models.onset import predictors
from riskengine.models.onset.core import COVARIATE_NAMES
from riskengine.models.onset.predictors import PEACE_YEARS_CAP

__all__ = [
    "ONSET_FILES",
    "PEACE_YEARS_CAP",
    "PREDICTOR_NAMES",
    "case_control_sample",
    "data_provenance",
    "load_dyad_years",
    "onset_arrays",
]

PREDICTOR_NAMES: tuple[str, ...] = COVARIATE_NAMES
"""The model's covariates (:data:`riskengine.models.onset.core.COVARIATE_NAMES`), built here."""

MID_FILE = "conflict/cow_mid_directed_dyads.csv"
NMC_FILE = "conflict/cow_nmc.csv"
ONSET_FILES: dict[str, tuple[str, str]] = {
    "capabilities": (NMC_FILE, "COW NMC 7.0"),
    "dyads": (MID_FILE, "COW MID 5.0"),
    "alliances": (ALLIANCE_FILE, "ATOP 5.1"),
    "contiguity": (CONTIGUITY_FILE, "COW Direct Contiguity 3.2"),
    "distance": (DISTANCE_FILE, "CShapes 2.0"),
    "democracy": (DEMOCRACY_FILE, "Polity5"),
    "rivalries": (RIVALRY_FILE, "Thompson-Dreyer rivalries"),
}
"""Table name -> (path relative to the data folder, citation key in ``DATA_CITATIONS``)."""

_MID_COLUMNS = ("ccode1", "ccode2", "year", "disponset", "sidea1", "orig1", "orig2")
_ALLIANCE_COLUMNS = ("ccode1", "ccode2", "year", "atop_defense", "atop_offense", "atop_neutral")


def _read_mid(folder: Path) -> pd.DataFrame:
    table = read_table(folder, MID_FILE, _MID_COLUMNS)
    table = integer_columns(table, _MID_COLUMNS, Path(MID_FILE).name)
    for column in _MID_COLUMNS[3:]:
        if not table[column].isin([0, 1]).all():
            bad = table.loc[~table[column].isin([0, 1]), column].iloc[0]
            raise DataError(f"{Path(MID_FILE).name}: column {column!r} must be 0 or 1, got {bad}")
    return table


def _read_capabilities(folder: Path) -> pd.DataFrame:
    table = read_table(folder, NMC_FILE, ("ccode", "year", "cinc"))
    table = integer_columns(table, ("ccode", "year"), Path(NMC_FILE).name)
    if table.duplicated(["ccode", "year"]).any():
        row = table.loc[table.duplicated(["ccode", "year"])].iloc[0].to_dict()
        raise DataError(f"{Path(NMC_FILE).name}: more than one row for a state-year, e.g. {row}")
    return table


def _read_alliances(folder: Path) -> pd.DataFrame:
    table = read_table(folder, ALLIANCE_FILE, _ALLIANCE_COLUMNS)
    return integer_columns(table, _ALLIANCE_COLUMNS, Path(ALLIANCE_FILE).name)


def _check_years(first_year: int, last_year: int) -> None:
    if not 1816 <= first_year <= last_year <= 2014:
        raise UsageError(
            f"years must satisfy 1816 <= first_year <= last_year <= 2014 (the MID 5.0 "
            f"span); got first_year={first_year}, last_year={last_year}"
        )


def _onsets(mid: pd.DataFrame, frame: pd.DataFrame, counts: dict) -> np.ndarray:
    """The outcome: 1 where the directed dyad-year has an originator-vs-originator onset."""
    is_event = (
        (mid["disponset"] == 1) & (mid["sidea1"] == 1) & (mid["orig1"] == 1) & (mid["orig2"] == 1)
    )
    in_span = mid["year"].between(frame["year"].min(), frame["year"].max())
    events = mid.loc[is_event & in_span, ["ccode1", "ccode2", "year"]]
    counts["num_event_rows"] = len(events)
    events = events.drop_duplicates()
    counts["num_events"] = len(events)
    event_keys = _directed_key(events["ccode1"], events["ccode2"], events["year"])
    row_keys = _directed_key(frame["challenger"], frame["target"], frame["year"])
    onset = np.isin(row_keys, event_keys)
    counts["num_events_outside_system"] = int(len(events) - onset.sum())
    return onset.astype(np.int8)


def _directed_key(ccode1, ccode2, years) -> np.ndarray:
    """One int64 per directed dyad-year."""
    first = np.asarray(ccode1, dtype=np.int64)
    second = np.asarray(ccode2, dtype=np.int64)
    return (first * 1000 + second) * 10000 + np.asarray(years, dtype=np.int64)


def _read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Read and check every source table; ATOP is reduced to its linked pairs."""
    alliances = _read_alliances(folder)
    return {
        "capabilities": _read_capabilities(folder),
        "mid": _read_mid(folder),
        "defence_pairs": pledge_pairs(alliances, ("atop_defense",)),
        "offensive_pairs": pledge_pairs(alliances, ("atop_offense", "atop_neutral")),
        "contiguity": read_contiguity(folder),
        "distances": read_distances(folder),
        "democracy": read_democracy(folder),
        "rivalries": read_rivalries(folder),
    }


def load_dyad_years(
    data_dir: str | Path | None = None, *, first_year: int = 1816, last_year: int = 2014
) -> pd.DataFrame:
    """Return one row per directed dyad-year with ``onset`` and the predictors.

    Columns: challenger, target, year (int16 COW codes and year), onset (int8) and the
    float32 predictors in ``PREDICTOR_NAMES`` order. ``frame.attrs`` holds the counts of
    events and of every fallback (keys in the module docstring) and ``data_dir``.
    """
    _check_years(first_year, last_year)
    folder = paths.data_dir(data_dir)
    tables = _read_tables(folder)
    states = predictors.state_years(tables, first_year, last_year)
    challenger, target = predictors.directed_dyads(states)
    frame = pd.DataFrame(
        {
            "challenger": states["ccode"].to_numpy(dtype=np.int16)[challenger],
            "target": states["ccode"].to_numpy(dtype=np.int16)[target],
            "year": states["year"].to_numpy(dtype=np.int16)[challenger],
        }
    )
    counts = {"num_rows": len(frame)}
    frame["onset"] = _onsets(tables["mid"], frame, counts)
    columns = {
        **predictors.alliance_predictors(tables, states, challenger, target, counts),
        **predictors.geography_predictors(tables, frame, counts),
        **predictors.political_predictors(tables, states, frame, challenger, target, counts),
        **predictors.time_predictors(tables, states, frame, challenger, target, counts),
    }
    for name in PREDICTOR_NAMES:
        frame[name] = np.asarray(columns[name], dtype=np.float32)
    frame.attrs.update(counts)
    frame.attrs["data_dir"] = str(folder)
    return frame


def case_control_sample(
    frame: pd.DataFrame, *, control_fraction: float, rng_seed: int
) -> pd.DataFrame:
    """Keep every event and each non-event with probability ``control_fraction``.

    The kept rows get ``offset`` = -log(control_fraction) (float32): added to the linear
    predictor of the population logistic model, it gives the kept rows' event
    probability (see the module docstring). ``attrs`` gains ``control_fraction``,
    ``rng_seed``, ``num_cases`` and ``num_controls``. The draw uses
    ``numpy.random.default_rng(rng_seed)``: one uniform per row, in row order.
    """
    if not 0.0 < control_fraction <= 1.0:
        raise UsageError(f"control_fraction must be in (0, 1], got {control_fraction}")
    if "onset" not in frame.columns:
        raise DataError(
            "case_control_sample: the frame has no 'onset' column; use load_dyad_years()"
        )
    uniforms = np.random.default_rng(rng_seed).random(len(frame))
    cases = frame["onset"].to_numpy() == 1
    keep = cases | (uniforms < control_fraction)
    sample = frame.loc[keep].reset_index(drop=True)
    sample["offset"] = np.float32(-np.log(control_fraction))
    sample.attrs = {
        **frame.attrs,
        "control_fraction": float(control_fraction),
        "rng_seed": int(rng_seed),
        "num_cases": int(cases.sum()),
        "num_controls": int((keep & ~cases).sum()),
    }
    return sample


def onset_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return ``covariates`` float32 (n, 18) in ``PREDICTOR_NAMES`` order, ``onset`` and
    ``year`` int32 (n,), ``offset`` float32 (n,) (zeros when the frame has none)."""
    missing = [name for name in (*PREDICTOR_NAMES, "onset", "year") if name not in frame.columns]
    if missing:
        raise DataError(
            f"onset frame: missing column {missing[0]!r}; build it with load_dyad_years()"
        )
    if "offset" in frame.columns:
        offset = frame["offset"].to_numpy(dtype=np.float32)
    else:
        offset = np.zeros(len(frame), dtype=np.float32)
    return {
        "covariates": frame[list(PREDICTOR_NAMES)].to_numpy(dtype=np.float32),
        "onset": frame["onset"].to_numpy(dtype=np.int32),
        "offset": offset,
        "year": frame["year"].to_numpy(dtype=np.int32),
    }


def data_provenance(data_dir: str | Path | None = None) -> dict:
    """Return the files behind ``load_dyad_years`` with their SHA-256 and citations
    (:func:`riskengine.data.paths.files_provenance`)."""
    extra = ["V-Dem", "COW State System Membership 2016"]
    return files_provenance(data_dir, list(ONSET_FILES.values()), extra)
