"""Two-sided attrition engine: integrate an attrition law with reinforcements and breakpoints.

A battle is a duel between a red and a blue :class:`Side`. Their strengths evolve under one
of the laws in :mod:`kabulsim.combat.laws`, plus

* reinforcements: constant arrival rates during time windows (:class:`Reinforcement`);
* external losses: a constant loss rate from outside the duel (for example close air
  support), applied while the side's strength is positive;
* a breakpoint: the fraction of everything the side has had (initial strength plus
  reinforcements received so far) whose loss makes it break off or withdraw.

The battle ends when a side reaches its breakpoint, when a side is annihilated (strength
zero with no reinforcement still to come), or at the time limit.

Two modes are offered. ``"deterministic"`` integrates the differential equations with the
classical fourth-order Runge-Kutta method. Steps are split at reinforcement window edges so
that the piecewise-constant arrival rates are integrated exactly, and the time at which a
side reaches its breakpoint or zero is located inside the final step by cubic Hermite
interpolation of the step (it uses the derivatives at both ends and keeps the method's
fourth-order accuracy; plain linear interpolation would add an error of order ``dt**2``).
``"stochastic"`` uses the same time step but draws each side's losses in a step as a
Poisson count whose mean is the expected loss over the step (rates evaluated at the start
of the step), capped at the current strength; reinforcements are the expected arrivals
rounded stochastically to whole personnel, so strengths stay integers.

References:
    F. W. Lanchester (1916), *Aircraft in Warfare: The Dawn of the Fourth Arm*.
    R. L. Helmbold (1965), "A Modification of Lanchester's Equations", Operations Research
    13(5):857-859.
    J. H. Engel (1954), "A Verification of Lanchester's Law", Operations Research
    2(2):163-171.

"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from kabulsim.combat.laws import LawFunction, get_law, square

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MODES", "BattleResult", "Reinforcement", "Side", "simulate"]

MODES: tuple[str, ...] = ("deterministic", "stochastic")
"""The integration modes accepted by :func:`simulate`."""

FloatArray = npt.NDArray[np.float64]

_EMPTY: FloatArray = np.empty(0, dtype=np.float64)
_EMPTY.setflags(write=False)

# Poisson draws with a mean this large are replaced by the rounded mean (numpy refuses
# means above about 9.2e18; at 1e15 the relative spread is 3e-8, i.e. irrelevant).
_POISSON_MAX_MEAN = 1e15
# Two crossing times closer than this fraction of a step are treated as simultaneous.
_TIE_FRACTION = 1e-9


def _check_finite(value: float, what: str) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")


@dataclass(frozen=True, slots=True)
class Reinforcement:
    """Personnel arriving at a constant rate during the window ``[start_h, end_h)``.

    Attributes:
        start_h: Start of the arrival window (hours from the start of the battle).
        end_h: End of the arrival window (hours from the start of the battle, >= start_h).
        rate_per_h: Arrival rate (personnel per hour, >= 0).

    """

    start_h: float
    end_h: float
    rate_per_h: float

    def __post_init__(self) -> None:
        _check_finite(self.start_h, "reinforcement start_h")
        _check_finite(self.end_h, "reinforcement end_h")
        _check_finite(self.rate_per_h, "reinforcement rate_per_h")
        if self.end_h < self.start_h:
            raise ValueError(
                f"reinforcement end_h ({self.end_h}) must not be before start_h ({self.start_h})"
            )
        if self.rate_per_h < 0:
            raise ValueError(
                f"reinforcement rate_per_h must be >= 0 (personnel per hour), got "
                f"{self.rate_per_h}; model losses with Side.external_losses_per_h"
            )

    @property
    def total(self) -> float:
        """Total personnel delivered by the whole window (personnel)."""
        return self.rate_per_h * (self.end_h - self.start_h)

    def amount_between(self, t0_h: float, t1_h: float) -> float:
        """Personnel arriving during ``[t0_h, t1_h)``.

        Args:
            t0_h: Start of the interval (hours).
            t1_h: End of the interval (hours).

        Returns:
            The number of personnel (not rounded) arriving in the interval.

        """
        overlap = min(t1_h, self.end_h) - max(t0_h, self.start_h)
        return self.rate_per_h * overlap if overlap > 0.0 else 0.0


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a battle.

    Attributes:
        name: Name of the side, used in :class:`BattleResult` (``winner``, ``ended_by``).
        strength: Initial strength (personnel, >= 0).
        kill_rate: Attrition coefficient of this side's fire on the enemy (per hour, >= 0).
            Its meaning depends on the law: for the square law, enemy casualties per hour
            per own fighter; for the linear law, per own fighter per enemy fighter; for the
            logarithmic law, the enemy's fractional loss rate.
        breakpoint: Fraction (in (0, 1]) of initial strength plus reinforcements received
            whose loss makes this side break off; ``None`` means it never breaks.
        reinforcements: Arrival windows (personnel per hour during ``[start_h, end_h)``).
            A list is accepted and stored as a tuple.
        external_losses_per_h: Losses from outside the duel, such as close air support
            (personnel per hour, >= 0), applied while the strength is positive.

    """

    name: str
    strength: float
    kill_rate: float
    breakpoint: float | None = None
    reinforcements: tuple[Reinforcement, ...] = ()
    external_losses_per_h: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.reinforcements, tuple):
            object.__setattr__(self, "reinforcements", tuple(self.reinforcements))
        for r in self.reinforcements:
            if not isinstance(r, Reinforcement):
                raise ValueError(
                    f"side {self.name!r}: reinforcements must be Reinforcement objects, got {r!r}"
                )
        _check_finite(self.strength, f"side {self.name!r}: strength")
        _check_finite(self.kill_rate, f"side {self.name!r}: kill_rate")
        _check_finite(self.external_losses_per_h, f"side {self.name!r}: external_losses_per_h")
        if self.strength < 0:
            raise ValueError(
                f"side {self.name!r}: strength must be >= 0 (personnel), got {self.strength}"
            )
        if self.kill_rate < 0:
            raise ValueError(
                f"side {self.name!r}: kill_rate must be >= 0 (per hour), got {self.kill_rate}"
            )
        if self.external_losses_per_h < 0:
            raise ValueError(
                f"side {self.name!r}: external_losses_per_h must be >= 0 (personnel per hour), "
                f"got {self.external_losses_per_h}"
            )
        bp = self.breakpoint
        if bp is not None and not (0.0 < bp <= 1.0):
            raise ValueError(
                f"side {self.name!r}: breakpoint must be a fraction in (0, 1] or None, got {bp}"
            )


