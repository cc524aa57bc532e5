"""A run's output folder: the manifest, per-batch chunks, and the final tables.

Layout::

    manifest.json                 what the run is and how far it got
    chunks/summary-000012.parquet one file per finished batch and table; the summary chunk
    chunks/events-000012.parquet  is written last, so its presence marks the batch done
    chunks/series-000012.parquet
    chunks/counts-000012.parquet
    summary.csv, summary.parquet  one row per replication (``error`` column, ``seed``)
    events.parquet, events.csv    the event log (CSV only up to ``events_csv_max`` reps)
    series.parquet                per-replication state series, first ``series_reps`` reps
    series_quantiles.parquet      5/25/50/75/95 % quantiles and mean per grid time, all reps

Every file is written to a temporary name in the same folder and moved into place with
:func:`os.replace`, so a run stopped at any moment leaves only whole files. The final tables
are assembled from the chunks in batch (= replication) order, streaming one chunk at a time,
so memory does not grow with the number of replications; the series quantiles are merged one
variable and block of :data:`BLOCK_TIMES` grid times at a time, reading only that block's row
groups of every counts chunk.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from kabulsim.experiments.batches import BatchResult
from kabulsim.experiments.quantiles import CountAccumulator
from kabulsim.experiments.studies import (
    FolderError,
    atomic_path,
    atomic_write_text,
    folder_lock,
    prepare_folder,
    read_manifest,
)
from kabulsim.files import FileProblem, read_bounded
from kabulsim.limits import MAX_RECORD_BYTES
from kabulsim.outputs import STATE, Outputs, StateVariable
from kabulsim.outputs import of as outputs_of

MANIFEST = "manifest.json"
ROW_GROUP_BYTES = 8 << 20
"""Size of a row group of the final Parquet tables (in memory, 8 MiB): chunks are gathered
up to this size, so a table of 100,000 replications has tens of row groups, not one per
batch (each row group adds metadata that the writer keeps in memory until the file is
closed), while the rows held at once stay few."""
CHUNKS = "chunks"
BLOCK_TIMES = 256
"""Grid times per block of the series quantiles: a counts chunk has one row group per
variable and block of grid times, and the final assembly merges one block at a time, so it
holds the counts of one variable over at most this many grid times (see
:meth:`RunStore.finalize`)."""

EVENTS_SCHEMA = pa.schema(
    [
        ("rep", pa.int64()),
        ("t_h", pa.float64()),
        ("time", pa.string()),
        ("phase", pa.string()),
        ("event", pa.string()),
        ("detail", pa.string()),
        ("value", pa.float64()),
    ]
)


def series_schema(state: tuple[StateVariable, ...] = STATE) -> pa.Schema:
    """The schema of a series table whose theatre has the state variables ``state``."""
    return pa.schema(
        [
            ("rep", pa.int64()),
            ("t_h", pa.float64()),
            ("time", pa.string()),
            *[(v.name, pa.string() if v.categories else pa.float64()) for v in state],
        ]
    )


SERIES_SCHEMA = series_schema()
"""The schema of the 2001 theatre's series table (:func:`series_schema`)."""


def _write_parquet(frame: pd.DataFrame, path: Path, schema: pa.Schema | None = None) -> None:
    with atomic_path(path) as tmp:
        if schema is None:
            frame.to_parquet(tmp, index=False)
        else:
            table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
            pq.write_table(table.replace_schema_metadata(None), tmp)


def _time_bounds(times: np.ndarray) -> np.ndarray:
    """First grid time of each block of :data:`BLOCK_TIMES` (of sorted, distinct ``times``)."""
    return times[::BLOCK_TIMES]


