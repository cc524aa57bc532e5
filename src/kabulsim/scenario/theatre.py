"""The theatre of a scenario: its fronts, cities and routes with their inputs, by name.

The places and their roles are data (:data:`kabulsim.places.PLACES`); their numbers are the
scenario's inputs, named after the place in the schema's parts (``forces.taliban_<front>``,
``forces.alliance_<front>``, ``forces.alliance_reserve_<front>``, ``air.controllers_<front>``,
each sortie period's ``<front>_share``, ``command.<front>_travel_h``,
``command.<front>_contingent``) and, for what a front's break or fall does, the part named
after it (``<front>.advance_h``, ``fall_at``, ``killed_share``, ``defected_share``,
``shock``, ``encirclement_per_day``, ``alliance_boost`` for a front whose city falls;
``<front>.forced_assault_at`` and ``fall_back_share`` for the front that covers Kabul).

The routes out of the theatre are data too (:data:`kabulsim.places.ROUTES`: the ledger key, the
road, its length and passes); a city the scenario declares (``cities:``) brings the route its
garrison withdraws by. The withdrawal from Kabul sends its fighters down the two routes of
:data:`kabulsim.places.WITHDRAWAL`, read here with their shares (:class:`Exits`).

The model reads a scenario's theatre (:attr:`kabulsim.scenario.schema.Scenario.theatre`,
computed once per scenario object) and never names a place. All fronts are assaulted with
one doctrine (:attr:`kabulsim.scenario.schema.Scenario.doctrine`: the review cycle, the
estimate, massing, the attrition law and rates), the part the schema calls ``shamali``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kabulsim.places import PLACES, ROUTES, WITHDRAWAL, Place, Role, Route, route
from kabulsim.timebase import to_hours

Scenario = Any
"""A :class:`kabulsim.scenario.schema.Scenario` (not imported: the schema imports this module)."""


@dataclass(frozen=True, slots=True)
class Fall:
    """What the fall of a front's city does (a front with the ``falls`` role)."""

    city: str
    """The city's key (its milestone is ``<city>_falls``)."""
    advance_h: float
    fall_at: datetime | None
    killed_share: float
    defected_share: float
    retreat: str
    """The route (a ledger key) by which the rest of the garrison withdraws."""
    shock: float
    """Share of their morale the capital's fronts lose at once."""
    encirclement_per_day: float
    """Daily fractional morale loss of the capital's fronts from then on."""
    alliance_boost: float
    """Rise of the alliance's morale."""


@dataclass(frozen=True, slots=True)
class FrontPlan:
    """One front of the theatre with its inputs."""

    place: Place
    taliban: int
    alliance: int
    alliance_reserve: int
    controllers: datetime | None
    shares: tuple[float, ...]
    """Its share of the strike sorties in each sortie period."""
    forced_assault_at: datetime | None = None
    fall_back_share: float = 0.0
    """For the front that covers Kabul: share of the survivors who fall back into the city."""
    fall: Fall | None = None
    travel_h: float = 0.0
    """Median travel time from Kabul (refills and contingents)."""
    contingent: int = 0
    """Fighters sent from Kabul when the line is first assaulted (``contingent`` role)."""

    @property
    def name(self) -> str:
        """The front's key."""
        return self.place.name

    def plays(self, role: str) -> bool:
        """Whether the front plays ``role`` (see :mod:`kabulsim.places`)."""
        return role in self.place.roles


@dataclass(frozen=True, slots=True)
class PocketPlan:
    """A pocket of the theatre (a place with the ``pocket`` role) with its inputs."""

    place: Place
    garrison: int
    """Fighters of its own garrison at the start: ``<place>.garrison_share`` of the Taliban
    not on the lines or in Kabul (``forces.taliban_national`` less the fronts' and Kabul's)."""
    inputs: Any
    """Its part of the scenario (a :class:`kabulsim.scenario.schema.Pocket`)."""
    fed_by: tuple[str, ...]
    """The routes (ledger keys) whose fighters reach it."""
    trigger: str
    """The milestone that frees the force that besieges it: the fall of the city whose
    retreat feeds it, or ``capital_lost`` (the Taliban have left Kabul) for a pocket fed by
    the withdrawal from Kabul."""
    strikers: tuple[str, ...]
    """The fronts whose strikes, once their line no longer holds, fall on this pocket: the
    fronts whose fighters it receives (a front's retreat, or the capital's withdrawal)."""

    @property
    def name(self) -> str:
        """The pocket's key."""
        return self.place.name

    def plays(self, role: str) -> bool:
        """Whether the pocket plays ``role`` (see :mod:`kabulsim.places`)."""
        return role in self.place.roles


