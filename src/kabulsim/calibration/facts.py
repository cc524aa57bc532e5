"""The facts of the record, read from one file: what the calibration fits and what it never sees.

The facts live in ``kabulsim/data/facts.yaml`` (shipped in the wheel), one entry per fact:

* ``key``: a short name (lower case, digits and ``_``), unique in the file;
* ``place``: where it happened (a place of the theatre, or ``theatre`` for the whole);
* ``use``: ``fit`` (the record the model is judged and, where a statistic exists, calibrated
  against: it decides ``kabulsim validate``'s exit status) or ``held_out`` (never read by the
  calibration: scored by ``kabulsim validate`` as an out-of-sample prediction, never deciding
  its exit status);
* ``fact``: the fact in words;
* ``measures``: the statistic's ``kind`` (one of :data:`KINDS`) and the summary ``columns`` it
  reads (``parameters`` for the two kinds that check scenario inputs);
* ``record``: what the record says, by kind: a ``window`` (``[from, until]``, Kabul local
  time, ``until`` excluded; a date alone means 00:00), a ``range`` (``[low, high]``), or a
  share ``at_least`` (``at_most`` for a wait), with the kind's further thresholds;
* ``tolerance``: the check in words; ``source``: the sentence quoted; ``citation``: where
  it comes from; optionally ``note`` and, for a held-out fact the record also informed through
  an input, ``independent: false`` with the reason in ``note``.

:func:`load` reads and checks a facts file: every problem is one line naming the file, the
fact and the field, and what is expected (:class:`FactsError`). The calibration's statistics
(:mod:`kabulsim.calibration.statistics`) are the ``fit`` facts whose kind has a statistic
(:data:`STATISTIC_KINDS`); ``kabulsim validate`` (:mod:`kabulsim.analysis.validation`) checks
the ``fit`` facts and scores the ``held_out`` ones. The logic of each kind stays code, keyed
by the kind's name.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias

from kabulsim.timebase import KABUL

SHIPPED_NAME = "facts.yaml"
"""The facts file in the package's data folder."""

USES = ("fit", "held_out")
"""What a fact is for: fitted (and checked) or held out (scored out of sample)."""

KINDS: dict[str, dict[str, Any]] = {
    # kind: columns it reads (None: any number >= 1), the record's form, further thresholds.
    "time": {"columns": 1, "record": "window", "extra": ()},
    "gap": {"columns": 2, "record": "range", "extra": ()},
    "value": {"columns": 1, "record": "range", "extra": ()},
    "share": {"columns": None, "record": "share", "extra": ()},
    "evacuation": {
        "columns": 5,
        "record": "share",
        "extra": ("treasury_at_least", "weapons_left_at_least"),
    },
    "routes": {"columns": 2, "record": "share", "extra": ()},
    "atef": {
        "columns": 4,
        "record": "share",
        "extra": ("strike_in_window_at_least", "window_after_entry_h"),
    },
    "stalemate": {"columns": 0, "record": "share", "extra": ("drift_below",)},
    "input_date": {"columns": 0, "record": "date", "extra": ()},
    "input_range": {"columns": 0, "record": "ranges", "extra": ()},
}
"""The kinds of statistic a fact may name, with what each needs from the file.

* ``time``: the median time of one column (``record.window``); never happening counts as later.
* ``gap``: the median of ``columns[0] - columns[1]`` in ``measures.units`` (``d`` or ``h``).
* ``value``: the median of one column (``record.range``), in ``measures.units``.
* ``share``: the share of replications in which ``measures.when`` holds of the columns
  (``true``, ``false``, ``present``, ``positive`` or ``{equals: value}``).
* ``evacuation``, ``routes``, ``atef``: a share with further conditions (see
  :mod:`kabulsim.analysis.validation`).
* ``stalemate``: the second run without an air campaign.
* ``input_date``, ``input_range``: checks of the scenario's inputs (no statistic).
"""

STATISTIC_KINDS = ("time", "gap", "value", "share", "evacuation", "routes", "atef")
"""The kinds with a statistic the calibration can fit (the others are not statistics of a
run: inputs no free parameter changes, or a second run)."""

SCORED_KINDS = ("time", "gap", "value", "share")
"""The kinds a held-out fact may have: those with a predictive distribution to score."""

