"""Turn pydantic validation errors into one-line, human-readable problems.

Each problem reads ``field.path[0].name: got <value>; allowed: <what is allowed>``; the
loader prefixes it with ``file:line:``. The text of "what is allowed" comes from the
schema itself: an :class:`Allowed` marker in a field's ``Annotated`` metadata, the
values of a ``Literal``, or the ``noun`` and fields of a model.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union

import pydantic

__all__ = [
    "REFERENCES_ERROR",
    "Allowed",
    "Location",
    "describe",
    "format_path",
    "format_value",
    "located_problems",
    "translate_errors",
]

Location = tuple[str | int, ...]

REFERENCES_ERROR = "references"
"""Error type of the cross-field checks; their ``ctx["problems"]`` holds
``(relative location, message)`` pairs."""

_MAX_VALUE_CHARS = 80


class Allowed:
    """Marker for ``Annotated`` metadata: the human-readable set of allowed values."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"Allowed({self.text!r})"


def format_path(location: Sequence[str | int]) -> str:
    """``("variants", 1, "name")`` -> ``"variants[1].name"``; ``()`` -> ``"(top level)"``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def format_value(value: Any) -> str:
    """The ``repr`` of a received value, shortened to one readable line."""
    if isinstance(value, pydantic.BaseModel):
        value = value.model_dump()
    text = repr(value)
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 3] + "..."
    return text


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """Strip ``Annotated`` and ``Optional`` layers; return the core type and metadata."""
    metadata: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            metadata.extend(annotation.__metadata__)
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation, metadata
            annotation = members[0]
        else:
            return annotation, metadata


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel)


def annotation_at(root: type[pydantic.BaseModel], location: Location) -> tuple[Any, list[Any]]:
    """The annotation (and its metadata) of the schema element at ``location``.

    Returns ``(None, [])`` when the location does not lead through the schema.
    """
    annotation: Any = root
    metadata: list[Any] = []
    for part in location:
        annotation, _ = _unwrap(annotation)
        origin = typing.get_origin(annotation)
        if _is_model(annotation) and part in annotation.model_fields:
            field = annotation.model_fields[part]
            annotation, metadata = field.annotation, list(field.metadata)
        elif origin is list and isinstance(part, int):
            annotation, metadata = typing.get_args(annotation)[0], []
        elif origin is dict:
            annotation, metadata = typing.get_args(annotation)[1], []
        else:
            return None, []
    annotation, extra = _unwrap(annotation)
    return annotation, metadata + extra


def _literal_name(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return str(value)


def describe(annotation: Any, metadata: Sequence[Any] = ()) -> str:
    """What a schema element allows, in words."""
    for item in metadata:
        if isinstance(item, Allowed):
            return item.text
    annotation, extra = _unwrap(annotation)
    for item in extra:
        if isinstance(item, Allowed):
            return item.text
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return ", ".join(_literal_name(value) for value in typing.get_args(annotation))
    if _is_model(annotation):
        noun = getattr(annotation, "noun", annotation.__name__)
        return f"{noun}: {', '.join(annotation.model_fields)}"
    if origin is list:
        least = max((getattr(item, "min_length", 0) or 0 for item in metadata), default=0)
        items = "item" if least == 1 else "items"
        kind = "a list" if least == 0 else f"a list of at least {least} {items}"
        return f"{kind}; each item {describe(typing.get_args(annotation)[0])}"
    if annotation is bool:
        return "true or false"
    return getattr(annotation, "__name__", str(annotation))


def _describe_location(root: type[pydantic.BaseModel], location: Location) -> str | None:
    annotation, metadata = annotation_at(root, location)
    if annotation is None:
        return None
    return describe(annotation, metadata)


def _translate_one(root: type[pydantic.BaseModel], error: Any) -> list[tuple[Location, str]]:
    location: Location = tuple(part for part in error["loc"] if part != "[key]")
    kind = error["type"]
    if kind == REFERENCES_ERROR:
        return [(location + tuple(rel), message) for rel, message in error["ctx"]["problems"]]
    if kind == "extra_forbidden":
        parent, _ = annotation_at(root, location[:-1])
        fields = ", ".join(parent.model_fields) if _is_model(parent) else "none"
        return [(location, f"unknown field; allowed fields: {fields}")]
    allowed = _describe_location(root, location) or error["msg"].lower()
    if kind == "missing":
        return [(location, f"missing; required ({allowed})")]
    if kind in ("model_type", "model_attributes_type", "dict_type") and not location:
        return [(location, f"got {format_value(error['input'])}; allowed: a mapping")]
    return [(location, f"got {format_value(error['input'])}; allowed: {allowed}")]


def located_problems(
    error: pydantic.ValidationError, root: type[pydantic.BaseModel]
) -> list[tuple[Location, str]]:
    """Each problem in ``error`` as ``(location, "field.path: message")``."""
    problems = []
    for item in error.errors(include_url=False):
        for location, message in _translate_one(root, item):
            problems.append((location, f"{format_path(location)}: {message}"))
    return problems


def translate_errors(error: pydantic.ValidationError, root: type[pydantic.BaseModel]) -> list[str]:
    """One line per problem in ``error``, locations relative to the model ``root``."""
    return [text for _, text in located_problems(error, root)]
