"""Text from inputs, made safe for each context it lands in: one function per context.

A scenario's name, a parameter's value or a file name can hold anything a YAML file or a
command line can: markup, ``</script>``, an HTML comment opener, control characters,
bidirectional overrides. Whatever reaches a page, a script block, an SVG/XML document or the
terminal goes through the function of that context, and nowhere else is text escaped by hand.

- :func:`html_text`: HTML text and attribute values.
- :func:`script_json`: a value as JSON inside a ``<script>`` element.
- :func:`xml_text`: SVG/XML text and attribute values.
- :func:`terminal_text`: one line for the terminal.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from typing import Any

_UNSAFE_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
"""Control and format characters (bidirectional overrides are Cf), lone surrogates, private
use and unassigned code points, and line/paragraph separators."""

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 does not allow at all, even escaped."""

_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def _controls_to_escapes(text: str, keep: str = "") -> str:
    out = []
    for ch in text:
        if ch not in keep and unicodedata.category(ch) in _UNSAFE_CATEGORIES:
            code = ord(ch)
            if code < 0x100:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def terminal_text(text: object) -> str:
    """``text`` for the terminal: every control, format (bidi) or separator character escaped.

    Newlines are escaped too: call it per line of a multi-line text.
    """
    return _controls_to_escapes(str(text))


def terminal_lines(text: str) -> str:
    """A text of several lines for the terminal, each line escaped (:func:`terminal_text`)."""
    return "\n".join(terminal_text(line) for line in text.split("\n"))


def html_text(text: object) -> str:
    """``text`` as HTML text or a quoted attribute value.

    Markup characters become entities; control and bidirectional characters are shown as
    escapes, so a name can neither end an element nor reorder the page's text.
    """
    return html.escape(_controls_to_escapes(str(text), keep="\t\n"), quote=True)


def script_json(value: Any) -> str:
    """``value`` as JSON that can stand inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as JSON escapes (backslash-u003c ...), so no string in the
    data can close the element (``</script>``), open an HTML comment (``<!--``, which would
    leave the script data unclosed) or a nested script; U+2028/U+2029 are escaped for
    JavaScript parsers that predate ES2019. The result parses to the same value.
    """
    text = json.dumps(value, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_ESCAPES[m.group(0)], text)


def xml_text(text: object) -> str:
    """``text`` as SVG/XML text or a quoted attribute value.

    Markup characters become entities; characters XML forbids are dropped and other
    control or bidirectional characters shown as escapes.
    """
    clean = _XML_INVALID.sub("", str(text))
    return html.escape(_controls_to_escapes(clean, keep="\t\n"), quote=True)
