"""The comparison's own picture: a forest plot of the paired differences and their intervals.

One row per outcome and statistic of ``differences.csv`` (scenario minus baseline), a dot at
the difference and a line across its bootstrap 95% interval. The outcomes have different
units (hours, shares, people), so the horizontal axis is each difference divided by its
practical threshold (6 h for times, 5 points for shares, 10% of the baseline and at least 1
for counts; :mod:`kabulsim.analysis.compare`): the shaded band is "below the threshold" for
every row, and the difference itself, in its own units, is written at the right of its row.
The axis is linear within one threshold and logarithmic beyond, so a change of a few hours
and one of several weeks both stay readable.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from kabulsim.analysis.compare import readable_differences
from kabulsim.plots.style import COLORS, FONT, SERIES_CYCLE, new_figure, style_axes

TITLE = "Differences from the baseline, with bootstrap 95% intervals"
"""The figure's title."""


def forest_plot(differences: pd.DataFrame, baseline: str) -> Figure:
    """A forest plot of a comparison's differences (see the module docstring).

    Args:
        differences: the table ``compare`` writes (``differences.csv``).
        baseline: the name of the baseline run (for the title).

    Returns:
        The figure.
    """
    table = differences.reset_index(drop=True)
    words = readable_differences(table)
    scenarios = list(dict.fromkeys(table["scenario"].astype(str)))
    n = len(table)
    fig = new_figure(12.0, 1.6 + 0.26 * max(n, 3))
    ax, side = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [2.2, 1.0]})
    thr = table["threshold"].to_numpy(dtype=float)
    scale = np.where(np.isfinite(thr) & (thr > 0), thr, 1.0)
    x = table["diff"].to_numpy(dtype=float) / scale
    lo = table["ci_low"].to_numpy(dtype=float) / scale
    hi = table["ci_high"].to_numpy(dtype=float) / scale
    # A median date that half the runs or more never reached has no difference to draw; its
    # row says so in words (see readable_differences).
    unreached = words["reading"].to_numpy() == "not estimable"
    x[unreached] = lo[unreached] = hi[unreached] = np.nan
    y = np.arange(n)[::-1]
    ax.axvspan(-1.0, 1.0, color=COLORS["neutral"], alpha=0.12, lw=0)
    ax.axvline(0.0, color="#000000", lw=0.8)
    for i in range(n):
        colour = SERIES_CYCLE[scenarios.index(str(table.at[i, "scenario"])) % len(SERIES_CYCLE)]
        if math.isfinite(lo[i]) and math.isfinite(hi[i]):
            ax.plot([lo[i], hi[i]], [y[i], y[i]], color=colour, lw=1.6, solid_capstyle="butt")
        if math.isfinite(x[i]):
            filled = bool(table.at[i, "meaningful"])
            ax.plot([x[i]], [y[i]], marker="o", ms=5, color=colour,
                    markerfacecolor=colour if filled else "white")  # fmt: skip
    labels = [f"{o}: {s}" for o, s in zip(words["outcome"], words["statistic"], strict=True)]
    if len(scenarios) > 1:
        labels = [f"{s}: {lab}" for s, lab in zip(words["scenario"], labels, strict=True)]
    ax.set_yticks(y, [_short(lab) for lab in labels], fontsize=FONT["note"])
    ax.set_ylim(-0.7, n - 0.3)
    finite = np.concatenate([v[np.isfinite(v)] for v in (x, lo, hi)] + [np.array([-2.0, 2.0])])
    edge = float(np.max(np.abs(finite))) * 1.15
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlim(-edge, edge)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: "0" if v == 0 else f"{v:+g}x"))
    ax.set_xlabel(
        "difference / its practical threshold (6 h for times, 5 points for shares,\n10% of"
        " the baseline and at least 1 for counts); shaded: below the threshold",
        fontsize=FONT["note"],
    )
    side.set_xlim(0.0, 1.0)
    side.axis("off")
    side.set_title("difference [95% interval]", loc="left", fontsize=FONT["label"])
    for i, (change, interval) in enumerate(zip(words["difference"], words["95% interval"],
                                               strict=True)):  # fmt: skip
        text = change + (f"  [{interval}]" if interval else "")
        side.text(0.0, float(y[i]), text, va="center", fontsize=FONT["note"])
    ax.set_title(f"scenario minus {baseline}", loc="left", fontsize=FONT["label"])
    fig.suptitle(
        f"{TITLE}\nfilled dot: meaningful (the interval excludes 0 and the difference reaches"
        " its practical threshold)",
        fontsize=FONT["title"],
        x=0.01,
        ha="left",
    )
    style_axes(ax)
    return fig


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
