"""Loading scenarios: strict schema, extends, --set, line numbers, show and schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from kabulsim.cli import main
from kabulsim.scenario import Scenario, ScenarioError, load_scenario, resolve
from kabulsim.scenario.json_schema import scenario_json_schema, scenario_json_schema_text
from kabulsim.scenario.loading import differences
from kabulsim.scenario.yaml_io import MAX_ALIASES, YamlProblem, read_yaml

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
LIBRARY = sorted(SCENARIOS.glob("*.yaml"))
MODELINE = "# yaml-language-server: $schema=./scenario.schema.json"
COUNTERFACTUALS = [
    "hold_back",
    "no_air_campaign",
    "no_ground_controllers",
    "mazar_holds",
    "taliban_defend_kabul",
    "no_tip",
    "early_offensive",
]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the library ---------------------------------------------------------------------------


def test_library_has_every_counterfactual():
    names = {p.stem for p in LIBRARY}
    assert {"baseline", *COUNTERFACTUALS} <= names


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_every_library_file_has_the_modeline_and_loads(path):
    assert path.read_text(encoding="utf-8").splitlines()[0] == MODELINE
    scenario = load_scenario(path)
    assert scenario.name == path.stem


@pytest.mark.parametrize("name", COUNTERFACTUALS)
def test_counterfactuals_extend_the_baseline_and_explain_themselves(name):
    path = SCENARIOS / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["extends"] == "baseline.yaml"
    comment = "\n".join(line for line in text.splitlines()[1:] if line.startswith("#"))
    assert "Teaching question" in comment
    assert "What to look for" in comment
    assert "ssumption" in comment  # every file says which assumptions it changes
    resolved = resolve(path)
    assert resolved.extends == SCENARIOS / "baseline.yaml"
    changed = {key for key, _, _ in differences(load_scenario(resolved.extends), resolved.scenario)}
    assert changed - {"name", "description"}, "a counterfactual must change a mechanism"


def test_counterfactual_changes_are_the_documented_ones():
    def changed(name: str) -> dict[str, object]:
        base = load_scenario(SCENARIOS / "baseline.yaml")
        new = load_scenario(SCENARIOS / f"{name}.yaml")
        return {k: v for k, _, v in differences(base, new) if k not in {"name", "description"}}

    assert changed("no_tip") == {"hvt.tip_per_h": 0.0}
    assert changed("taliban_defend_kabul") == {"withdrawal.policy": "defend"}
    assert changed("no_ground_controllers") == {
        "air.controllers_shamali": None,
        "air.controllers_north": None,
    }
    assert changed("early_offensive") == {"shamali.forced_assault_at": "2001-10-25T09:00:00+04:30"}
    no_air = load_scenario(SCENARIOS / "no_air_campaign.yaml")
    assert [p.strike_sorties_per_day for p in no_air.air.sorties] == [0.0, 0.0, 0.0]
    hold = load_scenario(SCENARIOS / "hold_back.yaml").alliance
    assert (hold.hold_back_h, hold.pressure) == (336.0, 0.98)
    assert hold.indiscipline_per_h < Scenario().alliance.indiscipline_per_h / 5


# --- the JSON Schema -------------------------------------------------------------------------


def test_committed_json_schema_is_current(tmp_path):
    out = tmp_path / "schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    committed = (SCENARIOS / "scenario.schema.json").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, (
        "run: kabulsim schema --out scenarios/scenario.schema.json"
    )
    assert committed == scenario_json_schema_text()


def test_json_schema_allows_extends_and_carries_units_and_sources():
    schema = scenario_json_schema()
    assert schema["additionalProperties"] is False
    assert schema["properties"]["extends"]["type"] == "string"
    hold = schema["$defs"]["Alliance"]["properties"]["hold_back_h"]
    assert "Units: h" in hold["description"]
    assert "invest the city" in hold["description"] or "held back" in hold["description"]
    assert hold["minimum"] == 0


def test_json_schema_printed_to_stdout(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == scenario_json_schema()


# --- extends and merging ---------------------------------------------------------------------


def test_extends_deep_merges_mappings_and_replaces_lists(tmp_path):
    write(
        tmp_path,
        "parent.yaml",
        "name: parent\nalliance:\n  pressure: 0.5\n  hold_back_h: 10\n"
        "air:\n  sorties:\n    - {start: 2001-10-08T00:00, strike_sorties_per_day: 5,"
        " shamali_share: 0.1, north_share: 0.1}\n",
    )
    child = write(
        tmp_path, "child.yaml", "extends: parent.yaml\nname: child\nalliance:\n  pressure: 0.9\n"
    )
    sc = load_scenario(child)
    assert sc.name == "child"
    assert sc.alliance.pressure == 0.9  # child wins
    assert sc.alliance.hold_back_h == 10  # merged from the parent
    assert len(sc.air.sorties) == 1  # parent's list kept
    grandchild = write(tmp_path, "grand.yaml", "extends: child.yaml\nair:\n  sorties: []\n")
    sc2 = load_scenario(grandchild)
    assert sc2.air.sorties == ()  # lists replace
    assert sc2.alliance.hold_back_h == 10 and sc2.name == "child"  # chain of three


def test_extends_is_relative_to_the_file(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    write(tmp_path, "base.yaml", "name: base\nhvt:\n  tip_per_h: 0.1\n")
    child = write(sub, "c.yaml", "extends: ../base.yaml\n")
    assert load_scenario(child).hvt.tip_per_h == 0.1


def test_error_in_the_parent_points_at_the_parent_line(tmp_path):
    write(tmp_path, "p.yaml", "name: p\n\nalliance:\n  hold_back_h: soon\n")
    child = write(tmp_path, "c.yaml", "extends: p.yaml\nname: c\n")
    with pytest.raises(ScenarioError, match=r"p\.yaml:4: alliance\.hold_back_h: expected a number"):
        load_scenario(child)


def test_child_value_replaces_a_bad_parent_value(tmp_path):
    write(tmp_path, "p.yaml", "alliance:\n  hold_back_h: soon\n")
    child = write(tmp_path, "c.yaml", "extends: p.yaml\nalliance:\n  hold_back_h: 5\n")
    assert load_scenario(child).alliance.hold_back_h == 5


# --- overrides -------------------------------------------------------------------------------


def test_overrides_are_typed_and_applied_last():
    sc = load_scenario(
        SCENARIOS / "hold_back.yaml",
        overrides=[
            "alliance.hold_back_h=24",
            "north.fall_at=2001-11-01T00:00",
            "withdrawal.policy=defend",
            "air.controllers_shamali=null",
            "air.sorties.1.north_share=0",
        ],
    )
    assert sc.alliance.hold_back_h == 24.0
    assert sc.alliance.pressure == 0.98  # from the file
    assert (
        sc.north.fall_at is not None and sc.north.fall_at.isoformat() == "2001-11-01T00:00:00+04:30"
    )
    assert sc.withdrawal.policy == "defend"
    assert sc.air.controllers_shamali is None
    assert sc.air.sorties[1].north_share == 0.0
    assert sc.air.sorties[0].north_share == 0.05  # the other period is kept


def test_override_of_an_empty_list_and_of_the_defaults():
    assert load_scenario(None, overrides=["air.sorties=[]"]).air.sorties == ()
    sc = load_scenario(
        None, overrides=["alliance.composition.tajik=0.7", "alliance.composition.hazara=0.2"]
    )
    assert sc.alliance.composition.tajik == 0.7 and sc.alliance.composition.uzbek == 0.1


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("nosuch.key=1", "unknown key 'nosuch'"),
        ("alliance.hold_bak_h=1", "did you mean 'hold_back_h'?"),
        ("alliance.hold_back_h", "expected KEY=VALUE"),
        ("alliance.hold_back_h=soon", "expected a number >= 0 (h), got 'soon'"),
        ("air.sorties.7.start=2001-10-08T00:00", "no item 7"),
        ("alliance.pressure=1.5", "expected a number >= 0 and <= 1"),
        ("alliance.composition.tajik=0.5", "shares must sum to 1"),
        ("extends=other.yaml", "cannot be overridden"),
        ("alliance..x=1", "expected a key path"),
    ],
)
def test_bad_overrides_name_the_override(override, expected):
    with pytest.raises(ScenarioError) as info:
        load_scenario(SCENARIOS / "baseline.yaml", overrides=[override])
    message = str(info.value)
    assert expected in message
    assert override.split("=")[0] in message


# --- yaml reading ---------------------------------------------------------------------------


def test_line_numbers_are_recorded_for_nested_keys_and_items():
    doc = read_yaml("a: 1\nb:\n  c: 2\n  d:\n    - x: 1\n    - x: 2\n")
    assert doc.lines[("a",)] == 1
    assert doc.lines[("b", "c")] == 3
    assert doc.lines[("b", "d", 1)] == 6
    assert doc.lines[("b", "d", 1, "x")] == 6


def test_alias_limit_and_depth_limit():
    anchors = "a: &x 1\n" + "".join(f"k{i}: *x\n" for i in range(MAX_ALIASES))
    assert read_yaml(anchors).data["k0"] == 1  # exactly the limit is fine
    with pytest.raises(YamlProblem, match="alias"):
        read_yaml(anchors + "last: *x\n")
    with pytest.raises(YamlProblem, match="nested more than"):
        read_yaml("a: " + "[" * 50 + "]" * 50 + "\n")


def test_duplicate_keys_name_both_lines():
    with pytest.raises(YamlProblem) as info:
        read_yaml("a:\n  b: 1\n  c: 2\n  b: 3\n")
    assert info.value.line == 4 and "line 2" in str(info.value)


# --- show -------------------------------------------------------------------------------------


def test_show_prints_resolved_yaml_and_differences(capsys):
    status = main(["show", str(SCENARIOS / "hold_back.yaml"), "--set", "hvt.tip_per_h=0"])
    assert status == 0
    out = capsys.readouterr().out
    yaml_part, _, rest = out.partition("\n\n# ")
    resolved = yaml.safe_load(yaml_part)
    assert Scenario.model_validate(resolved) == load_scenario(
        SCENARIOS / "hold_back.yaml", ["hvt.tip_per_h=0"]
    )
    assert "hvt.tip_per_h: 0.04 -> 0.0" in rest
    assert "alliance.hold_back_h: 72.0 -> 336.0" in rest
    assert "baseline.yaml (the file it extends)" in rest
    assert "differences from the baseline defaults" in rest


def test_show_of_the_baseline_has_no_extends_section(capsys):
    assert main(["show", str(SCENARIOS / "baseline.yaml")]) == 0
    out = capsys.readouterr().out
    assert "the file it extends" not in out
    assert "name: baseline" in out


def test_differences_report_nothing_for_equal_scenarios():
    assert differences(Scenario(), Scenario()) == []
