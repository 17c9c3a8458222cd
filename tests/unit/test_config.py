"""Scenario schema (version 2) and YAML loader: shipped configs, error messages, variants,
model sections and their cross-checks, the refusal and upgrade of version-1 files."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskengine.config import (
    SCHEMA_VERSION,
    Actor,
    EnsembleSettings,
    Scenario,
    Variant,
    load_scenario,
    load_scenario_text,
    upgrade_text,
    validate_files,
)
from riskengine.errors import ConfigError
from riskengine.models import MODEL_NAMES
from riskengine.models.escalation.ensemble import resolved_crises
from riskengine.models.escalation.section import (
    LEVELS,
    START_LEVELS,
    CoalitionMember,
    EscalationPatch,
    EscalationSection,
)
from riskengine.models.sanctions.section import SanctionsPatch, SanctionsSection

TESTS = Path(__file__).resolve().parents[1]
CONFIGS = TESTS.parent / "configs"
SHIPPED = sorted(path.name for path in CONFIGS.glob("*.yaml"))
# The models each shipped scenario runs, and its first (reference) variant.
SHIPPED_MODELS = {
    "baltic.yaml": ("onset", "escalation", "joining"),
    "baltic_sanctions.yaml": ("escalation", "sanctions"),
    "coalition_of_the_willing.yaml": ("escalation", "coalition"),
    "eu_sanctions_unanimity.yaml": ("escalation", "coalition", "sanctions"),
    "gulf_cascade.yaml": ("escalation", "coalition", "sanctions", "supply_chain"),
    "nato_reinforcement.yaml": ("escalation", "coalition"),
    "quickstart.yaml": ("escalation",),
    "sanctions_iran.yaml": ("sanctions",),
    "taiwan_cascade.yaml": ("escalation", "coalition", "sanctions", "supply_chain"),
    "taiwan_strait.yaml": ("escalation", "joining"),
    "unsc_resolution.yaml": ("coalition",),
}
FIRST_VARIANT = {"sanctions_iran.yaml": "eu_only"}  # the others: baseline
# Version-1 files as they were shipped (git 321edb4), and their version-2 successors
# as first shipped (tests/data/v2): the shipped files have since changed in ways version 1
# cannot express (an onset section, lever descriptions of the pre-dispute models).
VERSION_1 = TESTS / "data" / "v1"
UPGRADED = {
    "baltic.yaml": TESTS / "data" / "v2" / "baltic.yaml",
    "quickstart.yaml": TESTS / "data" / "v2" / "quickstart.yaml",
    "taiwan_strait.yaml": TESTS / "data" / "v2" / "taiwan_strait.yaml",
    "tiny.yaml": TESTS / "data" / "tiny.yaml",
}

# Line numbers matter: the error tests below refer to them.
BASE_LINES = [
    "schema_version: 2",  # 1
    "name: test",  # 2
    'title: "A test crisis"',  # 3
    "horizon_months: 24",  # 4
    "actors:",  # 5
    "  - {name: Russia, ccode: 365, capability: 0.045, major_power: true}",  # 6
    "  - {name: Estonia, ccode: 366, capability: 0.0002}",  # 7
    "  - {name: United States, ccode: 2, capability: 0.13, major_power: true}",  # 8
    "  - {name: Finland, ccode: 375, capability: 0.001}",  # 9
    "  - {name: Norway, ccode: 385, capability: 0.0015}",  # 10
    "escalation:",  # 11
    "  challenger: Russia",  # 12
    "  defender: Estonia",  # 13
    "  coalition:",  # 14
    "    - {name: United States, commitment: defence_pact}",  # 15
    "    - {name: Finland, commitment: ad_hoc}",  # 16
    "  start_level: threat",  # 17
    "variants:",  # 18
    "  - name: baseline",  # 19
    "  - name: forward_presence",  # 20
    "    escalation:",  # 21
    "      set_commitment: {Finland: defence_pact}",  # 22
    "ensemble:",  # 23
    "  seed: 7",  # 24
    "  paths_per_draw: 10",  # 25
]
# A sanctions section to append to BASE_LINES (lines 26-29).
SANCTIONS_LINES = [
    "sanctions:",  # 26
    "  target: Russia",  # 27
    "  senders: [United States, Finland]",  # 28
    "  trigger: use_of_force",  # 29
]
ALL_ACTORS = "Russia, Estonia, United States, Finland, Norway"


def write(tmp_path: Path, lines: list[str], name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def replaced(line_number: int, new: str | None, lines: list[str] = BASE_LINES) -> list[str]:
    """``lines`` with line ``line_number`` (1-based) replaced, or deleted when None."""
    lines = list(lines)
    if new is None:
        del lines[line_number - 1]
    else:
        lines[line_number - 1] = new
    return lines


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_scenario(path)
    return caught.value.problems


def assert_problem(path: Path, line: int, expected: str) -> None:
    """Some problem of ``path`` names ``path:line:`` and starts with ``expected``."""
    problems = problems_of(path)
    prefix = f"{path}:{line}: "
    assert any(problem.startswith(prefix + expected) for problem in problems), problems


def without_ccodes(scenario: Scenario) -> Scenario:
    """The scenario with every actor's ccode removed (version 1 had none)."""
    data = scenario.model_dump()
    for actor in data["actors"]:
        actor["ccode"] = None
    return Scenario.build(**data)


