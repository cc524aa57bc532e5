"""``kabulsim compare`` and ``kabulsim report``: differences with intervals, and HTML reports."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kabulsim.cli.common import (
    add_command,
    bounded_int,
    opt,
    report_figure_failures,
    resolve_ensemble,
    running,
    safe_table,
    safe_text,
    warn_implausible,
    warning,
)
from kabulsim.limits import MAX_BOOT

if TYPE_CHECKING:
    from kabulsim.plots.io import FigureFailure


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``compare`` and ``report`` sub-commands."""
    add_command(
        sub, "compare", handle_compare, [
            opt("inputs", nargs="+", metavar="RUN_OR_SCENARIO"),
            opt("--baseline", default=None, help="name of the run to compare against (default:"
                " first)"),
            opt("--reps", help="replications per scenario file (default %(default)s)"),
            opt("--seed", help="seed for scenario files (default %(default)s)"),
            opt("--n-boot", type=bounded_int(1, MAX_BOOT), default=2000,
                help="bootstrap resamples (default %(default)s)"),
            "--ensemble", "--workers", "--scheduler",
            opt("--out", help="output folder (default under runs/)"),
            "--force", "--quiet",
        ],
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
    )  # fmt: skip
    add_command(
        sub, "report", handle_report, [
            opt("folder", type=Path, metavar="RUN_OR_COMPARISON"),
            opt("-o --output", type=Path, default=None, help="HTML file (default:"
                " FOLDER/report.html)"),
            opt("--validate", action="store_true", help="include the validation table"),
        ],
        help="write a self-contained HTML report of a run or a comparison",
        description="Write one self-contained HTML file (images embedded, no network): the"
        " scenario and what it changes from the baseline, the validation against the record"
        " (for a scenario with no changes, or with --validate), every figure, the outcome"
        " table, the comparison (for a comparison folder) and the parameter provenance.",
    )  # fmt: skip


def handle_compare(args: argparse.Namespace) -> int:
    """Load or run every input, write the differences and the overlay figure."""
    from kabulsim.experiments.studies import prepare_folder
    from kabulsim.folders.comparison import (
        check_comparison,
        default_out,
        load_inputs,
        write_comparison_folder,
    )
    from kabulsim.scenario import Scenario

    sources = load_inputs(args.inputs)
    baseline = check_comparison(sources, args.baseline, reps=args.reps, n_boot=args.n_boot)
    warn_implausible(*(s.item for s in sources if isinstance(s.item, Scenario)))
    ens = resolve_ensemble(args)  # checked before the folder is made
    out: Path = args.out if args.out is not None else default_out(sources)
    prepare_folder(out, force=args.force)
    failures: list[FigureFailure] = []
    warnings: list[str] = []
    stopped = f"runs finished so far are in {out}/runs; run the comparison again"
    with running(args, stopped) as (client, bar):
        diffs = write_comparison_folder(
            out, sources, baseline, inputs=args.inputs, reps=args.reps, seed=args.seed,
            n_boot=args.n_boot, ensemble=ens, workers=args.workers, client=client,
            progress=bar, failures=failures, warn=warnings.append,
        )  # fmt: skip
    for line in warnings:
        warning(line)
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
        return report_figure_failures(failures, out)
    return 0


def handle_report(args: argparse.Namespace) -> int:
    """Write the HTML report of a run or comparison folder."""
    from kabulsim.folders.report import write_report_file

    path = write_report_file(args.folder, args.output, validate=args.validate)
    print(f"report written to {safe_text(path)}")
    return 0
