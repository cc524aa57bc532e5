"""The ensemble file: accepted parameter sets with their weights, and where they came from.

An ensemble is two files side by side: ``NAME.parquet`` (one row per member: a column per
free parameter, by dotted path, and ``weight``; the weights sum to 1) and ``NAME.json`` (the
sidecar: the free parameters with their ranges and priors, the statistics fitted, the
scenario, the seed, the settings, the versions and the command that regenerates the file).
This module writes and reads both (one owner per format).

A run with an ensemble gives replication ``i`` the parameters of member
:meth:`Ensemble.member_for` ``(seed, i)``: drawn by weight from a stream seeded by
``(seed, i)`` alone, so the member is the same whatever the worker, the engine or the
scenario, and a paired comparison pairs the member as well as the random streams. The
scenario's own changes win: a free parameter that the scenario sets to a value other than
the baseline's keeps the scenario's value (:meth:`Ensemble.apply`); a sweep pins the
parameters on its grid (:meth:`Ensemble.without`).

Where a run names no ensemble, the command line and the package's API draw from the shipped
baseline ensemble (:data:`DEFAULT`, :func:`resolve`): thirteen parameters are known from no
source and many sets of them reproduce the record, so an answer at one set of values hides
an uncertainty the record leaves. ``none`` gives the single values of the schema.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from kabulsim.calibration.priors import FreeParameter, free_parameters, with_values
from kabulsim.files import FileProblem, atomic_path, atomic_write_text, read_bounded
from kabulsim.limits import MAX_ENSEMBLE_BYTES, MAX_ENSEMBLE_MEMBERS, MAX_SIDECAR_BYTES
from kabulsim.scenario.schema import Scenario

FORMAT = "kabulsim-ensemble/1"
SHIPPED = "baseline_ensemble"
"""The stem of the baseline's ensemble in the package's data folder."""

DEFAULT = "baseline"
"""The ensemble a run draws from when it names none: the shipped baseline ensemble."""

NONE = "none"
"""The name that asks for no ensemble: every replication at the scenario's own values."""

MEMBER_STREAM = 0x454E53
"""Extra spawn-key entry of the member-drawing stream (keeps it apart from the model's)."""


class EnsembleError(ValueError):
    """An ensemble file that cannot be read or does not fit the schema."""


def describe_parameters(params: tuple[FreeParameter, ...]) -> list[dict[str, Any]]:
    """The free parameters as the sidecar records them (path, range, prior, units)."""
    return [
        {"path": p.path, "low": p.low, "high": p.high, "prior": p.prior, "units": p.units}
        for p in params
    ]


