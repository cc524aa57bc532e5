"""The shared state of one replication: forces, morale, who holds Kabul, and the phase events.

Phases are SimPy processes (one module each) that communicate only through this object:
its state variables and its SimPy events. A phase waits on another phase's event (the front
breaking, the city emptying), never on a fixed date. Randomness comes from one
``numpy.random.Generator`` per phase (``world.rng[phase name]``), keyed by the phase's name
(see :mod:`kabulsim.model.phases`), so that two scenarios run with the same seed share the
random numbers of every phase they have in common (common random numbers). A phase draws
only from its own stream.

Ownership. The world's shared state is changed through named methods: the fronts'
(:class:`Front`: ``lose``, ``set_strength``, ``scale_morale``, ``recover``), the ledger's
(:class:`Ledger`: ``kill``, ``wound``, ``capture``, ``withdraw``) and the world's (the Kabul
garrison, the stragglers, who holds the city, the alliance's strength and morale,
``book_prisoners``); no property getter changes anything. The outcomes of the replication
live in ``world.out`` (:class:`kabulsim.outputs.OutcomeRow`), by name. The state variables
are read by name (:data:`NUMBER_READERS`, :data:`LABEL_READERS`) when a snapshot is taken.

Taliban fighters are accounted for in a ledger. At every moment::

    initial + reinforcements == active + killed + wounded + captured_or_defected + withdrawn

where *active* counts the fighters still in the modelled theatre (the Shamali front, Kabul,
the north, on the road between them, elsewhere in the country, and stragglers hiding in
Kabul), *wounded* the battle
casualties who survive (out of action, evacuated), and *withdrawn* counts
those who left it along the Kandahar and Tora Bora routes or fell back from Mazar-i-Sharif.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Literal

import numpy as np
import simpy
from numpy.typing import NDArray

from kabulsim.model.records import Recorder, Series
from kabulsim.outputs import (
    OUTCOMES,
    STATE,
    STATE_CATEGORICAL,
    STATE_NUMERIC,
    Outcome,
    OutcomeRow,
)
from kabulsim.scenario.schema import Scenario
from kabulsim.timebase import to_hours

CityHolder = Literal["taliban", "none", "alliance"]
KillCause = Literal["air", "battle", "city", "vengeance", "north"]
Route = Literal["north", "kandahar", "tora_bora"]


@dataclass(slots=True)
class Front:
    """A Taliban force holding a line: its strength and its morale (1 = typical)."""

    name: str
    strength: float
    morale: float
    controllers_h: float | None
    """Clock time (h) from which ground controllers direct strikes here; None: never."""
    alliance: float = 0.0
    """Alliance fighters in the line facing this front."""
    alliance_morale: float = 1.0
    """The facing alliance force's morale (1 = typical)."""
    alliance_reserve: float = 0.0
    """Alliance fighters behind the line who can be massed for an assault."""
    establishment: float = 0.0
    """The line strength the Taliban command tries to keep (its initial strength)."""
    holds: bool = True
    """Whether the Taliban still hold a line here."""
    best_odds: float = 0.0
    """The best odds the alliance commander has estimated so far."""
    assaults: int = 0
    """Alliance assaults made on this front."""

    def controlled(self, t_h: float) -> bool:
        """Whether ground controllers are directing strikes on this front at ``t_h``."""
        return self.controllers_h is not None and t_h >= self.controllers_h

    def lose(self, fighters: float) -> None:
        """The front loses ``fighters`` (killed, or gone elsewhere: the caller books where)."""
        self.strength -= fighters

    def set_strength(self, fighters: float) -> None:
        """The front's strength after a fight (the engine's final strength)."""
        self.strength = fighters

    def scale_morale(self, factor: float) -> None:
        """Multiply the front's morale by ``factor`` (strikes, shock, fear of encirclement)."""
        self.morale *= factor

    def recover(self, share: float) -> None:
        """Morale recovers ``share`` of the way back to 1."""
        self.morale += share * (1.0 - self.morale)


