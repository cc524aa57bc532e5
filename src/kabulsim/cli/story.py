"""``kabulsim story``: the dated account of representative replications of a run or comparison."""

from __future__ import annotations

import argparse
import math

from kabulsim.cli.common import UsageError
from kabulsim.textsafe import terminal_lines


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
    print(terminal_lines(text), end="")
    if args.out is not None:
        from kabulsim.files import atomic_write_text

        atomic_write_text(args.out, text)
    return 0
