"""The story of a run or comparison folder: single replications told in dated lines.

:func:`story_text` reads a run folder (or every run of a comparison folder), picks the
replications (by index, or at quantiles of an outcome ranked in the baseline) and tells each
one under every run, as Markdown (:mod:`kabulsim.analysis.story` writes the lines). Nothing
is written into the folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kabulsim.folders import StudyError

if TYPE_CHECKING:
    from kabulsim.analysis.story import Pick, Story
    from kabulsim.experiments.studies import RunFolder


def _runs(folder: Path, by: str | None) -> tuple[dict[str, RunFolder], str]:
    from kabulsim.experiments.studies import is_comparison, read_comparison, read_run

    if not folder.is_dir():
        raise StudyError(f"{folder}: not a folder; expected a run or comparison folder")
    if is_comparison(folder):
        found = read_comparison(folder)
        runs, base = found.runs, found.baseline
    else:
        run = read_run(folder)
        runs = {run.scenario.name: run}
        base = run.scenario.name
    if by is not None:
        if by not in runs:
            raise StudyError(f"--by {by}: not one of {', '.join(runs)}")
        base = by
    return runs, base


def _events(run: RunFolder) -> object:
    import pandas as pd

    path = run.path / "events.parquet"
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise StudyError(f"{path}: unreadable ({type(exc).__name__}); the run is damaged") from None


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


def story_text(
    folder: Path,
    *,
    rep: int | None = None,
    outcome: str | None = None,
    quantiles: Sequence[float] | None = None,
    by: str | None = None,
) -> str:
    """The Markdown story of replication ``rep``, or of those at ``quantiles`` of ``outcome``.

    Args:
        folder: a run or comparison folder.
        rep: the replication to tell (from 0); None to pick by quantile.
        outcome: the outcome that ranks the replications (default: the entry into Kabul).
        quantiles: the quantiles (0-1) picked (default 0.05, 0.5, 0.95).
        by: in a comparison, the run whose ranking picks (default: the baseline).

    Raises:
        StudyError: not a folder, an unknown ``by``, ``rep`` out of range, a bad pick, or a
            damaged event log.
    """
    from kabulsim.analysis.story import DEFAULT_OUTCOME, DEFAULT_QUANTILES, Pick, pick

    runs, base = _runs(folder, by)
    reps = runs[base].reps
    if rep is not None:
        if not 0 <= rep < reps:
            raise StudyError(f"--rep {rep}: out of range; the run has replications 0 to {reps - 1}")
        picks = [Pick(rep)]
    else:
        chosen = outcome if outcome is not None else DEFAULT_OUTCOME
        try:
            qs = quantiles if quantiles is not None else DEFAULT_QUANTILES
            picks = [pick(runs[base].summary, chosen, q) for q in qs]
        except ValueError as exc:
            raise StudyError(f"--pick: {exc}") from None
    return render(tell_all(runs, base, picks), base, paired=len(runs) > 1)
