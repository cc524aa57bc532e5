"""Loading a scenario from a YAML file into a validated :class:`Scenario`.

A scenario file is a mapping of schema keys. It may build on another file with a top-level
``extends: other.yaml`` (the path is relative to the file; chains are allowed, cycles are
errors): the two are deep-merged, mappings key by key and lists and values replaced whole.
``--set path.to.key=value`` overrides (see :mod:`kabulsim.scenario.overrides`) are applied
last. Everything is validated against the schema, and any problem is raised as a
:class:`ScenarioError` whose message names the file, the line where known, the key path and
what is expected, e.g.::

    scenarios/x.yaml:12: alliance.hold_back_h: expected a number >= 0 (h), got 'soon'
"""

from __future__ import annotations

import math
import os
import re
import stat
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from kabulsim.scenario.overrides import (
    EXTENDS,
    PathProblem,
    apply_override,
    dotted,
    expectation,
    resolve_path,
    split_override,
    suggest,
    valid_keys,
)
from kabulsim.scenario.schema import Scenario
from kabulsim.scenario.yaml_io import MAX_BYTES, KeyPath, YamlProblem, read_yaml

MAX_CHAIN = 20
"""Longest chain of ``extends`` followed."""

Origin = tuple[str, int | None]
"""Where a value was written: a file name (or ``--set ...``) and a 1-based line."""


class ScenarioError(ValueError):
    """A scenario file or override that cannot be used; the message names file and key."""


@dataclass(frozen=True)
class Resolved:
    """A scenario resolved from its file, what it extends and its overrides.

    Attributes:
        scenario: the validated scenario.
        path: the file, or None for the built-in baseline defaults.
        extends: the file it extends directly, if any.
        data: the merged data that was validated (plain, before defaults).
        origins: key path -> where the value was written.

    """

    scenario: Scenario
    path: Path | None
    extends: Path | None
    data: dict[str, Any]
    origins: dict[KeyPath, Origin] = field(repr=False)


def _where(origin: Origin) -> str:
    label, line = origin
    return f"{label}:{line}" if line is not None else label


def _canonical(path: Path, label: str) -> Path:
    """``path`` with every symbolic link resolved (a loop or an impossible name is an error)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # RuntimeError: a symbolic link loop
        reason = "a symbolic link loop" if isinstance(exc, RuntimeError) else _reason(exc)
        raise ScenarioError(f"{label}: cannot read the file ({reason})") from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return "the name is not a usable file name" if isinstance(exc, ValueError) else str(exc)


def _read_file(path: Path, label: str) -> tuple[dict[str, Any], dict[KeyPath, int]]:
    """Read one scenario file as a mapping, with the line of every key.

    Only a regular file is opened (a FIFO or a device would block or never end).
    """
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise ScenarioError(f"{label}: is a folder; expected a scenario YAML file")
        if not stat.S_ISREG(mode):
            raise ScenarioError(f"{label}: not a regular file; expected a scenario YAML file")
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except ScenarioError:
        raise
    except FileNotFoundError:
        raise ScenarioError(f"{label}: no such file; expected a scenario YAML file") from None
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{label}: cannot read the file ({_reason(exc)})") from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError(
            f"{label}: larger than {MAX_BYTES // 1000} kB; a scenario file is a few kB of YAML"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            f"{label}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        ) from None
    try:
        doc = read_yaml(text)
    except YamlProblem as exc:
        where = f"{label}:{exc.line}" if exc.line is not None else label
        raise ScenarioError(f"{where}: {exc.detail}") from None
    if doc.data is None:
        raise ScenarioError(
            f"{label}: the file is empty; expected a mapping of scenario keys, e.g."
            " 'extends: baseline.yaml' and the values that change"
        )
    if not isinstance(doc.data, dict):
        raise ScenarioError(
            f"{label}:1: (top level): expected a mapping of scenario keys (key: value lines),"
            f" got {_got(doc.data) if _is_yaml(path) else _kind(doc.data)}"
        )
    _check_plain(doc.data, (), label, doc.lines)
    return doc.data, doc.lines


def _check_plain(value: Any, path: KeyPath, label: str, lines: dict[KeyPath, int]) -> None:
    """Refuse keys that are not text and numbers that are not finite."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                line = lines.get((*path, str(key)))
                where = f"{label}:{line}" if line is not None else label
                raise ScenarioError(
                    f"{where}: {dotted((*path, str(key)))}: a key must be a name (text), got"
                    f" {_got(key)}"
                )
            _check_plain(item, (*path, key), label, lines)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_plain(item, (*path, i), label, lines)
    elif isinstance(value, str) and _unprintable(value) is not None:
        line = lines.get(path)
        where = f"{label}:{line}" if line is not None else label
        raise ScenarioError(
            f"{where}: {dotted(path)}: expected printable text, got a control character or"
            f" lone surrogate (U+{_unprintable(value):04X})"
        )
    elif isinstance(value, float) and not math.isfinite(value):
        line = lines.get(path)
        where = f"{label}:{line}" if line is not None else label
        exp = expectation(path) or "a finite number"
        raise ScenarioError(f"{where}: {dotted(path)}: expected {exp}, got {_got(value)}")