WHEN = ("true", "false", "present", "positive")
"""The tests a ``share`` may apply to its columns, beside ``{equals: value}``."""

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELDS = {
    "key", "place", "use", "fact", "measures", "record", "tolerance", "source", "citation",
    "note", "independent",
}  # fmt: skip
_REQUIRED = ("key", "place", "use", "fact", "measures", "record", "tolerance", "source")
MAX_FACTS_BYTES = 500_000
"""Largest facts file read."""


class FactsError(ValueError):
    """A facts file that cannot be read or does not fit the format (one line)."""


@dataclass(frozen=True)
class FactSpec:
    """One fact of the file, checked.

    For the kinds read off a run, ``low`` and ``high`` are the record in the statistic's
    units (for ``time``: days after ``origin``, the window's start); ``one_sided`` names the
    limit that matters when the other is the best possible value (``"low"`` for "at least",
    ``"high"`` for "at most").
    """

    key: str
    place: str
    use: str
    fact: str
    kind: str
    columns: tuple[str, ...]
    tolerance: str
    source: str
    citation: str = ""
    note: str = ""
    independent: bool = True
    units: str = ""
    low: float = math.nan
    high: float = math.nan
    one_sided: str = ""
    origin: datetime | None = None
    when: str | tuple[str, Any] = ""
    extra: Mapping[str, float] = field(default_factory=dict)
    parameters: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    day: date | None = None

    @property
    def until(self) -> datetime | None:
        """The end of a time window (excluded), or None for other kinds."""
        if self.origin is None:
            return None
        return self.origin + timedelta(days=self.high)

    @property
    def record_text(self) -> str:
        """The record in words (a window, a range, a share)."""
        if self.kind == "time" and self.origin is not None and self.until is not None:
            return f"{_fmt(self.origin)} to {_fmt(self.until)} (Kabul time)"
        if self.one_sided == "low":
            return f"at least {self.low:g}"
        if self.one_sided == "high":
            return f"at most {self.high:g} {self.units}".rstrip()
        if self.kind in ("gap", "value") and self.low == self.high:
            return f"{self.low:,.4g} {self.units}".rstrip()
        if self.kind in ("gap", "value"):
            return f"{self.low:,.4g} to {self.high:,.4g} {self.units}".rstrip()
        return self.tolerance


@dataclass(frozen=True)
class FactSet:
    """The facts of one file, in the file's order."""

    facts: tuple[FactSpec, ...]
    source: str

    def used_for(self, use: str) -> tuple[FactSpec, ...]:
        """The facts marked ``use`` (``"fit"`` or ``"held_out"``)."""
        return tuple(f for f in self.facts if f.use == use)

    def by_key(self) -> dict[str, FactSpec]:
        """The facts by key."""
        return {f.key: f for f in self.facts}


def _fmt(t: datetime) -> str:
    return t.astimezone(KABUL).strftime("%d %b %Y %H:%M").lstrip("0")


def shipped_path() -> Path:
    """The facts file shipped in the package."""
    return Path(str(resources.files("kabulsim") / "data" / SHIPPED_NAME))


def _instant(value: Any) -> datetime | None:
    """A window's end: a date (00:00) or 'YYYY-MM-DD HH:MM', Kabul local time."""
    if isinstance(value, datetime):
        return None  # YAML read it as UTC: ambiguous, refused (quote it)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=KABUL)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        if parsed.tzinfo is not None:
            return None
        return parsed.replace(tzinfo=KABUL)
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


class _Problem(Exception):
    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}")