def _write_counts(counts: pd.DataFrame, path: Path) -> None:
    """Write a batch's counts with one row group per variable and block of grid times.

    The rows are sorted by variable and time (:func:`~.quantiles.count_values`), so each
    block is a slice; the row groups' statistics let the final assembly read one block.
    """
    table = pa.Table.from_pandas(counts, preserve_index=False).replace_schema_metadata(None)
    variable = counts["variable"].to_numpy(np.int64)
    t_h = counts["t_h"].to_numpy(np.float64)
    bounds = _time_bounds(np.unique(t_h))
    block = variable * max(len(bounds), 1) + np.searchsorted(bounds, t_h, side="right")
    cuts = [0, *np.flatnonzero(block[1:] != block[:-1]) + 1, len(block)]
    with atomic_path(path) as tmp, pq.ParquetWriter(tmp, table.schema) as writer:
        if table.num_rows == 0:
            writer.write_table(table)
        for lo, hi in itertools.pairwise(cuts):
            if hi > lo:
                writer.write_table(table.slice(lo, hi - lo))


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with the columns of ``schema``, in its order (missing ones all null)."""
    n = table.num_rows
    columns = [
        table[f.name].cast(f.type) if f.name in table.column_names else pa.nulls(n, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def scenario_hash(scenario_json: str) -> str:
    """The SHA-256 of a scenario's JSON dump: what a run's chunks are checked to belong to."""
    return hashlib.sha256(scenario_json.encode("utf-8")).hexdigest()


def _return_memory() -> None:
    """Give freed memory back to the system between the final tables' steps.

    Streaming a table frees its buffers, but Arrow's allocator and the C library keep the
    pages for reuse, so without this the resident size after the streamed tables adds to
    the series quantiles' peak (measured on 100,000 replications: about 35 MB).
    """
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    """The C library's ``malloc_trim``, loaded once (None where it is not glibc's)."""
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: the allocator keeps its pages
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


KINDS = ("events", "series", "counts", "summary")
"""The chunk files of one batch."""


class RunStore:
    """The output folder of one run.

    Each finished batch has its four chunk files and, written last as the completion marker,
    a record ``chunks/batch-NNNNNN.json``: what the batch belongs to (the run's
    :attr:`identity`: scenario hash, seed, batch size, kept series; and its replication
    range) and the SHA-256 of every chunk file. :meth:`verified_batches` trusts a batch only
    when its record matches the run and every checksum is right.
    """

    def __init__(self, root: Path, identity: dict[str, Any] | None = None) -> None:
        self.root = Path(root)
        self.chunks = self.root / CHUNKS
        self.identity: dict[str, Any] = dict(identity or {})
        self.outputs: Outputs = outputs_of()
        """The outputs of the run's theatre (its series columns and variables): set from the
        scenario (``outputs.of(scenario.theatre.places)``) before writing."""

    @classmethod
    def create(cls, root: Path, identity: dict[str, Any], *, force: bool = False) -> RunStore:
        """Prepare a new output folder (see :func:`~kabulsim.experiments.studies.prepare_folder`).

        Raises:
            FolderError: ``root`` is a file, or a non-empty folder that may not be replaced.
        """
        store = cls(prepare_folder(Path(root), force=force), identity)
        store.chunks.mkdir(exist_ok=True)
        return store

    @classmethod
    def open(cls, root: Path) -> RunStore:
        """Open an existing run folder (for resuming); set :attr:`identity` from the manifest.

        Raises:
            FolderError: no readable manifest in ``root``.
        """
        store = cls(Path(root))
        for path in (store.root / MANIFEST, store.chunks):
            if path.is_symlink():
                raise FolderError(
                    f"{path}: is a symbolic link; kabulsim reads only the real files of its folders"
                )
        if not (store.root / MANIFEST).is_file():
            raise FolderError(f"{root}: no {MANIFEST}; not a kabulsim run folder")
        return store

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's lock while writing (stale temporary files are removed)."""
        with folder_lock(self.root):
            yield

    # manifest ---------------------------------------------------------------------------

    def read_manifest(self) -> dict[str, Any]:
        """The manifest as a dictionary.

        Raises:
            FolderError: the manifest is missing, not valid JSON or not an object.
        """
        return read_manifest(self.root, MANIFEST)

    def write_manifest(self, data: dict[str, Any]) -> None:
        """Replace the manifest atomically."""
        atomic_write_text(self.root / MANIFEST, json.dumps(data, indent=2) + "\n")

    # chunks -----------------------------------------------------------------------------

    def chunk(self, kind: str, index: int) -> Path:
        """Path of one chunk file."""
        return self.chunks / f"{kind}-{index:06d}.parquet"

    def record(self, index: int) -> Path:
        """Path of one batch's record (its completion marker)."""
        return self.chunks / f"batch-{index:06d}.json"

    def _forget(self, index: int) -> None:
        for path in (self.record(index), *(self.chunk(k, index) for k in KINDS)):
            path.unlink(missing_ok=True)

    def verified_batches(self, ranges: dict[int, tuple[int, int]]) -> set[int]:
        """Indices of the batches whose chunks are whole and belong to this run.

        A batch with a missing or damaged record, or a chunk whose checksum is wrong, is
        removed (it will be recomputed).

        Args:
            ranges: batch index -> (first replication, stop) of the run's plan.

        Raises:
            FolderError: see :meth:`check_batches`.
        """
        done, damaged = self.check_batches(ranges)
        for index, path in damaged:
            if index is not None:
                self._forget(index)
            path.unlink(missing_ok=True)
        return done

    def check_batches(
        self, ranges: dict[int, tuple[int, int]]
    ) -> tuple[set[int], list[tuple[int | None, Path]]]:
        """The verified batches and the damaged ones, changing nothing.

        Records are read with a size bound (:data:`~kabulsim.limits.MAX_RECORD_BYTES`), never
        through a link.

        Returns:
            The indices of the whole batches of this run, and the damaged records (index,
            or None for a record whose name cannot be read, and path).

        Raises:
            FolderError: a batch record written by another run (another scenario, seed,
                batch size, kept series, ensemble or replication range), or a record or
                chunk that is a symbolic link.
        """
        done: set[int] = set()
        damaged: list[tuple[int | None, Path]] = []
        for path in sorted(self.chunks.glob("batch-*.json")):
            try:
                index = int(path.stem.split("-")[1])
            except (ValueError, IndexError):
                damaged.append((None, path))
                continue
            try:
                record = json.loads(read_bounded(path, MAX_RECORD_BYTES).decode("utf-8"))
                belongs = {k: record[k] for k in self.identity}
                span = (int(record["start"]), int(record["stop"]))
                sums = {k: str(record["sha256"][k]) for k in KINDS}
            except FileProblem as exc:
                raise FolderError(f"{exc}; the folder cannot be resumed") from None
            except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
                damaged.append((index, path))
                continue
            if belongs != self.identity or ranges.get(index) != span:
                wrong = next(
                    (k for k in self.identity if belongs[k] != self.identity[k]),
                    "replication range",
                )
                raise FolderError(
                    f"{self.root}: chunks/{path.name} belongs to another run (its {wrong}"
                    " differs from the manifest's); resume only a folder written by one run"
                )
            chunks = [self.chunk(k, index) for k in KINDS]
            linked = next((c for c in chunks if c.is_symlink()), None)
            if linked is not None:
                raise FolderError(
                    f"{linked}: is a symbolic link; kabulsim reads only the real files of its"
                    " folders, so the folder cannot be resumed"
                )
            if all(c.is_file() for c in chunks) and all(
                _sha256(self.chunk(k, index)) == sums[k] for k in KINDS
            ):
                done.add(index)
            else:
                damaged.append((index, path))
        return done, damaged

    def write_batch(self, result: BatchResult, span: tuple[int, int]) -> None:
        """Write one batch's chunks, then its record (the completion marker)."""
        i = result.index
        _write_parquet(result.events, self.chunk("events", i), EVENTS_SCHEMA)
        _write_parquet(result.series, self.chunk("series", i), series_schema(self.outputs.state))
        _write_counts(result.counts, self.chunk("counts", i))
        _write_parquet(result.summary, self.chunk("summary", i))
        record = {
            **self.identity,
            "index": i,
            "start": span[0],
            "stop": span[1],
            "sha256": {k: _sha256(self.chunk(k, i)) for k in KINDS},
        }
        atomic_write_text(self.record(i), json.dumps(record, indent=1) + "\n")

    # final tables -----------------------------------------------------------------------

    def _stream(
        self,
        kind: str,
        n_batches: int,
        schema: pa.Schema,
        name: str,
        csv_name: str | None,
    ) -> None:
        """Concatenate one kind of chunk into ``name`` (and optionally a CSV), in order."""
        with atomic_path(self.root / name) as tmp, pq.ParquetWriter(tmp, schema) as writer:
            csv_tmp = None
            if csv_name is not None:
                csv_path = self.root / csv_name
                csv_tmp = csv_path.with_name(f".{csv_path.name}.{os.getpid()}.tmp")
                handle = csv_tmp.open("w", encoding="utf-8", newline="")
            try:
                header = True
                pending: list[pa.Table] = []
                size = 0
                for i in range(n_batches):
                    table = _conform(pq.read_table(self.chunk(kind, i)), schema)
                    pending.append(table)
                    size += table.nbytes
                    if size >= ROW_GROUP_BYTES:
                        writer.write_table(pa.concat_tables(pending))
                        pending, size = [], 0
                    if csv_tmp is not None:
                        frame = table.to_pandas()
                        frame.to_csv(handle, index=False, header=header)
                        header = False
                if pending:
                    writer.write_table(pa.concat_tables(pending))
                if csv_tmp is not None:
                    if header:  # no rows at all: still write the header
                        schema.empty_table().to_pandas().to_csv(handle, index=False)
                    handle.close()
                    os.replace(csv_tmp, self.root / str(csv_name))
            finally:
                if csv_tmp is not None:
                    handle.close()
                    if csv_tmp.exists():
                        csv_tmp.unlink()

    def _summary_schema(self, n_batches: int) -> pa.Schema:
        """One schema for every summary chunk (from the files' footers, not their data).

        Chunks can differ: a failed replication has no outcome values, so a batch with one
        has floats where the others have integers, and a batch where every replication
        failed has no outcome columns at all. Columns keep their order of first appearance
        and take the widest type, as ``pandas.concat`` would give them.
        """
        schema = pa.schema([])
        for i in range(n_batches):  # one at a time: memory does not grow with the chunks
            chunk = pq.read_schema(self.chunk("summary", i)).remove_metadata()
            schema = pa.unify_schemas([schema, chunk], promote_options="permissive")
        return schema

    def _count_blocks(self, n_batches: int) -> tuple[list[tuple[int, float, float]], list[Any]]:
        """The blocks of the series quantiles and, per chunk, its row groups' ranges.

        Blocks are (variable, first time, stop time) over the grid of the first chunk with
        counts (every chunk of a run has the same grid; the first and last blocks of a
        variable are open-ended, so any time falls in one). A chunk's row groups are given
        as rows ``(variable min, variable max, time min, time max)`` from its footer.
        """
        groups = []
        grid = None
        for i in range(n_batches):
            meta = pq.read_metadata(self.chunk("counts", i))
            names = meta.schema.names
            v, t = names.index("variable"), names.index("t_h")
            ranges = []
            for g in range(meta.num_row_groups):
                group = meta.row_group(g)
                sv, st = group.column(v).statistics, group.column(t).statistics
                if group.num_rows == 0:
                    ranges.append((1.0, 0.0, np.inf, -np.inf))  # matches no block
                elif sv is None or st is None or not (sv.has_min_max and st.has_min_max):
                    ranges.append((-np.inf, np.inf, -np.inf, np.inf))  # matches every block
                else:
                    ranges.append((sv.min, sv.max, st.min, st.max))
            groups.append(np.array(ranges, dtype=np.float64).reshape(-1, 4))
            if grid is None and meta.num_rows:
                times = pq.read_table(self.chunk("counts", i), columns=["t_h"])["t_h"]
                grid = np.unique(times.to_numpy())
        bounds = [] if grid is None else list(_time_bounds(grid))
        edges = [-np.inf, *bounds[1:], np.inf]
        blocks = [
            (v, lo, hi)
            for v in range(len(self.outputs.series_variables))
            for lo, hi in itertools.pairwise(edges)
        ]
        return blocks, groups

    def _quantiles(self, n_batches: int) -> pd.DataFrame:
        """The series quantiles over the counts chunks, one block at a time.

        For each block (one variable over at most :data:`BLOCK_TIMES` grid times) the
        matching row groups of every chunk are read and added up, then the block's
        quantiles computed: memory holds the distinct rounded values of one block, not the
        whole run's. Each (variable, time) cell lies in one block and its quantiles depend
        only on its own counts, so the table equals one computed over all counts at once.
        """
        blocks, groups = self._count_blocks(n_batches)
        frames = []
        for v, lo, hi in blocks:
            acc = CountAccumulator()
            for i, ranges in enumerate(groups):
                match = (
                    (ranges[:, 0] <= v)
                    & (ranges[:, 1] >= v)
                    & (ranges[:, 3] >= lo)
                    & (ranges[:, 2] < hi)
                )
                if not match.any():
                    continue
                table = pq.ParquetFile(self.chunk("counts", i)).read_row_groups(
                    [int(g) for g in np.flatnonzero(match)]
                )
                variable = table["variable"].to_numpy()
                t_h = table["t_h"].to_numpy()
                keep = (variable == v) & (t_h >= lo) & (t_h < hi)
                acc.add_arrays(
                    variable[keep],
                    t_h[keep],
                    table["value"].to_numpy()[keep],
                    table["count"].to_numpy()[keep],
                )
            if acc.rows:
                frames.append(acc.quantiles(self.outputs.series_variables))
            del acc
            _return_memory()  # the next block starts from what this one held
        if not frames:
            return CountAccumulator().quantiles(self.outputs.series_variables)
        return pd.concat(frames, ignore_index=True)

    def finalize(self, n_batches: int, *, events_csv: bool) -> tuple[int, pd.DataFrame]:
        """Assemble the final tables from the chunks of batches ``0 .. n_batches - 1``.

        Every table is streamed one chunk at a time, and the series quantiles are merged
        one block at a time (:meth:`_quantiles`), so memory does not grow with the number
        of replications.

        Returns:
            The number of failed replications and the series quantiles.
        """
        self._stream(
            "summary",
            n_batches,
            self._summary_schema(n_batches),
            "summary.parquet",
            "summary.csv",
        )
        errors = pq.read_table(self.root / "summary.parquet", columns=["error"])["error"]
        failed = sum(1 for e in errors.to_pylist() if e)
        _return_memory()
        self._stream(
            "events",
            n_batches,
            EVENTS_SCHEMA,
            "events.parquet",
            "events.csv" if events_csv else None,
        )
        _return_memory()
        self._stream("series", n_batches, series_schema(self.outputs.state), "series.parquet", None)
        _return_memory()
        quantiles = self._quantiles(n_batches)
        _write_parquet(quantiles, self.root / "series_quantiles.parquet")
        if not events_csv and (self.root / "events.csv").exists():
            (self.root / "events.csv").unlink()
        return failed, quantiles
