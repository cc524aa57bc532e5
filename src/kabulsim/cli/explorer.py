"""``kabulsim explorer``: one self-contained interactive HTML file for a scenario family."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kabulsim.cli.common import UsageError, add_command, opt, resolve_ensemble, warning

DEFAULT_OUT = "explorer.html"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``explorer`` sub-command."""
    add_command(
        sub, "explorer", handle, [
            opt("scenarios", metavar="SCENARIO", nargs="*", help="scenario YAML files (the first"
                " is the baseline); with --lesson, the lesson's"),
            opt("--lesson", metavar="NAME", default=None, help="the page of a lesson of"
                " docs/teaching.md (hold-back, air-power, record): its question, a 'you decide'"
                " panel whose every choice is computed in advance, story cards, dotplots and"
                " pairs of replications, above the explorer of its scenarios (read from"
                " scenarios/ in the current folder)"),
            opt("--vary", metavar="KEY=V1,V2,...", action="append", default=[], help="a parameter"
                " the students may change and its values, e.g. --vary"
                " alliance.hold_back_h=72,168,336 (repeatable; KEY=LO:HI:N for N evenly spaced"
                " numbers; every combination is run)"),
            opt("--set", help="override one value in every scenario, e.g. --set"
                " horizon_days=45 (repeatable)"),
            opt("--reps", help="replications per case (default %(default)s, as kabulsim run)"),
            opt("--seed", help="the seed of every case (default %(default)s)"),
            "--ensemble",
            opt("--workers", help="local worker processes (default: all cores); the file is the"
                " same"),
            opt("--title", default=None, help="the page's title (default: the scenario names)"),
            opt("--out", type=str, default=DEFAULT_OUT, metavar="FILE", help="output file"
                " (default %(default)s); an existing file is replaced only with --force, and"
                " only a page kabulsim wrote"),
            opt("--force", help="replace an existing --out file that is an explorer page"
                " kabulsim wrote"),
            opt("--quiet", help="no progress line"),
        ],
        help="write one interactive HTML file for a class: no Python, no network needed",
        description="Run a family of scenarios (every SCENARIO, crossed with every --vary"
        " value) with the same seed for every case (common random numbers), and write one"
        " self-contained HTML file in which students pick a case from drop-down menus and see"
        " when the alliance enters Kabul, the timeline, the key outcomes, the differences from"
        " the baseline and the map, with the model's caveats and each parameter's source."
        " Each --vary becomes a menu whose first option is the scenario's own value (the"
        " value its file sets, or the ensemble's draw where it sets none), followed by the"
        " values listed, which the page names as changes. The baseline is the first SCENARIO"
        " with every menu on its own value: the same tables as `kabulsim run` of that"
        " scenario with the same --reps and --seed. By default each replication takes its"
        " parameters from a member of the baseline's calibrated ensemble (replication i of"
        " every case the same member), and the page says so; --ensemble none runs the single"
        " values. A value outside its plausible range is run, with a warning here and on the"
        " page. The file (about 1.5 MB) opens offline in any recent browser.",
        epilog="example: kabulsim explorer scenarios/baseline.yaml scenarios/hold_back.yaml"
        " --vary alliance.indiscipline_per_h=0.2,0.02 --out lesson.html",
    )  # fmt: skip


def handle(args: argparse.Namespace) -> int:
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
            progress=progress, warn=warning, note=note,
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
