"""One consistent, sober style for every kabulsim figure.

Colours are the Okabe-Ito palette (safe for the common forms of colour blindness); the same
colour always means the same thing: the Taliban side, the alliance, civilians, the vacuum.
Dates are shown in Kabul local time, UTC+04:30 (no daylight saving time in 2001).
"""

from __future__ import annotations

from datetime import datetime

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from kabulsim.timebase import KABUL

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
"""The eight colours of Okabe & Ito (2008), by name."""

COLORS = {
    "taliban": OKABE_ITO["vermillion"],
    "alliance": OKABE_ITO["blue"],
    "none": OKABE_ITO["yellow"],
    "civilian": OKABE_ITO["purple"],
    "air": OKABE_ITO["sky_blue"],
    "hvt": OKABE_ITO["black"],
    "withdrawal": OKABE_ITO["orange"],
    "neutral": "#555555",
    "record": "#222222",
    "land": "#F2F2EE",
    "border": "#8A8A80",
}
"""Colours by meaning; ``record`` marks values from the historical record."""

SERIES_CYCLE = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["green"],
    OKABE_ITO["purple"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
)
"""Colours for scenarios in overlays, in order."""

FONT = {"title": 11.0, "label": 9.0, "tick": 8.0, "note": 7.5}
"""Font sizes in points."""

DATE_LABEL = "date (2001, Kabul local time, UTC+04:30)"

RC = {
    "font.size": FONT["label"],
    "axes.titlesize": FONT["title"],
    "axes.labelsize": FONT["label"],
    "xtick.labelsize": FONT["tick"],
    "ytick.labelsize": FONT["tick"],
    "legend.fontsize": FONT["note"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "kabulsim",
}


def new_figure(width: float = 8.0, height: float = 5.0) -> Figure:
    """A new figure with an Agg canvas, constrained layout and no global pyplot state.

    Args:
        width: width in inches.
        height: height in inches.

    """
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def style_axes(ax: Axes) -> None:
    """Apply the kabulsim axes style (light frame, small ticks)."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#444444")
        ax.spines[side].set_linewidth(0.8)
    ax.tick_params(labelsize=FONT["tick"], colors="#333333", width=0.8)
    ax.title.set_fontsize(FONT["title"])
    ax.xaxis.label.set_fontsize(FONT["label"])
    ax.yaxis.label.set_fontsize(FONT["label"])


def date_num(when: datetime) -> float:
    """Matplotlib date number of a timezone-aware datetime."""
    return float(mdates.date2num(when))  # type: ignore[no-untyped-call]


def format_date_axis(ax: Axes, span_days: float | None = None, label: bool = True) -> None:
    """Format the x axis of ``ax`` as Kabul local dates (``07 Oct``, ``13 Nov``).

    Args:
        ax: axes whose x data are matplotlib date numbers.
        span_days: the visible span; chooses daily, 2-, 7- or 14-day ticks (default: from
            the current limits).
        label: whether to set the x axis label.

    """
    if span_days is None:
        lo, hi = ax.get_xlim()
        span_days = hi - lo
    if span_days <= 8:
        locator: mdates.DateLocator = mdates.DayLocator(tz=KABUL)  # type: ignore[no-untyped-call]
        fmt = "%d %b"
        minor: mdates.DateLocator | None = mdates.HourLocator(byhour=[0, 6, 12, 18], tz=KABUL)  # type: ignore[no-untyped-call]
    elif span_days <= 24:
        locator = mdates.DayLocator(interval=2, tz=KABUL)  # type: ignore[no-untyped-call]
        fmt = "%d %b"
        minor = mdates.DayLocator(tz=KABUL)  # type: ignore[no-untyped-call]
    elif span_days <= 90:
        locator = mdates.DayLocator(bymonthday=[1, 8, 15, 22], tz=KABUL)  # type: ignore[no-untyped-call]
        fmt = "%d %b"
        minor = mdates.DayLocator(tz=KABUL)  # type: ignore[no-untyped-call]
    else:
        locator = mdates.MonthLocator(tz=KABUL)  # type: ignore[no-untyped-call]
        fmt = "%b %Y"
        minor = None
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter(fmt, tz=KABUL))  # type: ignore[no-untyped-call]
    if minor is not None:
        ax.xaxis.set_minor_locator(minor)
    if label:
        ax.set_xlabel(DATE_LABEL)


def plain_text(fig: Figure) -> None:
    """Show every text of ``fig`` as written, without mathtext.

    A ``$`` in a scenario name is then a dollar sign, not a formula that fails to parse.
    Each ``$`` is escaped (rather than switching mathtext off) because Matplotlib measures
    wrapped text as mathtext whenever it holds two unescaped ``$``.
    """
    import re

    from matplotlib.text import Text

    for artist in fig.findobj(Text):
        text = artist.get_text()
        if "$" in text:
            artist.set_text(re.sub(r"(?<!\\)\$", r"\\$", text))


def panel_title(text: str, width_in: float, fontsize: float = FONT["title"]) -> str:
    """``text`` wrapped to fit a panel ``width_in`` inches wide at ``fontsize`` points.

    A panel's title is drawn from its left edge and is not part of the constrained layout's
    width budget, so a long title runs past its panel (or the figure). About 0.55 em per
    character of this sans-serif face, less the y-axis labels' half inch.
    """
    import textwrap

    chars = max(12, int((width_in - 0.5) * 72 / (fontsize * 0.55)))
    return textwrap.fill(text, chars)
