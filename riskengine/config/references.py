"""Cross-field checks: unique names, and variants that refer to actors that exist.

Each check returns ``(location, message)`` pairs; the schema raises them as one error
so that the loader can report every problem with its field path and line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from riskengine.config.messages import Location, format_path

if TYPE_CHECKING:
    from riskengine.config.schema import Crisis, Scenario, Variant

__all__ = ["crisis_problems", "scenario_problems", "variant_problems"]

Problems = list[tuple[Location, str]]


def _names(names: list[str] | tuple[str, ...]) -> str:
    return ", ".join(names) if names else "(none)"


def crisis_problems(crisis: Crisis) -> Problems:
    """Actor names must be unique across the whole crisis."""
    locations: list[Location] = [("challenger",)]
    locations += [("challenger_allies", index) for index in range(len(crisis.challenger_allies))]
    locations += [("defender",)]
    locations += [("coalition", index) for index in range(len(crisis.coalition))]
    first: dict[str, Location] = {}
    problems: Problems = []
    for location, name in zip(locations, crisis.actor_names, strict=True):
        if name in first:
            message = (
                f"got {name!r}, already the name of {format_path(first[name])}; "
                "allowed: a name used by no other actor in the crisis"
            )
            problems.append(((*location, "name"), message))
        else:
            first[name] = location
    return problems


def _member_problems(variant: Variant, crisis: Crisis, here: Location) -> Problems:
    """Problems of remove_members and add_members; the names after both changes."""
    problems: Problems = []
    members = crisis.member_names
    for index, name in enumerate(variant.remove_members):
        if name not in members:
            message = f"{name!r} is not a coalition member; allowed: {_names(members)}"
            problems.append(((*here, "remove_members", index), message))
    remaining = [name for name in crisis.actor_names if name not in variant.remove_members]
    for index, member in enumerate(variant.add_members):
        if member.name in remaining:
            message = (
                f"got {member.name!r}, which clashes with an actor already in the crisis; "
                f"allowed: a name not in: {_names(remaining)}"
            )
            problems.append(((*here, "add_members", index, "name"), message))
        remaining.append(member.name)
    return problems


def _scale_problems(variant: Variant, crisis: Crisis, here: Location) -> Problems:
    """scale_capability must name an actor of the variant and keep capability <= 1."""
    actors = [crisis.challenger, *crisis.challenger_allies, crisis.defender]
    actors += [member for member in crisis.coalition if member.name not in variant.remove_members]
    actors += variant.add_members
    capabilities = {actor.name: actor.capability for actor in actors}
    problems: Problems = []
    for name, factor in variant.scale_capability.items():
        where = (*here, "scale_capability", name)
        if name not in capabilities:
            allowed = _names(list(capabilities))
            problems.append(
                (where, f"{name!r} is not an actor of this variant; allowed: {allowed}")
            )
        elif factor * capabilities[name] > 1:
            message = (
                f"got {factor!r}, which makes the capability of {name} "
                f"{factor * capabilities[name]:.4g}; allowed: a multiplier of at most "
                f"{1 / capabilities[name]:.4g} (capability stays at most 1)"
            )
            problems.append((where, message))
    return problems


def variant_problems(variant: Variant, crisis: Crisis, here: Location) -> Problems:
    """Names a variant refers to must exist once its earlier changes are applied."""
    problems = _member_problems(variant, crisis, here)
    kept = [name for name in crisis.member_names if name not in variant.remove_members]
    members = kept + [member.name for member in variant.add_members]
    for name in variant.set_commitment:
        if name not in members:
            message = f"{name!r} is not a coalition member; allowed: {_names(members)}"
            problems.append(((*here, "set_commitment", name), message))
    return problems + _scale_problems(variant, crisis, here)


def scenario_problems(scenario: Scenario) -> Problems:
    """Variant names are unique and each variant refers to existing actors."""
    problems: Problems = []
    first: dict[str, int] = {}
    for index, variant in enumerate(scenario.variants):
        if variant.name in first:
            message = (
                f"got {variant.name!r}, already the name of variants[{first[variant.name]}]; "
                "allowed: a name used by no other variant"
            )
            problems.append((("variants", index, "name"), message))
        first.setdefault(variant.name, index)
        problems += variant_problems(variant, scenario.crisis, ("variants", index))
    return problems
