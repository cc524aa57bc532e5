"""The import boundary: ``import kabulsim`` and the command line's parser load no heavy library.

pandas, SciPy, SALib and matplotlib cost seconds to import; the command line's ``--help`` and
every worker process would pay for them. These tests check which modules are loaded (in a
fresh interpreter), never a time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "scipy", "SALib", "matplotlib", "dask", "pyabc", "altair", "pyarrow")


def _loaded_after(code: str) -> set[str]:
    """Top-level packages (of :data:`HEAVY` and a few more) loaded after running ``code``."""
    probe = (
        f"{code}\nimport sys, json\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_kabulsim_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import kabulsim")
    assert not loaded & {*HEAVY, "pydantic", "numpy", "simpy"}, loaded & {*HEAVY}


def test_building_the_command_line_parser_loads_no_heavy_library() -> None:
    loaded = _loaded_after("from kabulsim.cli import build_parser; build_parser()")
    assert not loaded & {*HEAVY, "pydantic", "numpy"}


@pytest.mark.parametrize("module", ["kabulsim.model", "kabulsim.scenario"])
def test_model_and_scenario_load_only_what_a_replication_needs(module: str) -> None:
    loaded = _loaded_after(f"import {module}")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_public_names_resolve_on_first_use() -> None:
    import kabulsim

    for name in kabulsim.__all__:
        assert getattr(kabulsim, name) is not None
    from kabulsim.model import simulate

    assert kabulsim.simulate is simulate
    with pytest.raises(AttributeError, match="no_such_name"):
        kabulsim.no_such_name  # noqa: B018
