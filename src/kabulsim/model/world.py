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
the north, on the road between them, elsewhere in the country, stragglers hiding in
Kabul, and those holding a redoubt), *wounded* the battle
casualties who survive (out of action, evacuated), and *withdrawn* counts
those who left it along the Kandahar and Tora Bora routes or fell back from Mazar-i-Sharif.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from operator import attrgetter
from types import SimpleNamespace
from typing import Any, Literal

import numpy as np
import simpy
from numpy.typing import NDArray

from kabulsim.model.city import new_city
from kabulsim.model.laws import stalemate_morale
from kabulsim.model.records import Recorder, Series
from kabulsim.outputs import (
    OUTCOMES_DECLARED,
    STATE_CATEGORICAL,
    STATE_DECLARED,
    Each,
    Outcome,
    OutcomeRow,
    StateVariable,
    per_place,
)
from kabulsim.outputs import of as outputs_of
from kabulsim.places import Place, with_role
from kabulsim.scenario.schema import Scenario
from kabulsim.scenario.theatre import FrontPlan, PocketPlan
from kabulsim.timebase import to_hours

CityHolder = Literal["taliban", "none", "alliance"]
KillCause = Literal["air", "battle", "city", "vengeance", "fall"]
"""How Taliban fighters were killed: by strikes, in an assault on a line, fighting in Kabul,
in vengeance incidents, or when a front's city fell."""
CAUSES: tuple[KillCause, ...] = ("air", "battle", "city", "vengeance", "fall")
"""The causes in the order their totals are summed."""


@dataclass(slots=True)
class AllianceForce:
    """An alliance force facing a front: fighters in the line, morale (1 = typical), reserve."""

    strength: float
    morale: float
    reserve: float = 0.0
    """Fighters behind the line who can be massed for an assault."""


@dataclass(slots=True)
class Front:
    """A Taliban force holding a line: its strength and its morale (1 = typical)."""

    name: str
    strength: float
    morale: float
    controllers_h: float | None
    """Clock time (h) from which ground controllers direct strikes here; None: never."""
    facing: AllianceForce
    """The alliance force in the line facing this front."""
    plan: FrontPlan
    """The front's inputs and roles (:class:`kabulsim.scenario.theatre.FrontPlan`)."""
    outs: dict[str, str]
    """The front's outcome columns, by template key (:func:`kabulsim.outputs.per_place`)."""
    index: int
    """The front's position in the theatre (its column in the air schedule)."""
    establishment: float = 0.0
    """The line strength the Taliban command tries to keep (its initial strength)."""
    holds: bool = True
    """Whether the Taliban still hold a line here."""
    best_odds: float = 0.0
    """The best odds the alliance commander has estimated so far."""
    assaults: int = 0
    """Alliance assaults made on this front."""
    encircled_by: list[tuple[simpy.Event, float]] = field(default_factory=list)
    """(fall event, daily morale factor) of the fronts whose city's fall encircles this one."""
    exposed: float = 0.0
    """Fighters of the line in the open: arrived and not yet in prepared positions (see
    :mod:`kabulsim.model.command`); strikes kill more of them (``command.open_exposure``)."""
    dispersed: bool = False
    """Whether the Taliban command has dispersed the line against the bombing."""
    threatened: bool = False
    """Whether the alliance is massing for an assault here (seen by the Taliban command)."""
    last_strike: float = 0.0
    """Effective strike sorties per thousand fighters of the line in the last day's strikes."""
    fighting: bool = False
    """Whether a fight is under way on this front (the command does not decide meanwhile)."""

    def controlled(self, t_h: float) -> bool:
        """Whether ground controllers are directing strikes on this front at ``t_h``."""
        return self.controllers_h is not None and t_h >= self.controllers_h

    def lose(self, fighters: float, exposed: float | None = None) -> None:
        """The front loses ``fighters`` (killed, or gone elsewhere: the caller books where).

        ``exposed`` of them were in the open (None: in proportion to the line's share in the
        open).
        """
        if exposed is None:
            exposed = fighters * self.exposed / self.strength if self.strength > 0 else 0.0
        self.strength -= fighters
        self.exposed = min(max(0.0, self.exposed - exposed), max(0.0, self.strength))

    def gain(self, fighters: float) -> None:
        """Fighters arrive in the line (reinforcements): in the open until they dig in."""
        self.strength += fighters
        self.exposed += fighters

    def dig_in(self, share: float) -> None:
        """``share`` of the fighters in the open reach prepared positions."""
        self.exposed -= share * self.exposed

    def set_dispersed(self, dispersed: bool) -> None:
        """The Taliban command disperses the line, or concentrates it again."""
        self.dispersed = dispersed

    def set_strength(self, fighters: float) -> None:
        """The front's strength after a fight (the engine's final strength)."""
        self.strength = fighters
        self.exposed = min(self.exposed, max(0.0, fighters))

    def scale_morale(self, factor: float) -> None:
        """Multiply the front's morale by ``factor`` (strikes, shock, fear of encirclement)."""
        self.morale *= factor

    def recover(self, share: float) -> None:
        """Morale recovers ``share`` of the way back to 1."""
        self.morale += share * (1.0 - self.morale)