EndEvent = Literal["breakpoint", "annihilation"]
"""How a side's battle ended: it reached its breakpoint, or it was annihilated."""


@dataclass(frozen=True, slots=True)
class BattleResult:
    """Outcome and (optionally) trajectory of one simulated battle.

    Strengths, losses and reinforcements are in personnel, times in hours. Conservation
    holds for each side: ``initial + reinforcements - losses == final`` (to rounding in
    deterministic mode, exactly in stochastic mode).

    Attributes:
        law: Attrition law used.
        mode: ``"deterministic"`` or ``"stochastic"``.
        duration_h: Time at which the battle ended (hours).
        winner: Name of the side that did not break or was not annihilated; ``None`` at
            the time limit or when both sides ended at the same time.
        ended_by: ``"breakpoint:<name>"``, ``"annihilation:<name>"`` or ``"time_limit"``.
            When both sides end at the same time both events are listed, red first,
            separated by a comma (e.g. ``"breakpoint:red,breakpoint:blue"``).
        red_name: Name of the red side.
        blue_name: Name of the blue side.
        red_end: How red ended (``"breakpoint"`` or ``"annihilation"``), None if it did not:
            the typed form of ``ended_by``, for code that acts on the outcome.
        blue_end: How blue ended, likewise.
        red_initial: Red initial strength (personnel; rounded to an integer in stochastic
            mode).
        blue_initial: Blue initial strength (personnel; rounded likewise).
        red_final: Red strength at the end (personnel).
        blue_final: Blue strength at the end (personnel).
        red_losses: Red losses, attrition plus external (personnel).
        blue_losses: Blue losses, attrition plus external (personnel).
        red_reinforcements: Red reinforcements received (personnel).
        blue_reinforcements: Blue reinforcements received (personnel).
        times: Time of each recorded point (hours): the start, the end of every step, the
            end of the battle. Empty when ``record=False``.
        red_strength: Red strength at ``times`` (personnel). Empty when ``record=False``.
        blue_strength: Blue strength at ``times`` (personnel). Empty when ``record=False``.

    """

    law: str
    mode: str
    duration_h: float
    winner: str | None
    ended_by: str
    red_name: str
    blue_name: str
    red_initial: float
    blue_initial: float
    red_final: float
    blue_final: float
    red_losses: float
    blue_losses: float
    red_reinforcements: float
    blue_reinforcements: float
    times: FloatArray = field(default_factory=lambda: _EMPTY)
    red_strength: FloatArray = field(default_factory=lambda: _EMPTY)
    blue_strength: FloatArray = field(default_factory=lambda: _EMPTY)
    red_end: EndEvent | None = None
    blue_end: EndEvent | None = None

    @property
    def red_ended(self) -> bool:
        """Whether red broke or was annihilated."""
        return self.red_end is not None

    @property
    def blue_ended(self) -> bool:
        """Whether blue broke or was annihilated."""
        return self.blue_end is not None

    def __eq__(self, other: object) -> bool:
        """Field-by-field equality, comparing the trajectory arrays element-wise."""
        if not isinstance(other, BattleResult):
            return NotImplemented
        for f in fields(self):
            mine: Any = getattr(self, f.name)
            theirs: Any = getattr(other, f.name)
            if isinstance(mine, np.ndarray):
                if not np.array_equal(mine, theirs):
                    return False
            elif mine != theirs:
                return False
        return True

    __hash__ = None  # type: ignore[assignment]  # holds arrays: unhashable

    def to_frame(self) -> pd.DataFrame:
        """Return the recorded trajectory as a table.

        Returns:
            A DataFrame with columns ``time_h`` (hours), ``red_strength`` and
            ``blue_strength`` (personnel), one row per recorded point (no rows if the
            battle was run with ``record=False``). ``attrs`` holds the side names, law,
            mode and ``ended_by``.

        """
        import pandas as pd

        frame = pd.DataFrame(
            {
                "time_h": np.asarray(self.times, dtype=np.float64),
                "red_strength": np.asarray(self.red_strength, dtype=np.float64),
                "blue_strength": np.asarray(self.blue_strength, dtype=np.float64),
            }
        )
        frame.attrs.update(
            red_name=self.red_name,
            blue_name=self.blue_name,
            law=self.law,
            mode=self.mode,
            ended_by=self.ended_by,
        )
        return frame


