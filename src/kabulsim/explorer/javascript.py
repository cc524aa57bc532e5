"""The Vega, Vega-Lite and Vega-Embed JavaScript shipped with the package.

The three minified builds (BSD-3-Clause) sit in ``explorer/vendor/`` with their licences and
``VERSIONS.json``; the page inlines them, so it loads nothing from the network and writing it
needs no other package. The Vega-Lite version is the one Altair's schema names
(``tests/explorer/test_vendor.py``).
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

LIBRARIES = ("vega", "vega-lite", "vega-embed")
"""In the order the page loads them (Vega-Embed needs the other two)."""

_SOURCE_MAP = re.compile(r"\n?//# sourceMappingURL=\S*\s*$")


def _folder() -> Any:
    return resources.files("kabulsim.explorer").joinpath("vendor")


def versions() -> dict[str, dict[str, str]]:
    """``VERSIONS.json``: each library's version, file, licence file and npm tarball."""
    out: dict[str, dict[str, str]] = json.loads(
        _folder().joinpath("VERSIONS.json").read_text(encoding="utf-8")
    )
    return out


def script(name: str) -> str:
    """One library's minified build, ready to inline in a ``<script>`` element.

    The source-map comment is dropped (the map is not shipped) and ``</script`` is escaped.
    """
    text: str = _folder().joinpath(versions()[name]["file"]).read_text(encoding="utf-8")
    return _SOURCE_MAP.sub("", text).replace("</script", "<\\/script")


def licence(name: str) -> str:
    """One library's licence text."""
    text: str = _folder().joinpath(versions()[name]["license"]).read_text(encoding="utf-8")
    return text
