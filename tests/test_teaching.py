"""docs/teaching.md's numbers about the parameters are the provenance table's (issue 21).

The section "kinds of number" had gone stale: "Four kinds" over six rows, "5,000 Taliban on
the Shamali front" (10,000 from a reference now), "90 strike sorties a day" (three periods),
"about 50 of 83 are assumptions" (67 of 126). Each is read here from the document and
checked against ``kabulsim params``' table, so the next change of the schema fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from kabulsim.scenario.provenance import provenance_table

TEACHING = Path(__file__).resolve().parents[1] / "docs" / "teaching.md"
WORDS = {4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight"}


def _section() -> str:
    text = TEACHING.read_text(encoding="utf-8")
    start = text.index("kinds of number.**")
    return text[start : text.index("## Results are consequences", start)]


def test_the_kinds_of_number_are_the_tables():
    table = provenance_table()
    section = _section()
    rows = re.findall(r"^\| `(\w+)` \|", section, re.M)
    assert sorted(rows) == sorted(set(table["kind"]))
    assert f"**{WORDS[len(rows)]} kinds of number.**" in TEACHING.read_text(encoding="utf-8")
    share = re.search(r"\((\d+) of the\s+(\d+) that `kabulsim params` lists", section)
    assert share is not None
    assert int(share.group(1)) == int((table["kind"] == "assumption").sum())
    assert int(share.group(2)) == len(table)


def test_the_examples_are_the_schemas_values():
    table = provenance_table().set_index("parameter")
    section = " ".join(_section().split())
    shamali = table.loc["forces.taliban_shamali"]
    assert f"{int(shamali['value']):,} Taliban on the Shamali front" in section
    row = _section().split("Taliban on the Shamali")[0].splitlines()[-1]
    assert row.startswith(f"| `{shamali['kind']}` |")  # in the row of its kind
    kabul = table.loc["forces.taliban_kabul"]
    assert f"{int(kabul['value']):,} Taliban in Kabul's garrison" in section
    assert kabul["kind"] == "assumption" and kabul["source"] in section
    sorties = re.findall(r"strike_sorties_per_day=(\d+)", table.loc["air.sorties", "value"])
    assert f"{', '.join(sorties[:-1])} and {sorties[-1]}" in section
