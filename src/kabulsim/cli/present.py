"""Presenting runs and comparisons: ``compare``, ``report``, ``story`` and ``explorer``.

``compare`` prints the differences with their intervals, ``report`` writes the HTML report,
``story`` tells dated replications and ``explorer`` writes an interactive page for a class.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kabulsim.cli.common import (
    UsageError,
    report_figure_failures,
    resolve_ensemble,
    running,
    warn_implausible,
    warning,
)
from kabulsim.textsafe import terminal_lines, terminal_text

if TYPE_CHECKING:
    import pandas as pd

    from kabulsim.calibration.assumptions import AssumptionSet
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
    priors = resolve_assumptions(args)
    out: Path = args.out if args.out is not None else default_out(sources)
    prepare_folder(out, force=args.force)
    failures: list[FigureFailure] = []
    warnings: list[str] = []
    stopped = f"runs finished so far are in {out}/runs; run the comparison again"
    with running(args, stopped) as (client, bar):
        diffs = write_comparison_folder(
            out, sources, baseline, inputs=args.inputs, reps=args.reps, seed=args.seed,
            n_boot=args.n_boot, ensemble=ens, workers=args.workers, client=client,
            progress=bar, failures=failures, warn=warnings.append, assumptions=priors,
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
        print_after_capital(diffs, drop)
        print_layers(out)
        folder = terminal_text(out)
        print(
            f"all differences in {terminal_text(out / 'differences.csv')}, in words in"
            f" {terminal_text(out / 'differences.md')}; both layers in"
            f" {terminal_text(out / 'layers.md')}; report: kabulsim report {folder}"
        )
    if failures:
        return report_figure_failures(failures, out)
    return 0


def print_after_capital(diffs: pd.DataFrame, drop: list[str]) -> None:
    """The campaign after the capital beside it: every paired difference, meaningful or not."""
    from kabulsim.analysis.compare import readable_differences
    from kabulsim.analysis.display import terminal_table
    from kabulsim.outputs import AFTER_CAPITAL_OUTCOMES

    rows = diffs[diffs["outcome"].isin(AFTER_CAPITAL_OUTCOMES)]
    if rows.empty:
        return
    print(
        "the campaign after Kabul beside it (the south's collapse, the southern pocket, the"
        " redoubt), meaningful or not (95% bootstrap intervals):"
    )
    print(terminal_table(readable_differences(rows).drop(columns=drop)))


def resolve_assumptions(args: argparse.Namespace) -> AssumptionSet | None:
    """The assumption priors named by ``--assumptions`` (None for 'none')."""
    from kabulsim.calibration import assumptions

    given = getattr(args, "assumptions", None)
    try:
        return assumptions.resolve(assumptions.DEFAULT if given is None else str(given))
    except assumptions.AssumptionError as exc:
        raise UsageError(f"--assumptions {exc}") from None


def print_layers(out: Path) -> None:
    """The headline differences in both layers, where their variance comes from, the cost."""
    import json

    import pandas as pd

    from kabulsim.analysis.compare import LAYER_HEADERS, LAYERS, nested_table
    from kabulsim.analysis.decomposition import METHODS_TEXT, shares_table
    from kabulsim.analysis.display import terminal_table
    from kabulsim.outputs import AFTER_CAPITAL_OUTCOMES, HEADLINE_OUTCOMES

    layers = pd.read_csv(out / "layers.csv")
    if layers.empty:
        return
    meaningful = set(pd.read_csv(out / "differences.csv").query("meaningful")["outcome"])
    shown = set(HEADLINE_OUTCOMES) | set(AFTER_CAPITAL_OUTCOMES) | meaningful
    keep = layers["outcome"].isin(shown)
    wide = nested_table(layers[keep])
    wide_one = wide["scenario"].nunique() <= 1
    if wide_one:
        wide = wide.drop(columns=["scenario"])
    print(
        "the headline, the campaign after Kabul and the meaningful differences in two layers of"
        " uncertainty (95% of runs: the middle 95% of the runs' paired differences; shares:"
        " bootstrap 95% interval):"
    )
    made = set(layers["layer"].astype(str))
    for name, words in LAYERS.items():
        if name in made:
            print(f"  {LAYER_HEADERS[name]}: {words.split(' (')[-1].rstrip(')')}")
    print(terminal_table(wide))
    sources = pd.read_csv(out / "decomposition.csv")
    if not sources.empty:
        shares = shares_table(sources[sources["outcome"].isin(shown)])
        if len(shares):
            print("where each difference's variance over the runs comes from:")
            print(METHODS_TEXT.replace("*", ""))
            print(terminal_table(shares.drop(columns=["scenario"]) if wide_one else shares))
    cost = []
    for layer, folder in (("first", "runs"), ("second", "runs")):
        total = 0.0
        for manifest in sorted((out / folder).glob("*/manifest.json")):
            outer = manifest.parent.name.endswith("+assumptions")
            if outer == (layer == "second"):
                total += float(json.loads(manifest.read_text()).get("runtime_s") or 0.0)
        cost.append(total)
    if cost[1] > 0:
        print(
            f"cost: the second layer ran every scenario again ({cost[1]:.0f} s of runs, the"
            f" first {cost[0]:.0f} s); --assumptions none skips it"
        )


def handle_report(args: argparse.Namespace) -> int:
    """Write the HTML report of a run or comparison folder."""
    from kabulsim.folders.report import write_report_file

    path = write_report_file(args.folder, args.output, validate=args.validate)
    print(f"report written to {terminal_text(path)}")
    return 0


def parse_pick(text: str) -> tuple[str, tuple[float, ...]]:
    """``OUTCOME[:Q1,Q2,...]`` -> (outcome, quantiles); the default quantiles when none given.

    Raises:
        UsageError: an empty outcome, or a quantile that is not a number from 0 to 1.
    """
    from kabulsim.analysis.story import DEFAULT_QUANTILES, check_outcome

    outcome, _, qs = text.partition(":")
    outcome = outcome.strip()
    try:
        check_outcome(outcome)
    except ValueError as exc:
        raise UsageError(f"--pick {text}: {exc}") from None
    if not qs:
        return outcome, DEFAULT_QUANTILES
    quantiles = []
    for part in qs.split(","):
        try:
            q = float(part)
        except ValueError:
            q = math.nan
        if not 0.0 <= q <= 1.0:
            raise UsageError(f"--pick {text}: quantile {part!r}: expected a number from 0 to 1")
        quantiles.append(q)
    return outcome, tuple(quantiles)


def handle_story(args: argparse.Namespace) -> int:
    """Pick the replications, tell them, print the text (and write it with --out)."""
    from kabulsim.folders.story import story_text

    if args.out is not None and args.out.is_dir():
        raise UsageError(f"--out {args.out}: is a folder; expected a file name")
    outcome, quantiles = parse_pick(args.pick) if args.pick is not None else (None, None)
    text = story_text(args.folder, rep=args.rep, outcome=outcome, quantiles=quantiles, by=args.by)
    print(terminal_lines(text), end="")
    if args.out is not None:
        from kabulsim.files import atomic_write_text

        atomic_write_text(args.out, text)
    return 0


def handle_explorer(args: argparse.Namespace) -> int:
    """Run the family and write the file."""
    from kabulsim.experiments.progress import CaseProgress
    from kabulsim.folders.explorer import plan_explorer, write_explorer_page

    plan = plan_explorer(
        args.scenarios, args.vary, out=Path(args.out), reps=args.reps,
        overrides=args.overrides, title=args.title, lesson=args.lesson, force=args.force,
    )  # fmt: skip
    progress = None if args.quiet else CaseProgress(sys.stderr, args.reps, "explorer")
    ens = resolve_ensemble(args)

    def note(text: str) -> None:
        if not args.quiet:
            sys.stderr.write(f"explorer: {text}\n")

    try:
        page = write_explorer_page(
            plan, reps=args.reps, seed=args.seed, ensemble=ens, workers=args.workers,
            progress=progress, warn=warning, note=note, assumptions=resolve_assumptions(args),
        )  # fmt: skip
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    size = page.path.stat().st_size
    found = page.lesson
    choices = "" if found is None else f"; the lesson's {len(found['cases'])} choices × {args.reps}"
    print(
        f"wrote {page.path} ({size / 1e6:.1f} MB, {len(page.data.cells)} cases × {args.reps}"
        f" replications{choices})"
    )
    return 0
