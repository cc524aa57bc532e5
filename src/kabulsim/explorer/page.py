"""Write the explorer's tables as one self-contained interactive HTML page.

The charts are Vega-Lite specifications built with Altair; the controls are Vega-Lite
parameters bound to drop-down menus, and each chart filters its (small, precomputed) tables
by them, so moving a control redraws in the browser with no server. The Vega, Vega-Lite
and Vega-Embed JavaScript is inlined from ``vl-convert-python``'s bundle: the page loads
nothing from the network. Altair and vl-convert are imported only here, when a page is
written.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from kabulsim import __version__, basemap
from kabulsim.calibration.ensemble import describe_record
from kabulsim.explorer.data import CAVEATS, SCENARIO_KEY, ExplorerData
from kabulsim.textsafe import script_json

if TYPE_CHECKING:
    import altair as alt

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
WIDTH = 520
_REF = datetime(2001, 10, 7)


def _param_name(i: int) -> str:
    return f"p{i}"


def _selection(data: ExplorerData) -> str:
    return " && ".join(f"datum.c{i} == {_param_name(i)}" for i in range(len(data.controls)))


def _with_roles(frame: pd.DataFrame, data: ExplorerData) -> pd.DataFrame:
    """Each cell's rows (role ``selected case``) and the baseline's again (role ``baseline``)."""
    if frame.empty:
        return frame
    tagged = frame.merge(data.cells, on="cell", how="left").assign(role=SELECTED)
    base = frame[frame["cell"] == 0].assign(role=BASELINE)
    for i in range(len(data.controls)):
        base[f"c{i}"] = "*"
    return pd.concat([tagged, base], ignore_index=True)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", double_precision=6))
    return out


def _data(values: list[dict[str, Any]]) -> alt.Data:
    import altair as alt

    data: alt.Data = alt.Data(values=values)  # type: ignore[no-untyped-call]
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


def fall_chart(data: ExplorerData) -> alt.LayerChart | alt.FacetChart:
    """The fall-by-date curve of the selected case and of the baseline."""
    import altair as alt

    frame = _with_roles(data.fall, data)
    x = alt.X(
        "date:T",
        scale=alt.Scale(type="utc", domain=[data.horizon["start"], data.horizon["end"]]),
        axis=alt.Axis(format="%d %b", title="date (2001, Kabul local time)"),
    )
    curve = (
        alt.Chart(_data(_records(frame)))
        .transform_filter(_shown(data))
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
                alt.Tooltip("entered:Q", title="replications entered"),
                alt.Tooltip("reps:Q", title="replications"),
            ],
        )
    )
    record = alt.Chart(_data([{"date": data.meta["record_entry"], "label": "record: 13 Nov"}]))
    rule = record.mark_rule(color=COLORS["record"], strokeDash=[4, 3]).encode(x=x)
    text = record.mark_text(align="left", dx=4, dy=-4, fontSize=10, baseline="bottom").encode(
        x=x, y=alt.value(12), text="label:N"
    )
    return alt.layer(curve, rule, text).properties(
        width=WIDTH,
        height=260,
        title=alt.TitleParams(
            "When does the alliance enter Kabul?",
            subtitle="Share of replications in which it has entered by each date"
            " (no entry within the horizon: censored, never counted).",
            anchor="start",
        ),
    )


def timeline_chart(data: ExplorerData) -> alt.LayerChart | alt.FacetChart:
    """Median and 5-95% range of each event's date, selected case and baseline."""
    import altair as alt

    frame = _with_roles(data.timeline.dropna(subset=["q50"]), data)
    base = alt.Chart(_data(_records(frame))).transform_filter(_shown(data))
    y = alt.Y("event:N", sort=alt.EncodingSortField("order"), title=None)
    x = alt.X(
        "q05:T",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%d %b", title="date (2001, Kabul local time): median and 5-95%"),
    )
    tooltip = [
        alt.Tooltip("role:N", title="case"),
        alt.Tooltip("event:N"),
        alt.Tooltip("utcmonthdatehoursminutes(q50):T", title="median"),
        alt.Tooltip("utcmonthdatehoursminutes(q05):T", title="5%"),
        alt.Tooltip("utcmonthdatehoursminutes(q95):T", title="95%"),
        alt.Tooltip("happened:Q", format=".0%", title="happened in"),
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
    return alt.layer(band, dot).properties(
        width=WIDTH,
        height=alt.Step(20),
        title=alt.TitleParams(
            "The timeline",
            subtitle="Over the replications in which each event happened (share in the tooltip).",
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
    b_west, b_south, b_east, b_north = basemap.bbox()
    west, east, south, north = basemap.EXTENT
    rows, cols = alpha.shape
    lon = west + (np.arange(width) + 0.5) / width * (east - west)
    merc = _mercator_y(north) - (np.arange(height) + 0.5) / height * (
        _mercator_y(north) - _mercator_y(south)
    )
    lat = np.degrees(np.arctan(np.sinh(merc)))
    col = np.clip(((lon - b_west) / (b_east - b_west) * cols).astype(int), 0, cols - 1)
    row = np.clip(((b_north - lat) / (b_north - b_south) * rows).astype(int), 0, rows - 1)
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    rgba[..., :3] = 60
    rgba[..., 3] = np.round(255 * alpha[row[:, None], col[None, :]]).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def map_chart(data: ExplorerData) -> alt.LayerChart | alt.FacetChart:
    """The theatre on the package's base map, with the selected case's fronts and flows."""
    import altair as alt

    west, east, south, north = basemap.EXTENT
    width = 460
    scale = width / math.radians(east - west)
    height = round(scale * (_mercator_y(north) - _mercator_y(south)))
    center = [(west + east) / 2, math.degrees(math.atan(math.sinh(
        (_mercator_y(north) + _mercator_y(south)) / 2)))]  # fmt: skip
    projection = alt.Projection(
        type="mercator",
        scale=scale,
        center=center,
        translate=[width / 2, height / 2],
        clipExtent=[[0, 0], [width, height]],
    )
    features = basemap.geojson()["features"]

    def layer(name: str) -> alt.Data:
        return _data([f for f in features if f["properties"]["layer"] == name])

    relief = (
        alt.Chart(_data([{"url": relief_png(width, height)}]))
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
    passes = [
        {"name": f["properties"]["name"], "lon": f["geometry"]["coordinates"][0],
         "lat": f["geometry"]["coordinates"][1]}
        for f in features if f["properties"]["layer"] == "pass"
    ]  # fmt: skip
    pass_base = alt.Chart(_data(passes)).encode(
        longitude="lon:Q", latitude="lat:Q", tooltip=alt.Tooltip("name:N", title="pass")
    )
    pass_marks = pass_base.mark_point(shape="triangle-up", filled=True, color="#5A4632", size=40)
    pass_text = pass_base.mark_text(align="right", dx=-6, dy=-6, fontSize=9, fontStyle="italic",
                                    color="#5A4632").encode(text="name:N")  # fmt: skip
    places = [{"name": k, "lon": v[1], "lat": v[0]} for k, v in basemap.PLACES.items()]
    place_base = alt.Chart(_data(places)).encode(longitude="lon:Q", latitude="lat:Q")
    place_marks = place_base.mark_circle(color="#333333", size=22)
    place_text = place_base.mark_text(align="left", dx=5, fontSize=10).encode(text="name:N")
    selected = f"{_selection(data)}"
    routes_frame = data.map_routes.merge(data.cells, on="cell")
    largest = max(1.0, float(data.map_routes["median_flow"].max()))
    routes = (
        alt.Chart(_data(_records(routes_frame)))
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
    fronts_frame = data.map_fronts.merge(data.cells, on="cell")
    fronts_data = alt.Chart(_data(_records(fronts_frame))).transform_filter(selected)
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
            pass_text,
            place_marks,
            place_text,
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
                    basemap.ATTRIBUTION,
                ],
                anchor="start",
            ),
        )
    )


def outcome_charts(data: ExplorerData) -> alt.VConcatChart:
    """Five quantiles of each key outcome, selected case against baseline."""
    import altair as alt

    frame = _with_roles(data.outcomes.dropna(subset=["q50"]), data)
    values = _records(frame)
    charts = []
    for label in data.outcomes.sort_values("order")["outcome"].unique():
        base = (
            alt.Chart(_data(values))
            .transform_filter(_shown(data))
            .transform_filter(alt.FieldEqualPredicate(field="outcome", equal=str(label)))
        )
        no_labels = alt.Axis(labels=False, ticks=False)
        y = alt.Y("role:N", title=None, sort=[SELECTED, BASELINE], axis=no_labels)
        tooltip = [alt.Tooltip("role:N", title="case")] + [
            alt.Tooltip(f"{q}:Q", format=",.3~g", title=t)
            for q, t in (("q05", "5%"), ("q25", "25%"), ("q50", "median"), ("q75", "75%"),
                         ("q95", "95%"))
        ] + [alt.Tooltip("n:Q", title="replications with a value")]  # fmt: skip
        whisker = base.mark_rule().encode(
            x=alt.X("q05:Q", title=None, scale=alt.Scale(zero=False)), x2="q95:Q", y=y,
            color=_role_color(), tooltip=tooltip,
        )  # fmt: skip
        box = base.mark_bar(height=10, opacity=0.5).encode(
            x="q25:Q", x2="q75:Q", y=y, color=_role_color(), tooltip=tooltip
        )
        mid = base.mark_tick(thickness=2.5, size=14).encode(
            x="q50:Q", y=y, color=_role_color(), tooltip=tooltip
        )
        charts.append(
            alt.layer(whisker, box, mid).properties(
                width=WIDTH - 20,
                height=36,
                title=alt.TitleParams(str(label), fontSize=11, anchor="start"),
            )
        )
    return alt.vconcat(*charts, spacing=6).properties(
        title=alt.TitleParams(
            "Key outcomes",
            subtitle="Median (tick), 25-75% (bar) and 5-95% (line) over replications.",
            anchor="start",
        )
    )


def _when(hours: float) -> str:
    return (_REF + timedelta(hours=hours)).strftime("%d %b %H:%M")


def _fmt_value(stat: str, value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    if stat == "median_time":
        return _when(value)
    if stat in ("proportion", "happened"):
        return f"{value:.0%}"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _fmt_diff(stat: str, diff: float, low: float, high: float) -> str:
    if not math.isfinite(diff):
        return "n/a"
    if stat == "median_time":
        unit, k = ("days", 24.0) if max(abs(diff), abs(low), abs(high)) >= 48 else ("h", 1.0)
        return f"{diff / k:+.1f} {unit} [{low / k:+.1f}, {high / k:+.1f}]"
    if stat in ("proportion", "happened"):
        return f"{100 * diff:+.0f} points [{100 * low:+.0f}, {100 * high:+.0f}]"
    return f"{diff:+,.3g} [{low:+,.3g}, {high:+,.3g}]"


_STAT_LABEL = {
    "median": "median",
    "median_time": "median date",
    "proportion": "share of replications",
    "happened": "happened in",
}


def differences_chart(data: ExplorerData) -> alt.HConcatChart | None:
    """A table of the selected case minus the baseline, with paired bootstrap 95% intervals."""
    import altair as alt

    if data.differences.empty:
        return None
    d = data.differences.copy()
    d["row"] = d["outcome"] + " (" + d["statistic"].map(_STAT_LABEL).fillna(d["statistic"]) + ")"
    d["baseline_text"] = [
        _fmt_value(s, v) for s, v in zip(d["statistic"], d["baseline"], strict=True)
    ]
    d["value_text"] = [_fmt_value(s, v) for s, v in zip(d["statistic"], d["value"], strict=True)]
    d["diff_text"] = [
        _fmt_diff(s, v, lo, hi)
        for s, v, lo, hi in zip(d["statistic"], d["diff"], d["ci_low"], d["ci_high"], strict=True)
    ]
    d["flag"] = d["meaningful"].map({True: "changed", False: ""})
    d["order"] = d.groupby("cell").cumcount()
    frame = d[["cell", "row", "order", "baseline_text", "value_text", "diff_text", "flag"]]
    frame = frame.merge(data.cells, on="cell")
    base = alt.Chart(_data(_records(frame))).transform_filter(_selection(data))
    y = alt.Y("row:N", sort=alt.EncodingSortField("order"), title=None)
    cols: list[alt.Chart] = []
    for field, title, width in (
        ("baseline_text", "baseline", 110),
        ("value_text", "selected case", 110),
        ("diff_text", "difference [95% interval]", 230),
        ("flag", "", 60),
    ):
        cols.append(
            base.mark_text(align="left", fontSize=11,
                           color=COLORS["taliban"] if field == "flag" else "#222222")
            .encode(y=y if not cols else alt.Y("row:N", sort=alt.EncodingSortField("order"),
                                               axis=None), text=f"{field}:N")
            .properties(width=width, height=alt.Step(20), title=title)
        )  # fmt: skip
    # the first column carries the row labels; the others share its rows
    chart = alt.hconcat(*cols, spacing=4).properties(
        title=alt.TitleParams(
            "Differences from the baseline",
            subtitle="Selected case minus baseline, paired bootstrap 95% interval (common"
            " random numbers); 'changed' marks an interval that excludes 0 and a practically"
            " meaningful size.",
            anchor="start",
        )
    )
    return chart


def build_chart(data: ExplorerData) -> alt.VConcatChart:
    """The whole interactive chart: every view, with one drop-down per control."""
    import altair as alt

    params = []
    for i, ctl in enumerate(data.controls):
        label = "scenario" if ctl.key == SCENARIO_KEY else ctl.key
        params.append(
            alt.param(
                name=_param_name(i),
                value=ctl.options[0],
                bind=alt.binding_select(options=list(ctl.options), name=f"{label} "),
            )
        )
    top = alt.hconcat(fall_chart(data), map_chart(data), spacing=30)
    middle: list[Any] = [timeline_chart(data)]
    diff = differences_chart(data)
    if diff is not None:
        middle.append(diff)
    chart = alt.vconcat(
        top,
        alt.hconcat(*middle, spacing=30),
        outcome_charts(data),
        spacing=30,
    ).add_params(*params)
    configured: alt.VConcatChart = chart.configure_view(stroke=None).configure(
        font="Helvetica, Arial, sans-serif"
    )
    return configured


_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; max-width: 1150px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
#controls { position: sticky; top: 0; background: #F7F7F4; border: 1px solid #DDD;
  padding: 8px 12px; z-index: 10; }
#controls .vega-bind { display: inline-block; margin-right: 18px; }
#controls .vega-bind-name { font-weight: bold; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border-bottom: 1px solid #E2E2E2; padding: 3px 6px; text-align: left;
  vertical-align: top; }
