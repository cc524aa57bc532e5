"""The calibration certificate's picture: rank ECDFs with simultaneous 95% bands.

One panel per calibrated parameter. For each pseudo-record the rank of its true parameter
among the posterior draws is a share between 0 and 1; a calibrated method makes those ranks
uniform, so their empirical CDF minus the uniform CDF stays near 0 (Säilynoja, Bürkner and
Vehtari 2022). The grey band is the simultaneous 95% band: a calibrated method leaves it
nowhere in 95% of certificates. A curve above the band in the middle means intervals too wide
(ranks bunched at the centre); an S-shape below then above means intervals too narrow; a
curve wholly above or below, a biased posterior.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from kabulsim.calibration.certificate import Certificate, ecdf_band
from kabulsim.plots.style import COLORS, new_figure, style_axes

TITLE = "Calibration certificate: rank ECDF minus uniform, with simultaneous 95% bands"
"""The figure's title."""


def rank_ecdf_plot(cert: Certificate) -> Figure:
    """One panel per parameter of ``cert`` (see the module docstring)."""
    n, p = cert.ranks.shape
    cols = min(4, max(p, 1))
    rows = max(1, math.ceil(p / cols))
    fig = new_figure(3.2 * cols, 2.6 * rows + 0.6)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
    z, lower, upper = ecdf_band(n)
    for j, ax in enumerate(axes):
        if j >= p:
            ax.set_visible(False)
            continue
        ranks = np.sort(cert.ranks[:, j])
        ecdf = np.searchsorted(ranks, z, side="right") / n
        ax.fill_between(z, lower - z, upper - z, color=COLORS["neutral"], alpha=0.25, lw=0)
        ax.axhline(0.0, color="#000000", lw=0.6)
        ax.plot(z, ecdf - z, color=COLORS["alliance"], lw=1.4)
        ax.set_title(cert.params[j], fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_xlabel("rank (share of posterior draws below the truth)", fontsize=7)
        style_axes(ax)
    fig.suptitle(f"{TITLE} ({n} pseudo-records)", fontsize=10)
    return fig
