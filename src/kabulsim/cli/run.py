"""``kabulsim run``: run replications of a scenario, print a short summary, write the tables."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kabulsim.cli.common import (
    UsageError,
    add_command,
    bounded_int,
    opt,
    report_figure_failures,
    resolve_ensemble,
    resolve_scenario,
    running,
    safe_lines,
    safe_text,
)
from kabulsim.limits import (
    CLUSTER_BATCH_SIZE,
    DEFAULT_REPS,
    DEFAULT_SERIES_REPS,
    EVENTS_CSV_MAX,
    LOCAL_BATCH_SIZE,
    MAX_BATCH_SIZE,
    MAX_SERIES_REPS,
)

if TYPE_CHECKING:
    from kabulsim.plots.io import FigureFailure

__all__ = ["DEFAULT_REPS", "register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``run`` sub-command."""
    add_command(
        sub, "run", handle, [
            opt("scenario", nargs="?", default=None,
                help="scenario YAML file (omit with --resume)"),
            "--set", "--ensemble",
            opt("--reps", default=None, help=f"replications (default {DEFAULT_REPS})"),
            opt("--seed", default=None, help="the run's seed (default 0)"),
            opt("--out", help="output folder (default: a new folder under runs/ named from the"
                " scenario and time); must not exist or be empty unless --force"),
            "--force",
            opt("--resume", type=Path, default=None, metavar="DIR", help="finish an interrupted"
                " run in DIR: scenario, seed, replications and batch size come from its"
                " manifest; only missing batches are run"),
            "--workers", "--scheduler",
            opt("--batch-size", type=bounded_int(1, MAX_BATCH_SIZE), default=None,
                help=f"replications per task (default {LOCAL_BATCH_SIZE} on local cores,"
                f" {CLUSTER_BATCH_SIZE} on a Dask cluster)"),
            opt("--series-reps", type=bounded_int(0, MAX_SERIES_REPS), metavar="N",
                default=DEFAULT_SERIES_REPS, help="keep the full state series of the first N"
                " replications in series.parquet (default %(default)s); quantiles always use"
                " every replication"),
            opt("--no-figures", action="store_true", help="do not draw the figures (figures/:"
                " timeline, fan chart, distributions, theatre map as PNG and SVG, and"
                " animation.gif)"),
            opt("--quiet", help="no progress bar and no summary"),
        ],
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
    )  # fmt: skip


def _resume_conflict(args: argparse.Namespace) -> str | None:
    """The first option given with ``--resume`` that the manifest decides, if any."""
    given = (
        ("SCENARIO", args.scenario), ("--set", args.overrides), ("--reps", args.reps),
        ("--seed", args.seed), ("--out", args.out), ("--ensemble", args.ensemble is not None),
    )  # fmt: skip
    return next((name for name, value in given if value), None)


def handle(args: argparse.Namespace) -> int:
    """Run (or resume), write, summarise."""
    from kabulsim.experiments.studies import default_out_dir
    from kabulsim.folders.run import (
        draw_run_figures,
        resume_run_folder,
        run_summary,
        write_run_folder,
    )

    if args.resume is not None:
        if (conflict := _resume_conflict(args)) is not None:
            raise UsageError(f"--resume takes these from the manifest; do not give {conflict}")
        out: Path = args.resume
    else:
        if args.scenario is None:
            raise UsageError("a SCENARIO file is required (or --resume DIR)")
        scenario = resolve_scenario(args)
        out = args.out if args.out is not None else default_out_dir(scenario.name)

    stopped = f"finished batches are kept in {out}; finish with: kabulsim run --resume {out}"
    with running(args, stopped) as (client, bar):
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
        print(safe_lines(run_summary(result, out)))
        where = "tables" if args.no_figures else "tables and figures (figures/)"
        print(f"{where} written to {safe_text(out)}")
    if failures:
        return report_figure_failures(failures, out)
    return 1 if result.failed else 0