class Fronts(dict[str, Front]):
    """The fronts by name, in the theatre's order; also read as attributes (state readers)."""

    def __getattr__(self, name: str) -> Front:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(slots=True)
class Pocket:
    """Taliban cut off in a city after the lines broke (see :mod:`kabulsim.model.pocket`)."""

    name: str
    plan: PocketPlan
    """Its inputs and roles (:class:`kabulsim.scenario.theatre.PocketPlan`)."""
    strength: float
    """Fighters in the pocket (foreign fighters included)."""
    foreign: float
    """Foreign fighters among them."""
    morale: float
    outs: dict[str, str]
    """Its outcome columns, by template key (:func:`kabulsim.outputs.per_place`)."""
    controllers_h: float | None = None
    """Clock time (h) from which ground controllers direct the strikes on it; None: never."""
    besiegers: float = 0.0
    """Fighters of the force besieging it (0 until that force arrives)."""
    holds: bool = True
    """Whether the Taliban still hold the city (False once it has surrendered)."""
    surrendered: float = 0.0
    """Fighters who surrendered under its terms."""
    airlifted: float = 0.0
    """Fighters flown out of it."""

    def controlled(self, t_h: float) -> bool:
        """Whether ground controllers are directing the strikes on the pocket at ``t_h``."""
        return self.controllers_h is not None and t_h >= self.controllers_h

    def join(self, fighters: float, foreign: float) -> None:
        """Fighters arrive in the pocket."""
        self.strength += fighters
        self.foreign += foreign

    def lose(self, fighters: float, foreign: float | None = None) -> tuple[float, float]:
        """The pocket loses ``fighters`` (``foreign`` of them foreign; None: in proportion).

        Returns (Afghan, foreign) lost: the caller books where they went.
        """
        fighters = min(fighters, self.strength)
        if foreign is None:
            foreign = round(fighters * self.foreign / self.strength) if self.strength > 0 else 0
        foreign = min(float(foreign), self.foreign, fighters)
        self.strength -= fighters
        self.foreign -= foreign
        return fighters - foreign, foreign

    def scale_morale(self, factor: float) -> None:
        """Multiply the pocket's morale by ``factor`` (strikes, the siege)."""
        self.morale *= factor

    def recover(self, share: float) -> None:
        """Morale recovers ``share`` of the way back to 1."""
        self.morale += share * (1.0 - self.morale)


