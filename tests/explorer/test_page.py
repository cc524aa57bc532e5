"""The explorer page: self-contained, and responsive to its controls in a real browser."""

from __future__ import annotations

import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
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


def test_page_is_self_contained(explorer_page: Path, explorer_data: ExplorerData) -> None:
    text = explorer_page.read_text(encoding="utf-8")
    parser = _Refs()
    parser.feed(text)
    assert parser.scripts >= 2  # the inlined library and the page's own script
    assert not [r for r in parser.refs if r[0] in ("script", "link", "img", "iframe")]
    assert not [r for r in parser.refs if re.match(r"(?i)(https?:)?//", r[2])]
    assert not re.search(
        r"""(?i)<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", text
    )
    assert not re.search(r"(?i)@import|url\(\s*['\"]?https?:", text)
    # a few MB at most: the Vega bundle (about 0.9 MB) and small tables
    size = explorer_page.stat().st_size
    assert 300_000 < size < 4_000_000
    # the spec, caveats and provenance are in the page
    spec = json.loads(re.search(r"const spec = (\{.*?\});\n", text, re.S).group(1))
    params = {p["name"]: p for p in spec["params"]}
    assert params["p0"]["bind"]["options"] == ["baseline", "hold_back"]
    assert params["p1"]["bind"]["options"] == ["0.2", "0.02"]
    assert "real victims" in text
    assert "alliance.indiscipline_per_h" in text and "calibrated" in text
    assert "Natural Earth" in text


def test_cli_writes_the_page_and_reports_bad_input(tmp_path, capsys) -> None:
    out = tmp_path / "lesson.html"
    status = main([
        "explorer", "scenarios/baseline.yaml", "--vary", "alliance.hold_back_h=72,168",
        "--reps", "3", "--out", str(out), "--quiet",
    ])  # fmt: skip
    assert status == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "2 cases × 3 replications" in printed
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


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (Debian package 'chromium')")
def test_page_responds_to_its_controls_offline(explorer_page: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    browser = Browser(CHROMIUM, tmp_path / "profile", width=1400, height=2000)
    try:
        browser.attach()
        browser.send("Network.enable")
        browser.send("Page.enable")
        browser.send("Runtime.enable")
        browser.send("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
        })  # fmt: skip
        browser.send("Page.navigate", {"url": explorer_page.resolve().as_uri()})
        n_controls = browser.wait_for(
            "window.explorerView && document.querySelectorAll('#charts svg').length"
            " ? document.querySelectorAll('#controls select').length : 0"
        )
        assert n_controls == 2
        browser.pump(0.5)
        before_svg = browser.evaluate("document.querySelector('#charts svg').outerHTML")
        before = _pixels(browser.screenshot())
        # choose the second scenario (hold_back) as a student would, with the menu
        chosen = browser.evaluate(
            "(() => { const s = document.querySelector('#controls select[name=p0]');"
            " s.value = 'hold_back'; s.dispatchEvent(new Event('change'));"
            " s.dispatchEvent(new Event('input')); return s.value; })()"
        )
        assert chosen == "hold_back"
        browser.wait_for("explorerView.signal('p0') === 'hold_back'")
        after_svg = browser.wait_for(
            f"(() => {{ const h = document.querySelector('#charts svg').outerHTML;"
            f" return h !== {json.dumps(before_svg)} ? h : ''; }})()"
        )
        browser.pump(0.5)
        after = _pixels(browser.screenshot())
        assert after_svg != before_svg
        # what is drawn changed: compare the screenshots pixel by pixel
        assert before.shape == after.shape
        changed = np.any(before != after, axis=2)
        assert changed.sum() > 2_000, changed.sum()
        # ... and it changed where the charts are, not only in the menu
        ys, _xs = np.nonzero(changed)
        assert ys.max() > 300
        # the selected case's colour (blue) moved: the fall curve and timeline redrew
        blue = np.array([0x00, 0x72, 0xB2])
        near = [int((np.abs(img - blue).sum(axis=2) < 40).sum()) for img in (before, after)]
        assert near[0] != near[1]
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
    finally:
        browser.close()
