"""The map of the theatre: real borders, rivers and roads, with the campaign drawn on them.

The base (international borders, rivers, lakes, the roads from Kabul over the Salang to
Mazar-i-Sharif, south through Ghazni to Kandahar and east through Jalalabad to the Khyber,
and the passes) comes from the package's vendored Natural Earth extract
(:mod:`kabulsim.basemap`; no tiles, no network), with public-domain relief shading. Roads
are drawn through the towns they join, and the front lines are indicative positions, not
surveyed ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from kabulsim import basemap, outputs
from kabulsim.basemap import EXTENT, FRONTS, PLACES, ROUTE_NAMES, ROUTES, lonlat
from kabulsim.places import PLACES as THEATRE
from kabulsim.places import Place
from kabulsim.plots import _data
from kabulsim.plots.style import COLORS, FONT, new_figure

__all__ = [
    "EXTENT",
    "FRONTS",
    "PLACES",
    "ROUTES",
    "ROUTE_NAMES",
    "MapArtists",
    "draw_base",
    "lonlat",
    "theatre_map",
]

_LABEL_OFFSET = {
    "Mazar-i-Sharif": (-6, 4, "right"),
    "Bagram": (6, 0, "left"),
    "Shamali Plain": (-6, 5, "right"),
    "Kabul": (-6, -2, "right"),
    "Jalalabad": (6, 2, "left"),
    "Tora Bora": (6, -6, "left"),
    "Kandahar": (6, -4, "left"),
    "Ghazni": (-6, 0, "right"),
    "Kunduz": (6, 4, "left"),
}

ROLE_MARKERS = {
    "pocket": {"marker": "s", "label": "pocket (besieged, surrendered on terms)"},
    "redoubt": {"marker": "D", "label": "redoubt (attacked; escape to Pakistan)"},
}
"""How the map marks a place by its role (:data:`kabulsim.basemap.MARKED_ROLES`)."""


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


MAP_COLORS = {
    "afghanistan": COLORS["land"],
    "neighbour": "#FBFBF9",
    "water": "#8DB9DA",
    "road": "#8C6D51",
    "pass": "#5A4632",
    "country_label": "#9A9A90",
}
"""Colours of the base map's layers."""

RELIEF_GREY = 60
"""Grey level (0-255) of the relief shading, drawn with :func:`kabulsim.basemap.shading`."""

_COUNTRY_LABELS = {
    "Pakistan": (70.3, 30.2), "Iran": (60.8, 30.4), "Turkmenistan": (61.2, 37.6),
    "Uzbekistan": (66.2, 38.25), "Tajikistan": (69.5, 38.3), "China": (75.0, 37.9),
    "India": (74.9, 33.0),
}  # fmt: skip
_PASS_LABEL_OFFSET = {"Salang Pass": (-4, 8, "right"), "Khyber Pass": (6, -3, "left")}


@cache
def _relief_rgba() -> np.ndarray:
    """The relief as a cached RGBA image: dark where shaded, transparent where lit."""
    alpha = basemap.shading()
    rgba = np.zeros((*alpha.shape, 4), dtype=np.uint8)
    rgba[..., :3] = RELIEF_GREY
    rgba[..., 3] = np.round(255 * alpha).astype(np.uint8)
    rgba.setflags(write=False)
    return rgba


def draw_terrain(ax: Axes) -> None:
    """Draw the base map (countries, relief, lakes, rivers, roads, passes) on ``ax``.

    The geometry is parsed once per process (:func:`kabulsim.basemap.shapes`); each call only
    builds two collections per layer, so figures and animation frames stay fast.
    """
    countries = basemap.layer("country")
    west, south, east, top = basemap.bbox()
    ax.imshow(
        _relief_rgba(), extent=(west, east, south, top), origin="upper", aspect="auto",
        interpolation="bilinear", zorder=0.15,
    )  # fmt: skip
    afg = [p for s in countries if s.name == "Afghanistan" for p in s.parts]
    other = [p for s in countries if s.name != "Afghanistan" for p in s.parts]
    ax.add_collection(PolyCollection(
        other, facecolors=MAP_COLORS["neighbour"], edgecolors="none", zorder=0,
    ))  # fmt: skip
    ax.add_collection(PolyCollection(
        afg, facecolors=MAP_COLORS["afghanistan"], edgecolors="none", zorder=0.1,
    ))  # fmt: skip
    # the relief is fainter beyond Afghanistan's border, under a light veil
    ax.add_collection(PolyCollection(
        other, facecolors="#FFFFFF", alpha=0.6, edgecolors="none", zorder=0.16,
    ))  # fmt: skip
    ax.add_collection(LineCollection(
        other, colors=COLORS["border"], linewidths=0.6, zorder=0.18,
    ))  # fmt: skip
    ax.add_collection(LineCollection(
        afg, colors=COLORS["border"], linewidths=1.1, zorder=0.19,
        label="Afghanistan (international border)",
    ))  # fmt: skip
    lakes = [p for s in basemap.layer("lake") for p in s.parts]
    ax.add_collection(PolyCollection(
        lakes, facecolors=MAP_COLORS["water"], edgecolors="none", zorder=0.2,
    ))  # fmt: skip
    rivers = [p for s in basemap.layer("river") for p in s.parts]
    ax.add_collection(LineCollection(
        rivers, colors=MAP_COLORS["water"], linewidths=0.8, zorder=0.3, label="river",
    ))  # fmt: skip
    for road in basemap.layer("road"):
        (xy,) = road.parts
        ax.plot(xy[:, 0], xy[:, 1], color=MAP_COLORS["road"], lw=1.0, alpha=0.8, zorder=1,
                solid_capstyle="round", label=f"road: {road.name}")  # fmt: skip
    for pas in basemap.layer("pass"):
        (xy,) = pas.parts
        ax.plot(xy[:, 0], xy[:, 1], marker="^", ms=5, color=MAP_COLORS["pass"], ls="none",
                zorder=4, label=f"pass: {pas.name}")  # fmt: skip
        dx, dy, ha = _PASS_LABEL_OFFSET.get(pas.name, (5, 3, "left"))
        ax.annotate(pas.name, (xy[0, 0], xy[0, 1]), xytext=(dx, dy), textcoords="offset points",
                    ha=ha, fontsize=FONT["note"] - 0.5, color=MAP_COLORS["pass"],
                    style="italic", zorder=5)  # fmt: skip
    for name, (x, y) in _COUNTRY_LABELS.items():
        ax.text(x, y, name.upper(), ha="center", va="center", fontsize=FONT["note"] - 1,
                color=MAP_COLORS["country_label"], zorder=0.5)  # fmt: skip
    ax.text(
        0.01, 0.01, basemap.ATTRIBUTION + "\nRoads through the towns they join; fronts indicative.",
        transform=ax.transAxes, fontsize=FONT["note"] - 1.5, color="#777777", zorder=6,
        in_layout=False,
    )  # fmt: skip


