"""Institutions as data: members with dates, and decision rules, read from ``tables/``.

The shipped tables (sources in ``tables/SOURCES.md``): ``nato_members.csv`` (the 32 allies
and their accession dates), ``eu_members.csv`` (the 27 members and the United Kingdom,
accession and withdrawal dates, Eurostat population on 1 January 2024 in thousands),
``unsc_members.csv`` (the permanent members since 1946 and the elected members of the
years the table covers, 2022-2026 complete) and ``rules.yaml`` (one decision rule per
institution). Countries are Correlates of War codes (``ccode``).

``members(institution, date)`` gives the members on a date, ordered by ccode; ``rule``
gives a :class:`Rule` whose thresholds are exact integers (counts, persons) and whose
arrays are aligned with that order, ready for :mod:`riskengine.models.coalition.rules`
(JAX) and :mod:`riskengine.models.coalition.exact` (numpy). Every table is checked when
read; a bad table raises one ``DataError`` naming the file, row, field, value and what is
allowed. numpy, pandas and YAML only: no JAX here.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from riskengine.errors import DataError, UsageError
from riskengine.models.coalition.table_checks import (
    KIND_PARAMETERS,
    MEMBER_TABLES,
    RULE_KINDS,
    RuleEntry,
    check_parameters,
    complete_years,
    read_member_table,
    read_rules,
)

__all__ = [
    "KIND_PARAMETERS",
    "MEMBER_TABLES",
    "RULE_KINDS",
    "TABLES_DIR",
    "Rule",
    "RuleEntry",
    "Tables",
    "load_tables",
    "make_rule",
    "members",
    "rule",
    "shipped_tables",
]

TABLES_DIR = Path(__file__).resolve().with_name("tables")
_POPULATION_KINDS = ("unanimity_constructive_abstention", "qualified_majority")
_ALL_VETO_KINDS = ("consensus", "unanimity_constructive_abstention")


@dataclass(frozen=True, eq=False)
class Rule:
    """A decision rule for a fixed member list; arrays are read-only, aligned with ``members``.

    A decision passes when all of: at least ``minimum_yes`` members vote yes; the yes
    side's population reaches ``minimum_yes_population`` unless fewer than
    ``minimum_blocking_members`` members do not vote yes; no member with ``veto`` votes
    no; and not (at least ``abstention_limit_members`` members abstain and they hold at
    least ``abstention_limit_population``). Inactive criteria hold 0 or, for the
    abstention limit, ``num_members + 1``.
    """

    institution: str
    kind: str  # one of RULE_KINDS
    members: tuple[int, ...]  # COW codes, in member order
    veto: np.ndarray  # (num_members,) bool: a "no" from this member blocks on its own
    population: np.ndarray  # (num_members,) int64 persons; 1 each where population is unused
    minimum_yes: int  # members voting yes
    minimum_yes_population: int  # persons voting yes (0: no population criterion)
    minimum_blocking_members: int  # a population shortfall blocks only with this many not-yes
    abstention_limit_members: int  # with the next: abstainers at or above both -> fails
    abstention_limit_population: int
    support_threshold: float  # threshold rule: a member joins above it (nan otherwise)
    source: str

    @property
    def num_members(self) -> int:
        return len(self.members)


class Tables(NamedTuple):
    """The checked tables of one directory."""

    directory: Path
    frames: dict[str, pd.DataFrame]  # member table name -> rows, in file order
    rules: dict[str, RuleEntry]  # institution -> its rule entry
    unsc_years: tuple[int, ...]  # years with all ten elected Council members listed


def load_tables(directory: str | Path = TABLES_DIR) -> Tables:
    """Read and check every table of ``directory``; one ``DataError`` lists all problems."""
    directory = Path(directory)
    frames, problems = {}, []
    for name in MEMBER_TABLES:
        frame, table_problems = read_member_table(directory, name)
        frames[name], problems = frame, problems + table_problems
    entries, rule_problems = read_rules(directory / "rules.yaml")
    if problems or rule_problems:
        raise DataError("\n".join(problems + rule_problems))
    return Tables(directory, frames, entries, complete_years(frames["unsc"]))


@functools.cache
def shipped_tables() -> Tables:
    """The tables shipped with riskengine (read once)."""
    return load_tables(TABLES_DIR)


def members(institution: str, date, *, tables: Tables | None = None) -> tuple[int, ...]:
    """COW codes of the members of ``institution`` on ``date``, in ascending order.

    ``institution``: a member table (``nato``, ``eu``, ``unsc``) or an entry of
    ``rules.yaml`` (``security_council``, ``eu_qualified_majority``, ...). ``date``: a
    ``datetime.date`` or an ISO string; the Security Council's membership is by year.
    """
    tables = tables or shipped_tables()
    name = _member_table(institution, tables)
    frame, day = tables.frames[name], _as_date(date)
    if name == "unsc":
        current = _council_rows(frame, day.year, tables.unsc_years)
    else:
        current = frame["accession_date"] <= day
        if "member_until" in frame:
            current &= frame["member_until"].isna() | (day <= frame["member_until"])
    return tuple(sorted(int(code) for code in frame.loc[current, "ccode"]))


def rule(
    institution: str, date, *, candidates: Sequence[int] | None = None, tables: Tables | None = None
) -> Rule:
    """The decision rule of ``institution`` (an entry of ``rules.yaml``) on ``date``.

    ``candidates``: for the ``threshold`` rule only, the COW codes that may join
    (default: the members of the entry's member table on ``date``).
    """
    tables = tables or shipped_tables()
    entry = _entry(institution, tables)
    if candidates is not None and entry.kind != "threshold":
        raise UsageError(
            f"candidates given for {institution!r}, a {entry.kind} rule; allowed: candidates "
            "only for a threshold rule (coalition_of_the_willing)"
        )
    codes = members(entry.member_table, date, tables=tables) if candidates is None else candidates
    parameters = dict(entry.parameters)
    if entry.kind == "veto_majority":
        council = tables.frames["unsc"]
        permanent = set(council.loc[council["seat"] == "permanent", "ccode"])
        parameters["veto_holders"] = tuple(code for code in codes if code in permanent)
    population = None
    if entry.kind in _POPULATION_KINDS:
        population = _population(tables.frames[entry.member_table], codes, _as_date(date))
    return make_rule(
        entry.kind,
        codes,
        population=population,
        institution=institution,
        source=entry.source,
        **parameters,
    )


def make_rule(
    kind: str,
    members: Sequence[int],
    *,
    population: Sequence[int] | None = None,
    institution: str = "custom",
    source: str = "",
    **parameters,
) -> Rule:
    """A :class:`Rule` from a kind, its parameters (``KIND_PARAMETERS``) and members.

    Shares are fractions of the members or of the population (``Fraction``, float or
    ``"1/3"``), turned into exact integer thresholds by rounding up. ``population``
    (positive integers, e.g. persons) is required by the two population-weighted kinds.
    ``veto_holders`` (``veto_majority``): the COW codes whose "no" blocks.
    """
    members = tuple(int(code) for code in members)
    parameters = check_parameters(kind, parameters)
    population = _population_array(kind, population, len(members))
    veto = _veto(kind, members, parameters.get("veto_holders", ()))
    return Rule(
        institution=institution,
        kind=kind,
        members=members,
        veto=veto,
        population=population,
        support_threshold=float(parameters.get("support_threshold", math.nan)),
        source=source,
        **_thresholds(parameters, len(members), int(population.sum())),
    )


def _thresholds(parameters: dict, num_members: int, total_population: int) -> dict[str, int]:
    """Integer thresholds: counts and persons, shares rounded up (exact fractions)."""
    share = parameters.get("minimum_yes_share", Fraction(0))
    minimum_yes = parameters.get("minimum_yes", parameters.get("minimum_members", 0))
    limit_members = parameters.get("abstention_limit_members_share")
    limit_population = parameters.get("abstention_limit_population_share")
    return {
        "minimum_yes": max(minimum_yes, math.ceil(share * num_members)),
        "minimum_yes_population": math.ceil(
            parameters.get("minimum_yes_population_share", 0) * total_population
        ),
        "minimum_blocking_members": parameters.get("minimum_blocking_members", 0),
        "abstention_limit_members": (
            num_members + 1 if limit_members is None else math.ceil(limit_members * num_members)
        ),
        "abstention_limit_population": (
            0 if limit_population is None else math.ceil(limit_population * total_population)
        ),
    }


def _veto(kind: str, members: tuple[int, ...], veto_holders) -> np.ndarray:
    unknown = sorted(set(veto_holders) - set(members))
    if unknown:
        raise UsageError(f"veto_holders {unknown} are not members; allowed: codes of {members}")
    veto = np.array([kind in _ALL_VETO_KINDS or code in veto_holders for code in members], bool)
    veto.setflags(write=False)
    return veto


def _population_array(kind: str, population, num_members: int) -> np.ndarray:
    if population is None:
        if kind in _POPULATION_KINDS:
            raise UsageError(
                f"a {kind} rule needs population; allowed: one positive integer per member"
            )
        population = np.ones(num_members, np.int64)
    array = np.asarray(population)
    if (
        array.shape != (num_members,)
        or not np.issubdtype(array.dtype, np.integer)
        or (array <= 0).any()
    ):
        raise UsageError(
            f"population {population!r}; allowed: {num_members} positive integers, one per member"
        )
    array = array.astype(np.int64)
    array.setflags(write=False)
    return array


def _entry(institution: str, tables: Tables) -> RuleEntry:
    if institution not in tables.rules:
        raise UsageError(f"unknown institution {institution!r}; allowed: {', '.join(tables.rules)}")
    return tables.rules[institution]


def _member_table(institution: str, tables: Tables) -> str:
    if institution in MEMBER_TABLES:
        return institution
    if institution in tables.rules:
        return tables.rules[institution].member_table
    allowed = ", ".join([*MEMBER_TABLES, *tables.rules])
    raise UsageError(f"unknown institution {institution!r}; allowed: {allowed}")


def _council_rows(frame: pd.DataFrame, year: int, complete_years: tuple[int, ...]) -> pd.Series:
    if year not in complete_years:
        covered = f"{complete_years[0]}-{complete_years[-1]}" if complete_years else "no year"
        raise DataError(
            f"unsc_members.csv lists all ten elected Security Council members for {covered} "
            f"only; got a date in {year}. Add that year's elected members to the table."
        )
    ends = frame["to_year"].fillna(year)
    return (frame["from_year"] <= year) & (year <= ends)


def _population(frame: pd.DataFrame, codes, day: datetime.date) -> np.ndarray:
    """Persons per member (the table holds thousands with one decimal)."""
    thousands = frame.set_index("ccode")["population_2024_thousands"]
    missing = [code for code in codes if code not in thousands or pd.isna(thousands[code])]
    if missing:
        raise DataError(
            f"eu_members.csv has no population_2024_thousands for {missing} (members on "
            f"{day}); allowed: a population-weighted rule only on dates when every member "
            "has a population in the table"
        )
    return np.array([round(float(thousands[code]) * 1000) for code in codes], np.int64)


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise UsageError(f"date {value!r}; allowed: a datetime.date or an ISO date 'YYYY-MM-DD'")
