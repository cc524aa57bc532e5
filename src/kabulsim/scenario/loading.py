"""Loading a scenario from a YAML file into a validated :class:`Scenario`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kabulsim.scenario.schema import Scenario


class ScenarioError(ValueError):
    """A scenario file or override that cannot be used; the message names file and key."""


def load_scenario(
    path: str | Path | None = None, overrides: Sequence[str] = ()
) -> Scenario:
    """Load and validate a scenario file; ``None`` gives the baseline defaults.

    Args:
        path: the YAML file, or None for the built-in baseline.
        overrides: ``"path.to.key=value"`` strings applied after loading (not yet supported
            in this minimal loader: a non-empty list is an error).

    Raises:
        ScenarioError: the file is missing, not YAML, or does not validate.
    """
    if overrides:
        raise ScenarioError("--set overrides are not supported yet")
    if path is None:
        return Scenario()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read the file ({exc.strerror})") from None
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{p}: not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{p}: expected a mapping of scenario keys at the top level")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(x) for x in first["loc"])
        raise ScenarioError(f"{p}: {key}: {first['msg']}") from None