@dataclass(frozen=True, slots=True)
class Exits:
    """The two routes of the withdrawal from Kabul, and who takes which."""

    afghan: Route
    """The route most Afghan Taliban take (in 2001: south, to Kandahar)."""
    foreign: Route
    """The route most foreign fighters take (in 2001: east, to Tora Bora)."""
    afghan_share: float
    """Share of the Afghan Taliban who take the ``afghan`` route."""
    foreign_share: float
    """Share of the foreign fighters who take the ``foreign`` route."""


@dataclass(frozen=True, slots=True)
class Theatre:
    """The places of one scenario with their inputs, in the order of the outputs."""

    places: tuple[Place, ...]
    fronts: tuple[FrontPlan, ...]
    routes: tuple[str, ...]
    """The routes' ledger keys, in the order they are summed."""
    roads: tuple[Route, ...]
    """The routes themselves (road, length, passes, map stops), in the same order."""
    withdrawal: Exits
    """The withdrawal's two routes from Kabul."""
    sortie_starts_h: tuple[float, ...]
    """Clock time (h) of the start of each sortie period."""
    sortie_rates: tuple[float, ...]
    """Strike sorties per day of each period."""
    sortie_ramp_h: float
    """Hours over which a new period's front shares ramp up from the previous period's."""
    bombing_start_h: float
    """Clock time (h) of the bombing start."""
    trigger: str
    """The milestone that starts the Taliban leadership's decision to leave Kabul."""
    pockets: tuple[PocketPlan, ...] = ()
    """The pockets the lines' fighters fall back into (places with the ``pocket`` role)."""

    def front(self, name: str) -> FrontPlan:
        """The front ``name``."""
        return next(f for f in self.fronts if f.name == name)


_ABSENT = object()


def _get(part: Any, name: str, default: Any = _ABSENT) -> Any:
    """The input ``name`` of a schema part; without ``default``, it must be declared."""
    value = getattr(part, name, default)
    if value is _ABSENT:
        raise ValueError(
            f"the theatre's place needs the input {name!r} in the scenario schema's part"
            f" {type(part).__name__} (see 'Add a front' in docs/architecture.md)"
        )
    return value


def _fall(place: Place, own: Any) -> Fall:
    """What the fall of the front's city does, from its inputs (a ``CityFall`` part)."""
    return Fall(
        city=place.city,
        advance_h=own.advance_h,
        fall_at=own.fall_at,
        killed_share=own.killed_share,
        defected_share=own.defected_share,
        retreat=place.retreat,
        shock=own.shock,
        encirclement_per_day=own.encirclement_per_day,
        alliance_boost=own.alliance_boost,
    )


def _front(sc: Scenario, place: Place) -> FrontPlan:
    name = place.name
    forces, air, command = sc.forces, sc.air, sc.command
    own = _get(sc, name)
    fall = _fall(place, own) if "falls" in place.roles else None
    capital = "capital" in place.roles
    reinforced = "refilled" in place.roles or "contingent" in place.roles
    return FrontPlan(
        place=place,
        taliban=_get(forces, f"taliban_{name}"),
        alliance=_get(forces, f"alliance_{name}"),
        # A front without a reserve input has no reserve to mass (the north in 2001).
        alliance_reserve=_get(forces, f"alliance_reserve_{name}", 0),
        controllers=_get(air, f"controllers_{name}"),
        shares=tuple(_get(p, f"{name}_share") for p in air.sorties),
        forced_assault_at=own.forced_assault_at if capital else None,
        fall_back_share=own.fall_back_share if capital else 0.0,
        fall=fall,
        travel_h=_get(command, f"{name}_travel_h") if reinforced else 0.0,
        contingent=_get(command, f"{name}_contingent") if "contingent" in place.roles else 0,
    )


def _lonlat(point: tuple[float, float]) -> tuple[float, float]:
    """(longitude, latitude) of a scenario's [latitude, longitude] point."""
    lat, lon = point
    return lon, lat


