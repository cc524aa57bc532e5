"""The theatre's places, as data: the fronts and cities the model and its outputs are made of.

The model's code names no place: it walks the fronts of the theatre (a Taliban line facing an
alliance force, covering a city) and the garrisons, and its per-place outputs are declared
once as templates (:class:`kabulsim.outputs.Each`) that expand over the places here. Each
:class:`Place` says what it is (``front`` or ``city``), the roles it plays in the model and
how it is written in titles:

* ``front``: a Taliban line with its own random stream (named after the place), daily
  pressure and air strikes (its share of the sorties), and an alliance commander who
  reviews and assaults it.
* ``garrison``: Taliban fighters are counted here (a front's line, or the capital's
  garrison).
* ``capital``: the front that covers Kabul. Its alliance force is the alliance's main force
  (it fights inside Kabul after the line breaks), its survivors fall back into the city, and
  its break is the ``front_broken`` event.
* ``falls``: the front covers a city of its own (``city``), which falls after a lognormal
  advance once the line breaks (or on a fixed date); the fall kills, captures and sends
  back the garrison, shocks the other fronts and raises the alliance's morale.
* ``contingent``: the Taliban command sends a one-off contingent from Kabul when the line is
  first assaulted (turned back if the line has broken before it arrives).
* ``refilled``: the Taliban command refills the line from Kabul once a day.
* ``redoubt``: a mountain position (kind ``redoubt``) that the fighters withdrawing along the
  route of the same name reach, where local militias attack them under the air campaign's
  strikes and from which they escape by the place's ``retreat`` route
  (:mod:`kabulsim.model.redoubt`).
* ``pocket``: a city where Taliban cut off after the lines broke hold out (a garrison of its
  own, joined by the fighters who withdraw along the routes that feed it, ``fed_by``) until a
  besieging force and the strikes bring them to negotiate their surrender
  (:mod:`kabulsim.model.pocket`). Those who refuse the terms go on along its ``onward`` route.
* ``airlift``: a pocket from which fighters are flown out during the negotiation (along its
  ``airlift`` route); its surrenders and its airlift are summary columns.
* ``south``: a pocket of the south: the south has collapsed when every one of them and the
  capital have fallen (``south_collapses``).

The routes out of the theatre are data too (:class:`Route`, :data:`ROUTES`: the ledger key,
the road, its length and passes where a source gives them, the towns the map draws it
through); the withdrawal from Kabul takes the two of :data:`WITHDRAWAL`.

The numbers of each place (its forces, its controllers' arrival, its share of the sorties,
what its fall does) are inputs: :mod:`kabulsim.scenario.theatre` reads them from the
scenario. This module is at the bottom of the package (it imports only the time base), so
that the declared outputs can expand over the places.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from kabulsim.timebase import KABUL

Role = Literal[
    "front",
    "garrison",
    "capital",
    "falls",
    "contingent",
    "refilled",
    "redoubt",
    "pocket",
    "airlift",
    "south",
]


@dataclass(frozen=True, slots=True)
class Record:
    """A value of the historical record for one of a place's outputs."""

    value: datetime | float
    label: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class Place:
    """A place of the theatre.

    Attributes:
        name: the key of the place (outputs ``morale_<name>``, its random stream, ...).
        kind: ``front`` (a line), ``city`` (a garrisoned city) or ``redoubt`` (a mountain
            position the withdrawal reaches).
        roles: what the place does in the model (see the module docstring).
        label: the place in a title (``"Shamali"``); capitalised at the start of a title.
        at: where fighters there are, in a title (``"on the Shamali front"``).
        towards: the direction of a contingent sent there, in a title.
        city: for a ``falls`` front, the key of the city it covers.
        city_label: that city in a title.
        retreat: for a ``falls`` front, the route (a ledger key) its garrison withdraws by;
            for a ``redoubt``, the route its fighters escape by.
        records: the record's values for this place's outputs, by output template key.
        line: the front's line on the base map (a key of :data:`kabulsim.basemap.FRONTS`, or
            the name of ``points``); empty when it has none.
        points: for a front the scenario declares, its line as (longitude, latitude) points
            (the package's fronts have theirs in :data:`kabulsim.basemap.FRONTS`).
        city_at: for a city the scenario declares, where it is, (longitude, latitude).
        fed_by: for a ``pocket``, the routes (ledger keys) whose fighters reach it.
        onward: for a ``pocket``, the route of the fighters who refuse its surrender terms.
        airlift: for an ``airlift`` pocket, the route of the fighters flown out of it.

    """

    name: str
    kind: Literal["front", "city", "redoubt"]
    roles: tuple[Role, ...]
    label: str
    at: str
    towards: str = ""
    city: str = ""
    city_label: str = ""
    retreat: str = ""
    records: tuple[tuple[str, Record], ...] = ()
    line: str = ""
    points: tuple[tuple[float, float], ...] = ()
    city_at: tuple[float, float] | None = None
    fed_by: tuple[str, ...] = ()
    onward: str = ""
    airlift: str = ""

    def record(self, key: str) -> Record | None:
        """The record's value for this place's output ``key``, if there is one."""
        return dict(self.records).get(key)

    def fields(self) -> dict[str, str]:
        """The placeholders of an output template, filled for this place."""
        return {
            "front": self.name,
            "place": self.name,
            "city": self.city,
            "label": self.label,
            "Label": self.label[:1].upper() + self.label[1:],
            "at": self.at,
            "towards": self.towards,
            "city_label": self.city_label,
        }


