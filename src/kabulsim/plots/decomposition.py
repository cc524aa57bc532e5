"""Where each counterfactual answer's uncertainty comes from: one bar per answer.

Each bar is the variance of the runs' paired differences for one outcome (scenario minus
baseline, replication by replication), split into the Shapley shares of its sources
(:mod:`kabulsim.analysis.decomposition`): the calibrated parameters (what the record
constrains), the assumption parameters (what only assumptions constrain) and the runs' own
chance. A share estimated below zero (estimation noise around a share near zero) is drawn
as zero and the bar renormalised; the table beside the figure keeps the estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from kabulsim.plots.style import FONT, OKABE_ITO, new_figure, style_axes

TITLE = "Where the uncertainty of each difference comes from (share of its variance)"

SOURCE_LABELS = {
    "calibrated": "calibrated parameters (constrained by the record)",
    "assumptions": "assumption parameters (constrained by no record)",
    "chance": "the runs' own chance",
}
"""The sources' names in the legend."""

_COLOURS = {  # not the sides' colours: a source of uncertainty belongs to no side
    "calibrated": OKABE_ITO["sky_blue"],
    "assumptions": OKABE_ITO["orange"],
    "chance": "#BBBBBB",
}


def decomposition_figure(sources: pd.DataFrame) -> Figure | None:
    """Stacked bars of the sources' shares, one per (scenario, outcome); None when empty."""
    from kabulsim.analysis import display

    if sources.empty:
        return None
    wide = sources.pivot_table(
        index=["scenario", "outcome"], columns="source", values="share", sort=False
    )
    order = [s for s in SOURCE_LABELS if s in wide.columns]
    shares = wide[order].clip(lower=0.0).fillna(0.0)
    totals = shares.sum(axis=1).replace(0.0, 1.0)
    shares = shares.div(totals, axis=0)
    n = len(shares)
    fig = new_figure(10.0, 1.8 + 0.3 * max(n, 3))
    ax = fig.subplots()
    y = np.arange(n)[::-1]
    left = np.zeros(n)
    for source in order:
        width = shares[source].to_numpy(dtype=float)
        ax.barh(y, width, left=left, color=_COLOURS.get(source, "#888888"), height=0.7,
                label=SOURCE_LABELS.get(source, source))  # fmt: skip
        left += width
    several = len({s for s, _ in shares.index}) > 1
    labels = [(f"{s}: " if several else "") + display.title(str(o)) for s, o in shares.index]
    ax.set_yticks(y, labels, fontsize=FONT["note"])
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel("share of the variance of the runs' paired differences", fontsize=FONT["note"])
    ax.set_title(TITLE, fontsize=FONT["title"])
    fig.legend(loc="outside lower center", ncol=len(order), frameon=False, fontsize=FONT["note"])
    style_axes(ax)
    return fig