# --------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------


def _windows(side: Side, max_h: float) -> list[tuple[float, float, float]]:
    """Reinforcement windows that deliver personnel within ``[0, max_h)``."""
    out = []
    for r in side.reinforcements:
        start = max(r.start_h, 0.0)
        end = min(r.end_h, max_h)
        if r.rate_per_h > 0.0 and end > start:
            out.append((start, end, r.rate_per_h))
    return out


def _pending(windows: list[tuple[float, float, float]], t: float) -> bool:
    """Whether any window still delivers personnel after time ``t``."""
    return any(end > t for _, end, _ in windows)


def _rate_at(windows: list[tuple[float, float, float]], t: float) -> float:
    return sum(rate for start, end, rate in windows if start <= t < end)


def _amount(windows: list[tuple[float, float, float]], t0: float, t1: float) -> float:
    total = 0.0
    for start, end, rate in windows:
        overlap = (t1 if t1 < end else end) - (t0 if t0 > start else start)
        if overlap > 0.0:
            total += rate * overlap
    return total


def _ended_by(
    red: Side, blue: Side, red_event: EndEvent | None, blue_event: EndEvent | None
) -> tuple[str, str | None]:
    """Build ``(ended_by, winner)`` from per-side events ("breakpoint"/"annihilation")."""
    if red_event is not None and blue_event is not None:
        return f"{red_event}:{red.name},{blue_event}:{blue.name}", None
    if red_event is not None:
        return f"{red_event}:{red.name}", blue.name
    if blue_event is not None:
        return f"{blue_event}:{blue.name}", red.name
    return "time_limit", None


def _validate(
    red: Side, blue: Side, law: str, mode: str, dt_h: float, max_h: float, helmbold_w: float
) -> LawFunction:
    for side, role in ((red, "red"), (blue, "blue")):
        if not isinstance(side, Side):
            raise ValueError(f"{role} must be a Side, got {type(side).__name__}")
    if red.name == blue.name:
        raise ValueError(f"the two sides must have different names, both are {red.name!r}")
    law_fn = get_law(law)
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(map(repr, MODES))}")
    if not (math.isfinite(dt_h) and dt_h > 0):
        raise ValueError(f"dt_h must be a positive number of hours, got {dt_h}")
    if not (math.isfinite(max_h) and max_h > 0):
        raise ValueError(f"max_h must be a positive number of hours, got {max_h}")
    if not (0.0 <= helmbold_w <= 1.0):
        raise ValueError(f"helmbold_w must lie in [0, 1] (dimensionless), got {helmbold_w}")
    return law_fn


