"""Key paths into the scenario schema: validating them, describing them, and ``--set``.

A key path is written with dots, ``alliance.hold_back_h`` or ``air.sorties.0.start`` (list
items by index). :func:`resolve_path` checks a path against the schema and suggests the
nearest valid key ("did you mean …?") when a segment is unknown; :func:`expectation` says in
words what a field accepts (type, bounds, units); :func:`apply_override` applies one
``--set path=value`` to scenario data.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Union

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from kabulsim.scenario.schema import Scenario
from kabulsim.scenario.yaml_io import KeyPath, YamlProblem, parse_value

EXTENDS = "extends"
"""The top-level key naming the scenario file this one builds on."""


class PathProblem(ValueError):
    """A key path that does not exist in the schema; the message suggests a valid key."""


@dataclass(frozen=True)
class Target:
    """Where a key path leads in the schema.

    Attributes:
        path: the path, with list indexes as ints.
        field: the field the last key names (None for the whole scenario or a list item).
        annotation: the type expected at the path, Optional unwrapped.
        nullable: whether null is accepted.

    """

    path: KeyPath
    field: FieldInfo | None
    annotation: Any
    nullable: bool


def dotted(path: KeyPath) -> str:
    """Write a key path with dots: ``air.sorties.0.start``."""
    return ".".join(str(p) for p in path) if path else "(top level)"


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        if len(args) == 1:
            return _strip_annotated(args[0]), nullable
    return _strip_annotated(annotation), False


def _strip_annotated(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def _model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _list_item(annotation: Any) -> Any | None:
    """The item type of ``tuple[X, ...]`` or ``list[X]``, else None."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    if origin is list and len(args) == 1:
        return args[0]
    return None


def _dict_value(annotation: Any) -> Any | None:
    """The value type of ``dict[str, X]``, else None."""
    if typing.get_origin(annotation) is dict:
        return typing.get_args(annotation)[1]
    return None


def suggest(name: str, valid: list[str]) -> str:
    """A ``did you mean …?`` hint (or the list of valid keys) for an unknown key."""
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return "valid keys here: " + ", ".join(valid)


def valid_keys(path: KeyPath) -> list[str]:
    """The keys accepted in the mapping at ``path`` (``extends`` too at the top level)."""
    target = resolve_path(path)
    model = _model(target.annotation)
    if model is None:
        return []
    keys = list(model.model_fields)
    return [EXTENDS, *keys] if not path else keys


def resolve_path(path: KeyPath) -> Target:
    """Follow a key path through the schema.

    Args:
        path: keys and list indexes (indexes may be given as digit strings).

    Raises:
        PathProblem: a segment is not a key of the schema at that level, or the path goes
            below a plain value.

    """
    annotation: Any = Scenario
    field: FieldInfo | None = None
    nullable = False
    done: list[str | int] = []
    for seg in path:
        model = _model(annotation)
        item = _list_item(annotation)
        value = _dict_value(annotation)
        if value is not None:
            field = None
            annotation, nullable = _unwrap_optional(value)
            done.append(str(seg))
        elif model is not None:
            name = str(seg)
            if name not in model.model_fields:
                keys = list(model.model_fields)
                where = f"in {dotted(tuple(done))}" if done else "at the top level"
                raise PathProblem(
                    f"{dotted((*done, name))}: unknown key {name!r} {where}; {suggest(name, keys)}"
                )
            field = model.model_fields[name]
            annotation, nullable = _unwrap_optional(field.annotation)
            done.append(name)
        elif item is not None:
            if isinstance(seg, bool) or not (
                isinstance(seg, int) or (isinstance(seg, str) and seg.isdigit())
            ):
                raise PathProblem(
                    f"{dotted((*done, seg))}: {dotted(tuple(done))} is a list; expected an item"
                    f" number (0, 1, ...), got {seg!r}"
                )
            field = None
            annotation, nullable = _unwrap_optional(item)
            done.append(int(seg))
        else:
            raise PathProblem(
                f"{dotted((*done, seg))}: {dotted(tuple(done))} is a single value, it has no"
                f" key {str(seg)!r}"
            )
    return Target(tuple(done), field, annotation, nullable)


def _bounds(field: FieldInfo | None) -> str:
    if field is None:
        return ""
    parts: list[str] = []
    for meta in field.metadata:
        if isinstance(meta, annotated_types.Ge):
            parts.append(f">= {meta.ge:g}")
        elif isinstance(meta, annotated_types.Gt):
            parts.append(f"> {meta.gt:g}")
        elif isinstance(meta, annotated_types.Le):
            parts.append(f"<= {meta.le:g}")
        elif isinstance(meta, annotated_types.Lt):
            parts.append(f"< {meta.lt:g}")
    return " and ".join(parts)