@dataclass(frozen=True)
class Ensemble:
    """Accepted parameter sets with weights, and the sidecar's metadata."""

    members: pd.DataFrame
    """One row per member: a column per free parameter (dotted path) and ``weight``."""
    meta: dict[str, Any]
    source: str = ""
    """The file it was read from (empty when built in memory)."""

    @property
    def parameters(self) -> list[str]:
        """The parameter columns."""
        return [c for c in self.members.columns if c != "weight"]

    @property
    def weights(self) -> np.ndarray:
        """The members' weights (sum 1)."""
        return self.members["weight"].to_numpy(dtype=float)

    def __len__(self) -> int:
        return len(self.members)

    def member_for(self, seed: int, rep: int) -> int:
        """The member replication ``rep`` of a run seeded ``seed`` takes (drawn by weight)."""
        stream = np.random.SeedSequence(seed, spawn_key=(rep, MEMBER_STREAM))
        u = float(np.random.default_rng(stream).random())
        cum = np.cumsum(self.weights)
        return int(min(np.searchsorted(cum, u * cum[-1], side="right"), len(cum) - 1))

    @property
    def label(self) -> str:
        """A short name for people (see :func:`describe_record`)."""
        return describe_record(self.record())

    def values(self, member: int) -> dict[str, float]:
        """The parameter values of one member."""
        row = self.members.iloc[member]
        return {name: float(row[name]) for name in self.parameters}

    def apply(self, scenario: Scenario, member: int) -> Scenario:
        """``scenario`` with the member's values, except where the scenario changed them.

        A free parameter whose value in ``scenario`` differs from the baseline's was set by
        the scenario (its file or ``--set``): that value wins.
        """
        base = Scenario().model_dump(mode="json")
        mine = scenario.model_dump(mode="json")
        chosen: dict[str, float] = {}
        for path, value in self.values(member).items():
            a: Any = base
            b: Any = mine
            for seg in path.split("."):
                a, b = a[seg], b[seg]
            if a == b:
                chosen[path] = value
        return with_values(scenario, chosen)

    def without(self, paths: Iterable[str]) -> Ensemble:
        """The ensemble with ``paths`` left to the scenario (members and weights unchanged).

        A sweep pins the parameters on its grid this way: a grid value equal to the
        baseline's would otherwise be replaced by the member's (see :meth:`apply`).
        """
        drop = [p for p in paths if p in self.parameters]
        if not drop:
            return self
        return Ensemble(self.members.drop(columns=drop), self.meta, self.source)

    def to_json(self) -> str:
        """The members (values and weights) as JSON: what a run's batches carry."""
        data = {c: self.members[c].to_numpy(dtype=float).tolist() for c in self.members.columns}
        return json.dumps(data)  # Python's float repr: exact round trip

    @classmethod
    def from_json(cls, text: str, meta: dict[str, Any] | None = None) -> Ensemble:
        """An ensemble from :meth:`to_json`'s text."""
        members = pd.DataFrame(json.loads(text))
        return cls(members, dict(meta or {}))

    def record(self) -> dict[str, Any]:
        """What a run's manifest records: the source, size, fit and hashes.

        ``members_sha256`` is the SHA-256 of the members the batches carry (the run's
        ``ensemble_hash``, checked on resume); ``table_sha256`` that of the table file it
        was read from (empty when built in memory); ``hash`` the first 16 digits of the
        former (kept for the manifests written before).
        """
        import hashlib

        members = hashlib.sha256(self.to_json().encode()).hexdigest()
        table = ""
        if self.source and Path(self.source).is_file():
            digest = hashlib.sha256()
            with Path(self.source).open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            table = digest.hexdigest()
        return {
            "source": self.source,
            "members": len(self),
            "parameters": self.parameters,
            "command": self.meta.get("command", ""),
            "hash": members[:16],
            "members_sha256": members,
            "table_sha256": table,
        }

    def save(self, path_stem: Path) -> tuple[Path, Path]:
        """Write ``STEM.parquet`` and ``STEM.json``; return both paths."""
        path_stem.parent.mkdir(parents=True, exist_ok=True)
        table = path_stem.with_suffix(".parquet")
        sidecar = path_stem.with_suffix(".json")
        with atomic_path(table) as tmp:  # whole or absent
            self.members.to_parquet(tmp, index=False)
        atomic_write_text(sidecar, json.dumps(self.meta, indent=2, sort_keys=True) + "\n")
        return table, sidecar


def build(values: dict[str, np.ndarray], weights: np.ndarray, meta: dict[str, Any]) -> Ensemble:
    """An ensemble from accepted values and weights (normalised to sum 1)."""
    frame = pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in values.items()})
    w = np.asarray(weights, dtype=float)
    frame["weight"] = w / w.sum()
    return Ensemble(frame, {"format": FORMAT, **meta})


def _stem(path: Path) -> Path:
    return path.with_suffix("") if path.suffix in (".parquet", ".json") else path


def _read_sidecar(sidecar: Path) -> dict[str, Any]:
    """The sidecar, checked: a JSON object of this format whose parameters are well formed."""
    try:
        raw = read_bounded(sidecar, MAX_SIDECAR_BYTES, follow=True)
        meta = json.loads(raw.decode("utf-8"))
    except (FileProblem, OSError) as exc:
        raise EnsembleError(
            str(exc) if isinstance(exc, FileProblem) else f"{sidecar}: {exc}"
        ) from None
    except UnicodeDecodeError:
        raise EnsembleError(f"{sidecar}: not UTF-8 text; expected the JSON sidecar") from None
    except json.JSONDecodeError as exc:
        raise EnsembleError(f"{sidecar}: not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(meta, dict):
        raise EnsembleError(f"{sidecar}: expected a JSON object with 'format': {FORMAT!r}")
    if meta.get("format") != FORMAT:
        raise EnsembleError(f"{sidecar}: 'format' must be {FORMAT!r}")
    params = meta.get("parameters")
    shape = "expected a list of {path, low, high, prior, units} objects"
    if not isinstance(params, list) or not params:
        raise EnsembleError(f"{sidecar}: parameters: {shape}")
    seen: set[str] = set()
    for i, p in enumerate(params):
        if not isinstance(p, dict) or not isinstance(p.get("path"), str):
            raise EnsembleError(f"{sidecar}: parameters[{i}]: {shape}")
        low, high = p.get("low"), p.get("high")
        numbers = all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in (low, high)
        )
        if not numbers or not low < high:  # type: ignore[operator]
            raise EnsembleError(
                f"{sidecar}: parameters[{i}] ({p['path'][:80]}): expected finite numbers low < high"
            )
        if p["path"] in seen:
            raise EnsembleError(f"{sidecar}: parameters: {p['path'][:80]} listed twice")
        seen.add(p["path"])
    return meta


