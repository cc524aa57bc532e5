"""The result folders kabulsim writes (run, comparison, study): writing, replacing, reading.

One owner for the three folder formats. A folder is kabulsim's when it carries a marker (a
run's ``manifest.json``, a comparison's ``comparison.json``, a study's ``study.json``) and
holds nothing but what kabulsim writes; only such a folder is ever replaced (``--force``).
The current folder, its parents, the home folder and the file-system root are never
replaced, whatever they hold. A folder being written is locked (``fcntl.flock`` on
``.lock``), so two processes never write or resume the same folder at once; temporary files
left by a process that was killed are removed when the folder is next opened.

Layouts::

    run          manifest.json, chunks/, summary.*, events.*, series*.parquet, figures/
    comparison   comparison.json, runs/NAME/ (each a run folder), differences.csv and
                 differences.md (the same in words), comparison.png/.svg,
                 fall_by_date.png/.svg, differences.png/.svg (the forest plot)
    study        study.json, points/NNNNN.parquet, sweep.csv and sweep_N.png/.svg
                 (a sweep) or indices.csv, indices.png/.svg, design.csv (a sensitivity study)

Every folder may also hold ``report.html`` (``kabulsim report``).

Tables first, pictures last: a run's or comparison's marker says its tables are complete
before any figure is drawn, so a figure that fails leaves a complete folder without that
figure (the command reports it in one line and exits with status 1), never a half-written
one; the lock file is removed when its writer lets go.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from kabulsim.files import (
    FileProblem,
    atomic_csv,
    atomic_path,
    atomic_write_text,
    check_no_links,
    read_bounded,
)
from kabulsim.limits import MAX_FOLDER_ENTRIES, MAX_MANIFEST_BYTES, MAX_REPS
from kabulsim.scenario.schema import Scenario

__all__ = ["atomic_path", "atomic_write_text"]  # re-exported for the run store

RUN_MANIFEST = "manifest.json"
COMPARISON_MANIFEST = "comparison.json"
STUDY_MANIFEST = "study.json"
MARKERS = (RUN_MANIFEST, COMPARISON_MANIFEST, STUDY_MANIFEST)
LOCK = ".lock"

_OWN = re.compile(
    r"""^(?:manifest\.json|comparison\.json|study\.json|\.lock|report\.html|ensemble_members\.json
    |chunks|points|runs|figures
    |summary\.(?:csv|parquet)|events\.(?:csv|parquet)|series(?:_quantiles)?\.parquet
    |differences\.(?:csv|md|png|svg)|comparison\.(?:png|svg)|fall_by_date\.(?:png|svg)
    |layers\.(?:csv|md)|decomposition(?:_parameters)?\.(?:csv|png|svg)
    |sweep\.csv|sweep_\d+\.(?:png|svg)|indices\.(?:csv|png|svg)|design\.csv
    |\..+\.\d+\.tmp(?:\.\w+)?)$""",
    re.X,
)
"""Names kabulsim writes at the top of its folders (``.NAME.PID.tmp``: a temporary file)."""

_TEMPORARY = re.compile(r"^\..+\.\d+\.tmp(?:\.\w+)?$")

_OWN_INSIDE = {
    "chunks": re.compile(
        r"^(?:(?:summary|events|series|counts)-\d{6}\.parquet|batch-\d{6}\.json)$"
    ),
    "points": re.compile(r"^\d{5}\.parquet$"),
    "figures": re.compile(r"^[a-z0-9_]+\.(?:png|svg|gif|mp4)$"),
}
"""Names kabulsim writes inside the sub-folders of its result folders."""


class FolderError(ValueError):
    """A folder that cannot be used as asked: not kabulsim's, not finished, locked, damaged."""


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write a JSON file atomically."""
    atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def default_out_dir(name: str, root: Path = Path("runs")) -> Path:
    """A new folder under ``runs/`` named from ``name`` and the current time."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in name)
    return root / f"{safe[:80] or 'scenario'}-{stamp}"


def _protected(path: Path) -> str | None:
    """Why ``path`` may never be replaced, or None."""
    if str(path) in ("", "."):
        return "the current folder"
    try:
        real = path.resolve()
        cwd = Path.cwd().resolve()
        home = Path.home().resolve()
    except (OSError, RuntimeError):
        return "a path that cannot be resolved"
    if real == Path(real.anchor):
        return "the root of the file system"
    if real == cwd or real in cwd.parents:
        return "the current folder or one of its parents"
    if real == home or real in home.parents:
        return "the home folder or one of its parents"
    return None