def _unprintable(text: str) -> int | None:
    """The code of the first control character or lone surrogate in ``text``, or None.

    Tab and newline are allowed (a multi-line description).
    """
    for ch in text:
        if ch not in "\t\n" and unicodedata.category(ch) in ("Cc", "Cs"):
            return ord(ch)
    return None


def _drop_under(origins: dict[KeyPath, Origin], path: KeyPath) -> None:
    for key in [k for k in origins if k[: len(path)] == path]:
        del origins[key]


def _merge(
    base: dict[str, Any],
    over: dict[str, Any],
    origins: dict[KeyPath, Origin],
    over_origins: dict[KeyPath, Origin],
    prefix: KeyPath = (),
) -> dict[str, Any]:
    """Deep-merge ``over`` into a copy of ``base``: mappings merge, the rest replaces."""
    out = dict(base)
    for key, value in over.items():
        path = (*prefix, key)
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            if path in over_origins:
                origins[path] = over_origins[path]
            out[key] = _merge(out[key], value, origins, over_origins, path)
        else:
            _drop_under(origins, path)
            for sub, origin in over_origins.items():
                if sub[: len(path)] == path:
                    origins[sub] = origin
            out[key] = value
    return out


def _load_chain(
    path: Path, label: str, seen: tuple[Path, ...]
) -> tuple[dict[str, Any], dict[KeyPath, Origin], Path | None]:
    """Read a file and, recursively, what it extends; return merged data and origins."""
    data, lines = _read_file(path, label)
    origins: dict[KeyPath, Origin] = {p: (label, line) for p, line in lines.items()}
    if EXTENDS not in data:
        return data, origins, None
    target = data.pop(EXTENDS)
    where = _where((label, lines.get((EXTENDS,))))
    if not isinstance(target, str) or not target.strip():
        raise ScenarioError(
            f"{where}: extends: expected the file name of a scenario to build on, relative to"
            f" this file (e.g. baseline.yaml), got {_got(target)}"
        )
    if not target.endswith((".yaml", ".yml")):
        # Never open (and so never quote in an error) a file that is not a scenario.
        raise ScenarioError(
            f"{where}: extends: expected a scenario file ending in .yaml or .yml, got a name"
            " without that ending"
        )
    parent = path.parent / target
    parent_label = str(parent)
    key = _canonical(parent, parent_label)
    if key in seen:
        names = [str(p.name) for p in (*seen, key)]
        cycle = names[names.index(key.name) :]
        raise ScenarioError(
            f"{where}: extends: cycle: {' -> '.join(cycle)}; a scenario cannot extend itself"
        )
    if len(seen) >= MAX_CHAIN:
        raise ScenarioError(f"{where}: extends: more than {MAX_CHAIN} files in the chain")
    if not os.path.lexists(parent):
        raise ScenarioError(
            f"{where}: extends: {target!r} not found (looked for {parent_label}); the path is"
            " relative to the extending file"
        )
    base, base_origins, _ = _load_chain(parent, parent_label, (*seen, key))
    _drop_under(base_origins, (EXTENDS,))
    merged_origins = dict(base_origins)
    return _merge(base, data, merged_origins, origins), merged_origins, parent


def _is_yaml(path: Path) -> bool:
    """Whether ``path`` is named as a YAML file (only then is its content quoted in errors)."""
    return path.suffix.lower() in (".yaml", ".yml")


def _kind(value: Any) -> str:
    """What sort of value ``value`` is, without quoting it."""
    return "text" if isinstance(value, str) else _got(value) if value is None else "a value"


