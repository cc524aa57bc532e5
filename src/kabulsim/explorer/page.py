"""Write the explorer's tables as one self-contained interactive HTML page.

Each chart is a Vega-Lite specification built with Altair and embedded on its own, so the
page reflows to the screen's width (from 1,024 px up, no sideways scrolling): the charts
that can take the width of their column do (``width: "container"``), the map and the small
multiples keep a size that fits. The menus are plain HTML ``<select>`` elements; the page's
script passes the chosen options to every chart as Vega-Lite parameters, and each chart
filters its (small, precomputed) tables by them, so a menu redraws in the browser with no
server. The text that people read (the case in words, the differences table, the warnings)
is written here in Python (:mod:`kabulsim.explorer.numbers`) and shown by the script. Each
chart has a text description for screen readers and buttons that save its data (CSV) and
its picture (PNG, SVG).

The Vega, Vega-Lite and Vega-Embed JavaScript shipped with the package is inlined
(:mod:`kabulsim.explorer.javascript`): the page loads nothing from the network. Altair is
imported only here, when a page is written.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from kabulsim import __version__, basemap
from kabulsim.calibration.ensemble import describe_record
from kabulsim.explorer.data import CAVEATS, SCENARIO_KEY, ExplorerData
from kabulsim.explorer.javascript import LIBRARIES, script, versions
from kabulsim.explorer.numbers import difference_rows, forest_rows
from kabulsim.files import atomic_path
from kabulsim.textsafe import script_json

if TYPE_CHECKING:
    import altair as alt

NUMBER_FORMAT = ",.3~r"
"""Numbers on axes and in tooltips (d3): three significant digits, thousands separated,
never scientific notation."""


COLORS = {
    "selected": "#0072B2",  # Okabe-Ito blue, as the alliance elsewhere
    "baseline": "#8A8A8A",
    "taliban": "#D55E00",
    "withdrawal": "#E69F00",
    "water": "#8DB9DA",
    "road": "#8C6D51",
    "land": "#F2F2EE",
    "neighbour": "#FBFBF9",
    "border": "#8A8A80",
    "record": "#222222",
}
SELECTED = "selected case"
BASELINE = "baseline"
MAP_WIDTH = 430
"""The map's width (px): its projection is fixed, so it does not stretch with the page."""
SMALL_WIDTH = 400
"""The width of the small multiples (key outcomes, differences), px."""

Align = Literal["left", "center", "right"]

LABEL_PLACES: dict[str, tuple[int, int, Align]] = {
    "Mazar-i-Sharif": (-6, 0, "right"),
    "Salang Pass": (-6, -4, "right"),
    "Shamali Plain": (6, -7, "left"),
    "Bagram": (6, 4, "left"),
    "Kabul": (-6, 2, "right"),
    "Jalalabad": (5, 6, "left"),
    "Tora Bora": (0, 10, "center"),
    "Khyber Pass": (6, 6, "left"),
    "Ghazni": (-6, 0, "right"),
    "Kandahar": (6, 0, "left"),
    "Kunduz": (6, 0, "left"),
}
"""Where each map label sits against its point: (dx, dy) in px and its alignment."""


def _param_name(i: int) -> str:
    return f"p{i}"


def _selection(data: ExplorerData) -> str:
    return " && ".join(f"datum.c{i} == {_param_name(i)}" for i in range(len(data.controls)))


def _with_roles(frame: pd.DataFrame, data: ExplorerData) -> pd.DataFrame:
    """Each cell's rows (role ``selected case``) and the baseline's again (role ``baseline``)."""
    if frame.empty:
        return frame
    tagged = frame.merge(_choices(data), on="cell", how="left").assign(role=SELECTED)
    base = frame[frame["cell"] == 0].assign(role=BASELINE)
    for i in range(len(data.controls)):
        base[f"c{i}"] = "*"
    return pd.concat([tagged, base], ignore_index=True)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", double_precision=6))
    return out


class Datasets:
    """The tables of one chart, by name: the specification refers to them by name.

    Altair copies and validates inline values at every step of building a chart (seconds for
    the map's borders); named datasets added to the finished specification cost nothing.
    """

    def __init__(self) -> None:
        self.values: dict[str, list[Any]] = {}

    def data(self, values: list[Any]) -> alt.Data:
        """A named reference to ``values`` (the same values share one name)."""
        import altair as alt

        text = json.dumps(values, sort_keys=True, separators=(",", ":"))
        name = "d" + hashlib.sha256(text.encode()).hexdigest()[:12]
        self.values.setdefault(name, values)
        data: alt.Data = alt.Data(name=name)  # type: ignore[no-untyped-call]
        return data


def _role_color() -> alt.Color:
    import altair as alt

    return alt.Color(
        "role:N",
        scale=alt.Scale(
            domain=[SELECTED, BASELINE], range=[COLORS["selected"], COLORS["baseline"]]
        ),
        legend=alt.Legend(title=None, orient="top"),
    )


def _shown(data: ExplorerData) -> str:
    return f"datum.role == '{BASELINE}' || ({_selection(data)})"


def compact_fall(data: ExplorerData) -> pd.DataFrame:
    """The fall-by-date curves, one row per case: ``s`` (seconds since the start), ``share``.

    Lists rather than one row per point keep the page small (a curve has a point per
    replication); the chart flattens them back. Shares to 1e-6 (so that share x
    replications gives the count back).
    """
    start = pd.Timestamp(data.horizon["start"])
    rows = []
    for cell, part in data.fall.groupby("cell", sort=True):
        seconds = (pd.to_datetime(part["date"]) - start).dt.total_seconds()
        rows.append(
            {
                "cell": int(str(cell)),
                "s": [round(float(v)) for v in seconds],
                "share": [round(float(v), 6) for v in part["share"]],
            }
        )
    return pd.DataFrame(rows, columns=["cell", "s", "share"])


