"""Figures of a run: timeline, fan charts, distributions, the theatre map, an animation.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot (so no
global state is touched and nothing is shown or printed); :func:`save` writes PNG and SVG.
For comparisons: overlaid distributions, and civilian harm in Kabul by cause
(:func:`harm_by_cause`). See ``docs/figures.md`` for what each figure shows and how to read it.
"""

from kabulsim.plots.animate import animation
from kabulsim.plots.distributions import distributions
from kabulsim.plots.fan import fan_chart, fan_chart_from_quantiles, series_quantiles
from kabulsim.plots.geo import theatre_map
from kabulsim.plots.harm import harm_by_cause
from kabulsim.plots.io import RunLike, run_figures, save, write_run_figures
from kabulsim.plots.overlay import comparison_overlay
from kabulsim.plots.survival import fall_by_date_figure
from kabulsim.plots.timeline import timeline

__all__ = [
    "RunLike",
    "animation",
    "comparison_overlay",
    "distributions",
    "fall_by_date_figure",
    "fan_chart",
    "fan_chart_from_quantiles",
    "harm_by_cause",
    "run_figures",
    "save",
    "series_quantiles",
    "theatre_map",
    "timeline",
    "write_run_figures",
]