class Ledger:
    """Where every Taliban fighter went (fighters). Changed only through its methods.

    Killed fighters are counted by (cause, place) (:attr:`killed_at`) and by cause (running
    totals, :attr:`by_cause`); fighters who left the theatre by route (:attr:`by_route`).
    """

    __slots__ = (
        "arrived", "by_cause", "by_route", "captured_or_defected", "initial", "killed_at",
        "on_withdraw", "reinforcements", "wounded",
    )  # fmt: skip

    def __init__(self, initial: float, routes: tuple[str, ...]) -> None:
        self.initial = initial
        self.reinforcements = 0.0
        self.wounded = 0.0
        self.captured_or_defected = 0.0
        self.by_cause: dict[str, float] = dict.fromkeys(CAUSES, 0.0)
        self.killed_at: dict[tuple[str, str], float] = {}
        self.by_route: dict[str, float] = dict.fromkeys(routes, 0.0)
        self.arrived: dict[str, float] = dict.fromkeys(routes, 0.0)
        """Fighters who withdrew along a route and reached a pocket it feeds (back in the
        theatre: no longer in :attr:`by_route`)."""
        self.on_withdraw: Callable[[str, float], None] | None = None
        """Told of every departure along a route (``route, fighters``): the pockets' arrivals."""

    def kill(self, cause: KillCause, fighters: float, place: str = "") -> None:
        """Book ``fighters`` killed by ``cause`` at ``place`` (a front, a city, ``road``)."""
        self.by_cause[cause] += fighters
        key = (cause, place)
        self.killed_at[key] = self.killed_at.get(key, 0.0) + fighters

    def reinforce(self, fighters: float) -> None:
        """Book ``fighters`` joining the Taliban from outside the country (volunteers)."""
        self.reinforcements += fighters

    def wound(self, fighters: float) -> None:
        """Book ``fighters`` wounded (out of action, they survive)."""
        self.wounded += fighters

    def capture(self, fighters: float) -> None:
        """Book ``fighters`` taken prisoner or changed sides."""
        self.captured_or_defected += fighters

    def come_back(self, route: str, fighters: float) -> None:
        """Book ``fighters`` who had left along ``route`` coming back into the theatre."""
        self.withdraw(route, -fighters)

    def withdraw(self, route: str, fighters: float) -> None:
        """Book ``fighters`` leaving the modelled theatre along ``route``."""
        self.by_route[route] += fighters
        if fighters > 0.0 and self.on_withdraw is not None:
            self.on_withdraw(route, fighters)

    def arrive(self, route: str, fighters: float) -> None:
        """``fighters`` who withdrew along ``route`` reach a pocket (in the theatre again)."""
        self.by_route[route] -= fighters
        self.arrived[route] += fighters

    def departed(self, route: str) -> float:
        """Fighters who left along ``route`` (net of returns), in a pocket or not."""
        return self.by_route[route] + self.arrived[route]

    @property
    def killed(self) -> float:
        """All Taliban fighters killed, whatever the cause."""
        return sum(self.by_cause.values())

    @property
    def withdrawn(self) -> float:
        """All Taliban fighters who left the modelled theatre."""
        return sum(self.by_route.values())

    @property
    def left(self) -> float:
        """All Taliban fighters who withdrew along a route, in a pocket or not.

        :attr:`withdrawn` plus :attr:`arrived`.
        """
        return self.withdrawn + sum(self.arrived.values())


