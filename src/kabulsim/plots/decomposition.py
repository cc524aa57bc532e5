"""Where each counterfactual answer's uncertainty comes from: one bar per answer.

Each bar is the variance of the runs' paired differences for one outcome (scenario minus
baseline, replication by replication), split among its sources
(:mod:`kabulsim.analysis.decomposition`): the calibrated parameters (what the record
constrains), the assumption parameters (what only assumptions constrain) and the runs' own
chance; one panel per method (Shapley effects; what each layer of runs adds). A share
estimated below zero (estimation noise around a share near zero) is drawn
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
    """Stacked bars of the sources' shares, one per (scenario, outcome), a panel per method.

    None when the table is empty.
    """
    from kabulsim.analysis import display
    from kabulsim.analysis.decomposition import METHOD_WORDS, SHAPLEY

    if sources.empty:
        return None
    frame = sources if "method" in sources else sources.assign(method=SHAPLEY)
    methods = [m for m in (*METHOD_WORDS, *frame["method"].unique()) if m in set(frame["method"])]
    methods = list(dict.fromkeys(methods))
    keys = list(dict.fromkeys(zip(frame["scenario"], frame["outcome"], strict=True)))
    n = len(keys)
    fig = new_figure(6.0 + 4.0 * len(methods), 1.8 + 0.3 * max(n, 3))
    axes = fig.subplots(1, len(methods), sharey=True, squeeze=False)[0]
    y = np.arange(n)[::-1]
    several = len({s for s, _ in keys}) > 1
    labels = [(f"{s}: " if several else "") + display.title(str(o)) for s, o in keys]
    for ax, method in zip(axes, methods, strict=True):
        part = frame[frame["method"] == method]
        wide = part.pivot_table(
            index=["scenario", "outcome"], columns="source", values="share", sort=False
        ).reindex(pd.MultiIndex.from_tuples(keys))
        order = [s for s in SOURCE_LABELS if s in wide.columns]
        shares = wide[order].clip(lower=0.0).fillna(0.0)
        totals = shares.sum(axis=1).replace(0.0, 1.0)
        shares = shares.div(totals, axis=0)
        left = np.zeros(n)
        for source in order:
            width = shares[source].to_numpy(dtype=float)
            ax.barh(y, width, left=left, color=_COLOURS.get(source, "#888888"), height=0.7,
                    label=SOURCE_LABELS.get(source, source) if ax is axes[0] else None)  # fmt: skip
            left += width
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(-0.7, n - 0.3)
        ax.set_title(METHOD_WORDS.get(method, method), fontsize=FONT["label"])
        ax.set_xlabel("share of the variance of the runs' paired differences",
                      fontsize=FONT["note"])  # fmt: skip
        style_axes(ax)
    axes[0].set_yticks(y, labels, fontsize=FONT["note"])
    fig.suptitle(TITLE, fontsize=FONT["title"])
    fig.legend(loc="outside lower center", ncol=3, frameon=False, fontsize=FONT["note"])
    return fig
