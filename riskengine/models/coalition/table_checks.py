"""Reading and checking the institution tables (``tables/``); used by ``institutions``.

Every problem is one line naming the file, the row (data row and file line) or entry,
the field, the value received and what is allowed, e.g.
``nato_members.csv, row 31 (line 32), field accession_date: got '2023-04-31'; allowed:
an ISO date YYYY-MM-DD``. The readers return problems instead of raising, so that one
error can list every problem of every table.
"""

from __future__ import annotations

import datetime
import math
import re
import types
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import yaml

from riskengine.errors import UsageError

__all__ = [
    "KIND_PARAMETERS",
    "MEMBER_TABLES",
    "OPTIONAL_PARAMETERS",
    "RULE_KINDS",
    "RuleEntry",
    "check_parameters",
    "complete_years",
    "read_member_table",
    "read_rules",
]

MEMBER_TABLES = ("nato", "eu", "unsc")
"""Member table names; the files are ``<name>_members.csv``."""
RULE_KINDS = (
    "veto_majority",
    "consensus",
    "unanimity_constructive_abstention",
    "qualified_majority",
    "threshold",
)
KIND_PARAMETERS = {
    "veto_majority": ("veto_holders", "minimum_yes"),
    "consensus": (),
    "unanimity_constructive_abstention": (
        "abstention_limit_members_share",
        "abstention_limit_population_share",
    ),
    "qualified_majority": (
        "minimum_yes_share",
        "minimum_yes_population_share",
        "minimum_blocking_members",
    ),
    "threshold": ("support_threshold", "minimum_members"),
}
"""Rule kind -> its required parameters."""
OPTIONAL_PARAMETERS = {"qualified_majority": ("minimum_yes",)}
"""Rule kind -> parameters it may add (the Union's "at least fifteen members")."""

PERMANENT_SEATS = 5
ELECTED_SEATS = 10
_ENTRY_KEYS = ("rule", "members", "source")


class RuleEntry(NamedTuple):
    """One entry of ``rules.yaml``, checked."""

    institution: str
    kind: str  # one of RULE_KINDS
    member_table: str  # one of MEMBER_TABLES
    source: str
    parameters: types.MappingProxyType  # name -> value; shares as Fraction


def _iso_date(text: str) -> datetime.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return datetime.date.fromisoformat(text)


def _optional(convert):
    return lambda text: None if text == "" else convert(text)


def _ranged_int(low: int, high: int):
    def convert(text: str) -> int:
        if not re.fullmatch(r"\d+", text) or not low <= int(text) <= high:
            raise ValueError(text)
        return int(text)

    return convert