@dataclass(slots=True)
class Ledger:
    """Where every Taliban fighter went (fighters). Changed only through its methods."""

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

    def kill(self, cause: KillCause, fighters: float) -> None:
        """Book ``fighters`` killed by ``cause``."""
        if cause == "air":
            self.killed_air += fighters
        elif cause == "battle":
            self.killed_battle += fighters
        elif cause == "city":
            self.killed_city += fighters
        elif cause == "vengeance":
            self.killed_vengeance += fighters
        else:
            self.killed_north += fighters

    def wound(self, fighters: float) -> None:
        """Book ``fighters`` wounded (out of action, they survive)."""
        self.wounded += fighters

    def capture(self, fighters: float) -> None:
        """Book ``fighters`` taken prisoner or changed sides."""
        self.captured_or_defected += fighters

    def come_back(self, route: Route, fighters: float) -> None:
        """Book ``fighters`` who had left along ``route`` coming back into the theatre."""
        self.withdraw(route, -fighters)

    def withdraw(self, route: Route, fighters: float) -> None:
        """Book ``fighters`` leaving the modelled theatre along ``route``."""
        if route == "kandahar":
            self.to_kandahar += fighters
        elif route == "tora_bora":
            self.to_tora_bora += fighters
        else:
            self.withdrawn_north += fighters

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


