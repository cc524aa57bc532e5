"""Small multiples of the key outcomes, with the historical record where there is one."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kabulsim import outputs
from kabulsim.analysis.intervals import share
from kabulsim.plots import _data
from kabulsim.plots.style import (
    COLORS,
    FONT,
    date_num,
    format_date_axis,
    new_figure,
    panel_title,
    style_axes,
)
from kabulsim.scenario.schema import Scenario

PANELS = tuple((o.name, o.title, o.units, COLORS[o.colour]) for o in outputs.PANELS)
"""Numeric and time outcomes drawn: column, title, unit, colour (from :mod:`kabulsim.outputs`)."""


def _hist(ax: Axes, x: np.ndarray, n: int, color: str, is_time: bool) -> None:
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        ax.text(
            0.5,
            0.5,
            "did not happen\nin any replication",
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=FONT["note"],
        )
        return
    lo, hi = float(finite.min()), float(finite.max())
    if is_time:
        width = 0.25 if hi - lo <= 6 else 0.5 if hi - lo <= 15 else 1.0
        bins = np.arange(math.floor(lo / width) * width, hi + width, width)
    elif np.allclose(finite, np.round(finite)) and hi - lo < 40:
        bins = np.arange(lo - 0.5, hi + 1.5, 1.0)
    else:
        bins = np.histogram_bin_edges(finite, bins="auto")
        if len(bins) > 40:
            bins = np.linspace(lo, hi, 41)
    if len(bins) < 2:
        bins = np.array([lo - 0.5, lo + 0.5])
    weights = np.full(finite.size, 1.0 / n)
    # One filled outline per panel (the bars abut and have no edges: the same picture as
    # one patch per bar, at a fraction of the drawing cost).
    ax.hist(
        finite, bins=bins.tolist(), weights=weights, color=color, alpha=0.75, lw=0,
        histtype="stepfilled",
    )  # fmt: skip
    med = float(np.median(finite))
    ax.axvline(med, color=color, lw=1.2, ls="--", label="simulated median")
    ax.set_ylabel("share of replications")


def _record(ax: Axes, name: str, is_time: bool) -> None:
    if is_time and name in _data.HISTORICAL_DATES:
        day, text = _data.HISTORICAL_DATES[name]
        x0 = date_num(day)
        ax.axvspan(x0, x0 + 1.0, color=COLORS["record"], alpha=0.08, lw=0)
        _record_line(ax, x0 + 0.5, f"record: {text}")
    elif name in _data.HISTORICAL_VALUES:
        value, text = _data.HISTORICAL_VALUES[name]
        _record_line(ax, value, f"record: {text}")


def _record_line(ax: Axes, x: float, text: str) -> None:
    ax.axvline(x, color=COLORS["record"], lw=1.4, label=text)
    ax.annotate(
        text,
        (x, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -2),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=FONT["note"],
        color=COLORS["record"],
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.0},
    )


def _atef(ax: Axes, summary: pd.DataFrame) -> None:
    killed = summary["atef_killed"].astype(bool).to_numpy()
    n = len(killed)
    k = int(killed.sum())
    p, lo, hi = share(k, n)
    ax.bar([0], [p], width=0.5, color=COLORS["hvt"], alpha=0.7)
    ax.errorbar([0], [p], yerr=[[p - lo], [hi - p]], color="#000000", capsize=6, lw=1.2)
    ax.set_ylim(0, 1.05)
    ax.set_xlim(-1, 1)
    ax.set_xticks([0], ["killed in the strike"])
    ax.set_ylabel("probability (95% interval)")
    ax.text(0.3, p, f"{p:.0%}\n[{lo:.0%}-{hi:.0%}]", va="center", fontsize=FONT["note"])
    ax.text(
        0.5,
        0.98,
        "record: killed (Nov 2001)",
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=FONT["note"],
        color=COLORS["record"],
    )


def distributions(summary: pd.DataFrame, scenario: Scenario) -> Figure:
    """Small multiples of the key outcomes over replications.

    Histograms (height: share of all replications, so a phase that did not happen in some
    replications has less mass) of the entry date, the date and duration of the Shamali
    fight, the vacuum and the casualties, with the simulated median as a dashed line and the
    historical record as a solid black line (a grey band for a day). The last panel is the
    probability that the strike kills Atef with its Wilson 95% interval. Casualty numbers
    are model outputs under stated assumptions, not estimates of the real toll.

    Args:
        summary: the run's summary table.
        scenario: the scenario that was run (for the title).

    Returns:
        The figure.

    """
    n = len(summary)
    rows = math.ceil((len(PANELS) + 1) / 4)  # one panel per declared outcome, then Atef
    fig = new_figure(11.0, 3.0 * rows)
    width = 11.0 / 4
    axes = list(fig.subplots(rows, 4).ravel())
    for spare in axes[len(PANELS) + 1 :]:
        spare.remove()
    axes = axes[: len(PANELS) + 1]
    for ax, (name, title, unit, color) in zip(axes, PANELS, strict=False):
        is_time = _data.is_time(summary, name)
        x = _data.values(summary, name)
        share = float(np.isfinite(x).sum()) / max(1, n)
        _hist(ax, x, max(1, n), color, is_time)
        _record(ax, name, is_time)
        suffix = f" (in {share:.0%})" if share < 0.995 else ""
        ax.set_title(panel_title(title + suffix, width), fontsize=FONT["label"], loc="left")
        if is_time:
            lo, hi = ax.get_xlim()
            format_date_axis(ax, (hi - lo) * 2.0, label=False)  # narrow panel: fewer ticks
            ax.set_xlabel("date (Kabul time)")
            for tick in ax.get_xticklabels():
                tick.set_rotation(30)
                tick.set_horizontalalignment("right")
        else:
            ax.set_xlabel(unit)
        style_axes(ax)
    _atef(axes[-1], summary)
    axes[-1].set_title(
        panel_title("Strike kills Mohammed Atef", width), fontsize=FONT["label"], loc="left"
    )
    style_axes(axes[-1])
    fig.suptitle(
        f"Key outcomes over {n} replications of scenario '{scenario.name}'\n"
        "bars: share of all replications; dashed: simulated median; solid black: the"
        " historical record (grey band: the recorded day)",
        fontsize=FONT["title"],
    )
    return fig