def _positive_number(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(text)
    return value


def _text(text: str) -> str:
    if not text:
        raise ValueError(text)
    return text


def _seat(text: str) -> str:
    if text not in ("permanent", "elected"):
        raise ValueError(text)
    return text


_CCODE = (_ranged_int(2, 999), "a Correlates of War country code, an integer 2-999")
_NAME = (_text, "a country name (not empty)")
_DATE = (_iso_date, "an ISO date YYYY-MM-DD")
_NOTE = (str, "any text")
_YEAR = (_ranged_int(1945, 2100), "a year 1945-2100")
COLUMNS = {
    "nato": {"ccode": _CCODE, "name": _NAME, "accession_date": _DATE, "note": _NOTE},
    "eu": {
        "ccode": _CCODE,
        "name": _NAME,
        "accession_date": _DATE,
        "member_until": (_optional(_iso_date), "an ISO date YYYY-MM-DD, or empty (a member)"),
        "population_2024_thousands": (
            _optional(_positive_number),
            "a positive number (thousands of persons), or empty for a former member",
        ),
        "note": _NOTE,
    },
    "unsc": {
        "ccode": _CCODE,
        "name": _NAME,
        "seat": (_seat, "permanent or elected"),
        "from_year": _YEAR,
        "to_year": (_optional(_YEAR[0]), "a year 1945-2100, or empty (still holds the seat)"),
        "note": _NOTE,
    },
}
"""Member table -> column -> (converter of the cell's text, what is allowed)."""


def _where(file: str, index: int, column: str) -> str:
    return f"{file}, row {index + 1} (line {index + 2}), field {column}"


def read_member_table(directory: Path, name: str) -> tuple[pd.DataFrame | None, list[str]]:
    """The rows of ``<name>_members.csv`` converted (dates, integers), and its problems."""
    path = Path(directory) / f"{name}_members.csv"
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as error:
        return None, [f"{path.name}: cannot be read as CSV from {path.parent}: {error}"]
    columns = COLUMNS[name]
    if list(raw.columns) != list(columns):
        got = ", ".join(raw.columns)
        return None, [f"{path.name}: columns {got}; allowed: exactly {', '.join(columns)}"]
    rows, problems = [], []
    for index, record in enumerate(raw.to_dict("records")):
        row = {}
        for column, (convert, allowed) in columns.items():
            text = record[column].strip()
            try:
                row[column] = convert(text)
            except ValueError:
                problems.append(
                    f"{_where(path.name, index, column)}: got {text!r}; allowed: {allowed}"
                )
        rows.append(row)
    if problems:
        return None, problems
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame, _TABLE_CHECKS[name](frame, path.name)


def _unique_codes(frame: pd.DataFrame, file: str) -> list[str]:
    repeated = frame["ccode"].duplicated()
    return [
        f"{_where(file, index, 'ccode')}: got {frame['ccode'][index]} again; allowed: each "
        "country once"
        for index in frame.index[repeated]
    ]


def _eu_problems(frame: pd.DataFrame, file: str) -> list[str]:
    problems = _unique_codes(frame, file)
    for index, row in frame.iterrows():
        if row["member_until"] is not None and row["member_until"] < row["accession_date"]:
            problems.append(
                f"{_where(file, index, 'member_until')}: got {row['member_until']}; allowed: a "
                f"date on or after the accession date {row['accession_date']}"
            )
        if row["member_until"] is None and pd.isna(row["population_2024_thousands"]):
            problems.append(
                f"{_where(file, index, 'population_2024_thousands')}: got ''; allowed: a "
                "positive number (thousands of persons) for a current member"
            )
    return problems


def _unsc_problems(frame: pd.DataFrame, file: str) -> list[str]:
    last_year = int(max(frame["from_year"].max(), frame["to_year"].max()))
    ends = frame["to_year"].fillna(last_year).astype(int)
    open_elected = (frame["seat"] == "elected") & frame["to_year"].isna()
    problems = [
        f"{_where(file, index, 'to_year')}: got ''; allowed: the last year of an elected "
        "member's term"
        for index in frame.index[open_elected]
    ]
    problems += [
        f"{_where(file, index, 'to_year')}: got {int(ends[index])}; allowed: a year on or "
        f"after from_year {frame['from_year'][index]}"
        for index in frame.index[ends < frame["from_year"]]
    ]
    if problems:
        return problems
    for year in range(frame["from_year"].min(), ends.max() + 1):
        seated = frame[(frame["from_year"] <= year) & (year <= ends)]
        problems += _year_problems(seated, year, file)
    return problems


def _year_problems(seated: pd.DataFrame, year: int, file: str) -> list[str]:
    def rows(mask) -> str:
        return ", ".join(str(index + 1) for index in seated.index[mask])

    problems = []
    permanent = seated["seat"] == "permanent"
    if permanent.sum() != PERMANENT_SEATS:
        problems.append(
            f"{file}, rows {rows(permanent)}, field seat: got {permanent.sum()} permanent "
            f"members in {year}; allowed: exactly {PERMANENT_SEATS}"
        )
    if (~permanent).sum() > ELECTED_SEATS:
        problems.append(
            f"{file}, rows {rows(~permanent)}, field seat: got {(~permanent).sum()} elected "
            f"members in {year}; allowed: at most {ELECTED_SEATS}"
        )
    repeated = seated["ccode"].duplicated(keep=False)
    if repeated.any():
        problems.append(
            f"{file}, rows {rows(repeated)}, field ccode: got a country twice in {year}; "
            "allowed: one seat per country and year"
        )
    return problems


_TABLE_CHECKS = {"nato": _unique_codes, "eu": _eu_problems, "unsc": _unsc_problems}


def complete_years(frame: pd.DataFrame) -> tuple[int, ...]:
    """Years in which the Council table lists all ten elected members."""
    elected = frame[frame["seat"] == "elected"]
    ends = elected["to_year"].fillna(elected["from_year"]).astype(int)
    years = [
        year
        for year in range(int(elected["from_year"].min()), int(ends.max()) + 1)
        if ((elected["from_year"] <= year) & (year <= ends)).sum() == ELECTED_SEATS
    ]
    return tuple(years)


def read_rules(path: Path) -> tuple[dict[str, RuleEntry], list[str]]:
    """The entries of ``rules.yaml`` and their problems."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        return {}, [f"{Path(path).name}: cannot be read as YAML: {error}"]
    if not isinstance(document, dict) or not document:
        return {}, [f"{Path(path).name}: got {document!r}; allowed: a mapping institution -> rule"]
    entries, problems = {}, []
    for institution, entry in document.items():
        where = f"{Path(path).name}, entry {institution}"
        entry_problems = _entry_problems(entry, where)
        if entry_problems:
            problems += entry_problems
            continue
        parameters = {key: value for key, value in entry.items() if key not in _ENTRY_KEYS}
        if "veto_holders" in parameters:  # named by seat here, checked by _veto_problems
            parameters["veto_holders"] = ()
        converted, parameter_problems = _parameter_problems(entry["rule"], parameters, where)
        problems += parameter_problems + _veto_problems(entry, where)
        if "veto_holders" in converted:
            converted["veto_holders"] = entry["veto_holders"]
        entries[str(institution)] = RuleEntry(
            str(institution),
            entry["rule"],
            entry["members"],
            entry["source"].strip(),
            types.MappingProxyType(converted),
        )
    return entries, problems


def _entry_problems(entry, where: str) -> list[str]:
    if not isinstance(entry, dict):
        return [f"{where}: got {entry!r}; allowed: a mapping with {', '.join(_ENTRY_KEYS)}"]
    allowed = {
        "rule": (RULE_KINDS, f"one of {', '.join(RULE_KINDS)}"),
        "members": (MEMBER_TABLES, f"one of {', '.join(MEMBER_TABLES)}"),
    }
    problems = [
        f"{where}, field {key}: got {entry.get(key)!r}; allowed: {text}"
        for key, (values, text) in allowed.items()
        if entry.get(key) not in values
    ]
    source = entry.get("source")
    if not (isinstance(source, str) and source.strip()):
        problems.append(f"{where}, field source: got {source!r}; allowed: the rule's source (text)")
    return problems


def _veto_problems(entry: dict, where: str) -> list[str]:
    """In the YAML, veto holders are named by seat: only the Council's permanent members."""
    if "veto_holders" not in entry or (
        entry["veto_holders"] == "permanent" and entry["members"] == "unsc"
    ):
        return []
    return [
        f"{where}, field veto_holders: got {entry['veto_holders']!r} (members "
        f"{entry['members']}); allowed: 'permanent' with members unsc"
    ]


def _count(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(value)
    return value


def _share(value) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Fraction):
        raise ValueError(value)
    share = Fraction(str(value).strip()) if not isinstance(value, Fraction) else value
    if not 0 <= share <= 1:
        raise ValueError(value)
    return share


def _number(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(value)
    return float(value)


def _codes(value) -> tuple[int, ...]:
    if isinstance(value, str):
        raise ValueError(value)
    return tuple(_count(int(code)) for code in value)


_COUNT = (_count, "a non-negative integer")
_SHARE = (_share, "a fraction from 0 to 1, e.g. 0.55 or '1/3'")
PARAMETER_VALUES = {
    "veto_holders": (_codes, "the COW codes of the veto holders"),
    "minimum_yes": _COUNT,
    "minimum_members": _COUNT,
    "minimum_blocking_members": _COUNT,
    "minimum_yes_share": _SHARE,
    "minimum_yes_population_share": _SHARE,
    "abstention_limit_members_share": _SHARE,
    "abstention_limit_population_share": _SHARE,
    "support_threshold": (_number, "a number (a member joins when its support exceeds it)"),
}
"""Parameter name -> (converter, what is allowed)."""


def _parameter_problems(kind: str, parameters: dict, where: str) -> tuple[dict, list[str]]:
    required = KIND_PARAMETERS[kind]
    allowed = (*required, *OPTIONAL_PARAMETERS.get(kind, ()))
    problems = [
        f"{where}, field {key}: not a parameter of a {kind} rule; allowed: "
        f"{', '.join(allowed) or 'none'}"
        for key in parameters
        if key not in allowed
    ]
    problems += [
        f"{where}, field {key}: missing; a {kind} rule needs {', '.join(required)}"
        for key in required
        if key not in parameters
    ]
    converted = {}
    for key, value in parameters.items():
        if key not in allowed:
            continue
        convert, text = PARAMETER_VALUES[key]
        try:
            converted[key] = convert(value)
        except (ValueError, TypeError, ZeroDivisionError):
            problems.append(f"{where}, field {key}: got {value!r}; allowed: {text}")
    return converted, problems


def check_parameters(kind: str, parameters: dict) -> dict:
    """The parameters of a ``kind`` rule, converted; one ``UsageError`` lists the problems."""
    if kind not in RULE_KINDS:
        raise UsageError(f"rule kind {kind!r}; allowed: {', '.join(RULE_KINDS)}")
    converted, problems = _parameter_problems(kind, parameters, f"a {kind} rule")
    if problems:
        raise UsageError("\n".join(problems))
    return converted
