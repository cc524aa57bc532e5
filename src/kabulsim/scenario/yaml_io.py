"""Reading scenario YAML safely: plain data only, with line numbers for every key.

:func:`read_yaml` composes the document with :class:`StrictLoader`, a ``SafeLoader`` that

* refuses tags that would build Python objects (``!!python/object`` and the like) with a
  clear message (safe loading already refuses them; the message says why);
* counts alias uses while composing and refuses a document with more than
  :data:`MAX_ALIASES` of them, caps nesting at :data:`MAX_DEPTH` and the expanded size at
  :data:`MAX_NODES` (a "billion laughs" document never gets expanded);
* rejects duplicate keys in a mapping, naming the line of the second one;

and returns the data together with a map from key paths (``("air", "sorties", 0,
"start")``) to 1-based line numbers, so that validation errors can point at the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
import yaml.reader
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_ALIASES = 100
"""Most alias uses (``*name``) a scenario document may contain."""

MAX_DEPTH = 20
"""Deepest nesting of mappings and lists a scenario document may contain."""

MAX_NODES = 20_000
"""Largest number of values a document may hold once its aliases are expanded."""

MAX_BYTES = 1_000_000
"""Largest scenario file read (a scenario is a few kilobytes)."""

KeyPath = tuple[str | int, ...]
"""A path into the scenario data: mapping keys and list indexes."""

_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
}


class YamlProblem(ValueError):
    """A document that cannot be read as plain scenario data.

    Attributes:
        line: 1-based line of the problem, or None when unknown.
        detail: what is wrong, without the file name.

    """

    def __init__(self, detail: str, line: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.line = line


@dataclass(frozen=True)
class YamlDocument:
    """Parsed YAML data with the line of every key and list item.

    Attributes:
        data: the plain Python data (dicts, lists, strings, numbers, dates, None).
        lines: key path -> 1-based line number where that key (or list item) is written.

    """

    data: Any
    lines: dict[KeyPath, int]


def _no_base_60(resolvers: dict[str, list[tuple[str, Any]]]) -> dict[str, list[tuple[str, Any]]]:
    """YAML 1.1 implicit resolvers without base-60 numbers (``1:2`` is text, not 62)."""
    import re

    plain = {
        "tag:yaml.org,2002:int": re.compile(
            r"""^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$""",
            re.X,
        ),
        "tag:yaml.org,2002:float": re.compile(
            r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
            |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
            |[-+]?\.(?:inf|Inf|INF)
            |\.(?:nan|NaN|NAN))$""",
            re.X,
        ),
    }
    return {
        first: [(tag, plain.get(tag, regexp)) for tag, regexp in entries]
        for first, entries in resolvers.items()
    }


class StrictLoader(yaml.SafeLoader):
    """A ``SafeLoader`` that limits aliases and nesting while composing the node tree.

    Base-60 numbers of YAML 1.1 are not resolved: ``1:2`` stays the text ``'1:2'`` (which
    validation refuses where a number is expected) instead of silently becoming 62.
    """

    yaml_implicit_resolvers = _no_base_60(yaml.SafeLoader.yaml_implicit_resolvers)

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._alias_uses = 0
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Compose one node, counting alias uses and nesting depth."""
        if self.check_event(AliasEvent):
            self._alias_uses += 1
            if self._alias_uses > MAX_ALIASES:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise YamlProblem(
                    f"more than {MAX_ALIASES} alias uses (*name); a scenario needs few or none",
                    mark.line + 1,
                )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise YamlProblem(
                    f"nested more than {MAX_DEPTH} levels deep; a scenario needs at most 4",
                    mark.line + 1,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _check_tags(node: Node) -> None:
    if node.tag not in _PLAIN_TAGS:
        tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
        raise YamlProblem(
            f"the YAML tag {tag!r} is not allowed: scenario files hold plain data only"
            " (numbers, text, dates, true/false, null, lists and mappings), never Python"
            " objects",
            _line(node),
        )


def _walk(
    node: Node,
    path: KeyPath,
    lines: dict[KeyPath, int],
    sizes: dict[int, int],
    active: set[int],
) -> int:
    """Check tags, duplicate keys and size; record lines; return the expanded size."""
    _check_tags(node)
    key = id(node)
    if key in active:
        raise YamlProblem("an alias refers to the mapping or list that contains it", _line(node))
    if key in sizes:  # an aliased node already checked: count its size again, nothing more
        return sizes[key]
    size = 1
    active.add(key)
    try:
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                _check_tags(key_node)
                if key_node.tag == "tag:yaml.org,2002:merge":
                    size += _walk(value_node, path, lines, sizes, active)
                    continue
                if not isinstance(key_node, ScalarNode):
                    raise YamlProblem(
                        "a key must be a plain name, not a list or mapping", _line(key_node)
                    )
                name = key_node.value
                if name in seen:
                    raise YamlProblem(
                        f"duplicate key {name!r} (first written on line {seen[name]})",
                        _line(key_node),
                    )
                seen[name] = _line(key_node)
                child = (*path, name)
                lines.setdefault(child, _line(key_node))
                size += 1 + _walk(value_node, child, lines, sizes, active)
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                child = (*path, i)
                lines.setdefault(child, _line(item))
                size += _walk(item, child, lines, sizes, active)
    finally:
        active.discard(key)
    sizes[key] = size
    if size > MAX_NODES:
        raise YamlProblem(
            f"the document expands to more than {MAX_NODES} values (aliases used to inflate it?)",
            _line(node),
        )
    return size


def read_yaml(text: str) -> YamlDocument:
    """Parse one YAML document as plain data, with a line number for every key.

    Args:
        text: the document.

    Returns:
        The data (None for an empty document) and the key-path -> line map.

    Raises:
        YamlProblem: malformed YAML, a disallowed tag, duplicate keys, too many aliases,
            too deep, or too large.

    """
    try:
        loader = StrictLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character anywhere in the text
        line = text.count("\n", 0, exc.position) + 1
        raise YamlProblem(
            f"not valid YAML: the character #x{exc.character:04x} is not allowed in YAML text",
            line,
        ) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or "malformed YAML"
            if exc.context and "single document" in str(exc.context):
                problem = "expected a single YAML document, found more than one ('---')"
            raise YamlProblem(
                f"not valid YAML: {problem}", None if mark is None else mark.line + 1
            ) from None
        except yaml.YAMLError as exc:
            raise YamlProblem(f"not valid YAML: {exc}") from None
        if node is None:
            return YamlDocument(None, {})
        lines: dict[KeyPath, int] = {}
        _walk(node, (), lines, {}, set())
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise YamlProblem(
                f"not valid YAML: {exc.problem}", None if mark is None else mark.line + 1
            ) from None
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            raise YamlProblem(f"not valid YAML: {exc}") from None
        return YamlDocument(data, lines)
    finally:
        loader.dispose()


def parse_value(text: str) -> Any:
    """Parse a command-line value as a YAML scalar or flow value (``[]``, ``null``, ``{a: 1}``).

    Raises:
        YamlProblem: the value is not valid YAML or uses a disallowed tag.

    """
    doc = read_yaml(text)
    return doc.data