def declared_place(name: str, front: Any, city: Any = None) -> Place:
    """The :class:`Place` of a front the scenario declares (``fronts.<name>``).

    ``city``: the city it covers (``cities.<front.city>``), if any.
    """
    roles: list[Role] = ["front", "garrison"]
    if city is not None:
        roles.append("falls")
    if front.reinforced != "none":
        roles.append(front.reinforced)
    return Place(
        name,
        "front",
        tuple(roles),
        front.label,
        front.at if front.at is not None else f"at {front.label}",
        towards=f"towards {front.label}",
        city=front.city if city is not None else "",
        city_label=city.label if city is not None else "",
        retreat=city.retreat if city is not None else "",
        line=f"{front.label} front" if front.line else "",
        points=tuple(_lonlat(p) for p in front.line or ()),
        city_at=_lonlat(city.at) if city is not None and city.at is not None else None,
    )


def _declared(sc: Scenario, place: Place) -> FrontPlan:
    """A front the scenario declares, with its inputs (``fronts.<name>``)."""
    front = sc.fronts[place.name]
    fall = _fall(place, front.fall) if front.fall is not None else None
    return FrontPlan(
        place=place,
        taliban=front.taliban,
        alliance=front.alliance,
        alliance_reserve=front.alliance_reserve,
        controllers=front.controllers,
        shares=tuple(front.shares),
        fall=fall,
        travel_h=front.travel_h or 0.0,
        contingent=front.contingent or 0,
    )


def _pocket(sc: Scenario, place: Place, fronts: tuple[FrontPlan, ...], rest: int) -> PocketPlan:
    """A pocket with its inputs, the milestone that frees its besiegers and its strikers.

    ``rest``: the Taliban not on the lines or in Kabul, whose share garrisons it.
    """
    name = place.name
    own = _get(sc, name)
    withdrawal = set(WITHDRAWAL)
    trigger = ""
    strikers: list[str] = []
    for front in fronts:
        fall = front.fall
        if fall is not None and fall.retreat in place.fed_by:
            trigger = trigger or f"{fall.city}_falls"
            strikers.append(front.name)
        elif front.plays("capital") and withdrawal & set(place.fed_by):
            strikers.append(front.name)
    return PocketPlan(
        place=place,
        garrison=round(own.garrison_share * max(0, rest)),
        inputs=own,
        fed_by=place.fed_by,
        trigger=trigger or "capital_lost",
        strikers=tuple(strikers),
    )


def theatre(sc: Scenario, places: tuple[Place, ...] = PLACES) -> Theatre:
    """The theatre of scenario ``sc`` (use :attr:`Scenario.theatre`, computed once).

    Its places are ``places`` (those of 2001), then the fronts the scenario declares
    (``fronts:``).
    """
    declared = tuple(
        declared_place(name, f, sc.cities.get(f.city) if f.city else None)
        for name, f in sc.fronts.items()
    )
    places = (*places, *declared)
    own = {p.name for p in declared}
    fronts = tuple(
        _declared(sc, p) if p.name in own else _front(sc, p) for p in places if p.kind == "front"
    )
    retreats = tuple(p.retreat for p in places if p.retreat)
    routes = (*retreats, *(r.name for r in ROUTES if r.name not in retreats))
    known = {r.name: r for r in ROUTES}
    labels = {p.retreat: f"from {p.city_label}" for p in places if p.retreat}
    roads = tuple(known.get(name) or Route(name, labels[name]) for name in routes)
    w = sc.withdrawal
    exits = Exits(
        route(WITHDRAWAL[0], roads),
        route(WITHDRAWAL[1], roads),
        afghan_share=w.kandahar_share_afghan,
        foreign_share=w.tora_bora_share_foreign,
    )
    # The Taliban not on the lines or in Kabul: the pockets' garrisons are shares of them.
    rest = sc.forces.taliban_national - sc.forces.taliban_kabul - sum(f.taliban for f in fronts)
    air = sc.air
    trigger = "front_broken"
    if sc.withdrawal.trigger != "front_broken":
        trigger = next(f"{f.fall.city}_falls" for f in fronts if f.fall is not None)
    return Theatre(
        places=places,
        fronts=fronts,
        routes=routes,
        roads=roads,
        withdrawal=exits,
        sortie_starts_h=tuple(to_hours(sc.start, p.start) for p in air.sorties),
        sortie_rates=tuple(p.strike_sorties_per_day for p in air.sorties),
        sortie_ramp_h=air.front_targeting_ramp_days * 24.0,
        bombing_start_h=to_hours(sc.start, air.bombing_start),
        trigger=trigger,
        pockets=tuple(_pocket(sc, p, fronts, rest) for p in places if "pocket" in p.roles),
    )
