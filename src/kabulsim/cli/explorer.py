"""``kabulsim explorer``: one self-contained interactive HTML file for a scenario family."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kabulsim.cli.common import UsageError, resolve_ensemble, warning


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
