"""Breakpoints drawn from the CDB90 distributions, with morale selecting the quantile.

CDB90 records the casualty share at which 20th-century defenders who withdrew had withdrawn
(129 battles) and at which failed attackers broke off (82 battles). The spread is wide: for
defenders the 10th percentile is 2% and the 90th 53%. Using only the median would make every
fight end at the same share of losses; this module draws a breakpoint from the whole
distribution instead.

The distribution is known through five quantiles (10th, 25th, 50th, 75th, 90th percentiles).
Between them the quantile function is interpolated linearly in the logarithm of the share
(breakpoints are positive and right-skewed); below the 10th and above the 90th percentile it
is extended with the slope of the nearest segment and cut to (0, 1].

Morale link. A side at morale ``m`` (1 = the typical force of CDB90) draws its quantile as
``u ** (1 / m)`` with ``u`` uniform on (0, 1): morale 1 reproduces the CDB90 population;
lower morale shifts the draw towards low quantiles (at ``m = 0.5`` the median draw is the
25th percentile), higher morale towards high ones. The direction of the link has support
(Dupuy's QJM/TNDM treat morale and cohesion as multipliers of combat effectiveness; CDB90's
own spread shows casualties alone do not decide when a force breaks); the functional form is
an assumption (see docs/sources.md).

Inside the data. The quantile function is cut below at the smallest breakpoint CDB90
records (``lowest``: 0.49% for defenders, 0.47% for attackers), so no draw lies below the
data (the log-linear extension below the 10th percentile ends near 1.0% and 0.84% at
``p = 0``, above those minima). A caller may also floor the drawn probability
(``floor_p``): with ``floor_p`` the 10th percentile a demoralised side breaks at CDB90's
10th percentile (2.0% for defenders, 1.2% for attackers) and never in the extension below
it (``shamali.breakpoint_floor``: ``cdb90_q10``).
"""

from __future__ import annotations

import bisect
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["BreakpointDistribution", "attacker_breakpoints", "defender_breakpoints"]

_PROBS = (0.10, 0.25, 0.50, 0.75, 0.90)
_FLOOR = 1e-4
"""Smallest breakpoint returned (share of strength): a side breaks after some loss."""


@dataclass(frozen=True, slots=True)
class BreakpointDistribution:
    """A breakpoint distribution known through its quantiles (shares of strength lost).

    Attributes:
        probs: cumulative probabilities, increasing, in (0, 1).
        values: the breakpoint shares at those probabilities, increasing, in (0, 1].
        name: what the distribution describes (for messages).
        lowest: the smallest share returned (the data's minimum), in (0, values[0]].
    """

    probs: tuple[float, ...]
    values: tuple[float, ...]
    name: str = ""
    lowest: float = _FLOOR
    """Smallest share returned: the smallest breakpoint observed (default: a tiny share)."""
    _logs: tuple[float, ...] = field(init=False, repr=False, compare=False)
    """The logarithms of ``values`` (computed once)."""

    def __post_init__(self) -> None:
        if len(self.probs) != len(self.values) or len(self.probs) < 2:
            raise ValueError("a breakpoint distribution needs at least two quantiles")
        if list(self.probs) != sorted(self.probs) or list(self.values) != sorted(self.values):
            raise ValueError("quantile probabilities and values must be increasing")
        if not (0.0 < self.probs[0] and self.probs[-1] < 1.0):
            raise ValueError("quantile probabilities must lie in (0, 1)")
        if not (0.0 < self.values[0] and self.values[-1] <= 1.0):
            raise ValueError("breakpoint values must lie in (0, 1]")
        if not (0.0 < self.lowest <= self.values[0]):
            raise ValueError("the lowest breakpoint must lie in (0, the first value]")
        object.__setattr__(self, "_logs", tuple(math.log(v) for v in self.values))

    def quantile(self, p: float) -> float:
        """The breakpoint share at cumulative probability ``p`` (log-linear interpolation)."""
        p = min(max(p, 1e-12), 1.0 - 1e-12)
        logs = self._logs
        probs = self.probs
        i = min(max(bisect.bisect_right(probs, p) - 1, 0), len(probs) - 2)
        slope = (logs[i + 1] - logs[i]) / (probs[i + 1] - probs[i])
        value = math.exp(logs[i] + slope * (p - probs[i]))
        return min(1.0, max(self.lowest, value))

    def quantile_at_morale(self, u: float, morale: float, floor_p: float = 0.0) -> float:
        """The breakpoint of a side at ``morale`` whose uniform draw is ``u``.

        Args:
            u: a uniform draw in (0, 1).
            morale: the side's morale (> 0; 1 = the CDB90 population).
            floor_p: the smallest cumulative probability drawn (0: none; the first of
                ``probs``: no draw in the extension below the lowest summarised quantile).
        """
        if morale <= 0.0:
            return self.quantile(floor_p) if floor_p > 0.0 else self.lowest
        return self.quantile(max(u ** (1.0 / morale), floor_p))

    def draw(self, rng: np.random.Generator, morale: float = 1.0) -> float:
        """Draw a breakpoint for a side at ``morale``."""
        return self.quantile_at_morale(float(rng.random()), morale)

    @property
    def median(self) -> float:
        """The distribution's median breakpoint share."""
        return self.quantile(0.5)


@lru_cache(maxsize=1)
def _calibration() -> dict[str, dict[str, float]]:
    text = resources.files("kabulsim").joinpath("data/cdb90_calibration.json").read_text()
    data: dict[str, dict[str, float]] = json.loads(text)
    return data


def _from_key(key: str, name: str) -> BreakpointDistribution:
    q = _calibration()[key]
    values = (q["q10"], q["q25"], q["median"], q["q75"], q["q90"])
    return BreakpointDistribution(
        _PROBS, tuple(float(v) for v in values), name, lowest=float(q["min"])
    )


@lru_cache(maxsize=1)
def defender_breakpoints() -> BreakpointDistribution:
    """CDB90: casualty shares of 20th-century defenders who withdrew (129 battles)."""
    return _from_key("defender_breakpoint", "CDB90 defenders who withdrew")


@lru_cache(maxsize=1)
def attacker_breakpoints() -> BreakpointDistribution:
    """CDB90: casualty shares of 20th-century attackers who failed (82 battles)."""
    return _from_key("attacker_breakpoint", "CDB90 attackers who failed")
