"""Which folder to import kabulsim from, for a benchmark's ``--against PATH`` (one definition)."""

from __future__ import annotations

import os


def src_folder(path: str, tool: str) -> str:
    """The folder to put on ``PYTHONPATH`` for the checkout (or ``src`` folder) ``path``.

    Exits with one line naming ``tool`` and ``path`` when there is no kabulsim package there.
    """
    src = os.path.join(path, "src")
    folder = src if os.path.isdir(os.path.join(src, "kabulsim")) else path
    if not os.path.isdir(os.path.join(folder, "kabulsim")):
        raise SystemExit(f"{tool}: --against {path}: no kabulsim package there or in src/")
    return os.path.abspath(folder)
