"""Institutions as data: the shipped member tables, their dates, and errors for bad tables."""

from __future__ import annotations

import datetime
import shutil
import tomllib

import numpy as np
import pytest

from riskengine.errors import DataError, UsageError
from riskengine.models.coalition.institutions import (
    TABLES_DIR,
    load_tables,
    members,
    rule,
)

PERMANENT = {2, 200, 220, 365, 710}  # USA, UK, France, Russia, PRC
FINLAND, SWEDEN, UK, GERMANY = 375, 380, 200, 255


def test_nato_has_32_members_with_finland_and_sweden():
    assert len(members("nato", "2025-06-01")) == 32
    assert FINLAND not in members("nato", "2023-04-03")
    assert FINLAND in members("nato", "2023-04-04")
    assert SWEDEN not in members("nato", "2024-03-06")
    assert SWEDEN in members("nato", datetime.date(2024, 3, 7))


@pytest.mark.parametrize(
    ("date", "count"),
    [
        ("1949-08-23", 0),
        ("1949-08-24", 12),
        ("1952-02-18", 14),
        ("1955-05-06", 15),
        ("1982-05-30", 16),
        ("1999-03-12", 19),
        ("2004-03-29", 26),
        ("2009-04-01", 28),
        ("2017-06-05", 29),
        ("2020-03-27", 30),
        ("2023-04-04", 31),
        ("2024-03-07", 32),
    ],
)
def test_nato_enlargements(date, count):
    assert len(members("nato", date)) == count


def test_eu_has_27_members_and_the_uk_until_2020():
    assert len(members("eu", "2025-01-01")) == 27
    assert UK in members("eu", "2019-06-01")
    assert len(members("eu", "2019-06-01")) == 28
    assert UK in members("eu", "2020-01-31")
    assert UK not in members("eu", "2020-02-01")
    assert UK not in members("eu_qualified_majority", "2021-01-01")
    assert len(members("eu", "1958-01-01")) == 6
    assert len(members("eu", "2004-05-01")) - len(members("eu", "2004-04-30")) == 10


