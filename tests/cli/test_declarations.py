"""The commands' interface is data: every parser and ``--help`` is built from kabulsim.commands.

Each sub-command's parser is compared with its declaration (``commands.COMMANDS``): the same
options in the same order, with the declared names, destination, metavar, choices, nargs,
required flag, help text, default and bounds; the same help line, description and example.
The docs' option table of ``kabulsim run`` names only declared options.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path

import pytest

from kabulsim import commands
from kabulsim.calibration.settings import Settings
from kabulsim.cli import HANDLERS, build_parser
from kabulsim.commands import COMMANDS, SHARED, Command, Option

ROOT = Path(__file__).resolve().parents[2]


def _subparsers() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return parser, sub


def _declared_default(command: Command, option: Option) -> object:
    if command.name == "calibrate" and option.key in {f.name for f in dataclasses.fields(Settings)}:
        return getattr(Settings(), option.key)
    if option.kind == "flag":
        return False
    if option.kind == "append" and option.default is not None:
        return list(option.default)  # type: ignore[call-overload]
    return option.default


def test_every_command_is_declared_once_and_has_a_handler():
    _, sub = _subparsers()
    names = [c.name for c in COMMANDS]
    assert len(names) == len(set(names))
    assert list(sub.choices) == names
    assert set(HANDLERS) == set(names)
    listed = {a.dest: a.help for a in sub._choices_actions}
    assert listed == {c.name: c.help for c in COMMANDS}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_parser_is_built_from_the_declaration(command: Command):
    _, sub = _subparsers()
    parser = sub.choices[command.name]
    assert parser.description == command.description
    assert parser.epilog == command.epilog
    actions = [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]
    assert len(actions) == len(command.options)
    for action, option in zip(actions, command.options, strict=True):
        names = option.names.split()
        assert (action.option_strings or [action.dest]) == (
            names if not option.positional else [option.key]
        )
        assert action.dest == option.key
        assert action.help == option.help
        assert action.metavar == option.metavar
        assert action.nargs == (0 if option.kind == "flag" else option.nargs)
        optional = option.nargs in ("?", "*")
        assert action.required == (option.required or (option.positional and not optional))
        assert (tuple(action.choices) if action.choices else None) == option.choices
        assert action.default == _declared_default(command, option)
        appends = isinstance(action, argparse._AppendAction)
        assert appends == (option.kind == "append")
    grouped = {a.dest: g for g in parser._mutually_exclusive_groups for a in g._group_actions}
    for option in command.options:
        if option.exclusive is None:
            assert option.key not in grouped
        else:
            partners = {o.key for o in command.options if o.exclusive == option.exclusive}
            assert {a.dest for a in grouped[option.key]._group_actions} == partners


@pytest.mark.parametrize(
    ("command", "option"),
    [(c, o) for c in COMMANDS for o in c.options if o.kind in ("int", "float") and o.bounds],
    ids=lambda x: getattr(x, "name", None) or getattr(x, "names", ""),
)
def test_declared_bounds_are_enforced(command: Command, option: Option, capsys):
    """A value just outside the declared bounds is refused in one line, exit status 2."""
    assert option.bounds is not None
    low, high = option.bounds
    parser, _ = _subparsers()
    required = [o for o in command.options if o.positional and o.nargs not in ("?", "*")]
    args = [command.name, *(["x"] * len(required))]
    args += [o.names.split()[-1] + "=x" for o in command.options if o.required and not o.positional]
    flag = option.names.split()[-1]
    below = str(int(low) - 1) if option.kind == "int" else f"{low:g}"  # a float's low is excluded
    above = str(int(high) + 1) if option.kind == "int" else str(high * 2)
    for outside in (below, above):
        with pytest.raises(SystemExit) as stop:
            parser.parse_args([*args, f"{flag}={outside}"])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1
        assert f"at most {high:g}" in err or f"from {int(low)} to {int(high):,}" in err
    inside = str(int(high)) if option.kind == "int" else f"{high:g}"
    parsed = parser.parse_args([*args, f"{flag}={inside}"])
    assert getattr(parsed, option.key) == (int(high) if option.kind == "int" else high)


def test_shared_options_are_the_declared_ones():
    """A command that names a shared option gets the shared record, or a changed copy of it."""
    for command in COMMANDS:
        for option in command.options:
            if option.names in SHARED and option != SHARED[option.names]:
                base = SHARED[option.names]
                changed = {
                    f.name
                    for f in dataclasses.fields(Option)
                    if getattr(option, f.name) != getattr(base, f.name)
                }
                assert changed <= {"help", "default", "nargs", "required", "kind", "metavar"}


def test_commands_module_is_data_only():
    """kabulsim.commands imports only limits and the standard library: no argparse, no print."""
    source = Path(commands.__file__).read_text(encoding="utf-8")
    imported = set(re.findall(r"^(?:from|import) ([\w.]+)", source, re.M))
    assert {name for name in imported if name.startswith("kabulsim")} == {"kabulsim.limits"}
    assert "argparse" not in imported
    assert "print(" not in source


def test_docs_run_table_names_declared_options():
    """Every flag in docs/experiments.md's table of ``kabulsim run`` is one ``run`` declares."""
    text = (ROOT / "docs" / "experiments.md").read_text(encoding="utf-8")
    table = text[text.index("| flag | meaning |") :].split("\n\n")[0]
    flags = set(re.findall(r"`(--[a-z-]+)", table))
    declared = {n for o in commands.RUN.options for n in o.names.split()}
    assert flags, "the table of run's options was not found"
    assert flags <= declared
