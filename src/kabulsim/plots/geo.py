"""A schematic map of the theatre drawn from real coordinates (no tiles, no network).

The outline of Afghanistan is a simplified polygon of its international border (about 70
vertices, rounded to 0.01 degree, after the public-domain Natural Earth 1:110m boundaries);
it is schematic and not suitable for measuring anything. Front lines are drawn
schematically too: their positions are indicative, not surveyed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.text import Text

from kabulsim.plots import _data
from kabulsim.plots.style import COLORS, FONT, new_figure

PLACES: dict[str, tuple[float, float]] = {
    "Mazar-i-Sharif": (36.709, 67.110),
    "Bagram": (34.946, 69.265),
    "Shamali Plain": (35.15, 69.20),
    "Kabul": (34.528, 69.172),
    "Jalalabad": (34.426, 70.451),
    "Tora Bora": (34.117, 70.217),
    "Kandahar": (31.628, 65.710),
    "Ghazni": (33.55, 68.42),
}
"""Places as (latitude N, longitude E), decimal degrees."""

AFGHANISTAN_OUTLINE: tuple[tuple[float, float], ...] = (
    (61.21, 35.65), (62.23, 35.27), (62.98, 35.40), (63.19, 35.86), (63.98, 36.01),
    (64.55, 36.31), (64.75, 37.11), (65.59, 37.31), (65.75, 37.66), (66.22, 37.39),
    (66.52, 37.36), (67.08, 37.36), (67.83, 37.14), (68.14, 37.02), (68.86, 37.34),
    (69.20, 37.15), (69.52, 37.61), (70.12, 37.59), (70.27, 37.74), (70.38, 38.14),
    (70.81, 38.49), (71.35, 38.26), (71.24, 37.95), (71.54, 37.91), (71.45, 37.07),
    (71.84, 36.74), (72.19, 36.95), (72.64, 37.05), (73.26, 37.50), (73.95, 37.42),
    (74.98, 37.42), (75.16, 37.13), (74.58, 37.02), (74.07, 36.84), (72.92, 36.72),
    (71.85, 36.51), (71.26, 36.07), (71.50, 35.65), (71.61, 35.15), (71.12, 34.73),
    (71.16, 34.35), (70.88, 33.99), (69.93, 34.02), (70.32, 33.36), (69.69, 33.11),
    (69.26, 32.50), (69.32, 31.90), (68.93, 31.62), (68.56, 31.71), (67.79, 31.58),
    (67.68, 31.30), (66.94, 31.30), (66.38, 30.74), (66.35, 29.89), (65.05, 29.47),
    (64.35, 29.56), (64.15, 29.34), (63.55, 29.47), (62.55, 29.32), (60.87, 29.83),
    (61.78, 30.74), (61.70, 31.38), (60.94, 31.55), (60.86, 32.18), (60.54, 32.98),
    (60.96, 33.53), (60.53, 33.68), (60.80, 34.40), (61.21, 35.65),
)  # fmt: skip
"""Schematic outline of Afghanistan as (longitude E, latitude N) vertices."""

FRONTS: dict[str, tuple[tuple[float, float], ...]] = {
    "Shamali line": ((68.98, 34.86), (69.12, 34.84), (69.28, 34.86), (69.42, 34.83)),
    "Mazar front": ((66.55, 36.30), (66.85, 36.22), (67.15, 36.25), (67.45, 36.18)),
}
"""Schematic front lines (longitude, latitude): north of Kabul, and south of Mazar."""

ROUTES: dict[str, tuple[str, ...]] = {
    "to_kandahar": ("Kabul", "Ghazni", "Kandahar"),
    "to_tora_bora": ("Kabul", "Jalalabad", "Tora Bora"),
}
"""Withdrawal routes through places, keyed by the summary column of their flow."""

ROUTE_NAMES = {"to_kandahar": "to Kandahar", "to_tora_bora": "to Tora Bora"}

EXTENT = (60.3, 75.4, 29.2, 38.7)
"""Map extent: west, east, south, north (degrees)."""

_LABEL_OFFSET = {
    "Mazar-i-Sharif": (6, 4, "left"),
    "Bagram": (6, 0, "left"),
    "Shamali Plain": (-6, 5, "right"),
    "Kabul": (-6, -2, "right"),
    "Jalalabad": (6, 2, "left"),
    "Tora Bora": (6, -6, "left"),
    "Kandahar": (6, -4, "left"),
    "Ghazni": (-6, 0, "right"),
}


def lonlat(place: str) -> tuple[float, float]:
    """(longitude, latitude) of a place."""
    lat, lon = PLACES[place]
    return lon, lat


@dataclass
class MapArtists:
    """The artists of a drawn map that change over time (for the animation)."""

    fronts: dict[str, Line2D]
    routes: dict[str, Line2D]
    route_labels: dict[str, Text]
    kabul: Line2D


def max_route_width(flows: dict[str, float]) -> float:
    """The largest flow, for scaling route widths (at least 1)."""
    return max([1.0, *[v for v in flows.values() if math.isfinite(v)]])


def route_width(flow: float, largest: float) -> float:
    """Line width (points) proportional to a flow; 0.6 pt minimum when it is positive."""
    if not math.isfinite(flow) or flow <= 0:
        return 0.0
    return max(0.6, 9.0 * flow / largest)


def draw_base(ax: Axes) -> MapArtists:
    """Draw the outline, places, fronts and routes on ``ax`` and return the dynamic artists.

    The axes get equirectangular coordinates (longitude, latitude) with an aspect of
    1/cos(mean latitude), so distances are roughly true at the map's centre.
    """
    west, east, south, north = EXTENT
    ax.add_patch(
        Polygon(
            AFGHANISTAN_OUTLINE,
            closed=True,
            facecolor=COLORS["land"],
            edgecolor=COLORS["border"],
            lw=1.0,
            zorder=0,
        )
    )
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1.0 / math.cos(math.radians((south + north) / 2.0)))
    ax.set_xticks(range(61, 76, 2), [f"{d}°E" for d in range(61, 76, 2)])
    ax.set_yticks(range(30, 39, 2), [f"{d}°N" for d in range(30, 39, 2)])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(color="#E4E4E4", lw=0.5)
    ax.set_axisbelow(True)
    routes: dict[str, Line2D] = {}
    for key, stops in ROUTES.items():
        xs, ys = zip(*(lonlat(p) for p in stops), strict=True)
        (routes[key],) = ax.plot(
            xs, ys, color=COLORS["withdrawal"], lw=1.0, ls="--", alpha=0.9, zorder=2,
            solid_capstyle="round", label=f"withdrawal {ROUTE_NAMES[key]}",
        )  # fmt: skip
    fronts: dict[str, Line2D] = {}
    for key, pts in FRONTS.items():
        xs, ys = zip(*pts, strict=True)
        (fronts[key],) = ax.plot(
            xs, ys, color=COLORS["taliban"], lw=2.5, zorder=3, label=f"{key} (held)"
        )
    for name in PLACES:
        x, y = lonlat(name)
        if name == "Shamali Plain":
            ax.plot([x], [y], marker="s", ms=3.5, color=COLORS["neutral"], zorder=4)
        elif name != "Kabul":
            ax.plot([x], [y], marker="o", ms=4, color="#333333", zorder=4)
        dx, dy, ha = _LABEL_OFFSET[name]
        ax.annotate(
            name, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha,
            va="center", fontsize=FONT["note"], zorder=5,
        )  # fmt: skip
    kx, ky = lonlat("Kabul")
    (kabul,) = ax.plot(
        [kx], [ky], marker="*", ms=13, color=COLORS["taliban"], mec="#000000", mew=0.6,
        ls="none", zorder=6,
    )  # fmt: skip
    route_labels = {
        key: ax.text(0, 0, "", fontsize=FONT["note"], color="#7A4A00", zorder=6, visible=False)
        for key in ROUTES
    }
    return MapArtists(fronts, routes, route_labels, kabul)


def set_flows(art: MapArtists, flows: dict[str, float], largest: float | None = None) -> None:
    """Draw the withdrawal routes with widths proportional to ``flows`` and label them."""
    largest = largest if largest is not None else max_route_width(flows)
    anchors = {"to_kandahar": ("Ghazni", (0.15, -0.55)), "to_tora_bora": ("Tora Bora", (0.1, -0.5))}
    for key, line in art.routes.items():
        flow = flows.get(key, math.nan)
        label = art.route_labels[key]
        if not math.isfinite(flow):
            line.set_linestyle("--")
            line.set_linewidth(1.0)
            label.set_visible(False)
            continue
        line.set_linestyle("-")
        line.set_linewidth(route_width(flow, largest))
        place, (dx, dy) = anchors[key]
        x, y = lonlat(place)
        label.set_position((x + dx, y + dy))
        label.set_text(f"{ROUTE_NAMES[key]}: {flow:,.0f}")
        label.set_visible(True)


def set_fronts(art: MapArtists, broken: dict[str, bool]) -> None:
    """Show each front as held (solid) or broken (dashed, grey)."""
    for key, line in art.fronts.items():
        if broken.get(key, False):
            line.set_color(COLORS["neutral"])
            line.set_linestyle(":")
            line.set_linewidth(1.8)
        else:
            line.set_color(COLORS["taliban"])
            line.set_linestyle("-")
            line.set_linewidth(2.5)


def set_holder(art: MapArtists, holder: str) -> None:
    """Colour the Kabul marker by who holds the city (taliban, none, alliance)."""
    art.kabul.set_color(COLORS.get(holder, COLORS["neutral"]))
    art.kabul.set_markeredgecolor("#000000")


def median_flows(summary: pd.DataFrame) -> dict[str, float]:
    """Median withdrawal flows over replications, by summary column."""
    out: dict[str, float] = {}
    for key in ROUTES:
        x = _data.values(summary, key) if key in summary else np.array([])
        out[key] = float(_data.quantiles(x)[1]) if x.size else math.nan
    return out


def _legend(ax: Axes) -> None:
    handles = [
        Line2D([], [], color=COLORS["taliban"], lw=2.5, label="front held"),
        Line2D([], [], color=COLORS["neutral"], lw=1.8, ls=":", label="front broken"),
        Line2D([], [], color=COLORS["withdrawal"], lw=3, label="withdrawal (width: fighters)"),
        Line2D([], [], marker="*", ms=10, ls="none", color=COLORS["taliban"], mec="k",
               label="Kabul: Taliban hold"),
        Line2D([], [], marker="*", ms=10, ls="none", color=COLORS["none"], mec="k",
               label="Kabul: no side holds"),
        Line2D([], [], marker="*", ms=10, ls="none", color=COLORS["alliance"], mec="k",
               label="Kabul: alliance holds"),
    ]  # fmt: skip
    ax.legend(handles=handles, loc="lower right", fontsize=FONT["note"], frameon=True,
              framealpha=0.9, edgecolor="#CCCCCC")  # fmt: skip


def majority(values: pd.Series) -> str:
    """The most common value (ties broken alphabetically); empty for no values."""
    counts = values.value_counts()
    if counts.empty:
        return ""
    top = counts[counts == counts.max()].index
    return str(sorted(top)[0])


def theatre_map(
    summary: pd.DataFrame | None = None,
    series: pd.DataFrame | None = None,
    scenario: object | None = None,
) -> Figure:
    """A schematic map of the theatre with fronts and withdrawal routes.

    Without a summary it shows the places, the schematic front lines (held) and the two
    withdrawal routes (dashed). With a summary the fronts are drawn broken when they broke
    in most replications, the routes' widths are proportional to the median numbers who
    withdrew along them (labelled), and Kabul's marker shows who held the city at the end
    in most replications (from the series' last sample if given, else the summary).

    Args:
        summary: the run's summary table (optional).
        series: the run's series frame (optional).
        scenario: the scenario that was run (optional; for the title).

    Returns:
        The figure.

    """
    fig = new_figure(7.6, 6.4)
    ax = fig.subplots()
    art = draw_base(ax)
    name = getattr(scenario, "name", None)
    title = "The theatre, October-November 2001 (schematic)"
    if summary is not None and len(summary):
        n = len(summary)
        mazar = float(np.isfinite(_data.values(summary, "mazar_falls")).mean())
        shamali = float(np.isfinite(_data.values(summary, "front_broken")).mean())
        set_fronts(art, {"Mazar front": mazar > 0.5, "Shamali line": shamali > 0.5})
        set_flows(art, median_flows(summary))
        if series is not None and not series.empty:
            last = series[series["t_h"] == series["t_h"].max()]
            holder = majority(last["city_holder"])
        else:
            holder = majority(summary["city_holder_end"])
        set_holder(art, holder)
        note = (
            f"{n} replications{f' of {name!r}' if name else ''}. Mazar front broken in"
            f" {mazar:.0%}, Shamali line in {shamali:.0%}; routes: median fighters"
            f" withdrawn; Kabul at the end: {holder or 'n/a'} (majority)."
        )
        ax.set_xlabel(note, fontsize=FONT["note"], wrap=True)
    _legend(ax)
    ax.set_title(title, fontsize=FONT["title"])
    return fig
