"""Upper bounds on what a command may ask for, so that no accepted input hangs or exhausts memory.

Scenario parameters carry their own bounds in the schema (``param(..., cost=...)``); these are
the bounds on the run itself: replications, workers, batch size, kept series, grid points and
seeds. Each is far above any sensible use (and above what the benchmarks exercise), and far
below what would take a machine down.
"""

from __future__ import annotations

MAX_REPS = 10_000_000
"""Most replications of one run, or of all points of one study together."""

MAX_WORKERS = 256
"""Most local worker processes (a pool never starts more than it has batches, either)."""

MAX_BATCH_SIZE = 100_000
"""Most replications in one task."""

MAX_SERIES_REPS = 100_000
"""Most replications whose full state series are kept in ``series.parquet``."""

MAX_GRID_POINTS = 10_000
"""Most points of a sweep grid (the product of its axes)."""

MAX_SEED = 2**63 - 1
"""Largest seed: seeds are stored as 64-bit integers in the tables."""
