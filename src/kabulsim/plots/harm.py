"""Civilian harm in Kabul by cause, and who holds the city, for several scenarios.

The figure of the hold-back comparison (notebook 2): for each scenario, the mean civilian
deaths in the city by cause (looting and disorder, factional fighting, fighting against the
Taliban in the city), the probabilities of factional fighting and of a Taliban return, and who
holds the city when the Interim Authority takes office. See ``docs/figures.md``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from kabulsim.analysis.intervals import share
from kabulsim.analysis.outcomes import mean_estimate
from kabulsim.plots.style import COLORS, OKABE_ITO, SERIES_CYCLE, new_figure, style_axes

CAUSES = (
    ("civilians_looting", "looting and disorder", OKABE_ITO["orange"]),
    ("civilians_factional", "factional fighting", OKABE_ITO["vermillion"]),
    ("civilians_fighting_in_city", "fighting the Taliban in the city", OKABE_ITO["black"]),
)
"""Summary columns of civilian deaths in the city, their labels and colours."""

EVENTS = (
    ("factional_fighting", "factional fighting in Kabul"),
    ("taliban_reentered", "the Taliban retake Kabul"),
    ("entry_despite_orders", "units enter against orders"),
)
"""Flags shown as probabilities."""

HOLDER_COLORS = {
    "taliban": COLORS["taliban"],
    "contested": OKABE_ITO["vermillion"],
    "alliance_and_international": OKABE_ITO["green"],
    "alliance": COLORS["alliance"],
    "international": OKABE_ITO["sky_blue"],
    "factions": OKABE_ITO["purple"],
    "none": COLORS["none"],
    "": "#BBBBBB",
}
"""Colours of ``holder_at_interim`` values ("": the date lies beyond the horizon)."""


def harm_by_cause(summaries: Mapping[str, pd.DataFrame]) -> Figure:
    """Civilian deaths in Kabul by cause, key probabilities, and who holds the city.

    One bar (or group of bars) per scenario; the third panel is who holds Kabul when the
    Interim Authority takes office.

    Args:
        summaries: replication summaries (one row per replication) by scenario label.

    """
    labels = list(summaries)
    fig = new_figure(12.0, 4.6)
    ax_harm, ax_p, ax_hold = fig.subplots(1, 3)
    x = np.arange(len(labels))
    bottom = np.zeros(len(labels))
    for column, text, color in CAUSES:
        means = np.array(
            [float(pd.to_numeric(f[column], errors="coerce").mean()) for f in summaries.values()]
        )
        ax_harm.bar(x, means, bottom=bottom, color=color, label=text, width=0.6)
        bottom += means
    for i, frame in enumerate(summaries.values()):
        total = sum(pd.to_numeric(frame[c], errors="coerce").to_numpy(float) for c, _, _ in CAUSES)
        e = mean_estimate(np.asarray(total, dtype=float))
        mean, lo, hi = e.value, e.low, e.high
        ax_harm.errorbar([i], [mean], yerr=[[mean - lo], [hi - mean]], color="#000", capsize=4)
    ax_harm.set_xticks(x, labels, rotation=20, ha="right")
    ax_harm.set_ylabel("civilian deaths in Kabul, mean per replication")
    ax_harm.set_title("Civilian harm in the city by cause")
    ax_harm.legend(fontsize=8, frameon=False, loc="upper left")
    width = 0.8 / len(labels)
    for i, frame in enumerate(summaries.values()):
        for j, (column, _) in enumerate(EVENTS):
            flags = frame[column].astype(bool).to_numpy()
            k, n = int(flags.sum()), len(flags)
            p, lo, hi = share(k, n)
            pos = j - 0.4 + width * (i + 0.5)
            color = SERIES_CYCLE[i % len(SERIES_CYCLE)]
            ax_p.bar([pos], [p], width=width, color=color, label=labels[i] if j == 0 else None)
            ax_p.errorbar([pos], [p], yerr=[[p - lo], [hi - p]], color="#000", capsize=2, lw=0.8)
    ax_p.set_xticks(range(len(EVENTS)), [t for _, t in EVENTS], rotation=15, ha="right")
    ax_p.set_ylim(0, 1.05)
    ax_p.set_ylabel("share of replications (95% interval)")
    ax_p.set_title("How often")
    ax_p.legend(fontsize=8, frameon=False)
    bottom = np.zeros(len(labels))
    shares = {
        label: frame["holder_at_interim"].fillna("").astype(str).value_counts(normalize=True)
        for label, frame in summaries.items()
    }
    for holder, color in HOLDER_COLORS.items():
        values = np.array([float(s.get(holder, 0.0)) for s in shares.values()])
        if not values.any():
            continue
        text = holder.replace("_", " ") if holder else "after the horizon"
        ax_hold.bar(x, values, bottom=bottom, color=color, label=text, width=0.6)
        bottom += values
    ax_hold.set_xticks(x, labels, rotation=20, ha="right")
    ax_hold.set_ylim(0, 1.05)
    ax_hold.set_ylabel("share of replications")
    ax_hold.set_title("Who holds Kabul as the Interim Authority takes office")
    ax_hold.legend(fontsize=8, frameon=False)
    for ax in (ax_harm, ax_p, ax_hold):
        style_axes(ax)
    return fig
