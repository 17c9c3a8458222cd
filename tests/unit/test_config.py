"""Scenario schema and YAML loader: shipped configs, error messages, variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskengine.config import (
    LEVELS,
    SCHEMA_VERSION,
    START_LEVELS,
    Actor,
    Crisis,
    EnsembleSettings,
    Member,
    Scenario,
    Variant,
    load_scenario,
    load_scenario_text,
    validate_files,
)
from riskengine.errors import ConfigError

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
SHIPPED = ["quickstart.yaml", "baltic.yaml", "taiwan_strait.yaml"]

# Line numbers matter: the error tests below refer to them.
BASE_LINES = [
    "schema_version: 1",  # 1
    "name: test",  # 2
    'title: "A test crisis"',  # 3
    "model: escalation",  # 4
    "crisis:",  # 5
    "  challenger: {name: Russia, capability: 0.045, major_power: true}",  # 6
    "  defender: {name: Estonia, capability: 0.0002}",  # 7
    "  coalition:",  # 8
    "    - {name: United States, capability: 0.13, major_power: true, commitment: defence_pact}",
    "    - {name: Finland, capability: 0.001, commitment: ad_hoc}",  # 10
    "  start_level: threat",  # 11
    "horizon_months: 24",  # 12
    "variants:",  # 13
    "  - name: baseline",  # 14
    "  - name: forward_presence",  # 15
    "    set_commitment: {Finland: defence_pact}",  # 16
    "ensemble:",  # 17
    "  seed: 7",  # 18
    "  paths_per_draw: 10",  # 19
]


def write(tmp_path: Path, lines: list[str], name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def replaced(line_number: int, new: str | None) -> list[str]:
    """BASE_LINES with line ``line_number`` (1-based) replaced, or deleted when None."""
    lines = list(BASE_LINES)
    if new is None:
        del lines[line_number - 1]
    else:
        lines[line_number - 1] = new
    return lines


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_scenario(path)
    return caught.value.problems


def test_base_text_is_valid(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE_LINES))
    assert scenario.variant_names == ("baseline", "forward_presence")
    assert scenario.schema_version == SCHEMA_VERSION


@pytest.mark.parametrize("file_name", SHIPPED)
def test_shipped_config_loads(file_name):
    scenario = load_scenario(CONFIGS / file_name)
    assert scenario.name == file_name.removesuffix(".yaml")
    assert scenario.variant_names[0] == "baseline"
    assert len(scenario.resolved_crises()) == len(scenario.variants) >= 3
    assert scenario.source_path == CONFIGS / file_name
    assert scenario.source_text == (CONFIGS / file_name).read_text(encoding="utf-8")


def test_quickstart_is_small_and_fixed():
    scenario = load_scenario(CONFIGS / "quickstart.yaml")
    assert scenario.horizon_months == 24
    ensemble = scenario.ensemble
    assert (ensemble.paths_per_draw, ensemble.num_chains, ensemble.num_draws) == (2000, 4, 100)
    assert ensemble.chunk_paths == 100_000
    assert 2 <= len(scenario.variants) <= 3


@pytest.mark.parametrize(
    ("line_number", "new_line", "expected_line", "expected"),
    [
        (12, "horizon_months: -3", 12, "horizon_months: got -3; allowed: an integer from 1 to 240"),
        (
            11,
            "  start_level: escalated",
            11,
            "crisis.start_level: got 'escalated'; "
            "allowed: threat, display, use_of_force, war, onset",
        ),
        (
            10,
            "    - {name: Finland, capability: 0.001, commitment: ad_hoc, colour: blue}",
            10,
            "crisis.coalition[1].colour: unknown field; "
            "allowed fields: name, capability, major_power, commitment",
        ),
        (
            16,
            "    set_commitment: {Finlnd: defence_pact}",
            16,
            "variants[1].set_commitment.Finlnd: 'Finlnd' is not a coalition member; "
            "allowed: United States, Finland",
        ),
        (
            7,
            None,
            5,
            "crisis.defender: missing; required (an actor: name, capability, major_power)",
        ),
        (
            1,
            "schema_version: 2",
            1,
            "schema_version: got 2; allowed: 1 (the schema versions this riskengine reads: 1)",
        ),
        (
            16,
            "    remove_members: [Norway]",
            16,
            "variants[1].remove_members[0]: 'Norway' is not a coalition member; "
            "allowed: United States, Finland",
        ),
        (
            16,
            "    add_members: [{name: Russia, capability: 0.01, commitment: none}]",
            16,
            "variants[1].add_members[0].name: got 'Russia', which clashes with an actor "
            "already in the crisis; allowed: a name not in: Russia, Estonia, United States, "
            "Finland",
        ),
        (
            10,
            "    - {name: Finland, capability: 0, commitment: ad_hoc}",
            10,
            "crisis.coalition[1].capability: got 0; allowed: a number greater than 0 and at most 1",
        ),
        (
            6,
            "  challenger: {name: Russia, capability: true}",
            6,
            "crisis.challenger.capability: got True; allowed: a number greater than 0",
        ),
        (12, "horizon_months: 24.0", 12, "horizon_months: got 24.0; allowed: an integer"),
        (
            11,
            "  era: victorian",
            11,
            "crisis.era: got 'victorian'; "
            "allowed: before_1914, world_wars, cold_war, post_cold_war",
        ),
        (18, "  seed: -1", 18, "ensemble.seed: got -1; allowed: an integer from 0 to 4294967295"),
        (
            18,
            "  seed: 4294967296",
            18,
            "ensemble.seed: got 4294967296; allowed: an integer from 0 to 4294967295",
        ),
        (
            15,
            "  - name: baseline",
            15,
            "variants[1].name: got 'baseline', already the name of variants[0]; "
            "allowed: a name used by no other variant",
        ),
        (
            7,
            "  defender: {name: Finland, capability: 0.0002}",
            10,
            "crisis.coalition[1].name: got 'Finland', already the name of defender; "
            "allowed: a name used by no other actor in the crisis",
        ),
        (
            16,
            "    scale_capability: {United States: 10}",
            16,
            "variants[1].scale_capability.United States: got 10.0, which makes the capability "
            "of United States 1.3; allowed: a multiplier of at most 7.692",
        ),
    ],
)
def test_problem_names_file_line_path_value_and_allowed(
    tmp_path, line_number, new_line, expected_line, expected
):
    path = write(tmp_path, replaced(line_number, new_line))
    problems = problems_of(path)
    prefix = f"{path}:{expected_line}: "
    assert any(problem.startswith(prefix + expected) for problem in problems), problems


def test_every_problem_of_a_file_is_reported_in_line_order(tmp_path):
    lines = replaced(12, "horizon_months: 0")
    lines[1] = "name: Not A Slug"
    lines[17] = "  seed: -5"
    problems = problems_of(write(tmp_path, lines))
    assert len(problems) == 3
    assert [problem.split(":")[1] for problem in problems] == ["2", "12", "18"]
    assert all("\n" not in problem and "pydantic" not in problem for problem in problems)


def test_duplicate_key_is_reported(tmp_path):
    lines = [*BASE_LINES[:18], "  seed: 8", *BASE_LINES[18:]]
    path = write(tmp_path, lines)
    problems = problems_of(path)
    assert problems == [
        f"{path}:19: ensemble.seed: duplicate key 'seed' (first at line 18); "
        "allowed: each key once per mapping (delete one of them)"
    ]


def test_yaml_syntax_error_names_line(tmp_path):
    path = write(tmp_path, replaced(12, "horizon_months: [24"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:13: YAML syntax error: ")
    assert "fix the YAML syntax" in problem


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"- 1\n- 2\n",
            ":1: (top level): got a list ([1, 2]); allowed: a scenario: schema_version",
        ),
        (b"", ":1: (top level): got an empty file; allowed: a scenario: schema_version"),
        (b"name: caf\xe9\n", ":1: not UTF-8 text (byte 0xe9 at offset 9)"),
        (b"name: a\nb: \x07\n", ":2: not allowed in YAML: character #x0007"),
    ],
)
def test_unreadable_content(tmp_path, content, expected):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}{expected}")


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.yaml"
    assert problems_of(path) == [f"{path}: file not found; allowed: the path of a scenario file"]


def test_load_scenario_text_names_its_source():
    text = "\n".join(replaced(12, "horizon_months: 999"))
    with pytest.raises(ConfigError, match=r"^configs/inline\.yaml:12: horizon_months: got 999"):
        load_scenario_text(text, source="configs/inline.yaml")
    scenario = load_scenario_text("\n".join(BASE_LINES))
    assert scenario.source_path is None
    assert scenario.source_text == "\n".join(BASE_LINES)


def test_validate_files_reports_per_file_and_never_raises(tmp_path):
    good = write(tmp_path, BASE_LINES, "good.yaml")
    bad = write(tmp_path, replaced(12, "horizon_months: -3"), "bad.yaml")
    missing = tmp_path / "missing.yaml"
    results = validate_files([good, bad, missing])
    assert results[good] == []
    assert results[bad] == [f"{bad}:12: horizon_months: got -3; allowed: an integer from 1 to 240"]
    assert len(results[missing]) == 1 and "file not found" in results[missing][0]


def test_assignment_is_validated_and_rejected_values_are_not_kept(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE_LINES))
    with pytest.raises(ConfigError, match="horizon_months: got 0; allowed: an integer from 1"):
        scenario.horizon_months = 0
    assert scenario.horizon_months == 24
    broken = [Variant(name="baseline"), Variant(name="odd", remove_members=["Nobody"])]
    with pytest.raises(ConfigError, match=r"variants\[1\]\.remove_members\[0\]: 'Nobody'"):
        scenario.variants = broken
    assert scenario.variant_names == ("baseline", "forward_presence")
    scenario.horizon_months = 36
    assert scenario.horizon_months == 36
    assert scenario.source_text == scenario.to_yaml()  # the file no longer describes it


def test_resolved_crises_applies_each_change_in_order():
    crisis = Crisis(
        challenger=Actor(name="China", capability=0.23, major_power=True),
        defender=Actor(name="Taiwan", capability=0.009),
        coalition=[
            Member(name="United States", capability=0.13, major_power=True, commitment="ad_hoc"),
            Member(name="Japan", capability=0.03, major_power=True, commitment="ad_hoc"),
        ],
        start_level="display",
    )
    changed = Variant(
        name="changed",
        remove_members=["Japan"],
        add_members=[Member(name="Australia", capability=0.006, commitment="none")],
        set_commitment={"United States": "defence_pact", "Australia": "ad_hoc"},
        scale_capability={"Australia": 2.0, "China": 0.5},
        crisis_management=True,
        era="cold_war",
    )
    scenario = Scenario(
        name="strait",
        title="Strait",
        crisis=crisis,
        variants=[Variant(name="baseline"), changed],
        ensemble=EnsembleSettings(seed=1),
    )
    (_, baseline), (variant, resolved) = scenario.resolved_crises()
    assert variant is changed
    assert baseline == crisis
    assert resolved.member_names == ("United States", "Australia")
    assert [member.commitment for member in resolved.coalition] == ["defence_pact", "ad_hoc"]
    assert resolved.coalition[1].capability == pytest.approx(0.012)
    assert resolved.challenger.capability == pytest.approx(0.115)
    assert resolved.defender.capability == 0.009
    assert resolved.crisis_management is True and baseline.crisis_management is False
    assert (resolved.era, baseline.era) == ("cold_war", "post_cold_war")
    assert scenario.crisis.member_names == ("United States", "Japan")  # original untouched


def test_resolved_crises_catches_in_place_edits(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE_LINES))
    scenario.crisis.coalition.pop()  # Finland gone, but forward_presence refers to it
    with pytest.raises(ConfigError, match=r"variants\[1\]\.set_commitment\.Finland"):
        scenario.resolved_crises()


@pytest.mark.parametrize("file_name", SHIPPED)
def test_to_yaml_round_trips(file_name):
    scenario = load_scenario(CONFIGS / file_name)
    again = load_scenario_text(scenario.to_yaml())
    assert again == scenario
    assert again.model_dump() == scenario.model_dump()


def test_with_ensemble_returns_validated_copy(tmp_path):
    path = write(tmp_path, BASE_LINES)
    scenario = load_scenario(path)
    copy = scenario.with_ensemble(paths_per_draw=10_000, seed=3)
    assert (copy.ensemble.paths_per_draw, copy.ensemble.seed) == (10_000, 3)
    assert (scenario.ensemble.paths_per_draw, scenario.ensemble.seed) == (10, 7)
    assert copy.crisis is not scenario.crisis
    assert copy.source_path == path
    assert "seed: 3" in copy.source_text and scenario.source_text == path.read_text()
    with pytest.raises(ConfigError, match=r"ensemble\.paths_per_draw: got 0; allowed"):
        scenario.with_ensemble(paths_per_draw=0)
    with pytest.raises(ConfigError, match=r"ensemble\.pathz: unknown field"):
        scenario.with_ensemble(pathz=10)


def test_defaults_and_level_codes():
    scenario = Scenario(
        name="tiny",
        title="Tiny",
        crisis=Crisis(
            challenger=Actor(name="A", capability=0.1), defender=Actor(name="B", capability=0.1)
        ),
        ensemble=EnsembleSettings(seed=0),
    )
    assert scenario.variant_names == ("baseline",)
    assert scenario.horizon_months == 24 and scenario.crisis.start_level == "threat"
    assert scenario.source_path is None and scenario.source_text == scenario.to_yaml()
    assert LEVELS[scenario.crisis.start_level_code] == "threat"
    assert START_LEVELS["onset"] == -1 and LEVELS.index("war") == START_LEVELS["war"] == 4