def front_lines(places: tuple[Place, ...] = THEATRE) -> dict[str, tuple[tuple[float, float], ...]]:
    """The front lines to draw, (longitude, latitude) points by line name.

    The base map's indicative lines (:data:`kabulsim.basemap.FRONTS`), then the line of each
    front a scenario declares with coordinates (named after its label).
    """
    lines = dict(FRONTS)
    for p in places:
        if p.line and p.points:
            lines[p.line] = p.points
    return lines


def _draw_declared(ax: Axes, places: tuple[Place, ...]) -> None:
    """Label the fronts a scenario declares, and draw the cities they cover, by their labels."""
    for p in places:
        if p.points:
            x, y = p.points[len(p.points) // 2]
            ax.annotate(
                p.line, (x, y), xytext=(0, -9), textcoords="offset points", ha="center",
                va="center", fontsize=FONT["note"], color=COLORS["taliban"], zorder=5,
            )  # fmt: skip
        if p.city_at is not None:
            x, y = p.city_at
            ax.plot([x], [y], marker="o", ms=4, color="#333333", zorder=4)
            ax.annotate(
                p.city_label, (x, y), xytext=(6, 3), textcoords="offset points", ha="left",
                va="center", fontsize=FONT["note"], zorder=5,
            )  # fmt: skip


def draw_base(ax: Axes, places: tuple[Place, ...] = THEATRE) -> MapArtists:
    """Draw the base map, places, fronts and routes on ``ax`` and return the dynamic artists.

    The axes get equirectangular coordinates (longitude, latitude) with an aspect of
    1/cos(mean latitude), so distances are roughly true at the map's centre. ``places``: the
    theatre's places (``scenario.theatre.places``); a front or city a scenario declares with
    coordinates is drawn too, labelled by its label.
    """
    west, east, south, top = EXTENT
    draw_terrain(ax)
    ax.set_xlim(west, east)
    ax.set_ylim(south, top)
    ax.set_aspect(1.0 / math.cos(math.radians((south + top) / 2.0)))
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
    for key, pts in front_lines(places).items():
        xs, ys = zip(*pts, strict=True)
        (fronts[key],) = ax.plot(
            xs, ys, color=COLORS["taliban"], lw=2.5, zorder=3, label=f"{key} (held)"
        )
    _draw_declared(ax, places)
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
    for role, name in basemap.marked(places):
        x, y = lonlat(name)
        ax.plot([x], [y], marker=ROLE_MARKERS[role]["marker"], ms=9, mfc="none",
                mec=COLORS["taliban"], mew=1.3, ls="none", zorder=4)  # fmt: skip
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
        Line2D([], [], color=MAP_COLORS["road"], lw=1.0, label="main road"),
        Line2D([], [], color=MAP_COLORS["water"], lw=1.0, label="river"),
        Line2D([], [], marker="^", ms=5, ls="none", color=MAP_COLORS["pass"], label="pass"),
        *(
            Line2D([], [], marker=m["marker"], ms=7, mfc="none", mec=COLORS["taliban"],
                   mew=1.3, ls="none", label=m["label"])
            for m in ROLE_MARKERS.values()
        ),
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
    """A map of the theatre with fronts and withdrawal routes on real borders, rivers and roads.

    Without a summary it shows the places, the indicative front lines (held) and the two
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
    theatre = getattr(scenario, "theatre", None)
    places = theatre.places if theatre is not None else THEATRE
    art = draw_base(ax, places)
    name = getattr(scenario, "name", None)
    title = "The theatre, October-November 2001"
    if summary is not None and len(summary):
        n = len(summary)
        broken = {
            line: float(np.isfinite(_data.values(summary, col)).mean())
            for line, col in outputs.map_breaks(places).items()
            if col in summary
        }
        set_fronts(art, {line: share > 0.5 for line, share in broken.items()})
        set_flows(art, median_flows(summary))
        if series is not None and not series.empty:
            last = series[series["t_h"] == series["t_h"].max()]
            holder = majority(last["city_holder"])
        else:
            holder = majority(summary["city_holder_end"])
        set_holder(art, holder)
        note = (
            f"{n} replications{f' of {name!r}' if name else ''}. "
            + ", ".join(f"{line} broken in {share:.0%}" for line, share in broken.items())
            + f"; routes: median fighters withdrawn; Kabul at the end: {holder or 'n/a'}"
            " (majority)."
        )
        ax.set_xlabel(note, fontsize=FONT["note"], wrap=True)
    _legend(ax)
    ax.set_title(title, fontsize=FONT["title"])
    return fig
