"""``kabulsim explorer``: one self-contained interactive HTML file for a scenario family."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kabulsim.cli.common import (
    UsageError,
    add_ensemble_argument,
    bounded_int,
    positive_int,
    resolve_ensemble,
    safe_text,
    seed_int,
)
from kabulsim.cli.run import DEFAULT_REPS
from kabulsim.limits import MAX_GRID_POINTS, MAX_NAME_CHARS, MAX_REPS, MAX_WORKERS

DEFAULT_OUT = "explorer.html"
GENERATOR = '<meta name="generator" content="kabulsim '
"""The mark of a page kabulsim wrote (in its head): only such a file is replaced (--force)."""
MARK_BYTES = 4096
"""How much of an existing file is read to look for :data:`GENERATOR`."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``explorer`` sub-command."""
    p = sub.add_parser(
        "explorer",
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
    )
    p.add_argument(
        "scenarios",
        metavar="SCENARIO",
        nargs="*",
        help="scenario YAML files (the first is the baseline); with --lesson, the lesson's",
    )
    p.add_argument(
        "--lesson",
        metavar="NAME",
        default=None,
        help="the page of a lesson of docs/teaching.md (hold-back, air-power, record): its"
        " question, a 'you decide' panel whose every choice is computed in advance, story"
        " cards, dotplots and pairs of replications, above the explorer of its scenarios"
        " (read from scenarios/ in the current folder)",
    )
    p.add_argument(
        "--vary",
        metavar="KEY=V1,V2,...",
        action="append",
        default=[],
        help="a parameter the students may change and its values, e.g."
        " --vary alliance.hold_back_h=72,168,336 (repeatable; KEY=LO:HI:N for N evenly spaced"
        " numbers; every combination is run)",
    )
    p.add_argument(
        "--set",
        dest="overrides",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="override one value in every scenario, e.g. --set horizon_days=45 (repeatable)",
    )
    p.add_argument(
        "--reps",
        type=positive_int,
        default=DEFAULT_REPS,
        help=f"replications per case (default {DEFAULT_REPS}, as kabulsim run)",
    )
    p.add_argument("--seed", type=seed_int, default=0, help="the seed of every case (default 0)")
    add_ensemble_argument(p)
    p.add_argument(
        "--workers",
        type=bounded_int(1, MAX_WORKERS),
        default=None,
        help="local worker processes per case (default: all cores); the file is the same",
    )
    p.add_argument("--title", default=None, help="the page's title (default: the scenario names)")
    p.add_argument(
        "--out",
        default=DEFAULT_OUT,
        metavar="FILE",
        help=f"output file (default {DEFAULT_OUT}); an existing file is replaced only with"
        " --force, and only a page kabulsim wrote",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --out file that is an explorer page kabulsim wrote",
    )
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(handler=handle)


