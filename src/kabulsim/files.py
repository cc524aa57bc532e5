"""Writing files whole or not at all.

Every file kabulsim writes (tables, manifests, figures, reports) goes to a temporary name
``.NAME.PID.tmp`` in the same folder and is moved onto its name with :func:`os.replace`, so a
crash, a kill or a full disk never leaves a truncated file in place of a good one. Temporary
files left by a killed process are removed when the folder is next opened for writing
(:func:`kabulsim.experiments.studies.clean_temporary`).

Reading is bounded the same way everywhere: :func:`read_bounded` reads at most a given number
of bytes of a regular file and refuses a symbolic link where kabulsim reads its own folders
(a manifest linked to ``/dev/zero`` would otherwise be read without end), and
:func:`check_no_links` refuses a folder holding links before it is read or copied.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


@contextmanager
def atomic_path(path: Path, *, keep_suffix: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success move it onto ``path``.

    Args:
        path: the file to write.
        keep_suffix: end the temporary name with ``path``'s suffix too (for writers that
            choose the format from it): ``.NAME.PID.tmp.gif``.
    """
    tail = path.suffix if keep_suffix else ""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp{tail}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def atomic_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as CSV (no index) to ``path`` whole or not at all."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


class FileProblem(ValueError):
    """A file that may not be read as asked: a link, not a regular file, or too large."""


def read_bounded(path: Path, limit: int, *, follow: bool = False) -> bytes:
    """The bytes of the regular file ``path``, refused when larger than ``limit`` bytes.

    Args:
        path: the file.
        limit: the most bytes accepted.
        follow: follow a symbolic link (for a file the user named); by default a link is
            refused (for the files of kabulsim's own folders).

    Raises:
        FileProblem: a link (unless ``follow``), not a regular file, or too large.
        OSError: the file cannot be opened or read (missing, permissions).
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:
            raise FileProblem(
                f"{path}: is a symbolic link; kabulsim reads only the real files of its folders"
            ) from None
        raise
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"{path}: not a regular file")
        if info.st_size > limit:
            raise FileProblem(f"{path}: {info.st_size:,} bytes; at most {limit:,} are read")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise FileProblem(f"{path}: larger than {limit:,} bytes; at most {limit:,} are read")
    return data


def check_no_links(root: Path, max_entries: int) -> None:
    """Refuse a folder that holds a symbolic link anywhere inside it (or too many entries).

    Raises:
        FileProblem: the first link found, or more than ``max_entries`` entries.
    """
    seen = 0
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                seen += 1
                if seen > max_entries:
                    raise FileProblem(f"{root}: more than {max_entries:,} entries")
                if entry.is_symlink():
                    raise FileProblem(
                        f"{Path(entry.path)}: is a symbolic link; kabulsim reads and copies only"
                        " the real files of its folders"
                    )
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
