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


# Defaults of the run commands, here (not with the code that uses them) so that the command
# line can show them in its help without importing the experiment machinery.

LOCAL_BATCH_SIZE = 50
"""Replications per task on local engines: enough to amortise a pool's overhead (under 1%
of a task), few enough to balance 2 workers and to update the progress bar often."""

CLUSTER_BATCH_SIZE = 200
"""Replications per task on a Dask cluster, where a task costs about 1-1.6 ms of CPU and
a result travels through the network: measured on a 2-worker ``LocalCluster``, 200
replications per task ran at 0.96 of the local pool's rate against 0.8 with 50."""

DEFAULT_SERIES_REPS = 1000
"""Replications whose full state series are kept by ``run_many`` (quantiles use all)."""

EVENTS_CSV_MAX = 10_000
"""Above this many replications, the event log is written as Parquet only."""