def _check_record(kind: str, record: Any, measures: Mapping[str, Any]) -> dict[str, Any]:
    """The record's fields for ``kind``, checked (raises :class:`_Problem`)."""
    form = KINDS[kind]["record"]
    if not isinstance(record, Mapping):
        raise _Problem("record", "expected a mapping (window, range, at_least...)")
    out: dict[str, Any] = {}
    allowed: set[str] = set(KINDS[kind]["extra"])
    if form == "window":
        allowed.add("window")
        w = record.get("window")
        times = [_instant(v) for v in w] if isinstance(w, list) and len(w) == 2 else [None]
        if None in times or times[0] >= times[1]:  # type: ignore[operator]
            raise _Problem(
                "record.window",
                "expected [from, until] with from before until, each a date or a quoted"
                " 'YYYY-MM-DD HH:MM' in Kabul local time",
            )
        start, until = times
        assert start is not None and until is not None
        out.update(origin=start, low=0.0, high=(until - start).total_seconds() / 86400.0)
        out["units"] = f"days after {start.day} {start:%b %H:%M}"
    elif form == "range":
        allowed |= {"range", "at_most", "best"}
        units = measures.get("units")
        if kind == "gap" and units not in ("d", "h"):
            raise _Problem("measures.units", "expected d or h (the gap's units)")
        if not isinstance(units, str):
            raise _Problem("measures.units", "expected the statistic's units (text)")
        out["units"] = "days" if units == "d" else units
        if "at_most" in record:
            high, best = _number(record["at_most"]), _number(record.get("best", 0.0))
            if high is None or best is None or best >= high:
                raise _Problem("record.at_most", "expected a number above best (default 0)")
            out.update(low=best, high=high, one_sided="high")
        else:
            r = record.get("range")
            ends = [_number(v) for v in r] if isinstance(r, list) and len(r) == 2 else [None]
            if None in ends or ends[0] > ends[1]:  # type: ignore[operator]
                raise _Problem("record.range", "expected [low, high], two numbers, low <= high")
            out.update(low=ends[0], high=ends[1])
    elif form == "share":
        allowed.add("at_least")
        p = _number(record.get("at_least"))
        if p is None or not 0.0 <= p < 1.0:
            raise _Problem("record.at_least", "expected a share from 0 to below 1")
        out.update(low=p, high=1.0, one_sided="low", units="share")
    elif form == "date":
        allowed.add("date")
        d = record.get("date")
        if not isinstance(d, date) or isinstance(d, datetime):
            raise _Problem("record.date", "expected a date (YYYY-MM-DD)")
        out["day"] = d
    elif form == "ranges":
        allowed.add("ranges")
        ranges = record.get("ranges")
        if not isinstance(ranges, Mapping) or not ranges:
            raise _Problem("record.ranges", "expected {parameter: [low, high], ...}")
        parsed = {}
        for name, r in ranges.items():
            ends = [_number(v) for v in r] if isinstance(r, list) and len(r) == 2 else [None]
            if None in ends or ends[0] > ends[1]:  # type: ignore[operator]
                raise _Problem(f"record.ranges.{name}", "expected [low, high], low <= high")
            parsed[str(name)] = (ends[0], ends[1])
        out["parameters"] = parsed
    extra = {}
    for name in KINDS[kind]["extra"]:
        x = _number(record.get(name))
        if x is None:
            raise _Problem(f"record.{name}", f"expected a number (kind {kind} needs it)")
        extra[name] = x
    out["extra"] = extra
    unknown = sorted(set(map(str, record)) - allowed)
    if unknown:
        raise _Problem(
            f"record.{unknown[0]}",
            f"not a field of a {kind} record; expected {', '.join(sorted(allowed))}",
        )
    return out


def _check_when(kind: str, measures: Mapping[str, Any]) -> str | tuple[str, Any]:
    if kind != "share":
        return ""
    when = measures.get("when")
    if isinstance(when, bool):
        when = "true" if when else "false"
    if isinstance(when, str) and when in WHEN:
        return when
    if isinstance(when, Mapping) and list(when) == ["equals"]:
        return ("equals", when["equals"])
    raise _Problem(
        "measures.when", f"expected one of {', '.join(WHEN)} or {{equals: value}} for a share"
    )


