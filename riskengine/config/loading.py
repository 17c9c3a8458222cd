"""Read scenario YAML files; report every problem of a file with its line number.

The only place in riskengine that reads YAML. Files are read with ``yaml.SafeLoader``;
the node tree is kept to map each field path to the line of its key, and to find
duplicate keys (which ``SafeLoader`` would silently accept, the last one winning).

Anchors and aliases are allowed, but a document whose aliases expand it to more than
``MAX_EXPANDED_NODES`` nodes (a "billion laughs" bomb), or whose aliases refer to
themselves, is refused from the node graph before anything walks the expanded data.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from riskengine.config.messages import Location, describe, format_path, located_problems
from riskengine.config.schema import Scenario
from riskengine.config.upgrade import is_version_1, version_1_message
from riskengine.errors import ConfigError

__all__ = [
    "MAX_EXPANDED_NODES",
    "load_scenario",
    "load_scenario_text",
    "read_yaml",
    "validate_files",
]

PathLike = str | os.PathLike[str]
_MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_EXPANDED_NODES = 100_000
"""Most nodes a YAML document may hold once its aliases are expanded (a scenario has a
few hundred)."""


def _expanded_size(node: yaml.Node, sizes: dict[int, int], active: set[int]) -> int:
    """Nodes below ``node`` with every alias expanded, memoised per node (so a bomb costs
    one visit per distinct node); a ``ValueError`` naming the node on a recursive alias."""
    if id(node) in sizes:
        return sizes[id(node)]
    if id(node) in active:
        raise ValueError(node)
    active.add(id(node))
    children: list[yaml.Node] = []
    if isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    size = 1
    for child in children:
        size += _expanded_size(child, sizes, active)
        if size > MAX_EXPANDED_NODES:
            break
    active.discard(id(node))
    sizes[id(node)] = size
    return size


def _alias_problem(node: yaml.Node, source: str) -> str | None:
    """One line when aliases make ``node`` recursive or too large once expanded."""
    try:
        size = _expanded_size(node, {}, set())
    except ValueError as error:
        (inner,) = error.args
        line = inner.start_mark.line + 1
        return (
            f"{source}:{line}: YAML alias refers to the node that contains it (a recursive "
            "alias); allowed: aliases of other nodes (write the value out)"
        )
    if size <= MAX_EXPANDED_NODES:
        return None
    return (
        f"{source}:{node.start_mark.line + 1}: YAML aliases expand the document to more than "
        f"{MAX_EXPANDED_NODES} nodes; allowed: at most {MAX_EXPANDED_NODES} (write the values "
        "out instead of nesting aliases of aliases)"
    )


class _Document:
    """A parsed YAML document: its data, the line of each field path, duplicate keys."""

    def __init__(self, text: str, source: str):
        self.source = source
        try:
            loader = yaml.SafeLoader(text)
            node = loader.get_single_node()
            self.lines: dict[Location, int] = {}
            self.problems: list[tuple[int, str]] = []
            if node is not None:
                if (problem := _alias_problem(node, source)) is not None:
                    raise ConfigError([problem])
                self.lines[()] = node.start_mark.line + 1
                self._index(loader, node, (), set())
            self.data: Any = None if node is None else loader.construct_document(node)
        except yaml.YAMLError as error:
            raise ConfigError([_yaml_problem(error, text, source)]) from None
        except RecursionError:
            raise ConfigError(
                [
                    f"{source}: YAML nested too deeply to read; allowed: a scenario's "
                    "mappings and lists (a few levels deep)"
                ]
            ) from None

    def _index(self, loader: yaml.SafeLoader, node: yaml.Node, here: Location, active: set[int]):
        """Record the line of every key and list item below ``node``; find duplicates."""
        if id(node) in active:  # a recursive alias
            return
        active = active | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.lines[(*here, index)] = item.start_mark.line + 1
                self._index(loader, item, (*here, index), active)
        elif isinstance(node, yaml.MappingNode):
            first_lines: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                    continue
                key = loader.construct_object(key_node)
                line = key_node.start_mark.line + 1
                if key in first_lines:
                    self._duplicate(key, line, first_lines[key], here)
                first_lines.setdefault(key, line)
                self.lines[(*here, key)] = line
                self._index(loader, value_node, (*here, key), active)

    def _duplicate(self, key: Any, line: int, first_line: int, here: Location) -> None:
        message = (
            f"{format_path((*here, key))}: duplicate key {key!r} (first at line {first_line}); "
            "allowed: each key once per mapping (delete one of them)"
        )
        self.problems.append((line, f"{self.source}:{line}: {message}"))

    def line_of(self, location: Location) -> int:
        """Line of the longest known prefix of ``location`` (the parent when missing)."""
        for end in range(len(location), -1, -1):
            if location[:end] in self.lines:
                return self.lines[location[:end]]
        return 1


def _yaml_problem(error: yaml.YAMLError, text: str, source: str) -> str:
    """One line describing a YAML syntax error."""
    mark = getattr(error, "problem_mark", None)
    if isinstance(error, yaml.reader.ReaderError):
        line = text[: error.position].count("\n") + 1
        return (
            f"{source}:{line}: not allowed in YAML: character #x{error.character:04x}; "
            "allowed: printable characters (delete the control character)"
        )
    if mark is None:
        return f"{source}: YAML error: {' '.join(str(error).split())}"
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    what = f"{context}, {problem}" if context else problem
    if isinstance(error, yaml.constructor.ConstructorError):  # well-formed, not plain data
        return (
            f"{source}:{mark.line + 1}: YAML value not allowed: {what} (column "
            f"{mark.column + 1}); allowed: plain YAML data: mappings with text keys, lists, "
            "text, numbers, true/false, null (no tags such as !!python/...)"
        )
    return (
        f"{source}:{mark.line + 1}: YAML syntax error: {what} (column {mark.column + 1}); "
        "fix the YAML syntax (indentation, colons, brackets, quotes)"
    )


def _top_level_problem(document: _Document) -> str | None:
    data = document.data
    if isinstance(data, dict):
        return None
    received = "an empty file" if data is None else f"a {type(data).__name__} ({data!r:.60})"
    line = document.line_of(())
    return f"{document.source}:{line}: (top level): got {received}; allowed: {describe(Scenario)}"


def _validate(document: _Document) -> Scenario:
    problems = list(document.problems)
    top_level = _top_level_problem(document)
    if top_level is not None:
        raise ConfigError([top_level, *(text for _, text in problems)])
    if is_version_1(document.data):
        line = document.line_of(("schema_version",))
        raise ConfigError([version_1_message(document.source, line)])
    try:
        scenario = Scenario.model_validate(document.data)
    except ValidationError as error:
        for location, text in located_problems(error, Scenario):
            line = document.line_of(location)
            problems.append((line, f"{document.source}:{line}: {text}"))
    if problems:
        raise ConfigError([text for _, text in sorted(problems, key=lambda item: item[0])])
    return scenario


def read_yaml(text: str, source: str = "<string>") -> Any:
    """The data of the YAML ``text``, read as the scenario loader reads it: safe tags only,
    aliases bounded, duplicate keys refused. Raises :class:`~riskengine.errors.ConfigError`
    (one line per problem, ``source:line:`` first) for any other YAML file riskengine reads.
    """
    document = _Document(text, source)
    if document.problems:
        raise ConfigError([text for _, text in sorted(document.problems, key=lambda p: p[0])])
    return document.data


def load_scenario_text(text: str, source: str = "<string>") -> Scenario:
    """Validate scenario YAML ``text``; ``source`` names it in problem messages.

    Raises :class:`~riskengine.errors.ConfigError` listing every problem.
    """
    document = _Document(text, source)
    scenario = _validate(document)
    scenario._attach_source(None, text)
    return scenario


def _read_text(path: Path, source: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            [f"{source}: file not found; allowed: the path of a scenario file"]
        ) from None
    except IsADirectoryError:
        raise ConfigError([f"{source}: is a directory; allowed: a scenario YAML file"]) from None
    except OSError as error:
        raise ConfigError([f"{source}: cannot read the file ({error.strerror})"]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start]
        raise ConfigError(
            [
                f"{source}:{line}: not UTF-8 text (byte 0x{byte:02x} at offset {error.start}); "
                "allowed: UTF-8 text (save the file as UTF-8)"
            ]
        ) from None


def load_scenario(path: PathLike) -> Scenario:
    """Read and validate the scenario file at ``path``.

    The file text and path stay available as ``scenario.source_text`` and
    ``scenario.source_path`` (for provenance). Raises
    :class:`~riskengine.errors.ConfigError` listing every problem of the file.
    """
    source = os.fspath(path)
    text = _read_text(Path(path), source)
    scenario = _validate(_Document(text, source))
    scenario._attach_source(Path(path), text)
    return scenario


def validate_files(paths: Iterable[PathLike]) -> dict[PathLike, list[str]]:
    """Problems per file (an empty list when the file is valid); never raises for content."""
    results: dict[PathLike, list[str]] = {}
    for path in paths:
        try:
            load_scenario(path)
        except ConfigError as error:
            results[path] = list(error.problems)
        else:
            results[path] = []
    return results
