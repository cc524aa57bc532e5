"""Place names leave the code: the model names no place, the rest of the package few.

Counts, with ``scripts/place_names.py`` (tokenize: NAME and STRING tokens, docstrings and
comments excluded), the identifiers and string literals naming ``shamali``, ``north`` or
``mazar`` outside ``scenario/``. The places are data (:mod:`kabulsim.places`); the record's
facts and the map's labels may name them.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import kabulsim

SRC = Path(kabulsim.__file__).resolve().parent
ROOT = SRC.parents[1]
_COUNT = runpy.run_path(str(ROOT / "scripts" / "place_names.py"))

REST_BUDGET = 60
"""At most this many place-naming tokens outside the model and ``scenario/`` (issue 23)."""


def test_the_counter_sees_names_and_strings_not_docstrings():
    source = (
        'def f(shamali):\n    """The Shamali front (a docstring)."""\n'
        '    # the north (a comment)\n    return shamali + "mazar_falls"\n'
    )
    assert _COUNT["count"](source) == 3


def test_the_model_names_no_place():
    found = _COUNT["counts"](SRC)
    assert {rel: n for rel, n in found.items() if rel.startswith("model/")} == {}


def test_the_rest_of_the_package_names_few_places():
    found = _COUNT["counts"](SRC)
    rest = sum(n for rel, n in found.items() if not rel.startswith("model/"))
    assert rest <= REST_BUDGET, found