def test_base_text_is_valid(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE_LINES))
    assert scenario.variant_names == ("baseline", "forward_presence")
    assert scenario.schema_version == SCHEMA_VERSION == 2
    assert scenario.model_names == ("escalation",) and scenario.sanctions is None
    assert list(scenario.sections) == ["escalation"]
    assert list(scenario.actor_table) == ALL_ACTORS.split(", ")
    coupled = load_scenario(write(tmp_path, BASE_LINES + SANCTIONS_LINES, "coupled.yaml"))
    assert coupled.model_names == ("escalation", "sanctions")
    assert set(MODEL_NAMES) >= {"escalation", "sanctions"}


@pytest.mark.parametrize("file_name", SHIPPED)
def test_shipped_config_loads(file_name):
    scenario = load_scenario(CONFIGS / file_name)
    assert scenario.name == file_name.removesuffix(".yaml")
    assert scenario.model_names == SHIPPED_MODELS[file_name]
    assert scenario.variant_names[0] == FIRST_VARIANT.get(file_name, "baseline")
    resolved = scenario.resolved_variants()
    assert [variant.name for variant in resolved] == list(scenario.variant_names)
    assert len(resolved) >= 3
    assert all(set(variant.sections) == set(scenario.model_names) for variant in resolved)
    if "escalation" in scenario.model_names:
        assert len(resolved_crises(scenario)) == len(scenario.variants)
    assert scenario.source_path == CONFIGS / file_name
    assert scenario.source_text == (CONFIGS / file_name).read_text(encoding="utf-8")