def fall_chart(data: ExplorerData, ds: Datasets) -> alt.LayerChart | alt.FacetChart:
    """The fall-by-date curve of the selected case and of the baseline."""
    import altair as alt

    frame = _with_roles(compact_fall(data), data)
    x = alt.X(
        "date:T",
        scale=alt.Scale(type="utc", domain=[data.horizon["start"], data.horizon["end"]]),
        axis=alt.Axis(format="%d %b", title="date (2001, Kabul local time)"),
    )
    start_ms = int(pd.Timestamp(data.horizon["start"]).timestamp() * 1000)
    curve = (
        alt.Chart(ds.data(_records(frame)))
        .transform_filter(_shown(data))
        # one row per case, its curve as two lists: seconds since the start and shares
        .transform_flatten(["s", "share"])
        .transform_calculate(
            date=f"toDate({start_ms} + datum.s * 1000)",
            entered=f"round(datum.share * {data.reps})",
        )
        .mark_line(interpolate="step-after", strokeWidth=2.2)
        .encode(
            x=x,
            y=alt.Y(
                "share:Q",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", title="share of replications: alliance in Kabul"),
            ),
            color=_role_color(),
            detail="role:N",
            tooltip=[
                alt.Tooltip("role:N", title="case"),
                alt.Tooltip("utcyearmonthdatehoursminutes(date):T", title="date (Kabul)"),
                alt.Tooltip("share:Q", format=".0%", title="entered by then"),
                alt.Tooltip("entered:Q", title=f"replications entered (of {data.reps})"),
            ],
        )
    )
    record = alt.Chart(ds.data([{"date": data.meta["record_entry"], "label": "record: 13 Nov"}]))
    rule = record.mark_rule(color=COLORS["record"], strokeDash=[4, 3]).encode(x=x)
    # the record's label above the plot area, where no curve can run through it
    text = record.mark_text(align="center", dy=-6, fontSize=10, baseline="bottom").encode(
        x=x, y=alt.value(0), text="label:N"
    )
    return alt.layer(curve, rule, text).properties(
        width="container",
        height=260,
        title=alt.TitleParams(
            "When does the alliance enter Kabul?",
            subtitle=[
                "Share of replications in which it has entered by each date; no entry",
                "within the horizon: censored, never counted. Dashed line: the record.",
            ],
            anchor="start",
            offset=14,
        ),
    )


