"""``kabulsim run``: run replications of a scenario, print a short summary, write the tables."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kabulsim.analysis.describe import describe
from kabulsim.cli.common import (
    UsageError,
    add_scenario_arguments,
    positive_int,
    resolve_scenario,
    seed_int,
)
from kabulsim.experiments.output import default_out_dir, write_run
from kabulsim.experiments.runner import RunResult, run


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``run`` sub-command."""
    p = sub.add_parser(
        "run",
        help="run replications of a scenario and write their tables",
        description="Run replications of a scenario. Prints a short summary (medians with 90%%"
        " intervals) and writes summary.csv (one row per replication), events.csv (the event"
        " log), series.csv (the state time series) and manifest.json into the output folder.",
    )
    add_scenario_arguments(p, required=True)
    p.add_argument("--reps", type=positive_int, default=200, help="replications (default 200)")
    p.add_argument("--seed", type=seed_int, default=0, help="the run's seed (default 0)")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: a new folder under runs/ named from the scenario and"
        " time); must not exist or be empty",
    )
    p.add_argument("--quiet", action="store_true", help="no progress and no summary")
    p.set_defaults(handler=handle)


def check_out_dir(out: Path) -> None:
    """Refuse an output path that is a file or a non-empty folder."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file; expected a new or empty folder")
    if out.is_dir() and any(out.iterdir()):
        raise UsageError(f"--out {out}: folder is not empty; choose a new folder")


def format_summary(result: RunResult) -> str:
    """A few lines for the terminal: median and 90% interval of the key outcomes."""
    lines = [
        f"{result.scenario.name}: {result.reps} replications, seed {result.seed},"
        f" {result.runtime_s:.1f} s",
        f"{'outcome':<24} {'median':<22} {'90% interval':<37} happened",
    ]
    for o in describe(result.summary):
        interval = f"{o.low} to {o.high}" if o.low else ""
        lines.append(f"{o.name:<24} {o.median:<22} {interval:<37} {o.happened:.0%}")
    failed = len(result.failures)
    if failed:
        lines.append(f"{failed} replications failed; see the error column of summary.csv")
    return "\n".join(lines)


def handle(args: argparse.Namespace) -> int:
    """Run, write, summarise."""
    scenario = resolve_scenario(args)
    out = args.out if args.out is not None else default_out_dir(scenario.name)
    check_out_dir(out)
    show = not args.quiet and sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show and (done == total or done % max(1, total // 50) == 0):
            print(f"\r{done}/{total} replications", end="", file=sys.stderr, flush=True)

    result = run(scenario, args.reps, args.seed, progress=progress)
    if show:
        print(file=sys.stderr)
    write_run(result, out, argv=sys.argv)
    if not args.quiet:
        print(format_summary(result))
        print(f"tables written to {out}")
    return 1 if len(result.failures) else 0
