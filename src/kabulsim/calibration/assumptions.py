"""Assumption priors: the counterfactual mechanisms' inputs that no record constrains.

Two layers of uncertainty sit under every counterfactual answer. The first is what the
record constrains: the thirteen calibrated parameters, drawn per replication from the ensemble
(:mod:`kabulsim.calibration.ensemble`). The second is what only assumptions constrain: the
hazards and rates of the mechanisms that decide a counterfactual and that the 2001 record
never exercised (who fills an empty Kabul and whether they fight, a Taliban return, looting
and policing; how a defended Kabul would have been besieged; when the Taliban command
abandons a line). The calibration holds them at their schema values, so an answer computed
from the ensemble alone carries none of their uncertainty.

This module declares them once (:data:`DECLARED`), each with a prior and its provenance:

* the range is the schema's plausible range (``param(plausible=...)``), which names its
  source (Kabul 1992-96, the cities of 2001, docs/hold_back_sources.md); a declared range
  may be narrower, never wider. The faction entry hazards, a list in the schema, take the
  range its source gives (0.001-0.05 /h);
* the prior is **uniform**, or **log-uniform** when the range spans an order of magnitude
  or more (upper/lower >= 10), as for the calibrated parameters
  (:mod:`kabulsim.calibration.priors`).

A parameter whose draws move the baseline's own fitted facts is constrained by the record,
not only by assumptions, and is left out (:data:`EXCLUDED`, with the measurement).

With assumptions on, replication ``i`` of a run seeded ``s`` draws every assumption from a
stream seeded by ``(s, i)`` alone (:meth:`AssumptionSet.draw`, its own spawn-key entry apart
from the model's and the ensemble member's), so the draws are the same whatever the worker,
the engine or the scenario: two scenarios of a comparison pair their assumption values as
they pair their random numbers and their ensemble member. A value the scenario itself
changes from the baseline's is kept (the scenario's question wins), as with the ensemble.

A user can replace the declared priors with a YAML file (:func:`load`)::

    vacuum.clash_per_h: {low: 0.005, high: 0.02, prior: log-uniform}
    vacuum.return_per_h: {}          # the schema's plausible range, default prior

Every entry is checked against the schema: an unknown path, a calibrated parameter, a range
outside the schema's plausible range (or its hard bounds) is an :class:`AssumptionError`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
from pydantic import BaseModel

from kabulsim.scenario.schema import Scenario

ASSUMPTION_STREAM = 0x41535355
"""Extra spawn-key entry of the assumption-drawing stream (apart from the model's and the
ensemble member's)."""

DEFAULT = "declared"
"""The name of the declared priors (:data:`DECLARED`)."""

NONE = "none"
"""The name that asks for no assumption draws: every assumption at its schema value."""

LOG_RATIO = 10.0
"""A range whose upper end is at least this multiple of its lower end gets a log-uniform prior."""

PRIORS = ("uniform", "log-uniform")

MAX_FILE_BYTES = 100_000
"""The largest assumptions file read."""

VACUUM = "who fills an empty Kabul"
SIEGE = "a defended Kabul"

HOLD_BACK_DOC = "docs/hold_back_sources.md"


class AssumptionError(ValueError):
    """An assumption prior that does not fit the schema (one line, naming what is expected)."""


@dataclass(frozen=True)
class Declaration:
    """An assumption as declared: path, mechanism, provenance and an optional narrower range."""

    path: str
    mechanism: str
    provenance: str
    low: float | None = None
    high: float | None = None
    prior: str | None = None


_FACTION_RANGE = (0.001, 0.05)
_FACTION_PROVENANCE = (
    "the schema's vacuum.factions source: hazards 0.001-0.05 /h, 'days, as in April 1992'"
    f" (HRW 2005; {HOLD_BACK_DOC} section 3)"
)

DECLARED: tuple[Declaration, ...] = (
    Declaration("vacuum.factions.0.entry_per_h", VACUUM, _FACTION_PROVENANCE, *_FACTION_RANGE),
    Declaration("vacuum.factions.1.entry_per_h", VACUUM, _FACTION_PROVENANCE, *_FACTION_RANGE),
    Declaration("vacuum.factions.2.entry_per_h", VACUUM, _FACTION_PROVENANCE, *_FACTION_RANGE),
    Declaration(
        "vacuum.clash_per_h",
        VACUUM,
        f"clashes within days of the factions' entry, April-May 1992 (HRW 2005; {HOLD_BACK_DOC}"
        " section 3)",
    ),
    Declaration(
        "vacuum.clash_h", VACUUM, "bouts of days to weeks, three weeks in August 1992 (HRW 2005)"
    ),
    Declaration(
        "vacuum.arbiter_coverage",
        VACUUM,
        "share of Quinlivan's police ratio an international force needs to stop factions"
        " fighting (Quinlivan 1995)",
    ),
    Declaration(
        "vacuum.order_coverage",
        VACUUM,
        "coverage that restores order: half Quinlivan's lower ratio, range 0.3-0.9",
    ),
    Declaration(
        "vacuum.looting_civilians_per_day",
        VACUUM,
        "looting in 1992 (Washington Post, 3 May 1992, in HRW 2005) and on 13 Nov 2001"
        " (ABC News: 'civilians were unharmed')",
    ),
    Declaration("vacuum.militia_h", VACUUM, "local militias arm within a day or so (source text)"),
    Declaration(
        "vacuum.looting_per_faction",
        VACUUM,
        "armed factions loot as local militias do (Washington Post, 3 May 1992, in HRW 2005)",
    ),
    Declaration(
        "vacuum.return_per_h",
        VACUUM,
        "Taliban 'falling back to another line' (VOA, 13 Nov 2001); resupply at Maidan Shahr"
        " (Evening Standard, Nov 2001)",
    ),
    Declaration(
        "vacuum.return_fighters",
        VACUUM,
        "a part of those who withdrew towards Kandahar, never more than them",
    ),
    Declaration(
        "vacuum.return_morale", VACUUM, "a force regrouped in the south, with its own resolve"
    ),
    Declaration(
        "alliance.open_city_factor", VACUUM, "an empty city invites units in (13 Nov 2001)"
    ),
    Declaration(
        "alliance.rival_factor",
        VACUUM,
        "commanders will not leave the capital to a rival (Abdullah Abdullah, NYT, 13 Nov"
        " 2001; Powell, 11 Nov 2001)",
    ),
    Declaration(
        "political.bonn_restraint",
        VACUUM,
        "the Bonn Agreement's pledge to withdraw military units from Kabul (Annex I)",
    ),
    Declaration(
        "alliance.urban_defence_factor",
        SIEGE,
        "defenders in a city inflict losses at a higher rate (the cities of 2001: Kunduz,"
        " Kandahar)",
    ),
    Declaration(
        "alliance.city_breakpoint_factor",
        SIEGE,
        "a force that chose to defend its capital holds longer",
    ),
    Declaration(
        "alliance.siege_pressure_per_day",
        SIEGE,
        "Kunduz's two-week siege, Kandahar's surrender (Nov-Dec 2001)",
    ),
    Declaration(
        "alliance.surrender_resolve",
        SIEGE,
        "the garrisons of Kunduz and Kandahar negotiated once their position was hopeless",
    ),
    Declaration(
        "withdrawal.defend_resolve",
        SIEGE,
        "fighters who chose to stay and defend their capital",
    ),
)
"""The assumptions varied by default, with where each range comes from."""

EXCLUDED: dict[str, str] = {
    "command.withdraw_morale": "the record constrains it: drawn over its plausible range (0 to"
    " 0.15) it moves the baseline's own fitted dates (Spearman 0.36 with the fall of Kabul;"
    " median fall 10 Nov 19:56 instead of 12 Nov 01:31 over 200 runs), so it belongs to the"
    " calibration (fit=True), not to this layer",
}
"""Unfitted parameters of the counterfactual mechanisms left out of :data:`DECLARED`, and why."""


@dataclass(frozen=True)
class Assumption:
    """One assumption with its prior, resolved against the schema."""

    path: str
    low: float
    high: float
    prior: str
    default: float
    units: str
    mechanism: str
    provenance: str

    def value(self, u: float) -> float:
        """The prior's quantile at ``u`` in [0, 1)."""
        if self.prior == "log-uniform":
            a, b = math.log(self.low), math.log(self.high)
            return math.exp(a + u * (b - a))
        return self.low + u * (self.high - self.low)


# --- The schema, read by dotted path -------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    default: Any
    units: str
    plausible: tuple[float, float] | None
    bounds: tuple[float, float]
    """The hard bounds (ge/gt, le/lt) the schema enforces (infinite where none)."""
    fit: bool
    source: str


def _bounds(info: Any) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    for m in getattr(info, "metadata", ()):
        for name in ("ge", "gt"):
            if getattr(m, name, None) is not None:
                low = max(low, float(getattr(m, name)))
        for name in ("le", "lt"):
            if getattr(m, name, None) is not None:
                high = min(high, float(getattr(m, name)))
    return low, high


def _field(path: str) -> _Field | None:
    """The schema's field at ``path`` (``part.name`` or ``vacuum.factions.N.name``), or None."""
    model: Any = Scenario()
    info: Any = None
    for seg in path.split("."):
        if isinstance(model, tuple):
            if not seg.isdigit() or int(seg) >= len(model):
                return None
            model = model[int(seg)]
            continue
        if not isinstance(model, BaseModel) or seg not in type(model).model_fields:
            return None
        info = type(model).model_fields[seg]
        model = getattr(model, seg)
    if info is None or isinstance(model, bool) or not isinstance(model, int | float):
        return None
    raw = info.json_schema_extra
    extra: dict[str, Any] = raw if isinstance(raw, dict) else {}
    rng = extra.get("plausible_range")
    plausible = (float(str(rng[0])), float(str(rng[1]))) if isinstance(rng, list) else None
    units = str(extra.get("units", ""))
    if not units:  # a list item's field states its units in its description: "... (1/h)."
        found = re.search(r"\(([^()]*)\)\.?$", str(info.description or ""))
        units = found.group(1) if found else ""
    return _Field(
        default=float(model),
        units=units,
        plausible=plausible,
        bounds=_bounds(info),
        fit=bool(extra.get("fit")),
        source=str(extra.get("source", "")),
    )


def _source_range(path: str) -> tuple[float, float] | None:
    """The range the schema's source text gives a list item's field (faction entry hazards)."""
    if re.fullmatch(r"vacuum\.factions\.\d+\.entry_per_h", path):
        return _FACTION_RANGE
    return None


def _resolve(decl: Declaration, where: str) -> Assumption:
    """A declaration checked against the schema (see the module docstring)."""
    name = f"{where}: {decl.path[:80]!r}"
    field = _field(decl.path)
    if field is None:
        raise AssumptionError(
            f"{name}: no such number in the schema (expected a dotted path to a numeric"
            " parameter, such as vacuum.clash_per_h or vacuum.factions.0.entry_per_h)"
        )
    if field.fit:
        raise AssumptionError(
            f"{name}: a calibrated parameter (the ensemble draws it); an assumption is a"
            " parameter the calibration does not fit"
        )
    limit = field.plausible or _source_range(decl.path)
    if limit is None:
        raise AssumptionError(
            f"{name}: the schema gives this parameter no plausible range, so no prior can be"
            " checked against its sources"
        )
    low = decl.low if decl.low is not None else limit[0]
    high = decl.high if decl.high is not None else limit[1]
    numbers = all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        for v in (low, high)
    )
    if not numbers or not low < high:
        raise AssumptionError(f"{name}: expected finite numbers low < high, got {low!r}, {high!r}")
    low, high = float(low), float(high)
    if low < limit[0] or high > limit[1]:
        raise AssumptionError(
            f"{name}: range {low:g} to {high:g} is outside the schema's plausible range"
            f" {limit[0]:g} to {limit[1]:g} (a prior may be narrower, never wider)"
        )
    b_low, b_high = field.bounds
    if low < b_low or high > b_high:
        raise AssumptionError(
            f"{name}: range {low:g} to {high:g} is outside the schema's bounds {b_low:g} to"
            f" {b_high:g}"
        )
    prior = decl.prior
    if prior is None:
        prior = "log-uniform" if low > 0 and high / low >= LOG_RATIO else "uniform"
    if prior not in PRIORS:
        raise AssumptionError(f"{name}: prior {str(prior)[:40]!r}: expected one of {PRIORS}")
    if prior == "log-uniform" and low <= 0:
        raise AssumptionError(f"{name}: a log-uniform prior needs low > 0, got {low:g}")
    return Assumption(
        path=decl.path,
        low=low,
        high=high,
        prior=prior,
        default=field.default,
        units=field.units,
        mechanism=decl.mechanism,
        provenance=decl.provenance,
    )