def timeline_chart(data: ExplorerData, ds: Datasets) -> alt.LayerChart | alt.FacetChart:
    """Median and 5-95% range of each event's date, selected case and baseline."""
    import altair as alt

    # as the differences table and the README: an event that happened in fewer than half of a
    # case's replications has no median date there ("not reached"); it is said, not drawn
    reached = data.timeline["happened"] >= 0.5
    frame = _with_roles(data.timeline[reached].dropna(subset=["q50"]), data)
    base = alt.Chart(ds.data(_records(frame))).transform_filter(_shown(data))
    y = alt.Y("event:N", sort=alt.EncodingSortField("order"), title=None)
    x = alt.X(
        "q05:T",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(
            format="%d %b",
            labelOverlap=True,
            title="date (2001, Kabul local time): median and 5-95%",
        ),
    )
    tooltip = [
        alt.Tooltip("role:N", title="case"),
        alt.Tooltip("event:N"),
        alt.Tooltip("utcmonthdatehoursminutes(q50):T", title="median"),
        alt.Tooltip("utcmonthdatehoursminutes(q05):T", title="5%"),
        alt.Tooltip("utcmonthdatehoursminutes(q95):T", title="95%"),
        alt.Tooltip("happened:Q", format=".0%", title="happened in (share of replications)"),
    ]
    band = base.mark_rule(strokeWidth=3, opacity=0.55).encode(
        x=x, x2="q95:T", y=y, yOffset="role:N", color=_role_color(), tooltip=tooltip
    )
    dot = base.mark_point(filled=True, size=60).encode(
        x=alt.X("q50:T", scale=alt.Scale(type="utc")),
        y=y,
        yOffset="role:N",
        color=_role_color(),
        tooltip=tooltip,
    )
    # an event not reached in a case: said at the left of its row
    first = data.timeline.loc[reached, "q05"].dropna().min()
    missing = _with_roles(data.timeline[~reached], data)
    if len(missing):
        missing = missing.assign(
            q05=first,
            label=[
                "not reached" if h == 0 else f"not reached (happened in {h:.0%})"
                for h in missing["happened"]
            ],
        )
    layers = [band, dot]
    if len(missing) and isinstance(first, str):
        layers.append(
            alt.Chart(ds.data(_records(missing)))
            .transform_filter(_shown(data))
            .mark_text(align="left", dx=4, fontSize=10, fontStyle="italic", baseline="middle")
            .encode(
                x=alt.X("q05:T", scale=alt.Scale(type="utc")),
                y=y,
                yOffset="role:N",
                color=_role_color(),
                text="label:N",
                tooltip=[alt.Tooltip("role:N", title="case"), alt.Tooltip("event:N")],
            )
        )
    return alt.layer(*layers).properties(
        width="container",
        height=alt.Step(20),
        title=alt.TitleParams(
            "The timeline",
            subtitle="Median date (dot) and 5-95% range (line) of each event, over the"
            " replications in which it happened (the share is in the tooltip and the data).",
            anchor="start",
        ),
    )


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def relief_png(width: int, height: int) -> str:
    """The relief shading resampled to the explorer map's Mercator pixels, as a data URI.

    Row ``y`` of the picture is the latitude whose Mercator ordinate is at that pixel, so the
    shading lies under the borders and rivers drawn by the projection.
    """
    import numpy as np
    from PIL import Image

    alpha = basemap.shading()
    b_west, b_south, b_east, b_top = basemap.bbox()
    west, east, south, top = basemap.EXTENT
    rows, cols = alpha.shape
    lon = west + (np.arange(width) + 0.5) / width * (east - west)
    merc = _mercator_y(top) - (np.arange(height) + 0.5) / height * (
        _mercator_y(top) - _mercator_y(south)
    )
    lat = np.degrees(np.arctan(np.sinh(merc)))
    col = np.clip(((lon - b_west) / (b_east - b_west) * cols).astype(int), 0, cols - 1)
    row = np.clip(((b_top - lat) / (b_top - b_south) * rows).astype(int), 0, rows - 1)
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    rgba[..., :3] = 60
    rgba[..., 3] = np.round(255 * alpha[row[:, None], col[None, :]]).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def map_chart(data: ExplorerData, ds: Datasets) -> alt.LayerChart | alt.FacetChart:
    """The theatre on the package's base map, with the selected case's fronts and flows."""
    import altair as alt

    west, east, south, top = basemap.EXTENT
    width = MAP_WIDTH
    scale = width / math.radians(east - west)
    height = round(scale * (_mercator_y(top) - _mercator_y(south)))
    center = [(west + east) / 2, math.degrees(math.atan(math.sinh(
        (_mercator_y(top) + _mercator_y(south)) / 2)))]  # fmt: skip
    projection = alt.Projection(
        type="mercator",
        scale=scale,
        center=center,
        translate=[width / 2, height / 2],
        clipExtent=[[0, 0], [width, height]],
    )
    features = basemap.geojson()["features"]

    def layer(name: str) -> alt.Data:
        return ds.data([f for f in features if f["properties"]["layer"] == name])

    relief = (
        alt.Chart(ds.data([{"url": relief_png(width, height)}]))
        .mark_image(width=width, height=height, align="left", baseline="top", aspect=False)
        .encode(url="url:N", x=alt.value(0), y=alt.value(0))
    )
    veil = (
        alt.Chart(layer("country"))
        .transform_filter("datum.properties.name != 'Afghanistan'")
        .mark_geoshape(fill="#FFFFFF", fillOpacity=0.6, stroke=None)
    )
    borders = alt.Chart(layer("country")).mark_geoshape(
        filled=False, stroke=COLORS["border"], strokeWidth=0.8
    )
    countries = (
        alt.Chart(layer("country"))
        .mark_geoshape(stroke=None)
        .encode(
            color=alt.condition(
                "datum.properties.name == 'Afghanistan'",
                alt.value(COLORS["land"]),
                alt.value(COLORS["neighbour"]),
            ),
            tooltip=alt.Tooltip("properties.name:N", title="country"),
        )
    )
    lakes = alt.Chart(layer("lake")).mark_geoshape(fill=COLORS["water"], stroke=None)
    rivers = (
        alt.Chart(layer("river"))
        .mark_geoshape(filled=False, stroke=COLORS["water"], strokeWidth=0.9)
        .encode(tooltip=alt.Tooltip("properties.name:N", title="river"))
    )
    roads = (
        alt.Chart(layer("road"))
        .mark_geoshape(filled=False, stroke=COLORS["road"], strokeWidth=1.1, opacity=0.85)
        .encode(tooltip=alt.Tooltip("properties.name:N", title="road"))
    )
    places = [{"name": k, "lon": v[1], "lat": v[0]} for k, v in basemap.PLACES.items()]
    passes = [
        {"name": f["properties"]["name"], "lon": f["geometry"]["coordinates"][0],
         "lat": f["geometry"]["coordinates"][1]}
        for f in features if f["properties"]["layer"] == "pass"
    ]  # fmt: skip
    labels: list[dict[str, Any]] = [
        {**place, "kind": kind} for kind, rows in (("pass", passes), ("place", places))
        for place in rows
    ]  # fmt: skip
    pass_marks = (
        alt.Chart(ds.data(passes))
        .mark_point(shape="triangle-up", filled=True, color="#5A4632", size=40)
        .encode(longitude="lon:Q", latitude="lat:Q", tooltip=alt.Tooltip("name:N", title="pass"))
    )
    place_marks = (
        alt.Chart(ds.data(places))
        .mark_circle(color="#333333", size=22)
        .encode(longitude="lon:Q", latitude="lat:Q", tooltip=alt.Tooltip("name:N", title="place"))
    )
    role_rows = [
        {"name": name, "role": role, "lon": basemap.lonlat(name)[0], "lat": basemap.lonlat(name)[1]}
        for role, name in basemap.marked()
    ]
    role_marks = [
        alt.Chart(ds.data([r for r in role_rows if r["role"] == role]))
        .mark_point(shape=shape, filled=False, color=COLORS["taliban"], size=110, strokeWidth=1.5)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            tooltip=[alt.Tooltip("name:N", title="place"), alt.Tooltip("role:N", title="role")],
        )
        for role, shape in (("pocket", "square"), ("redoubt", "diamond"))
        if any(r["role"] == role for r in role_rows)
    ]
    # one text layer per offset: the places near Kabul are close together on this scale, so
    # each label has its own side (tests/explorer/test_page.py checks they do not overlap)
    label_layers = []
    for dx, dy, align in sorted({LABEL_PLACES[str(r["name"])] for r in labels}):
        chosen = [r for r in labels if LABEL_PLACES[str(r["name"])] == (dx, dy, align)]
        for kind in ("pass", "place"):
            rows = [r for r in chosen if r["kind"] == kind]
            if not rows:
                continue
            style: dict[str, Any] = (
                {"fontStyle": "italic", "color": "#5A4632", "fontSize": 9}
                if kind == "pass"
                else {"fontSize": 10}
            )
            label_layers.append(
                alt.Chart(ds.data(rows))
                .mark_text(align=align, dx=dx, dy=dy, baseline="middle", **style)
                .encode(longitude="lon:Q", latitude="lat:Q", text="name:N")
            )
    selected = f"{_selection(data)}"
    routes_frame = data.map_routes.merge(_choices(data), on="cell")
    largest = max(1.0, float(data.map_routes["median_flow"].max()))
    routes = (
        alt.Chart(ds.data(_records(routes_frame)))
        .transform_filter(selected)
        .mark_line(color=COLORS["withdrawal"], strokeCap="round")
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            detail="route:N",
            order="order:Q",
            size=alt.Size(
                "median_flow:Q", scale=alt.Scale(domain=[0, largest], range=[0.5, 9]), legend=None
            ),
            tooltip=[
                alt.Tooltip("route:N"),
                alt.Tooltip("median_flow:Q", format=",.0f", title="median fighters"),
            ],
        )
    )
    fronts_frame = data.map_fronts.merge(_choices(data), on="cell")
    fronts_data = alt.Chart(ds.data(_records(fronts_frame))).transform_filter(selected)
    front_tip = [alt.Tooltip("front:N"), alt.Tooltip("broken_share:Q", format=".0%",
                                                     title="broke in")]  # fmt: skip
    enc: dict[str, Any] = {"longitude": "lon:Q", "latitude": "lat:Q", "detail": "front:N",
                           "order": "order:Q", "tooltip": front_tip}  # fmt: skip
    held = (
        fronts_data.transform_filter("datum.status == 'held'")
        .mark_line(strokeWidth=3, color=COLORS["taliban"])
        .encode(**enc)
    )
    broken = (
        fronts_data.transform_filter("datum.status != 'held'")
        .mark_line(strokeWidth=2, color="#777777", strokeDash=[2, 3])
        .encode(**enc)
    )
    fronts = alt.layer(held, broken)
    return (
        alt.layer(
            countries,
            relief,
            veil,
            borders,
            lakes,
            rivers,
            roads,
            routes,
            fronts,
            pass_marks,
            place_marks,
            *role_marks,
            *label_layers,
        )
        .project(**projection.to_dict())
        .properties(
            width=width,
            height=height,
            title=alt.TitleParams(
                "The theatre (selected case)",
                subtitle=[
                    "Fronts: held (red), broken in most replications (dotted grey);",
                    "withdrawal width: median fighters. Roads through the towns they join.",
                ],
                anchor="start",
            ),
        )
    )