@dataclass
class World:
    """Everything the phase processes share in one replication."""

    env: simpy.Environment
    scenario: Scenario
    rng: dict[str, np.random.Generator]
    recorder: Recorder = field(default_factory=Recorder)
    outcomes: tuple[Outcome, ...] = ()
    """The declared outcomes, the columns of ``out``; empty: those of the scenario's theatre
    (:func:`kabulsim.outputs.of`, the declarations expanded over its places)."""
    phases: tuple[Any, ...] = ()
    """The phases started on this world (:data:`kabulsim.model.phases.PHASES`), whose
    end-of-run accounting :func:`kabulsim.model.simulate.results` runs."""

    def __post_init__(self) -> None:
        sc = self.scenario
        f = sc.forces
        self.horizon_h = sc.horizon_days * 24.0
        theatre = sc.theatre
        self.theatre = theatre
        """The scenario's fronts, cities and routes (:class:`kabulsim.scenario.theatre.Theatre`)."""
        plan_of = _theatre_plan(theatre.places)
        if not self.outcomes:
            self.outcomes = plan_of.outcomes
        self.fronts = Fronts()
        """The fronts by name, in the theatre's order."""
        for index, plan in enumerate(theatre.fronts):
            # Each line starts where two years of stalemate left it: at the morale where
            # the daily ground pressure and recovery balance (kabulsim.model.pressure).
            morale = stalemate_morale(
                sc.morale.recovery_per_day,
                sc.morale.ground_pressure_per_day,
                plan.alliance / max(float(plan.taliban), 1.0),
            )
            self.fronts[plan.name] = Front(
                plan.name,
                float(plan.taliban),
                morale,
                self.hours(plan.controllers),
                AllianceForce(
                    float(plan.alliance), sc.morale.alliance_initial, float(plan.alliance_reserve)
                ),
                plan,
                dict(plan_of.outs[plan.name]),
                index,
                establishment=float(plan.taliban),
            )
        self.capital = next(f for f in self.fronts.values() if f.plan.plays("capital"))
        """The front that covers Kabul."""
        self.alliance = self.capital.facing
        """The alliance's main force: the one facing the front that covers Kabul (it fights in
        the city once that line breaks)."""
        self.in_transit = 0.0
        """Taliban fighters on the road between Kabul and a front (see model.command)."""
        self.redoubts: dict[str, Any] = {}
        """The redoubts' state by place (owned by :mod:`kabulsim.model.redoubt`); the
        fighters holding them (``.fighters``) are active."""
        self.pursuit_sorties = 0.0
        """Strike sorties flown at the fighters who withdrew, not yet taken by a redoubt
        (added by the air campaign, taken by :mod:`kabulsim.model.redoubt`)."""
        self.kabul_resolve: float | None = None
        """Morale of a deliberate defence of Kabul (None: the fighters in the city are the
        broken front's, and fight with its morale)."""
        foreign = round(f.taliban_kabul * f.foreign_share)
        self.kabul_foreign = float(foreign)
        self.kabul_afghan = float(f.taliban_kabul - foreign)
        held = f.taliban_national
        for place in theatre.places:
            if "garrison" in place.roles:
                held -= (
                    self.fronts[place.name].plan.taliban
                    if place.kind == "front"
                    else f.taliban_kabul
                )
        self.pockets: dict[str, Pocket] = {}
        """The pockets by name, in the theatre's order (:mod:`kabulsim.model.pocket`)."""
        for pocket in theatre.pockets:
            held -= pocket.garrison
            foreign_pocket = float(round(pocket.garrison * pocket.inputs.foreign_share))
            self.pockets[pocket.name] = Pocket(
                pocket.name,
                pocket,
                float(pocket.garrison),
                foreign_pocket,
                pocket.inputs.morale,
                dict(plan_of.outs[pocket.name]),
                self.hours(pocket.inputs.controllers),
            )
        self.elsewhere = float(held)
        self.pocket_garrisons = float(sum(p.garrison for p in theatre.pockets))
        """The pockets' own garrisons at the start, taken out of :attr:`elsewhere`: part of the
        men the Taliban command holds elsewhere (``command.held_elsewhere``)."""
        self.stragglers_afghan = 0.0
        """Afghan Taliban left behind in Kabul (fighters); see :meth:`book_prisoners`."""
        self.stragglers_foreign = 0.0
        """Foreign fighters left behind in Kabul (fighters); see :meth:`book_prisoners`."""
        self._captures: list[tuple[float, bool]] = []
        self._last_snap: tuple[Any, ...] | None = None
        self._next_capture = 0
        self._capture_due_h = math.inf
        """Clock time (h) of the next scheduled prisoner-taking (inf: none)."""
        self.city_holder: CityHolder = "taliban"
        self.ledger = Ledger(float(f.taliban_national), theatre.routes)
        self.arrivals: dict[str, Callable[[float], None]] = {}
        """What happens to fighters who leave along a route, by route: the pocket it feeds
        schedules their arrival (:mod:`kabulsim.model.pocket`)."""
        self.ledger.on_withdraw = self._departure
        self.out = OutcomeRow(self.outcomes)
        env = self.env
        self.front_broken = env.event()
        """The front covering Kabul breaks."""
        self.evacuation_decided = env.event()
        self.city_empty = env.event()
        self.alliance_at_gates = env.event()
        self.alliance_in_city = env.event()
        self._milestones: dict[str, simpy.Event] = {
            "front_broken": self.front_broken,
            "capital_lost": self.city_empty,
        }
        for front in self.fronts.values():
            fall = front.plan.fall
            if fall is not None:
                factor = math.exp(-fall.encirclement_per_day)
                for other in self.fronts.values():
                    if other.plan.plays("capital"):
                        other.encircled_by.append((self.milestone(f"{fall.city}_falls"), factor))
        self.city = new_city(env)
        self.front_attrs = SimpleNamespace(**self.fronts)
        """The fronts as plain attributes (``front_attrs.<name>``): what the snapshots read
        (found without :meth:`Fronts.__getattr__`'s failed lookup first)."""
        self._readers = plan_of.readers
        self.state_numeric = plan_of.state_numeric
        """The numeric state variables of this theatre (the series' columns), in order."""
        self.state_categorical = plan_of.state_categorical
        """The categorical state variables, in order."""
        self._snap_read = plan_of.snap_read
        self._snap_terms = plan_of.snap_terms
        self._snap_columns = plan_of.snap_columns
        """Kabul once the Taliban have left: factions, clashes, the political track's effects
        (owned by :mod:`kabulsim.model.vacuum`)."""
        self.force_arrives_h = self.hours(sc.political.force_arrives)
        """Clock time (h) of the first international troops in Kabul; None: never. Set by
        the political track (postponed until the Taliban have left the city)."""

    def hours(self, when: object) -> float | None:
        """Clock time (h) of a scenario date, or None when the date is unset."""
        if when is None:
            return None
        assert isinstance(when, datetime)
        return _clock_hours(self.scenario.start, when)

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
        """The alliance's main force after a fight."""
        self.alliance.strength = fighters

    def raise_alliance_morale(self, amount: float) -> None:
        """The alliance's main force's morale rises by ``amount`` (at most 1)."""
        self.alliance.morale = min(1.0, self.alliance.morale + amount)

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

    def _departure(self, route: str, fighters: float) -> None:
        """Fighters left along ``route``: tell the pocket it feeds, if any."""
        arrive = self.arrivals.get(route)
        if arrive is not None:
            arrive(fighters)

    def returnable(self, route: str) -> float:
        """Fighters who withdrew along ``route`` and could come back.

        Those still on it and those in the pockets it feeds (the return sets off from there).
        """
        held = sum(p.strength for p in self.pockets.values() if p.holds and route in p.plan.fed_by)
        return self.ledger.by_route[route] + held

    def return_to_kabul(self, fighters: float, route: str) -> None:
        """Fighters who withdrew along ``route`` retake Kabul (a return from the south).

        Those still on the route first, then those in the pockets it feeds.
        """
        on_route = min(fighters, max(0.0, self.ledger.by_route[route]))
        self.ledger.come_back(route, on_route)
        rest = fighters - on_route
        for pocket in self.pockets.values():
            if rest <= 0.0:
                break
            if pocket.holds and route in pocket.plan.fed_by:
                afghan, foreign = pocket.lose(min(rest, pocket.strength))
                rest -= afghan + foreign
        self.kabul_afghan += fighters - rest
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
        self._capture_due_h = self._captures[0][0] if self._captures else math.inf

    def book_prisoners(self) -> None:
        """Book the scheduled prisoner-takings due by now, each at its own time."""
        now = self.env.now + 1e-9
        if self._capture_due_h > now:  # nothing due (most calls): no loop
            return
        captures = self._captures
        i = self._next_capture
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
        self._capture_due_h = captures[i][0] if i < len(captures) else math.inf

    def _straggler_log(self, t_h: float | None = None) -> None:
        self.recorder.stragglers.extend((self.env.now if t_h is None else t_h, self.stragglers))

    @property
    def alliance_strength(self) -> float:
        """Fighters of the alliance's main force (facing the capital's front, then at Kabul)."""
        return self.alliance.strength

    @property
    def alliance_morale(self) -> float:
        """The morale of the alliance's main force."""
        return self.alliance.morale

    def defenders_morale(self) -> float:
        """Morale of the Taliban fighting inside Kabul.

        A deliberate defence's own resolve (``withdrawal.defend_resolve``, set when the
        Taliban decide to defend), or else the morale of the front that covered the city (the
        fighters in the city are the broken front's).
        """
        return self.kabul_resolve if self.kabul_resolve is not None else self.capital.morale

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
        lines = 0.0
        for front in self.fronts.values():
            lines += front.strength
        for redoubt in self.redoubts.values():
            lines += redoubt.fighters
        for pocket in self.pockets.values():
            lines += pocket.strength
        return (
            lines
            + self.in_kabul
            + self.in_transit
            + self.elsewhere
            + self.stragglers_afghan
            + self.stragglers_foreign
        )

    def close(self) -> None:
        """The ledger's totals and who holds Kabul, at the end of the run."""
        out = self.out
        led = self.ledger
        out.set("taliban_killed", led.killed)
        out.set("taliban_wounded", led.wounded)
        out.set("taliban_captured_or_defected", led.captured_or_defected)
        out.set("city_holder_end", self.city_holder)
        out.set("conservation_error", self.conservation_error())

    def conservation_error(self) -> float:
        """Return initial + reinforcements - (active + killed + wounded + captured + withdrawn)."""
        led = self.ledger
        return (led.initial + led.reinforcements) - (
            self.active + led.killed + led.wounded + led.captured_or_defected + led.withdrawn
        )

    # --- The state series -------------------------------------------------------------------

    def state(self) -> dict[str, float | str]:
        """The state variables now, by name (book prisoners first for exact straggler counts)."""
        return {name: _read(how, self) for name, how in self._readers.items()}

    def snap(self) -> None:
        """Record the state after a change (the series is resampled onto its grid at the end).

        Every phase calls this after it changes a state variable, so the state between two
        snapshots is constant and the value at any grid time is the last snapshot before it:
        the time series costs no simulation events.
        """
        # One call reads every recorded value (the snapshotted numbers' terms, then the
        # labels). A snapshot equal to the last one adds nothing to the series (the value at
        # a grid time is the last snapshot before it): keep only the changes.
        values = self._snap_read(self)
        if values == self._last_snap:
            return
        self._last_snap = values
        rec = self.recorder
        rec.snapshot_values.append(self.env.now)
        rec.snapshot_values.extend(values[: self._snap_terms])
        rec.snapshot_labels.extend(values[self._snap_terms :])

    def series(self) -> Series:
        """The state on the grid ``0, step, 2 step, ...`` up to the horizon.

        Reads the recorder only: book the prisoners due (:meth:`book_prisoners`) first.
        """
        step = self.scenario.series_step_h
        n = math.floor(self.horizon_h / step + 1e-9) + 1
        grid = np.arange(n, dtype=np.float64) * step
        rec = self.recorder
        width = 1 + self._snap_terms
        snaps = np.array(rec.snapshot_values, dtype=np.float64).reshape(-1, width)
        times = snaps[:, 0]
        log = np.array([0.0, 0.0, *rec.stragglers], dtype=np.float64).reshape(-1, 2)
        log_times = log[:, 0]
        # The last snapshot (and straggler count) at or before each grid time.
        at = np.searchsorted(times, grid + 1e-9, side="right") - 1
        at_log = np.searchsorted(log_times, grid + 1e-9, side="right") - 1
        columns = {name: _column(snaps, at, cols) for name, cols in self._snap_columns.items()}
        columns[LOGGED] = log[at_log, 1]
        values = np.column_stack([columns[name] for name in self.state_numeric])
        n_labels = len(self.state_categorical)
        flat = np.array(rec.snapshot_labels, dtype=object)
        labels = {
            name: tuple(flat[at * n_labels + k].tolist())
            for k, name in enumerate(self.state_categorical)
        }
        return Series(grid, values, labels, self.state_numeric)


