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

DEFAULT_REPS = 200
"""Replications of ``kabulsim run`` and ``validate``, and per case of ``compare`` and the
explorer, when not given."""

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


# Bounds on what a command reads and on the work it is asked for (issue 22): each error that
# enforces one names the bound.

MAX_ENSEMBLE_MEMBERS = 100_000
"""Most members of an ensemble file (the shipped one has 1,000; a calibration's population is
its size). Every batch carries the members, so this also bounds a task's size."""

MAX_ENSEMBLE_BYTES = 64 << 20
"""Largest ensemble table (``STEM.parquet``) read."""

MAX_SIDECAR_BYTES = 4 << 20
"""Largest ensemble sidecar (``STEM.json``) read."""

MAX_MEMBERS_BYTES = 64 << 20
"""Largest ``ensemble_members.json`` of a run folder read back on resume."""

MAX_MANIFEST_BYTES = 16 << 20
"""Largest manifest (``manifest.json``, ``comparison.json``, ``study.json``) read."""

MAX_RECORD_BYTES = 1 << 20
"""Largest batch record (``chunks/batch-NNNNNN.json``) read."""

MAX_FOLDER_ENTRIES = 1_000_000
"""Most entries of a result folder examined for links before it is read or copied."""

MAX_BOOT = 100_000
"""Most bootstrap resamples of ``compare``."""

MAX_PREDICTIVE_MEMBERS = 10_000
"""Most members drawn for ``validate``'s posterior predictive check (10 replications each)."""

MAX_POPULATION = 100_000
"""Most particles per generation of ``calibrate``; particles x replications per particle is
bounded by :data:`MAX_REPS` as well."""

MAX_GENERATIONS = 1_000
"""Most generations of ``calibrate``."""
MAX_MOVES = 100
"""Resample-move steps after a calibration's last generation (each one evaluates the population)."""

MAX_MINUTES = 7 * 24 * 60.0
"""Longest wall-clock limit of ``calibrate`` (a week, in minutes)."""

MAX_CERTIFICATE_ROWS = 100_000
"""Most rows of a calibration certificate's reference table (prior draws, each a particle)."""

MAX_EPSILON = 1e6
"""Largest final threshold of ``calibrate`` (a distance of 1: the facts on average at the edge
of their tolerances)."""

MAX_NAME_CHARS = 200
"""Longest scenario or faction name, and explorer title (they label every figure)."""

MAX_TEXT_CHARS = 20_000
"""Longest free text of a scenario (its description)."""

MAX_BOOT_DRAWS = 50_000_000
"""Most bootstrap draws of ``compare`` (resamples x replications of a run): the resampled
indices are held at once (8 bytes each)."""
