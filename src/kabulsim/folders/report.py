"""The HTML report of a run or comparison folder, as one self-contained file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kabulsim.folders import StudyError

if TYPE_CHECKING:
    import pandas as pd


def write_report_file(folder: Path, output: Path | None = None, *, validate: bool = False) -> Path:
    """Write the report of ``folder`` (a run or a comparison) to ``output``; return its path.

    The validation against the record is included for a scenario with no changes from the
    baseline, or with ``validate``. A comparison's differences are the table ``compare``
    wrote, not recomputed.

    Args:
        folder: a run folder (``kabulsim run``) or comparison folder (``kabulsim compare``).
        output: the HTML file (default: ``folder/report.html``).
        validate: include the validation table for any scenario.

    Raises:
        StudyError: ``output`` is a folder.
    """
    from kabulsim.analysis.validation import validate_summary
    from kabulsim.experiments.studies import is_comparison, read_comparison, read_run
    from kabulsim.report.html import scenario_changes, write_report

    output = output if output is not None else folder / "report.html"
    if output.exists() and output.is_dir():
        raise StudyError(f"-o {output}: is a folder; expected an HTML file name")
    if is_comparison(folder):
        found = read_comparison(folder)
        runs = found.runs
        others = [n for n in runs if n != found.baseline]
        main_run = runs[others[0]] if others else runs[found.baseline]
        comparison = {name: run.summary for name, run in runs.items()}
        baseline: str | None = found.baseline
        n_boot, seed = found.n_boot, found.seed
        differences = found.differences
        layers, sources = _layer_tables(folder)
        title: str | None = f"kabulsim comparison: {', '.join(others)} against {found.baseline}"
    else:
        main_run, comparison, baseline, n_boot, seed = read_run(folder), None, None, 2000, 0
        differences, title = None, None
        layers = sources = None
    validation = None
    if validate or scenario_changes(main_run.scenario).empty:
        validation = validate_summary(main_run.summary, main_run.scenario)
    return write_report(
        output, main_run.summary, main_run.scenario, series=main_run.series,
        validation=validation, comparison=comparison, baseline=baseline, n_boot=n_boot,
        seed=seed, series_quantiles=main_run.series_quantiles, differences=differences,
        ensemble=main_run.ensemble, title=title, layers=layers, sources=sources,
    )  # fmt: skip


def _layer_tables(folder: Path) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """A comparison's ``layers.csv`` and ``decomposition.csv``.

    None where absent: a comparison made before them.
    """
    import pandas as pd

    found: list[pd.DataFrame | None] = []
    for name in ("layers.csv", "decomposition.csv"):
        path = folder / name
        try:
            found.append(pd.read_csv(path) if path.is_file() else None)
        except (OSError, ValueError) as exc:
            raise StudyError(f"{path}: unreadable ({type(exc).__name__})") from None
    return found[0], found[1]
