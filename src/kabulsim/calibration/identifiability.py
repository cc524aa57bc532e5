"""What the record pins down: each free parameter's prior against its posterior.

The **width ratio** of a parameter is the width of its posterior's central 90% interval over
the width of its prior's (on the log scale for a log-uniform prior). Near 1, the record leaves
the parameter free (any value in its plausible range reproduces the facts about as well);
well below 1, the record pins it down. Verdicts: below 0.5 "pinned", 0.5 to 0.8 "narrowed",
above 0.8 "left free". The strongest pairwise correlations of the posterior (weighted, on the
prior's scale) show trade-offs: two parameters the record constrains only in combination.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kabulsim.calibration.ensemble import Ensemble, EnsembleError, shipped
from kabulsim.calibration.priors import FreeParameter, free_parameters

LEVEL = (0.05, 0.95)


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``x`` under weights ``w`` (inverse of the weighted CDF)."""
    order = np.argsort(x)
    cum = np.cumsum(w[order])
    cum = cum / cum[-1]
    i = int(np.searchsorted(cum, q, side="left"))
    return float(x[order][min(i, len(x) - 1)])


def _scale(p: FreeParameter, x: np.ndarray) -> np.ndarray:
    return np.log(x) if p.log else x


def verdict(ratio: float) -> str:
    """The verdict for a width ratio."""
    if ratio < 0.5:
        return "pinned"
    if ratio <= 0.8:
        return "narrowed"
    return "left free"


def table(ens: Ensemble, params: tuple[FreeParameter, ...] | None = None) -> pd.DataFrame:
    """One row per free parameter: prior, default, posterior median and 90% interval, ratio."""
    chosen = params if params is not None else free_parameters()
    w = ens.weights
    rows = []
    for p in chosen:
        x = ens.members[p.path].to_numpy(dtype=float)
        lo, hi = (weighted_quantile(x, w, q) for q in LEVEL)
        plo, phi = p.prior_quantiles(LEVEL)
        if p.log:
            ratio = (math.log(hi) - math.log(lo)) / (math.log(phi) - math.log(plo))
        else:
            ratio = (hi - lo) / (phi - plo)
        rows.append(
            {
                "parameter": p.path,
                "units": p.units,
                "prior": f"{p.prior} {p.low:g} to {p.high:g}",
                "default": p.default,
                "posterior_median": weighted_quantile(x, w, 0.5),
                "posterior_low": lo,
                "posterior_high": hi,
                "width_ratio": ratio,
                "verdict": verdict(ratio),
            }
        )
    return pd.DataFrame(rows)


def correlations(
    ens: Ensemble, top: int = 5, params: tuple[FreeParameter, ...] | None = None
) -> pd.DataFrame:
    """The ``top`` strongest weighted pairwise correlations of the posterior."""
    chosen = params if params is not None else free_parameters()
    w = ens.weights / ens.weights.sum()
    z = np.column_stack([_scale(p, ens.members[p.path].to_numpy(dtype=float)) for p in chosen])
    mean = w @ z
    dev = z - mean
    cov = (dev * w[:, None]).T @ dev
    sd = np.sqrt(np.diag(cov))
    rows = []
    for i in range(len(chosen)):
        for j in range(i + 1, len(chosen)):
            if sd[i] > 0 and sd[j] > 0:
                r = float(cov[i, j] / (sd[i] * sd[j]))
                rows.append({"a": chosen[i].path, "b": chosen[j].path, "r": r})
    frame = pd.DataFrame(rows, columns=["a", "b", "r"])
    return frame.reindex(frame["r"].abs().sort_values(ascending=False).index).head(top)


def figure(ens: Ensemble, path: Path, params: tuple[FreeParameter, ...] | None = None) -> Path:
    """Write :func:`prior_posterior_figure` to ``path`` (PNG)."""
    import matplotlib.pyplot as plt

    fig = prior_posterior_figure(ens, params)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def prior_posterior_figure(ens: Ensemble, params: tuple[FreeParameter, ...] | None = None) -> Any:
    """Marginal densities: each parameter's prior (flat line) against its posterior (bars)."""
    import matplotlib.pyplot as plt

    chosen = params if params is not None else free_parameters()
    cols = 4
    rows = math.ceil(len(chosen) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    w = ens.weights
    for ax, p in zip(axes.flat, chosen, strict=False):
        x = _scale(p, ens.members[p.path].to_numpy(dtype=float))
        lo, hi = (math.log(p.low), math.log(p.high)) if p.log else (p.low, p.high)
        bins = np.linspace(lo, hi, 16)
        ax.hist(x, bins=bins, weights=w, density=True, color="0.45", label="posterior")
        ax.hlines(1.0 / (hi - lo), lo, hi, colors="black", linestyles="--", label="prior")
        d = math.log(p.default) if p.log else p.default
        ax.axvline(d, color="black", linewidth=0.8)
        ax.set_title(p.path + (" (log)" if p.log else ""), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in list(axes.flat)[len(chosen) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle("Prior (dashed) against posterior (bars); vertical line: the schema's default")
    fig.tight_layout()
    return fig


@lru_cache(maxsize=1)
def shipped_verdicts() -> dict[str, str]:
    """Each calibrated parameter's verdict in the shipped ensemble (e.g. "left free (0.93)").

    Empty when the shipped ensemble is missing or no longer matches the schema.
    """
    from kabulsim.calibration.ensemble import stale_parameters

    try:
        ens = shipped()
    except EnsembleError:
        return {}
    if stale_parameters(ens):
        return {}
    frame = table(ens)
    return {
        str(row.parameter): f"{row.verdict} ({row.width_ratio:.2f})"
        for row in frame.itertuples(index=False)
    }
