"""The shared state of one replication: forces, morale, who holds Kabul, and the phase events.

Phases are SimPy processes (one module each) that communicate only through this object:
its state variables and its SimPy events. A phase waits on another phase's event (the front
breaking, the city emptying), never on a fixed date. Randomness comes from one
``numpy.random.Generator`` per phase, all spawned from the replication's seed, so that two
scenarios run with the same seed share the random numbers of every phase they have in common
(common random numbers).

Taliban fighters are accounted for in a ledger. At every moment::

    initial + reinforcements == active + killed + wounded + captured_or_defected + withdrawn

where *active* counts the fighters still in the modelled theatre (the Shamali front, Kabul,
the north, elsewhere in the country, and stragglers hiding in Kabul), *wounded* the battle
casualties who survive (out of action, evacuated), and *withdrawn* counts
those who left it along the Kandahar and Tora Bora routes or fell back from Mazar-i-Sharif.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import simpy

from kabulsim.model.records import Recorder, Series
from kabulsim.scenario.schema import Scenario
from kabulsim.timebase import to_hours

STREAMS = ("air", "north", "shamali", "withdrawal", "alliance", "hvt", "aftermath")
"""One independent random stream per phase, in this fixed order (common random numbers)."""

CityHolder = Literal["taliban", "none", "alliance"]


@dataclass(slots=True)
class Front:
    """A Taliban force holding a line: its strength and its morale (1 = typical)."""

    name: str
    strength: float
    morale: float
    controllers_h: float | None
    """Clock time (h) from which ground controllers direct strikes here; None: never."""

    def controlled(self, t_h: float) -> bool:
        """Whether ground controllers are directing strikes on this front at ``t_h``."""
        return self.controllers_h is not None and t_h >= self.controllers_h


@dataclass(slots=True)
class Ledger:
    """Where every Taliban fighter went (fighters)."""

    initial: float
    reinforcements: float = 0.0
    killed_air: float = 0.0
    killed_battle: float = 0.0
    killed_city: float = 0.0
    killed_vengeance: float = 0.0
    killed_north: float = 0.0
    wounded: float = 0.0
    captured_or_defected: float = 0.0
    withdrawn_north: float = 0.0
    to_kandahar: float = 0.0
    to_tora_bora: float = 0.0

    @property
    def killed(self) -> float:
        """All Taliban fighters killed, whatever the cause."""
        return (
            self.killed_air
            + self.killed_battle
            + self.killed_city
            + self.killed_vengeance
            + self.killed_north
        )

    @property
    def withdrawn(self) -> float:
        """All Taliban fighters who left the modelled theatre."""
        return self.withdrawn_north + self.to_kandahar + self.to_tora_bora


@dataclass(slots=True)
class Outcome:
    """Times (clock hours) and quantities that the summary table reports."""

    mazar_falls: float | None = None
    shamali_start: float | None = None
    shamali_duration_h: float | None = None
    shamali_winner: str = ""
    shamali_assaults: int = 0
    first_assault: float | None = None
    front_broken: float | None = None
    evacuation_decided: float | None = None
    kabul_evacuated: float | None = None
    alliance_at_gates: float | None = None
    alliance_enters_kabul: float | None = None
    entry_despite_orders: bool = False
    resistance_in_city: bool = False
    killed_in_city: float = 0.0
    atef_killed: bool = False
    atef_strike_time: float | None = None
    tips: int = 0
    treasury_emptied: bool = False
    weapons_abandoned: float = float("nan")
    alliance_killed: float = 0.0
    civilians_air: float = 0.0
    civilians_city: float = 0.0
    civilians_disorder: float = 0.0
    vengeance_incidents: int = 0
    stragglers: int = 0
    control_breadth: float = float("nan")
    broad_force_share: float = 0.0
    sorties_flown: float = 0.0


@dataclass
class World:
    """Everything the phase processes share in one replication."""

    env: simpy.Environment
    scenario: Scenario
    rng: dict[str, np.random.Generator]
    recorder: Recorder = field(default_factory=Recorder)

    def __post_init__(self) -> None:
        sc = self.scenario
        f = sc.forces
        self.horizon_h = sc.horizon_days * 24.0
        self.shamali = Front(
            "shamali", float(f.taliban_shamali), 1.0, self._h(sc.air.controllers_shamali)
        )
        self.north = Front("north", float(f.taliban_north), 1.0, self._h(sc.air.controllers_north))
        self.alliance_strength = float(f.alliance_shamali)
        self.alliance_morale = sc.morale.alliance_initial
        foreign = round(f.taliban_kabul * f.foreign_share)
        self.kabul_foreign = float(foreign)
        self.kabul_afghan = float(f.taliban_kabul - foreign)
        self.elsewhere = float(
            f.taliban_national - f.taliban_shamali - f.taliban_kabul - f.taliban_north
        )
        self._stragglers_afghan = 0.0
        self._stragglers_foreign = 0.0
        self._captures: list[tuple[float, bool]] = []
        self._next_capture = 0
        self.city_holder: CityHolder = "taliban"
        self.ledger = Ledger(initial=float(f.taliban_national))
        self.out = Outcome()
        env = self.env
        self.mazar_fallen = env.event()
        self.front_broken = env.event()
        self.evacuation_decided = env.event()
        self.city_empty = env.event()
        self.alliance_at_gates = env.event()
        self.alliance_in_city = env.event()

    def _h(self, when: object) -> float | None:
        from datetime import datetime

        if when is None:
            return None
        assert isinstance(when, datetime)
        return to_hours(self.scenario.start, when)

    def hours(self, when: object) -> float | None:
        """Clock time (h) of a scenario date, or None when the date is unset."""
        return self._h(when)

    def log(self, phase: str, kind: str, detail: str = "", value: float = float("nan")) -> None:
        """Record an event at the current clock time, and the state after it."""
        self.recorder.event(self.env.now, phase, kind, detail, value)
        self.snap()

    # Stragglers taken prisoner by the force in control are scheduled in advance (see
    # kabulsim.model.aftermath) and applied when the state is next read, at their own times:
    # exact, and without a simulation event for each.
    @property
    def stragglers_afghan(self) -> float:
        """Afghan Taliban left behind in Kabul (fighters)."""
        self.settle()
        return self._stragglers_afghan

    @stragglers_afghan.setter
    def stragglers_afghan(self, value: float) -> None:
        self._stragglers_afghan = value
        self._straggler_log()

    @property
    def stragglers_foreign(self) -> float:
        """Foreign fighters left behind in Kabul (fighters)."""
        self.settle()
        return self._stragglers_foreign

    @stragglers_foreign.setter
    def stragglers_foreign(self, value: float) -> None:
        self._stragglers_foreign = value
        self._straggler_log()

    def _straggler_log(self, t_h: float | None = None) -> None:
        self.recorder.stragglers.extend(
            (
                self.env.now if t_h is None else t_h,
                self._stragglers_afghan + self._stragglers_foreign,
            )
        )

    def schedule_captures(self, captures: list[tuple[float, bool]]) -> None:
        """Schedule stragglers to be taken prisoner: ``(clock time h, foreign?)`` pairs."""
        self._captures = sorted(captures)
        self._next_capture = 0

    def settle(self) -> None:
        """Apply the scheduled prisoner-takings due by now, each at its own time."""
        captures = self._captures
        i = self._next_capture
        now = self.env.now + 1e-9
        while i < len(captures) and captures[i][0] <= now:
            t_h, foreign = captures[i]
            if foreign:
                self._stragglers_foreign -= 1.0
            else:
                self._stragglers_afghan -= 1.0
            self.ledger.captured_or_defected += 1.0
            self._straggler_log(t_h)
            i += 1
        self._next_capture = i

    @property
    def in_kabul(self) -> float:
        """Organised Taliban fighters in Kabul (stragglers excluded)."""
        return self.kabul_afghan + self.kabul_foreign

    @property
    def active(self) -> float:
        """Taliban fighters still in the modelled theatre."""
        return (
            self.shamali.strength
            + self.north.strength
            + self.in_kabul
            + self.elsewhere
            + self.stragglers_afghan
            + self.stragglers_foreign
        )

    def conservation_error(self) -> float:
        """Return initial + reinforcements - (active + killed + wounded + captured + withdrawn)."""
        led = self.ledger
        return (led.initial + led.reinforcements) - (
            self.active + led.killed + led.wounded + led.captured_or_defected + led.withdrawn
        )

    def snap(self) -> None:
        """Record the state after a change (the series is resampled onto its grid at the end).

        Every phase calls this after it changes a state variable, so the state between two
        snapshots is constant and the value at any grid time is the last snapshot before it:
        the time series costs no simulation events.
        """
        rec = self.recorder
        rec.snapshot_values.extend(
            (
                self.env.now,
                self.shamali.strength,
                self.kabul_afghan + self.kabul_foreign,
                self.north.strength,
                self.alliance_strength,
                self.shamali.morale,
                self.north.morale,
                self.alliance_morale,
            )
        )
        rec.snapshot_holders.append(self.city_holder)

    def series(self) -> Series:
        """The state on the grid ``0, step, 2 step, ...`` up to the horizon."""
        step = self.scenario.series_step_h
        n = math.floor(self.horizon_h / step + 1e-9) + 1
        self.settle()
        grid = np.arange(n, dtype=np.float64) * step
        rec = self.recorder
        snaps = np.array(rec.snapshot_values, dtype=np.float64).reshape(-1, 8)
        times, numeric = snaps[:, 0], snaps[:, 1:]
        log = np.array([0.0, 0.0, *rec.stragglers], dtype=np.float64).reshape(-1, 2)
        log_times, log_counts = log[:, 0], log[:, 1]
        # The last snapshot (and straggler count) at or before each grid time.
        at = np.searchsorted(times, grid + 1e-9, side="right") - 1
        at_log = np.searchsorted(log_times, grid + 1e-9, side="right") - 1
        values = np.column_stack([numeric[at], log_counts[at_log]])
        holders = tuple(map(rec.snapshot_holders.__getitem__, at.tolist()))
        return Series(grid, values, holders)


def lognormal(rng: np.random.Generator, median: float, sigma: float) -> float:
    """Draw a lognormal delay with the given median (same units) and log-sd ``sigma``."""
    if sigma <= 0.0:
        return median
    return median * math.exp(sigma * float(rng.standard_normal()))