@dataclass
class World:
    """Everything the phase processes share in one replication."""

    env: simpy.Environment
    scenario: Scenario
    rng: dict[str, np.random.Generator]
    recorder: Recorder = field(default_factory=Recorder)
    outcomes: tuple[Outcome, ...] = OUTCOMES
    """The declared outcomes (:data:`kabulsim.outputs.OUTCOMES`): the columns of ``out``."""

    def __post_init__(self) -> None:
        sc = self.scenario
        f = sc.forces
        self.horizon_h = sc.horizon_days * 24.0
        self.shamali = Front(
            "shamali",
            float(f.taliban_shamali),
            1.0,
            self._h(sc.air.controllers_shamali),
            alliance=float(f.alliance_shamali),
            alliance_morale=sc.morale.alliance_initial,
            alliance_reserve=float(f.alliance_reserve_shamali),
            establishment=float(f.taliban_shamali),
        )
        self.north = Front(
            "north",
            float(f.taliban_north),
            1.0,
            self._h(sc.air.controllers_north),
            alliance=float(f.alliance_north),
            alliance_morale=sc.morale.alliance_initial,
            establishment=float(f.taliban_north),
        )
        self.in_transit = 0.0
        """Taliban fighters on the road between Kabul and a front (see model.command)."""
        self.kabul_resolve: float | None = None
        """Morale of a deliberate defence of Kabul (None: the fighters in the city are the
        broken front's, and fight with its morale)."""
        foreign = round(f.taliban_kabul * f.foreign_share)
        self.kabul_foreign = float(foreign)
        self.kabul_afghan = float(f.taliban_kabul - foreign)
        self.elsewhere = float(
            f.taliban_national - f.taliban_shamali - f.taliban_kabul - f.taliban_north
        )
        self.stragglers_afghan = 0.0
        """Afghan Taliban left behind in Kabul (fighters); see :meth:`book_prisoners`."""
        self.stragglers_foreign = 0.0
        """Foreign fighters left behind in Kabul (fighters); see :meth:`book_prisoners`."""
        self._captures: list[tuple[float, bool]] = []
        self._last_snap: tuple[Any, ...] | None = None
        self._hour_of: dict[object, float | None] = {}
        self._next_capture = 0
        self.city_holder: CityHolder = "taliban"
        self.ledger = Ledger(initial=float(f.taliban_national))
        self.out = OutcomeRow(self.outcomes)
        env = self.env
        self.mazar_fallen = env.event()
        self.front_broken = env.event()
        self.evacuation_decided = env.event()
        self.city_empty = env.event()
        self.alliance_at_gates = env.event()
        self.alliance_in_city = env.event()
        self._milestones: dict[str, simpy.Event] = {}
        from kabulsim.model.vacuum import new_city

        self.city = new_city(env)
        """Kabul once the Taliban have left: factions, clashes, the political track's effects
        (owned by :mod:`kabulsim.model.vacuum`)."""
        self.force_arrives_h = self._h(sc.political.force_arrives)
        """Clock time (h) of the first international troops in Kabul; None: never. Set by
        the political track (postponed until the Taliban have left the city)."""

    def _h(self, when: object) -> float | None:
        from datetime import datetime

        if when is None:
            return None
        assert isinstance(when, datetime)
        return to_hours(self.scenario.start, when)

    def hours(self, when: object) -> float | None:
        """Clock time (h) of a scenario date, or None when the date is unset."""
        try:
            return self._hour_of[when]
        except KeyError:  # the first time this date is asked for in this replication
            hours = self._hour_of[when] = self._h(when)
            return hours

    def milestone(self, name: str) -> simpy.Event:
        """The shared event ``name``, created on first use (for phases added later).

        A new phase announces its milestone with ``world.milestone("x").succeed()`` and
        another waits for it with ``yield world.milestone("x")``, without a new attribute
        on the world. The original phases' events are attributes (``front_broken`` ...).
        """
        event = self._milestones.get(name)
        if event is None:
            event = self._milestones[name] = self.env.event()
        return event

    def log(self, phase: str, kind: str, detail: str = "", value: float = float("nan")) -> None:
        """Record an event at the current clock time, and the state after it."""
        self.recorder.event(self.env.now, phase, kind, detail, value)
        self.snap()

    # --- The alliance ------------------------------------------------------------------------

    def set_alliance_strength(self, fighters: float) -> None:
        """The alliance's strength on the Shamali front after a fight."""
        self.shamali.alliance = fighters

    def raise_alliance_morale(self, amount: float) -> None:
        """The alliance's morale rises by ``amount`` (at most 1)."""
        front = self.shamali
        front.alliance_morale = min(1.0, front.alliance_morale + amount)

    # --- Kabul: the garrison, the stragglers, who holds the city ----------------------------

    def join_kabul(self, afghan: float, foreign: float) -> None:
        """Fighters arrive in Kabul (falling back from a front)."""
        self.kabul_afghan += afghan
        self.kabul_foreign += foreign

    def leave_kabul(self, afghan: float, foreign: float) -> None:
        """Fighters leave the organised force in Kabul (withdrawing or left behind)."""
        self.kabul_afghan -= afghan
        self.kabul_foreign -= foreign

    def set_kabul(self, afghan: float, foreign: float) -> None:
        """The organised force in Kabul after a fight."""
        self.kabul_afghan = afghan
        self.kabul_foreign = foreign

    def return_to_kabul(self, fighters: float) -> None:
        """Fighters who withdrew towards Kandahar retake Kabul (a return from the south)."""
        self.ledger.come_back("kandahar", fighters)
        self.kabul_afghan += fighters
        self.city_holder = "taliban"

    def set_city_holder(self, holder: CityHolder) -> None:
        """Record who now holds Kabul."""
        self.city_holder = holder

    def add_stragglers(self, afghan: float, foreign: float) -> None:
        """Fighters left behind in Kabul when the organised force leaves."""
        self.book_prisoners()
        self.stragglers_afghan += afghan
        self.stragglers_foreign += foreign
        self._straggler_log()

    def remove_straggler(self, foreign: bool) -> None:
        """One straggler is no longer hiding in Kabul (found by inhabitants)."""
        self.book_prisoners()
        if foreign:
            self.stragglers_foreign -= 1.0
        else:
            self.stragglers_afghan -= 1.0
        self._straggler_log()

    # Stragglers taken prisoner by the force in control are scheduled in advance (see
    # kabulsim.model.aftermath) and booked, each at its own time, by book_prisoners: exact,
    # and without a simulation event for each. Code that reads the straggler counts at an
    # arbitrary time calls book_prisoners first.

    def schedule_captures(self, captures: list[tuple[float, bool]]) -> None:
        """Schedule stragglers to be taken prisoner: ``(clock time h, foreign?)`` pairs."""
        self._captures = sorted(captures)
        self._next_capture = 0

    def book_prisoners(self) -> None:
        """Book the scheduled prisoner-takings due by now, each at its own time."""
        captures = self._captures
        i = self._next_capture
        now = self.env.now + 1e-9
        while i < len(captures) and captures[i][0] <= now:
            t_h, foreign = captures[i]
            if foreign:
                self.stragglers_foreign -= 1.0
            else:
                self.stragglers_afghan -= 1.0
            self.ledger.capture(1.0)
            self._straggler_log(t_h)
            i += 1
        self._next_capture = i

    def _straggler_log(self, t_h: float | None = None) -> None:
        self.recorder.stragglers.extend((self.env.now if t_h is None else t_h, self.stragglers))

    @property
    def alliance_strength(self) -> float:
        """Alliance fighters facing the Shamali front (and, after it breaks, at Kabul)."""
        return self.shamali.alliance

    @property
    def alliance_morale(self) -> float:
        """The morale of the alliance force facing the Shamali front."""
        return self.shamali.alliance_morale

    def defenders_morale(self) -> float:
        """Morale of the Taliban fighting inside Kabul.

        A deliberate defence's own resolve (``withdrawal.defend_resolve``, set when the
        Taliban decide to defend), or else the Shamali front's morale (the fighters in the
        city are the broken front's).
        """
        return self.kabul_resolve if self.kabul_resolve is not None else self.shamali.morale

    @property
    def in_kabul(self) -> float:
        """Organised Taliban fighters in Kabul (stragglers excluded)."""
        return self.kabul_afghan + self.kabul_foreign

    @property
    def stragglers(self) -> float:
        """Stragglers hiding in Kabul (fighters, as booked so far)."""
        return self.stragglers_afghan + self.stragglers_foreign

    @property
    def active(self) -> float:
        """Taliban fighters still in the modelled theatre (as booked so far)."""
        return (
            self.shamali.strength
            + self.north.strength
            + self.in_kabul
            + self.in_transit
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

    # --- The state series -------------------------------------------------------------------

    def state(self) -> dict[str, float | str]:
        """The state variables now, by name (book prisoners first for exact straggler counts)."""
        readers = NUMBER_READERS | LABEL_READERS
        return {name: _read(how, self) for name, how in readers.items()}

    def snap(self) -> None:
        """Record the state after a change (the series is resampled onto its grid at the end).

        Every phase calls this after it changes a state variable, so the state between two
        snapshots is constant and the value at any grid time is the last snapshot before it:
        the time series costs no simulation events.
        """
        # One call reads every recorded value (the snapshotted numbers' terms, then the
        # labels). A snapshot equal to the last one adds nothing to the series (the value at
        # a grid time is the last snapshot before it): keep only the changes.
        values = _SNAP_READ(self)
        if values == self._last_snap:
            return
        self._last_snap = values
        rec = self.recorder
        rec.snapshot_values.append(self.env.now)
        rec.snapshot_values.extend(values[:_SNAP_TERMS])
        rec.snapshot_labels.extend(values[_SNAP_TERMS:])

    def series(self) -> Series:
        """The state on the grid ``0, step, 2 step, ...`` up to the horizon.

        Reads the recorder only: book the prisoners due (:meth:`book_prisoners`) first.
        """
        step = self.scenario.series_step_h
        n = math.floor(self.horizon_h / step + 1e-9) + 1
        grid = np.arange(n, dtype=np.float64) * step
        rec = self.recorder
        width = 1 + _SNAP_TERMS
        snaps = np.array(rec.snapshot_values, dtype=np.float64).reshape(-1, width)
        times = snaps[:, 0]
        log = np.array([0.0, 0.0, *rec.stragglers], dtype=np.float64).reshape(-1, 2)
        log_times = log[:, 0]
        # The last snapshot (and straggler count) at or before each grid time.
        at = np.searchsorted(times, grid + 1e-9, side="right") - 1
        at_log = np.searchsorted(log_times, grid + 1e-9, side="right") - 1
        columns = {name: _column(snaps, at, cols) for name, cols in _SNAP_COLUMNS.items()}
        columns[LOGGED] = log[at_log, 1]
        values = np.column_stack([columns[name] for name in STATE_NUMERIC])
        n_labels = len(STATE_CATEGORICAL)
        flat = np.array(rec.snapshot_labels, dtype=object)
        labels = {
            name: tuple(flat[at * n_labels + k].tolist())
            for k, name in enumerate(STATE_CATEGORICAL)
        }
        return Series(grid, values, labels)


Reader = str | tuple[str, ...] | Callable[["World"], Any]
"""Where a state variable is read on the world: an attribute path (``"shamali.morale"``,
read with :func:`operator.attrgetter`), a tuple of paths whose values add up to it (summed
left to right), or a function of the world."""

NUMBER_READERS: dict[str, Reader] = {
    "taliban_shamali": "shamali.strength",
    "taliban_kabul": ("kabul_afghan", "kabul_foreign"),  # World.in_kabul
    "taliban_north": "north.strength",
    "alliance_shamali": "shamali.alliance",  # World.alliance_strength
    "morale_shamali": "shamali.morale",
    "morale_north": "north.morale",
    "morale_alliance": "shamali.alliance_morale",  # World.alliance_morale
    "stragglers": "stragglers",
}
"""Where each numeric state variable (:data:`kabulsim.outputs.STATE`) is read on the world
(attribute paths, and sums of them, are read in one ``attrgetter`` call per snapshot; a sum's
terms are recorded and added up when the series is built)."""
LABEL_READERS: dict[str, Reader] = {"city_holder": "city_holder"}
"""Where each categorical state variable is read on the world."""

LOGGED = "stragglers"
"""The state variable kept in its own time-stamped log (prisoners are booked at their own,
earlier, times), not in the snapshots."""
SNAPPED: tuple[str, ...] = tuple(name for name in STATE_NUMERIC if name != LOGGED)
"""The numeric state variables recorded in each snapshot, in this order."""

if set(NUMBER_READERS) != set(STATE_NUMERIC) or set(LABEL_READERS) != set(
    STATE_CATEGORICAL
):  # pragma: no cover - a declaration error, caught on import
    raise RuntimeError(
        "kabulsim.model.world: NUMBER_READERS and LABEL_READERS must read exactly the state "
        f"variables declared in kabulsim.outputs.STATE ({', '.join(v.name for v in STATE)})"
    )


def _read(how: Reader, world: World) -> Any:
    """The value of one state variable now."""
    if isinstance(how, str):
        return attrgetter(how)(world)
    if isinstance(how, tuple):
        total = attrgetter(how[0])(world)
        for path in how[1:]:
            total = total + attrgetter(path)(world)
        return total
    return how(world)


def _snapshot_plan(
    numbers: dict[str, Reader], labels: dict[str, Reader]
) -> tuple[Callable[[World], tuple[Any, ...]], int, dict[str, list[int]]]:
    """How a snapshot reads the world (the snapshotted numeric variables' and labels' readers).

    Returns one function giving every recorded value as a tuple (the numeric terms, then
    the labels), the number of numeric terms, and the term columns of each numeric variable
    (added up when there are several).
    """
    terms: list[Reader] = []
    columns: dict[str, list[int]] = {}
    for name, how in numbers.items():
        parts: tuple[Reader, ...] = how if isinstance(how, tuple) else (how,)
        columns[name] = list(range(len(terms), len(terms) + len(parts)))
        terms.extend(parts)
    readers = terms + list(labels.values())
    if len(readers) > 1 and all(isinstance(r, str) for r in readers):
        read: Callable[[World], tuple[Any, ...]] = attrgetter(*readers)  # type: ignore[arg-type]
    else:
        read = lambda w: tuple(_read(r, w) for r in readers)  # noqa: E731
    return read, len(terms), columns


def _column(snaps: NDArray[np.float64], at: NDArray[np.intp], cols: list[int]) -> Any:
    """A snapshotted variable at the rows ``at``: its recorded term, or its terms' sum."""
    total = snaps[at, 1 + cols[0]]
    for j in cols[1:]:
        total = total + snaps[at, 1 + j]
    return total


_SNAP_READ, _SNAP_TERMS, _SNAP_COLUMNS = _snapshot_plan(
    {name: NUMBER_READERS[name] for name in SNAPPED},
    {name: LABEL_READERS[name] for name in STATE_CATEGORICAL},
)


def timer_or(timer: simpy.Timeout, other: simpy.Event) -> Generator[simpy.Event, Any, bool]:
    """Wait for ``timer`` or ``other``, whichever comes first; return whether the timer fired.

    The same as ``yield timer | other`` (then ``timer.processed``) without building a SimPy
    condition: a wake-up event is triggered (scheduled now) when the first of the two is
    processed, exactly as the condition is, so the same events are scheduled at the same
    times in the same order; only the bookkeeping is cheaper. Use with ``yield from``.
    """
    wake = simpy.Event(timer.env)

    def fire(_: simpy.Event) -> None:
        if not wake.triggered:
            wake.succeed()

    events = (timer, other)
    for event in events:
        if event.callbacks is None:
            fire(event)
        else:
            event.callbacks.append(fire)
    yield wake
    for event in events:  # as a condition drops its checks once it has fired
        if event.callbacks and fire in event.callbacks:
            event.callbacks.remove(fire)
    return bool(timer.processed)


def lognormal(rng: np.random.Generator, median: float, sigma: float) -> float:
    """Draw a lognormal delay with the given median (same units) and log-sd ``sigma``."""
    if sigma <= 0.0:
        return median
    return median * math.exp(sigma * float(rng.standard_normal()))