class SummaryWorld(World):
    """A world that keeps no record: no events, no snapshots, no straggler log.

    For callers that read only the summary row (:func:`kabulsim.model.simulate.simulate`
    with ``record=False``: the calibration). Nothing in a replication reads the record back
    while it runs (the events, the snapshots and the straggler log feed only the events
    table and the series, built after the run), so the phases make the same draws and set
    the same outcomes; only the bookkeeping the caller would throw away is skipped.
    """

    def log(self, phase: str, kind: str, detail: str = "", value: float = float("nan")) -> None:
        """Record nothing (the event and the state after it feed only the tables)."""

    def snap(self) -> None:
        """Record nothing (the snapshots feed only the series)."""

    def _straggler_log(self, t_h: float | None = None) -> None:
        """Record nothing (the straggler log feeds only the series)."""

    def series(self) -> Series:
        """Refused: this world recorded no snapshots."""
        raise RuntimeError("a SummaryWorld records no state: build the world with record=True")


Reader = str | tuple[str, ...] | Callable[["World"], Any]
"""Where a state variable is read on the world: an attribute path (``"capital.morale"``,
read with :func:`operator.attrgetter`), a tuple of paths whose values add up to it (summed
left to right), or a function of the world."""


def _garrison(place: Place) -> Reader:
    if place.kind == "front":
        return f"fronts.{place.name}.strength"
    return ("kabul_afghan", "kabul_foreign")  # World.in_kabul: the capital's garrison


