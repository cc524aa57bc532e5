"""The checks of a scenario against the record that follow ``kabulsim validate``'s table.

The table itself is :func:`kabulsim.api.validate`'s. With a calibrated ensemble the posterior
predictive check follows (:func:`predictive_table`: where each fact falls among the members'
replications); on request, the leave-one-fact-out check (:func:`leave_one_out_table`: each
fact left out of a small calibration, then predicted by it). :func:`write_validation_folder`
writes validate's output folder (``--out``): the fitted facts' table, the held-out facts'
scores and the figure of their predicted distributions. Nothing here prints.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kabulsim.folders import StudyError

if TYPE_CHECKING:
    import pandas as pd

    from kabulsim.analysis.validation import ValidationResult
    from kabulsim.calibration.ensemble import Ensemble
    from kabulsim.calibration.facts import FactSet
    from kabulsim.scenario import Scenario

MARKER = "validation.json"
"""The file that marks a folder written by ``kabulsim validate --out``."""
FIGURE = "held_out"
"""The stem of the held-out facts' figure (``held_out.png`` and ``.svg``)."""
OWN = (
    MARKER, "fitted.csv", "held_out.csv", "held_out_single_values.csv",
    f"{FIGURE}.png", f"{FIGURE}.svg",
)  # fmt: skip
"""Every file ``kabulsim validate --out`` writes."""

PREDICTIVE_REPS = 10
"""Replications per member drawn for the posterior predictive check."""


def predictive_table(
    scenario: Scenario, ensemble: Ensemble, *, members: int, seed: int
) -> pd.DataFrame:
    """Each fact's statistic over ``members`` members drawn by weight, and the share inside.

    Each member runs :data:`PREDICTIVE_REPS` replications
    (:func:`kabulsim.calibration.predictive.predictive_check`).
    """
    from kabulsim.calibration.predictive import predictive_check

    return predictive_check(ensemble, scenario, members=members, reps=PREDICTIVE_REPS, seed=seed)


def leave_one_out_table(scenario: Scenario, folder: Path, *, seed: int) -> pd.DataFrame:
    """Each fact left out of a small calibration, then checked as its members predict it.

    One row per fact; pyABC's histories are kept in ``folder``.

    Raises:
        StudyError: pyabc is not installed.
    """
    try:
        import pyabc  # noqa: F401
    except ImportError:
        raise StudyError("--leave-one-out needs pyabc: pip install 'kabulsim[calibrate]'") from None
    import pandas as pd

    from kabulsim.calibration.predictive import leave_one_out
    from kabulsim.calibration.statistics import STATISTICS

    rows = [leave_one_out(s.key, folder, scenario, seed=seed) for s in STATISTICS]
    return pd.concat(rows, ignore_index=True)


def _check_folder(out: Path) -> None:
    """Refuse a folder that holds anything but an earlier validation's files."""
    if out.exists() and not out.is_dir():
        raise StudyError(f"{out}: is a file; expected a new or empty folder for validate --out")
    if out.is_dir():
        names = sorted(p.name for p in out.iterdir())
        if names and (MARKER not in names or any(n not in OWN for n in names)):
            raise StudyError(
                f"{out}: not empty and not an earlier validate --out folder (only {MARKER} and"
                " the tables and figure it lists); choose a new or empty folder"
            )


def write_validation_folder(
    result: ValidationResult, facts: FactSet, out: Path, meta: dict[str, Any]
) -> list[Path]:
    """Write validate's tables and the held-out facts' figure into ``out``.

    ``fitted.csv`` (the fitted facts' verdicts), ``held_out.csv`` (each held-out fact's PIT,
    interval verdicts and status), ``held_out_single_values.csv`` (the same on the single
    values, when they were run), ``held_out.png`` and ``.svg`` (through
    :func:`kabulsim.plots.io.save`) and ``validation.json`` (``meta``: the scenario, seed,
    replications, ensemble and facts file). A folder that holds other files is refused.

    Raises:
        StudyError: ``out`` is a file or holds files validate did not write.
    """
    from kabulsim.files import atomic_csv, atomic_write_text
    from kabulsim.plots.held_out import held_out_figure
    from kabulsim.plots.io import save

    out = Path(out)
    _check_folder(out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / MARKER, json.dumps(meta, indent=2, sort_keys=True) + "\n")
    for name in OWN[1:]:  # nothing stale from an earlier validation survives
        (out / name).unlink(missing_ok=True)
    written = [out / MARKER, out / "fitted.csv"]
    atomic_csv(result.table, written[1])
    if result.held_out is not None:
        atomic_csv(result.held_out, out / "held_out.csv")
        written.append(out / "held_out.csv")
    if result.held_out_single is not None:
        atomic_csv(result.held_out_single, out / "held_out_single_values.csv")
        written.append(out / "held_out_single_values.csv")
    if result.summary is not None:
        fig = held_out_figure(facts, result.summary, result.summary_single)
        if fig is not None:
            written += save(fig, out, FIGURE)
    return written