def simulate(
    red: Side,
    blue: Side,
    *,
    law: str = "square",
    mode: str = "deterministic",
    dt_h: float = 1 / 60,
    max_h: float = 72.0,
    rng: np.random.Generator | None = None,
    helmbold_w: float = 0.5,
    record: bool = True,
) -> BattleResult:
    """Simulate a battle between ``red`` and ``blue`` under an attrition law.

    With ``x`` the blue strength, ``y`` the red strength, ``a = red.kill_rate`` and
    ``b = blue.kill_rate``, the square law reads ``dx/dt = -a*y``, ``dy/dt = -b*x``; see
    :mod:`kabulsim.combat.laws` for the others. Reinforcement arrival rates are added,
    external losses subtracted, and strengths never go below zero.

    Args:
        red: The red side (strength ``y``).
        blue: The blue side (strength ``x``).
        law: Attrition law, a key of ``LAWS``: ``"square"``, ``"linear"``,
            ``"logarithmic"`` or ``"helmbold"``.
        mode: ``"deterministic"`` (RK4 integration) or ``"stochastic"`` (Poisson losses).
        dt_h: Time step (hours, > 0). The last step is shortened to end at ``max_h``.
            Both modes are explicit: keep the loss in one step a small fraction of each
            side's strength.
        max_h: Time limit (hours, > 0).
        rng: Random generator; required in stochastic mode, ignored otherwise.
        helmbold_w: Helmbold weight ``W`` in [0, 1] (dimensionless), used by the
            ``"helmbold"`` law only (``W=1`` square, ``W=0`` logarithmic).
        record: Whether to record the trajectory; ``False`` leaves the arrays empty and
            is faster.

    Returns:
        The :class:`BattleResult`.

    Raises:
        ValueError: On an unknown law or mode, a non-positive ``dt_h`` or ``max_h``,
            ``helmbold_w`` outside [0, 1], sides with the same name, or a missing ``rng``
            in stochastic mode. Invalid strengths, rates, breakpoints and reinforcement
            windows are rejected when the :class:`Side` / :class:`Reinforcement` is built.

    """
    law_fn = _validate(red, blue, law, mode, dt_h, max_h, helmbold_w)
    n_steps = max(1, math.ceil(max_h / dt_h - 1e-9))
    if mode == "stochastic":
        if rng is None:
            raise ValueError("stochastic mode needs a numpy.random.Generator: pass rng=")
        return _stochastic(red, blue, law, law_fn, dt_h, max_h, n_steps, rng, helmbold_w, record)
    return _deterministic(red, blue, law, law_fn, dt_h, max_h, n_steps, helmbold_w, record)


# --------------------------------------------------------------------------------------
# Deterministic mode
# --------------------------------------------------------------------------------------


def _hermite(p0: float, p1: float, d0: float, d1: float, h: float, s: float) -> float:
    """Cubic Hermite interpolant on a step of length ``h`` at fraction ``s`` in [0, 1]."""
    s2 = s * s
    s3 = s2 * s
    return (
        (2.0 * s3 - 3.0 * s2 + 1.0) * p0
        + (s3 - 2.0 * s2 + s) * h * d0
        + (-2.0 * s3 + 3.0 * s2) * p1
        + (s3 - s2) * h * d1
    )


def _first_crossing(g0: float, g1: float, g_at: Callable[[float], float]) -> float:
    """Fraction of the step where ``g`` (< 0 at 0, >= 0 at 1) first reaches zero (bisection)."""
    if g0 >= 0.0:
        return 0.0
    if g1 < 0.0:  # pragma: no cover - callers only ask when g1 >= 0
        return math.inf
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if g_at(mid) >= 0.0:
            hi = mid
        else:
            lo = mid
    return hi


@dataclass(frozen=True, slots=True)
class _Step:
    """One RK4 sub-step ``[t0, t0 + h]`` with start/end states, end derivatives, rates."""

    h: float
    x: float
    y: float
    x1: float
    y1: float
    dx0: float
    dy0: float
    dx1: float
    dy1: float
    rx: float
    ry: float

    def x_at(self, s: float) -> float:
        return _hermite(self.x, self.x1, self.dx0, self.dx1, self.h, s)

    def y_at(self, s: float) -> float:
        return _hermite(self.y, self.y1, self.dy0, self.dy1, self.h, s)


