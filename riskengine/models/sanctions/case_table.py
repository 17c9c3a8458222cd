"""A researcher's own sanctions case table, read through a YAML columns map.

The map names the researcher's column for each canonical field and, where their value
codes differ from the canonical names, which codes mean what::

    columns:                      # canonical field: the column in the CSV
      caseid: case                # optional (default: the row number)
      imposed_year: year
      duration_months: months
      outcome: result
      sender_count: log_senders   # the seven predictors, already computed
      ...
      issue: issue1
      target_cost: tcost          # optional, like sender_cost, imposed_month,
                                  # end_year, end_month
    outcome_codes: {acquiescence: [6, 7], negotiated_settlement: [10],
                    failure: [1, 2, 3, 4, 5, 8, 9]}
    issue_codes: {security: [2, 5, 6, 9, 10], ...}
    cost_codes: {minor: [1], major: [2], severe: [3], missing: [-9]}

Without a ``*_codes`` entry the column must hold the canonical names (``OUTCOME_NAMES``,
``ISSUE_NAMES``, ``COST_NAMES``); an empty cost cell is always missing (-1). Predictors
are taken as given and checked against their ranges: ``sender_count`` in
[0, log(MAX_SENDERS)]; ``trade_dependence`` and ``target_democracy`` in [0, 1]; the four
indicators 0 or 1, and never both ``total_embargo`` and ``trade_restriction`` (total
wins). Derived columns: ``success_broad`` / ``success_strict`` from the outcome, ``era``
from ``imposed_year``, ``multilateral`` when ``exp(sender_count) >= 1.5`` (two senders
or more) or ``institutional_sender`` is 1. Optional dates left out are -1.

Every problem is one line naming the file, the map key or row ("row" counts the header
as row 1, as a spreadsheet does), the value received and what is allowed; all problems
are collected and raised as one ``DataError`` (its ``problems`` attribute lists them).
:func:`write_case_table` writes a :func:`~riskengine.models.sanctions.data.load_cases`
frame so that reading it back with the shipped ``ties_columns.yaml`` gives it exactly.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.errors import DataError
from riskengine.models.sanctions.coding import (
    COST_NAMES,
    COVARIATE_NAMES,
    ISSUE_NAMES,
    MAX_SENDERS,
    OUTCOME_NAMES,
)
from riskengine.models.sanctions.data import CASE_COLUMNS, era_of_year

__all__ = [
    "CODE_MAP_KEYS",
    "OPTIONAL_FIELDS",
    "REQUIRED_FIELDS",
    "TIES_COLUMNS_MAP",
    "load_case_table",
    "write_case_table",
]

REQUIRED_FIELDS = ("imposed_year", "duration_months", "outcome", *COVARIATE_NAMES, "issue")
OPTIONAL_FIELDS = ("caseid", "imposed_month", "end_year", "end_month", "target_cost", "sender_cost")
CODE_MAP_KEYS = {
    "outcome_codes": ("outcome", OUTCOME_NAMES),
    "issue_codes": ("issue", ISSUE_NAMES),
    "cost_codes": ("target_cost", (*COST_NAMES, "missing")),
}
"""Map key -> (the field it codes, the names it may map to); cost_codes serves both costs."""
TIES_COLUMNS_MAP = Path(__file__).with_name("ties_columns.yaml")
MAX_LINES_PER_FIELD = 10

_DERIVED = ("success_broad", "success_strict", "era", "multilateral")
_INDICATORS = ("institutional_sender", "defence_pact", "total_embargo", "trade_restriction")
_SHARES = ("trade_dependence", "target_democracy")
_YEARS = (1800, 2100)


def load_case_table(csv_path: str | Path, columns_path: str | Path) -> pd.DataFrame:
    """Read a researcher's case table; same columns (``CASE_COLUMNS``) as ``load_cases``.

    Raises one ``DataError`` listing every problem (see the module docstring).
    """
    csv_path, columns_path = Path(csv_path), Path(columns_path)
    mapping = _read_map(columns_path)
    problems = check_map(mapping, columns_path.name)
    table = _read_csv(csv_path)
    if not problems:
        problems = _check_columns(mapping["columns"], table, csv_path.name)
    if problems:
        raise _error(problems)
    frame, problems = _convert(table, mapping, csv_path.name)
    if problems:
        raise _error(problems)
    return frame


def _error(problems: list[str]) -> DataError:
    error = DataError("\n".join(problems))
    error.problems = problems
    return error


def _read_map(path: Path) -> dict:
    if not path.is_file():
        raise DataError(f"columns map {path} not found; pass the YAML file that maps your columns")
    from riskengine.config.loading import read_yaml
    from riskengine.errors import ConfigError

    try:
        mapping = read_yaml(path.read_text(encoding="utf-8-sig"), path.name)
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path.name}: cannot be read as UTF-8 text: {error}") from None
    except ConfigError as error:
        raise _error([f"{problem} (columns map {path})" for problem in error.problems]) from None
    if not isinstance(mapping, dict):
        raise DataError(
            f"{path.name}: got {type(mapping).__name__}; allowed: a mapping with the keys "
            f"{', '.join(['columns', *CODE_MAP_KEYS])}"
        )
    return mapping


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"case table {path} not found")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DataError(f"{path.name}: cannot be read as CSV: {error}") from error


def check_map(mapping: dict, name: str) -> list[str]:
    """Problems of the map's structure: keys, fields, column names and code lists."""
    allowed_keys = ["columns", *CODE_MAP_KEYS]
    problems = [
        f"{name}: {key}: unknown key; allowed: {', '.join(allowed_keys)}"
        for key in mapping
        if key not in allowed_keys
    ]
    columns = mapping.get("columns")
    if not isinstance(columns, dict):
        got = "nothing" if columns is None else f"{columns!r}"
        problems.append(
            f"{name}: columns: got {got}; allowed: a mapping from each canonical field "
            f"({', '.join(REQUIRED_FIELDS)}) to the name of your column"
        )
    else:
        problems += _check_fields(columns, name)
    for key in CODE_MAP_KEYS:
        if key in mapping:
            problems += _check_codes(mapping[key], key, name)
    return problems


