"""The calibration folder (``kabulsim calibrate --out``): whose it is, and what may be changed.

A calibration folder holds ``calibration.json`` (the marker, written first), ``abc.db``
(pyABC's history: running the command again continues it) and the ensemble
``ensemble.parquet`` + ``ensemble.json``. The command writes into a folder only when it is new,
empty, or one it wrote; it never opens a database pyABC did not write (a user's SQLite file of
that name would get pyABC's tables added to it) and never replaces a file it did not write
(``--write`` onto a user's ``.json``). Every check happens before anything is created.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from kabulsim.files import FileProblem, atomic_write_text, read_bounded
from kabulsim.limits import MAX_MANIFEST_BYTES, MAX_SIDECAR_BYTES

MARKER = "calibration.json"
FORMAT = "kabulsim-calibration/1"
DB_NAME = "abc.db"
PYABC_TABLES = frozenset({"abc_smc", "populations"})
"""Tables every pyABC history has (pyABC 0.10 and later)."""
OWN = frozenset({MARKER, DB_NAME, "ensemble.parquet", "ensemble.json"})
"""What the command writes in its folder (with pyABC's journal files next to ``abc.db``)."""


class CalibrationFolderError(ValueError):
    """A folder or file ``calibrate`` may not use: not its own, or not pyABC's history."""


def check_history(db: Path) -> None:
    """Refuse an ``abc.db`` that is not a pyABC history (opened read-only, never changed).

    Raises:
        CalibrationFolderError: a link, not a regular file, not SQLite, or SQLite without
            pyABC's tables.
    """
    if db.is_symlink() or not db.is_file():
        raise CalibrationFolderError(
            f"{db}: not a regular file; expected pyABC's history written by kabulsim calibrate"
        )
    try:
        con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {row[0] for row in con.execute("select name from sqlite_master")}
        finally:
            con.close()
    except sqlite3.Error:
        raise CalibrationFolderError(
            f"{db}: not an SQLite database; expected pyABC's history written by kabulsim"
            " calibrate (it is left as it is)"
        ) from None
    if not PYABC_TABLES <= names:
        raise CalibrationFolderError(
            f"{db}: an SQLite database that is not a pyABC history (no abc_smc table);"
            " kabulsim calibrate never changes it: choose another --out folder"
        )


def _is_ensemble_sidecar(path: Path) -> bool:
    from kabulsim.calibration.ensemble import FORMAT as ENSEMBLE_FORMAT

    try:
        meta = json.loads(read_bounded(path, MAX_SIDECAR_BYTES).decode("utf-8"))
    except (OSError, FileProblem, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("format") == ENSEMBLE_FORMAT


def check_folder(out: Path) -> None:
    """Refuse an ``--out`` that is not new, empty or a calibration folder kabulsim wrote.

    A folder written before the marker existed is accepted when it holds only ``abc.db`` (a
    pyABC history) and kabulsim's ensemble files.

    Raises:
        CalibrationFolderError: naming the folder or file and what is expected.
    """
    if out.is_symlink():
        raise CalibrationFolderError(f"--out {out}: is a symbolic link; expected a folder")
    if not out.exists():
        return
    if not out.is_dir():
        raise CalibrationFolderError(f"--out {out}: is a file; expected a new or empty folder")
    names = sorted(p.name for p in out.iterdir())
    if not names:
        return
    db = out / DB_NAME
    if db.exists() or db.is_symlink():
        check_history(db)
    others = [n for n in names if n not in OWN and not n.startswith(f"{DB_NAME}-")]
    marked = MARKER in names and _is_marker(out / MARKER)
    if others or not (marked or DB_NAME in names):
        what = others[0] if others else names[0]
        raise CalibrationFolderError(
            f"--out {out}: not a folder kabulsim calibrate wrote (it holds {what!r}"
            f"{' and more' if len(names) > 1 else ''}, no {MARKER}); choose a new folder"
        )
    sidecar = out / "ensemble.json"
    if sidecar.exists() and not _is_ensemble_sidecar(sidecar):
        raise CalibrationFolderError(
            f"{sidecar}: not an ensemble sidecar kabulsim wrote; it is left as it is: choose"
            " another --out folder"
        )


def _is_marker(path: Path) -> bool:
    try:
        data = json.loads(read_bounded(path, MAX_MANIFEST_BYTES).decode("utf-8"))
    except (OSError, FileProblem, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == FORMAT


def check_write(stem: Path) -> None:
    """Refuse a ``--write STEM`` whose files exist and are not an ensemble kabulsim wrote.

    Raises:
        CalibrationFolderError: naming ``--write`` and the file.
    """
    table, sidecar = stem.with_suffix(".parquet"), stem.with_suffix(".json")
    for path in (table, sidecar):
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise CalibrationFolderError(
                f"--write {stem}: {path} is not a regular file; it is left as it is"
            )
    if sidecar.exists() and not _is_ensemble_sidecar(sidecar):
        raise CalibrationFolderError(
            f"--write {stem}: {sidecar} exists and is not an ensemble sidecar kabulsim wrote;"
            " choose another STEM"
        )
    if table.exists() and not sidecar.exists():
        raise CalibrationFolderError(
            f"--write {stem}: {table} exists without its sidecar {sidecar.name}, so it is not"
            " known to be an ensemble kabulsim wrote; choose another STEM"
        )


def write_marker(out: Path) -> None:
    """Create ``out`` (if new) and write the marker, unless it is there."""
    out.mkdir(parents=True, exist_ok=True)
    if not (out / MARKER).exists():
        atomic_write_text(
            out / MARKER,
            json.dumps(
                {
                    "format": FORMAT,
                    "command": list(sys.argv),
                    "started": datetime.now(UTC).isoformat(timespec="seconds"),
                },
                indent=2,
            )
            + "\n",
        )
