"""Writing files whole or not at all.

Every file kabulsim writes (tables, manifests, figures, reports) goes to a temporary name
``.NAME.PID.tmp`` in the same folder and is moved onto its name with :func:`os.replace`, so a
crash, a kill or a full disk never leaves a truncated file in place of a good one. Temporary
files left by a killed process are removed when the folder is next opened for writing
(:func:`kabulsim.experiments.studies.clean_temporary`).
"""

from __future__ import annotations

import os
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