def outcome_charts(data: ExplorerData, ds: Datasets) -> alt.FacetChart:
    """Five quantiles of each key outcome, selected case against baseline (one row each)."""
    import altair as alt

    frame = _with_roles(data.outcomes.dropna(subset=["q50"]), data)
    no_labels = alt.Axis(labels=False, ticks=False, title=None)
    y = alt.Y("role:N", title=None, sort=[SELECTED, BASELINE], axis=no_labels)
    tooltip = [alt.Tooltip("role:N", title="case"), alt.Tooltip("outcome:N")] + [
        alt.Tooltip(f"{q}:Q", format=NUMBER_FORMAT, title=t)
        for q, t in (("q05", "5%"), ("q25", "25%"), ("q50", "median"), ("q75", "75%"),
                     ("q95", "95%"))
    ] + [alt.Tooltip("n:Q", title="replications with a value")]  # fmt: skip
    axis = alt.Axis(format=NUMBER_FORMAT, labelOverlap=True, tickCount=6, title=None)
    whisker = alt.Chart().mark_rule().encode(
        x=alt.X("q05:Q", scale=alt.Scale(zero=False), axis=axis), x2="q95:Q", y=y,
        color=_role_color(), tooltip=tooltip,
    )  # fmt: skip
    box = (
        alt.Chart()
        .mark_bar(height=10, opacity=0.5)
        .encode(x="q25:Q", x2="q75:Q", y=y, color=_role_color(), tooltip=tooltip)
    )
    mid = (
        alt.Chart()
        .mark_tick(thickness=2.5, size=14)
        .encode(x="q50:Q", y=y, color=_role_color(), tooltip=tooltip)
    )
    layered = alt.layer(whisker, box, mid, data=ds.data(_records(frame))).properties(
        width=SMALL_WIDTH, height=36
    )
    facet: alt.FacetChart = (
        layered.transform_filter(_shown(data))
        .facet(
            row=_rows("outcome", bold=True),
            spacing=6,
        )
        .resolve_scale(x="independent")
        .properties(
            title=alt.TitleParams(
                "Key outcomes",
                subtitle="Median (tick), 25-75% (bar) and 5-95% (line) over replications.",
                anchor="start",
            )
        )
    )
    return facet


