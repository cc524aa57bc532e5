"""``kabulsim compare`` and ``kabulsim report``: differences with intervals, and HTML reports."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kabulsim.cli.common import (
    report_figure_failures,
    resolve_ensemble,
    running,
    warn_implausible,
    warning,
)
from kabulsim.textsafe import terminal_text

if TYPE_CHECKING:
    from kabulsim.plots.io import FigureFailure


def handle_compare(args: argparse.Namespace) -> int:
    """Load or run every input, write the differences and the overlay figure."""
    from kabulsim.analysis.display import terminal_table
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
        base = terminal_text(baseline)
        print(f"differences from {base} that are meaningful (95% bootstrap intervals):")
        drop = ["reading"] + (["scenario"] if shown["scenario"].nunique() <= 1 else [])
        print(terminal_table(shown.drop(columns=drop)) if len(shown) else "(none)")
        folder = terminal_text(out)
        print(
            f"all differences in {terminal_text(out / 'differences.csv')}, in words in"
            f" {terminal_text(out / 'differences.md')}; report: kabulsim report {folder}"
        )
    if failures:
        return report_figure_failures(failures, out)
    return 0


def handle_report(args: argparse.Namespace) -> int:
    """Write the HTML report of a run or comparison folder."""
    from kabulsim.folders.report import write_report_file

    path = write_report_file(args.folder, args.output, validate=args.validate)
    print(f"report written to {terminal_text(path)}")
    return 0