.note { color: #555; font-size: 13px; }
"""


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


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
        " 2001 (the spread includes what the record leaves unknown); what a scenario or a"
        " menu changes keeps its value."
    )


def render_html(data: ExplorerData, title: str | None = None) -> str:
    """The page as a string: header, controls, charts, caveats and provenance."""
    import altair as alt
    import vl_convert as vlc

    spec = build_chart(data).to_dict()
    vl_version = "_".join(alt.SCHEMA_VERSION.split(".")[:2])
    # the stub marks ``snippet`` as required; None selects the bundle's default snippet,
    # which puts vegaEmbed on the window
    bundle: str = vlc.javascript_bundle(vl_version=vl_version)  # type: ignore[call-arg]
    bundle = bundle.replace("</script", "<\\/script")
    names = data.controls[0].options
    title = title or "kabulsim explorer: " + ", ".join(names)
    varied = [c.key for c in data.controls[1:]]
    baseline = ", ".join(
        f"{'scenario' if c.key == SCENARIO_KEY else c.key} = {c.options[0]}" for c in data.controls
    )
    failed = f" {data.failed} replications failed and are left out." if data.failed else ""
    intro = (
        f"{len(data.cells)} cases ({len(names)} scenario{'s' if len(names) > 1 else ''}"
        + (f" × {', '.join(varied)}" if varied else "")
        + f"), {data.reps} replications each, seed {data.seed}: every case uses the same"
        f" random numbers. The baseline is {baseline}.{failed} {_parameters_text(data)}"
    )
    caveats = "".join(f"<li>{html.escape(c)}</li>" for c in CAVEATS)
    embed = {"actions": False, "bind": "#controls", "mode": "vega-lite"}
    spec_json = script_json(spec)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kabulsim {html.escape(__version__)} explorer">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
<script>{bundle}</script>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p class="note">A simulation of the October&ndash;November 2001 offensive that took Kabul, for
teaching. {html.escape(intro)} Choose a case with the menus; the blue marks show it, the grey
ones the baseline. Hover over a chart for the numbers.</p>
<div id="controls"></div>
<div id="charts"></div>
<h2>Read this before drawing conclusions</h2>
<ul class="note">{caveats}</ul>
<h2>What the controls change, and where each value comes from</h2>
<p class="note">kind: <i>source</i> (from the source text), <i>reference</i> (another
published reference), <i>calibrated</i> (fitted to the record), <i>assumption</i> (a stated
assumption).</p>
{_table(data.exposed)}
<details><summary>Every parameter of the baseline case, with its provenance</summary>
{_table(data.provenance)}
</details>
<p class="note">Written by kabulsim {html.escape(__version__)}.
Map: {html.escape(basemap.ATTRIBUTION)} Charts: Vega-Lite (BSD-3-Clause), inlined.</p>
<script>
const spec = {spec_json};
vegaEmbed("#charts", spec, {json.dumps(embed)}).then(function (result) {{
  window.explorerView = result.view;  // for scripted checks in a browser
}}).catch(function (err) {{
  document.getElementById("charts").textContent = "The charts could not be drawn: " + err;
}});
</script>
</body>
</html>
"""


def write_explorer(data: ExplorerData, path: str | Path, title: str | None = None) -> Path:
    """Write the explorer page to ``path`` and return it."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(data, title), encoding="utf-8")
    return out