def _got(value: Any) -> str:
    """Describe a value the user wrote, briefly."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    return str(value)


_KEY_IN_MESSAGE = re.compile(r"^([a-z_]+(?:\.[a-z0-9_]+)*) = ")


def _origin_of(loc: KeyPath, origins: dict[KeyPath, Origin], fallback: Origin) -> Origin:
    """Where the value at ``loc`` (or its nearest written parent) was written."""
    for n in range(len(loc), 0, -1):
        origin = origins.get(loc[:n])
        if origin is not None:
            return origin
    for key, origin in origins.items():  # a value set below loc, e.g. by --set
        if loc and key[: len(loc)] == loc:
            return origin
    return fallback


def _known_loc(loc: KeyPath) -> KeyPath:
    """The longest prefix of an error location that is a path of the schema."""
    for n in range(len(loc), -1, -1):
        try:
            resolve_path(loc[:n])
        except PathProblem:
            continue
        return loc[:n]
    return ()


def _message(err: ErrorDetails, origins: dict[KeyPath, Origin], fallback: Origin) -> str:
    """One line for one pydantic error: where, which key, what is expected, what was found."""
    loc: KeyPath = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        name = str(loc[-1])
        parent = _known_loc(loc[:-1])
        keys = [k for k in valid_keys(parent) if k != EXTENDS or parent]
        where = f"in {dotted(parent)}" if parent else "at the top level"
        what = f"unknown key {name!r} {where}; {suggest(name, keys)}"
        return f"{_where(_origin_of(loc, origins, fallback))}: {dotted(loc)}: {what}"
    if kind == "value_error":
        text = str(err["msg"]).removeprefix("Value error, ")
        if not loc:
            found = _KEY_IN_MESSAGE.match(text)
            if found:
                key: KeyPath = tuple(
                    int(s) if s.isdigit() else s for s in found.group(1).split(".")
                )
                return f"{_where(_origin_of(key, origins, fallback))}: {text}"
            return f"{_where(fallback)}: {text}"
        return f"{_where(_origin_of(loc, origins, fallback))}: {dotted(loc)}: {text}"
    known = _known_loc(loc)
    exp = expectation(known)
    where = _where(_origin_of(known, origins, fallback))
    if kind == "missing":
        detail = f"required key missing; expected {exp}" if exp else "required key missing"
        return f"{where}: {dotted(loc)}: {detail}"
    if exp:
        return f"{where}: {dotted(known)}: expected {exp}, got {_got(value)}"
    return f"{where}: {dotted(known)}: {err['msg']}"


def _validate(data: dict[str, Any], origins: dict[KeyPath, Origin], fallback: Origin) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        text = _message(errors[0], origins, fallback)
        if len(errors) > 1:
            more = len(errors) - 1
            text += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise ScenarioError(text) from None


def resolve(path: str | Path | None = None, overrides: Sequence[str] = ()) -> Resolved:
    """Read, merge, override and validate a scenario, keeping track of where values came from.

    Args:
        path: the YAML file, or None for the built-in baseline defaults.
        overrides: ``"path.to.key=value"`` strings applied after the file (and what it
            extends); the value is read as YAML (``[]``, ``null``, ``2001-11-01T00:00``).

    Raises:
        ScenarioError: anything wrong with the file, what it extends, or the overrides.

    """
    data: dict[str, Any] = {}
    origins: dict[KeyPath, Origin] = {}
    parent: Path | None = None
    p = Path(path) if path is not None else None
    fallback: Origin = ("baseline defaults", None)
    if p is not None:
        label = str(p)
        fallback = (label, None)
        data, origins, parent = _load_chain(p, label, (_canonical(p, label),))
    for text in overrides:
        try:
            key, value = split_override(text)
            _check_plain(value, key, f"--set {text}", {})
            apply_override(data, key, value)
        except PathProblem as exc:
            message = str(exc)
            if not message.startswith("--set "):
                message = f"--set {text}: {message}"
            raise ScenarioError(message) from None
        _drop_under(origins, key)
        origins[key] = (f"--set {text}", None)
    scenario = _validate(data, origins, fallback)
    return Resolved(scenario=scenario, path=p, extends=parent, data=data, origins=origins)


def load_scenario(path: str | Path | None = None, overrides: Sequence[str] = ()) -> Scenario:
    """Load and validate a scenario file; ``None`` gives the baseline defaults.

    Args:
        path: the YAML file, or None for the built-in baseline.
        overrides: ``"path.to.key=value"`` strings applied after loading.

    Raises:
        ScenarioError: the file is missing, not YAML, does not validate, or an override
            names an unknown key or a bad value; the message names file, line and key.

    """
    return resolve(path, overrides).scenario


def _flatten(value: Any, path: KeyPath, out: dict[KeyPath, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, (*path, key), out)
    else:
        out[path] = value


def differences(old: Scenario, new: Scenario) -> list[tuple[str, Any, Any]]:
    """The values that differ between two scenarios, as ``(key path, old, new)``.

    Lists of equal length are compared item by item (``air.sorties.1.north_share``); a list
    whose length changed is reported whole; a key only one of them has (a front declared
    under ``fronts:``) is reported with null on the other side. Values are plain data (dates
    as ISO text).
    """
    a: dict[KeyPath, Any] = {}
    b: dict[KeyPath, Any] = {}
    _flatten(old.model_dump(mode="json"), (), a)
    _flatten(new.model_dump(mode="json"), (), b)
    out: list[tuple[str, Any, Any]] = []
    for key, before in a.items():
        after = b[key]
        if before == after:
            continue
        if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
            for i, (x, y) in enumerate(zip(before, after, strict=True)):
                fx: dict[KeyPath, Any] = {}
                fy: dict[KeyPath, Any] = {}
                _flatten(x, (*key, i), fx)
                _flatten(y, (*key, i), fy)
                out.extend((dotted(k), fx[k], fy.get(k)) for k in fx if fx[k] != fy.get(k))
        else:
            out.append((dotted(key), before, after))
    # a key only one of them has (a front one declares under fronts:): absent is null
    out.extend((dotted(k), None, v) for k, v in b.items() if k not in a and v is not None)
    out.extend((dotted(k), v, None) for k, v in a.items() if k not in b and v is not None)
    return out
