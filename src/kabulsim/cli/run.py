"""``kabulsim run`` (replications, a short summary, the tables) and ``validate`` (the record)."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from kabulsim.cli.common import (
    UsageError,
    report_figure_failures,
    resolve_ensemble,
    resolve_scenario,
    running,
)
from kabulsim.limits import DEFAULT_REPS
from kabulsim.textsafe import terminal_lines, terminal_text

if TYPE_CHECKING:
    from kabulsim.plots.io import FigureFailure

__all__ = ["DEFAULT_REPS", "handle_run", "handle_validate"]


def _resume_conflict(args: argparse.Namespace) -> str | None:
    """The first option given with ``--resume`` that the manifest decides, if any."""
    given = (
        ("SCENARIO", args.scenario), ("--set", args.overrides), ("--reps", args.reps),
        ("--seed", args.seed), ("--out", args.out), ("--ensemble", args.ensemble is not None),
    )  # fmt: skip
    return next((name for name, value in given if value), None)


def handle_run(args: argparse.Namespace) -> int:
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


def handle_validate(args: argparse.Namespace) -> int:
    """Run the validation and print its table, then the checks that follow it."""
    from kabulsim.analysis.display import terminal_table
    from kabulsim.analysis.validation import STALEMATE_RUN
    from kabulsim.api import validate
    from kabulsim.folders.validation import (
        PREDICTIVE_REPS,
        leave_one_out_table,
        predictive_table,
    )

    scenario = resolve_scenario(args)
    ens = resolve_ensemble(args)
    result = validate(scenario, reps=args.reps, seed=args.seed, ensemble=ens)
    with_ens = ", the scenario's own values" if ens is None else f", parameters from {ens.label}"
    print(
        f"Validation against the record: {result.reps} replications, seed {result.seed}{with_ens}"
    )
    print(
        textwrap.fill(
            f"The stalemate fact reads a second run of as many replications: {STALEMATE_RUN}.",
            width=100,
        )
        + "\n"
    )
    print(result.text())
    if ens is not None:
        ppc = predictive_table(scenario, ens, members=args.members, seed=args.seed)
        print(
            f"\nPosterior predictive check: {args.members} members drawn by weight,"
            f" {PREDICTIVE_REPS} replications each; each fact's statistic over the members"
            " (median [5% to 95%]) and the share of members inside the tolerance"
        )
        print(terminal_table(ppc.round(3)))
    if args.leave_one_out is not None:
        loo = leave_one_out_table(scenario, args.leave_one_out, seed=args.seed)
        print(
            "\nLeave one fact out: calibrated without the fact (60 particles x 5 replications,"
            " 3 generations), then the fact predicted by 20 members"
        )
        print(terminal_table(loo.round(3)))
    return 0 if result.passed else 1
