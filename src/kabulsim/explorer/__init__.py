"""The classroom explorer: one self-contained interactive HTML file for a scenario family.

:func:`run_family` runs the grid (common random numbers) and reduces it to small tables
(:mod:`kabulsim.explorer.data`); :func:`write_explorer` writes them as one HTML page with
Vega-Lite charts whose JavaScript is inlined (:mod:`kabulsim.explorer.page`), so the file
opens offline in any recent browser, with no Python and no server.
"""

from __future__ import annotations

from kabulsim.explorer.data import ExplorerData, family_warnings, plan_grid, run_family
from kabulsim.explorer.page import write_explorer

__all__ = ["ExplorerData", "family_warnings", "plan_grid", "run_family", "write_explorer"]