def _crossing(
    zero: bool,
    bp: float | None,
    total0: float,
    rate: float,
    h: float,
    p0: float,
    p1: float,
    p_at: Callable[[float], float],
) -> tuple[float, EndEvent | None]:
    """Earliest fraction of the step at which one side is annihilated or breaks.

    ``total0`` is the side's initial strength plus reinforcements received at the start of
    the step, ``rate`` its arrival rate during the step, ``p0``/``p1`` its strength at the
    ends of the step and ``p_at`` its interpolated strength. Returns ``(inf, None)`` when
    nothing happens in the step.
    """
    s_zero = _first_crossing(-p0, -p1, lambda s: -p_at(s)) if zero else math.inf
    s_brk = math.inf
    if bp is not None:
        keep = 1.0 - bp
        total1 = total0 + rate * h
        if total1 > 0.0 and keep * total1 - p1 >= 0.0:
            s_brk = _first_crossing(
                keep * total0 - p0 if total0 > 0.0 else -1.0,
                keep * total1 - p1,
                lambda s: keep * (total0 + rate * h * s) - p_at(s),
            )
    if s_zero is math.inf and s_brk is math.inf:
        return math.inf, None
    if s_zero <= s_brk:
        return s_zero, "annihilation"
    return s_brk, "breakpoint"


@dataclass(slots=True)
class _Trajectory:
    """The recorded times and strengths of a fight (kept only when asked for)."""

    record: bool
    times: list[float]
    red: list[float]
    blue: list[float]

    def add(self, t: float, red: float, blue: float) -> None:
        if self.record:
            self.times.append(t)
            self.red.append(red)
            self.blue.append(blue)

    def close(self, t: float, red: float, blue: float) -> None:
        """The end of the fight: a last point, or the final strengths at the last time."""
        if not self.record:
            return
        if t != self.times[-1]:
            self.add(t, red, blue)
        else:
            self.red[-1] = red
            self.blue[-1] = blue

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self.record:
            return _EMPTY, _EMPTY, _EMPTY
        return (
            np.asarray(self.times, dtype=np.float64),
            np.asarray(self.red, dtype=np.float64),
            np.asarray(self.blue, dtype=np.float64),
        )


Derivative = Callable[[float, float, float, float, bool, bool], tuple[float, float]]
"""``(x, y, rx, ry, on_x, on_y) -> (dx/dt, dy/dt)``: blue's and red's rates of change."""


def _split(t0: float, t_end: float, edges: list[float]) -> Iterator[tuple[float, float]]:
    """The sub-steps of ``[t0, t_end]``, split at the reinforcement window edges inside it."""
    i = bisect_right(edges, t0)
    while t0 < t_end:
        t1 = edges[i] if i < len(edges) and edges[i] < t_end else t_end
        yield t0, t1
        t0 = t1
        i += 1


def _rk4(
    deriv: Derivative, x: float, y: float, h: float, rates: tuple[float, float, bool, bool]
) -> tuple[float, float, float, float]:
    """Classical RK4 over a sub-step of length ``h``: the end state and the start derivative."""
    rx, ry, on_x, on_y = rates
    k1x, k1y = deriv(x, y, rx, ry, on_x, on_y)
    k2x, k2y = deriv(x + 0.5 * h * k1x, y + 0.5 * h * k1y, rx, ry, on_x, on_y)
    k3x, k3y = deriv(x + 0.5 * h * k2x, y + 0.5 * h * k2y, rx, ry, on_x, on_y)
    k4x, k4y = deriv(x + h * k3x, y + h * k3y, rx, ry, on_x, on_y)
    x1 = x + h / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
    y1 = y + h / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y)
    return x1, y1, k1x, k1y


@dataclass(frozen=True, slots=True)
class _Ending:
    """Where a fight ends inside a sub-step: the time, final strengths and each side's end."""

    t_end: float
    x: float
    y: float
    red: EndEvent | None
    blue: EndEvent | None


def _ending(
    st: _Step,
    t0: float,
    totals: tuple[float, float],
    breakpoints: tuple[float | None, float | None],
    zero: tuple[bool, bool],
) -> _Ending | None:
    """The end inside the sub-step ``st`` from ``t0``, if a side breaks or is annihilated.

    ``totals`` are what blue and red had at the sub-step's start (initial plus received),
    ``breakpoints`` their breakpoints, ``zero`` whether each reaches zero with nothing to
    come; the crossings are located by Hermite interpolation (:func:`_crossing`).
    """
    bp_x, bp_y = breakpoints
    sx, ev_x = _crossing(zero[0], bp_x, totals[0], st.rx, st.h, st.x, st.x1, st.x_at)
    sy, ev_y = _crossing(zero[1], bp_y, totals[1], st.ry, st.h, st.y, st.y1, st.y_at)
    s_end = min(sx, sy)
    if s_end > 1.0:
        return None
    blue_event = ev_x if sx <= s_end + _TIE_FRACTION else None
    red_event = ev_y if sy <= s_end + _TIE_FRACTION else None
    xf = 0.0 if blue_event == "annihilation" else max(st.x_at(s_end), 0.0)
    yf = 0.0 if red_event == "annihilation" else max(st.y_at(s_end), 0.0)
    return _Ending(t0 + s_end * st.h, xf, yf, red_event, blue_event)