# --- A set of assumptions: the draws per replication --------------------------------------


def _set_path(data: Any, path: str, value: float) -> None:
    *parents, last = path.split(".")
    node = data
    for seg in parents:
        node = node[int(seg)] if isinstance(node, list) else node[seg]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _get_path(data: Any, path: str) -> Any:
    node = data
    for seg in path.split("."):
        node = node[int(seg)] if isinstance(node, list) else node[seg]
    return node


@dataclass(frozen=True)
class AssumptionSet:
    """The assumptions a run draws, in a fixed order, and where they were declared."""

    items: tuple[Assumption, ...]
    source: str = DEFAULT
    """``declared`` (this module's :data:`DECLARED`) or the file they were read from."""

    @property
    def paths(self) -> list[str]:
        """The dotted paths, in draw order."""
        return [a.path for a in self.items]

    def draw(self, seed: int, rep: int) -> dict[str, float]:
        """The values replication ``rep`` of a run seeded ``seed`` takes (one uniform each)."""
        stream = np.random.SeedSequence(seed, spawn_key=(rep, ASSUMPTION_STREAM))
        u = np.random.default_rng(stream).random(len(self.items))
        return {a.path: a.value(float(x)) for a, x in zip(self.items, u, strict=True)}

    def draws(self, seed: int, reps: Sequence[int]) -> np.ndarray:
        """The values of replications ``reps`` as a (replications, assumptions) array."""
        out = np.empty((len(reps), len(self.items)))
        for i, rep in enumerate(reps):
            out[i] = list(self.draw(seed, int(rep)).values())
        return out

    def apply(self, scenario: Scenario, values: Mapping[str, float]) -> Scenario:
        """``scenario`` with ``values``, except where the scenario changed them itself."""
        base = Scenario().model_dump(mode="json")
        data = scenario.model_dump(mode="json")
        for path, value in values.items():
            try:
                mine = _get_path(data, path)
            except (KeyError, IndexError):
                continue  # the scenario declares its own list (factions): its own values
            try:
                theirs = _get_path(base, path)
            except (KeyError, IndexError):
                continue
            if theirs == mine:
                _set_path(data, path, float(value))
        return Scenario.model_validate(data)

    def to_json(self) -> str:
        """The set as JSON: what a run's batches and manifest carry."""
        return json.dumps({"source": self.source, "items": [asdict(a) for a in self.items]})

    @classmethod
    def from_json(cls, text: str) -> AssumptionSet:
        """The set from :meth:`to_json`'s text."""
        data = json.loads(text)
        return cls(tuple(Assumption(**a) for a in data["items"]), str(data["source"]))

    def record(self) -> dict[str, Any]:
        """What a run's manifest records: the source, the priors and their hash."""
        text = self.to_json()
        return {
            "source": self.source,
            "parameters": [
                {"path": a.path, "low": a.low, "high": a.high, "prior": a.prior} for a in self.items
            ],
            "hash": hashlib.sha256(text.encode()).hexdigest(),
            "set": json.loads(text),
        }

    def table(self) -> list[dict[str, Any]]:
        """One row per assumption: path, mechanism, value, prior, range, units, provenance."""
        return [
            {
                "parameter": a.path,
                "mechanism": a.mechanism,
                "schema value": a.default,
                "prior": a.prior,
                "low": a.low,
                "high": a.high,
                "units": a.units,
                "provenance": a.provenance,
            }
            for a in self.items
        ]


