"""``kabulsim run``: run replications of a scenario, print a short summary, write the tables."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kabulsim.cli.common import (
    UsageError,
    report_figure_failures,
    resolve_ensemble,
    resolve_scenario,
    running,
)
from kabulsim.limits import (
    DEFAULT_REPS,
)
from kabulsim.textsafe import terminal_lines, terminal_text

if TYPE_CHECKING:
    from kabulsim.plots.io import FigureFailure

__all__ = ["DEFAULT_REPS", "handle"]


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
        print(terminal_lines(run_summary(result, out)))
        where = "tables" if args.no_figures else "tables and figures (figures/)"
        print(f"{where} written to {terminal_text(out)}")
    if failures:
        return report_figure_failures(failures, out)
    return 1 if result.failed else 0
