"""``kabulsim story``: the dated account of representative replications of a run or comparison."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from kabulsim.cli.common import UsageError, add_command, opt, safe_lines


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``story`` sub-command."""
    add_command(
        sub, "story", handle, [
            opt("folder", type=Path, metavar="RUN_OR_COMPARISON"),
            opt("--rep", type=int, default=None, exclusive="which",
                help="tell replication N (from 0)"),
            opt("--pick", metavar="OUTCOME[:Q1,Q2,...]", default=None, exclusive="which",
                help="tell the replications at these quantiles (0-1) of an outcome (default"
                " alliance_enters_kabul:0.05,0.5,0.95)"),
            opt("--by", default=None, help="comparison: the run whose ranking picks (default:"
                " baseline)"),
            opt("--out", help="also write the text to this file"),
        ],
        help="tell single replications of a run or comparison, dated, from the event log",
        description="Print a short dated account of single replications of a run folder (from"
        " kabulsim run): what happened, in order, with the mechanism behind each turn and the"
        " state before it (from the run's event log and state series). For a comparison folder"
        " (from kabulsim compare) the same replication is told under each scenario: common"
        " random numbers make the pair like-for-like. By default the replications at the 5th,"
        " 50th and 95th percentiles of the alliance's date of entry into Kabul are told,"
        " ranked in the comparison's baseline; a replication in which the outcome is missing"
        " (no entry by the horizon) ranks after all the others. Nothing is written into the"
        " folder; --out writes the text (Markdown) to a file as well.",
        epilog="example: kabulsim story runs/compare-baseline-hold_back --pick vacuum_h:0.5",
    )  # fmt: skip


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


def handle(args: argparse.Namespace) -> int:
    """Pick the replications, tell them, print the text (and write it with --out)."""
    from kabulsim.folders.story import story_text

    if args.out is not None and args.out.is_dir():
        raise UsageError(f"--out {args.out}: is a folder; expected a file name")
    outcome, quantiles = parse_pick(args.pick) if args.pick is not None else (None, None)
    text = story_text(args.folder, rep=args.rep, outcome=outcome, quantiles=quantiles, by=args.by)
    print(safe_lines(text), end="")
    if args.out is not None:
        from kabulsim.files import atomic_write_text

        atomic_write_text(args.out, text)
    return 0
