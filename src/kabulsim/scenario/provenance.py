"""The provenance table: every parameter with its value, units, range and source.

The table is read from the schema itself (see :mod:`kabulsim.scenario.params`), so it always
lists every parameter the model uses, and the inputs of the places a scenario declares
(``cities:`` and ``fronts:``: their source is the scenario file; a declared front's ``fall``
inputs show the schema's defaults and sources beside their values).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from pydantic import BaseModel

from kabulsim.scenario.schema import Scenario

COLUMNS = [
    "parameter",
    "value",
    "default",
    "units",
    "plausible_range",
    "kind",
    "record",
    "source",
]
"""``record``: for a calibrated (``fit=True``) parameter, what the record does to it in the
shipped ensemble (pinned, narrowed or left free), when the caller passes the verdicts
(:func:`kabulsim.calibration.identifiability.shipped_verdicts`; the calibration layer sits
above this one)."""


def _fmt(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, BaseModel):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.model_dump().items())
    if isinstance(value, tuple | list):
        return "; ".join(_fmt(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    if value is None:
        return "null"
    return str(value)


DECLARED_SOURCE = "the scenario file (a place it declares; no source in the package)"
"""The source of a declared place's own inputs in the table."""


def _declared_rows(
    places: dict[str, BaseModel], prefix: str, verdicts: dict[str, str]
) -> list[dict[str, str]]:
    """The inputs of the places a scenario declares under ``prefix`` (``fronts.``, ``cities.``).

    A part with a schema of its own (a front's ``fall``) is listed against that part's
    defaults; the other inputs are not in the baseline (``null``, as
    :func:`kabulsim.scenario.loading.differences` shows them) and their source is the
    scenario file.
    """
    rows: list[dict[str, str]] = []
    for key, place in places.items():
        for name, info in type(place).model_fields.items():
            value = getattr(place, name)
            path = f"{prefix}{key}.{name}"
            if isinstance(value, BaseModel):
                rows.extend(_rows(value, type(value)(), path + ".", verdicts))
                continue
            extra = info.json_schema_extra
            units = str(extra.get("units", "")) if isinstance(extra, dict) else ""
            rows.append(
                {
                    "parameter": path, "value": _fmt(value), "default": _fmt(None), "units": units,
                    "plausible_range": "", "kind": "declared", "record": "",
                    "source": DECLARED_SOURCE,
                }
            )  # fmt: skip
    return rows


def _rows(
    model: BaseModel, default: BaseModel, prefix: str, verdicts: dict[str, str]
) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for name, info in type(model).model_fields.items():
        if not prefix and name in ("name", "description"):
            continue  # labels, not parameters
        value = getattr(model, name)
        base = getattr(default, name)
        if isinstance(value, dict):  # the places a scenario declares, by key
            rows.extend(_declared_rows(value, f"{prefix}{name}.", verdicts))
            continue
        extra = info.json_schema_extra
        if isinstance(extra, dict) and "source" in extra:
            rng = extra.get("plausible_range")
            rows.append(
                {
                    "parameter": prefix + name,
                    "value": _fmt(value),
                    "default": _fmt(base),
                    "units": str(extra["units"]),
                    "plausible_range": f"{rng[0]:g} to {rng[1]:g}" if isinstance(rng, list) else "",
                    "kind": str(extra["source_kind"]),
                    "record": verdicts.get(prefix + name, ""),
                    "source": str(extra["source"]),
                }
            )
        elif isinstance(value, BaseModel):
            assert isinstance(base, BaseModel)
            rows.extend(_rows(value, base, prefix + name + ".", verdicts))
    return rows


def provenance_table(
    scenario: Scenario | None = None, verdicts: dict[str, str] | None = None
) -> pd.DataFrame:
    """One row per parameter: value in ``scenario``, baseline default, units, range, source.

    ``verdicts`` fills the ``record`` column (what the record does to each calibrated
    parameter), by dotted path; without it the column is empty.
    """
    sc = scenario if scenario is not None else Scenario()
    return pd.DataFrame(_rows(sc, Scenario(), "", verdicts or {}), columns=COLUMNS)


def plausible_ranges() -> dict[str, tuple[float, float]]:
    """Every parameter that declares a plausible range, by dotted path."""
    out: dict[str, tuple[float, float]] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra
            rng = extra.get("plausible_range") if isinstance(extra, dict) else None
            if isinstance(rng, list):
                out[prefix + name] = (float(str(rng[0])), float(str(rng[1])))
            elif isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
                walk(info.annotation, prefix + name + ".")

    walk(Scenario, "")
    return out


def implausible(*scenarios: Scenario) -> list[str]:
    """One line for each value outside its parameter's plausible range, over ``scenarios``.

    Such values are allowed (counterfactuals explore them), but worth a word: a rate typed
    in the wrong units, for example, is many times outside its range. This is the one
    plausible-range check of every command (``run``, ``compare``, ``sweep``, ``explorer``):
    give it every scenario the command will run (for a grid, each point's scenario); a value
    shared by several is named once, in the order first met.
    """
    lines: list[str] = []

    def walk(model: BaseModel, prefix: str) -> None:
        for name, info in type(model).model_fields.items():
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                walk(value, f"{prefix}{name}.")
                continue
            if isinstance(value, dict):  # the fronts a scenario declares, by key
                for key, item in value.items():
                    if isinstance(item, BaseModel):
                        walk(item, f"{prefix}{name}.{key}.")
                continue
            extra = info.json_schema_extra
            bounds = extra.get("plausible_range") if isinstance(extra, dict) else None
            if not isinstance(bounds, list) or isinstance(value, bool):
                continue
            low, high = (float(b) for b in bounds)  # type: ignore[arg-type]
            if isinstance(value, int | float) and not low <= value <= high:
                units = extra.get("units", "") if isinstance(extra, dict) else ""
                line = (
                    f"{prefix}{name} = {value:g} is outside its plausible range"
                    f" {low:g} to {high:g} ({units})"
                )
                if line not in lines:
                    lines.append(line)

    for scenario in scenarios:
        walk(scenario, "")
    return lines