_WIKI = "Wikipedia, 'Fall of Kabul (2001)' (shared/seeds/000_f838c9fced7541fe.txt)"

PLACES: tuple[Place, ...] = (
    Place(
        "shamali", "front", ("front", "garrison", "capital", "refilled"), "Shamali",
        "on the Shamali front",
        records=(
            ("start", Record(datetime(2001, 11, 12, tzinfo=KABUL), "12 Nov", _WIKI)),
            ("duration_h", Record(3.0, "about 3 h", _WIKI)),
        ),
        line="Shamali line",
    ),
    Place("kabul", "city", ("garrison",), "Kabul", "in Kabul"),
    Place(
        "north", "front", ("front", "garrison", "falls", "contingent"), "northern",
        "in the north", towards="north", city="mazar", city_label="Mazar-i-Sharif",
        retreat="north",
        records=(
            ("line_broken", Record(
                datetime(2001, 11, 5, tzinfo=KABUL), "5 Nov (Bai Beche)",
                "S. Biddle, Afghanistan and the Future of Warfare (SSI, 2002);"
                " docs/sources.md",
            )),
            ("city_falls", Record(datetime(2001, 11, 9, tzinfo=KABUL), "9 Nov", _WIKI)),
        ),
        line="Mazar front",
    ),
    Place(
        "tora_bora", "redoubt", ("redoubt",), "Tora Bora", "at Tora Bora",
        retreat="tora_bora_escape",
        records=(
            ("assault", Record(
                datetime(2001, 12, 3, 13, 30, tzinfo=KABUL), "3 Dec",
                "The Independent, Dec 2001, 'Alliance launches attack on al-Qa'ida"
                " stronghold': 'At 1:30 pm [Monday 3 Dec], we started the attack'",
            )),
            ("ends", Record(
                datetime(2001, 12, 17, 12, 0, tzinfo=KABUL), "17 Dec",
                "P. Bergen, The Longest War (2011), p. 79: 'By December 17, the battle of"
                " Tora Bora was over'",
            )),
            ("escaped", Record(
                1050.0, "1,000-1,100 (US estimate)",
                "Knight Ridder (2002, reprinted 2004): 'U.S. intelligence analysts estimated"
                " that 1,000 to 1,100 al-Qaida fighters ... escaped' (a Pakistani official:"
                " some 4,000)",
            )),
            ("killed", Record(
                220.0, "about 220",
                "P. Bergen, The Longest War, p. 79, citing the Delta commander ('Dalton"
                " Fury'): 'some 220 dead militants and fifty-two captured fighters'",
            )),
        ),
    ),
    Place(
        "kunduz", "city", ("pocket", "airlift"), "Kunduz", "at Kunduz", city="kunduz",
        city_label="Kunduz", fed_by=("north",), onward="kunduz_onward", airlift="kunduz_airlift",
        records=(
            ("pocket_falls", Record(
                datetime(2001, 11, 25, tzinfo=KABUL), "25 Nov (surrenders 23-25 Nov)",
                'BBC, "Kunduz: falls to Northern Alliance after Taleban surrender": the Taleban'
                " left Kunduz on Sunday 25 November (docs/sources.md)",
            )),
            ("surrendered", Record(
                3_900.0, "about 3,900 (600, 1,300, 2,000 on 23-25 Nov)",
                "AFP and CNN via Dong-A Ilbo, 26 Nov 2001: 600 on 23 Nov, 1,300 on 24 Nov and"
                " 2,000 on 25 Nov (docs/sources.md)",
            )),
        ),
    ),
    Place(
        "kandahar", "city", ("pocket", "south"), "Kandahar", "at Kandahar", city="kandahar",
        city_label="Kandahar", fed_by=("kandahar",), onward="kandahar_onward",
        records=(
            ("pocket_falls", Record(
                datetime(2001, 12, 7, tzinfo=KABUL), "7 Dec (terms agreed 6 Dec)",
                "BBC, 7 Dec 2001, 'Taleban surrender last stronghold'; AP, 6 Dec 2001",
            )),
        ),
    ),
)  # fmt: skip
"""The places of the 2001 theatre, in the order of the outputs that walk them."""


