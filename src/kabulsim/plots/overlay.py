"""Overlaid distributions of outcomes for several scenarios."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kabulsim import outputs
from kabulsim.analysis.intervals import share
from kabulsim.places import PLACES, Place
from kabulsim.plots import _data
from kabulsim.plots.style import (
    FONT,
    SERIES_CYCLE,
    format_date_axis,
    new_figure,
    panel_title,
    style_axes,
)

OVERLAY_OUTCOMES = outputs.OVERLAY_OUTCOMES
"""Outcomes drawn by default (declared in :mod:`kabulsim.outputs`)."""


def _bools(ax: Axes, summaries: Mapping[str, pd.DataFrame], name: str) -> None:
    for i, frame in enumerate(summaries.values()):
        x = frame[name].astype(bool).to_numpy()
        k, n = int(x.sum()), len(x)
        p, lo, hi = share(k, n)
        color = SERIES_CYCLE[i % len(SERIES_CYCLE)]
        ax.bar([i], [p], color=color, alpha=0.75, width=0.6)
        ax.errorbar([i], [p], yerr=[[p - lo], [hi - p]], color="#000000", capsize=4, lw=1)
    ax.set_xticks(range(len(summaries)), list(summaries), rotation=20, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of replications (95% interval)")


def _hists(ax: Axes, summaries: Mapping[str, pd.DataFrame], name: str) -> None:
    data = {k: _data.values(v, name) for k, v in summaries.items()}
    allx = np.concatenate([x[np.isfinite(x)] for x in data.values()] + [np.empty(0)])
    if allx.size == 0:
        ax.text(0.5, 0.5, "did not happen", transform=ax.transAxes, ha="center")
        return
    lo, hi = float(allx.min()), float(allx.max())
    bins = np.linspace(lo, hi if hi > lo else lo + 1.0, 31)
    for i, (label, x) in enumerate(data.items()):
        color = SERIES_CYCLE[i % len(SERIES_CYCLE)]
        finite = x[np.isfinite(x)]
        share = finite.size / max(1, x.size)
        tag = f"{label} (in {share:.0%})" if share < 0.995 else label
        if finite.size:
            w = np.full(finite.size, 1.0 / max(1, x.size))
            ax.hist(finite, bins=bins.tolist(), weights=w, histtype="step", lw=1.6, color=color,
                    label=tag)  # fmt: skip
            ax.axvline(float(np.median(finite)), color=color, lw=0.9, ls="--")
    ax.set_ylabel("share of replications")
    if _data.is_time(next(iter(summaries.values())), name):
        format_date_axis(ax, (hi - lo) * 3.0, label=False)  # narrow panel: fewer ticks
        for tick in ax.get_xticklabels():
            tick.set_rotation(30)
            tick.set_horizontalalignment("right")
        ax.set_xlabel("date (Kabul time)")


def comparison_overlay(
    summaries: Mapping[str, pd.DataFrame],
    outcomes: Sequence[str] = OVERLAY_OUTCOMES,
    places: tuple[Place, ...] = PLACES,
) -> Figure:
    """Overlaid distributions of outcomes for several scenarios, one panel per outcome.

    Numeric and time outcomes are step histograms (height: share of all of that scenario's
    replications, so an event that did not always happen has less mass; the legend gives
    the share in which it happened), with each scenario's median as a dashed line.
    Booleans are bars with Wilson 95% intervals.

    Args:
        summaries: summary tables by scenario name (in legend order).
        outcomes: the summary columns to draw.
        places: the theatre's places (``scenario.theatre.places``), whose labels title the
            columns of a place a scenario declares.

    Returns:
        The figure.

    """
    cols = min(4, max(1, len(outcomes)))
    rows = math.ceil(len(outcomes) / cols)
    fig = new_figure(3.0 * cols, 2.8 * rows + 0.6)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
    first = next(iter(summaries.values()))
    for ax, name in zip(axes, outcomes, strict=False):
        if _data.is_bool(first, name):
            _bools(ax, summaries, name)
        else:
            _hists(ax, summaries, name)
        declared = outputs.outcome(name, places)
        title = declared.label if declared is not None else name
        ax.set_title(panel_title(title, 3.0), fontsize=FONT["label"], loc="left")
        style_axes(ax)
    for ax in axes[len(outcomes) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    for ax in axes[: len(outcomes)]:
        h, lab = ax.get_legend_handles_labels()
        if len(h) > len(handles):
            handles, labels = h, lab
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(4, len(handles)),
                   frameon=False, fontsize=FONT["note"])  # fmt: skip
    fig.suptitle("Outcomes compared across scenarios (dashed: medians)", fontsize=FONT["title"])
    return fig