def _read_table(table: Path, meta: dict[str, Any]) -> pd.DataFrame:
    """The members, checked against the sidecar before and after reading.

    Before: the file's size, that it is Parquet, its member count and its columns (from the
    footer, without reading the data). After: finite values inside the sidecar's ranges,
    finite non-negative weights with a positive sum.
    """
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        size = table.stat().st_size
    except OSError as exc:
        raise EnsembleError(f"{table}: {exc.strerror}") from None
    if size > MAX_ENSEMBLE_BYTES:
        raise EnsembleError(
            f"{table}: {size:,} bytes; an ensemble table is at most {MAX_ENSEMBLE_BYTES:,}"
        )
    try:
        footer = pq.read_metadata(table)
    except (OSError, pa.ArrowException, ValueError):
        raise EnsembleError(
            f"{table}: not a Parquet table (unreadable or truncated); expected the members"
            " table written by kabulsim calibrate"
        ) from None
    if not 1 <= footer.num_rows <= MAX_ENSEMBLE_MEMBERS:
        raise EnsembleError(
            f"{table}: {footer.num_rows:,} members; expected from 1 to at most"
            f" {MAX_ENSEMBLE_MEMBERS:,} members"
        )
    ranges = {p["path"]: (float(p["low"]), float(p["high"])) for p in meta["parameters"]}
    columns = list(footer.schema.names)
    wanted = [*ranges, "weight"]
    for name in wanted:
        if name not in columns:
            raise EnsembleError(
                f"{table}: no column {name[:80]!r}; the sidecar lists it (expected one column"
                " per parameter of the sidecar and 'weight')"
            )
    extra = [c for c in columns if c not in wanted]
    if extra or len(columns) != len(wanted):
        raise EnsembleError(
            f"{table}: column {str(extra[0] if extra else 'repeated')[:80]!r} is not one of the"
            " sidecar's parameters (expected one column per parameter and 'weight')"
        )
    try:
        arrow = pq.read_table(table)
        members = arrow.to_pandas()
    except (OSError, pa.ArrowException, ValueError, MemoryError):
        raise EnsembleError(f"{table}: not a readable Parquet table") from None
    for name in wanted:
        if not pd.api.types.is_numeric_dtype(members[name]) or pd.api.types.is_bool_dtype(
            members[name]
        ):
            raise EnsembleError(f"{table}: column {name!r}: expected numbers")
        values = members[name].to_numpy(dtype=float)
        if not np.all(np.isfinite(values)):
            raise EnsembleError(
                f"{table}: column {name!r}: expected finite numbers (no NaN or infinity)"
            )
        if name == "weight":
            if np.any(values < 0) or not values.sum() > 0:
                raise EnsembleError(
                    f"{table}: weight: expected finite, non-negative weights with a positive sum"
                )
            continue
        low, high = ranges[name]
        outside = (values < low) | (values > high)
        if outside.any():
            i = int(np.flatnonzero(outside)[0])
            raise EnsembleError(
                f"{table}: column {name!r}: member {i} is {values[i]:g}, outside the sidecar's"
                f" range {low:g} to {high:g}"
            )
    checked: pd.DataFrame = members[wanted].astype(float)
    return checked


def load(path: str | Path) -> Ensemble:
    """Read an ensemble from ``STEM.parquet`` (or the stem, or the sidecar's path).

    Everything is checked before a run uses it (:func:`_read_sidecar`, :func:`_read_table`):
    the format, the parameters and their ranges, the member count
    (:data:`~kabulsim.limits.MAX_ENSEMBLE_MEMBERS`), finite values inside the ranges and
    usable weights. Whether the parameters are those the schema calibrates is
    :func:`check_current`'s question.

    Raises:
        EnsembleError: a missing, unreadable or malformed file, or one that does not fit its
            sidecar, naming the file and what is expected.

    """
    stem = _stem(Path(path))
    table, sidecar = stem.with_suffix(".parquet"), stem.with_suffix(".json")
    for f in (table, sidecar):
        if not f.is_file():
            raise EnsembleError(f"{f}: no such ensemble file (expected STEM.parquet + STEM.json)")
    meta = _read_sidecar(sidecar)
    members = _read_table(table, meta)
    return Ensemble(members, meta, str(table))


