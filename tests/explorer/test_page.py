"""The explorer page: self-contained, and responsive to its controls in a real browser."""

from __future__ import annotations

import io
import json
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kabulsim.cli import main
from kabulsim.explorer import ExplorerData

from .cdp import Browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        for name, value in attrs:
            if name in ("src", "href", "data", "poster", "action") and value:
                self.refs.append((tag, name, value))


def _embedded(text: str, name: str):
    return json.loads(re.search(rf"const {name} = (.*?);\n", text).group(1))


def test_page_is_self_contained(explorer_page: Path, explorer_data: ExplorerData) -> None:
    text = explorer_page.read_text(encoding="utf-8")
    parser = _Refs()
    parser.feed(text)
    assert parser.scripts >= 4  # the three libraries and the page's own script
    assert not [r for r in parser.refs if r[0] in ("script", "link", "img", "iframe")]
    assert not [r for r in parser.refs if re.match(r"(?i)(https?:)?//", r[2])]
    assert not re.search(
        r"""(?i)<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", text
    )
    assert not re.search(r"(?i)@import|url\(\s*['\"]?https?:", text)
    # under 2 MB: the Vega libraries (about 0.8 MB) and small tables
    size = explorer_page.stat().st_size
    assert 300_000 < size < 2_000_000
    # the menus: scenario, then the parameter with the scenario's own value first
    assert '<select id="p0" name="p0"><option value="baseline">' in text
    assert re.search(
        r'<select id="p1" name="p1"><option value="scenario&#x27;s own">'
        r'scenario&#x27;s own</option><option value="0.2">0.2</option>',
        text,
    )
    figures = _embedded(text, "FIGURES")
    assert set(figures) == {"fall", "map", "timeline", "differences", "outcomes"}
    for fig in figures.values():
        assert fig["spec"]["description"]
        assert fig["csv"].count("\n") > 1 or fig is figures["fall"]  # written by the page
    # the curve's rows carry what the chart filters and draws, nothing more (the page grows
    # with replications x cases through this table)
    (fall,) = [v for v in figures["fall"]["spec"]["datasets"].values() if "s" in v[0]]
    assert set(fall[0]) == {"s", "share", "cell", "c0", "c1", "role"}
    assert len(fall[0]["s"]) == len(fall[0]["share"]) == explorer_data.reps + 2
    for fig in figures.values():
        assert [p["name"] for p in fig["spec"]["params"]] == ["p0", "p1"]
    assert "real victims" in text
    assert "alliance.indiscipline_per_h" in text and "calibrated" in text
    assert "Natural Earth" in text
    # the warning of hold_back's value outside its plausible range, on the page
    assert "alliance.pressure = 0.98 is outside its plausible range" in text


def test_numbers_people_read(explorer_page: Path) -> None:
    text = explorer_page.read_text(encoding="utf-8")
    diffs = _embedded(text, "DIFFS")
    cells = {r["cell"] for r in diffs}
    assert 0 not in cells and cells  # the baseline has no differences (the page says so)
    assert "The baseline is selected" in text
    shown = " ".join(f"{r['outcome']} {r['baseline']} {r['value']} {r['difference']}"
                     for r in diffs)  # fmt: skip
    assert not re.search(r"\d[eE][+-]?\d", shown)  # no scientific notation
    # titles, not column names
    assert "alliance_enters_kabul" not in shown and "Alliance enters Kabul" in shown
    for r in diffs:
        if r["outcome"].startswith("Alliance enters Kabul: median date"):
            assert re.fullmatch(r"\d{1,2} Nov 2001 \d\d:\d\d|not reached", r["value"])
            assert re.match(r"[+-]\d+\.\d (h|days) \[", r["difference"])
        if r["outcome"].startswith("Vacuum in Kabul"):
            assert r["value"].endswith(" h") or " h (over " in r["value"]
            assert "happened" not in r["outcome"]  # event shares for events only
        assert r["changed"] in ("", "yes")
    assert "changed (interval excludes 0 and the size matters)" in text


def test_cli_writes_the_page_and_reports_bad_input(tmp_path, capsys) -> None:
    out = tmp_path / "lesson.html"
    status = main([
        "explorer", "scenarios/baseline.yaml", "--vary", "alliance.hold_back_h=72,168",
        "--reps", "3", "--out", str(out), "--quiet",
    ])  # fmt: skip
    assert status == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "3 cases × 3 replications" in printed  # own, 72, 168
    assert out.stat().st_size > 300_000
    status = main(["explorer", "scenarios/baseline.yaml", "--vary", "alliance.nope=1,2"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "--vary alliance.nope=1,2" in err and "Traceback" not in err


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return np.asarray(im.convert("RGB"), dtype=np.int16)


def _is_local(url: str) -> bool:
    return url.startswith(("file:", "data:", "blob:", "about:"))


needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (Debian package 'chromium')"
)

READY = (
    "window.explorerViews && document.querySelectorAll('#charts svg').length >= 5"
    " && document.getElementById('case').textContent.length > 0"
)


def _open(page: Path, profile: Path, width: int, height: int = 2000) -> Browser:
    assert CHROMIUM is not None
    browser = Browser(CHROMIUM, profile, width=width, height=height)
    browser.attach()
    browser.send("Network.enable")
    browser.send("Page.enable")
    browser.send("Runtime.enable")
    browser.send("Network.emulateNetworkConditions", {
        "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
    })  # fmt: skip
    browser.send("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False,
    })  # fmt: skip
    browser.send("Page.navigate", {"url": page.resolve().as_uri()})
    browser.wait_for(READY)
    browser.pump(0.5)
    return browser


def _choose(browser: Browser, name: str, value: str) -> None:
    chosen = browser.evaluate(
        f"(() => {{ const s = document.querySelector('#controls select[name={name}]');"
        f" s.value = {json.dumps(value)}; s.dispatchEvent(new Event('change'));"
        " return s.value; })()"
    )
    assert chosen == value
    browser.wait_for(f"explorerView.signal('{name}') === {json.dumps(value)}")
    browser.pump(0.5)


def _no_errors(browser: Browser) -> None:
    requests = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requests and all(_is_local(u) for u in requests), requests
    errors = [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown"]
    assert not errors, errors[:1]
    failed = [e for e in browser.events if e.get("method") == "Network.loadingFailed"]
    assert not failed, failed[:1]
    assert browser.evaluate("document.getElementById('charts-error').textContent") == ""


@needs_chromium
def test_page_responds_to_its_controls_offline(
    explorer_page: Path, explorer_data: ExplorerData, tmp_path: Path
) -> None:
    browser = _open(explorer_page, tmp_path / "profile", 1400)
    try:
        assert browser.evaluate("document.querySelectorAll('#controls select').length") == 2
        cells = explorer_data.cells.set_index(["c0", "c1"])
        # the baseline: its sentence, and an explicit line instead of an empty table
        assert (
            browser.evaluate("document.getElementById('in-words').textContent")
            == (cells.loc[("baseline", "scenario's own"), "in_words"])
        )
        assert "The baseline is selected" in browser.evaluate(
            "document.getElementById('diff-empty').textContent"
        )
        assert browser.evaluate("document.getElementById('diff-table').hidden") is True
        before_svg = browser.evaluate("document.querySelector('#view-fall svg').outerHTML")
        before = _pixels(browser.screenshot())
        # choose the second scenario (hold_back) as a student would, with the menu
        _choose(browser, "p0", "hold_back")
        after_svg = browser.wait_for(
            f"(() => {{ const h = document.querySelector('#view-fall svg').outerHTML;"
            f" return h !== {json.dumps(before_svg)} ? h : ''; }})()"
        )
        after = _pixels(browser.screenshot())
        assert after_svg != before_svg
        # every chart follows the menus
        assert browser.evaluate(
            "Object.values(explorerViews).every(v => v.signal('p0') === 'hold_back')"
        )
        # hold_back at its default menu is the scenario as its file says
        case = browser.evaluate("document.getElementById('case').textContent")
        assert case == "Selected case: " + cells.loc[("hold_back", "scenario's own"), "case"] + "."
        assert (
            browser.evaluate("document.getElementById('in-words').textContent")
            == (cells.loc[("hold_back", "scenario's own"), "in_words"])
        )
        # the forest plot grows to the case's rows (one facet row per difference)
        forest = browser.evaluate(
            "document.querySelector('#view-differences svg').getBoundingClientRect().height"
        )
        assert forest > 300, forest
        rows = browser.evaluate("document.querySelectorAll('#diff-body tr').length")
        assert (
            rows > 5 and browser.evaluate("document.getElementById('diff-table').hidden") is False
        )
        assert "outside its plausible range" in browser.evaluate(
            "document.getElementById('warning').textContent"
        )
        # what is drawn changed: compare the screenshots pixel by pixel (the page grows
        # below the charts when the differences table fills)
        rows_shown = min(before.shape[0], after.shape[0])
        before, after = before[:rows_shown], after[:rows_shown]
        changed = np.any(before != after, axis=2)
        assert changed.sum() > 2_000, changed.sum()
        ys, _xs = np.nonzero(changed)
        assert ys.max() > 300
        blue = np.array([0x00, 0x72, 0xB2])
        near = [int((np.abs(img - blue).sum(axis=2) < 40).sum()) for img in (before, after)]
        assert near[0] != near[1]
        # a named change: the menu's other option, said in words
        _choose(browser, "p1", "0.2")
        case = browser.evaluate("document.getElementById('case').textContent")
        assert "alliance.indiscipline_per_h changed to 0.2 (the scenario's own: 0.02)" in case
        _no_errors(browser)
    finally:
        browser.close()


_BOXES = """(sel) => Array.from(document.querySelectorAll(sel)).map(e => {
  const r = e.getBoundingClientRect();
  return {text: e.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
}).filter(b => b.text && b.right > b.left)"""


def _overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (a["left"] < b["right"] and b["left"] < a["right"]
                    and a["top"] < b["bottom"] and b["top"] < a["bottom"]):  # fmt: skip
                out.append((a["text"], b["text"]))
    return out


@needs_chromium
@pytest.mark.parametrize("width", [1024, 1400])
def test_page_fits_a_projector(explorer_page: Path, tmp_path: Path, width: int) -> None:
    browser = _open(explorer_page, tmp_path / "profile", width, height=900)
    try:
        for case in ("baseline", "hold_back"):
            _choose(browser, "p0", case)
            # no sideways scrolling, and every chart inside the window
            sizes = browser.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert sizes[0] <= sizes[1], sizes
            right = browser.evaluate(
                "Math.max(...Array.from(document.querySelectorAll('#charts svg'))"
                ".map(s => s.getBoundingClientRect().right))"
            )
            assert right <= sizes[1], (right, sizes)
            # the map's labels (places and passes) do not overlap
            labels = browser.evaluate(f"({_BOXES})('#view-map svg g.mark-text text')")
            assert len(labels) >= 10
            assert not _overlaps(labels), _overlaps(labels)
            # the record's label is above the plot, clear of the curves
            texts = browser.evaluate(f"({_BOXES})('#view-fall svg g.mark-text text')")
            record = [b for b in texts if "record" in b["text"]]
            curves = browser.evaluate(f"({_BOXES.replace('b.text && ', '')})"
                                      "('#view-fall svg g.mark-line path')")  # fmt: skip
            assert record and curves
            assert record[0]["bottom"] <= min(c["top"] for c in curves) + 0.5
        # the fall chart takes its column's width (responsive, not a fixed 520 px)
        fall = browser.evaluate(
            "document.querySelector('#view-fall svg').getBoundingClientRect().width"
        )
        column = browser.evaluate("document.getElementById('view-fall').clientWidth")
        assert abs(fall - column) <= 2, (fall, column)
        if width == 1400:
            shot = browser.screenshot()
            (tmp_path / f"page_{width}.png").write_bytes(shot)
        _no_errors(browser)
    finally:
        browser.close()


@needs_chromium
def test_each_chart_downloads_its_data_and_picture(
    explorer_page: Path, explorer_data: ExplorerData, tmp_path: Path
) -> None:
    browser = _open(explorer_page, tmp_path / "profile", 1400)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    try:
        _choose(browser, "p0", "hold_back")
        browser.send("Browser.setDownloadBehavior", {
            "behavior": "allow", "downloadPath": str(downloads), "eventsEnabled": True,
        }, session=False)  # fmt: skip
        charts = browser.evaluate(
            "Array.from(document.querySelectorAll('button[data-save=csv]'))"
            ".map(b => b.dataset.chart)"
        )
        assert set(charts) == {"fall", "map", "timeline", "differences", "outcomes"}
        expected = {f"kabulsim-{c}.{k}" for c in charts for k in ("csv", "png", "svg")}
        for chart in charts:
            for kind in ("csv", "png", "svg"):
                browser.evaluate(
                    f"document.querySelector('button[data-chart={chart}][data-save={kind}]')"
                    ".click()"
                )
                browser.pump(0.3)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = {p.name for p in downloads.iterdir() if not p.name.endswith(".crdownload")}
            if done >= expected:
                break
            browser.pump(0.3)
        assert done >= expected, sorted(expected - done)
        # the curves, written by the page from the chart's lists: every point of every case
        fall = pd.read_csv(downloads / "kabulsim-fall.csv")
        assert len(fall) == len(explorer_data.fall)
        assert fall["entered"].tolist() == explorer_data.fall["entered"].tolist()
        expected_dates = explorer_data.fall["date"].str.slice(0, 19).str.replace("T", " ")
        assert fall["date (Kabul local time)"].tolist() == expected_dates.tolist()
        for chart in charts:
            csv = (downloads / f"kabulsim-{chart}.csv").read_text(encoding="utf-8")
            header = csv.splitlines()[0].split(",")
            assert header[:2] == ["scenario", "alliance.indiscipline_per_h"]
            assert "hold_back" in csv and len(csv.splitlines()) > 3
            png = (downloads / f"kabulsim-{chart}.png").read_bytes()
            assert png.startswith(b"\x89PNG") and len(png) > 5_000
            assert _pixels(png).std() > 5  # something is drawn
            svg = (downloads / f"kabulsim-{chart}.svg").read_text(encoding="utf-8")
            assert svg.lstrip().startswith("<svg") and "<text" in svg
        _no_errors(browser)
    finally:
        browser.close()


def test_the_timeline_says_not_reached(explorer_data: ExplorerData) -> None:
    from dataclasses import replace

    from kabulsim.explorer.page import Datasets, timeline_chart

    timeline = explorer_data.timeline.copy()
    rare = (timeline["cell"] == 1) & (timeline["order"] == 0)
    timeline.loc[rare, "happened"] = 0.2
    never = (timeline["cell"] == 1) & (timeline["order"] == 1)
    timeline.loc[never, ["happened", "q05", "q50", "q95"]] = [0.0, None, None, None]
    ds = Datasets()
    timeline_chart(replace(explorer_data, timeline=timeline), ds)
    rows = [r for values in ds.values.values() for r in values]
    said = {(r["cell"], r["event"]): r["label"] for r in rows if "label" in r}
    events = dict(zip(timeline["order"], timeline["event"], strict=False))
    assert said == {
        (1, events[0]): "not reached (happened in 20%)",
        (1, events[1]): "not reached",
    }
    drawn = {(r["cell"], r["event"]) for r in rows if "label" not in r and r["role"] != "baseline"}
    assert (1, events[0]) not in drawn and (1, events[1]) not in drawn
    assert (0, events[0]) in drawn
