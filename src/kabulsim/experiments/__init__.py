"""Running many replications: seeds, executors and result files.

:func:`run_many` runs replications serially, on a local process pool or on a Dask cluster,
optionally streaming chunks into an output folder; :func:`resume` finishes an interrupted
run; :func:`run` is the serial in-memory shortcut.
"""

from kabulsim.experiments.runner import RunResult, resume, run, run_many

__all__ = ["RunResult", "resume", "run", "run_many"]