def test_every_shipped_config_is_tested():
    assert set(SHIPPED) == set(SHIPPED_MODELS)


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
        (4, "horizon_months: -3", 4, "horizon_months: got -3; allowed: an integer from 1 to 240"),
        (4, "horizon_months: 24.0", 4, "horizon_months: got 24.0; allowed: an integer"),
        (
            17,
            "  start_level: escalated",
            17,
            "escalation.start_level: got 'escalated'; "
            "allowed: threat, display, use_of_force, war, onset",
        ),
        (
            17,
            "  era: victorian",
            17,
            "escalation.era: got 'victorian'; "
            "allowed: before_1914, world_wars, cold_war, post_cold_war",
        ),
        (
            16,
            "    - {name: Finland, commitment: ad_hoc, colour: blue}",
            16,
            "escalation.coalition[1].colour: unknown field; allowed fields: name, commitment",
        ),
        (
            16,
            "    - {name: Finland, commitment: treaty}",
            16,
            "escalation.coalition[1].commitment: got 'treaty'; allowed: defence_pact, ad_hoc, none",
        ),
        (
            13,
            None,
            11,
            "escalation.defender: missing; required (a non-empty name)",
        ),
        (
            # a version-1 remnant in a version-2 file
            4,
            "model: escalation",
            4,
            "model: unknown field; allowed fields: schema_version, name, title, description, "
            "horizon_months, actors, judgments, onset, escalation, joining, coalition, sanctions, supply_chain, variants, ensemble",
        ),
        (
            1,
            "schema_version: 3",
            1,
            "schema_version: got 3; allowed: 2 (the schema versions this riskengine reads: 2; "
            "upgrade a version-1 file with `riskengine upgrade FILE`)",
        ),
        # actors
        (
            9,
            "  - {name: Finland, ccode: 375, capability: 0}",
            9,
            "actors[3].capability: got 0; allowed: a number greater than 0 and at most 1",
        ),
        (
            6,
            "  - {name: Russia, capability: true}",
            6,
            "actors[0].capability: got True; allowed: a number greater than 0",
        ),
        (
            10,
            "  - {name: Norway, ccode: 1000, capability: 0.0015}",
            10,
            "actors[4].ccode: got 1000; allowed: a Correlates of War country code from 1 to 999",
        ),
        (
            10,
            "  - {name: Norway, capability: 0.0015, alliance: nato}",
            10,
            "actors[4].alliance: unknown field; allowed fields: name, ccode, capability, "
            "major_power",
        ),
        (
            10,
            "  - {name: Finland, ccode: 385, capability: 0.0015}",
            10,
            "actors[4].name: got 'Finland', already the name of actors[3]; "
            "allowed: a name used by no other actor",
        ),
        # the escalation section's references to the actors
        (
            12,
            "  challenger: Rusia",
            12,
            f"escalation.challenger: got 'Rusia'; allowed: an actor of the scenario: {ALL_ACTORS}",
        ),
        (
            15,
            "    - {name: United Kingdom, commitment: defence_pact}",
            15,
            "escalation.coalition[0].name: got 'United Kingdom'; "
            f"allowed: an actor of the scenario: {ALL_ACTORS}",
        ),
        (
            13,
            "  defender: Finland",
            16,
            "escalation.coalition[1].name: got 'Finland', already taking part as defender; "
            "allowed: each actor once in the crisis",
        ),
        (
            7,
            "  - {name: Estonia, ccode: 366}",
            13,
            "escalation.defender: actor 'Estonia' has no capability; allowed: an actor with a "
            "capability (set actors[].capability, a COW CINC share)",
        ),
        # variants
        (
            20,
            "  - name: baseline",
            20,
            "variants[1].name: got 'baseline', already the name of variants[0]; "
            "allowed: a name used by no other variant",
        ),
        (
            22,
            "      set_commitment: {Finlnd: defence_pact}",
            22,
            "variants[1].escalation.set_commitment.Finlnd: 'Finlnd' is not a coalition member; "
            "allowed: United States, Finland",
        ),
        (
            22,
            "      remove_members: [Norway]",
            22,
            "variants[1].escalation.remove_members[0]: 'Norway' is not a coalition member; "
            "allowed: United States, Finland",
        ),
        (
            22,
            "      add_members: [{name: Russia, commitment: none}]",
            22,
            "variants[1].escalation.add_members[0].name: got 'Russia'; allowed: an actor of the "
            "scenario not yet taking part in the crisis: Norway",
        ),
        (
            # an added member must be declared as an actor
            22,
            "      add_members: [{name: Sweden, commitment: defence_pact}]",
            22,
            "variants[1].escalation.add_members[0].name: got 'Sweden'; allowed: an actor of the "
            "scenario not yet taking part in the crisis: Norway",
        ),
        (
            22,
            "      scale_capability: {United States: 10}",
            22,
            "variants[1].escalation.scale_capability.United States: got 10.0, which makes the "
            "capability of United States 1.3; allowed: a multiplier of at most 7.692",
        ),
        (
            22,
            "      scale_capability: {Norway: 2}",
            22,
            "variants[1].escalation.scale_capability.Norway: 'Norway' is not an actor of this "
            "variant's crisis; allowed: Russia, Estonia, United States, Finland",
        ),
        (
            22,
            "      start_level: war",
            22,
            "variants[1].escalation.start_level: unknown field; allowed fields: set_commitment, "
            "crisis_management, era, remove_members, add_members, remove_challenger_partners, "
            "add_challenger_partners, scale_capability",
        ),
        (
            22,
            "    crisis_management: true",
            22,
            "variants[1].crisis_management: unknown field; "
            "allowed fields: name, description, onset, escalation, joining, coalition, sanctions",
        ),
        # ensemble
        (24, "  seed: -1", 24, "ensemble.seed: got -1; allowed: an integer from 0 to 4294967295"),
        (
            24,
            "  seed: 4294967296",
            24,
            "ensemble.seed: got 4294967296; allowed: an integer from 0 to 4294967295",
        ),
    ],
)
def test_problem_names_file_line_path_value_and_allowed(
    tmp_path, line_number, new_line, expected_line, expected
):
    path = write(tmp_path, replaced(line_number, new_line))
    assert_problem(path, expected_line, expected)


