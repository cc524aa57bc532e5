"""The free parameters of the calibration and their priors.

A parameter is free when the schema declares it with ``fit=True``
(:func:`kabulsim.scenario.params.param`). Its prior spans the plausible range of the
provenance table: **uniform**, or **log-uniform** when the range spans an order of magnitude or
more (upper/lower >= 10, lower > 0), because then the range says "somewhere between these
orders of magnitude" rather than "somewhere between these values".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel

from kabulsim.scenario.schema import Scenario

LOG_RATIO = 10.0
"""A range whose upper end is at least this multiple of its lower end gets a log-uniform prior."""


@dataclass(frozen=True)
class FreeParameter:
    """A calibrated parameter: its dotted path, plausible range, prior and baseline value."""

    path: str
    low: float
    high: float
    log: bool
    default: float
    units: str

    @property
    def prior(self) -> str:
        """``"log-uniform"`` or ``"uniform"``."""
        return "log-uniform" if self.log else "uniform"

    @property
    def key(self) -> str:
        """The name pyABC stores the parameter under (dots are not safe in its database)."""
        return self.path.replace(".", "__")

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws from the prior."""
        if self.log:
            return np.exp(rng.uniform(math.log(self.low), math.log(self.high), n))
        return rng.uniform(self.low, self.high, n)

    def prior_quantiles(self, q: tuple[float, float]) -> tuple[float, float]:
        """Two quantiles of the prior."""
        if self.log:
            a, b = math.log(self.low), math.log(self.high)
            return (math.exp(a + q[0] * (b - a)), math.exp(a + q[1] * (b - a)))
        return (self.low + q[0] * (self.high - self.low), self.low + q[1] * (self.high - self.low))


def to_free(theta: np.ndarray, params: Sequence[FreeParameter]) -> np.ndarray:
    """Parameter rows (one column per parameter) on the priors' own scale.

    There each prior is uniform: the logarithm for a log-uniform prior, the value otherwise.
    """
    out = np.array(theta, dtype=float)
    for j, p in enumerate(params):
        if p.log:
            out[:, j] = np.log(out[:, j])
    return out


def from_free(z: np.ndarray, params: Sequence[FreeParameter], clip: bool = False) -> np.ndarray:
    """Back from the priors' scale to natural units.

    With ``clip``, held inside each prior's range (a regression adjustment may step out of it).
    """
    out = np.array(z, dtype=float)
    for j, p in enumerate(params):
        x = out[:, j]
        if clip:
            lo, hi = (math.log(p.low), math.log(p.high)) if p.log else (p.low, p.high)
            x = np.clip(x, lo, hi)
        out[:, j] = (
            np.clip(np.exp(x), p.low, p.high) if p.log and clip else (np.exp(x) if p.log else x)
        )
    return out


def particles(theta: np.ndarray, params: Sequence[FreeParameter]) -> list[dict[str, float]]:
    """Parameter rows (natural units, one column per parameter) as particles: key -> value."""
    return [{p.key: float(row[j]) for j, p in enumerate(params)} for row in theta]


def free_parameters() -> tuple[FreeParameter, ...]:
    """Every parameter the schema marks ``fit=True``, in schema order."""
    base = Scenario()
    out: list[FreeParameter] = []

    def walk(model: type[BaseModel], value: BaseModel, prefix: str) -> None:
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and extra.get("fit"):
                rng = extra["plausible_range"]
                assert isinstance(rng, list)
                low, high = float(str(rng[0])), float(str(rng[1]))
                out.append(
                    FreeParameter(
                        path=prefix + name,
                        low=low,
                        high=high,
                        log=low > 0 and high / low >= LOG_RATIO,
                        default=float(getattr(value, name)),
                        units=str(extra["units"]),
                    )
                )
            elif isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
                walk(info.annotation, getattr(value, name), prefix + name + ".")

    walk(Scenario, base, "")
    return tuple(out)


def with_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """``scenario`` with the given dotted-path parameters replaced (validated)."""
    data = scenario.model_dump(mode="json")
    for path, value in values.items():
        node = data
        *parents, last = path.split(".")
        for seg in parents:
            node = node[seg]
        node[last] = float(value)
    return Scenario.model_validate(data)