def _check_fact(entry: Any, seen: set[str]) -> FactSpec:
    if not isinstance(entry, Mapping):
        raise _Problem("", "expected a mapping with key, place, use, fact, measures, record...")
    unknown = sorted(set(map(str, entry)) - _FIELDS)
    if unknown:
        raise _Problem(unknown[0], f"not a field of a fact; expected {', '.join(sorted(_FIELDS))}")
    for name in _REQUIRED:
        if name not in entry:
            raise _Problem(name, "missing (every fact needs it)")
    key = entry["key"]
    if not isinstance(key, str) or not _KEY.match(key):
        raise _Problem("key", "expected lower-case letters, digits and _, starting with a letter")
    if key in seen:
        raise _Problem("key", f"{key!r} appears twice; keys are unique")
    for name in ("place", "fact", "tolerance", "source", "citation", "note"):
        if name in entry and not (isinstance(entry[name], str) and entry[name].strip()):
            raise _Problem(name, "expected non-empty text")
    use = entry["use"]
    if use not in USES:
        raise _Problem("use", f"expected fit or held_out, not {use!r}")
    measures = entry["measures"]
    if not isinstance(measures, Mapping):
        raise _Problem("measures", "expected a mapping with kind and columns")
    kind = measures.get("kind")
    if kind not in KINDS:
        raise _Problem("measures.kind", f"expected one of {', '.join(KINDS)}, not {kind!r}")
    if use == "held_out" and kind not in SCORED_KINDS:
        raise _Problem(
            "measures.kind", f"a held-out fact is scored: expected one of {', '.join(SCORED_KINDS)}"
        )
    extra_fields = sorted(
        set(map(str, measures)) - {"kind", "columns", "units", "when", "parameters"}
    )
    if extra_fields:
        raise _Problem(
            f"measures.{extra_fields[0]}", "expected kind, columns, units, when, parameters"
        )
    params = measures.get("parameters")
    if kind == "input_date":
        if not (isinstance(params, list) and len(params) == 1 and isinstance(params[0], str)):
            raise _Problem("measures.parameters", "expected [the dotted path of one date input]")
    elif params is not None:
        raise _Problem("measures.parameters", f"only an input_date names parameters, not {kind}")
    columns = measures.get("columns", [])
    need = KINDS[kind]["columns"]
    if (
        not isinstance(columns, list)
        or not all(isinstance(c, str) and _KEY.match(c) for c in columns)
        or (need is None and not columns)
        or (need is not None and len(columns) != need)
    ):
        count = "one or more" if need is None else str(need)
        raise _Problem("measures.columns", f"expected {count} summary column name(s) for {kind}")
    when = _check_when(kind, measures)
    parsed = _check_record(kind, entry["record"], measures)
    if kind == "input_date":
        assert isinstance(params, list)
        parsed["parameters"] = {params[0]: (math.nan, math.nan)}
    independent = entry.get("independent", True)
    if not isinstance(independent, bool):
        raise _Problem("independent", "expected true or false")
    if not independent and "note" not in entry:
        raise _Problem("note", "a fact that is not independent says why in a note")
    return FactSpec(
        key=key,
        place=entry["place"],
        use=use,
        fact=entry["fact"],
        kind=kind,
        columns=tuple(columns),
        tolerance=entry["tolerance"],
        source=entry["source"],
        citation=entry.get("citation", ""),
        note=entry.get("note", ""),
        independent=independent,
        when=when,
        **parsed,
    )


def parse(data: Any, source: str) -> FactSet:
    """Check the data of a facts file (see the module's docstring) and build its facts.

    Raises:
        FactsError: the first problem, in one line naming ``source``, the fact and the field.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("facts"), list):
        raise FactsError(f"{source}: expected a mapping with a list 'facts'")
    if set(data) - {"facts"}:
        other = sorted(set(map(str, data)) - {"facts"})[0]
        raise FactsError(f"{source}: {other}: not a field of the file; expected facts")
    facts: list[FactSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(data["facts"]):
        key = entry.get("key") if isinstance(entry, Mapping) else None
        name = f"fact {key!r}" if isinstance(key, str) else f"fact #{i + 1}"
        try:
            spec = _check_fact(entry, seen)
        except _Problem as exc:
            raise FactsError(f"{source}: {name}: {str(exc).lstrip(': ')}") from None
        seen.add(spec.key)
        facts.append(spec)
    return FactSet(tuple(facts), source)


def load(path: str | os.PathLike[str] | None = None) -> FactSet:
    """Read and check a facts file (the shipped one when ``path`` is None).

    Raises:
        FactsError: unreadable, not YAML, or a fact that does not fit the format.
    """
    from kabulsim.scenario.yaml_io import YamlProblem, read_yaml

    p = shipped_path() if path is None else Path(path)
    name = SHIPPED_NAME if path is None else str(p)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise FactsError(f"{name}: cannot read the facts file ({exc.strerror})") from None
    if len(raw) > MAX_FACTS_BYTES:
        raise FactsError(f"{name}: larger than {MAX_FACTS_BYTES:,} bytes; is it a facts file?")
    try:
        text = raw.decode("utf-8")
        doc = read_yaml(text)
    except UnicodeDecodeError:
        raise FactsError(f"{name}: not UTF-8 text") from None
    except YamlProblem as exc:
        where = f" line {exc.line}" if exc.line else ""
        raise FactsError(f"{name}:{where}: {exc.detail}") from None
    return parse(doc.data, name)


FactsSpec: TypeAlias = "FactSet | str | os.PathLike[str] | None"
"""How an entry point names the facts: a loaded :class:`FactSet`, the path of a facts file,
or None for the shipped file."""

_SHIPPED: FactSet | None = None


def shipped() -> FactSet:
    """The facts file shipped in the package (read once)."""
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = load()
    return _SHIPPED
