"""Cross-field checks of a scenario: unique actor and variant names, at least one model,
and each model's section and each variant's patches checked by the model itself.

Each check returns ``(location, message)`` pairs; the schema raises them as one error
so that the loader can report every problem with its field path and line.
"""

from __future__ import annotations

from riskengine.config.core import Problems
from riskengine.config.messages import Location
from riskengine.errors import ConfigError
from riskengine.models import MODEL_NAMES

__all__ = ["capable_actor_problems", "names_text", "scenario_problems", "unique_name_problems"]


def names_text(names) -> str:
    """Names as an allowed-values list, ``(none)`` when empty."""
    names = list(names)
    return ", ".join(names) if names else "(none)"


def unique_name_problems(names, field: str, what: str) -> Problems:
    """Each of ``names`` (items of the list ``field``) must be used once."""
    first: dict[str, int] = {}
    problems: Problems = []
    for index, name in enumerate(names):
        if name in first:
            message = (
                f"got {name!r}, already the name of {field}[{first[name]}]; "
                f"allowed: a name used by no other {what}"
            )
            problems.append(((field, index, "name"), message))
        first.setdefault(name, index)
    return problems


def capable_actor_problems(named, actors, where: str) -> Problems:
    """Each ``(location, name)`` of ``named`` must be an actor of the scenario with a
    capability, and each actor named once (``where``: "in the crisis", ...)."""
    from riskengine.config.messages import format_path

    problems: Problems = []
    first: dict[str, Location] = {}
    for location, name in named:
        if name not in actors:
            message = f"got {name!r}; allowed: an actor of the scenario: {names_text(actors)}"
            problems.append((location, message))
        elif name in first:
            message = (
                f"got {name!r}, already taking part as {format_path(first[name])}; allowed: "
                f"each actor once {where}"
            )
            problems.append((location, message))
        elif actors[name].capability is None:
            message = (
                f"actor {name!r} has no capability; allowed: an actor with a capability "
                "(set actors[].capability, a COW CINC share)"
            )
            problems.append((location, message))
        first.setdefault(name, location)
    return problems


def _prefixed(prefix: Location, problems: Problems) -> Problems:
    return [((*prefix, *location), message) for location, message in problems]


def _section_problems(scenario) -> Problems:
    sections = scenario.sections
    if not sections:
        message = f"no model section; allowed: at least one of: {names_text(MODEL_NAMES)}"
        return [((), message)]
    actors = scenario.actor_table
    problems: Problems = []
    for name, section in sections.items():
        problems += _prefixed((name,), section.problems(actors))
        problems += _prefixed((name,), section.scenario_problems(sections))
    return problems


def _patch_problems(scenario, variant, here: Location) -> Problems:
    sections, actors = scenario.sections, scenario.actor_table
    problems: Problems = []
    for name, patch in variant.patches().items():
        where = (*here, name)
        if name not in sections:
            message = (
                f"the scenario has no {name} section to change; allowed: changes to "
                f"{names_text(sections)}"
            )
            problems.append((where, message))
            continue
        found = patch.problems(sections[name], actors)
        if not found:
            found = _applied_problems(patch, sections[name], actors)
        problems += _prefixed(where, found)
    return problems


def _applied_problems(patch, section, actors) -> Problems:
    """Problems of the section once the patch is applied (e.g. a capability above 1)."""
    try:
        changed, changed_actors = patch.apply(section, actors)
    except ConfigError as error:
        return [((), f"the changed section is invalid: {'; '.join(error.problems)}")]
    return changed.problems(changed_actors)


def scenario_problems(scenario) -> Problems:
    """All cross-field problems of a scenario."""
    problems = unique_name_problems([a.name for a in scenario.actors], "actors", "actor")
    if problems:
        return problems
    problems += _section_problems(scenario)
    problems += unique_name_problems(scenario.variant_names, "variants", "variant")
    for index, variant in enumerate(scenario.variants):
        problems += _patch_problems(scenario, variant, ("variants", index))
    return problems
