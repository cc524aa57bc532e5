"""Every output of the model, declared once: the state variables and the outcome columns.

The inputs are declared once in :mod:`kabulsim.scenario.schema` (``param()``: units, range,
source); the outputs are declared here, the same way. Everything else derives from these two
tuples, by name, never by position:

* :data:`STATE` — the state variables sampled on the series grid (name, units, title,
  colour). The world (:mod:`kabulsim.model.world`) reads each one by name when it takes a
  snapshot; the series arrays, the ``series.parquet`` schema, the quantile variables and the
  fan-chart panels follow this order.
* :data:`OUTCOMES` — the columns of the summary table, one row per replication (name, kind,
  units, title, the value of the historical record where there is one, and the figures and
  tables that show it). The world's outcome row (:class:`OutcomeRow`) is initialised from
  these declarations; the summary row, the time columns and the presentation lists
  (:data:`KEY_OUTCOMES`, :data:`SHARE_COLUMNS`, :data:`PANELS`, :data:`OVERLAY_OUTCOMES`,
  :data:`HISTORICAL_DATES`, :data:`HISTORICAL_VALUES`) are derived from it.

To add an outcome: declare it in :data:`OUTCOMES` and set it from the phase that observes it
(``world.out.set("name", value)`` or ``world.out.add("name", amount)``). Two files. See
``docs/architecture.md``.

Colours are named by meaning (``taliban``, ``alliance``, ``civilian``, ``neutral`` ...); the
plots resolve them in :data:`kabulsim.plots.style.COLORS`. This module imports only the
time base, so that it is cheap to import anywhere (workers, the command line).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

from kabulsim.places import PLACES, Place, Role, with_role
from kabulsim.timebase import KABUL

Kind = Literal["time", "hours", "count", "share", "flag", "category", "number"]
"""What an outcome's values are.

``time``: a clock time (hours since the scenario start in the model, ISO 8601 local time in
tables; None when it did not happen). ``hours``: a duration (NaN when it did not happen).
``count``: a number of people, incidents or sorties. ``share``: a number on a 0-1 scale.
``flag``: True/False. ``category``: a label. ``number``: any other quantity (a check).
"""

Value = float | int | bool | str | None
"""An outcome value."""

_KIND_DEFAULTS: dict[str, Value] = {
    "time": None,
    "hours": math.nan,
    "count": 0.0,
    "share": math.nan,
    "flag": False,
    "category": "",
    "number": math.nan,
}


@dataclass(frozen=True, slots=True)
class Category:
    """One value of a categorical state variable, with the title and colour of its indicator."""

    value: str
    title: str
    colour: str


@dataclass(frozen=True, slots=True)
class StateVariable:
    """A quantity of the world sampled on the series grid.

    Attributes:
        name: column name in the series tables.
        units: units of the values (``fighters``, ``morale (0-1)`` ...).
        title: a figure title.
        colour: a colour by meaning (a key of ``kabulsim.plots.style.COLORS``).
        categories: for a categorical variable, its values; each becomes a 0/1 indicator
            series ``<name>_<value>`` in the quantile tables. Empty for a number.

    """

    name: str
    units: str
    title: str
    colour: str
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """One column of the summary table.

    Attributes:
        name: the column name.
        kind: what the values are (see :data:`Kind`).
        units: units of the values (empty for times, flags and categories).
        title: a short title for figures and tables.
        colour: a colour by meaning, for figures.
        default: the value before any phase sets it; None gives the kind's default (None for
            a time, NaN for hours, shares and numbers, 0.0 for a count, False for a flag, ""
            for a category). Give ``0`` for a count of whole things kept as an integer.
        record: the historical value (a local date for a time, a number otherwise), or None.
        record_label: how the record is written on figures (``"9 Nov"``, ``"about 3 h"``).
        key: whether the outcome is in the key-outcomes table (report, ``compare``).
        panel: whether the outcome has a panel in the distributions figure.
        overlay: whether the outcome is drawn by default when scenarios are overlaid.
        source: where the historical value comes from.
        rests_on: the mechanisms and parameters the value rests on (for outcomes a
            teacher is asked to discuss: which assumption drives which result).

    """

    name: str
    kind: Kind
    units: str = ""
    title: str = ""
    colour: str = "neutral"
    default: Value = None
    record: datetime | float | None = None
    record_label: str = ""
    key: bool = False
    panel: bool = False
    overlay: bool = False
    source: str = ""
    rests_on: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KIND_DEFAULTS:
            raise ValueError(f"outcome {self.name!r}: unknown kind {self.kind!r}")
        if not self.title:
            object.__setattr__(self, "title", self.name.replace("_", " ").capitalize())

    @property
    def initial(self) -> Value:
        """The value before any phase sets it: ``default``, or the kind's default."""
        return _KIND_DEFAULTS[self.kind] if self.default is None else self.default

    @property
    def label(self) -> str:
        """The title with its units, for an axis or a table (``"Vacuum in Kabul (hours)"``)."""
        return f"{self.title} ({self.units})" if self.units else self.title


