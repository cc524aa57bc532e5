"""``kabulsim compare`` and ``kabulsim report``: differences with intervals, and HTML reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kabulsim.cli.common import (
    UsageError,
    add_engine_arguments,
    add_ensemble_argument,
    bounded_int,
    positive_int,
    resolve_ensemble,
    safe_table,
    safe_text,
    seed_int,
    warn_implausible,
)
from kabulsim.cli.run import engine_session, report_figure_failures
from kabulsim.limits import MAX_BOOT

if TYPE_CHECKING:
    from kabulsim.plots.io import FigureFailure


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``compare`` and ``report`` sub-commands."""
    p = sub.add_parser(
        "compare",
        help="compare scenarios or runs: outcome differences with bootstrap intervals",
        description="Compare two or more runs. Each argument is a run folder (from kabulsim"
        " run) or a scenario file; scenario files are run with the same seed and number of"
        " replications, so replication i of each sees the same random numbers (common random"
        " numbers) and differences are paired; by default each takes its calibrated parameters"
        " from the baseline's ensemble, replication i of each the same member (--ensemble"
        " none: the single values). Writes differences.csv, differences.md (the same in"
        " words), the forest plot of the differences (differences.png/.svg), the overlay and"
        " fall-by-date figures and each run into the output folder; `kabulsim report` on"
        " that folder makes an HTML report.",
        epilog="example: kabulsim compare scenarios/baseline.yaml scenarios/hold_back.yaml",
    )
    p.add_argument("inputs", nargs="+", metavar="RUN_OR_SCENARIO")
    p.add_argument(
        "--baseline", default=None, help="name of the run to compare against (default: first)"
    )
    p.add_argument(
        "--reps", type=positive_int, default=200, help="replications per scenario file (200)"
    )
    p.add_argument("--seed", type=seed_int, default=0, help="seed for scenario files (0)")
    p.add_argument(
        "--n-boot", type=bounded_int(1, MAX_BOOT), default=2000, help="bootstrap resamples"
    )
    add_ensemble_argument(p)
    add_engine_arguments(p)
    p.add_argument("--out", type=Path, default=None, help="output folder (default under runs/)")
    p.add_argument("--force", action="store_true", help="replace a non-empty --out folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    p.set_defaults(handler=handle_compare)

    r = sub.add_parser(
        "report",
        help="write a self-contained HTML report of a run or a comparison",
        description="Write one self-contained HTML file (images embedded, no network): the"
        " scenario and what it changes from the baseline, the validation against the record"
        " (for a scenario with no changes, or with --validate), every figure, the outcome"
        " table, the comparison (for a comparison folder) and the parameter provenance.",
    )
    r.add_argument("folder", type=Path, metavar="RUN_OR_COMPARISON")
    r.add_argument(
        "-o", "--output", type=Path, default=None, help="HTML file (default: FOLDER/report.html)"
    )
    r.add_argument("--validate", action="store_true", help="include the validation table")
    r.set_defaults(handler=handle_report)


def handle_compare(args: argparse.Namespace) -> int:
    """Load or run every input, write the differences and the overlay figure."""
    from kabulsim.experiments.studies import prepare_folder
    from kabulsim.folders import StudyError
    from kabulsim.folders.comparison import (
        check_comparison,
        default_out,
        load_inputs,
        write_comparison_folder,
    )
    from kabulsim.scenario import Scenario

    try:
        sources = load_inputs(args.inputs)
        baseline = check_comparison(sources, args.baseline, reps=args.reps, n_boot=args.n_boot)
    except StudyError as exc:
        raise UsageError(str(exc)) from None
    warn_implausible(*(s.item for s in sources if isinstance(s.item, Scenario)))
    ens = resolve_ensemble(args)  # checked before the folder is made
    out: Path = args.out if args.out is not None else default_out(sources)
    prepare_folder(out, force=args.force)
    failures: list[FigureFailure] = []
    warnings: list[str] = []
    stopped = f"runs finished so far are in {out}/runs; run the comparison again"
    with engine_session(args.scheduler, args.quiet, stopped) as (client, bar):
        diffs = write_comparison_folder(
            out, sources, baseline, inputs=args.inputs, reps=args.reps, seed=args.seed,
            n_boot=args.n_boot, ensemble=ens, workers=args.workers, client=client,
            progress=bar, failures=failures, warn=warnings.append,
        )  # fmt: skip
    for line in warnings:
        print(f"kabulsim: warning: {safe_text(line)}", file=sys.stderr)
    if not args.quiet:
        from kabulsim.analysis.compare import readable_differences

        shown = readable_differences(diffs[diffs["meaningful"]])
        print(
            f"differences from {safe_text(baseline)} that are meaningful (95% bootstrap intervals):"
        )
        drop = ["reading"] + (["scenario"] if shown["scenario"].nunique() <= 1 else [])
        print(safe_table(shown.drop(columns=drop)) if len(shown) else "(none)")
        print(
            f"all differences in {safe_text(out / 'differences.csv')}, in words in"
            f" {safe_text(out / 'differences.md')}; report: kabulsim report {safe_text(out)}"
        )
    if failures:
        report_figure_failures(failures, out)
        return 1
    return 0


def handle_report(args: argparse.Namespace) -> int:
    """Write the HTML report of a run or comparison folder."""
    from kabulsim.folders import StudyError
    from kabulsim.folders.report import write_report_file

    try:
        path = write_report_file(args.folder, args.output, validate=args.validate)
    except StudyError as exc:
        raise UsageError(str(exc)) from None
    print(f"report written to {safe_text(path)}")
    return 0
