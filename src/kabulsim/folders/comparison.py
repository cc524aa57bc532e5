"""Comparison folders: every input run (or copied) under ``runs/``, the differences, figures.

:func:`load_inputs` names each input (a run folder or a scenario file) and reads it;
:func:`check_comparison` refuses a comparison that cannot be made before anything is written;
:func:`write_comparison_folder` fills a prepared folder: the runs (scenario files run with
the same seed and replications, so differences are paired), ``differences.csv`` and
``differences.md``, the manifest that marks the folder complete and, last, the figures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kabulsim.folders import StudyError
from kabulsim.limits import MAX_BOOT_DRAWS

if TYPE_CHECKING:
    import pandas as pd

    from kabulsim.calibration.ensemble import Ensemble
    from kabulsim.experiments.runner import Progress
    from kabulsim.experiments.studies import RunFolder
    from kabulsim.plots.io import FigureFailure
    from kabulsim.scenario import Scenario


@dataclass(frozen=True)
class Source:
    """One input of a comparison: its folder name and the run or scenario it holds."""

    name: str
    item: RunFolder | Scenario


def _name(text: str, taken: set[str]) -> str:
    """A folder name for one input: its file name, in safe characters, unique."""
    stem = Path(text).stem if text.endswith((".yaml", ".yml")) else Path(text).name
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", stem).lstrip(".")[:80]
    name, i = stem or "run", 2
    while name in taken:
        name, i = f"{stem}-{i}", i + 1
    taken.add(name)
    return name


def load_inputs(inputs: Sequence[str | Path]) -> list[Source]:
    """Read every input: a folder is a finished run, anything else a scenario file."""
    from kabulsim.experiments.studies import read_run
    from kabulsim.scenario import load_scenario

    if len(inputs) < 2:
        raise StudyError("compare needs at least two runs or scenario files")
    taken: set[str] = set()
    sources = []
    for text in inputs:
        path = Path(text)
        name = _name(str(text), taken)
        sources.append(Source(name, read_run(path) if path.is_dir() else load_scenario(path)))
    return sources


def check_comparison(
    sources: Sequence[Source], baseline: str | None, *, reps: int, n_boot: int
) -> str:
    """The baseline's name (default: the first input), after checking the bootstrap's size.

    Raises:
        StudyError: a baseline that is not an input, or more than
            :data:`~kabulsim.limits.MAX_BOOT_DRAWS` bootstrap draws.
    """
    names = [s.name for s in sources]
    chosen = baseline if baseline is not None else names[0]
    if chosen not in names:
        raise StudyError(f"--baseline {chosen}: not one of {', '.join(names)}")
    most = max(getattr(s.item, "reps", reps) for s in sources)
    if n_boot * most > MAX_BOOT_DRAWS:
        raise StudyError(
            f"--n-boot {n_boot:,} x {most:,} replications = {n_boot * most:,} draws;"
            f" at most {MAX_BOOT_DRAWS:,} (fewer resamples or replications)"
        )
    return chosen


def default_out(sources: Sequence[Source]) -> Path:
    """A new folder under runs/ named from the inputs."""
    from kabulsim.experiments.studies import default_out_dir

    return default_out_dir("compare-" + "-".join(s.name for s in sources))


def mixed_ensembles(runs: dict[str, RunFolder]) -> str | None:
    """A warning when the runs drew their parameters from different ensembles, else None."""
    from kabulsim.calibration.ensemble import describe_record

    kinds = {json.dumps(run.ensemble, sort_keys=True) for run in runs.values()}
    if len(kinds) <= 1:
        return None
    parts = "; ".join(f"{name}: {describe_record(run.ensemble)}" for name, run in runs.items())
    return (
        "the runs drew their parameters from different ensembles, so their differences are"
        f" not paired by parameter set ({parts})"
    )


def write_comparison_folder(
    out: Path,
    sources: Sequence[Source],
    baseline: str,
    *,
    inputs: Sequence[str | Path],
    reps: int,
    seed: int,
    n_boot: int,
    ensemble: Ensemble | None,
    workers: int | None = None,
    client: Any = None,
    progress: Progress | None = None,
    failures: list[FigureFailure] | None = None,
    warn: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Copy or run every input into the prepared ``out``; write the differences, figures.

    Holds ``out``'s lock throughout. The figures come last, after the manifest that marks the
    folder complete: they are pictures of the tables, and a figure that fails is recorded in
    ``failures`` and left absent while the folder stays a complete comparison.

    Args:
        out: the folder (made ready by ``experiments.studies.prepare_folder``).
        sources: the inputs (:func:`load_inputs`).
        baseline: the name the differences are taken from (:func:`check_comparison`).
        inputs: the inputs as given, recorded in the manifest.
        reps: replications of each scenario file.
        seed: the scenario files' seed and the bootstrap's.
        n_boot: bootstrap resamples.
        ensemble: the scenario files' parameter ensemble (None: the single values).
        workers: local processes (default all cores).
        client: a ``dask.distributed.Client``.
        progress: ``progress(done, total)`` per scenario file's run.
        failures: where figures that could not be drawn are recorded.
        warn: called with a warning line (runs from different ensembles).

    Returns:
        The differences table (as in ``differences.csv``).
    """
    from kabulsim.analysis.compare import compare, differences_markdown
    from kabulsim.experiments.runner import run_many
    from kabulsim.experiments.studies import (
        RunFolder,
        comparison_run,
        copy_run,
        folder_lock,
        read_run,
        write_comparison,
    )
    from kabulsim.files import atomic_write_text
    from kabulsim.plots.forest import forest_plot
    from kabulsim.plots.io import write_figures
    from kabulsim.plots.overlay import comparison_overlay
    from kabulsim.plots.survival import fall_by_date_figure

    names = [s.name for s in sources]
    with folder_lock(out):
        runs: dict[str, RunFolder] = {}
        for source in sources:
            if isinstance(source.item, RunFolder):
                runs[source.name] = copy_run(source.item, out, source.name)
            else:
                run_many(
                    source.item, reps, seed, workers=workers, client=client,
                    out=comparison_run(out, source.name), progress=progress, ensemble=ensemble,
                )  # fmt: skip
                runs[source.name] = read_run(comparison_run(out, source.name))
        mixed = mixed_ensembles(runs)
        if mixed is not None and warn is not None:
            warn(mixed)
        summaries = {name: run.summary for name, run in runs.items()}
        diffs = compare(summaries, baseline, n_boot=n_boot, seed=seed)
        atomic_write_text(out / "differences.md", differences_markdown(diffs, baseline, n_boot))
        write_comparison(
            out, names, baseline, diffs, inputs=[str(i) for i in inputs], n_boot=n_boot, seed=seed
        )
        scenarios = {name: run.scenario for name, run in runs.items()}
        draws = {
            "comparison": partial(comparison_overlay, summaries),
            "fall_by_date": partial(fall_by_date_figure, summaries, scenarios),
            "differences": partial(forest_plot, diffs, baseline),
        }
        write_figures(draws, out, failures if failures is not None else [])
    return diffs
