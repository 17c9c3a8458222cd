"""Upgrade version-1 scenario files (one escalation ``crisis``) to version 2.

Version 2 declares the actors once at the top level and gives each model its own
section; a version-1 crisis becomes the ``escalation`` section and each variant's
changes its ``escalation`` patch. ``riskengine upgrade FILE`` prints the upgraded text
(``--write`` replaces the file); the loader refuses version-1 files with one line that
says so. Comments are not carried over.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from riskengine.config.core import SCHEMA_VERSION
from riskengine.errors import ConfigError

__all__ = [
    "is_version_1",
    "upgrade_data",
    "upgrade_files",
    "upgrade_text",
    "version_1_message",
]

_PATCH_FIELDS = (
    "set_commitment",
    "crisis_management",
    "era",
    "remove_members",
    "scale_capability",
)


def is_version_1(data: Any) -> bool:
    """A mapping written for schema version 1 (explicitly, or by its ``crisis``)."""
    if not isinstance(data, dict):
        return False
    return data.get("schema_version") == 1 or ("crisis" in data and "schema_version" not in data)


def version_1_message(source: str, line: int) -> str:
    return (
        f"{source}:{line}: schema_version: got 1; allowed: {SCHEMA_VERSION} (actors declared "
        f"once, one section per model); upgrade the file with `riskengine upgrade {source} "
        "--write`"
    )


def _actor(actor: dict) -> dict:
    out = {"name": actor["name"], "capability": actor["capability"]}
    if actor.get("major_power"):
        out["major_power"] = True
    return out


def _crisis_actors(crisis: dict) -> list[dict]:
    return [
        crisis["challenger"],
        *crisis.get("challenger_allies", []),
        crisis["defender"],
        *crisis.get("coalition", []),
    ]


def _escalation_section(crisis: dict) -> dict:
    section: dict[str, Any] = {"challenger": crisis["challenger"]["name"]}
    if crisis.get("challenger_allies"):
        section["challenger_allies"] = [a["name"] for a in crisis["challenger_allies"]]
    section["defender"] = crisis["defender"]["name"]
    section["coalition"] = [
        {"name": m["name"], "commitment": m["commitment"]} for m in crisis.get("coalition", [])
    ]
    for key in ("start_level", "crisis_management", "era"):
        if key in crisis:
            section[key] = crisis[key]
    return section


def _variant(variant: dict) -> dict:
    out = {key: variant[key] for key in ("name", "description") if key in variant}
    patch = {key: variant[key] for key in _PATCH_FIELDS if variant.get(key) is not None}
    if variant.get("add_members"):
        patch["add_members"] = [
            {"name": m["name"], "commitment": m["commitment"]} for m in variant["add_members"]
        ]
    if patch:
        out["escalation"] = patch
    return out


def upgrade_data(data: dict) -> dict:
    """The version-2 mapping of a version-1 scenario mapping."""
    crisis = data["crisis"]
    actors: dict[str, dict] = {}
    added = [m for v in data.get("variants", []) for m in v.get("add_members", [])]
    for actor in [*_crisis_actors(crisis), *added]:
        actors.setdefault(actor["name"], _actor(actor))
    upgraded: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    for key in ("name", "title", "description", "horizon_months"):
        if key in data:
            upgraded[key] = data[key]
    upgraded["actors"] = list(actors.values())
    upgraded["escalation"] = _escalation_section(crisis)
    if "variants" in data:
        upgraded["variants"] = [_variant(v) for v in data["variants"]]
    upgraded["ensemble"] = data["ensemble"]
    return upgraded


def upgrade_text(text: str, source: str = "<string>") -> str:
    """Version-2 YAML text of a version-1 scenario text (ConfigError when it is not YAML)."""
    from riskengine.config.loading import read_yaml

    data = read_yaml(text, source)
    upgraded = upgrade_data(data)
    return yaml.safe_dump(upgraded, sort_keys=False, allow_unicode=True, width=100)


def _not_version_1(data: Any) -> str:
    """What a file that is not a version-1 scenario has instead (for the problem line)."""
    if not isinstance(data, dict):
        received = "an empty file" if data is None else f"a {type(data).__name__}"
        return f"schema_version: got {received}, not a scenario mapping"
    if "schema_version" not in data:
        return f"schema_version: got none and no crisis (a version-{SCHEMA_VERSION} scenario)"
    return f"schema_version: got {data['schema_version']!r}"


def _upgrade_one(path: Path, write: bool) -> str | None:
    """Upgrade one file; returns a problem line, or None."""
    from riskengine.config.loading import read_yaml

    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return f"{source}: cannot read a scenario ({' '.join(str(error).split())[:120]})"
    try:
        data = read_yaml(text, source)
    except ConfigError as error:
        return "\n".join(error.problems)
    if not is_version_1(data):
        return f"{source}: {_not_version_1(data)}; allowed: 1 (only version-1 files need upgrading)"
    try:
        upgraded = upgrade_text(text, source)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        return f"{source}: not a valid version-1 scenario (missing {error}); fix it first"
    from riskengine.config.loading import load_scenario_text

    try:
        load_scenario_text(upgraded, f"{source} (upgraded)")
    except ConfigError as error:
        return "\n".join(error.problems)
    if write:
        partial = path.with_name(f".{path.name}.upgrading")
        partial.write_text(upgraded, encoding="utf-8")
        partial.replace(path)
    else:
        print(upgraded, end="")
    return None


def upgrade_files(paths, *, write: bool = False) -> int:
    """``riskengine upgrade``: 0 when every file upgraded, 2 when any could not be."""
    problems = [_upgrade_one(Path(path), write) for path in paths]
    for problem in filter(None, problems):
        print(problem, file=sys.stderr)
    return 2 if any(problems) else 0