def _deterministic(
    red: Side,
    blue: Side,
    law: str,
    law_fn: LawFunction,
    dt: float,
    max_h: float,
    n_steps: int,
    w: float,
    record: bool,
) -> BattleResult:
    a = red.kill_rate
    b = blue.kill_rate
    ex_x = blue.external_losses_per_h
    ex_y = red.external_losses_per_h
    win_x = _windows(blue, max_h)
    win_y = _windows(red, max_h)
    edges = sorted({t for s, e, _ in win_x + win_y for t in (s, e) if 0.0 < t < max_h})
    bp_x = blue.breakpoint
    bp_y = red.breakpoint
    x0 = float(blue.strength)
    y0 = float(red.strength)

    def deriv(
        xv: float, yv: float, rx: float, ry: float, on_x: bool, on_y: bool
    ) -> tuple[float, float]:
        # Laws are evaluated on non-negative strengths; a side's losses apply during a
        # sub-step if its strength was positive at the start of the sub-step, so an RK4
        # stage that overshoots below zero sees the smooth continuation of the law.
        lx, ly = law_fn(xv if xv > 0.0 else 0.0, yv if yv > 0.0 else 0.0, a, b, w)
        return (rx - lx - ex_x if on_x else rx), (ry - ly - ex_y if on_y else ry)

    path = _Trajectory(record, [0.0], [y0], [x0])

    def finish(end: _Ending, received: tuple[float, float]) -> BattleResult:
        path.close(end.t_end, end.y, end.x)
        return _deterministic_result(
            red, blue, law, end, (y0, x0, received[1], received[0]), path.arrays()
        )

    # A side with nothing at the start and nothing to come is annihilated at once.
    ann_x = x0 <= 0.0 and not _pending(win_x, 0.0)
    ann_y = y0 <= 0.0 and not _pending(win_y, 0.0)
    if ann_x or ann_y:
        events: tuple[EndEvent | None, EndEvent | None] = (
            "annihilation" if ann_y else None,
            "annihilation" if ann_x else None,
        )
        return finish(_Ending(0.0, x0, y0, *events), (0.0, 0.0))

    x, y = x0, y0
    rec_x, rec_y = 0.0, 0.0  # reinforcements received so far
    last = n_steps - 1
    for k in range(n_steps):
        t_step1 = max_h if k == last else min((k + 1) * dt, max_h)
        # Sub-steps split at reinforcement window edges: rates are constant in each.
        for t0, t1 in _split(k * dt, t_step1, edges):
            h = t1 - t0
            rx = _rate_at(win_x, t0) if win_x else 0.0
            ry = _rate_at(win_y, t0) if win_y else 0.0
            rates = (rx, ry, x > 0.0, y > 0.0)
            x1, y1, k1x, k1y = _rk4(deriv, x, y, h, rates)
            zero_x = x1 <= 0.0 and not _pending(win_x, t0)
            zero_y = y1 <= 0.0 and not _pending(win_y, t0)
            brk_x = bp_x is not None and (1.0 - bp_x) * (x0 + rec_x + rx * h) - x1 >= 0.0
            brk_y = bp_y is not None and (1.0 - bp_y) * (y0 + rec_y + ry * h) - y1 >= 0.0
            if zero_x or zero_y or brk_x or brk_y:
                d1x, d1y = deriv(x1, y1, *rates)
                st = _Step(h, x, y, x1, y1, k1x, k1y, d1x, d1y, rx, ry)
                end = _ending(st, t0, (x0 + rec_x, y0 + rec_y), (bp_x, bp_y), (zero_x, zero_y))
                if end is not None:
                    received = (
                        _amount(win_x, 0.0, end.t_end) if win_x else 0.0,
                        _amount(win_y, 0.0, end.t_end) if win_y else 0.0,
                    )
                    return finish(end, received)
            x = x1 if x1 > 0.0 else 0.0
            y = y1 if y1 > 0.0 else 0.0
            # Received so far, from the windows themselves (no accumulated rounding).
            rec_x = _amount(win_x, 0.0, t1) if win_x else 0.0
            rec_y = _amount(win_y, 0.0, t1) if win_y else 0.0
        path.add(t_step1, y, x)

    return finish(_Ending(max_h, x, y, None, None), (rec_x, rec_y))


