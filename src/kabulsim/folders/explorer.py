"""The explorer page: check the family and the file, run every case, write one HTML file.

:func:`plan_explorer` checks everything before any work (the file it would replace, the
lesson, the menus, the family's size) and loads the scenarios; :func:`write_explorer_page`
runs the family (and a lesson's choices) and writes the self-contained page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kabulsim.folders import StudyError
from kabulsim.limits import MAX_GRID_POINTS, MAX_NAME_CHARS, MAX_REPS
from kabulsim.textsafe import terminal_text

if TYPE_CHECKING:
    import pandas as pd

    from kabulsim.analysis.sweep import Axis
    from kabulsim.calibration.assumptions import AssumptionSet
    from kabulsim.calibration.ensemble import Ensemble
    from kabulsim.experiments.runner import Progress
    from kabulsim.explorer.data import ExplorerData
    from kabulsim.explorer.lesson import Lesson
    from kabulsim.scenario import Scenario

GENERATOR = '<meta name="generator" content="kabulsim '
"""The mark of a page kabulsim wrote (in its head): only such a file is replaced (force)."""
MARK_BYTES = 4096
"""How much of an existing file is read to look for :data:`GENERATOR`."""


def check_out(out: Path, force: bool) -> None:
    """Refuse an ``out`` that would replace a file of the user's (before any work).

    An existing file is replaced only with ``force``, and only when it is a page kabulsim
    wrote (its head carries :data:`GENERATOR`); a folder or a link is never replaced.

    Raises:
        StudyError: naming ``--out`` and what is expected.
    """
    where = f"--out {terminal_text(out)}"
    if out.is_symlink():
        raise StudyError(f"{where}: is a symbolic link; expected a new file name or a page")
    if not out.exists():
        return
    if out.is_dir():
        raise StudyError(f"{where}: is a folder; expected an HTML file name")
    if not force:
        raise StudyError(
            f"{where}: exists; choose a new file name, or --force to replace an explorer page"
            " kabulsim wrote"
        )
    if not out.is_file():
        raise StudyError(f"{where}: not a regular file; expected an HTML file name")
    try:
        with out.open("rb") as fh:
            head = fh.read(MARK_BYTES)
    except OSError as exc:
        raise StudyError(f"{where}: cannot be read ({type(exc).__name__})") from None
    if GENERATOR.encode() not in head:
        raise StudyError(
            f"{where}: not an explorer page kabulsim wrote; --force replaces only those, so it"
            " is left as it is"
        )


def check_work(cases: int, reps: int, title: str | None) -> None:
    """Refuse a family whose size exceeds the bounds, naming the option and the bound.

    Raises:
        StudyError: too many cases (:data:`~kabulsim.limits.MAX_GRID_POINTS`), replications
            (:data:`~kabulsim.limits.MAX_REPS`) or title characters.
    """
    if cases > MAX_GRID_POINTS:
        raise StudyError(
            f"--vary: {cases:,} cases (every scenario with every combination of the values);"
            f" at most {MAX_GRID_POINTS:,}"
        )
    if cases * reps > MAX_REPS:
        raise StudyError(
            f"--reps {reps:,} x {cases:,} cases = {cases * reps:,} replications; at most"
            f" {MAX_REPS:,}"
        )
    if title is not None and len(title) > MAX_NAME_CHARS:
        raise StudyError(f"--title: {len(title):,} characters; at most {MAX_NAME_CHARS}")


@dataclass(frozen=True)
class ExplorerPlan:
    """A checked family: its scenarios, menus, lesson (or None), page title and file."""

    scenarios: list[Scenario]
    axes: list[Axis]
    lesson: Lesson | None
    title: str | None
    out: Path


def plan_explorer(
    files: Sequence[str | Path],
    vary: Sequence[str],
    *,
    out: Path,
    reps: int,
    overrides: Sequence[str] = (),
    title: str | None = None,
    lesson: str | None = None,
    force: bool = False,
) -> ExplorerPlan:
    """Check the page's file, the lesson, the menus and the family's size; load the scenarios.

    Args:
        files: scenario files (the first is the baseline); with ``lesson``, none (the
            lesson's).
        vary: menus, ``KEY=V1,V2,...`` or ``KEY=LO:HI:N``.
        out: the page's file.
        reps: replications per case.
        overrides: ``KEY=VALUE`` applied to every scenario.
        title: the page's title (default: the lesson's, or the scenario names).
        lesson: the name of a lesson of docs/teaching.md.
        force: replace an existing page kabulsim wrote.

    Raises:
        StudyError: see :func:`check_out` and :func:`check_work`; an unknown lesson, no
            scenario, a bad menu or a key twice.
    """
    from kabulsim.analysis.sweep import parse_axis
    from kabulsim.scenario import load_scenario

    check_out(out, force)
    chosen = None
    if lesson is not None:
        from kabulsim.explorer.lesson import LESSONS, SCENARIOS

        if lesson not in LESSONS:
            raise StudyError(f"--lesson {lesson}: expected one of {', '.join(LESSONS)}")
        chosen = LESSONS[lesson]
        if not files:
            files = [str(SCENARIOS / f) for f in chosen.family]
    elif not files:
        raise StudyError("explorer needs at least one SCENARIO file, or --lesson NAME")
    try:
        axes = [parse_axis(v) for v in vary]
    except ValueError as exc:
        raise StudyError(str(exc).replace("--grid", "--vary")) from None
    keys = [a.path for a in axes]
    twice = next((k for k in keys if keys.count(k) > 1), None)
    if twice is not None:
        raise StudyError(f"--vary {twice}: given twice; give each key once, with all its values")
    cases = len(files)
    for axis in axes:
        cases *= len(axis.values) + 1  # the menu's first option: the scenario's own value
    check_work(cases, reps, title)
    scenarios = [load_scenario(Path(s), overrides=list(overrides)) for s in files]
    shown = title if title is not None or chosen is None else chosen.title
    return ExplorerPlan(scenarios, axes, chosen, shown, out)


@dataclass(frozen=True)
class ExplorerPage:
    """A written page: its file, the family's data and the lesson's choices (or None)."""

    path: Path
    data: ExplorerData
    lesson: dict[str, Any] | None


def write_explorer_page(
    plan: ExplorerPlan,
    *,
    reps: int,
    seed: int,
    ensemble: Ensemble | None,
    workers: int | None = None,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
    note: Callable[[str], None] | None = None,
    assumptions: AssumptionSet | None = None,
) -> ExplorerPage:
    """Run the family (and the lesson's choices) and write the page (whole or not at all).

    Args:
        plan: the checked family (:func:`plan_explorer`).
        reps: replications per case.
        seed: the seed of every case.
        ensemble: the parameter ensemble (None: the single values).
        workers: local processes per case (default all cores); the page is the same.
        progress: ``progress(done, total)`` over the family's replications.
        warn: called with each value outside its plausible range (before any run).
        note: called with what is being done next (the lesson's choices, the page).
        assumptions: the second layer of uncertainty (None: none). With two scenario files
            or more, each file is run again with every replication also drawing the
            assumptions, and the page shows each file's differences from the baseline in
            both layers, as ``kabulsim compare`` of those files does (:func:`two_layers`).

    Raises:
        ValueError: a family that is not valid, or a lesson's case that cannot be run.
    """
    from kabulsim.explorer import family_warnings, run_family, write_explorer

    for line in family_warnings(plan.scenarios, plan.axes):
        if warn is not None:
            warn(line)
    data = run_family(
        plan.scenarios, plan.axes, reps, seed, workers=workers, progress=progress,
        ensemble=ensemble,
    )  # fmt: skip
    if assumptions is not None and len(plan.scenarios) > 1:
        if note is not None:
            note("the second layer: the scenario files again, drawing the assumptions")
        data.layers = two_layers(
            plan.scenarios, data.own, reps, seed, ensemble=ensemble, assumptions=assumptions,
            workers=workers,
        )  # fmt: skip
    lead, found = "", None
    if plan.lesson is not None:
        from kabulsim.explorer.lesson import run_lesson
        from kabulsim.explorer.lesson_page import panel_html

        if note is not None:
            note(f"the lesson's choices ({plan.lesson.name})")
        try:
            found = run_lesson(plan.lesson, reps, seed, workers=workers, ensemble=ensemble)
        except ValueError as exc:
            raise StudyError(f"--lesson {plan.lesson.name}: {exc}") from None
        lead = panel_html(found)
    if note is not None:
        note("writing the page")
    path = write_explorer(data, plan.out, title=plan.title, lead=lead)
    return ExplorerPage(path, data, found)


def two_layers(
    scenarios: Sequence[Scenario],
    first: dict[str, pd.DataFrame],
    reps: int,
    seed: int,
    *,
    ensemble: Ensemble | None,
    assumptions: AssumptionSet,
    workers: int | None = None,
    n_boot: int = 2000,
) -> pd.DataFrame:
    """The scenario files' differences from the first one, in both layers of uncertainty.

    ``first`` holds each file's runs as the page made them (the first layer: the ensemble,
    or the single values); each file is run again with the same seed, replications and
    members, every replication also drawing ``assumptions`` (the second layer), exactly as
    ``kabulsim compare`` runs it; the table is compare's own
    (:func:`~kabulsim.analysis.compare.nested_intervals`, its ``layers.csv``), with
    compare's bootstrap (``n_boot``).
    """
    from kabulsim.analysis.compare import nested_intervals
    from kabulsim.experiments.runner import run_many

    outer = {
        sc.name: run_many(
            sc, reps, seed, workers=workers, ensemble=ensemble, assumptions=assumptions
        ).summary
        for sc in scenarios
    }
    inner = {sc.name: first[sc.name] for sc in scenarios}
    layers = {"record": inner, "assumptions": outer}
    return nested_intervals(layers, scenarios[0].name, n_boot=n_boot, seed=seed)
