"""``kabulsim story``: the dated account of representative replications of a run or comparison."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING

from kabulsim.cli.common import UsageError, safe_text

if TYPE_CHECKING:
    from kabulsim.analysis.story import Pick, Story
    from kabulsim.experiments.studies import RunFolder


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``story`` sub-command."""
    p = sub.add_parser(
        "story",
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
    )
    p.add_argument("folder", type=Path, metavar="RUN_OR_COMPARISON")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--rep", type=int, default=None, help="tell replication N (from 0)")
    which.add_argument(
        "--pick",
        metavar="OUTCOME[:Q1,Q2,...]",
        default=None,
        help="tell the replications at these quantiles (0-1) of an outcome (default"
        " alliance_enters_kabul:0.05,0.5,0.95)",
    )
    p.add_argument(
        "--by", default=None, help="comparison: the run whose ranking picks (default: baseline)"
    )
    p.add_argument("--out", type=Path, default=None, help="also write the text to this file")
    p.set_defaults(handler=handle)


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


def _runs(folder: Path, by: str | None) -> tuple[dict[str, RunFolder], str]:
    from kabulsim.experiments.studies import is_comparison, read_comparison, read_run

    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder; expected a run or comparison folder")
    if is_comparison(folder):
        found = read_comparison(folder)
        runs, base = found.runs, found.baseline
    else:
        run = read_run(folder)
        runs = {run.scenario.name: run}
        base = run.scenario.name
    if by is not None:
        if by not in runs:
            raise UsageError(f"--by {by}: not one of {', '.join(runs)}")
        base = by
    return runs, base


def _events(run: RunFolder) -> object:
    import pandas as pd

    path = run.path / "events.parquet"
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: unreadable ({type(exc).__name__}); the run is damaged") from None


def tell_all(
    runs: dict[str, RunFolder], base: str, picks: list[Pick]
) -> list[tuple[Pick, list[Story]]]:
    """For each pick, its story under every run (the same replication index)."""
    import pandas as pd

    from kabulsim.analysis.story import tell

    events = {name: _events(run) for name, run in runs.items()}
    series = {name: run.series for name, run in runs.items()}
    out = []
    for chosen in picks:
        stories = []
        for name, run in runs.items():
            ev = events[name]
            assert isinstance(ev, pd.DataFrame)
            mine = ev[ev["rep"] == chosen.rep].sort_values("t_h", kind="mergesort")
            s = series[name]
            mine_series = s[s["rep"] == chosen.rep] if not s.empty else s
            row = {
                str(k): v for k, v in run.summary[run.summary["rep"] == chosen.rep].iloc[0].items()
            }
            stories.append(tell(name, chosen.rep, mine, mine_series, row, run.scenario.start))
        out.append((chosen, stories))
    return out


def shared_lines(stories: list[Story]) -> int:
    """How many first lines every story of a pair tells alike (0 for a single story)."""
    if len(stories) < 2:
        return 0
    n = 0
    for lines in zip(*(s.lines for s in stories), strict=False):
        if any(line.text != lines[0].text or line.date != lines[0].date for line in lines):
            break
        n += 1
    return n


def render(told: list[tuple[Pick, list[Story]]], base: str, paired: bool) -> str:
    """The stories as Markdown text."""
    from kabulsim.analysis.story import outcome_text

    parts: list[str] = []
    for chosen, stories in told:
        head = chosen.heading
        if chosen.outcome is not None:
            head += f" in {base} ({outcome_text(chosen.outcome, chosen.value)})"
        parts.append(f"## {head}")
        if paired:
            parts.append(
                "The same replication under each scenario: the same random numbers and the"
                " same parameter set, so the differences come from the scenarios' assumptions."
            )
        shared = shared_lines(stories)
        if shared:
            parts.append(f"### Under every scenario, until {stories[0].lines[shared - 1].date}")
            parts += [f"- {line.date}: {line.text}" for line in stories[0].lines[:shared]]
        for story in stories:
            parts.append(
                f"### {story.name}, replication {story.rep}" + (", then" if shared else "")
            )
            parts += [f"- {line.date}: {line.text}" for line in story.lines[shared:]]
            if not story.state_shown:
                parts.append("(The run did not keep this replication's state series: the"
                             " numbers before each turn are not shown.)")  # fmt: skip
            parts.append(f"In short: {story.in_short}")
            parts.append("")
    parts.append(
        "A model's replication under stated assumptions, not a reconstruction of what happened;"
        " its numbers of people killed are outputs of the model, not estimates of the real toll."
    )
    return "\n".join(parts) + "\n"


def handle(args: argparse.Namespace) -> int:
    """Pick the replications, tell them, print the text (and write it with --out)."""
    from kabulsim.analysis.story import DEFAULT_OUTCOME, DEFAULT_QUANTILES, Pick, pick

    if args.out is not None and args.out.is_dir():
        raise UsageError(f"--out {args.out}: is a folder; expected a file name")
    outcome, quantiles = (
        parse_pick(args.pick) if args.pick is not None else (DEFAULT_OUTCOME, DEFAULT_QUANTILES)
    )
    runs, base = _runs(args.folder, args.by)
    reps = runs[base].reps
    if args.rep is not None:
        if not 0 <= args.rep < reps:
            raise UsageError(
                f"--rep {args.rep}: out of range; the run has replications 0 to {reps - 1}"
            )
        picks = [Pick(args.rep)]
    else:
        try:
            picks = [pick(runs[base].summary, outcome, q) for q in quantiles]
        except ValueError as exc:
            raise UsageError(f"--pick: {exc}") from None
    told = tell_all(runs, base, picks)
    text = render(told, base, paired=len(runs) > 1)
    print("\n".join(safe_text(line) for line in text.split("\n")), end="")
    if args.out is not None:
        from kabulsim.files import atomic_write_text

        atomic_write_text(args.out, text)
    return 0
