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
    from kabulsim.analysis.validation import ValidationResult
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


def _held_out_lines(result: ValidationResult) -> list[str]:
    """The held-out facts' table, their coverage and the ensemble against single values."""
    import math

    import pandas as pd

    from kabulsim.analysis.display import terminal_table
    from kabulsim.analysis.validation import coverage

    table = result.held_out
    if table is None or table.empty:
        return ["\nNo held-out facts in the facts file."]
    lines = [
        "\n"
        + textwrap.fill(
            "Held-out facts (out of sample: never read by the calibration; they do not decide"
            " the exit status). PIT: the record's place in the predicted distribution (a window"
            " or range counted as uniform over it; 0: the model predicts later or more than the"
            " record, 1: earlier or fewer); inside 50%/90%: the record inside the central"
            " predicted interval.",
            width=100,
        )
    ]

    def yes(value: object) -> str:
        return "" if value is None or value is pd.NA else ("yes" if value else "no")

    shown = pd.DataFrame(
        {
            "key": table["key"],
            "record": table["record"],
            "predicted": table["predicted"],
            "PIT": [("" if math.isnan(p) else f"{p:.3f}") for p in table["pit"]],
            "inside 50%": [yes(v) for v in table["in_50"]],
            "inside 90%": [yes(v) for v in table["in_90"]],
            "status": table["status"],
            "independent": [yes(v) for v in table["independent"]],
        }
    )
    lines.append(terminal_table(shown))
    cov = coverage(table)
    ind = coverage(table, independent_only=True)
    lines.append(f"Coverage: {cov.line()}.")
    lines.append(f"Independent of the inputs and the fitted facts only: {ind.line()}.")
    if result.held_out_single is not None:
        single = coverage(result.held_out_single)
        lines.append(
            f"\nEnsemble against single values on the held-out facts (same seed {result.seed},"
            f" {result.reps} replications; 'passed': the record inside the predicted 90%"
            " interval; lower mean |PIT - 0.5| is better):"
        )
        for label, c in (("the ensemble", cov), ("single values (--ensemble none)", single)):
            lines.append(
                f"  {label}: {c.in_90} of {c.scored} passed; mean |PIT - 0.5| ="
                f" {c.mean_distance:.3f}"
            )
        verdict = "at least as many as" if cov.in_90 >= single.in_90 else "FEWER than"
        lines.append(f"  The ensemble passes {verdict} the single values.")
    return lines


def handle_validate(args: argparse.Namespace) -> int:
    """Run the validation and print its tables, then the checks that follow it."""
    from kabulsim.analysis.display import terminal_table
    from kabulsim.analysis.validation import STALEMATE_RUN
    from kabulsim.api import validate
    from kabulsim.calibration.facts import load as load_facts
    from kabulsim.folders.validation import (
        PREDICTIVE_REPS,
        leave_one_out_table,
        predictive_table,
        write_validation_folder,
    )

    facts = load_facts(args.facts)
    scenario = resolve_scenario(args)
    ens = resolve_ensemble(args)
    result = validate(scenario, reps=args.reps, seed=args.seed, ensemble=ens, facts=facts)
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
    print("Fitted facts (they decide the exit status):")
    print(result.text())
    print(terminal_lines("\n".join(_held_out_lines(result))))
    if args.out is not None:
        meta = {
            "command": "kabulsim validate",
            "scenario": scenario.name,
            "seed": result.seed,
            "reps": result.reps,
            "ensemble": "none" if ens is None else ens.label,
            "facts": facts.source,
        }
        write_validation_folder(result, facts, args.out, meta)
        print(f"\ntables and the held-out facts' figure written to {terminal_text(args.out)}")
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