def check_replaceable(path: Path) -> None:
    """Refuse, with the reason, to replace a folder that is not wholly kabulsim's.

    Raises:
        FolderError: ``path`` is protected (see the module docstring), a symbolic link,
            carries no marker, or holds anything kabulsim does not write.
    """
    reason = _protected(path)
    if reason is not None:
        raise FolderError(f"{path}: is {reason}; --force never replaces it")
    if path.is_symlink():
        raise FolderError(f"{path}: is a symbolic link; --force replaces only a real folder")
    names = sorted(p.name for p in path.iterdir())
    if not any(name in MARKERS for name in names):
        raise FolderError(
            f"{path}: not a kabulsim result folder (no {', '.join(MARKERS)}); --force replaces"
            " only a folder kabulsim wrote, so it is left as it is"
        )
    others = [name for name in names if not _OWN.match(name)]
    for sub, pattern in _OWN_INSIDE.items():
        if (path / sub).is_dir():
            others += [
                f"{sub}/{p.name}"
                for p in (path / sub).iterdir()
                if not (pattern.match(p.name) or _TEMPORARY.match(p.name)) or p.is_symlink()
            ]
    if (path / "runs").is_dir():
        for run in (path / "runs").iterdir():
            if run.is_symlink() or not run.is_dir():
                others.append(f"runs/{run.name}")
            else:
                check_replaceable(run)
    if others:
        raise FolderError(
            f"{path}: holds files kabulsim did not write ({safe_name(others[0])}"
            f"{' and others' if len(others) > 1 else ''}); --force leaves it as it is"
        )


def safe_name(name: str) -> str:
    """A file name for a message, with unprintable characters escaped."""
    return name.encode("unicode_escape", "backslashreplace").decode("ascii")[:80]


def prepare_folder(path: Path, *, force: bool) -> Path:
    """Make ``path`` ready for a new result: create it, or replace an old result if ``force``.

    Raises:
        FolderError: ``path`` is a file or a dangling link, or a non-empty folder and
            ``force`` is false, or ``force`` and the folder is not replaceable.
        OSError: the folder cannot be created (read-only or full disk, under a file).
    """
    path = Path(path)
    if path.is_symlink() and not path.exists():
        raise FolderError(f"{path}: a symbolic link to nothing; expected a new or empty folder")
    if path.exists() and not path.is_dir():
        raise FolderError(f"{path}: is a file; expected a new or empty folder")
    if path.is_dir() and any(path.iterdir()):
        if not force:
            raise FolderError(
                f"{path}: folder is not empty; choose a new folder, --force to replace an earlier"
                " result, or --resume to finish it"
            )
        check_replaceable(path)
        with folder_lock(path):  # never under a process that is writing it
            shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_temporary(root: Path) -> int:
    """Remove temporary files left by a killed process (call with the folder's lock held)."""
    removed = 0
    for folder in (root, root / "chunks", root / "points", root / "figures"):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if _TEMPORARY.match(entry.name) and entry.is_file():
                entry.unlink()
                removed += 1
    return removed


@contextmanager
def folder_lock(root: Path) -> Iterator[None]:
    """Hold the exclusive lock of a result folder; clean its stale temporary files.

    The lock is ``fcntl.flock`` on ``root/.lock``; the file is removed when the lock is
    released, so a folder nobody is writing holds no ``.lock`` (one left by a process that
    was killed is harmless: a lock dies with its process, and the next writer takes it).

    Raises:
        FolderError: another process holds the lock.
    """
    import fcntl

    path = root / LOCK
    for _ in range(100):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise FolderError(
                f"{root}: another kabulsim process is writing this folder; wait for it to end"
            ) from None
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = -1
        if current == os.fstat(fd).st_ino:
            break
        os.close(fd)  # the writer before us removed this file as it let go: open it anew
    else:  # pragma: no cover - a hundred writers finishing in between
        raise FolderError(f"{root}: could not take the folder's lock; try again")
    try:
        clean_temporary(root)
        yield
    finally:
        with suppress(FileNotFoundError):
            path.unlink()
        os.close(fd)