def forest_chart(data: ExplorerData, ds: Datasets) -> alt.FacetChart | None:
    """The paired differences from the baseline with their 95% intervals (a forest plot).

    One row per outcome, each on its own scale and in its own units (hours or days, points,
    people), the dot the difference and the line its paired bootstrap 95% interval; the
    vertical line is no difference.
    """
    import altair as alt

    rows = forest_rows(data.differences) if not data.differences.empty else pd.DataFrame()
    if rows.empty:
        return None
    frame = rows.merge(_choices(data), on="cell")
    colour = alt.Color(
        "changed:N",
        scale=alt.Scale(domain=["yes", "no"], range=[COLORS["selected"], COLORS["baseline"]]),
        legend=alt.Legend(title="changed", orient="top"),
    )  # fmt: skip
    tooltip = [alt.Tooltip("row:N", title="outcome"), alt.Tooltip("text:N", title="difference")]
    x = alt.X(
        "low:Q", title=None, axis=alt.Axis(format=NUMBER_FORMAT, labelOverlap=True, tickCount=5)
    )
    interval = (
        alt.Chart().mark_rule(strokeWidth=2).encode(x=x, x2="high:Q", color=colour, tooltip=tooltip)
    )
    dot = (
        alt.Chart()
        .mark_point(filled=True, size=50)
        .encode(x="diff:Q", color=colour, tooltip=tooltip)
    )
    zero = alt.Chart().mark_rule(color="#444444", strokeDash=[3, 3]).encode(x=alt.datum(0))
    layered = alt.layer(interval, dot, zero, data=ds.data(_records(frame))).properties(
        width=SMALL_WIDTH, height=16
    )
    forest: alt.FacetChart = (
        layered.transform_filter(_selection(data))
        .facet(
            row=_rows("row"),
            spacing=4,
        )
        .resolve_scale(x="independent")
        .properties(
            title=alt.TitleParams(
                "Differences from the baseline, with their 95% intervals",
                subtitle=[
                    "Selected case minus baseline (paired: common random numbers);",
                    "each row on its own scale and in its own units.",
                ],
                anchor="start",
            )
        )
    )
    return forest


def _choice_columns(data: ExplorerData) -> list[str]:
    return [f"c{i}" for i in range(len(data.controls))]


def _choices(data: ExplorerData) -> pd.DataFrame:
    """Each cell's option per control (what the charts filter on), nothing else."""
    return data.cells[["cell", *_choice_columns(data)]]


def _spec(chart: Any, ds: Datasets, data: ExplorerData, description: str) -> dict[str, Any]:
    """A chart as a Vega-Lite specification with the menus' parameters (not bound)."""
    import altair as alt

    params = [
        alt.param(name=_param_name(i), value=ctl.options[0]) for i, ctl in enumerate(data.controls)
    ]
    chart = chart.add_params(*params).properties(description=description)
    if chart.to_dict().get("width") == "container":
        # fill the column, axes and labels included, and follow it when the window changes
        chart = chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    configured = chart.configure_view(stroke=None).configure(font="Helvetica, Arial, sans-serif")
    spec: dict[str, Any] = configured.to_dict(validate=False)
    spec["datasets"] = ds.values
    return spec


@dataclass(frozen=True)
class Figure:
    """One chart of the page: its id, specification, description and data to download."""

    id: str
    heading: str
    spec: dict[str, Any]
    description: str
    csv: str
    wide: bool = False


def _csv(frame: pd.DataFrame, data: ExplorerData) -> str:
    """A chart's table for download: every case, its menus named, no internal columns."""
    if frame.empty:
        return ""
    names = {f"c{i}": c.key for i, c in enumerate(data.controls)}
    cases = data.cells[["cell", *names]].rename(columns=names)
    out = frame.merge(cases, on="cell", how="left").drop(columns=["cell"])
    first = list(names.values())
    out = out[[*first, *(c for c in out.columns if c not in first)]]
    text: str = out.to_csv(index=False, float_format="%.6g")
    return text


def figures(data: ExplorerData) -> list[Figure]:
    """Every chart of the page, in reading order."""
    plan: list[tuple[str, str, Any, str, str, pd.DataFrame, bool]] = [
        (
            "fall",
            "When does the alliance enter Kabul?",
            fall_chart,
            "Line chart: share of replications in which the alliance has entered Kabul by"
            " each date, for the selected case (blue) and the baseline (grey), with the"
            " record's date, 13 November 2001.",
            "Step curves of the share of replications in which the alliance has entered"
            " Kabul, by date. The sentence above the charts gives the selected case's median"
            " date of entry.",
            pd.DataFrame(),  # the page writes this table from the chart's own (see _SCRIPT)
            False,
        ),
        (
            "map",
            "The theatre",
            map_chart,
            "Map of Afghanistan with the front lines (held or broken in most"
            " replications) and the median number of fighters on each withdrawal route"
            " in the selected case.",
            "Front lines: held (red) or broken in most replications (dotted grey);"
            " withdrawal routes drawn by the median number of fighters on them."
            f" {basemap.ATTRIBUTION}",
            data.map_routes,
            False,
        ),
        (
            "timeline",
            "The timeline",
            timeline_chart,
            "Timeline: for each event, the median date and 5 to 95% range over the"
            " replications in which it happened, selected case and baseline.",
            "Each event's median date and 5-95% range over the replications in which it"
            " happened; the share of replications in which it happened is in the tooltip"
            " and in the downloaded table.",
            data.timeline,
            True,
        ),
        (
            "differences",
            "Differences from the baseline",
            forest_chart,
            "Forest plot: for each outcome, the selected case minus the baseline"
            " with its paired bootstrap 95% interval.",
            "The differences in the table above, drawn: dot the difference, line its 95%"
            " interval, dashed line no difference.",
            forest_rows(data.differences) if not data.differences.empty else pd.DataFrame(),
            False,
        ),
        (
            "outcomes",
            "Key outcomes",
            outcome_charts,
            "Box plots of the key outcomes (vacuum, casualties, withdrawals, incidents,"
            " control breadth) for the selected case and the baseline.",
            "For each outcome: median (tick), 25-75% (bar) and 5-95% (line) over the"
            " replications, selected case (blue, top) and baseline (grey, bottom).",
            data.outcomes,
            False,
        ),
    ]
    out = []
    for fid, heading, build, description, caption, table, wide in plan:
        ds = Datasets()
        chart = build(data, ds)
        if chart is None:
            continue
        spec = _spec(chart, ds, data, description)
        out.append(Figure(fid, heading, spec, caption, _csv(table, data), wide))
    return out