def _check_fields(columns: dict, name: str) -> list[str]:
    allowed = (*REQUIRED_FIELDS, *OPTIONAL_FIELDS)
    problems = [
        f"{name}: columns.{field}: unknown field; allowed: {', '.join(allowed)}"
        for field in columns
        if field not in allowed
    ]
    problems += [
        f"{name}: columns.{field}: required field missing; add the name of the column "
        f"that holds {field}"
        for field in REQUIRED_FIELDS
        if field not in columns
    ]
    problems += [
        f"{name}: columns.{field}: got {column!r}; allowed: a column name (text)"
        for field, column in columns.items()
        if field in allowed and not (isinstance(column, str) and column.strip())
    ]
    return problems


def _check_codes(codes, key: str, name: str) -> list[str]:
    names = CODE_MAP_KEYS[key][1]
    if not isinstance(codes, dict):
        return [f"{name}: {key}: got {codes!r}; allowed: a mapping {{name: [codes]}}"]
    problems, seen = [], {}
    for label, values in codes.items():
        if label not in names:
            problems.append(f"{name}: {key}.{label}: unknown name; allowed: {', '.join(names)}")
        for value in values if isinstance(values, list) else [values]:
            code = _code_key(value)
            if code in seen and seen[code] != label:
                problems.append(
                    f"{name}: {key}: code {value!r} listed under both {seen[code]} and "
                    f"{label}; allowed: each code under one name"
                )
            seen[code] = label
    return problems


