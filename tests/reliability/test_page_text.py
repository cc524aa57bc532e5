"""Page and terminal text whatever the scenario's text (issue 22).

A scenario may be named with markup, an HTML comment opener, ``</script>`` or bidirectional
overrides. The explorer page must still draw its charts in a real browser (the data script
stays closed), show the name as text (no element injected), and ``show`` must print such
characters escaped, as ``run`` does. The escapers of :mod:`kabulsim.textsafe` are checked
for every context.
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kabulsim.textsafe import html_text, script_json, terminal_text, xml_text
from tests.explorer.cdp import Browser
from tests.reliability.conftest import BASELINE, cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE = "a<!--<script>x</script>\u202eevil\u202c<b>&amp;</b>\u2028"
"""A scenario name (under the length limit) that broke the page's data script."""
BIDI = "\u202e\u2066\u200f"
UNSAFE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
"""What never reaches the terminal raw: controls, format (bidi), surrogates, private use,
unassigned code points, line and paragraph separators."""


def _scenario(folder: Path, name: str) -> Path:
    path = folder / "hostile.yaml"
    path.write_text(
        f"extends: {BASELINE.name}\nname: {json.dumps(name)}\n"
        f"description: {json.dumps(name * 2)}\n",
        encoding="utf-8",
    )
    shutil.copy(BASELINE, folder / BASELINE.name)
    return path


@given(st.text(max_size=60))
def test_script_json_parses_back_and_cannot_leave_the_script(text: str) -> None:
    data = {"name": text, "list": [text, "</script><!--"]}
    out = script_json(data)
    assert json.loads(out) == data
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in out


@given(st.text(max_size=60))
def test_html_xml_and_terminal_text_hold_no_markup_or_controls(text: str) -> None:
    for escaped in (html_text(text), xml_text(text)):
        assert "<" not in escaped and ">" not in escaped and '"' not in escaped
        assert not any(ch in escaped for ch in BIDI)
    line = terminal_text(text)
    assert all(unicodedata.category(ch) not in UNSAFE for ch in line), repr(line)


def test_show_escapes_bidirectional_characters(tmp_path: Path, capsys) -> None:
    path = _scenario(tmp_path, "a\u202eb\u2066c")
    assert cli(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert not any(ch in out for ch in BIDI)
    assert "\\u202e" in out


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (Debian package 'chromium')")
def test_explorer_draws_whatever_the_scenario_name(tmp_path: Path, capsys) -> None:
    assert CHROMIUM is not None
    scenario = _scenario(tmp_path, HOSTILE)
    page = tmp_path / "page.html"
    argv = ["explorer", str(scenario), "--reps", "3", "--workers", "1", "--quiet"]
    assert cli([*argv, "--out", str(page), "--ensemble", "none"]) == 0
    capsys.readouterr()
    html = page.read_text(encoding="utf-8")
    data = html[html.rindex("const CASES = ") :]
    assert "<!--" not in data and "</script>" not in data.split("\n</script>")[0]
    browser = Browser(CHROMIUM, tmp_path / "profile", width=1200, height=1600)
    try:
        browser.attach()
        browser.send("Page.enable")
        browser.send("Runtime.enable")
        browser.send("Page.navigate", {"url": page.resolve().as_uri()})
        charts = browser.wait_for(
            "window.explorerViews ? document.querySelectorAll('#charts svg').length : 0",
            timeout=60,
        )
        assert charts >= 1
        # the name is text in the page, not markup: no element was injected
        assert browser.evaluate("document.querySelectorAll('body b').length") == 0
        # the three shipped libraries and the page's own script, nothing injected
        assert browser.evaluate("document.querySelectorAll('script').length") == 4
        title = browser.evaluate("document.querySelector('h1').textContent")
        assert "<!--<script>" in title
        errors = [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown"]
        assert not errors, errors[:1]
    finally:
        browser.close()


def test_explorer_replaces_only_its_own_page_with_force(tmp_path: Path, capsys) -> None:
    page = tmp_path / "page.html"
    argv = ["explorer", str(BASELINE), "--reps", "2", "--workers", "1", "--quiet"]
    argv += ["--ensemble", "none", "--out", str(page)]
    assert cli(argv) == 0
    first = page.stat().st_mtime_ns
    assert cli(argv) == 2  # exists: refused without --force
    assert "--force" in capsys.readouterr().err
    assert page.stat().st_mtime_ns == first
    assert cli([*argv, "--force"]) == 0  # a page kabulsim wrote: replaced
    assert '<meta name="generator" content="kabulsim' in page.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left