_STYLE = """
* { box-sizing: border-box; }
body { font-family: Helvetica, Arial, sans-serif; margin: 0 auto; padding: 16px 24px;
  color: #222; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 24px 0 6px; }
#controls { position: sticky; top: 0; background: #F7F7F4; border: 1px solid #DDD;
  padding: 8px 12px; z-index: 10; display: flex; flex-wrap: wrap; gap: 6px 22px; }
#controls label { font-weight: bold; }
#controls select { font-size: 14px; margin-left: 6px; max-width: 22em; }
#case, #in-words { margin: 6px 0; }
.warning { color: #8A3B00; background: #FFF4E5; border-left: 4px solid #D55E00;
  padding: 4px 10px; margin: 6px 0; }
.warning:empty { display: none; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr));
  gap: 18px 28px; margin-top: 12px; }
figure { margin: 0; min-width: 0; }
figure.wide { grid-column: 1 / -1; }
.view { width: 100%; overflow: hidden; }
figcaption { font-size: 12px; color: #555; margin-top: 4px; }
.downloads button { font-size: 12px; margin: 4px 6px 0 0; padding: 2px 8px; cursor: pointer; }
table { border-collapse: collapse; font-size: 12px; width: 100%; }
th, td { border-bottom: 1px solid #E2E2E2; padding: 3px 6px; text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
th { background: #F3F3F0; }
.note { color: #555; font-size: 13px; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
.empty { font-style: italic; color: #555; }
figure.faded .view { opacity: 0.25; }
.changed { color: #8A3B00; font-weight: bold; }
"""