@pytest.mark.parametrize(
    ("line_number", "new_line", "expected_line", "expected"),
    [
        (
            9,
            "  - {name: Finland, capability: 0.001}",
            28,
            "sanctions.senders[1]: actor 'Finland' has no ccode; allowed: an actor with a "
            "Correlates of War country code (set actors[].ccode; sanctions look up its trade)",
        ),
        (
            6,
            "  - {name: Russia, capability: 0.045, major_power: true}",
            27,
            "sanctions.target: actor 'Russia' has no ccode; allowed: an actor with a "
            "Correlates of War country code",
        ),
        (
            28,
            "  senders: [United States, Russia]",
            28,
            "sanctions.senders[1]: got 'Russia' twice (or as the target); "
            "allowed: each sender once",
        ),
        (
            28,
            "  senders: [United States, Finland, United States]",
            28,
            "sanctions.senders[2]: got 'United States' twice (or as the target); "
            "allowed: each sender once",
        ),
        (
            28,
            "  senders: []",
            28,
            "sanctions.senders: got []; allowed: a list of at least 1 item; each item a non-empty name",
        ),
        (
            27,
            "  target: Iran",
            27,
            f"sanctions.target: got 'Iran'; allowed: an actor of the scenario: {ALL_ACTORS}",
        ),
        (
            29,
            "  trigger: blockade",
            29,
            "sanctions.trigger: got 'blockade'; "
            "allowed: immediate, threat, display, use_of_force, war",
        ),
        (
            29,
            "  predictors: {sender_trade_musd: {United States: 1.5, Finland: 2, Norway: 3}}",
            29,
            "sanctions.predictors.sender_trade_musd.Norway: 'Norway' is not a sender; "
            "allowed: United States, Finland",
        ),
        (
            29,
            "  predictors: {sender_trade_musd: {United States: 1.5}}",
            29,
            "sanctions.predictors.sender_trade_musd: missing senders Finland; "
            "allowed: a value for every sender",
        ),
        (
            29,
            "  predictors: {trade_dependence: 1.5}",
            29,
            "sanctions.predictors.trade_dependence: got 1.5; allowed: a number from 0 to 1",
        ),
    ],
)
def test_sanctions_section_problems(tmp_path, line_number, new_line, expected_line, expected):
    lines = replaced(line_number, new_line, BASE_LINES + SANCTIONS_LINES)
    assert_problem(write(tmp_path, lines), expected_line, expected)


def sanctions_only(trigger: str) -> list[str]:
    """BASE_LINES without the escalation section and its variant: a sanctions scenario."""
    lines = [*BASE_LINES[:10], *BASE_LINES[17:19], *BASE_LINES[22:], *SANCTIONS_LINES]
    return replaced(len(lines), f"  trigger: {trigger}", lines)


