"""The held-out facts' picture: each predicted distribution against the record.

One panel per held-out fact the model produces (the facts it does not produce are named
under the panels as "not modelled"). Each panel shows the replications' values as a
histogram (times in days after the record's window opens; counts in their units), the
record's window or range as a grey band (a line for a single value), and the fact's PIT. With
a second summary table (the scenario's single values at the same seed and replications) its
histogram is drawn as an outline, so that the ensemble and the single values can be compared
on facts neither was fitted to. Replications in which the event never happened by the horizon
are counted in the panel's note, not drawn.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kabulsim.analysis.validation import predicted_values, score_held_out
from kabulsim.calibration.facts import FactSet, FactSpec
from kabulsim.plots.style import COLORS, new_figure, style_axes

TITLE = "Held-out facts: predicted distributions against the record"
"""The figure's title."""


def _xlabel(spec: FactSpec) -> str:
    if spec.kind == "time" and spec.origin is not None:
        return f"days after {spec.origin.day} {spec.origin:%b %Y %H:%M} (Kabul time)"
    if spec.kind == "share":
        return "the fact holds (1) or not (0)"
    return spec.units


def _bins(spec: FactSpec, *arrays: np.ndarray) -> list[float]:
    """31 edges spanning the finite values of every array and the record."""
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays])
    ends = [spec.low, spec.high] if spec.kind != "share" else [0.0, 1.0]
    lo = float(min([*finite.tolist(), *ends]))
    hi = float(max([*finite.tolist(), *ends]))
    return list(np.linspace(lo, hi if hi > lo else lo + 1.0, 31))


def _draw(ax: Axes, values: np.ndarray, bins: list[float], colour: str, filled: bool) -> int:
    """Draw the finite values; return how many were infinite (never happened)."""
    finite = values[np.isfinite(values)]
    if finite.size:
        ax.hist(
            finite,
            bins=bins,
            density=True,
            color=colour,
            alpha=0.55 if filled else 1.0,
            histtype="stepfilled" if filled else "step",
            lw=1.4,
        )
    return int(values.size - finite.size)


def held_out_figure(
    facts: FactSet, summary: pd.DataFrame, single: pd.DataFrame | None = None
) -> Figure | None:
    """The figure of the held-out facts (None when the file has no held-out fact)."""
    chosen = facts.used_for("held_out")
    if not chosen:
        return None
    table = score_held_out(summary, facts)
    status = dict(zip(table["key"], table["status"], strict=True))
    pits = dict(zip(table["key"], table["pit"].astype(float), strict=True))
    single_pits = {}
    if single is not None:
        other_table = score_held_out(single, facts)
        single_pits = dict(zip(other_table["key"], other_table["pit"].astype(float), strict=True))
    shown = [s for s in chosen if status[s.key] == "scored"]
    missing = [s.key for s in chosen if status[s.key] != "scored"]
    cols = min(3, max(len(shown), 1))
    rows = max(1, math.ceil(len(shown) / cols))
    fig = new_figure(3.6 * cols, 2.7 * rows + 1.0)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
    for j, ax in enumerate(axes):
        if j >= len(shown):
            ax.set_visible(False)
            continue
        spec = shown[j]
        values = predicted_values(spec, summary)
        assert values is not None
        other = None if single is None else predicted_values(spec, single)
        bins = _bins(spec, values, *([] if other is None else [other]))
        never = _draw(ax, values, bins, COLORS["alliance"], filled=True)
        notes = [f"PIT {pits[spec.key]:.2f}"]
        if other is not None and other.size:
            _draw(ax, other, bins, COLORS["neutral"], filled=False)
            notes.append(f"single values: PIT {single_pits[spec.key]:.2f}")
        if spec.kind == "share":
            ax.axvline(1.0, color=COLORS["record"], lw=1.6)
        elif spec.high > spec.low:
            ax.axvspan(spec.low, spec.high, color=COLORS["record"], alpha=0.18, lw=0)
        else:
            ax.axvline(spec.low, color=COLORS["record"], lw=1.6)
        if never:
            notes.append(f"never by the horizon: {never} of {values.size}")
        ax.set_title(textwrap.fill(spec.fact, 44), fontsize=8)
        ax.set_xlabel(_xlabel(spec), fontsize=7)
        ax.set_yticks([])
        ax.text(
            0.02, 0.97, "\n".join(notes), transform=ax.transAxes, fontsize=7, va="top", ha="left"
        )
        style_axes(ax)
    heading = TITLE + ("" if single is None else " (filled: the ensemble; outline: single values)")
    heading += "\nthe grey band is the record's window or range (a line: a single value)"
    if missing:
        heading += "\n" + textwrap.fill("not modelled: " + ", ".join(missing), 120)
    fig.suptitle(heading, fontsize=9)
    return fig
