"""``kabulsim compare`` and ``kabulsim report``: differences with intervals, and HTML reports."""

from __future__ import annotations

import argparse
import re
from functools import partial
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
from kabulsim.limits import MAX_BOOT, MAX_BOOT_DRAWS

if TYPE_CHECKING:
    import pandas as pd

    from kabulsim.calibration.ensemble import Ensemble
    from kabulsim.experiments.studies import RunFolder
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


def _name(text: str, taken: set[str]) -> str:
    """A folder name for one input: its file name, in safe characters, unique."""
    stem = Path(text).stem if text.endswith((".yaml", ".yml")) else Path(text).name
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", stem).lstrip(".")[:80]
    name, i = stem or "run", 2
    while name in taken:
        name, i = f"{stem}-{i}", i + 1
    taken.add(name)
    return name


def handle_compare(args: argparse.Namespace) -> int:
    """Load or run every input, write the differences and the overlay figure."""
    from kabulsim.experiments.studies import (
        default_out_dir,
        folder_lock,
        prepare_folder,
        read_run,
    )
    from kabulsim.scenario import Scenario, load_scenario

    if len(args.inputs) < 2:
        raise UsageError("compare needs at least two runs or scenario files")
    taken: set[str] = set()
    sources: list[tuple[str, str, object]] = []
    for text in args.inputs:
        path = Path(text)
        name = _name(text, taken)
        if path.is_dir():
            sources.append((name, "run", read_run(path)))
        else:
            sources.append((name, "scenario", load_scenario(path)))
    names = [s[0] for s in sources]
    baseline = args.baseline if args.baseline is not None else names[0]
    if baseline not in names:
        raise UsageError(f"--baseline {baseline}: not one of {', '.join(names)}")
    warn_implausible(*(item for _, kind, item in sources if isinstance(item, Scenario)))
    most = max(getattr(item, "reps", args.reps) for _, _, item in sources)
    if args.n_boot * most > MAX_BOOT_DRAWS:
        raise UsageError(
            f"--n-boot {args.n_boot:,} x {most:,} replications = {args.n_boot * most:,} draws;"
            f" at most {MAX_BOOT_DRAWS:,} (fewer resamples or replications)"
        )
    ens = resolve_ensemble(args)  # checked before the folder is made
    out: Path = args.out if args.out is not None else default_out_dir("compare-" + "-".join(names))
    prepare_folder(out, force=args.force)
    failures: list[FigureFailure] = []
    with folder_lock(out):
        diffs = _compare_into(out, args, sources, names, baseline, ens, failures)
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


def _compare_into(
    out: Path,
    args: argparse.Namespace,
    sources: list[tuple[str, str, object]],
    names: list[str],
    baseline: str,
    ens: Ensemble | None,
    failures: list[FigureFailure],
) -> pd.DataFrame:
    """Copy or run every input into ``out/runs``; write the differences, manifest, figures.

    The figures come last, after the manifest that marks the folder complete: they are
    pictures of the tables, and a figure that fails is recorded in ``failures`` and left
    absent while the folder stays a complete comparison (``report`` and ``--force`` work).
    """
    from kabulsim.analysis.compare import compare, differences_markdown
    from kabulsim.experiments.runner import run_many
    from kabulsim.experiments.studies import (
        RunFolder,
        comparison_run,
        copy_run,
        read_run,
        write_comparison,
    )
    from kabulsim.files import atomic_write_text
    from kabulsim.plots.forest import forest_plot
    from kabulsim.plots.io import write_figures
    from kabulsim.plots.overlay import comparison_overlay
    from kabulsim.plots.survival import fall_by_date_figure

    runs: dict[str, RunFolder] = {}
    stopped = f"runs finished so far are in {out}/runs; run the comparison again"
    with engine_session(args.scheduler, args.quiet, stopped) as (client, bar):
        for name, kind, item in sources:
            if kind == "run":
                assert isinstance(item, RunFolder)
                runs[name] = copy_run(item, out, name)
            else:
                run_many(
                    item,  # type: ignore[arg-type]
                    args.reps, args.seed, workers=args.workers, client=client,
                    out=comparison_run(out, name), progress=bar, ensemble=ens,
                )  # fmt: skip
                runs[name] = read_run(comparison_run(out, name))
    _warn_mixed_ensembles(runs)
    summaries = {name: run.summary for name, run in runs.items()}
    diffs = compare(summaries, baseline, n_boot=args.n_boot, seed=args.seed)
    atomic_write_text(out / "differences.md", differences_markdown(diffs, baseline, args.n_boot))
    write_comparison(
        out, names, baseline, diffs, inputs=args.inputs, n_boot=args.n_boot, seed=args.seed
    )
    scenarios = {name: run.scenario for name, run in runs.items()}
    draws = {
        "comparison": partial(comparison_overlay, summaries),
        "fall_by_date": partial(fall_by_date_figure, summaries, scenarios),
        "differences": partial(forest_plot, diffs, baseline),
    }
    write_figures(draws, out, failures)
    return diffs


def _warn_mixed_ensembles(runs: dict[str, RunFolder]) -> None:
    """One warning line when the runs drew their parameters from different ensembles."""
    import json
    import sys

    from kabulsim.calibration.ensemble import describe_record

    kinds = {json.dumps(run.ensemble, sort_keys=True) for run in runs.values()}
    if len(kinds) > 1:
        parts = "; ".join(f"{name}: {describe_record(run.ensemble)}" for name, run in runs.items())
        print(
            "kabulsim: warning: the runs drew their parameters from different ensembles, so"
            f" their differences are not paired by parameter set ({safe_text(parts)})",
            file=sys.stderr,
        )


def handle_report(args: argparse.Namespace) -> int:
    """Write the HTML report of a run or comparison folder."""
    from kabulsim.analysis.validation import validate_summary
    from kabulsim.experiments.studies import is_comparison, read_comparison, read_run
    from kabulsim.report.html import scenario_changes, write_report

    folder: Path = args.folder
    output = args.output if args.output is not None else folder / "report.html"
    if output.exists() and output.is_dir():
        raise UsageError(f"-o {output}: is a folder; expected an HTML file name")
    if is_comparison(folder):
        found = read_comparison(folder)
        runs = found.runs
        others = [n for n in runs if n != found.baseline]
        main_run = runs[others[0]] if others else runs[found.baseline]
        comparison = {name: run.summary for name, run in runs.items()}
        baseline: str | None = found.baseline
        n_boot, seed = found.n_boot, found.seed
        differences = found.differences  # the table compare wrote, not recomputed
        title: str | None = f"kabulsim comparison: {', '.join(others)} against {found.baseline}"
    else:
        main_run, comparison, baseline, n_boot, seed = read_run(folder), None, None, 2000, 0
        differences, title = None, None
    validation = None
    if args.validate or scenario_changes(main_run.scenario).empty:
        validation = validate_summary(main_run.summary, main_run.scenario)
    path = write_report(
        output, main_run.summary, main_run.scenario, series=main_run.series,
        validation=validation, comparison=comparison, baseline=baseline, n_boot=n_boot,
        seed=seed, series_quantiles=main_run.series_quantiles, differences=differences,
        ensemble=main_run.ensemble, title=title,
    )  # fmt: skip
    print(f"report written to {safe_text(path)}")
    return 0