_WIKI = "Wikipedia, 'Fall of Kabul (2001)' (shared/seeds/000_f838c9fced7541fe.txt)"
_CONETTA = (
    "C. Conetta, Operation Enduring Freedom: Why a Higher Rate of Civilian Bombing Casualties"
    " (Project on Defense Alternatives, Briefing Report 13, Jan 2002): 'Through 10 December ..."
    " approximately 4700 attack sorties'; the bombing 'claimed 1000-1300 civilian lives' (its"
    " count runs to early January 2002, most of it by 10 December)"
)


@dataclass(frozen=True, slots=True)
class RecordDate:
    """A date of the record at which accumulating outcomes are also reported.

    Attributes:
        key: the suffix of the columns (``civilian_casualties_to_{key}``).
        label: how the date is written (``"10 Dec"``).
        until: the moment the count stops (the end of that local day).
        source: why the record is read at this date.

    """

    key: str
    label: str
    until: datetime
    source: str


RECORD_DATES: tuple[RecordDate, ...] = (
    RecordDate(
        "13nov", "13 Nov", datetime(2001, 11, 14, tzinfo=KABUL),
        "the alliance enters Kabul (" + _WIKI + ")",
    ),
    RecordDate(
        "10dec", "10 Dec", datetime(2001, 12, 11, tzinfo=KABUL),
        "the date of Conetta's sortie count (" + _CONETTA + ")",
    ),
)  # fmt: skip
"""The record's dates: each accumulating outcome of :data:`DATED` is also counted up to the
end of each (columns ``<outcome>_to_<key>``)."""

DATED_RECORDS: dict[tuple[str, str], tuple[float, str]] = {
    ("sorties_flown", "10dec"): (4700.0, "about 4,700 (Conetta)"),
    ("civilians_air", "10dec"): (1150.0, "1,000-1,300 (Conetta, to early Jan)"),
}
"""The record's values of dated columns: ``(outcome, date key) -> (value, label)``."""


DATED: tuple[str, ...] = (
    "taliban_killed", "civilian_casualties", "civilians_air", "sorties_flown",
)  # fmt: skip
"""The accumulating outcomes also counted up to each record date (declared with
:func:`dated`); :mod:`kabulsim.model.accounts` fills their dated columns."""