def test_a_crisis_trigger_needs_an_escalation_section(tmp_path):
    path = write(tmp_path, sanctions_only("use_of_force"))
    assert problems_of(path) == [
        f"{path}:19: sanctions.trigger: got 'use_of_force', a crisis level, but the scenario "
        "has no escalation section; allowed: immediate (or add an escalation section)"
    ]
    scenario = load_scenario(write(tmp_path, sanctions_only("immediate"), "ok.yaml"))
    assert scenario.model_names == ("sanctions",) and scenario.escalation is None
    assert scenario.sanctions.trigger_level == 0


def test_a_variant_cannot_patch_a_model_the_scenario_lacks(tmp_path):
    lines = replaced(21, "    sanctions: {institution: eu}", replaced(22, None))
    path = write(tmp_path, lines)
    assert problems_of(path) == [
        f"{path}:21: variants[1].sanctions: the scenario has no sanctions section to change; "
        "allowed: changes to escalation"
    ]


def test_a_scenario_needs_a_model_section(tmp_path):
    lines = [*BASE_LINES[:10], *BASE_LINES[17:19], *BASE_LINES[22:]]
    path = write(tmp_path, lines)
    assert problems_of(path) == [
        f"{path}:1: (top level): no model section; allowed: at least one of: onset, escalation, joining, coalition, sanctions, supply_chain"
    ]


def test_actors_are_required(tmp_path):
    path = write(tmp_path, replaced(5, "actors: []", [*BASE_LINES[:5], *BASE_LINES[10:]]))
    problems = problems_of(path)
    assert problems[0].startswith(
        f"{path}:5: actors: got []; allowed: a list of at least 1 item; each item an actor"
    )


def test_every_problem_of_a_file_is_reported_in_line_order(tmp_path):
    lines = replaced(4, "horizon_months: 0")
    lines[1] = "name: Not A Slug"
    lines[23] = "  seed: -5"
    problems = problems_of(write(tmp_path, lines))
    assert len(problems) == 3
    assert [problem.split(":")[1] for problem in problems] == ["2", "4", "24"]
    assert all("\n" not in problem and "pydantic" not in problem for problem in problems)


def test_reference_problems_are_all_reported(tmp_path):
    lines = replaced(12, "  challenger: Rusia", replaced(15, "    - {name: UK, commitment: none}"))
    lines = replaced(22, "      remove_members: [Norway]", lines)
    problems = problems_of(write(tmp_path, lines))
    assert [problem.split(":")[1] for problem in problems] == ["12", "15", "22"]


def test_duplicate_key_is_reported(tmp_path):
    lines = [*BASE_LINES[:24], "  seed: 8", *BASE_LINES[24:]]
    path = write(tmp_path, lines)
    problems = problems_of(path)
    assert problems == [
        f"{path}:25: ensemble.seed: duplicate key 'seed' (first at line 24); "
        "allowed: each key once per mapping (delete one of them)"
    ]


def test_duplicate_model_section_is_reported(tmp_path):
    lines = [*BASE_LINES, "escalation: {challenger: Russia, defender: Finland}"]
    path = write(tmp_path, lines)
    assert (
        f"{path}:26: escalation: duplicate key 'escalation' (first at line 11); "
        "allowed: each key once per mapping (delete one of them)"
    ) in problems_of(path)