def test_eu_population_weights():
    qualified_majority = rule("eu_qualified_majority", "2025-01-01")
    population = dict(zip(qualified_majority.members, qualified_majority.population, strict=True))
    total = qualified_majority.population.sum()
    assert abs(total - 449_206_600) < 2_000  # Eurostat, 1 January 2024
    assert max(population, key=population.get) == GERMANY
    assert 0.18 < population[GERMANY] / total < 0.19
    assert qualified_majority.minimum_yes == 15  # 55% of 27, rounded up, and at least 15
    assert qualified_majority.minimum_yes_population == -(-65 * int(total) // 100)
    with pytest.raises(DataError, match=r"no population_2024_thousands for \[200\]"):
        rule("eu_qualified_majority", "2019-06-01")


@pytest.mark.parametrize("year", range(2022, 2027))
def test_security_council_has_15_members_and_5_permanent(year):
    council = members("security_council", f"{year}-07-01")
    assert len(council) == 15
    assert PERMANENT <= set(council)
    veto_majority = rule("security_council", f"{year}-07-01")
    assert veto_majority.veto.sum() == 5
    assert set(np.asarray(veto_majority.members)[veto_majority.veto]) == PERMANENT
    assert veto_majority.minimum_yes == 9


def test_security_council_terms():
    assert 367 in members("unsc", "2026-01-01")  # Latvia, elected for 2026-2027
    assert 367 not in members("unsc", "2025-12-31")
    with pytest.raises(DataError, match="2022-2026 only; got a date in 2021"):
        members("unsc", "2021-06-01")


def test_members_are_in_ascending_order_and_names_are_checked():
    nato = members("nato", "2025-01-01")
    assert list(nato) == sorted(nato)
    assert members("eu_unanimity", "2025-01-01") == members("eu", "2025-01-01")
    with pytest.raises(UsageError, match="unknown institution 'otan'; allowed: nato"):
        members("otan", "2025-01-01")
    with pytest.raises(UsageError, match=r"allowed: a datetime\.date or an ISO date"):
        members("nato", "2025-13-01")


def test_rules_of_the_shipped_institutions():
    day = "2025-01-01"
    assert rule("nato", day).veto.all() and rule("nato", day).minimum_yes == 0
    unanimity = rule("eu_unanimity", day)
    assert unanimity.veto.all()
    assert unanimity.abstention_limit_members == 9  # one third of 27
    assert unanimity.abstention_limit_population == -(-int(unanimity.population.sum()) // 3)
    coalition = rule("coalition_of_the_willing", day)
    assert coalition.members == members("nato", day) and not coalition.veto.any()
    assert (coalition.minimum_yes, coalition.support_threshold) == (2, 0.5)
    assert rule("coalition_of_the_willing", day, candidates=(2, 200, 220)).members == (2, 200, 220)
    with pytest.raises(UsageError, match="candidates only for a threshold rule"):
        rule("nato", day, candidates=(2, 200))
    assert all(rule(name, day).source for name in ("nato", "security_council", "eu_unanimity"))


def test_rule_arrays_are_read_only():
    security_council = rule("security_council", "2024-01-01")
    with pytest.raises(ValueError, match="read-only"):
        security_council.veto[0] = False


def test_every_table_names_its_source():
    sources = (TABLES_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for name in ("nato_members.csv", "eu_members.csv", "unsc_members.csv", "rules.yaml"):
        assert (TABLES_DIR / name).is_file()
        assert f"`{name}`" in sources


def test_tables_ship_as_package_data(repository):
    pyproject = tomllib.loads((repository / "pyproject.toml").read_text(encoding="utf-8"))
    assert "models/*/tables/*" in pyproject["tool"]["setuptools"]["package-data"]["riskengine"]


def _bad_copy(tmp_path, file, old, new):
    directory = tmp_path / "tables"
    shutil.copytree(TABLES_DIR, directory)
    path = directory / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "nato_members.csv",
            "375,Finland,2023-04-04",
            "375,Finland,2023-04-31",
            "nato_members.csv, row 31 (line 32), field accession_date: got '2023-04-31'; "
            "allowed: an ISO date YYYY-MM-DD",
        ),
        (
            "nato_members.csv",
            "380,Sweden",
            "375,Sweden",
            "nato_members.csv, row 32 (line 33), field ccode: got 375 again; allowed: each "
            "country once",
        ),
        (
            "eu_members.csv",
            "Malta,2004-05-01,,563.0",
            "Malta,2004-05-01,,-563",
            "eu_members.csv, row 22 (line 23), field population_2024_thousands: got '-563'; "
            "allowed: a positive number",
        ),
        (
            "eu_members.csv",
            "Croatia,2013-07-01,,3862.0",
            "Croatia,2013-07-01,,",
            "eu_members.csv, row 28 (line 29), field population_2024_thousands: got ''; "
            "allowed: a positive number (thousands of persons) for a current member",
        ),
        (
            "unsc_members.csv",
            "740,Japan,elected",
            "740,Japan,permanent",
            "unsc_members.csv, rows 1, 2, 3, 5, 7, 19, field seat: got 6 permanent members "
            "in 2023; allowed: exactly 5",
        ),
        (
            "unsc_members.csv",
            "95,Panama,elected,2025,2026",
            "95,Panama,elected,2024,2026",
            "field seat: got 11 elected members in 2024; allowed: at most 10",
        ),
        (
            "unsc_members.csv",
            "Liberia,elected,2026,2027",
            "Liberia,elected,2026,2025",
            "unsc_members.csv, row 37 (line 38), field to_year: got 2025; allowed: a year on "
            "or after from_year 2026",
        ),
        (
            "rules.yaml",
            "rule: veto_majority",
            "rule: veto",
            "rules.yaml, entry security_council, field rule: got 'veto'; allowed: one of "
            "veto_majority, consensus",
        ),
        (
            "rules.yaml",
            "minimum_yes_population_share: 0.65",
            "minimum_yes_population_share: 65",
            "rules.yaml, entry eu_qualified_majority, field minimum_yes_population_share: got "
            "65; allowed: a fraction from 0 to 1",
        ),
        (
            "rules.yaml",
            "  minimum_members: 2",
            "  minimum_member: 2",
            "rules.yaml, entry coalition_of_the_willing, field minimum_member: not a "
            "parameter of a threshold rule",
        ),
    ],
)
def test_a_bad_table_raises_one_clear_error(tmp_path, file, old, new, expected):
    directory = _bad_copy(tmp_path, file, old, new)
    with pytest.raises(DataError) as raised:
        load_tables(directory)
    message = str(raised.value)
    assert expected in message, message


def test_a_table_with_a_missing_column_names_the_columns(tmp_path):
    directory = _bad_copy(tmp_path, "nato_members.csv", "accession_date", "joined")
    with pytest.raises(DataError, match=r"nato_members\.csv: columns ccode, name, joined, note; "):
        load_tables(directory)


def test_a_bad_copy_is_used_only_where_passed(tmp_path):
    directory = _bad_copy(
        tmp_path, "nato_members.csv", "380,Sweden,2024-03-07", "380,Sweden,2030-01-01"
    )
    tables = load_tables(directory)
    assert SWEDEN not in members("nato", "2025-01-01", tables=tables)
    assert SWEDEN in members("nato", "2025-01-01")
