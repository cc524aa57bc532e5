"""The checks of a scenario against the record that follow ``kabulsim validate``'s table.

The table itself is :func:`kabulsim.api.validate`'s. With a calibrated ensemble the posterior
predictive check follows (:func:`predictive_table`: where each fact falls among the members'
replications); on request, the leave-one-fact-out check (:func:`leave_one_out_table`: each
fact left out of a small calibration, then predicted by it). Nothing here prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kabulsim.folders import StudyError

if TYPE_CHECKING:
    import pandas as pd

    from kabulsim.calibration.ensemble import Ensemble
    from kabulsim.scenario import Scenario

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