class _Progress:
    """``progress(done, total)`` as one line on standard error, redrawn per case."""

    def __init__(self, reps: int) -> None:
        self.reps = reps
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        cases = max(1, total // self.reps)
        case = min(cases, done // self.reps)
        if case == self.last:
            return
        self.last = case
        end = "\n" if not sys.stderr.isatty() or done >= total else ""
        sys.stderr.write(f"\rexplorer: {case}/{cases} cases, {done}/{total} replications{end}")
        sys.stderr.flush()


def check_out(out: Path, force: bool) -> None:
    """Refuse an ``--out`` that would replace a file of the user's (before any work).

    An existing file is replaced only with ``--force``, and only when it is a page kabulsim
    wrote (its head carries :data:`GENERATOR`); a folder or a link is never replaced.

    Raises:
        UsageError: naming ``--out`` and what is expected.
    """
    where = f"--out {safe_text(out)}"
    if out.is_symlink():
        raise UsageError(f"{where}: is a symbolic link; expected a new file name or a page")
    if not out.exists():
        return
    if out.is_dir():
        raise UsageError(f"{where}: is a folder; expected an HTML file name")
    if not force:
        raise UsageError(
            f"{where}: exists; choose a new file name, or --force to replace an explorer page"
            " kabulsim wrote"
        )
    if not out.is_file():
        raise UsageError(f"{where}: not a regular file; expected an HTML file name")
    try:
        with out.open("rb") as fh:
            head = fh.read(MARK_BYTES)
    except OSError as exc:
        raise UsageError(f"{where}: cannot be read ({type(exc).__name__})") from None
    if GENERATOR.encode() not in head:
        raise UsageError(
            f"{where}: not an explorer page kabulsim wrote; --force replaces only those, so it"
            " is left as it is"
        )


def check_work(cases: int, reps: int, title: str | None) -> None:
    """Refuse a family whose size exceeds the bounds, naming the option and the bound.

    Raises:
        UsageError: too many cases (:data:`~kabulsim.limits.MAX_GRID_POINTS`), replications
            (:data:`~kabulsim.limits.MAX_REPS`) or title characters.
    """
    if cases > MAX_GRID_POINTS:
        raise UsageError(
            f"--vary: {cases:,} cases (every scenario with every combination of the values);"
            f" at most {MAX_GRID_POINTS:,}"
        )
    if cases * reps > MAX_REPS:
        raise UsageError(
            f"--reps {reps:,} x {cases:,} cases = {cases * reps:,} replications; at most"
            f" {MAX_REPS:,}"
        )
    if title is not None and len(title) > MAX_NAME_CHARS:
        raise UsageError(f"--title: {len(title):,} characters; at most {MAX_NAME_CHARS}")


def handle(args: argparse.Namespace) -> int:
    """Run the family and write the file."""
    from kabulsim.analysis.sweep import parse_axis
    from kabulsim.explorer import family_warnings, run_family, write_explorer
    from kabulsim.scenario import load_scenario

    out = Path(args.out)
    check_out(out, args.force)
    lead, lesson = "", None
    if args.lesson is not None:
        from kabulsim.explorer.lesson import LESSONS, SCENARIOS

        if args.lesson not in LESSONS:
            raise UsageError(f"--lesson {args.lesson}: expected one of {', '.join(LESSONS)}")
        lesson = LESSONS[args.lesson]
        if not args.scenarios:
            args.scenarios = [str(SCENARIOS / f) for f in lesson.family]
    elif not args.scenarios:
        raise UsageError("explorer needs at least one SCENARIO file, or --lesson NAME")
    try:
        axes = [parse_axis(v) for v in args.vary]
    except ValueError as exc:
        raise UsageError(str(exc).replace("--grid", "--vary")) from None
    keys = [a.path for a in axes]
    twice = next((k for k in keys if keys.count(k) > 1), None)
    if twice is not None:
        raise UsageError(f"--vary {twice}: given twice; give each key once, with all its values")
    cases = len(args.scenarios)
    for axis in axes:
        cases *= len(axis.values) + 1  # the menu's first option: the scenario's own value
    check_work(cases, args.reps, args.title)
    scenarios = [load_scenario(Path(s), overrides=list(args.overrides)) for s in args.scenarios]
    progress = None if args.quiet else _Progress(args.reps)
    ens = resolve_ensemble(args)
    try:
        # the same warning line as `run`, for each file's value and each menu option
        for line in family_warnings(scenarios, axes):
            print(f"kabulsim: warning: {safe_text(line)}", file=sys.stderr)
        data = run_family(
            scenarios,
            axes,
            args.reps,
            args.seed,
            workers=args.workers,
            progress=progress,
            ensemble=ens,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if lesson is not None:
        from kabulsim.explorer.lesson import run_lesson
        from kabulsim.explorer.lesson_page import panel_html

        if not args.quiet:
            sys.stderr.write(f"explorer: the lesson's choices ({lesson.name})\n")
        try:
            found = run_lesson(lesson, args.reps, args.seed, workers=args.workers, ensemble=ens)
        except ValueError as exc:
            raise UsageError(f"--lesson {lesson.name}: {exc}") from None
        lead = panel_html(found)
    if not args.quiet:
        sys.stderr.write("explorer: writing the page\n")
    title = args.title if args.title is not None or lesson is None else lesson.title
    path = write_explorer(data, out, title=title, lead=lead)
    size = path.stat().st_size
    choices = (
        "" if lesson is None else f"; the lesson's {len(found['cases'])} choices × {args.reps}"
    )
    print(
        f"wrote {path} ({size / 1e6:.1f} MB, {len(data.cells)} cases × {args.reps} replications"
        f"{choices})"
    )
    return 0