def dated(item: Outcome) -> tuple[Outcome, ...]:
    """An accumulating outcome and its count up to each date of :data:`RECORD_DATES`.

    The dated columns are NaN when the run's horizon ends before the date.
    """
    out = [item]
    for date in RECORD_DATES:
        record, label = DATED_RECORDS.get((item.name, date.key), (None, ""))
        out.append(
            replace(
                item,
                name=f"{item.name}_to_{date.key}",
                title=f"{item.title} to {date.label}",
                default=math.nan,
                record=record,
                record_label=label,
                key=False,
                panel=False,
                overlay=False,
                source=_CONETTA if record is not None else "",
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Each:
    """An output declared once for every place of the theatre that plays ``role``.

    The item's name and title are templates: ``{front}`` / ``{place}`` (the place's key),
    ``{city}``, ``{label}``, ``{Label}``, ``{at}``, ``{towards}``, ``{city_label}`` (see
    :meth:`kabulsim.places.Place.fields`). For the 2001 theatre they expand to the columns
    ``morale_shamali``, ``morale_north``, ... An outcome takes the record's value from the
    place (:attr:`kabulsim.places.Place.records`, by ``key``).

    Attributes:
        role: the places it is declared for (:data:`kabulsim.places.Role`).
        item: the template (an :class:`Outcome` or a :class:`StateVariable`).
        key: what the model calls it (default: the item's template name).

    """

    role: Role
    item: Outcome | StateVariable
    key: str = ""

    @property
    def name(self) -> str:
        """The key the model asks for (the template name unless given)."""
        return self.key or self.item.name

    def for_place(self, place: Place) -> Any:
        """The item of one place: name and title filled, the place's record attached."""
        fields = place.fields()
        item = self.item
        changes: dict[str, Any] = {
            "name": item.name.format(**fields),
            "title": item.title.format(**fields),
        }
        record = place.record(self.name)
        if record is not None and isinstance(item, Outcome):
            changes |= {
                "record": record.value,
                "record_label": record.label,
                "source": record.source,
            }
        return replace(item, **changes)


def expand(declared: tuple[Any, ...], places: tuple[Place, ...] = PLACES) -> tuple[Any, ...]:
    """The declarations with every template (:class:`Each`) expanded over ``places``."""
    items: list[Any] = []
    for entry in declared:
        if isinstance(entry, Each):
            items.extend(entry.for_place(p) for p in with_role(entry.role, places))
        else:
            items.append(entry)
    names = [i.name for i in items]
    if len(set(names)) != len(names):
        raise ValueError(f"output names must be unique, got {names}")
    return tuple(items)


def per_place(
    declared: tuple[Any, ...], places: tuple[Place, ...] = PLACES
) -> dict[tuple[str, str], str]:
    """The column of each template and place: ``{(template key, place key): column name}``."""
    # Asked for in every replication with the same two tuples: computed once per pair (by
    # identity: the cache holds the tuples, so an id is never reused while it is cached).
    key = (id(declared), id(places))
    held = _PER_PLACE.get(key)
    if held is None or held[0] is not declared or held[1] is not places:
        if len(_PER_PLACE) >= 64:
            _PER_PLACE.clear()
        held = _PER_PLACE[key] = (
            declared,
            places,
            {
                (entry.name, p.name): entry.for_place(p).name
                for entry in declared
                if isinstance(entry, Each)
                for p in with_role(entry.role, places)
            },
        )
    return dict(held[2])


_PER_PLACE: dict[tuple[int, int], tuple[tuple[Any, ...], tuple[Place, ...], dict[Any, str]]] = {}
""":func:`per_place`'s answers, by the identity of its arguments."""


STATE_DECLARED: tuple[StateVariable | Each, ...] = (
    Each(
        "garrison",
        StateVariable("taliban_{place}", "fighters", "Taliban fighters {at}", "taliban"),
    ),
    Each(
        "capital",
        StateVariable("alliance_{front}", "fighters", "Alliance fighters {at}", "alliance"),
    ),
    Each(
        "front", StateVariable("morale_{front}", "morale (0-1)", "Taliban morale {at}", "taliban")
    ),
    StateVariable("morale_alliance", "morale (0-1)", "Alliance morale", "alliance"),
    StateVariable(
        "city_holder",
        "",
        "Who holds Kabul",
        "neutral",
        (
            Category("taliban", "Share of runs: Taliban hold Kabul", "taliban"),
            Category("none", "Share of runs: nobody holds Kabul", "neutral"),
            Category("alliance", "Share of runs: alliance holds Kabul", "alliance"),
        ),
    ),
    StateVariable("stragglers", "fighters", "Stragglers left in Kabul", "neutral"),
)  # fmt: skip
"""The state variables as declared: per-place templates (:class:`Each`) and single ones."""

STATE: tuple[StateVariable, ...] = expand(STATE_DECLARED)
"""The state variables, in the column order of the series tables."""

OUTCOMES_DECLARED: tuple[Outcome | Each, ...] = (
    Each("falls", Outcome(
        "{front}_line_broken", "time", title="{Label} line breaks", colour="taliban",
    ), key="line_broken"),
    Each("falls", Outcome(
        "{city}_falls", "time", title="{city_label} falls", colour="taliban", key=True,
    ), key="city_falls"),
    Each("capital", Outcome(
        "{front}_start", "time", title="{Label} fight begins", colour="taliban", key=True,
        panel=True,
    ), key="start"),
    Each("capital", Outcome(
        "{front}_duration_h", "hours", "hours", "Duration of the {label} fight", "taliban",
        key=True, panel=True, overlay=True,
    ), key="duration_h"),
    Each("capital", Outcome(
        "{front}_winner", "category", title="Side that won the decisive {label} assault",
    ), key="winner"),
    Each("capital", Outcome(
        "{front}_assaults", "count", "assaults", "{Label} assaults", default=0,
    ), key="assaults"),
    Each("capital", Outcome(
        "first_assault", "time", title="First {label} assault"), key="first_assault"),
    Each("capital", Outcome(
        "front_broken", "time", title="{Label} front breaks"), key="broken"),
    Outcome("evacuation_decided", "time", title="Taliban decide to leave Kabul"),
    Outcome("kabul_evacuated", "time", title="Kabul evacuated", colour="withdrawal", key=True),
    Outcome("alliance_at_gates", "time", title="Alliance at the gates of Kabul"),
    Outcome(
        "alliance_enters_kabul", "time", title="Alliance enters Kabul", colour="alliance",
        record=datetime(2001, 11, 13, tzinfo=KABUL), record_label="13 Nov", key=True,
        panel=True, overlay=True, source=_WIKI,
    ),
    Outcome(
        "kabul_falls", "time", title="Kabul falls (the Taliban no longer hold it)",
        colour="alliance", record=datetime(2001, 11, 13, tzinfo=KABUL),
        record_label="12-13 Nov", key=True, overlay=True, source=_WIKI,
    ),
    Outcome(
        "kabul_held_by", "category",
        title="What held Kabul through the horizon (front_estimate, front_repulsed,"
        " city_defence; empty when it fell)",
    ),
    Outcome("entry_despite_orders", "flag", title="Alliance enters despite orders"),
    Outcome(
        "vacuum_h", "hours", "hours", "Vacuum in Kabul (no side in control)", key=True,
        panel=True, overlay=True,
    ),
    Outcome("resistance_in_city", "flag", title="Fighting inside Kabul"),
    Outcome(
        "killed_in_city", "count", "people", "Killed fighting in the city", "taliban", key=True
    ),
    Outcome("city_surrendered", "flag", title="Kabul's garrison surrenders on terms"),
    Outcome("atef_killed", "flag", title="Strike kills Atef", colour="hvt", key=True,
            overlay=True),
    Outcome("atef_strike_time", "time", title="Strike on Atef's convoy", colour="hvt"),
    Outcome("tips", "count", "tips", "Tips about the convoy", "hvt", default=0),
    Outcome("to_kandahar", "count", "fighters", "Taliban withdrawn towards Kandahar"),
    Outcome("to_tora_bora", "count", "fighters", "Taliban withdrawn towards Tora Bora"),
    Outcome("stragglers", "count", "fighters", "Stragglers left in Kabul", default=0),
    Outcome(
        "vengeance_incidents", "count", "incidents", "Vengeance incidents", default=0, key=True,
        overlay=True,
    ),
    *dated(Outcome(
        "taliban_killed", "count", "people", "Taliban fighters killed", "taliban", key=True,
        panel=True,
    )),
    Outcome("taliban_wounded", "count", "people", "Taliban fighters wounded", "taliban"),
    Outcome(
        "taliban_captured_or_defected", "count", "people",
        "Taliban fighters captured or changed sides", "taliban",
    ),
    Outcome(
        "alliance_killed", "count", "people", "Alliance fighters killed", "alliance",
        key=True, panel=True,
    ),
    *dated(Outcome(
        "civilian_casualties", "count", "people", "Civilian casualties", "civilian",
        key=True, panel=True, overlay=True,
    )),
    *dated(Outcome(
        "civilians_air", "count", "people", "Civilian deaths from the air campaign", "civilian",
        rests_on="sorties flown (air.sorties, the pursuit after the fronts break to"
        " air.pursuit_until, close air support in assaults) x air.civilians_per_sortie",
    )),
    Outcome("treasury_emptied", "flag", title="Treasury emptied", colour="withdrawal"),
    Outcome(
        "weapons_abandoned", "share", "share", "Share of heavy weapons left behind",
        "withdrawal",
    ),
    Outcome(
        "control_breadth", "share", "0-1", "Control breadth", "alliance", key=True,
        overlay=True,
        rests_on="the authority holding the city in order when the alliance takes it"
        " (alliance.composition against alliance.population; 0 if a clash is under way)",
    ),
    Outcome(
        "armed_groups_max", "count", "groups", "Most armed groups in Kabul at once", default=0,
        rests_on="the alliance, the factions that move in (vacuum.factions), a Taliban return,"
        " the international force",
    ),
    # The hold-back outcomes (kabulsim.model.vacuum and .political; docs/hold_back_sources.md).
    Outcome(
        "civilians_fighting_in_city", "count", "people",
        "Civilian deaths in Kabul: fighting the Taliban", "civilian",
        rests_on="city fights (attrition engine, alliance.urban_defence_factor) and"
        " alliance.civilians_per_fighter_killed",
    ),
    Outcome(
        "civilians_looting", "count", "people", "Civilian deaths in Kabul: looting and disorder",
        "civilian", key=True,
        rests_on="vacuum.looting_civilians_per_day x arms (weapons_abandoned x militia arming,"
        " vacuum.militia_h) x armed groups (1 + vacuum.looting_per_faction x factions) x"
        " policing shortfall (vacuum.alliance_police, alliance_police_effect, police_per_1000,"
        " population, order_coverage; the international force's dates and build-up)",
    ),
    Outcome(
        "civilians_factional", "count", "people", "Civilian deaths in Kabul: factional fighting",
        "civilian", key=True,
        rests_on="vacuum.clash_civilians_per_day x hours of clashes (vacuum.factions,"
        " clash_per_h, clash_h, arbiter_coverage; political.force_arrives)",
    ),
    Outcome(
        "factions_entered", "count", "factions", "Factions that moved into Kabul", default=0,
        rests_on="vacuum.factions (entry_per_h), political.bonn_restraint, how long the city"
        " stays unheld",
    ),
    Outcome(
        "factional_fighting", "flag", title="Factional fighting in Kabul", key=True,
        overlay=True,
        rests_on="factions in the city, vacuum.clash_per_h (squared strength ratio, unpoliced"
        " share), vacuum.arbiter_coverage and the international force's arrival",
    ),
    Outcome(
        "factional_fighting_h", "hours", "hours", "Factional fighting in Kabul, total",
        rests_on="vacuum.clash_h, clash_spread, arbiter_coverage",
    ),
    Outcome(
        "taliban_reentered", "flag", title="Taliban retake Kabul", colour="taliban", key=True,
        overlay=True,
        rests_on="vacuum.return_per_h, return_fighters, return_road_h (twice the road before"
        " a return can arrive), political.kandahar_falls, how long the city stays unheld",
    ),
    Outcome("interim_authority", "time", title="Interim Authority takes office"),
    Outcome(
        "holder_at_interim", "category",
        title="Who holds Kabul when the Interim Authority takes office",
        rests_on="all the vacuum mechanisms, political.interim_authority and force_arrives",
    ),
    Outcome(
        "control_breadth_interim", "share", "0-1", "Control breadth at the Interim Authority",
        "alliance", key=True,
        rests_on="the authority holding the city in order at that date: the Interim Authority"
        " (political.interim_composition) if the Bonn Agreement was signed and the alliance or"
        " the international force holds the city, else the alliance (alliance.composition);"
        " 0 in disorder (clash, policing below vacuum.order_coverage) or with factions alone",
    ),
    Outcome(
        "order_restored", "time", title="Order restored in Kabul", key=True,
        rests_on="policing coverage >= vacuum.order_coverage with no clash and no Taliban in"
        " the city",
    ),
    Outcome("city_holder_end", "category", title="Who holds Kabul at the horizon"),
    *dated(Outcome("sorties_flown", "count", "sorties", "Strike sorties flown", "air")),
    Each("capital", Outcome(
        "morale_{front}_end", "share", "morale (0-1)", "Taliban morale {at}", "taliban",
    ), key="morale_end"),
    Each("capital", Outcome(
        "{front}_best_odds", "number", "ratio",
        "Best odds the alliance commander estimated at {Label}",
    ), key="best_odds"),
    Outcome(
        "reinforcements_sent", "count", "fighters",
        "Taliban fighters sent from Kabul to the fronts", "taliban",
    ),
    Outcome(
        "caught_on_road", "count", "fighters", "Taliban fighters caught by strikes on the road",
        "taliban",
    ),
    Each("capital", Outcome(
        "{front}_taliban_at_first_assault", "count", "fighters",
        "Taliban fighters in the {label} line at the first assault", "taliban",
    ), key="taliban_at_first_assault"),
    Outcome(
        "taliban_defected", "count", "fighters",
        "Taliban fighters who deserted or changed sides from the lines (morale and payments)",
        "taliban",
    ),
    Outcome(
        "command_holds", "count", "reviews", "Taliban command reviews that held a line as it was",
        "taliban", default=0,
    ),
    Outcome(
        "command_reinforces", "count", "decisions", "Taliban command decisions to reinforce a line",
        "taliban", default=0,
    ),
    Outcome(
        "command_disperses", "count", "decisions",
        "Taliban command decisions to disperse a line against the bombing", "taliban", default=0,
    ),
    Outcome(
        "command_counterattacks", "count", "decisions", "Taliban counter-attacks", "taliban",
        default=0,
    ),
    Outcome(
        "command_withdraws", "count", "decisions",
        "Taliban command decisions to withdraw a line without a fight", "taliban", default=0,
    ),
    Outcome(
        "command_surrenders", "count", "decisions", "Taliban lines surrendered by negotiation",
        "taliban", default=0,
    ),
    Each("contingent", Outcome(
        "{front}_contingent_turned_back", "flag",
        title="Taliban contingent sent {towards} turned back", colour="taliban",
    ), key="contingent_turned_back"),
    Outcome(
        "conservation_error", "number", "fighters",
        "Fighter ledger: initial + reinforcements - (all fates); 0 up to rounding",
    ),
    Each("redoubt", Outcome(
        "{place}_assault", "time", title="Attack on the {label} positions begins",
        colour="alliance", key=True,
        rests_on="the militias' mobilisation after the capital falls and the US controllers'"
        " arrival after the first fighters reach the positions (model.redoubt)",
    ), key="assault"),
    Each("redoubt", Outcome(
        "{place}_ends", "time", title="Fighting {at} ends", colour="taliban", key=True,
        rests_on="the strikes, the attack, the escape hazard and the end share (model.redoubt)",
    ), key="ends"),
    Each("redoubt", Outcome(
        "{place}_escaped", "count", "fighters", "Fighters escaped from {label} to Pakistan",
        "withdrawal", key=True,
        rests_on="the escape hazard as the position is pressed, the surrender talks and any"
        " blocking force (model.redoubt)",
    ), key="escaped"),
    Each("redoubt", Outcome(
        "{place}_killed", "count", "fighters", "Fighters killed {at}", "taliban", key=True,
        rests_on="the pursuit sorties the positions take and the militias' attack"
        " (model.redoubt)",
    ), key="killed"),
    # The campaign after Kabul (issue 25): the pockets (kabulsim.model.pocket).
    Each("pocket", Outcome(
        "{city}_falls", "time", title="{city_label} surrenders", colour="taliban", key=True,
    ), key="pocket_falls"),
    Each("airlift", Outcome(
        "{city}_surrendered", "count", "fighters", "Taliban who surrendered {at}", "taliban",
        default=0, key=True,
    ), key="surrendered"),
    Each("airlift", Outcome(
        "{city}_airlifted", "count", "fighters", "Fighters flown out of {city_label}", "taliban",
        default=0, key=True,
    ), key="airlifted"),
    Outcome(
        "south_collapses", "time",
        title="The south collapses (the Taliban hold neither Kabul nor any southern pocket)",
        colour="taliban", key=True,
    ),
)  # fmt: skip
"""The summary columns as declared: per-place templates (:class:`Each`) and single ones."""

OUTCOMES: tuple[Outcome, ...] = expand(OUTCOMES_DECLARED)
"""The summary columns, in table order (the templates expanded over the theatre's places)."""

# --- Derived: the outputs of a theatre --------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeriesLabel:
    """How a series variable is shown: title, units, colour (by meaning)."""

    title: str
    units: str
    colour: str


class Outputs:
    """The outputs of one theatre.

    The declarations expanded over its places, and the lists derived from them (by name,
    never by position).

    The module's constants (:data:`STATE`, :data:`OUTCOMES`, :data:`TIME_COLUMNS` ...) are
    those of the 2001 theatre (:data:`kabulsim.places.PLACES`); a scenario that declares
    fronts of its own has its outputs in :func:`of` ``(scenario.theatre.places)``.
    """

    def __init__(self, places: tuple[Place, ...]) -> None:
        self.places = places
        self.state: tuple[StateVariable, ...] = expand(STATE_DECLARED, places)
        """The state variables, in the column order of the series tables."""
        self.outcomes: tuple[Outcome, ...] = expand(OUTCOMES_DECLARED, places)
        """The summary columns, in table order."""
        state = self.state
        self.state_by_name: Mapping[str, StateVariable] = {v.name: v for v in state}
        self.state_numeric: tuple[str, ...] = tuple(v.name for v in state if not v.categories)
        """The numeric state variables (the columns of a replication's series values)."""
        self.state_categorical: tuple[str, ...] = tuple(v.name for v in state if v.categories)
        """The categorical state variables (one label per grid time)."""
        self.indicators: tuple[tuple[str, str, str], ...] = tuple(
            (f"{v.name}_{c.value}", v.name, c.value) for v in state for c in v.categories
        )
        """0/1 indicator series of the categorical state: ``(series name, variable, value)``."""
        self.series_variables: tuple[str, ...] = (
            *self.state_numeric,
            *(name for name, _, _ in self.indicators),
        )
        """Numeric series variables whose quantiles are aggregated, in a fixed order."""
        labels = {
            v.name: SeriesLabel(v.title, v.units, v.colour) for v in state if not v.categories
        }
        for v in state:
            for c in v.categories:
                labels[f"{v.name}_{c.value}"] = SeriesLabel(c.title, "share", c.colour)
        self.series_labels: Mapping[str, SeriesLabel] = labels
        """Title, units and colour of every series variable (numeric state and indicators)."""
        outcomes = self.outcomes
        self.outcome_by_name: Mapping[str, Outcome] = {o.name: o for o in outcomes}
        self.outcome_names: tuple[str, ...] = tuple(o.name for o in outcomes)
        self.time_columns: tuple[str, ...] = tuple(o.name for o in outcomes if o.kind == "time")
        """Summary columns that are times (clock hours in the model; ISO 8601 in tables)."""
        self.share_columns: frozenset[str] = frozenset(
            o.name for o in outcomes if o.kind == "share"
        )
        """Outcomes on a 0-1 scale (a comparison's threshold for them is absolute)."""
        self.key_outcomes: tuple[str, ...] = tuple(o.name for o in outcomes if o.key)
        """Outcomes in the key-outcomes table of the report and compared by default."""
        self.panels: tuple[Outcome, ...] = tuple(o for o in outcomes if o.panel)
        """Outcomes with a panel in the distributions figure."""
        self.overlay_outcomes: tuple[str, ...] = tuple(o.name for o in outcomes if o.overlay)
        """Outcomes drawn by default when scenarios are overlaid."""
        self.historical_dates: Mapping[str, tuple[datetime, str]] = {
            o.name: (o.record, o.record_label) for o in outcomes if isinstance(o.record, datetime)
        }
        """Local dates of the record, by time outcome: (date, label)."""
        self.historical_values: Mapping[str, tuple[float, str]] = {
            o.name: (float(o.record), o.record_label)
            for o in outcomes
            if o.record is not None and not isinstance(o.record, datetime)
        }
        """Numeric values of the record, by outcome: (value, label)."""


@lru_cache(maxsize=32)
def of(places: tuple[Place, ...] = PLACES) -> Outputs:
    """The outputs of the theatre made of ``places`` (``scenario.theatre.places``)."""
    return Outputs(places)


_THEATRE = of()

STATE_BY_NAME: Mapping[str, StateVariable] = _THEATRE.state_by_name
STATE_NUMERIC: tuple[str, ...] = _THEATRE.state_numeric
"""The numeric state variables: the columns of :attr:`kabulsim.model.records.Series.values`."""
STATE_CATEGORICAL: tuple[str, ...] = _THEATRE.state_categorical
"""The categorical state variables (one label per grid time)."""
INDICATORS: tuple[tuple[str, str, str], ...] = _THEATRE.indicators
"""0/1 indicator series of the categorical state: ``(series name, variable, category)``."""
SERIES_VARIABLES: tuple[str, ...] = _THEATRE.series_variables
"""Numeric series variables whose quantiles are aggregated, in a fixed order."""
SERIES_LABELS: Mapping[str, SeriesLabel] = _THEATRE.series_labels
"""Title, units and colour of every series variable (numeric state and indicators)."""

# --- Derived: the outcomes --------------------------------------------------------------

OUTCOME_BY_NAME: Mapping[str, Outcome] = _THEATRE.outcome_by_name
OUTCOME_NAMES: tuple[str, ...] = _THEATRE.outcome_names
TIME_COLUMNS: tuple[str, ...] = _THEATRE.time_columns
"""Summary columns that are times (clock hours in the model; ISO 8601 local time in tables)."""
SHARE_COLUMNS: frozenset[str] = _THEATRE.share_columns
"""Outcomes on a 0-1 scale (a comparison's threshold for them is absolute)."""
KEY_OUTCOMES: tuple[str, ...] = _THEATRE.key_outcomes
"""Outcomes in the key-outcomes table of the report and compared by default."""
PANELS: tuple[Outcome, ...] = _THEATRE.panels
"""Outcomes with a panel in the distributions figure."""
OVERLAY_OUTCOMES: tuple[str, ...] = _THEATRE.overlay_outcomes
"""Outcomes drawn by default when scenarios are overlaid."""
HEADLINE_OUTCOMES: tuple[str, ...] = (
    "alliance_enters_kabul",
    "vacuum_h",
    "civilians_looting",
    "civilians_factional",
)
"""The outcomes a class reads first: the quantile dotplots of the report and the lesson pages."""
HISTORICAL_DATES: Mapping[str, tuple[datetime, str]] = _THEATRE.historical_dates
"""Local dates of the record, by time outcome: (date, label)."""
HISTORICAL_VALUES: Mapping[str, tuple[float, str]] = _THEATRE.historical_values
"""Numeric values of the record, by outcome: (value, label)."""


def _template_match(name: str, declared: tuple[Any, ...]) -> Any:
    """The item of the per-place template whose name ``name`` fits, or None.

    For a place the module's constants do not hold: a front a scenario declares.
    """
    for entry in declared:
        if not isinstance(entry, Each):
            continue
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[a-z][a-z0-9_]*)", re.escape(entry.item.name))
        found = re.fullmatch(pattern, name)
        if found is None:
            continue
        key = next(iter(found.groupdict().values()))
        label = key.replace("_", " ").capitalize()
        fields = {
            "front": key, "place": key, "city": key, "label": label, "Label": label,
            "at": f"at {label}", "towards": f"towards {label}", "city_label": label,
        }  # fmt: skip
        item = entry.item
        return replace(item, name=name, title=item.title.format(**fields))
    return None


def column(key: str, role: Role, places: tuple[Place, ...] = PLACES) -> str:
    """The column of per-place template ``key`` for the first place that plays ``role``.

    ``column("start", "capital")``, ``column("city_falls", "falls")``: the record's checks
    and the figures of the 2001 campaign read their columns this way, from the places' data,
    instead of spelling them.
    """
    place = with_role(role, places)[0]
    return per_place((*OUTCOMES_DECLARED, *STATE_DECLARED), places)[(key, place.name)]


AFTER_CAPITAL_OUTCOMES: tuple[str, ...] = (
    "south_collapses",
    column("pocket_falls", "south"),
    column("escaped", "redoubt"),
    column("ends", "redoubt"),
)
"""The campaign after the capital that ``compare`` always prints beside the capital's outcomes,
meaningful or not: the south's collapse, the southern pocket's fall, the redoubt's escape and
end (issue 25: did holding back change the south?)."""


def map_breaks(places: tuple[Place, ...] = PLACES) -> dict[str, str]:
    """For each front drawn on the base map, the summary column whose time is its break.

    The fronts with a line (:attr:`kabulsim.places.Place.line`); the break of the front that
    covers Kabul, the fall of a front's city (a line with neither has no break to show).
    """
    cols = per_place(OUTCOMES_DECLARED, places)
    return {
        p.line: cols[("broken" if "capital" in p.roles else "city_falls", p.name)]
        for p in places
        if p.line and ("capital" in p.roles or "falls" in p.roles)
    }


def template(name: str, declared: tuple[Any, ...] = OUTCOMES_DECLARED) -> Each | None:
    """The per-place template (:class:`Each`) a column name expands, or None.

    A column of the 2001 theatre that is no template's (such as ``kabul_falls``) has none.
    """
    if name in OUTCOME_BY_NAME or name in STATE_BY_NAME:
        return next(
            (e for e in declared if isinstance(e, Each) and any(
                e.for_place(p).name == name for p in with_role(e.role)
            )),
            None,
        )  # fmt: skip
    for entry in declared:
        if isinstance(entry, Each):
            pattern = re.sub(r"\\\{\w+\\\}", "[a-z][a-z0-9_]*", re.escape(entry.item.name))
            if re.fullmatch(pattern, name):
                return entry
    return None


def with_declared(names: Iterable[str], columns: Iterable[str]) -> tuple[str, ...]:
    """``names`` (columns of the 2001 theatre) with the other key columns of ``columns``.

    Those of the places a scenario declares, each placed after the last of ``names`` that
    expands the same template (at the end when none does).
    """
    out = list(names)
    for column in columns:
        found = None if column in OUTCOME_BY_NAME else outcome(column)
        if found is None or not found.key or column in out:
            continue
        entry = template(column)
        same = [i for i, n in enumerate(out) if template(n) == entry]
        out.insert(same[-1] + 1 if same else len(out), column)
    return tuple(out)


def key_outcomes(columns: Iterable[str]) -> tuple[str, ...]:
    """The key outcomes of a summary table with ``columns``, in the declared order.

    Those of :data:`KEY_OUTCOMES` it has, each followed by the same template's columns for
    the places a scenario declares (a third front's ``<city>_falls`` after the 2001 one's).
    """
    columns = list(columns)
    return with_declared((n for n in KEY_OUTCOMES if n in columns), columns)


def outcome(name: str, places: tuple[Place, ...] = PLACES) -> Outcome | None:
    """The declaration of summary column ``name``, or None.

    One of :data:`OUTCOMES`, or one of the theatre of ``places`` (``scenario.theatre.places``:
    titled from the declared place's labels), or a per-place template's for a place the
    caller does not know (titled from its key).
    """
    found = OUTCOME_BY_NAME.get(name)
    if found is None and places is not PLACES:
        found = of(places).outcome_by_name.get(name)
    if found is None:
        found = _template_match(name, OUTCOMES_DECLARED)
    return found


def is_time(name: str) -> bool:
    """Whether summary column ``name`` is a time (see :func:`outcome`)."""
    found = outcome(name)
    return found is not None and found.kind == "time"


def series_label(name: str, places: tuple[Place, ...] = PLACES) -> SeriesLabel | None:
    """How series variable ``name`` is shown (also a per-place template's, by its key).

    ``places``: the theatre's places (``scenario.theatre.places``), whose labels title the
    variables of a place a scenario declares.
    """
    found = SERIES_LABELS.get(name)
    if found is None and places is not PLACES:
        found = of(places).series_labels.get(name)
    if found is None:
        item = _template_match(name, STATE_DECLARED)
        if item is not None:
            found = SeriesLabel(item.title, item.units, item.colour)
    return found


def title(name: str, places: tuple[Place, ...] = PLACES) -> str:
    """The title of an outcome or series variable (the name itself when undeclared).

    ``places``: the theatre's places (``scenario.theatre.places``), whose labels title the
    columns of a place a scenario declares.
    """
    declared = outcome(name, places)
    if declared is not None:
        return declared.title
    label = series_label(name, places)
    return name if label is None else label.title


def _undeclared(name: str) -> str:
    return f"outcome {name!r} is not declared in kabulsim.outputs.OUTCOMES"


class OutcomeRow:
    """The outcome values of one replication, initialised from the declarations.

    Phases set them by name; a name that is not declared in :data:`OUTCOMES` is an error
    (a misspelt outcome must not silently become a new column).
    """

    __slots__ = ("_values",)

    def __init__(self, outcomes: tuple[Outcome, ...] = OUTCOMES) -> None:
        self._values: dict[str, Value] = {o.name: o.initial for o in outcomes}

    def set(self, name: str, value: Value) -> None:
        """Set outcome ``name`` to ``value``."""
        if name not in self._values:
            raise KeyError(_undeclared(name))
        self._values[name] = value

    def add(self, name: str, amount: float) -> None:
        """Add ``amount`` to the count or quantity ``name``."""
        try:
            self._values[name] += amount  # type: ignore[operator]
        except KeyError:
            raise KeyError(_undeclared(name)) from None

    def __getitem__(self, name: str) -> Value:
        return self._values[name]

    def __getattr__(self, name: str) -> Value:
        # Read access by attribute (``world.out.tips``); changes go through set/add.
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(_undeclared(name)) from None

    def number(self, name: str) -> float:
        """Outcome ``name`` as a float (NaN when unset)."""
        value = self._values[name]
        return math.nan if value is None else float(value)

    def time(self, name: str) -> float | None:
        """Time outcome ``name`` in clock hours, or None when it has not happened."""
        value = self._values[name]
        return None if value is None else float(value)

    def as_dict(self) -> dict[str, Value]:
        """The row as a dict in declaration order (a copy)."""
        return dict(self._values)