@dataclass(frozen=True, slots=True)
class Route:
    """A route out of the modelled theatre: where withdrawing fighters go, and by which road.

    Attributes:
        name: its ledger key (fighters who leave by it are booked there).
        label: the route in a title (``"to Kandahar"``).
        road: the road it follows, in words; empty when no source names one.
        length_km: the length of that road (km); None when no source gives it.
        passes: the mountain passes on it (names of the base map's passes).
        stops: the towns it joins on the base map (keys of :data:`kabulsim.basemap.PLACES`);
            empty for a route the map does not draw.
        column: the summary column of the fighters who left by it; empty when it has none.
        source: where the road and its length come from.

    """

    name: str
    label: str
    road: str = ""
    length_km: float | None = None
    passes: tuple[str, ...] = ()
    stops: tuple[str, ...] = ()
    column: str = ""
    source: str = ""


ROUTES: tuple[Route, ...] = (
    Route(
        "north", "from Mazar-i-Sharif towards Kunduz",
        source='Time, 18 Nov 2001: "some 6,000 Taliban and al-Qaeda troops ... retreated into'
        ' Kunduz after being routed at Mazar-i-Sharif and Taloqan" (docs/sources.md)',
    ),
    Route(
        "kandahar", "to Kandahar",
        road="the Kabul-Kandahar highway, through Ghazni", length_km=483.0,
        stops=("Kabul", "Ghazni", "Kandahar"), column="to_kandahar",
        source='Wikipedia, "Kabul-Kandahar Highway": "a 483-kilometer (300 mi) road ... on flat'
        ' surface, with no mountain passes"',
    ),
    Route(
        "tora_bora", "to Tora Bora",
        road="the Kabul-Jalalabad road through the Tang-e Gharu gorge, then into the Spin Ghar",
        length_km=152.0, stops=("Kabul", "Jalalabad", "Tora Bora"), column="to_tora_bora",
        source='Wikipedia, "Kabul-Jalalabad Road": "about 152 kilometres (94 mi) long" (to'
        " Jalalabad); Tora Bora lies about 40 km further, in a straight line (the base map's"
        " coordinates)",
    ),
    Route(
        "tora_bora_escape", "from Tora Bora into Pakistan",
        road="footpaths over the Spin Ghar passes into Pakistan's tribal agencies",
        column="tora_bora_escaped",
        source="The Independent, Dec 2001, 'Anti-Taliban troops demand surrender in Tora Bora':"
        ' the al-Qa\'ida force "might attempt a retreat'
        ' along the Kharoti Pass, a high and often snowbound track that leads south into'
        ' neighboring Pakistan"; P. Bergen, The Longest War, p. 77 (docs/sources.md)',
    ),
    Route(
        "kunduz_airlift", "flown out of Kunduz",
        source="the airlift out of Kunduz during the surrender talks, 20-25 Nov 2001, whose size"
        " is contested: 'several thousand' (S. Hersh, The Getaway, The New Yorker, 28 Jan"
        " 2002; Wikipedia, 'Siege of Kunduz': 2,000-5,000), denied by the US and Pakistan",
    ),
    Route("kunduz_onward", "from Kunduz, refusing the terms"),
    Route("kandahar_onward", "from Kandahar into the countryside, refusing the terms"),
)  # fmt: skip
"""The routes out of the modelled theatre, in the order they are summed (the ledger's)."""

WITHDRAWAL: tuple[str, str] = ("kandahar", "tora_bora")
"""The routes of the withdrawal from Kabul: the one most Afghan Taliban take, then the one
most foreign fighters take (their shares are the scenario's ``withdrawal`` inputs)."""


def route(name: str, routes: tuple[Route, ...] = ROUTES) -> Route:
    """The route ``name`` of ``routes``."""
    return next(r for r in routes if r.name == name)


def with_role(role: Role, places: tuple[Place, ...] = PLACES) -> tuple[Place, ...]:
    """The places that play ``role``, in order."""
    return tuple(p for p in places if role in p.roles)
