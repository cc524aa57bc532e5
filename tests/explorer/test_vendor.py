"""The Vega JavaScript shipped with the package: the versions Altair's schema names."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import altair as alt

from kabulsim.explorer.javascript import LIBRARIES, licence, script, versions

_ROOT = Path(__file__).resolve().parents[2]


def _major(version: str) -> str:
    return version.lstrip("v").split(".")[0]


def test_shipped_versions_are_altairs() -> None:
    v = versions()
    assert set(v) == set(LIBRARIES)
    # the exact Vega-Lite version of Altair's schema, and Altair's Vega and Vega-Embed majors
    assert v["vega-lite"]["version"] == alt.SCHEMA_VERSION.lstrip("v")
    assert v["vega-lite"]["version"] == alt.VEGALITE_VERSION.lstrip("v")
    assert _major(v["vega"]["version"]) == _major(alt.VEGA_VERSION)
    assert _major(v["vega-embed"]["version"]) == _major(alt.VEGAEMBED_VERSION)


def test_each_file_is_the_version_recorded() -> None:
    found = {
        "vega": r'\.version="([0-9.]+)"',
        "vega-lite": r'var \w+="([0-9.]+)";function',
        "vega-embed": r'const \w+="([0-9.]+)",\w+=\w+;let',
    }
    for name, pattern in found.items():
        text = script(name)
        match = re.search(pattern, text)
        assert match is not None, name
        assert match.group(1) == versions()[name]["version"], name
        # inlined safely: no closing tag, no source map to look for
        assert "</script" not in text and "sourceMappingURL" not in text
        assert 40_000 < len(text) < 700_000
        assert "Redistribution and use in source and binary forms" in licence(name)


def test_files_are_package_data_and_vl_convert_is_not_a_dependency() -> None:
    meta = tomllib.loads((_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deps = [d.lower() for d in meta["project"]["dependencies"]]
    assert not [d for d in deps if d.startswith("vl-convert")]
    data = meta["tool"]["setuptools"]["package-data"]["kabulsim"]
    assert {"explorer/vendor/*.js", "explorer/vendor/*.json", "explorer/vendor/*.txt"} <= set(data)


def test_the_page_writer_does_not_import_vl_convert() -> None:
    src = (_ROOT / "src" / "kabulsim" / "explorer").glob("*.py")
    assert not [p.name for p in src if "vl_convert" in p.read_text(encoding="utf-8")]