PLACE_READERS: dict[str, Callable[[Place], Reader]] = {
    "taliban_{place}": _garrison,
    "alliance_{front}": lambda place: f"fronts.{place.name}.facing.strength",
    "morale_{front}": lambda place: f"fronts.{place.name}.morale",
}
"""Where each per-place numeric state variable (a template of :data:`kabulsim.outputs.STATE`)
is read on the world, for a given place."""

NUMBER_READERS: dict[str, Reader] = {
    "morale_alliance": "alliance.morale",  # World.alliance_morale
    "stragglers": "stragglers",
}
"""Where each other numeric state variable (:data:`kabulsim.outputs.STATE`) is read on the
world (attribute paths, and sums of them, are read in one ``attrgetter`` call per snapshot; a
sum's terms are recorded and added up when the series is built)."""
LABEL_READERS: dict[str, Reader] = {"city_holder": "city_holder"}
"""Where each categorical state variable is read on the world."""

LOGGED = "stragglers"
"""The state variable kept in its own time-stamped log (prisoners are booked at their own,
earlier, times), not in the snapshots."""

_DECLARED_NUMBERS = {
    e.name
    for e in STATE_DECLARED
    if isinstance(e, Each) or (isinstance(e, StateVariable) and not e.categories)
}
if _DECLARED_NUMBERS != set(PLACE_READERS) | set(NUMBER_READERS) or set(LABEL_READERS) != set(
    STATE_CATEGORICAL
):  # pragma: no cover - a declaration error, caught on import
    raise RuntimeError(
        "kabulsim.model.world: PLACE_READERS, NUMBER_READERS and LABEL_READERS must read"
        " exactly the state variables declared in kabulsim.outputs.STATE_DECLARED"
        f" ({', '.join(sorted(_DECLARED_NUMBERS))})"
    )