def _code_key(value) -> str:
    """One spelling per code: 6, 6.0, "6" and " 6 " all give "6"."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if math.isfinite(number) and number == int(number) else text


def _check_columns(columns: dict, table: pd.DataFrame, name: str) -> list[str]:
    available = ", ".join(table.columns)
    return [
        f"{name}: columns.{field}: column {column!r} not in the file; available: {available}"
        for field, column in columns.items()
        if column not in table.columns
    ]


def _convert(table: pd.DataFrame, mapping: dict, name: str) -> tuple[pd.DataFrame, list[str]]:
    columns = mapping["columns"]
    reader = _FieldReader(table, columns, name)
    values = {"caseid": reader.caseid()}
    values["imposed_year"] = reader.integers("imposed_year", *_YEARS)
    values["imposed_month"] = reader.integers("imposed_month", 1, 12, optional=True)
    values["end_year"] = reader.integers("end_year", *_YEARS, optional=True)
    values["end_month"] = reader.integers("end_month", 1, 12, optional=True)
    values["duration_months"] = reader.integers("duration_months", 1, None)
    values["outcome"] = reader.coded(
        "outcome", "outcome_codes", mapping.get("outcome_codes"), OUTCOME_NAMES
    )
    for field in ("target_cost", "sender_cost"):
        values[field] = reader.coded(
            field, "cost_codes", mapping.get("cost_codes"), COST_NAMES, optional=True
        )
    values["sender_count"] = reader.numbers("sender_count", 0.0, math.log(MAX_SENDERS))
    for field in _INDICATORS:
        values[field] = reader.numbers(field, 0.0, 1.0, indicator=True)
    for field in _SHARES:
        values[field] = reader.numbers(field, 0.0, 1.0)
    values["issue"] = reader.coded("issue", "issue_codes", mapping.get("issue_codes"), ISSUE_NAMES)
    reader.check_embargo_exclusive(values["total_embargo"], values["trade_restriction"])
    if reader.problems:
        return pd.DataFrame(), reader.problems
    return _derived(values), []


def _derived(values: dict) -> pd.DataFrame:
    outcome = values["outcome"]
    values["success_broad"] = outcome >= OUTCOME_NAMES.index("negotiated_settlement")
    values["success_strict"] = outcome == OUTCOME_NAMES.index("acquiescence")
    values["era"] = era_of_year(values["imposed_year"])
    values["multilateral"] = (np.exp(values["sender_count"]) >= 1.5) | (
        values["institutional_sender"] == 1.0
    )
    return pd.DataFrame({column: values[column] for column in CASE_COLUMNS})


class _FieldReader:
    """Converts one mapped column at a time, collecting a line per bad cell."""

    def __init__(self, table: pd.DataFrame, columns: dict, name: str):
        self.table, self.columns, self.name = table, columns, name
        self.problems: list[str] = []

    def _cells(self, field: str) -> pd.Series:
        return self.table[self.columns[field]].astype(str).str.strip()

    def _report(self, field: str, cells: pd.Series, bad: np.ndarray, allowed: str) -> None:
        column = self.columns[field]
        label = field if column == field else f"{field} (column {column!r})"
        rows = np.flatnonzero(bad)
        for row in rows[:MAX_LINES_PER_FIELD]:
            got = cells.iloc[row]
            self.problems.append(
                f"{self.name}:row {row + 2}: {label}: got {got if got else 'an empty cell'}; "
                f"allowed: {allowed}"
            )
        if len(rows) > MAX_LINES_PER_FIELD:
            self.problems.append(
                f"{self.name}: {label}: ... and {len(rows) - MAX_LINES_PER_FIELD} more rows "
                "with the same problem"
            )

    def caseid(self) -> np.ndarray:
        if "caseid" not in self.columns:
            return np.arange(1, len(self.table) + 1, dtype=np.int64)
        cells = self._cells("caseid")
        self._report("caseid", cells, (cells == "").to_numpy(), "a case id (not empty)")
        duplicated = (cells.duplicated(keep=False) & (cells != "")).to_numpy()
        self._report("caseid", cells, duplicated, "a case id used once in the file")
        numbers = cells.map(_number)
        integral = numbers.notna().all() and (numbers == numbers.round()).all()
        return numbers.to_numpy(dtype=np.int64) if integral else cells.to_numpy(dtype=object)

    def integers(self, field: str, low: int, high: int | None, optional: bool = False):
        if field not in self.columns:
            return np.full(len(self.table), -1, dtype=np.int64)
        cells = self._cells(field)
        numbers = cells.map(_number).to_numpy(dtype=np.float64)
        empty = (cells == "").to_numpy() & optional
        good = np.isfinite(numbers) & (numbers == np.round(numbers)) & (numbers >= low)
        good &= True if high is None else numbers <= high
        span = f"an integer >= {low}" if high is None else f"an integer {low}..{high}"
        self._report(field, cells, ~good & ~empty, span + (", or empty" if optional else ""))
        return np.where(good, numbers, -1).astype(np.int64)

    def numbers(self, field: str, low: float, high: float, indicator: bool = False):
        cells = self._cells(field)
        numbers = cells.map(_number).to_numpy(dtype=np.float64)
        if indicator:
            good, allowed = np.isin(numbers, [0.0, 1.0]), "0 or 1"
        else:
            tolerance = 1e-9
            good = (numbers >= low - tolerance) & (numbers <= high + tolerance)
            allowed = f"a number in [{low:g}, {high:.6g}]"
        self._report(field, cells, ~good, allowed)
        return np.where(good, numbers, np.nan)

    def coded(self, field: str, key: str, codes: dict | None, names: tuple, optional=False):
        if field not in self.columns:
            return np.full(len(self.table), -1, dtype=np.int64)
        lookup = _lookup(codes, names)
        cells = self._cells(field)
        index = cells.map(lambda cell: lookup.get(_code_key(cell), -2)).to_numpy(np.int64)
        empty = (cells == "").to_numpy() & optional
        listed = ", ".join(_sorted_codes(lookup))
        allowed = f"{listed} ({key})" if codes else f"{listed} (or map your codes with {key})"
        self._report(
            field, cells, (index == -2) & ~empty, allowed + (", or empty" if optional else "")
        )
        return np.where(index == -2, -1, index).astype(np.int64)

    def check_embargo_exclusive(self, total: np.ndarray, restriction: np.ndarray) -> None:
        both = (total == 1.0) & (restriction == 1.0)
        cells = self._cells("trade_restriction")
        self._report(
            "trade_restriction",
            cells,
            both,
            "0 when total_embargo is 1 (a total embargo wins over a trade restriction)",
        )


def _number(cell: str) -> float:
    try:
        number = float(cell)
    except ValueError:
        return math.nan
    return number if math.isfinite(number) else math.nan


def _sorted_codes(lookup: dict[str, int]) -> list[str]:
    """Numeric codes by value, then the others alphabetically; names keep their order."""
    numeric = sorted((code for code in lookup if not math.isnan(_number(code))), key=_number)
    other = [code for code in lookup if math.isnan(_number(code))]
    return numeric + (other if len(numeric) == 0 else sorted(other))


def _lookup(codes: dict | None, names: tuple) -> dict[str, int]:
    """Code spelling -> index into ``names`` (-1 for cost_codes' ``missing``)."""
    if codes is None:
        return {name: index for index, name in enumerate(names)}
    lookup = {}
    for label, values in codes.items():
        index = names.index(label) if label in names else -1
        for value in values if isinstance(values, list) else [values]:
            lookup[_code_key(value)] = index
    return lookup


def write_case_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a ``load_cases`` frame as a CSV that ``ties_columns.yaml`` reads back exactly.

    Outcome, issue and costs are written as their names (an empty cell for a missing
    cost, an unknown end date or month); floats keep every digit (``repr``).
    Derived columns (success, era, multilateral) are left out.
    """
    missing = [column for column in CASE_COLUMNS if column not in frame.columns]
    if missing:
        raise DataError(f"case frame: missing column {missing[0]!r}; build it with load_cases()")
    table = frame[[c for c in CASE_COLUMNS if c not in _DERIVED]].astype(object).copy()
    table["outcome"] = [OUTCOME_NAMES[index] for index in frame["outcome"]]
    table["issue"] = [ISSUE_NAMES[index] for index in frame["issue"]]
    for column in ("target_cost", "sender_cost"):
        table[column] = [COST_NAMES[index] if index >= 0 else "" for index in frame[column]]
    for column in ("end_year", "end_month", "imposed_month"):
        table[column] = [value if value >= 0 else "" for value in frame[column]]
    for column in COVARIATE_NAMES:
        table[column] = [repr(float(value)) for value in frame[column]]
    path = Path(path)
    table.to_csv(path, index=False)
    return path