def _deterministic_result(
    red: Side,
    blue: Side,
    law: str,
    end: _Ending,
    counts: tuple[float, float, float, float],
    trajectory: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> BattleResult:
    """The result of a deterministic fight (``counts``: red and blue initial, then received)."""
    y0, x0, ryf, rxf = counts
    ended_by, winner = _ended_by(red, blue, end.red, end.blue)
    return BattleResult(
        law=law,
        mode="deterministic",
        red_end=end.red,
        blue_end=end.blue,
        duration_h=end.t_end,
        winner=winner,
        ended_by=ended_by,
        red_name=red.name,
        blue_name=blue.name,
        red_initial=y0,
        blue_initial=x0,
        red_final=end.y,
        blue_final=end.x,
        red_losses=y0 + ryf - end.y,
        blue_losses=x0 + rxf - end.x,
        red_reinforcements=ryf,
        blue_reinforcements=rxf,
        times=trajectory[0],
        red_strength=trajectory[1],
        blue_strength=trajectory[2],
    )


# --------------------------------------------------------------------------------------
# Stochastic mode
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    """One side's count in a stochastic fight: strength, losses and arrivals so far."""

    initial: float
    breakpoint: float | None
    external_per_h: float
    windows: list[tuple[float, float, float]]
    strength: float
    loss: float = 0.0
    received: float = 0.0

    @classmethod
    def of(cls, side: Side, max_h: float) -> _Tally:
        """The count of ``side`` at the start (strength rounded to whole personnel)."""
        initial = float(round(side.strength))
        return cls(
            initial, side.breakpoint, side.external_losses_per_h, _windows(side, max_h), initial
        )

    def lose(self, rate: float, h: float, poisson: Callable[[float], Any]) -> None:
        """Draw the step's losses: Poisson with the expected loss, capped at the strength."""
        if self.strength > 0.0:
            mean = (rate + self.external_per_h) * h
            if mean > 0.0:
                d = float(poisson(mean)) if mean < _POISSON_MAX_MEAN else float(round(mean))
                if d > self.strength:
                    d = self.strength
                self.strength -= d
                self.loss += d

    def reinforce(self, t0: float, t1: float, uniform: Callable[[], float]) -> None:
        """The step's arrivals: the expected number, stochastically rounded."""
        if self.windows:
            e = _amount(self.windows, t0, t1)
            if e > 0.0:
                n = math.floor(e)
                if uniform() < e - n:
                    n += 1
                self.strength += n
                self.received += n

    def ended(self, t: float) -> EndEvent | None:
        """Whether the side is annihilated or broken at time ``t``."""
        if self.strength <= 0.0 and not _pending(self.windows, t):
            return "annihilation"
        had = self.initial + self.received
        if self.breakpoint is not None and had > 0.0 and self.loss >= self.breakpoint * had:
            return "breakpoint"
        return None


def _stochastic(
    red: Side,
    blue: Side,
    law: str,
    law_fn: LawFunction,
    dt: float,
    max_h: float,
    n_steps: int,
    rng: np.random.Generator,
    w: float,
    record: bool,
) -> BattleResult:
    x = _Tally.of(blue, max_h)
    y = _Tally.of(red, max_h)
    # A side with nothing at the start and nothing to come is annihilated at once.
    blue_event: EndEvent | None = None
    red_event: EndEvent | None = None
    if x.strength <= 0.0 and not _pending(x.windows, 0.0):
        blue_event = "annihilation"
    if y.strength <= 0.0 and not _pending(y.windows, 0.0):
        red_event = "annihilation"
    started = red_event is None and blue_event is None
    if started and law_fn is square and not (x.windows or y.windows or record):
        # The common case (square law, no reinforcements, no trajectory): the same steps,
        # draws and checks as the general loop, with the law inlined.
        return _stochastic_square(red, blue, law, dt, max_h, n_steps, rng)
    path = _Trajectory(record, [0.0], [y.strength], [x.strength])
    t_end = 0.0
    if started:
        red_event, blue_event, t_end = _stochastic_steps(
            x, y, law_fn, (red.kill_rate, blue.kill_rate, w), (dt, max_h, n_steps), rng, path
        )
    return _stochastic_result(
        red,
        blue,
        law,
        (red_event, blue_event, t_end),
        (y.initial, x.initial, y.strength, x.strength, y.loss, x.loss, y.received, x.received),
        path.arrays(),
    )


def _stochastic_steps(
    x: _Tally,
    y: _Tally,
    law_fn: LawFunction,
    rates: tuple[float, float, float],
    steps: tuple[float, float, int],
    rng: np.random.Generator,
    path: _Trajectory,
) -> tuple[EndEvent | None, EndEvent | None, float]:
    """Step the fight until a side ends or time runs out: (red's end, blue's end, duration).

    Each step: both sides' losses from the law at the step's start (blue's draw first),
    then the arrivals (blue's first), then the end checks.
    """
    a, b, w = rates
    dt, max_h, n_steps = steps
    poisson = rng.poisson
    uniform = rng.random
    last = n_steps - 1
    for k in range(n_steps):
        t0 = k * dt
        t1 = max_h if k == last else (k + 1) * dt
        h = t1 - t0
        lx, ly = law_fn(x.strength, y.strength, a, b, w)
        x.lose(lx, h, poisson)
        y.lose(ly, h, poisson)
        x.reinforce(t0, t1, uniform)
        y.reinforce(t0, t1, uniform)
        path.add(t1, y.strength, x.strength)
        blue_event = x.ended(t1)
        red_event = y.ended(t1)
        if red_event is not None or blue_event is not None:
            return red_event, blue_event, t1
    return None, None, max_h


def _stochastic_result(
    red: Side,
    blue: Side,
    law: str,
    end: tuple[EndEvent | None, EndEvent | None, float],
    counts: tuple[float, float, float, float, float, float, float, float],
    trajectory: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> BattleResult:
    """The result of a stochastic fight.

    ``end`` is (red's end, blue's end, duration); ``counts`` red and blue initial, final,
    losses and reinforcements (red first in each pair); ``trajectory`` the recorded times,
    red and blue strengths (or empty arrays).
    """
    red_event, blue_event, t_end = end
    y0, x0, y, x, loss_y, loss_x, rec_y, rec_x = counts
    ended_by, winner = _ended_by(red, blue, red_event, blue_event)
    return BattleResult(
        law=law,
        mode="stochastic",
        red_end=red_event,
        blue_end=blue_event,
        duration_h=t_end,
        winner=winner,
        ended_by=ended_by,
        red_name=red.name,
        blue_name=blue.name,
        red_initial=y0,
        blue_initial=x0,
        red_final=y,
        blue_final=x,
        red_losses=loss_y,
        blue_losses=loss_x,
        red_reinforcements=rec_y,
        blue_reinforcements=rec_x,
        times=trajectory[0],
        red_strength=trajectory[1],
        blue_strength=trajectory[2],
    )


def _stochastic_square(
    red: Side,
    blue: Side,
    law: str,
    dt: float,
    max_h: float,
    n_steps: int,
    rng: np.random.Generator,
) -> BattleResult:
    """:func:`_stochastic` under the square law, without reinforcements or a trajectory."""
    a = red.kill_rate
    b = blue.kill_rate
    ex_x = blue.external_losses_per_h
    ex_y = red.external_losses_per_h
    bp_x = blue.breakpoint
    bp_y = red.breakpoint
    x0 = float(round(blue.strength))
    y0 = float(round(red.strength))
    poisson = rng.poisson
    rec_x = rec_y = 0.0
    x, y = x0, y0
    loss_x = loss_y = 0.0
    red_event: EndEvent | None = None
    blue_event: EndEvent | None = None
    t_end = max_h
    last = n_steps - 1
    for k in range(n_steps):
        t0 = k * dt
        t1 = max_h if k == last else (k + 1) * dt
        h = t1 - t0
        lx, ly = a * y, b * x
        if x > 0.0:
            mean = (lx + ex_x) * h
            if mean > 0.0:
                d = float(poisson(mean)) if mean < _POISSON_MAX_MEAN else float(round(mean))
                if d > x:
                    d = x
                x -= d
                loss_x += d
        if y > 0.0:
            mean = (ly + ex_y) * h
            if mean > 0.0:
                d = float(poisson(mean)) if mean < _POISSON_MAX_MEAN else float(round(mean))
                if d > y:
                    d = y
                y -= d
                loss_y += d
        if x <= 0.0:
            blue_event = "annihilation"
        elif bp_x is not None and x0 + rec_x > 0.0 and loss_x >= bp_x * (x0 + rec_x):
            blue_event = "breakpoint"
        if y <= 0.0:
            red_event = "annihilation"
        elif bp_y is not None and y0 + rec_y > 0.0 and loss_y >= bp_y * (y0 + rec_y):
            red_event = "breakpoint"
        if red_event is not None or blue_event is not None:
            t_end = t1
            break
    return _stochastic_result(
        red,
        blue,
        law,
        (red_event, blue_event, t_end),
        (y0, x0, y, x, loss_y, loss_x, rec_y, rec_x),
        (_EMPTY, _EMPTY, _EMPTY),
    )