def _table(frame: pd.DataFrame, headings: dict[str, str] | None = None) -> str:
    heads = headings or {}
    head = "".join(
        f'<th scope="col">{html.escape(heads.get(str(c), str(c).replace("_", " ")))}</th>'
        for c in frame.columns
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _layers_section(data: ExplorerData) -> str:
    """The scenario files' differences in both layers of uncertainty (empty: no section)."""
    from kabulsim.analysis.compare import nested_table
    from kabulsim.outputs import AFTER_CAPITAL_OUTCOMES, HEADLINE_OUTCOMES

    if data.layers.empty:
        return ""
    # the outcomes compare's terminal shows first: the headline and the campaign after Kabul
    headline = data.layers["outcome"].isin([*HEADLINE_OUTCOMES, *AFTER_CAPITAL_OUTCOMES])
    first = "calibrated ensemble" if data.ensemble is not None else "scenarios' single values"
    return (
        '<section class="wide" style="grid-column: 1 / -1" aria-labelledby="h-layers">\n'
        '<h2 id="h-layers">Two layers of uncertainty: the scenario files against the'
        " baseline</h2>\n"
        '<p class="note">Each scenario file with every menu on its own value, minus the'
        f" baseline, as kabulsim compare gives it. First layer: every run takes the {first}"
        " (what the record constrains). Second layer: the same runs, each also drawing the"
        " inputs of the counterfactual mechanisms that no record constrains (who fills an"
        " empty Kabul, a Taliban return, looting, a defended city) from their priors"
        " (docs/uncertainty.md). The second interval is wider when those assumptions matter"
        " to the answer. '95% of runs' holds the middle 95% of the runs' paired differences;"
        " a share's interval is the bootstrap 95% interval of the difference of shares. The"
        " headline outcomes and the campaign after Kabul first; every other outcome below.</p>\n"
        + _table(nested_table(data.layers[headline]))
        + "\n<details><summary>Every other outcome in both layers</summary>\n"
        + _table(nested_table(data.layers[~headline]))
        + "\n</details>\n</section>"
    )


def _parameters_text(data: ExplorerData) -> str:
    """Which parameter values the cases drew from."""
    if not data.ensemble:
        return (
            "Parameters: each scenario's own single values (no ensemble); the spread shows"
            " chance alone, not what is unknown about the parameters."
        )
    return (
        f"Parameters: replication i of every case took the same member of"
        f" {describe_record(data.ensemble)}, sets of values that reproduce the record of"
        " 2001 (the spread includes what the record leaves unknown). A menu on \"scenario's"
        ' own" leaves each parameter to the scenario, as kabulsim run does: the value its'
        " file sets, or the member's value where it sets none; any other option sets the"
        " value in every replication."
    )


def _controls(data: ExplorerData) -> str:
    out = []
    for i, ctl in enumerate(data.controls):
        label = "scenario" if ctl.key == SCENARIO_KEY else ctl.key
        options = "".join(
            f'<option value="{html.escape(o)}">{html.escape(o)}</option>' for o in ctl.options
        )
        out.append(
            f'<label for="{_param_name(i)}">{html.escape(label)}'
            f'<select id="{_param_name(i)}" name="{_param_name(i)}">{options}</select></label>'
        )
    return "\n".join(out)


def _rows(field: str, bold: bool = False) -> alt.Row:
    """A facet's rows of small charts, in the rows' ``order``, each labelled above its chart."""
    import altair as alt

    return alt.Row(
        f"{field}:N",
        sort=alt.EncodingSortField("order"),
        title=None,
        header=alt.Header(
            labelAngle=0,
            labelAlign="left",
            labelOrient="top",
            labelAnchor="start",
            labelFontSize=11,
            labelLimit=SMALL_WIDTH,
            labelFontWeight="bold" if bold else alt.Undefined,
        ),
    )


def _figure(fig: Figure) -> str:
    cls = ' class="wide"' if fig.wide else ""
    return f"""<figure id="fig-{fig.id}"{cls} aria-labelledby="h-{fig.id}">
<h2 id="h-{fig.id}" class="sr-only">{html.escape(fig.heading)}</h2>
<div class="view" id="view-{fig.id}" role="img" aria-label="{html.escape(fig.spec.get("description", ""))}"></div>
<figcaption id="cap-{fig.id}">{html.escape(fig.description)}
<div class="downloads" role="group" aria-label="save this chart">
<button type="button" data-save="csv" data-chart="{fig.id}">data (CSV)</button>
<button type="button" data-save="png" data-chart="{fig.id}">picture (PNG)</button>
<button type="button" data-save="svg" data-chart="{fig.id}">picture (SVG)</button>
</div></figcaption>
</figure>"""  # noqa: E501


_SCRIPT = """
const CASES = __CASES__;
const DIFFS = __DIFFS__;
const FIGURES = __FIGURES__;
const N = __N__;
const MENUS = __MENUS__;
const START = __START__;
const REPS = __REPS__;
const views = {};
function choice() {
  const out = [];
  for (let i = 0; i < N; i++) out.push(document.getElementById("p" + i).value);
  return out;
}
function selected() {
  const c = choice();
  return CASES.find(r => c.every((v, i) => r["c" + i] === v));
}
function text(id, value) { document.getElementById(id).textContent = value; }
function differences(cell) {
  const body = document.getElementById("diff-body");
  const empty = document.getElementById("diff-empty");
  body.textContent = "";
  const rows = DIFFS.filter(r => r.cell === cell.cell);
  const baseline = cell.cell === 0;
  empty.textContent = baseline
    ? "The baseline is selected: every case is compared with it, so there is no difference"
      + " to show. Choose another case with the menus."
    : (rows.length ? "" : "No difference could be computed for this case.");
  document.getElementById("diff-table").hidden = rows.length === 0;
  const forest = document.getElementById("fig-differences");
  if (forest) forest.classList.toggle("faded", baseline);
  for (const r of rows) {
    const tr = document.createElement("tr");
    for (const key of ["outcome", "baseline", "value", "difference", "changed"]) {
      const td = document.createElement("td");
      td.textContent = r[key];
      if (key === "changed" && r[key]) td.className = "changed";
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
}
function update() {
  const cell = selected();
  if (!cell) return;
  text("case", "Selected case: " + cell.case + ".");
  text("in-words", cell.in_words);
  text("warning", cell.warning ? "Outside the plausible range: " + cell.warning
    + ". The model runs it, but read the parameter's source before trusting the answer." : "");
  differences(cell);
  const c = choice();
  return Promise.all(Object.values(views).map(v => {
    c.forEach((value, i) => v.signal("p" + i, value));
    // resize: a facet's number of rows follows the case (the differences, the outcomes)
    return v.resize().runAsync();
  }));
}
function save(name, url) {
  const a = document.createElement("a");
  a.href = url; a.download = name;
  document.body.appendChild(a); a.click(); a.remove();
}
function quote(v) {
  const t = String(v);
  return /[",\\n]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
}
function fallCsv() {
  // the curves travel as lists (one row per case): written out here, a row per point
  const data = Object.values(FIGURES.fall.spec.datasets).find(d => d.length && d[0].s);
  const lines = [[...MENUS, "date (Kabul local time)", "share", "entered", "replications"]];
  for (const r of data.filter(r => r.role === "selected case")) {
    const menus = MENUS.map((_, i) => r["c" + i]);
    r.s.forEach((t, i) => lines.push([...menus,
      new Date(START + t * 1000).toISOString().slice(0, 19).replace("T", " "),
      r.share[i], Math.round(r.share[i] * REPS), REPS]));
  }
  return lines.map(l => l.map(quote).join(",")).join("\\n") + "\\n";
}
async function download(id, kind) {
  if (kind === "csv") {
    const text = id === "fall" ? fallCsv() : FIGURES[id].csv;
    const url = URL.createObjectURL(new Blob([text], {type: "text/csv"}));
    save("kabulsim-" + id + ".csv", url);
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  } else {
    save("kabulsim-" + id + "." + kind, await views[id].toImageURL(kind, kind === "png" ? 2 : 1));
  }
}
document.querySelectorAll("[data-save]").forEach(b => b.addEventListener("click",
  () => download(b.dataset.chart, b.dataset.save)));
for (let i = 0; i < N; i++) {
  document.getElementById("p" + i).addEventListener("change", update);
}
window.explorerReady = Promise.all(Object.entries(FIGURES).map(([id, f]) =>
  vegaEmbed("#view-" + id, f.spec, {actions: false, renderer: "svg", mode: "vega-lite"})
    .then(r => { views[id] = r.view; })
)).then(() => { window.explorerViews = views; window.explorerView = views.fall; return update(); })
  .catch(err => {
    document.getElementById("charts-error").textContent = "The charts could not be drawn: " + err;
  });
"""


def render_html(data: ExplorerData, title: str | None = None, lead: str = "") -> str:
    """The page as a string: header, menus, charts, differences, caveats and provenance.

    ``lead``: HTML placed above the menus (a lesson's panel, :mod:`.lesson_page`).
    """
    figs = figures(data)
    names = data.controls[0].options
    title = title or "kabulsim explorer: " + ", ".join(names)
    varied = [c.key for c in data.controls[1:]]
    failed = f" {data.failed} replications failed and are left out." if data.failed else ""
    intro = (
        f"{len(data.cells)} cases ({len(names)} scenario{'s' if len(names) > 1 else ''}"
        + (f" × {', '.join(varied)}" if varied else "")
        + f"), {data.reps} replications each, seed {data.seed}: every case uses the same"
        f" random numbers. The baseline is {names[0]} as its file says, every menu on the"
        f" scenario's own value: the same numbers as kabulsim run {names[0]} with"
        f" --reps {data.reps} --seed {data.seed}.{failed} {_parameters_text(data)}"
    )
    warnings = (
        '<p class="warning" role="note">Values outside their plausible range in this file'
        " (run all the same): " + html.escape("; ".join(data.warnings)) + ".</p>"
        if data.warnings
        else ""
    )
    caveats = "".join(f"<li>{html.escape(c)}</li>" for c in CAVEATS)
    cases = data.cells[["cell", *_choice_columns(data), "case", "in_words", "warning"]]
    diffs = difference_rows(data.differences)
    payload = {f.id: {"spec": f.spec, "csv": f.csv} for f in figs}

    def js(value: Any) -> str:
        return script_json(value)

    script_text = (
        _SCRIPT.replace("__CASES__", js(_records(cases)))
        .replace("__DIFFS__", js(_records(diffs)))
        .replace("__FIGURES__", js(payload))
        .replace("__N__", str(len(data.controls)))
        .replace("__MENUS__", js([c.key for c in data.controls]))
        .replace("__START__", str(int(pd.Timestamp(data.horizon["start"]).timestamp() * 1000)))
        .replace("__REPS__", str(data.reps))
    )
    libraries = "\n".join(f"<script>{script(name)}</script>" for name in LIBRARIES)
    credits = ", ".join(f"{name} {v['version']}" for name, v in versions().items())
    top = "".join(_figure(f) for f in figs if f.id in ("fall", "map", "timeline"))
    rest = "".join(_figure(f) for f in figs if f.id not in ("fall", "map", "timeline"))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kabulsim {html.escape(__version__)} explorer">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
{libraries}
</head>
<body>
<h1>{html.escape(title)}</h1>
<p class="note">A simulation of the October&ndash;November 2001 offensive that took Kabul, for
teaching. {html.escape(intro)} Choose a case with the menus; the blue marks show it, the grey
ones the baseline. Hover over a chart for the numbers.</p>
{warnings}
{lead}
<div id="controls" role="group" aria-label="Choose a case">
{_controls(data)}
</div>
<p id="case" aria-live="polite"></p>
<p id="in-words" aria-live="polite"></p>
<p id="warning" class="warning" role="status"></p>
<p id="charts-error" class="warning" role="alert"></p>
<div class="grid" id="charts">
{top}
<section class="wide" style="grid-column: 1 / -1" aria-labelledby="h-diff-table">
<h2 id="h-diff-table">Differences from the baseline, in numbers</h2>
<p class="note">Selected case minus baseline, with the paired bootstrap 95% interval (common
random numbers). A median date is over the replications in which the event happened, and
"not reached" when it happened in fewer than half of them. <i>Changed</i>: the interval
excludes 0 and the difference is large enough to matter (6 hours, 5 percentage points, or
10% of the baseline).</p>
<p id="diff-empty" class="empty" role="status"></p>
<table id="diff-table"><thead><tr><th scope="col">outcome</th><th scope="col">baseline</th>
<th scope="col">selected case</th><th scope="col">difference [95% interval]</th>
<th scope="col">changed (interval excludes 0 and the size matters)</th></tr></thead>
<tbody id="diff-body"></tbody></table>
</section>
{_layers_section(data)}
{rest}
</div>
<h2>Read this before drawing conclusions</h2>
<ul class="note">{caveats}</ul>
<h2>What the menus and scenarios change, and where each value comes from</h2>
<p class="note">kind: <i>source</i> (from the source text), <i>reference</i> (another
published reference), <i>calibrated</i> (fitted to the record), <i>assumption</i> (a stated
assumption).</p>
{_table(data.exposed, {"plausible_range": "plausible range"})}
<details><summary>Every parameter of the baseline case, with its provenance</summary>
{_table(data.provenance, {"plausible_range": "plausible range"})}
</details>
<p class="note">Written by kabulsim {html.escape(__version__)}.
Map: {html.escape(basemap.ATTRIBUTION)} Charts: {html.escape(credits)} (BSD-3-Clause,
University of Washington Interactive Data Lab), inlined.</p>
<script>{script_text}</script>
</body>
</html>
"""


def write_explorer(
    data: ExplorerData, path: str | Path, title: str | None = None, lead: str = ""
) -> Path:
    """Write the explorer page to ``path`` (whole or not at all) and return it."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = render_html(data, title, lead)
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return out
