# ruff: noqa: E501
"""Bad input never hurts: one clear line on stderr, exit status 2, nothing written.

Every case is run through ``kabulsim.cli.main`` as a user would: the scenario errors with
``kabulsim run FILE --out DIR`` (so that we can check DIR is never created), the rest with
the command concerned.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kabulsim.cli import main

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"

BILLION_LAUGHS = "".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n",
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
    ]
)
MANY_ALIASES = "x: &x 1\nl: [" + ", ".join(["*x"] * 101) + "]\n"
SORTIE = (
    "{start: 2001-10-08T00:00, strike_sorties_per_day: 10, shamali_share: 0.5, north_share: 0.1}"
)

# (id, file content, expected substrings of the one-line message)
FILE_CASES: list[tuple[str, str | bytes, list[str]]] = [
    ("malformed", "name: x\n  bad: indent\n", [":2:", "not valid YAML"]),
    ("unclosed_flow", "alliance: {hold_back_h: 3\n", ["not valid YAML"]),
    ("empty", "", ["the file is empty", "expected a mapping"]),
    ("only_comments", "# nothing here\n", ["the file is empty"]),
    ("top_list", "- a\n- b\n", [":1:", "expected a mapping of scenario keys", "got a list"]),
    ("top_scalar", "just text\n", ["expected a mapping of scenario keys", "got 'just text'"]),
    (
        "wrong_type",
        "name: x\nalliance:\n  hold_back_h: soon\n",
        [":3: alliance.hold_back_h: expected a number >= 0 (h), got 'soon'"],
    ),
    ("unknown_top", "alliancee:\n  pressure: 0.5\n", [":1:", "alliancee", "did you mean 'alliance'?"]),
    (
        "unknown_nested",
        "alliance:\n  pressure: 0.5\n  hold_bak_h: 3\n",
        [":3:", "alliance.hold_bak_h", "did you mean 'hold_back_h'?"],
    ),
    ("out_of_range", "alliance:\n  pressure: 1.5\n", [":2:", "alliance.pressure", ">= 0 and <= 1", "1.5"]),
    ("negative", "hvt:\n  tip_per_h: -1\n", [":2:", "hvt.tip_per_h", ">= 0", "got -1"]),
    ("fraction_of_fighters", "forces:\n  taliban_national: 2.5\n", [":2:", "whole number", "2.5"]),
    ("bad_choice", "withdrawal:\n  policy: flee\n", [":2:", "withdrawal.policy", "evacuate, defend", "'flee'"]),
    ("bad_bool", "hvt:\n  present: maybe\n", [":2:", "hvt.present", "true or false"]),
    ("bad_date", "north:\n  fall_at: tomorrow\n", [":2:", "north.fall_at", "a date and time", "null"]),
    ("date_outside_horizon", "air:\n  controllers_north: 2002-06-01T00:00\n", [":2:", "air.controllers_north", "outside the simulated period"]),
    (
        "shares_exceed_one",
        "air:\n  sorties:\n    - {start: 2001-10-08T00:00, strike_sorties_per_day: 1, shamali_share: 0.8, north_share: 0.8}\n",
        [":3:", "air.sorties.0", "must not exceed 1"],
    ),
    (
        "ethnic_shares",
        "alliance:\n  composition: {pashtun: 0.5, tajik: 0.5, hazara: 0.5, uzbek: 0, other: 0}\n",
        [":2:", "alliance.composition", "sum to 1"],
    ),
    ("forces_exceed_total", "forces:\n  taliban_national: 100\n", [":1:", "forces", "exceeds taliban_national"]),
    ("duplicate_key", "alliance:\n  pressure: 0.5\n  pressure: 0.6\n", [":3:", "duplicate key 'pressure'", "line 2"]),
    ("python_object", "!!python/object/apply:os.system ['true']\n", [":1:", "!!python/object/apply:os.system", "not allowed"]),
    ("python_name_value", "name: !!python/name:os.system\n", ["not allowed", "plain data only"]),
    ("billion_laughs", BILLION_LAUGHS, ["expands to more than"]),
    ("too_many_aliases", MANY_ALIASES, [":2:", "more than 100 alias uses"]),
    ("recursive_alias", "a: &a [1, *a]\n", ["alias refers to the mapping or list that contains it"]),
    ("too_deep", "a: " + "[" * 40 + "]" * 40 + "\n", ["nested more than 20 levels"]),
    ("missing_extends", "extends: nosuch.yaml\n", [":1: extends:", "'nosuch.yaml' not found"]),
    ("extends_number", "extends: 5\n", [":1: extends:", "expected the file name", "got 5"]),
    ("self_extends", "extends: case.yaml\n", ["extends: cycle: case.yaml -> case.yaml"]),
    ("not_utf8", b"name: caf\xe9\n", [":1:", "not UTF-8"]),
    ("two_documents", "name: a\n---\nname: b\n", ["single YAML document"]),
    ("section_is_list", "forces: [1, 2]\n", [":1: forces: expected a mapping with keys", "got a list"]),
    ("sorties_not_list", "air:\n  sorties: {a: 1}\n", [":2: air.sorties: expected a list", "got a mapping"]),
    ("not_a_number", "alliance:\n  hold_back_h: .nan\n", [":2:", "alliance.hold_back_h", "got nan"]),
    (
        "unknown_key_in_sortie",
        "air:\n  sorties:\n    - " + SORTIE[:-1] + ", shamali: 1}\n",
        [":3:", "air.sorties.0.shamali", "did you mean 'shamali_share'?"],
    ),
    ("missing_key_in_sortie", "air:\n  sorties:\n    - {start: 2001-10-08T00:00}\n", [":3:", "air.sorties.0.strike_sorties_per_day", "required key missing"]),
    ("non_text_key", "1: x\n", [":1:", "a key must be a name"]),
    ("list_as_key", "? [a, b]\n: 1\n", [":1:", "a key must be a plain name"]),
]  # fmt: skip


def _check_one_line(err: str, expected: list[str]) -> None:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for text in expected:
        assert text in lines[0], (text, lines[0])


@pytest.mark.parametrize(
    ("content", "expected"), [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES]
)
def test_bad_scenario_file(tmp_path, capsys, content, expected):
    path = tmp_path / "case.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    status = main(["run", str(path), "--reps", "2", "--out", str(out), "--quiet"])
    assert status == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    _check_one_line(captured.err, ["kabulsim: error: ", str(path), *expected])
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml"]


def test_cyclic_extends_names_the_chain(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("name: b\nextends: a.yaml\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "a.yaml"), "--out", str(out)]) == 2
    _check_one_line(
        capsys.readouterr().err,
        [str(tmp_path / "b.yaml") + ":2: extends: cycle: a.yaml -> b.yaml -> a.yaml"],
    )
    assert not out.exists()


def test_error_in_extended_file_names_that_file(tmp_path, capsys):
    (tmp_path / "parent.yaml").write_text("alliance:\n  pressure: high\n", encoding="utf-8")
    (tmp_path / "child.yaml").write_text("extends: parent.yaml\nname: c\n", encoding="utf-8")
    assert main(["show", str(tmp_path / "child.yaml")]) == 2
    _check_one_line(
        capsys.readouterr().err, [str(tmp_path / "parent.yaml") + ":2: alliance.pressure"]
    )


def test_a_directory_as_scenario(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(tmp_path), "--out", str(out)]) == 2
    _check_one_line(capsys.readouterr().err, [str(tmp_path), "is a folder"])
    assert not out.exists()


def test_a_missing_scenario(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "nope.yaml"), "--out", str(out)]) == 2
    _check_one_line(capsys.readouterr().err, ["nope.yaml", "no such file"])
    assert not out.exists()


# --- command-line values ---------------------------------------------------------------------

SET_CASES: list[tuple[str, list[str]]] = [
    ("nosuch.key=1", ["--set nosuch.key=1", "unknown key 'nosuch'", "valid keys here"]),
    ("alliance.hold_back_h", ["--set alliance.hold_back_h", "expected KEY=VALUE"]),
    ("alliance.presure=0.5", ["alliance.presure", "did you mean 'pressure'?"]),
    ("alliance.hold_back_h=soon", ["--set alliance.hold_back_h=soon", "expected a number >= 0 (h)", "'soon'"]),
    ("withdrawal.policy=flee", ["withdrawal.policy", "evacuate, defend"]),
    ("air.sorties.9.start=2001-10-08T00:00", ["air.sorties.9", "no item 9"]),
    ("alliance.hold_back_h.x=1", ["alliance.hold_back_h", "single value"]),
    ("name=!!python/name:os.system", ["not allowed"]),
    ("alliance.pressure=[1, 2", ["not valid YAML"]),
]  # fmt: skip


@pytest.mark.parametrize(("override", "expected"), SET_CASES, ids=[c[0] for c in SET_CASES])
def test_bad_set(tmp_path, capsys, override, expected):
    out = tmp_path / "out"
    status = main(["run", str(BASELINE), "--set", override, "--reps", "2", "--out", str(out)])
    assert status == 2
    _check_one_line(capsys.readouterr().err, expected)
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--reps", "0"], "--reps: expected a whole number from 1 to 10,000,000, got 0"),
        (["--reps", "many"], "--reps: expected a whole number from 1 to 10,000,000, got 'many'"),
        (["--seed", "-1"], "--seed: expected a whole number from 0 to"),
    ],
)
def test_bad_numbers_are_usage_errors(tmp_path, capsys, args, expected):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as info:
        main(["run", str(BASELINE), *args, "--out", str(out)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert not out.exists()


def test_run_out_that_is_a_file(tmp_path, capsys):
    out = tmp_path / "taken.txt"
    out.write_text("keep me", encoding="utf-8")
    assert main(["run", str(BASELINE), "--reps", "2", "--out", str(out)]) == 2
    _check_one_line(capsys.readouterr().err, [str(out), "is a file"])
    assert out.read_text(encoding="utf-8") == "keep me"


def test_schema_out_that_is_a_folder(tmp_path, capsys):
    assert main(["schema", "--out", str(tmp_path)]) == 2
    _check_one_line(capsys.readouterr().err, [str(tmp_path), "is a folder"])
    assert list(tmp_path.iterdir()) == []


def test_schema_out_in_a_missing_folder(tmp_path, capsys):
    target = tmp_path / "nope" / "schema.json"
    assert main(["schema", "--out", str(target)]) == 2
    _check_one_line(capsys.readouterr().err, ["does not exist"])
    assert not (tmp_path / "nope").exists()


def test_show_with_bad_set_prints_nothing_on_stdout(capsys):
    assert main(["show", str(BASELINE), "--set", "hvt.tip_per_h=-1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    _check_one_line(captured.err, ["hvt.tip_per_h", ">= 0"])
