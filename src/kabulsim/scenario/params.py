"""Declaring a parameter: value, units, plausible range and source, in one place.

Every scenario parameter is declared with :func:`param`, which wraps a pydantic ``Field``
and stores the provenance in the field's JSON-schema extras. The provenance table
(``kabulsim params``) and the JSON Schema (``kabulsim schema``) are both read from there,
so a parameter cannot exist without its units and its source.

Source kinds:

* ``source``: a sentence of the source text (the encyclopedia article), quoted.
* ``reference``: another public reference, named.
* ``cdb90``: derived from the CDB90 battle data by ``scripts/calibrate_cdb90.py``.
* ``calibrated``: tuned so the baseline reproduces a named fact of the record.
* ``assumption``: a modelling assumption, with its reason.
* ``exogenous``: a date or decision taken as given (a policy or a political event).

A parameter declared with ``fit=True`` is a free parameter of the calibration
(:mod:`kabulsim.calibration`): ``kabulsim calibrate`` draws it from its plausible range and
keeps the values that reproduce the facts of the record.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

SourceKind = Literal["source", "reference", "cdb90", "calibrated", "assumption", "exogenous"]

Cost = Literal["interval", "count"]
"""How a parameter sets the work of a run: an ``interval`` (a step or period: the smaller,
the more iterations, so it needs a positive lower bound ``ge``) or a ``count`` (a length or
number of things: the larger, the more work, so it needs an upper bound ``le``)."""


def param(
    default: Any,
    *,
    units: str,
    source: str,
    kind: SourceKind,
    description: str,
    plausible: tuple[float, float] | None = None,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    cost: Cost | None = None,
    fit: bool = False,
    max_length: int | None = None,
) -> Any:
    """Declare a scenario parameter with its provenance.

    Args:
        default: the baseline value (defaults live only here, in the schema).
        units: physical units, e.g. ``"fighters"``, ``"h"``, ``"1/h"``, ``"share"``.
        source: the quoted sentence, the reference, or the reason for the assumption
            (without the kind, which is shown beside it: not "assumption: ...").
        kind: what sort of source this is (see the module docstring).
        description: what the parameter means in the model, one sentence.
        plausible: the range a sensitivity analysis may explore (not enforced).
        ge: hard lower bound (inclusive), enforced on validation.
        le: hard upper bound (inclusive), enforced on validation.
        gt: hard lower bound (exclusive), enforced on validation.
        lt: hard upper bound (exclusive), enforced on validation.
        cost: the parameter sets a loop count or a memory size (see :data:`Cost`); then the
            bound that limits the work is required, so no accepted value can hang a run.
        fit: a free parameter of the calibration (needs ``plausible``).
        max_length: most characters of a text parameter, enforced on validation.

    Raises:
        TypeError: a source that opens with its own kind; a ``cost`` parameter declared
            without the bound that limits its work.
    """
    if source.lower().startswith(f"{kind}:"):
        raise TypeError(f"{description!r}: the source repeats its kind ({kind!r}); drop it")
    if cost == "interval" and (ge is None or ge <= 0):
        raise TypeError(f"{description!r}: an interval parameter needs a positive ge bound")
    if cost == "count" and le is None:
        raise TypeError(f"{description!r}: a count parameter needs an le bound")
    extra: dict[str, Any] = {"units": units, "source": source, "source_kind": kind}
    if cost is not None:
        extra["cost"] = cost
    if plausible is not None:
        extra["plausible_range"] = [plausible[0], plausible[1]]
    if fit:
        if plausible is None:
            raise TypeError(
                f"{description!r}: a calibrated parameter (fit=True) needs a plausible range"
            )
        extra["fit"] = True
    return Field(
        default,
        description=description,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        max_length=max_length,
        json_schema_extra=extra,
    )