def _units(field: FieldInfo | None) -> str:
    if field is None:
        return ""
    extra = field.json_schema_extra
    if isinstance(extra, dict) and isinstance(extra.get("units"), str):
        return str(extra["units"])
    return ""


def expectation(path: KeyPath) -> str:
    """What the field at ``path`` accepts, in words: ``a number >= 0 (h)``.

    Returns an empty string for a path that is not in the schema.
    """
    try:
        target = resolve_path(path)
    except PathProblem:
        return ""
    ann = target.annotation
    bounds = _bounds(target.field)
    units = _units(target.field)
    model = _model(ann)
    item = _list_item(ann)
    if model is not None:
        text = "a mapping with keys " + ", ".join(model.model_fields)
    elif _dict_value(ann) is not None:
        inner = _model(_unwrap_optional(_dict_value(ann))[0])
        text = "a mapping of keys" + (
            " to mappings with keys " + ", ".join(inner.model_fields) if inner is not None else ""
        )
    elif item is not None:
        inner = _model(_unwrap_optional(item)[0])
        text = "a list" + (
            " of mappings with keys " + ", ".join(inner.model_fields) if inner is not None else ""
        )
    elif ann is bool:
        text = "true or false"
    elif ann is int:
        text = "a whole number" + (f" {bounds}" if bounds else "")
    elif ann is float:
        text = "a number" + (f" {bounds}" if bounds else "")
    elif ann is str:
        metadata = target.field.metadata if target.field is not None else []
        longest = next((m.max_length for m in metadata if getattr(m, "max_length", None)), None)
        text = "text" + (f" of at most {longest:,} characters" if longest else "")
    elif ann is datetime:
        text = "a date and time such as 2001-11-12T09:00 (Kabul local time unless offset given)"
    elif typing.get_origin(ann) is Literal:
        text = "one of " + ", ".join(str(a) for a in typing.get_args(ann))
    else:
        text = f"a value of type {getattr(ann, '__name__', ann)}"
    if units and ann in (int, float):
        text += f" ({units})"
    if target.nullable:
        text += ", or null"
    return text


def split_override(text: str) -> tuple[KeyPath, Any]:
    """Split ``path.to.key=value`` into a validated key path and the parsed value.

    Raises:
        PathProblem: no ``=``, an empty or unknown path, or a value that is not valid YAML.

    """
    key, eq, raw = text.partition("=")
    key = key.strip()
    if not eq:
        raise PathProblem(f"--set {text}: expected KEY=VALUE, e.g. --set alliance.hold_back_h=336")
    if not key or any(not seg for seg in key.split(".")):
        raise PathProblem(f"--set {text}: expected a key path such as alliance.hold_back_h")
    segments: KeyPath = tuple(key.split("."))
    if segments == (EXTENDS,):
        raise PathProblem(f"--set {text}: 'extends' cannot be overridden; edit the file instead")
    try:
        target = resolve_path(segments)
    except PathProblem as exc:
        raise PathProblem(f"--set {text}: {exc}") from None
    try:
        value = parse_value(raw)
    except YamlProblem as exc:
        raise PathProblem(f"--set {text}: {dotted(target.path)}: {exc.detail}") from None
    return target.path, value


def _default_at(path: KeyPath) -> Any:
    """The baseline default at ``path``, as plain data."""
    node: Any = Scenario().model_dump(mode="json")
    for seg in path:
        if isinstance(node, dict) and seg not in node:
            return {}  # a key of a mapping the baseline leaves empty (fronts.<front>)
        node = node[seg]
    return node


def apply_override(data: dict[str, Any], path: KeyPath, value: Any) -> None:
    """Set ``value`` at ``path`` in scenario ``data`` (in place), creating sections as needed.

    A section or list that the data does not spell out is first copied from the baseline
    defaults, so ``air.sorties.1.strike_sorties_per_day=0`` changes one period and keeps the
    others, and ``alliance.composition.tajik=0.7`` keeps the other shares.

    Raises:
        PathProblem: a list index beyond the end of the list, or a section that the data
            holds as something other than a mapping.

    """
    node: Any = data
    for i, seg in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(node, dict) and seg not in node:
            default = _default_at(path[: i + 1])
            node[seg] = default if isinstance(default, dict | list) else {}
        child = node[seg]
        if isinstance(nxt, int):
            if not isinstance(child, list):
                raise PathProblem(f"{dotted(path[: i + 1])}: expected a list to index into")
            if not 0 <= nxt < len(child):
                raise PathProblem(
                    f"{dotted(path[: i + 2])}: no item {nxt}; {dotted(path[: i + 1])} has"
                    f" {len(child)} item(s)"
                )
        elif not isinstance(child, dict):
            raise PathProblem(
                f"{dotted(path[: i + 1])}: holds {type(child).__name__}, not a mapping of keys"
            )
        node = child
    node[path[-1]] = value
