"""The result folders the command line writes, built by library functions.

Each module here turns already-parsed values into one kind of folder, the same files and
tables whether it is called from Python or by ``kabulsim``: comparisons
(:mod:`~kabulsim.folders.comparison`), sweeps and sensitivity analyses
(:mod:`~kabulsim.folders.sweeps`) and calibrated ensembles
(:mod:`~kabulsim.folders.calibration`). Nothing here prints: progress goes through a
``progress(done, total)`` callback, warnings through a ``warn(line)`` callback, and a design
or limit refused before anything is written raises :class:`StudyError` (one line).
"""

from __future__ import annotations


class StudyError(ValueError):
    """A study's design, inputs or size refused before anything is written (one line)."""


__all__ = ["StudyError"]