def test_yaml_syntax_error_names_line(tmp_path):
    path = write(tmp_path, replaced(4, "horizon_months: [24"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:5: YAML syntax error: ")
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
    text = "\n".join(replaced(4, "horizon_months: 999"))
    with pytest.raises(ConfigError, match=r"^configs/inline\.yaml:4: horizon_months: got 999"):
        load_scenario_text(text, source="configs/inline.yaml")
    scenario = load_scenario_text("\n".join(BASE_LINES))
    assert scenario.source_path is None
    assert scenario.source_text == "\n".join(BASE_LINES)


def test_validate_files_reports_per_file_and_never_raises(tmp_path):
    good = write(tmp_path, BASE_LINES, "good.yaml")
    bad = write(tmp_path, replaced(4, "horizon_months: -3"), "bad.yaml")
    old = VERSION_1 / "quickstart.yaml"
    missing = tmp_path / "missing.yaml"
    results = validate_files([good, bad, old, missing])
    assert results[good] == []
    assert results[bad] == [f"{bad}:4: horizon_months: got -3; allowed: an integer from 1 to 240"]
    assert len(results[old]) == 1 and "riskengine upgrade" in results[old][0]
    assert len(results[missing]) == 1 and "file not found" in results[missing][0]


# Version 1: refused with one line; upgraded by `riskengine upgrade`


def version_1_message(path: Path) -> str:
    """The one line refusing a version-1 file, at the line of its ``schema_version``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("schema_version:"))
    return (
        f"{path}:{line}: schema_version: got 1; allowed: 2 (actors declared once, one section "
        f"per model); upgrade the file with `riskengine upgrade {path} --write`"
    )


@pytest.mark.parametrize("file_name", sorted(UPGRADED))
def test_a_version_1_file_is_refused_with_one_line(file_name):
    path = VERSION_1 / file_name
    assert problems_of(path) == [version_1_message(path)]


def test_a_version_1_file_is_refused_however_broken(tmp_path):
    """One line, even when the version-1 content has problems of its own."""
    text = (VERSION_1 / "tiny.yaml").read_text(encoding="utf-8")
    path = write(tmp_path, [text.replace("horizon_months: 12", "horizon_months: -3")])
    assert problems_of(path) == [version_1_message(path)]
    # a version-1 file that never said so, recognised by its crisis
    unversioned = write(tmp_path, [text.replace("schema_version: 1\n", "")], "unversioned.yaml")
    (problem,) = problems_of(unversioned)
    assert problem.endswith(f"upgrade the file with `riskengine upgrade {unversioned} --write`")
    with pytest.raises(ConfigError, match=r"^inline\.yaml:2: schema_version: got 1; allowed: 2 "):
        load_scenario_text(text, "inline.yaml")


@pytest.mark.parametrize("file_name", sorted(UPGRADED))
def test_upgraded_version_1_config_equals_the_shipped_one(file_name):
    """Everything but the ccodes (new in version 2) and the comments is carried over."""
    text = upgrade_text((VERSION_1 / file_name).read_text(encoding="utf-8"))
    upgraded = load_scenario_text(text, f"{file_name} (upgraded)")
    shipped = load_scenario(UPGRADED[file_name])
    assert upgraded.schema_version == SCHEMA_VERSION
    assert "crisis:" not in text and "model:" not in text
    assert all(actor.ccode is None for actor in upgraded.actors)
    assert upgraded == without_ccodes(shipped)
    assert resolved_crises(upgraded) == resolved_crises(without_ccodes(shipped))
    assert [crisis.coalition for crisis in resolved_crises(upgraded)] == [
        crisis.coalition for crisis in resolved_crises(shipped)
    ]


def test_upgrade_keeps_added_members_as_actors():
    """An actor only a variant adds (Norway in baltic) is declared once, with its attributes."""
    text = upgrade_text((VERSION_1 / "baltic.yaml").read_text(encoding="utf-8"))
    upgraded = load_scenario_text(text)
    assert upgraded.actor_table["Norway"] == Actor(name="Norway", capability=0.0015)
    assert "Norway" not in upgraded.escalation.participant_names
    forward = upgraded.resolved_variants()[1]
    assert forward.sections["escalation"].member_names[-1] == "Norway"


# Assignment, variants, copies


def test_assignment_is_validated_and_rejected_values_are_not_kept(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE_LINES))
    with pytest.raises(ConfigError, match="horizon_months: got 0; allowed: an integer from 1"):
        scenario.horizon_months = 0
    assert scenario.horizon_months == 24
    odd = Variant(name="odd", escalation=EscalationPatch(remove_members=["Nobody"]))
    with pytest.raises(
        ConfigError, match=r"variants\[1\]\.escalation\.remove_members\[0\]: 'Nobody'"
    ):
        scenario.variants = [Variant(name="baseline"), odd]
    assert scenario.variant_names == ("baseline", "forward_presence")
    without_finland = [actor for actor in scenario.actors if actor.name != "Finland"]
    with pytest.raises(
        ConfigError,
        match=r"escalation\.coalition\[1\]\.name: got 'Finland'; allowed: an actor of the "
        r"scenario: Russia, Estonia, United States, Norway",
    ):
        scenario.actors = without_finland
    assert "Finland" in scenario.actor_table
    with pytest.raises(ConfigError, match=r"^start_level: got 'escalated'; allowed: threat"):
        scenario.escalation.start_level = "escalated"  # the path is relative to the section
    assert scenario.escalation.start_level == "threat"
    scenario.horizon_months = 36
    assert scenario.horizon_months == 36
    assert scenario.source_text == scenario.to_yaml()  # the file no longer describes it


def strait_scenario(*variants, sanctions: SanctionsSection | None = None) -> Scenario:
    return Scenario.build(
        name="strait",
        title="Strait",
        actors=[
            Actor(name="China", ccode=710, capability=0.23, major_power=True),
            Actor(name="Taiwan", ccode=713, capability=0.009),
            Actor(name="United States", ccode=2, capability=0.13, major_power=True),
            Actor(name="Japan", ccode=740, capability=0.03, major_power=True),
            Actor(name="Australia", ccode=900, capability=0.006),
        ],
        escalation=EscalationSection(
            challenger="China",
            defender="Taiwan",
            coalition=[
                CoalitionMember(name="United States", commitment="ad_hoc"),
                CoalitionMember(name="Japan", commitment="ad_hoc"),
            ],
            start_level="display",
        ),
        sanctions=sanctions,
        variants=[Variant(name="baseline"), *variants],
        ensemble=EnsembleSettings(seed=1),
    )


def test_resolved_variants_apply_each_change_in_order():
    changed = Variant(
        name="changed",
        description="every lever at once",
        escalation=EscalationPatch(
            remove_members=["Japan"],
            add_members=[CoalitionMember(name="Australia", commitment="none")],
            set_commitment={"United States": "defence_pact", "Australia": "ad_hoc"},
            scale_capability={"Australia": 2.0, "China": 0.5},
            crisis_management=True,
            era="cold_war",
        ),
    )
    scenario = strait_scenario(changed)
    baseline, variant = scenario.resolved_variants()
    assert (variant.name, variant.description) == ("changed", "every lever at once")
    assert baseline.sections["escalation"] == scenario.escalation
    assert baseline.actors == scenario.actor_table
    section = variant.sections["escalation"]
    assert section.member_names == ("United States", "Australia")
    assert [member.commitment for member in section.coalition] == ["defence_pact", "ad_hoc"]
    assert variant.actors["Australia"].capability == pytest.approx(0.012)
    assert variant.actors["China"].capability == pytest.approx(0.115)
    assert variant.actors["Taiwan"].capability == 0.009
    assert section.crisis_management is True and scenario.escalation.crisis_management is False
    assert (section.era, scenario.escalation.era) == ("cold_war", "post_cold_war")
    # the resolved crises the model reads
    original, crisis = resolved_crises(scenario)
    assert crisis.coalition[1].capability == pytest.approx(0.012)
    assert crisis.challenger.capability == pytest.approx(0.115)
    assert crisis.defender.capability == 0.009
    assert (crisis.crisis_management, original.crisis_management) == (True, False)
    assert (crisis.era, original.era) == ("cold_war", "post_cold_war")
    assert original.coalition[1].name == "Japan"
    # the scenario itself is untouched
    assert scenario.escalation.member_names == ("United States", "Japan")
    assert scenario.actor_table["China"].capability == 0.23


def test_sanctions_patch_replaces_then_removes_then_adds_senders():
    section = SanctionsSection(target="Taiwan", senders=["China", "Japan"])
    patch = SanctionsPatch(
        senders=["Japan", "United States"],
        remove_senders=["Japan"],
        add_senders=["Australia"],
        sanction_type="total_embargo",
    )
    scenario = strait_scenario(Variant(name="embargo", sanctions=patch), sanctions=section)
    baseline, embargo = scenario.resolved_variants()
    assert baseline.sections["sanctions"] == section
    changed = embargo.sections["sanctions"]
    assert changed.senders == ["United States", "Australia"]
    assert (changed.sanction_type, section.sanction_type) == ("total_embargo", "trade_restriction")
    assert changed.institution == section.institution == "none"
    assert embargo.sections["escalation"] == scenario.escalation  # no escalation patch
    odd = Variant(name="odd", sanctions=SanctionsPatch(remove_senders=["Taiwan"]))
    with pytest.raises(
        ConfigError,
        match=r"variants\[1\]\.sanctions\.remove_senders\[0\]: 'Taiwan' is not a sender",
    ):
        scenario.variants = [Variant(name="baseline"), odd]


def test_resolved_variants_catch_in_place_edits(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE_LINES))
    scenario.escalation.coalition.pop()  # Finland gone, but forward_presence refers to it
    with pytest.raises(ConfigError, match=r"variants\[1\]\.escalation\.set_commitment\.Finland"):
        scenario.resolved_variants()
    scenario = load_scenario(write(tmp_path, BASE_LINES))
    scenario.escalation.challenger = "Nobody"  # a valid name, but no actor of the scenario
    with pytest.raises(ConfigError, match=r"escalation\.challenger: got 'Nobody'"):
        scenario.resolved_variants()


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
    assert copy.escalation is not scenario.escalation and copy.escalation == scenario.escalation
    assert copy.actors is not scenario.actors and copy.actors == scenario.actors
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
        actors=[Actor(name="A", capability=0.1), Actor(name="B", capability=0.1)],
        escalation=EscalationSection(challenger="A", defender="B"),
        ensemble=EnsembleSettings(seed=0),
    )
    assert scenario.variant_names == ("baseline",)
    assert scenario.horizon_months == 24 and scenario.escalation.start_level == "threat"
    assert scenario.escalation.era == "post_cold_war"
    assert scenario.escalation.crisis_management is False
    assert scenario.actors[0].ccode is None and scenario.actors[0].major_power is False
    assert scenario.source_path is None and scenario.source_text == scenario.to_yaml()
    assert LEVELS[scenario.escalation.start_level_code] == "threat"
    assert START_LEVELS["onset"] == -1 and LEVELS.index("war") == START_LEVELS["war"] == 4
    ensemble = scenario.ensemble
    assert (ensemble.paths_per_draw, ensemble.num_chains, ensemble.num_draws) == (2000, 4, 100)
    assert ensemble.common_random_numbers is True and ensemble.parameters == "auto"


def test_sanctions_defaults():
    section = SanctionsSection(target="Iran", senders=["Germany"])
    assert (section.institution, section.sanction_type, section.issue) == (
        "none",
        "trade_restriction",
        "security",
    )
    assert section.trigger == "immediate" and section.trigger_level == 0
    assert section.predictors.complete is False
    fractions = section.loss_fraction
    assert (fractions.minor, fractions.major, fractions.severe) == (0.1, 0.4, 0.8)


def test_build_raises_config_error_with_one_line_per_problem():
    with pytest.raises(ConfigError) as caught:
        EscalationSection.build(challenger="", defender="B", start_level="calm")
    assert caught.value.problems == [
        "challenger: got ''; allowed: a non-empty name",
        "start_level: got 'calm'; allowed: threat, display, use_of_force, war, onset",
    ]


def test_readme_scenario_example_is_valid_and_its_error_example_true():
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Scenario format\n", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    scenario = load_scenario_text(example, "configs/baltic.yaml")
    assert scenario.model_names == ("escalation",) and len(scenario.variants) >= 3
    typo = example.replace("set_commitment: {Finland:", "set_commitment: {Finlnd:")
    with pytest.raises(ConfigError) as caught:
        load_scenario_text(typo, "configs/baltic.yaml")
    (problem,) = caught.value.problems
    assert f"`{problem}`" in " ".join(section.split()), problem