def readers(
    places: tuple[Place, ...],
    numbers: Mapping[str, Reader] | None = None,
    labels: Mapping[str, Reader] | None = None,
) -> tuple[dict[str, Reader], dict[str, Reader]]:
    """The readers of every state variable of a theatre, by column name, in table order.

    The per-place templates are expanded over ``places`` (:func:`kabulsim.outputs.expand`).
    """
    numbers = NUMBER_READERS if numbers is None else numbers
    labels = LABEL_READERS if labels is None else labels
    number: dict[str, Reader] = {}
    label: dict[str, Reader] = {}
    for entry in STATE_DECLARED:
        if isinstance(entry, Each):
            for place in with_role(entry.role, places):
                number[entry.for_place(place).name] = PLACE_READERS[entry.name](place)
        elif entry.categories:
            label[entry.name] = labels[entry.name]
        else:
            number[entry.name] = numbers[entry.name]
    return number, label


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
    # The fronts are read through World.front_attrs: the same objects, found faster.
    readers = [
        "front_attrs." + r[len("fronts.") :]
        if isinstance(r, str) and r.startswith("fronts.")
        else r
        for r in terms + list(labels.values())
    ]
    if len(readers) > 1 and all(isinstance(r, str) for r in readers):
        read: Callable[[World], tuple[Any, ...]] = attrgetter(*readers)  # type: ignore[arg-type]
    else:
        read = lambda w: tuple(_read(r, w) for r in readers)  # noqa: E731
    return read, len(terms), columns


