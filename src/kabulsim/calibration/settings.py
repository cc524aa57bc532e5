"""What a calibration runs (sizes, limits, seed): declared once, read by the driver and the CLI.

Imports nothing heavy, so that ``kabulsim calibrate --help`` can show these defaults without
loading numpy, the model or pyABC.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """What a calibration runs: sizes, limits and seed."""

    population: int = 200
    reps: int = 10
    generations: int = 8
    epsilon: float = 0.0
    """Stop when the threshold reaches this distance (0: never; generations or time end it)."""
    minutes: float = 18.0
    workers: int = 2
    seed: int = 0
    prior_percent: int = 50
    """Percent of each generation's proposals drawn from the prior rather than the kernel
    (:mod:`kabulsim.calibration.transition`, a defensive mixture); 0: pyABC's kernel alone."""
    moves: int = 5
    """Resample-move steps after the last generation (:mod:`kabulsim.calibration.move`); 0: none."""
    certificate_rows: int = 3000
    """Rows of the certificate's reference table (prior draws, each a particle); 0: none."""
    pseudo_records: int = 300
    """Pseudo-records of the certificate's simulation-based calibration."""
    scheduler: str | None = None
    """A Dask scheduler's address (``tcp://host:8786``): particles run on its cluster."""
    facts: tuple[str, ...] | None = None
    """The statistics to fit (default: all; leave-one-fact-out drops one)."""