# reading back --------------------------------------------------------------------------------


def read_manifest(root: Path, name: str) -> dict[str, Any]:
    """A folder's manifest (a JSON object), read with a size bound and never through a link.

    Raises:
        FolderError: missing, a link, too large, unreadable, not JSON, or not an object.
    """
    path = root / name
    try:
        data = json.loads(read_bounded(path, MAX_MANIFEST_BYTES).decode("utf-8"))
    except FileNotFoundError:
        raise FolderError(f"{root}: no {name}; not a kabulsim result folder") from None
    except FileProblem as exc:
        raise FolderError(str(exc)) from None
    except (OSError, ValueError) as exc:
        raise FolderError(f"{path}: cannot read the manifest ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise FolderError(f"{path}: expected a JSON object")
    return data


def manifest_value(manifest: dict[str, Any], key: str, kind: type, where: Path) -> Any:
    """``manifest[key]``, checked to be a ``kind``.

    Raises:
        FolderError: the key is missing or of another type.
    """
    value = manifest.get(key)
    if kind is int and isinstance(value, bool):
        value = None
    if not isinstance(value, kind):
        raise FolderError(f"{where}: {key}: missing or not {kind.__name__}; the file is damaged")
    return value


@dataclass(frozen=True)
class RunFolder:
    """A finished run read from its folder (summary in memory, series on demand)."""

    path: Path
    scenario: Scenario
    seed: int
    reps: int
    summary: pd.DataFrame
    ensemble: dict[str, Any] | None = None
    """The parameter ensemble the run drew from, as its manifest records it (None: none)."""

    @property
    def series(self) -> pd.DataFrame:
        """The per-replication series stored with the run (possibly empty)."""
        path = self.path / "series.parquet"
        return pd.read_parquet(path) if path.exists() else pd.DataFrame()

    @property
    def series_quantiles(self) -> pd.DataFrame:
        """The run's series quantiles over all replications (possibly empty)."""
        path = self.path / "series_quantiles.parquet"
        return pd.read_parquet(path) if path.exists() else pd.DataFrame()


def read_run(path: str | Path) -> RunFolder:
    """Read a finished run folder written by ``kabulsim run``.

    Raises:
        FolderError: no manifest, a damaged one, an unfinished run, or a missing summary.
    """
    root = Path(path)
    if not root.is_dir():
        raise FolderError(f"{root}: not a folder")
    no_links(root)
    manifest = read_manifest(root, RUN_MANIFEST)
    where = root / RUN_MANIFEST
    if manifest.get("status") != "complete":
        raise FolderError(f"{root}: the run is not complete; finish it with --resume")
    seed = manifest_value(manifest, "seed", int, where)
    reps = manifest_value(manifest, "reps", int, where)
    if not 1 <= reps <= MAX_REPS:
        raise FolderError(f"{where}: reps: expected 1 to {MAX_REPS:,}; the file is damaged")
    try:
        scenario = Scenario.model_validate(manifest_value(manifest, "scenario", dict, where))
    except ValueError:
        raise FolderError(f"{where}: scenario: not a valid scenario; the file is damaged") from None
    try:
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        rows = pq.read_metadata(root / "summary.parquet").num_rows
        if rows != reps:  # checked before the table is read: its size is then bounded
            raise FolderError(f"{root}: summary.parquet has {rows} rows, not {reps}")
        summary = pd.read_parquet(root / "summary.parquet")
    except FolderError:
        raise
    except (OSError, ValueError) as exc:
        raise FolderError(f"{root}: summary.parquet unreadable ({type(exc).__name__})") from None
    if len(summary) != reps:
        raise FolderError(f"{root}: summary.parquet has {len(summary)} rows, not {reps}")
    ensemble = manifest.get("ensemble")
    if ensemble is not None and not isinstance(ensemble, dict):
        raise FolderError(f"{where}: ensemble: expected a mapping or null; the file is damaged")
    return RunFolder(root, scenario, seed, reps, summary, ensemble)


def no_links(root: Path) -> None:
    """Refuse a result folder holding a symbolic link (it is never read or copied through one).

    Raises:
        FolderError: the first link, or a folder of more than
            :data:`~kabulsim.limits.MAX_FOLDER_ENTRIES` entries.
    """
    try:
        check_no_links(root, MAX_FOLDER_ENTRIES)
    except FileProblem as exc:
        raise FolderError(str(exc)) from None


def is_comparison(path: str | Path) -> bool:
    """Whether ``path`` is a folder written by ``kabulsim compare``."""
    return (Path(path) / COMPARISON_MANIFEST).exists()


def comparison_run(out: Path, name: str) -> Path:
    """The folder of the compared run ``name`` inside the comparison folder ``out``."""
    return out / "runs" / name


def copy_run(run: RunFolder, out: Path, name: str) -> RunFolder:
    """Copy a finished run (without its chunks) into the comparison folder ``out``."""
    target = comparison_run(out, name)
    no_links(run.path)  # read_run checked too; the folder may have changed since
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(
        run.path, target, symlinks=True, ignore=shutil.ignore_patterns("chunks", LOCK, "*.tmp")
    )
    return read_run(target)


def write_comparison(
    out: Path, names: list[str], baseline: str, differences: pd.DataFrame, **details: Any
) -> None:
    """Write a comparison's differences and, last, its manifest (the folder's marker)."""
    atomic_csv(differences, out / "differences.csv")
    write_json(
        out / COMPARISON_MANIFEST,
        {"names": names, "baseline": baseline, **details, "command": list(sys.argv)},
    )


@dataclass(frozen=True)
class Comparison:
    """A comparison folder read back."""

    baseline: str
    n_boot: int
    seed: int
    runs: dict[str, RunFolder]
    differences: pd.DataFrame | None = None
    """The differences ``compare`` wrote (None in a folder that has none)."""


def read_comparison(path: str | Path) -> Comparison:
    """Read a comparison folder: its manifest and each compared run (in order).

    Raises:
        FolderError: a damaged manifest or a run folder that cannot be read.
    """
    root = Path(path)
    no_links(root)
    manifest = read_manifest(root, COMPARISON_MANIFEST)
    where = root / COMPARISON_MANIFEST
    names = manifest_value(manifest, "names", list, where)
    if len(names) < 2 or not all(isinstance(n, str) and n and "/" not in n for n in names):
        raise FolderError(f"{where}: names: expected at least two run names; the file is damaged")
    baseline = manifest_value(manifest, "baseline", str, where)
    if baseline not in names:
        raise FolderError(f"{where}: baseline: not one of the names; the file is damaged")
    runs = {name: read_run(root / "runs" / name) for name in names}
    differences = None
    written = root / "differences.csv"
    if written.exists():
        try:
            differences = pd.read_csv(written)
        except (OSError, ValueError) as exc:
            raise FolderError(f"{written}: unreadable ({type(exc).__name__})") from None
    return Comparison(
        baseline,
        manifest_value(manifest, "n_boot", int, where),
        manifest_value(manifest, "seed", int, where),
        runs,
        differences,
    )


# studies (sweeps and sensitivity analyses) ---------------------------------------------------


def prepare_study(out: Path, config: dict[str, Any], *, force: bool, resume: bool) -> Path:
    """Make ``out`` ready for a study; with ``resume``, check it holds the same study.

    Raises:
        FolderError: see :func:`prepare_folder`; or, resuming, no study there or another one.
    """
    if not resume:
        return prepare_folder(out, force=force)
    manifest = read_manifest(out, STUDY_MANIFEST)
    if manifest.get("config") != config:
        raise FolderError(
            f"{out}: the study there was run with other settings; give the same scenario, grid"
            " or parameters, outcomes, reps and seed to resume it"
        )
    return out


def write_study(
    out: Path,
    kind: str,
    config: dict[str, Any],
    began: float,
    done: bool,
    tables: dict[str, pd.DataFrame] | None = None,
) -> None:
    """Write a study's tables (``name.csv``: frame), then its manifest.

    The manifest is the folder's marker: what the study is and whether it finished.
    """
    for name, frame in (tables or {}).items():
        atomic_csv(frame, out / name)
    write_json(
        out / STUDY_MANIFEST,
        {
            "kind": kind,
            "config": config,
            "command": list(sys.argv),
            "started": datetime.fromtimestamp(began, UTC).isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds") if done else None,
        },
    )
