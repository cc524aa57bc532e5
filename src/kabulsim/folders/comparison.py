"""Comparison folders: every input run (or copied) under ``runs/``, the differences, figures.

:func:`load_inputs` names each input (a run folder or a scenario file) and reads it;
:func:`check_comparison` refuses a comparison that cannot be made before anything is written;
:func:`write_comparison_folder` fills a prepared folder: the runs (scenario files run with
the same seed and replications, so differences are paired), ``differences.csv`` and
``differences.md``, the two layers of uncertainty (``layers.csv``, ``layers.md``,
``decomposition.csv``, ``decomposition_parameters.csv``), the manifest that marks the folder
complete and, last, the figures.

**Two layers.** The runs under ``runs/NAME`` draw the calibrated parameters from the
ensemble (what the record constrains: the first layer, whose differences are
``differences.csv``). With assumptions (:mod:`kabulsim.calibration.assumptions`), every
scenario file is run a second time under ``runs/NAME+assumptions`` with the same seed,
replications and members, each replication also drawing the assumption parameters: the
second layer. ``layers.csv`` gives each difference in both layers, ``decomposition.csv``
splits each difference's variance among its sources (:mod:`kabulsim.analysis.decomposition`).
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
    from matplotlib.figure import Figure

    from kabulsim.calibration.assumptions import AssumptionSet
    from kabulsim.calibration.ensemble import Ensemble
    from kabulsim.experiments.runner import Progress
    from kabulsim.experiments.studies import RunFolder
    from kabulsim.plots.io import FigureFailure
    from kabulsim.scenario import Scenario


OUTER = "+assumptions"
"""The suffix of a run of the second layer (``runs/NAME+assumptions``); an input's name never
has a ``+`` (see :func:`_name`)."""

CALIBRATED = "calibrated"
ASSUMPTIONS = "assumptions"


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
    assumptions: AssumptionSet | None = None,
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
        assumptions: the assumption priors of the second layer (None: the first layer only).
            Every scenario file is then run twice; a run folder given as input has no
            second layer, and then none of the inputs has (a warning says so).

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
    from kabulsim.plots.decomposition import decomposition_figure
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
        outer = None
        if assumptions is not None and any(isinstance(s.item, RunFolder) for s in sources):
            if warn is not None:
                warn(
                    "a run folder was given, so the comparison has no second layer (the"
                    " assumptions' uncertainty): give scenario files to get it"
                )
        elif assumptions is not None:
            outer = {}
            for source in sources:
                where = comparison_run(out, source.name + OUTER)
                assert not isinstance(source.item, RunFolder)  # checked above
                run_many(
                    source.item, reps, seed, workers=workers, client=client, out=where,
                    progress=progress, ensemble=ensemble, assumptions=assumptions,
                )  # fmt: skip
                outer[source.name] = read_run(where).summary
        summaries = {name: run.summary for name, run in runs.items()}
        diffs = compare(summaries, baseline, n_boot=n_boot, seed=seed)
        atomic_write_text(out / "differences.md", differences_markdown(diffs, baseline, n_boot))
        sources_table = write_layers(
            out, summaries, outer, baseline, runs[baseline], assumptions, n_boot=n_boot, seed=seed
        )
        write_comparison(
            out, names, baseline, diffs, inputs=[str(i) for i in inputs], n_boot=n_boot,
            seed=seed, assumptions=None if outer is None else assumptions.record(),  # type: ignore[union-attr]
        )  # fmt: skip
        scenarios = {name: run.scenario for name, run in runs.items()}
        draws: dict[str, Callable[[], Figure | None]] = {
            "comparison": partial(comparison_overlay, summaries),
            "fall_by_date": partial(fall_by_date_figure, summaries, scenarios),
            "differences": partial(forest_plot, diffs, baseline),
            "decomposition": partial(decomposition_figure, sources_table),
        }
        write_figures(draws, out, failures if failures is not None else [])
    return diffs


def parameter_draws(
    run: RunFolder, assumptions: AssumptionSet | None, reps: Sequence[int]
) -> dict[str, pd.DataFrame]:
    """The values each replication drew, by source, indexed by ``rep``.

    The member's calibrated parameters (:meth:`Ensemble.member_for`) and the assumption draws.
    """
    import numpy as np
    import pandas as pd

    from kabulsim.calibration.ensemble import Ensemble
    from kabulsim.experiments.runner import ENSEMBLE_MEMBERS

    seed = run.seed
    out: dict[str, pd.DataFrame] = {}
    members = run.path / ENSEMBLE_MEMBERS
    if run.ensemble and members.is_file():
        ens = Ensemble.from_json(members.read_text(encoding="utf-8"))
        rows = [ens.values(ens.member_for(seed, int(r))) for r in reps]
        out[CALIBRATED] = pd.DataFrame(rows, index=pd.Index(reps, name="rep"))
    if assumptions is not None:
        values = assumptions.draws(seed, [int(r) for r in reps])
        out[ASSUMPTIONS] = pd.DataFrame(
            np.asarray(values), columns=assumptions.paths, index=pd.Index(reps, name="rep")
        )
    return out


def write_layers(
    out: Path,
    inner: dict[str, pd.DataFrame],
    outer: dict[str, pd.DataFrame] | None,
    baseline: str,
    base_run: RunFolder,
    assumptions: AssumptionSet | None,
    *,
    n_boot: int,
    seed: int,
) -> pd.DataFrame:
    """Write ``layers.csv``/``.md`` and the decomposition tables; return the sources' table.

    The decomposition is of the last layer made: the second when there is one (every
    source drawn), else the first (the calibrated parameters and chance).
    """
    import pandas as pd

    from kabulsim.analysis.compare import COMPARE_OUTCOMES, nested_intervals, paired_differences
    from kabulsim.analysis.decomposition import decompose, layer_shares
    from kabulsim.files import atomic_csv, atomic_write_text

    layers = {"record": inner} if outer is None else {"record": inner, "assumptions": outer}
    table = nested_intervals(layers, baseline, n_boot=n_boot, seed=seed)
    atomic_csv(table, out / "layers.csv")
    last = inner if outer is None else outer
    answers = {}
    for name, frame in last.items():
        if name == baseline:
            continue
        for outcome in COMPARE_OUTCOMES:
            if outcome in frame and outcome in last[baseline]:
                answers[(name, outcome)] = paired_differences(last[baseline], frame, outcome)
    reps = sorted(int(r) for r in last[baseline]["rep"])
    draws = parameter_draws(base_run, assumptions if outer is not None else None, reps)
    sources, parameters = decompose(answers, draws, seed=seed)
    if outer is not None:
        firsts = {
            (name, outcome): paired_differences(inner[baseline], inner[name], outcome)
            for name, outcome in answers
        }
        layered = layer_shares(firsts, answers, draws.get(CALIBRATED))
        sources = pd.concat([layered, sources], ignore_index=True)
    atomic_csv(sources, out / "decomposition.csv")
    atomic_csv(parameters, out / "decomposition_parameters.csv")
    atomic_write_text(
        out / "layers.md",
        layers_markdown(table, sources, parameters, baseline, assumptions if outer else None),
    )
    return sources


def layers_markdown(
    layers: pd.DataFrame,
    sources: pd.DataFrame,
    parameters: pd.DataFrame,
    baseline: str,
    assumptions: AssumptionSet | None,
) -> str:
    """``layers.csv`` and ``decomposition.csv`` in words (Markdown)."""
    from kabulsim.analysis.compare import LAYERS, nested_table
    from kabulsim.analysis.decomposition import METHODS_TEXT, shares_table
    from kabulsim.analysis.display import title

    lines = [
        f"# Two layers of uncertainty: differences from {baseline}",
        "",
        "Each difference (scenario minus baseline) in each layer of uncertainty:",
        "",
        f"- *record*: {LAYERS['record']}: each run draws a member of the calibrated ensemble;",
        f"- *assumptions*: {LAYERS['assumptions']}: the same runs, each also drawing the"
        " counterfactual mechanisms' inputs from their priors"
        + ("" if assumptions is not None else " (not made in this comparison)")
        + ".",
        "",
        "An interval '95% of runs' holds the middle 95% of the runs' paired differences"
        " (replication i of the scenario minus replication i of the baseline: the same random"
        " numbers, member and assumption draws); it spreads with every source a layer draws."
        " A share has no such interval (a run's difference is -1, 0 or +1): its interval is"
        " the bootstrap 95% interval of the difference of shares. These are consequences of"
        " the model's stated assumptions, not findings about 2001.",
        "",
    ]
    wide = nested_table(layers)
    cols = [c for c in wide.columns if c != "scenario"]
    for scenario, part in wide.groupby("scenario", sort=False):
        lines += [f"## {scenario}", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        for row in part[cols].itertuples(index=False):
            lines.append("| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |")
        lines.append("")
    if not sources.empty:
        lines += [
            "## Where the uncertainty of each difference comes from",
            "",
            METHODS_TEXT + " The last column but one says how much of the parameters' part"
            " the assumptions carry (kabulsim.analysis.decomposition).",
            "",
        ]
        words = shares_table(sources)
        cols = list(words.columns)
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "---|" * len(cols))
        for row in words.itertuples(index=False):
            lines.append("| " + " | ".join(str(v) for v in row) + " |")
        lines.append("")
    if not parameters.empty:
        top = (
            parameters.sort_values("S1", ascending=False)
            .groupby(["scenario", "outcome"], sort=False)
            .head(3)
        )
        lines += [
            "## The parameters that matter most to each difference",
            "",
            "The three parameters with the largest first-order index per difference (share of"
            " the variance explained by the parameter alone, correlated parameters included),"
            " with SALib's PAWN index (median Kolmogorov-Smirnov distance over 10 slices; a"
            " parameter with no effect reaches about 0.1 to 0.2 at a few hundred runs).",
            "",
            "| scenario | outcome | parameter | source | first-order index | PAWN |",
            "|---|---|---|---|---|---|",
        ]
        for r in top.itertuples(index=False):
            lines.append(
                f"| {r.scenario} | {title(str(r.outcome))} | {r.parameter} | {r.source} |"
                f" {float(str(r.S1)):.2f} | {float(str(r.pawn)):.2f} |"
            )
        lines.append("")
    return "\n".join(lines)
