"""``kabulsim run``: run replications of a scenario, print a short summary, write the tables."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from kabulsim.cli.common import (
    UsageError,
    add_engine_arguments,
    add_ensemble_argument,
    add_scenario_arguments,
    bounded_int,
    positive_int,
    resolve_ensemble,
    resolve_scenario,
    safe_text,
    seed_int,
)
from kabulsim.limits import (
    CLUSTER_BATCH_SIZE,
    DEFAULT_SERIES_REPS,
    EVENTS_CSV_MAX,
    LOCAL_BATCH_SIZE,
    MAX_BATCH_SIZE,
    MAX_SERIES_REPS,
)

if TYPE_CHECKING:
    from kabulsim.experiments.progress import ProgressBar
    from kabulsim.plots.io import FigureFailure

DEFAULT_REPS = 200


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``run`` sub-command."""
    p = sub.add_parser(
        "run",
        help="run replications of a scenario and write their tables",
        description="Run replications of a scenario on all local cores (or a Dask cluster)."
        " Prints a short summary (medians with 90% intervals) and writes into the output"
        " folder: manifest.json, summary.csv and summary.parquet (one row per replication),"
        " events.parquet and events.csv (the event log; CSV up to"
        f" {EVENTS_CSV_MAX:,} replications), series.parquet (the state series of the first"
        " --series-reps replications) and series_quantiles.parquet (quantiles per grid time"
        " over all replications), and figures/ (PNG and SVG figures and an animated GIF of"
        " the offensive on the map). Finished batches are kept in chunks/ as they complete, so"
        " an interrupted run can be finished with --resume. Exit status 1 if any replication"
        " failed.",
    )
    add_scenario_arguments(p, required=False)
    add_ensemble_argument(p)
    for action in p._actions:
        if action.dest == "scenario":
            action.help = "scenario YAML file (omit with --resume)"
    p.add_argument(
        "--reps", type=positive_int, default=None, help=f"replications (default {DEFAULT_REPS})"
    )
    p.add_argument("--seed", type=seed_int, default=None, help="the run's seed (default 0)")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: a new folder under runs/ named from the scenario and"
        " time); must not exist or be empty unless --force",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an earlier kabulsim result in --out (never a folder holding other files)",
    )
    p.add_argument(
        "--resume",
        type=Path,
        default=None,
        metavar="DIR",
        help="finish an interrupted run in DIR: scenario, seed, replications and batch size"
        " come from its manifest; only missing batches are run",
    )
    add_engine_arguments(p)
    p.add_argument(
        "--batch-size",
        type=bounded_int(1, MAX_BATCH_SIZE),
        default=None,
        help=f"replications per task (default {LOCAL_BATCH_SIZE} on local cores,"
        f" {CLUSTER_BATCH_SIZE} on a Dask cluster)",
    )
    p.add_argument(
        "--series-reps",
        type=bounded_int(0, MAX_SERIES_REPS),
        default=DEFAULT_SERIES_REPS,
        metavar="N",
        help="keep the full state series of the first N replications in series.parquet"
        f" (default {DEFAULT_SERIES_REPS}); quantiles always use every replication",
    )
    p.add_argument(
        "--no-figures",
        action="store_true",
        help="do not draw the figures (figures/: timeline, fan chart, distributions, theatre"
        " map as PNG and SVG, and animation.gif)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.set_defaults(handler=handle)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While active, SIGTERM raises KeyboardInterrupt (so the pool is shut down cleanly)."""

    def raise_interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, raise_interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def connect_scheduler(address: str | None) -> Any:
    """A Dask client for ``--scheduler``, or None; connection problems are usage errors."""
    if address is None:
        return None
    try:
        from kabulsim.experiments.executors import connect

        return connect(address)
    except ImportError:
        raise UsageError(
            "--scheduler needs dask.distributed: pip install 'kabulsim[dask]'"
        ) from None
    except Exception as exc:  # dask raises many kinds for a bad address (ValueError, KeyError, ...)
        reason = safe_text(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        raise UsageError(f"--scheduler {safe_text(address)}: cannot connect ({reason})") from None


@contextmanager
def engine_session(
    scheduler: str | None, quiet: bool, stopped: str
) -> Iterator[tuple[Any, ProgressBar | None]]:
    """The Dask client (or None) and progress bar of a command that runs replications.

    SIGTERM is turned into an interruption; on one, ``stopped`` (what was kept and how to
    finish) is printed before it propagates. The bar is closed and the client disconnected
    in every case.

    Args:
        scheduler: the ``--scheduler`` address, or None for local processes.
        quiet: no progress bar.
        stopped: the message printed when the run is interrupted.
    """
    from kabulsim.experiments.progress import ProgressBar

    bar = ProgressBar(sys.stderr) if not quiet and sys.stderr.isatty() else None
    client = connect_scheduler(scheduler)
    try:
        with sigterm_as_interrupt():
            yield client, bar
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
            bar = None
        print(f"kabulsim: stopped; {stopped}", file=sys.stderr)
        raise
    finally:
        if bar is not None:
            bar.close()
        if client is not None:
            client.close()


def handle(args: argparse.Namespace) -> int:
    """Run (or resume), write, summarise."""
    from kabulsim.experiments.studies import default_out_dir
    from kabulsim.folders.run import draw_run_figures, resume_run_folder, write_run_folder

    if args.resume is not None:
        given = [
            name
            for name, value in (
                ("SCENARIO", args.scenario),
                ("--set", args.overrides),
                ("--reps", args.reps),
                ("--seed", args.seed),
                ("--out", args.out),
                ("--ensemble", args.ensemble is not None),
            )
            if value
        ]
        if given:
            raise UsageError(f"--resume takes these from the manifest; do not give {given[0]}")
        out: Path = args.resume
    else:
        if args.scenario is None:
            raise UsageError("a SCENARIO file is required (or --resume DIR)")
        scenario = resolve_scenario(args)
        out = args.out if args.out is not None else default_out_dir(scenario.name)

    stopped = f"finished batches are kept in {out}; finish with: kabulsim run --resume {out}"
    with engine_session(args.scheduler, args.quiet, stopped) as (client, bar):
        if args.resume is not None:
            result = resume_run_folder(
                out, figures=False, workers=args.workers, client=client, progress=bar
            )
        else:
            result = write_run_folder(
                scenario, args.reps if args.reps is not None else DEFAULT_REPS,
                args.seed if args.seed is not None else 0, out, ensemble=resolve_ensemble(args),
                figures=False, workers=args.workers, client=client, progress=bar,
                batch_size=args.batch_size, series_reps=args.series_reps, force=args.force,
            )  # fmt: skip
    failures: list[FigureFailure] = []
    if not args.no_figures:
        draw_run_figures(result, out, failures)
    if not args.quiet:
        from kabulsim.analysis.describe import run_summary_text
        from kabulsim.calibration.ensemble import describe_record
        from kabulsim.experiments.studies import read_manifest

        record = read_manifest(out, "manifest.json").get("ensemble")
        text = run_summary_text(
            result, describe_record(record if isinstance(record, dict) else None)
        )
        print("\n".join(safe_text(line) for line in text.split("\n")))
        where = "tables" if args.no_figures else "tables and figures (figures/)"
        print(f"{where} written to {safe_text(out)}")
    if failures:
        report_figure_failures(failures, out)
        return 1
    return 1 if result.failed else 0


def report_figure_failures(failures: Sequence[FigureFailure], out: Path) -> None:
    """One error line for figures that could not be drawn; the folder's tables are complete."""
    first = failures[0]
    more = f" and {len(failures) - 1} more" if len(failures) > 1 else ""
    print(
        f"kabulsim: error: figure {first.name}{more} not drawn ({safe_text(first.reason)});"
        f" the tables in {safe_text(out)} are complete and the other figures written",
        file=sys.stderr,
    )
