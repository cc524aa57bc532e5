"""The vendored base map: it loads offline, is inside the theatre and holds each layer."""

from __future__ import annotations

import numpy as np

from kabulsim import basemap


def test_basemap_loads_and_is_inside_the_theatre() -> None:
    doc = basemap.geojson()
    assert "Natural Earth" in doc["metadata"]["source"]
    west, south, east, north = doc["metadata"]["bbox"]
    assert (west, south, east, north) == (59.5, 28.5, 76.0, 39.5)
    shapes = basemap.shapes()
    assert {s.layer for s in shapes} == {"country", "river", "lake", "road", "pass"}
    xy = np.vstack([p for s in shapes for p in s.parts])
    assert xy[:, 0].min() >= west and xy[:, 0].max() <= east
    assert xy[:, 1].min() >= south and xy[:, 1].max() <= north
    names = {s.name for s in basemap.layer("country")}
    assert {"Afghanistan", "Pakistan", "Iran", "Uzbekistan", "Tajikistan"} <= names
    assert {"Amu Darya", "Helmand", "Harirud"} <= {s.name for s in basemap.layer("river")}
    assert basemap.shapes() is shapes  # parsed once per process


def test_roads_join_the_campaign_places() -> None:
    roads = {s.name: s.parts[0] for s in basemap.layer("road")}
    assert set(roads) == {
        "Kabul-Mazar-i-Sharif via the Salang",
        "Kabul-Kandahar via Ghazni",
        "Kabul-Jalalabad-Khyber",
    }
    kabul = np.array(basemap.lonlat("Kabul"))
    salang = next(s.parts[0][0] for s in basemap.layer("pass") if s.name == "Salang Pass")
    for name, xy in roads.items():
        # every road starts within 0.05 degree of the package's Kabul
        assert np.hypot(*(xy[0] - kabul)) < 0.05, name
    assert np.min(np.hypot(*(roads["Kabul-Mazar-i-Sharif via the Salang"] - salang).T)) < 1e-9
    ends = {
        "Kabul-Kandahar via Ghazni": "Kandahar",
        "Kabul-Mazar-i-Sharif via the Salang": "Mazar-i-Sharif",
    }
    for name, place in ends.items():
        assert np.hypot(*(roads[name][-1] - np.array(basemap.lonlat(place)))) < 0.05, name


def test_relief_covers_the_box_and_is_registered() -> None:
    grey = basemap.relief()
    west, south, east, north = basemap.bbox()
    # one pixel per 2 arc-minutes over the box
    assert grey.shape == (round((north - south) * 30), round((east - west) * 30))
    assert 0.0 <= grey.min() < grey.max() <= 1.0

    def box(lon0: float, lon1: float, lat0: float, lat1: float) -> np.ndarray:
        rows = slice(round((north - lat1) * 30), round((north - lat0) * 30))
        cols = slice(round((lon0 - west) * 30), round((lon1 - west) * 30))
        return grey[rows, cols]

    # the Hindu Kush north of Kabul is rugged (strong shading contrasts); the Registan
    # desert south of Kandahar is flat: a misregistered crop would not show this
    hindu_kush = box(68.5, 71.0, 35.0, 36.0).std()
    registan = box(64.0, 65.5, 30.2, 31.0).std()
    assert hindu_kush > 2 * registan


def test_the_map_marks_every_pocket_and_redoubt_by_its_role():
    from kabulsim import places

    marked = basemap.marked()
    for role in basemap.MARKED_ROLES:
        expected = {p.label for p in places.with_role(role)}
        assert expected and {name for r, name in marked if r == role} == expected
    assert all(name in basemap.PLACES for _, name in marked)
    # a place the map does not hold is left out, not drawn at a made-up point
    stranger = places.PLACES[0].__class__("nowhere", "city", ("pocket",), "Nowhere", "at Nowhere")
    assert basemap.marked((stranger,)) == ()