def check_current(ens: Ensemble) -> None:
    """Refuse an ensemble made for other free parameters than the schema's.

    An ensemble with a parameter the schema does not calibrate would replace a value the
    scenario fixes; one without a calibrated parameter, or made for other ranges, samples
    another posterior than the one the scenario's parameters describe.

    Raises:
        EnsembleError: the first difference, naming the sidecar.
    """
    problems = stale_parameters(ens)
    if problems:
        where = Path(ens.source).with_suffix(".json") if ens.source else "the ensemble"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise EnsembleError(
            f"{where}: made for other parameters than the schema calibrates: {problems[0]}"
            f"{more}; make one with kabulsim calibrate, or run the single values: --ensemble none"
        )


def shipped_path() -> Path:
    """The stem of the baseline's ensemble shipped in the package."""
    return Path(str(resources.files("kabulsim") / "data" / SHIPPED))


def shipped() -> Ensemble:
    """The baseline's ensemble shipped in the package."""
    return load(shipped_path())


def describe_record(record: dict[str, Any] | None) -> str:
    """What a run drew its parameters from, in words, from its manifest's ``ensemble``.

    'the baseline ensemble (1,000 members)', the file's name with its size (never a local
    folder: the words go into reports that are shared), or, for None, the scenario's own
    values.
    """
    if not record:
        return "the scenario's own values (no ensemble)"
    source = str(record.get("source") or "")
    size = record.get("members")
    count = f"{size:,} members" if isinstance(size, int) else "members"
    shipped = shipped_path().with_suffix(".parquet")
    if source and (Path(source) == shipped or Path(source).name == shipped.name):
        return f"the baseline ensemble ({count})"
    return f"the ensemble {Path(source).name if source else 'built in memory'} ({count})"


EnsembleSpec: TypeAlias = Ensemble | str | os.PathLike[str] | None
"""How an entry point names an ensemble: an :class:`Ensemble`, ``"baseline"`` (the shipped
one), ``"none"`` or None (the scenario's own values), or the path of an ensemble file."""


def resolve(spec: EnsembleSpec, pin: Iterable[str] = ()) -> Ensemble | None:
    """The ensemble ``spec`` names (None for ``"none"`` and None).

    ``pin``: parameters left to the scenario (a sweep's or a family's axes: see
    :meth:`Ensemble.without`).

    Raises:
        EnsembleError: a path that is not a readable ensemble file.

    """
    if spec is None:
        return None
    if isinstance(spec, Ensemble):
        ens = spec
    else:
        text = os.fspath(spec)
        if text == NONE:
            return None
        ens = shipped() if text == DEFAULT else load(text)
        check_current(ens)
    return ens.without(pin)


def stale_parameters(ensemble: Ensemble) -> list[str]:
    """How the ensemble's free parameters differ from the schema's (empty when they match)."""
    now = describe_parameters(free_parameters())
    then = ensemble.meta.get("parameters", [])
    problems = []
    now_by = {p["path"]: p for p in now}
    then_by = {p["path"]: p for p in then}
    for path in sorted(set(now_by) | set(then_by)):
        if path not in then_by:
            problems.append(f"{path}: calibrated by the schema but not in the ensemble")
        elif path not in now_by:
            problems.append(f"{path}: in the ensemble but not calibrated by the schema")
        elif now_by[path] != then_by[path]:
            a, b = now_by[path], then_by[path]
            if (a["low"], a["high"]) != (b["low"], b["high"]):
                problems.append(
                    f"{path}: range {b['low']:g} to {b['high']:g} in the ensemble,"
                    f" {a['low']:g} to {a['high']:g} in the schema"
                )
            else:
                diff = next(k for k in a if a[k] != b.get(k))
                problems.append(
                    f"{path}: {diff} {b.get(diff)!r} in the ensemble, {a[diff]!r} in the schema"
                )
    return problems