@lru_cache(maxsize=1024)
def _clock_hours(start: datetime, when: datetime) -> float:
    """Clock time (h) of ``when`` in a run starting at ``start`` (computed once per pair)."""
    return to_hours(start, when)


@dataclass(frozen=True, slots=True)
class TheatrePlan:
    """What a world takes from its theatre's places: the same in every replication.

    Built once per theatre (:func:`_theatre_plan`) rather than in every replication's
    :class:`World`.
    """

    outcomes: tuple[Outcome, ...]
    """The theatre's declared outcomes (:func:`kabulsim.outputs.of`)."""
    outs: dict[str, dict[str, str]]
    """Each place's outcome columns by template key (copied into each front and pocket)."""
    readers: dict[str, Reader]
    """Every state variable's reader, by column (:func:`readers`)."""
    state_numeric: tuple[str, ...]
    state_categorical: tuple[str, ...]
    snap_read: Callable[[World], tuple[Any, ...]]
    snap_terms: int
    snap_columns: dict[str, list[int]]
    """The snapshots' reader, number of numeric terms and columns (:func:`_snapshot_plan`)."""


@lru_cache(maxsize=32)
def _theatre_plan(places: tuple[Place, ...]) -> TheatrePlan:
    """The :class:`TheatrePlan` of a theatre with ``places``."""
    outs: dict[str, dict[str, str]] = {p.name: {} for p in places}
    for (key, place), col in per_place(OUTCOMES_DECLARED, places).items():
        outs[place][key] = col
    numbers, labels = readers(places)
    read, terms, columns = _snapshot_plan(
        {name: how for name, how in numbers.items() if name != LOGGED}, labels
    )
    return TheatrePlan(
        outputs_of(places).outcomes,
        outs,
        numbers | labels,
        tuple(numbers),
        tuple(labels),
        read,
        terms,
        columns,
    )


def _column(snaps: NDArray[np.float64], at: NDArray[np.intp], cols: list[int]) -> Any:
    """A snapshotted variable at the rows ``at``: its recorded term, or its terms' sum."""
    total = snaps[at, 1 + cols[0]]
    for j in cols[1:]:
        total = total + snaps[at, 1 + j]
    return total


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
