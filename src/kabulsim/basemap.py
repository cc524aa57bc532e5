"""The base map of the theatre: borders, rivers, lakes, roads and passes, shipped with the package.

The geometry is a small GeoJSON file, ``kabulsim/data/theatre_basemap.geojson``, clipped to
Afghanistan and its neighbours from public-domain Natural Earth data (made with Natural
Earth; see the file's ``metadata`` and ``scripts/make_basemap.py``, which regenerates it).
The relief shading, ``kabulsim/data/theatre_relief.png``, is a grey-level crop of Tom
Patterson's public-domain shaded relief (shadedrelief.com) over the same box, one pixel per
2 arc-minutes.
The roads are lines through the towns they join and the passes they cross: they show which
places a road connects, not its surveyed alignment. Front lines are indicative too.

Everything here is plain data (no plotting library), so the figures (:mod:`kabulsim.plots.geo`)
and the explorer (:mod:`kabulsim.explorer`) draw the same base. The file is read once per
process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from kabulsim import places

DATA_FILE = "theatre_basemap.geojson"
RELIEF_FILE = "theatre_relief.png"

ATTRIBUTION = (
    "Borders, rivers, lakes: Natural Earth; relief: T. Patterson, shadedrelief.com"
    " (both public domain)."
)

PLACES: dict[str, tuple[float, float]] = {
    "Mazar-i-Sharif": (36.709, 67.110),
    "Bagram": (34.946, 69.265),
    "Shamali Plain": (35.15, 69.20),
    "Kabul": (34.528, 69.172),
    "Jalalabad": (34.426, 70.451),
    "Tora Bora": (34.117, 70.217),
    "Kandahar": (31.628, 65.710),
    "Ghazni": (33.55, 68.42),
    "Kunduz": (36.729, 68.861),
}
"""Places of the campaign as (latitude N, longitude E), decimal degrees."""

MARKED_ROLES: tuple[places.Role, ...] = ("pocket", "redoubt")
"""The roles the map marks at a place, beside its dot: the pockets and the redoubts."""


def marked(theatre: tuple[places.Place, ...] = places.PLACES) -> tuple[tuple[str, str], ...]:
    """(role, map place) of each place of ``theatre`` playing one of :data:`MARKED_ROLES`.

    The map place is the place's label (a key of :data:`PLACES`); a place the map does not
    hold is left out. The model's places name no coordinates: the map finds them by label.
    """
    out = []
    for p in theatre:
        for role in MARKED_ROLES:
            if role in p.roles and p.label in PLACES:
                out.append((role, p.label))
    return tuple(out)


FRONTS: dict[str, tuple[tuple[float, float], ...]] = {
    "Shamali line": ((68.98, 34.86), (69.12, 34.84), (69.28, 34.86), (69.42, 34.83)),
    "Mazar front": ((66.55, 36.30), (66.85, 36.22), (67.15, 36.25), (67.45, 36.18)),
}
"""Indicative front lines (longitude, latitude): north of Kabul, and south of Mazar."""

ROUTES: dict[str, tuple[str, ...]] = {r.column: r.stops for r in places.ROUTES if r.stops}
"""Withdrawal routes through places, keyed by the summary column of their flow (from
:data:`kabulsim.places.ROUTES`)."""

ROUTE_NAMES = {r.column: r.label for r in places.ROUTES if r.stops}

EXTENT = (60.3, 75.4, 29.2, 38.7)
"""Map extent: west, east, south, north (degrees)."""


def lonlat(place: str) -> tuple[float, float]:
    """(longitude, latitude) of a place."""
    lat, lon = PLACES[place]
    return lon, lat


@dataclass(frozen=True)
class Shape:
    """One named feature of the base map: its layer and its parts as (n, 2) lon/lat arrays.

    Polygons (countries, lakes) have one part per ring; lines (rivers, roads) one part per
    line; points (passes) one part of one row.
    """

    layer: str
    name: str
    parts: tuple[np.ndarray, ...]


@cache
def geojson() -> dict[str, Any]:
    """The vendored GeoJSON document (read once per process)."""
    text = resources.files("kabulsim").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def _parts(geometry: dict[str, Any]) -> list[np.ndarray]:
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        rings = [[coords]]
    elif kind in ("LineString",):
        rings = [coords]
    elif kind in ("MultiLineString", "Polygon"):
        rings = coords
    elif kind == "MultiPolygon":
        rings = [ring for poly in coords for ring in poly]
    else:
        raise ValueError(f"{DATA_FILE}: unsupported geometry type {kind!r}")
    return [np.asarray(r, dtype=float).reshape(-1, 2) for r in rings]


@cache
def relief() -> np.ndarray:
    """Relief shading over :func:`bbox` as a (rows, columns) array of 0-1 grey levels.

    Row 0 is the northern edge; rows and columns are evenly spaced in latitude and longitude.
    Read once per process.
    """
    from PIL import Image

    with resources.files("kabulsim").joinpath("data", RELIEF_FILE).open("rb") as fh:
        with Image.open(fh) as im:
            grey = np.asarray(im.convert("L"), dtype=float) / 255.0
    grey.setflags(write=False)
    return grey


@cache
def shading() -> np.ndarray:
    """How strongly to darken each relief pixel (0-0.4): only the shaded slopes darken.

    The figures and the explorer draw the relief as dark grey with this opacity, so that
    lit slopes and plains keep the colour of the land under them.
    """
    shade = np.clip((0.8 - relief()) / 0.8, 0.0, 1.0)
    alpha = 0.4 * shade
    alpha.setflags(write=False)
    return alpha


def bbox() -> tuple[float, float, float, float]:
    """The box of the base map's data: west, south, east, north (degrees)."""
    west, south, east, top = (float(v) for v in geojson()["metadata"]["bbox"])
    return west, south, east, top


@cache
def shapes() -> tuple[Shape, ...]:
    """Every feature of the base map, parsed once per process."""
    return tuple(
        Shape(
            str(f["properties"]["layer"]),
            str(f["properties"].get("name", "")),
            tuple(_parts(f["geometry"])),
        )
        for f in geojson()["features"]
    )


def layer(name: str) -> tuple[Shape, ...]:
    """The features of one layer: country, river, lake, road or pass."""
    return tuple(s for s in shapes() if s.layer == name)