def declared() -> AssumptionSet:
    """The declared assumptions (:data:`DECLARED`), checked against the schema."""
    return AssumptionSet(tuple(_resolve(d, "assumption") for d in DECLARED), DEFAULT)


def from_mapping(data: Any, where: str) -> AssumptionSet:
    """An assumption set from a mapping ``path -> {low, high, prior}`` (a file's contents)."""
    if not isinstance(data, dict) or not data:
        raise AssumptionError(
            f"{where}: expected a mapping of parameter paths to {{low, high, prior}}"
        )
    known = {d.path: d for d in DECLARED}
    items = []
    for path, spec in data.items():
        spec = {} if spec is None else spec
        if not isinstance(path, str) or not isinstance(spec, dict):
            raise AssumptionError(f"{where}: {str(path)[:80]!r}: expected {{low, high, prior}}")
        extra = set(spec) - {"low", "high", "prior"}
        if extra:
            raise AssumptionError(
                f"{where}: {path[:80]!r}: unknown key {sorted(extra)[0][:40]!r} (expected low,"
                " high, prior)"
            )
        mine = known.get(path)
        decl = Declaration(
            path,
            mine.mechanism if mine else "given",
            f"given in {Path(where).name}",
            spec.get("low", mine.low if mine else None),
            spec.get("high", mine.high if mine else None),
            spec.get("prior"),
        )
        items.append(_resolve(decl, where))
    return AssumptionSet(tuple(items), Path(where).name)


def load(path: str | os.PathLike[str]) -> AssumptionSet:
    """An assumption set from a YAML file (see the module docstring).

    Raises:
        AssumptionError: a missing or unreadable file, or an entry that does not fit the
            schema, naming the file and what is expected.
    """
    import yaml

    file = Path(path)
    try:
        raw = file.read_bytes()[: MAX_FILE_BYTES + 1]
    except OSError as exc:
        raise AssumptionError(f"{file}: {exc.strerror or 'unreadable'}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise AssumptionError(f"{file}: larger than {MAX_FILE_BYTES:,} bytes")
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        raise AssumptionError(f"{file}: not YAML text") from None
    return from_mapping(data, str(file))


AssumptionSpec: TypeAlias = AssumptionSet | str | os.PathLike[str] | None
"""How an entry point names assumptions: a set, ``"declared"``, ``"none"`` (or None: no
draws) or the path of a YAML file."""


def resolve(spec: AssumptionSpec) -> AssumptionSet | None:
    """The assumption set ``spec`` names (None for ``"none"`` and None)."""
    if spec is None or isinstance(spec, AssumptionSet):
        return spec
    text = os.fspath(spec)
    if text == NONE:
        return None
    return declared() if text == DEFAULT else load(text)
