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
so memory does not grow with the number of replications.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from kabulsim.experiments.batches import BatchResult
from kabulsim.experiments.quantiles import CountAccumulator, quantile_frame
from kabulsim.outputs import STATE

MANIFEST = "manifest.json"
CHUNKS = "chunks"

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
SERIES_SCHEMA = pa.schema(
    [
        ("rep", pa.int64()),
        ("t_h", pa.float64()),
        ("time", pa.string()),
        *[(v.name, pa.string() if v.categories else pa.float64()) for v in STATE],
    ]
)


class OutDirError(ValueError):
    """The output folder cannot be used (exists and is not empty, is a file, no manifest)."""


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success move it onto ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_parquet(frame: pd.DataFrame, path: Path, schema: pa.Schema | None = None) -> None:
    with atomic_path(path) as tmp:
        if schema is None:
            frame.to_parquet(tmp, index=False)
        else:
            table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
            pq.write_table(table.replace_schema_metadata(None), tmp)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with the columns of ``schema``, in its order (missing ones all null)."""
    n = table.num_rows
    columns = [
        table[f.name].cast(f.type) if f.name in table.column_names else pa.nulls(n, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


class RunStore:
    """The output folder of one run."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.chunks = self.root / CHUNKS

    @classmethod
    def create(cls, root: Path, *, force: bool = False) -> RunStore:
        """Prepare a new output folder; a non-empty one is refused unless ``force``.

        Raises:
            OutDirError: ``root`` is a file, or a non-empty folder and ``force`` is false.
        """
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise OutDirError(f"{root}: is a file; expected a new or empty folder")
        if root.is_dir() and any(root.iterdir()):
            if not force:
                raise OutDirError(
                    f"{root}: folder is not empty; choose a new folder, --force to replace it"
                    " or --resume to finish it"
                )
            shutil.rmtree(root)
        store = cls(root)
        store.chunks.mkdir(parents=True, exist_ok=True)
        return store

    @classmethod
    def open(cls, root: Path) -> RunStore:
        """Open an existing run folder (for resuming).

        Raises:
            OutDirError: there is no readable manifest in ``root``.
        """
        store = cls(Path(root))
        if not (store.root / MANIFEST).is_file():
            raise OutDirError(f"{root}: no {MANIFEST}; not a kabulsim run folder")
        store.chunks.mkdir(exist_ok=True)
        return store

    # manifest ---------------------------------------------------------------------------

    def read_manifest(self) -> dict[str, Any]:
        """The manifest as a dictionary.

        Raises:
            OutDirError: the manifest is not valid JSON.
        """
        try:
            data: dict[str, Any] = json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise OutDirError(f"{self.root / MANIFEST}: cannot read the manifest ({exc})") from None
        return data

    def write_manifest(self, data: dict[str, Any]) -> None:
        """Replace the manifest atomically."""
        with atomic_path(self.root / MANIFEST) as tmp:
            tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    # chunks -----------------------------------------------------------------------------

    def chunk(self, kind: str, index: int) -> Path:
        """Path of one chunk file."""
        return self.chunks / f"{kind}-{index:06d}.parquet"

    def done_batches(self) -> set[int]:
        """Indices of batches whose chunks are all written."""
        done = set()
        for path in self.chunks.glob("summary-*.parquet"):
            index = int(path.stem.split("-")[1])
            if all(self.chunk(k, index).exists() for k in ("events", "series", "counts")):
                done.add(index)
        return done

    def write_batch(self, result: BatchResult) -> None:
        """Write one batch's chunks; the summary chunk last, as the completion marker."""
        i = result.index
        _write_parquet(result.events, self.chunk("events", i), EVENTS_SCHEMA)
        _write_parquet(result.series, self.chunk("series", i), SERIES_SCHEMA)
        _write_parquet(result.counts, self.chunk("counts", i))
        _write_parquet(result.summary, self.chunk("summary", i))

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
                for i in range(n_batches):
                    table = _conform(pq.read_table(self.chunk(kind, i)), schema)
                    writer.write_table(table)
                    if csv_tmp is not None:
                        frame = table.to_pandas()
                        frame.to_csv(handle, index=False, header=header)
                        header = False
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
        schemas = [pq.read_schema(self.chunk("summary", i)) for i in range(n_batches)]
        return pa.unify_schemas(
            [s.remove_metadata() for s in schemas], promote_options="permissive"
        )

    def finalize(self, n_batches: int, *, events_csv: bool) -> tuple[int, pd.DataFrame]:
        """Assemble the final tables from the chunks of batches ``0 .. n_batches - 1``.

        Every table is streamed one chunk at a time, so memory does not grow with the
        number of replications.

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
        self._stream(
            "events",
            n_batches,
            EVENTS_SCHEMA,
            "events.parquet",
            "events.csv" if events_csv else None,
        )
        self._stream("series", n_batches, SERIES_SCHEMA, "series.parquet", None)
        acc = CountAccumulator()
        for i in range(n_batches):
            acc.add(pd.read_parquet(self.chunk("counts", i)))
        quantiles = quantile_frame(acc.result())
        _write_parquet(quantiles, self.root / "series_quantiles.parquet")
        if not events_csv and (self.root / "events.csv").exists():
            (self.root / "events.csv").unlink()
        return failed, quantiles
