"""Stories: the dated account of one replication, told from its event log and state series.

A class learns a counterfactual from cases as well as from medians. The event log of a run
(``events.parquet``) holds every step of every replication; the state series
(``series.parquet``, sampled every ``series_step_h``) holds the numbers behind them. A story
turns one replication's events into sentences, in order, each dated in Kabul local time and,
where the model has a mechanism behind the turn, with it (the state at the last sample before
the event: the defenders on a line, their morale, the alliance force facing them).

Declared once. Every sentence comes from :data:`TEMPLATES`, one :class:`EventTemplate` per
event kind the model can log (a per-place kind such as ``mazar_falls`` is declared once as a
template over the places that play its role, like :class:`kabulsim.outputs.Each`); no call
site writes free text. A kind without a template is an error (:func:`template_for`), and
``tests/analysis/test_story.py`` checks the declarations against every ``world.log`` call in
``kabulsim/model`` and against the events of every shipped scenario.

Representative replications. :func:`pick` ranks the replications of a run by an outcome and
returns the one at a quantile (nearest rank over the ``n`` finished replications: rank
``floor(q (n - 1) + 1/2)``, ties by replication index). A replication in which the outcome is
missing (an event that did not happen within the horizon, a vacuum that never began) is
ranked after every replication in which it has a value: for a date, "not by the horizon" is
later than any date; for a quantity the missing values come last, and the story says the
outcome is missing. Under common random numbers replication ``i`` of every scenario of a
comparison drew the same random numbers, so the same index is told under each scenario
(:func:`paired_picks`): a like-for-like pair.

Nothing here prints: :mod:`kabulsim.folders.story` assembles the text and
:func:`kabulsim.cli.present.handle_story` presents it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from kabulsim.outputs import OUTCOME_BY_NAME
from kabulsim.places import PLACES, Place, Role, with_role
from kabulsim.tables import to_datetime
from kabulsim.timebase import KABUL, to_local

DEFAULT_OUTCOME = "alliance_enters_kabul"
"""The outcome whose quantiles pick the replications told by default."""

DEFAULT_QUANTILES = (0.05, 0.5, 0.95)
"""The quantiles told by default: a low, the middle and a high case."""

RANKABLE = ("time", "hours", "count", "share", "flag", "number")
"""Outcome kinds that order replications (a category does not)."""


@dataclass(frozen=True, slots=True)
class EventTemplate:
    """How one kind of event is told.

    Attributes:
        kind: the event kind the model logs; with ``role``, a template over the places that
            play it (``"{city}_falls"``, ``"sent_{front}"``).
        text: the sentence. Placeholders: the place's fields (``{label}``, ``{Label}``,
            ``{at}``, ``{city_label}``, ``{towards}``), ``{detail}`` (the log's text),
            ``{value}`` (the log's number) and the numbers named in the detail
            (``"Taliban casualties 142"`` gives ``{taliban_casualties}``).
        why: the mechanism behind the turn, in the model's terms (empty: none to state).
        state: clauses on the state at the last series sample before the event; each is
            shown when its numbers are there (``{defenders}``, ``{morale}``, ``{attackers}``
            for the event's front; any state variable by name, e.g. ``{taliban_kabul}``).
        many: the sentence for a run of consecutive events of this kind, told once
            the events of this kind on one day (Kabul time) are told once, at the first:
            ``{n}`` events from ``{first}`` to ``{last}``, ``{counts}`` by detail; empty:
            each event is told.
        role: the places the kind is declared for (None: a kind of its own).
        card: whether a story card (the short story of a lesson page) tells it; background
            (the political calendar, the incidents of vengeance, the hunt for Atef) is left
            to the full story.

    """

    kind: str
    text: str
    why: str = ""
    state: tuple[str, ...] = ()
    many: str = ""
    role: Role | None = None
    card: bool = True


_LINE_STATE = (
    "{defenders:,.0f} Taliban fighters {at}",
    "their morale {morale:.2f}",
    "{attackers:,.0f} alliance fighters facing them",
)

TEMPLATES_DECLARED: tuple[EventTemplate, ...] = (
    EventTemplate("bombing_starts", "The US air campaign begins: strike sorties against the"
                  " Taliban lines.", card=False),
    EventTemplate(
        "assault_decided", "The alliance commander {at} decides to attack (estimated odds"
        " {value:.1f}).",
        why="he attacks once his estimate of the odds, which strikes and the fear of"
        " encirclement raise, passes his threshold",
        state=_LINE_STATE, role="front",
    ),
    EventTemplate(
        "assault", "An assault {at}: {value:.1f} h of fighting; Taliban casualties"
        " {taliban_casualties:,.0f}, alliance casualties {alliance_casualties:,.0f}.",
        state=_LINE_STATE, role="front",
    ),
    EventTemplate(
        "assault_fails", "The alliance breaks off the attack {at}; the line holds.",
        why="the attackers reached their breaking point before the defenders, or broke off at"
        " nightfall when the fight was not going their way",
        role="front",
    ),
    EventTemplate(
        "line_broken", "The {label} line breaks; the Taliban fall back on {city_label}.",
        why="the defenders reached their breaking point", role="falls",
    ),
    EventTemplate(
        "{city}_falls", "{city_label} falls: of its garrison {killed:,.0f} are killed and"
        " {captured_or_defected:,.0f} captured or change sides; the rest withdraw. The fall"
        " shakes the Taliban on the lines covering Kabul, who now fear encirclement, and"
        " lifts the alliance's morale.",
        why="the alliance advanced on the city after its line broke", role="falls",
    ),
    EventTemplate(
        "front_broken", "The {label} front breaks: the surviving defenders fall back to Kabul"
        " and the road to the city is open.",
        why="the assault pushed the defenders past their breaking point",
        state=_LINE_STATE, role="capital",
    ),
    EventTemplate(
        "counterattack", "The Taliban counter-attack {at}: {value:.1f} h of fighting; Taliban"
        " casualties {taliban_casualties:,.0f}, alliance casualties {alliance_casualties:,.0f}.",
        why="the Taliban command attacks when its line's strength times morale is several"
        " times the alliance line's (command.counterattack_ratio)",
        state=_LINE_STATE, role="front",
    ),
    EventTemplate(
        "line_given_up", "The Taliban command gives up the {label} line without a fight:"
        " {detail}.",
        why="the line's morale fell below the command's threshold (command.withdraw_morale,"
        " command.surrender_morale)",
        state=_LINE_STATE, role="falls",
    ),
    EventTemplate(
        "front_given_up", "The Taliban command gives up the {label} front without a fight:"
        " {detail}; the road to Kabul is open.",
        why="the line's morale fell below the command's threshold (command.withdraw_morale,"
        " command.surrender_morale)",
        state=_LINE_STATE, role="capital",
    ),
    EventTemplate(
        "sent_{front}", "The Taliban command sends {value:,.0f} fighters from Kabul to the"
        " {towards}.",
        why="the command reinforces a line when it is first assaulted",
        state=("{taliban_kabul:,.0f} left in Kabul",), role="contingent", card=False,
    ),
    EventTemplate(
        "arrived_{front}", "{value:,.0f} of them reach the {label} line.",
        why="strikes on the road take the rest", role="contingent", card=False,
    ),
    EventTemplate("turned_back", "The contingent on the road turns back: {detail}.", card=False),
    EventTemplate(
        "evacuation_decided", "The Taliban leadership decides to leave Kabul.",
        why="with the front covering the city broken, the model's Taliban withdraw rather than"
        " defend it (withdrawal.policy)",
        state=("{taliban_kabul:,.0f} Taliban fighters in the city",),
    ),
    EventTemplate("defend", "The Taliban stay to defend Kabul."),
    EventTemplate("treasury_emptied", "The treasury is emptied before the Taliban leave.",
                  card=False),
    EventTemplate(
        "kabul_evacuated", "The evacuation is complete: no organised Taliban force is left in"
        " Kabul, and nobody holds the city.",
        state=("{stragglers:,.0f} stragglers left behind",),
    ),
    EventTemplate("tip", "A tip about an al-Qaeda convoy in the city.",
                  many="Over the day, {n} tips about an al-Qaeda convoy in the city.", card=False),
    EventTemplate("convoy_tracked", "A drone tracks the convoy in Wazir Akbar Khan.", card=False),
    EventTemplate("strike_kills_atef", "An airstrike on the convoy kills Mohammed Atef.",
                  card=False),
    EventTemplate("strike_misses", "An airstrike on the convoy misses.", card=False),
    EventTemplate("convoy_leaves", "The convoy leaves the Kabul area.", card=False),
    EventTemplate(
        "at_the_gates", "The alliance reaches the gates of Kabul.",
        state=("{taliban_kabul:,.0f} Taliban fighters still in the city",
               "{alliance_shamali:,.0f} alliance fighters"),
    ),
    EventTemplate(
        "hold_back", "The alliance declares a hold-back at the city's edge, until"
        " {declared_until_date}.",
        why="the foreign governments asked it to invest the city, not seize it (a scenario's"
        " alliance.hold_back_h or hold_until)",
    ),
    EventTemplate("hold_back_ends", "The declared hold-back ends."),
    EventTemplate(
        "entry_despite_orders", "Alliance units go into the city against orders.",
        why="a hazard that falls with the political pressure and rises once the city is empty"
        " and with each rival faction inside it",
    ),
    EventTemplate(
        "waits_for_evacuation", "The alliance waits while the Taliban leave the city.",
        why="it lets the evacuation finish rather than fight the rear guard",
    ),
    EventTemplate(
        "siege", "The alliance besieges Kabul, held by {value:,.0f} Taliban fighters.",
        why="the defenders chose to stay; the commander assaults only when he judges the odds"
        " worth it",
    ),
    EventTemplate(
        "city_assault_decided", "The alliance commander decides to assault the city (estimated"
        " odds {value:.1f}).",
        why="his estimate of the odds for a fight in the city passes his threshold",
    ),
    EventTemplate(
        "fighting_in_city", "Fighting inside Kabul: {value:.1f} h; Taliban casualties"
        " {taliban_casualties:,.0f}, alliance casualties {alliance_casualties:,.0f}.",
    ),
    EventTemplate(
        "terms_sought", "The garrison of Kabul ({value:,.0f} fighters) seeks terms.",
        why="the siege and the strikes have worn its resolve down to the point where its"
        " leaders judge the position hopeless, as at Kunduz and Kandahar in 2001",
    ),
    EventTemplate(
        "garrison_surrenders", "The garrison's Afghan fighters surrender ({value:,.0f}).",
    ),
    EventTemplate(
        "holdouts", "{value:,.0f} foreign fighters refuse the terms and hold out in the city.",
    ),
    EventTemplate(
        "enters_kabul", "The alliance enters Kabul and takes control (breadth of the authority"
        " holding the city in order {value:.2f} on a 0-1 scale).",
    ),
    EventTemplate("taliban_driven_out", "The returning Taliban force withdraws south."),
    EventTemplate(
        "vengeance", "Inhabitants find a Taliban fighter left behind: {detail}.",
        many="Over the day ({first} to {last}), inhabitants find {n} Taliban fighters left"
        " behind: {counts}.", card=False,
    ),
    EventTemplate(
        "faction_enters", "A faction moves into the unheld city: {detail} ({value:,.0f}"
        " fighters).",
        why="while no organised force holds Kabul, armed factions move in (vacuum.factions)",
    ),
    EventTemplate(
        "factional_fighting", "Factional fighting in Kabul between {detail}.",
        why="two armed parties in a city nobody polices clash (vacuum.clash_per_h)",
    ),
    EventTemplate("factional_fighting_ends", "The factional fighting stops ({detail})."),
    EventTemplate(
        "taliban_return", "A Taliban force retakes the empty city ({value:,.0f} fighters).",
        why="until Kandahar falls, a force from the south can return to an unheld Kabul; it"
        " fights with its own morale",
    ),
    EventTemplate(
        "taliban_return_sets_off", "A Taliban force sets off from the south towards Kabul.",
        why="the fighters who withdrew have reached Kandahar; the road back takes as long",
        card=False,
    ),
    EventTemplate(
        "taliban_return_turns_back", "The Taliban force from the south turns back: the city is"
        " held.", card=False,
    ),
    EventTemplate("strikes_end", "The air campaign ends: no Taliban line or pocket is left to"
                  " strike.", card=False),
    EventTemplate("resolution_1378", "UN Security Council resolution 1378 backs a transitional"
                  " administration.", card=False),
    EventTemplate("bonn_opens", "The UN talks on Afghanistan open in Bonn.", card=False),
    EventTemplate(
        "bonn_agreement", "The Bonn Agreement is signed; its parties pledge to withdraw"
        " military units from Kabul.",
        why="from then on every armed party is less likely to enter the city"
        " (political.bonn_restraint)",
    ),
    EventTemplate("resolution_1386", "UN Security Council resolution 1386 authorises an"
                  " international force.", card=False),
    EventTemplate("force_arrives", "The first international troops are in Kabul."),
    EventTemplate("force_arbiter", "International troops are now numerous enough to keep"
                  " factions apart."),
    EventTemplate("interim_authority", "The Interim Authority takes office in Kabul."),
    EventTemplate(
        "{place}_assault", "Local militias, with US controllers, attack the positions {at}.",
        why="the militias had mobilised after the capital fell and the controllers had"
        " arrived after the first fighters reached the positions", role="redoubt",
    ),
    EventTemplate(
        "{place}_truce", "The defenders {at} ask for terms; the attack pauses and fighters"
        " slip away across the passes.",
        why="they had lost a large share of their number", role="redoubt",
    ),
    EventTemplate(
        "{place}_ends", "The fighting {at} ends; the last defenders are taken prisoner.",
        role="redoubt",
    ),
    # The pockets (issue 25: kabulsim.model.pocket).
    EventTemplate(
        "besieged_{place}", "A force of {value:,.0f} closes on the Taliban {at} and besieges"
        " them.",
        why="the besiegers set out when the city whose retreat feeds the pocket fell, or when"
        " the Taliban left Kabul",
        role="pocket",
    ),
    EventTemplate(
        "reinforced_{place}", "{value:,.0f} US troops join the force besieging {city_label}.",
        role="pocket", card=False,
    ),
    EventTemplate(
        "terms_{place}", "The Taliban {at} seek terms ({value:,.0f} fighters in the pocket).",
        why="the strikes and the siege brought the pocket's morale down to its surrender"
        " threshold (alliance.surrender_resolve)",
        role="pocket",
    ),
    EventTemplate(
        "airlift_{place}", "{value:,.0f} fighters are flown out of {city_label} in the night.",
        role="airlift", card=False,
    ),
    EventTemplate(
        "surrender_{place}", "{value:,.0f} fighters surrender {at}.", role="pocket", card=False,
    ),
    EventTemplate(
        "{city}_falls", "The Taliban surrender {city_label} ({detail}).",
        why="the talks agreed terms; the fighters surrendered over the handover",
        role="pocket",
    ),
)  # fmt: skip
"""How each event kind is told, as declared (per-place kinds as templates over a role)."""


def expand_templates(
    declared: Sequence[EventTemplate] = TEMPLATES_DECLARED, places: tuple[Place, ...] = PLACES
) -> dict[str, tuple[EventTemplate, Place | None]]:
    """Every event kind the model can log, with its template and place (for per-place kinds)."""
    out: dict[str, tuple[EventTemplate, Place | None]] = {}
    for tpl in declared:
        if tpl.role is None:
            pairs: list[tuple[str, Place | None]] = [(tpl.kind, None)]
        else:
            pairs = [(tpl.kind.format(**p.fields()), p) for p in with_role(tpl.role, places)]
        for kind, place in pairs:
            if kind in out and out[kind][0] is not tpl:
                raise ValueError(f"event kind {kind!r} has two templates")
            # a kind logged by several fronts (an assault) takes its place from the event
            out[kind] = (tpl, None if tpl.kind == kind and tpl.role is not None else place)
    return out


TEMPLATES: Mapping[str, tuple[EventTemplate, Place | None]] = expand_templates()
"""Every event kind the model can log in the 2001 theatre: its template and its place."""

_PLACE_BY_NAME = {p.name: p for p in PLACES}


def template_for(kind: str) -> EventTemplate:
    """The template of an event kind.

    Raises:
        KeyError: the kind has no template (declare one in :data:`TEMPLATES_DECLARED`).
    """
    try:
        return TEMPLATES[kind][0]
    except KeyError:
        raise KeyError(f"event kind {kind!r} has no template in kabulsim.analysis.story") from None


_NUMBER = re.compile(r"([A-Za-z][A-Za-z ]*?) (-?\d[\d,]*(?:\.\d+)?)")


def detail_numbers(detail: str) -> dict[str, float]:
    """The labelled numbers of a log's text (``"Taliban casualties 142"``: taliban_casualties)."""
    out: dict[str, float] = {}
    for label, number in _NUMBER.findall(detail):
        key = "_".join(label.strip().lower().split())
        out[key] = float(number.replace(",", ""))
    return out


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> Any:
        raise KeyError(key)


def _fill(text: str, fields: Mapping[str, Any]) -> str | None:
    """``text`` with its placeholders filled, or None when a number is missing or NaN."""
    try:
        out = text.format_map(_Missing(fields))
    except (KeyError, ValueError, TypeError):
        return None
    return None if "nan" in out.split() or "nan)" in out else out


def when(start: datetime, t_h: float) -> str:
    """A clock value as people read it: ``14 Nov 13:58`` (the year when it is not the start's)."""
    local = to_local(start, t_h)
    year = f" {local.year}" if local.year != start.astimezone(KABUL).year else ""
    return f"{local.day} {local:%b}{year} {local:%H:%M}"


@dataclass(frozen=True, slots=True)
class Line:
    """One dated sentence of a story."""

    t_h: float
    date: str
    text: str
    brief: str = ""
    """The sentence and its mechanism without the numbers before it (a story card's)."""
    card: bool = True
    """Whether a story card tells it (:attr:`EventTemplate.card`)."""


@dataclass(frozen=True, slots=True)
class Story:
    """The account of one replication of one run."""

    name: str
    rep: int
    lines: tuple[Line, ...]
    in_short: str
    """The replication's outcomes in one sentence."""
    state_shown: bool
    """Whether the run kept this replication's state series (the numbers behind the turns)."""


def _state_at(series: pd.DataFrame, t_h: float) -> dict[str, Any]:
    """The state at the last series sample at or before ``t_h`` (empty when none)."""
    if series.empty:
        return {}
    before = series[series["t_h"] <= t_h + 1e-9]
    if before.empty:
        return {}
    row = before.iloc[-1]
    return {k: row[k] for k in series.columns if k not in ("rep", "time")}


def _place_fields(phase: str, fixed: Place | None) -> dict[str, Any]:
    place = fixed if fixed is not None else _PLACE_BY_NAME.get(phase)
    return dict(place.fields()) if place is not None else {}


def _line_state(fields: dict[str, Any], state: Mapping[str, Any]) -> None:
    """Add the state of the event's front under short names (defenders, morale, attackers)."""
    front = fields.get("front")
    if not front:
        return
    for short, column in (
        ("defenders", f"taliban_{front}"),
        ("morale", f"morale_{front}"),
        ("attackers", f"alliance_{front}"),
    ):
        if column in state:
            fields[short] = state[column]


def _counts(details: Sequence[str]) -> str:
    seen: dict[str, int] = {}
    for d in details:
        seen[d] = seen.get(d, 0) + 1
    return ", ".join(f"{d}: {n}" for d, n in sorted(seen.items(), key=lambda kv: (-kv[1], kv[0])))


def _groups(events: pd.DataFrame, start: datetime) -> Iterator[list[Any]]:
    """The events to tell, each alone, or (a kind whose template has ``many``) by day."""
    days: dict[tuple[str, str], list[Any]] = {}
    order: list[list[Any]] = []
    for row in events.itertuples(index=False):
        kind = str(row.event)
        if template_for(kind).many:
            key = (kind, to_local(start, float(row.t_h)).date().isoformat())  # type: ignore[arg-type]
            if key in days:
                days[key].append(row)
                continue
            days[key] = [row]
            order.append(days[key])
        else:
            order.append([row])
    yield from order


def tell(
    name: str,
    rep: int,
    events: pd.DataFrame,
    series: pd.DataFrame,
    summary_row: Mapping[str, Any],
    start: datetime,
) -> Story:
    """The story of one replication.

    Args:
        name: the run's (scenario's) name.
        rep: the replication's index.
        events: the replication's events (columns ``t_h``, ``phase``, ``event``, ``detail``,
            ``value``), in time order.
        series: the replication's state series (may be empty: the run did not keep it).
        summary_row: its row of the summary table.
        start: the scenario's start (the origin of the clock).

    Raises:
        KeyError: an event kind without a template.

    """
    lines: list[Line] = []
    for group in _groups(events, start):
        first = group[0]
        tpl, fixed = TEMPLATES.get(first.event, (None, None))
        if tpl is None:
            template_for(first.event)  # raises, naming the kind
            continue
        fields = _place_fields(first.phase, fixed)
        if len(group) > 1:
            fields |= {
                "n": len(group),
                "first": when(start, group[0].t_h),
                "last": when(start, group[-1].t_h),
                "counts": _counts([g.detail for g in group]),
            }
            text = _fill(tpl.many, fields) or tpl.many
            lines.append(Line(first.t_h, when(start, first.t_h), text, text, tpl.card))
            continue
        numbers = detail_numbers(first.detail)
        fields |= numbers
        # a clock time in the log ("declared until 1276.5 h") is told as a date
        fields |= {f"{k}_date": when(start, v) for k, v in numbers.items() if k.endswith("until")}
        fields |= {"detail": first.detail, "value": first.value}
        state = _state_at(series, first.t_h)
        fields = {**state, **fields}
        _line_state(fields, state)
        filled = _fill(tpl.text, fields)
        if filled is None:  # a number the log did not give: the sentence without it
            filled = _fill(re.sub(r"\s*\([^)]*\{[^)]*\)", "", tpl.text), fields)
        text = filled or tpl.kind
        why = f" Why: {tpl.why}." if tpl.why else ""
        brief = text + why
        clauses = [c for c in (_fill(s, fields) for s in tpl.state) if c]
        if clauses:
            stamp = state.get("t_h")
            at = f" (at {when(start, float(stamp))})" if stamp is not None else ""
            text += f" Before it{at}: " + ", ".join(clauses) + "."
        lines.append(Line(first.t_h, when(start, first.t_h), text + why, brief, tpl.card))
    return Story(name, rep, tuple(lines), in_short(summary_row), not series.empty)


IN_SHORT = (
    "alliance_enters_kabul",
    "entry_despite_orders",
    "vacuum_h",
    "factions_entered",
    "factional_fighting",
    "taliban_reentered",
    "civilian_casualties",
    "civilians_looting",
    "civilians_factional",
    "holder_at_interim",
)
"""The outcomes a story ends with (``holder_at_interim`` only when that date is in the run)."""


def outcome_text(name: str, value: Any) -> str:
    """One outcome's value in words, with its title (``Vacuum in Kabul ...: 6.2 hours``)."""
    o = OUTCOME_BY_NAME[name]
    missing = value is None or value == "" or (isinstance(value, float) and math.isnan(value))
    if missing:
        shown = "not within the horizon" if o.kind == "time" else "none"
    elif o.kind == "time":
        local = to_datetime(pd.Series([value])).iloc[0].tz_convert(KABUL)
        shown = f"{local.day} {local:%b %Y %H:%M}"
    elif o.kind == "flag":
        shown = "yes" if bool(value) else "no"
    elif o.kind == "category":
        shown = str(value)
    elif o.kind in ("count",):
        shown = f"{float(value):,.0f}" + (f" {o.units}" if o.units else "")
    elif o.kind == "hours":
        shown = f"{float(value):,.1f} hours"
    else:
        shown = f"{float(value):.2f}"
    return f"{o.title}: {shown}"


def in_short(row: Mapping[str, Any]) -> str:
    """The replication's headline outcomes in one sentence."""
    shown = [n for n in IN_SHORT if n in row]
    if "interim_authority" in row and outcome_text(
        "interim_authority", row["interim_authority"]
    ).endswith("not within the horizon"):
        shown = [n for n in shown if n != "holder_at_interim"]
    return "; ".join(outcome_text(n, row[n]) for n in shown) + "."


# --- Picking replications ----------------------------------------------------------------


def check_outcome(name: str) -> None:
    """Refuse an outcome that cannot order replications.

    Raises:
        ValueError: ``name`` is not a declared outcome, or is a category.
    """
    if name not in OUTCOME_BY_NAME:
        raise ValueError(
            f"unknown outcome {name!r}; expected a summary column such as {DEFAULT_OUTCOME}"
        )
    kind = OUTCOME_BY_NAME[name].kind
    if kind not in RANKABLE:
        raise ValueError(f"outcome {name!r} is a {kind}; expected a date, duration or number")


def sort_key(summary: pd.DataFrame, outcome: str) -> pd.Series:
    """The outcome as numbers that order the replications (NaN where it is missing)."""
    column = summary[outcome]
    if OUTCOME_BY_NAME[outcome].kind == "time":
        parsed = to_datetime(column.astype("str").replace({"None": "", "nan": ""}))
        seconds: pd.Series = (
            parsed.dt.tz_convert("UTC") - pd.Timestamp(0, tz="UTC")
        ).dt.total_seconds()
        return seconds
    numbers: pd.Series = pd.to_numeric(column, errors="coerce").astype(float)
    return numbers


def ranked(summary: pd.DataFrame, outcome: str) -> list[int]:
    """The finished replications' indices, ordered by ``outcome`` (missing last, then by index)."""
    check_outcome(outcome)
    ok = summary[summary["error"] == ""] if "error" in summary else summary
    key = sort_key(ok, outcome)
    frame = pd.DataFrame({"rep": ok["rep"].astype(int).to_numpy(), "key": key.to_numpy()})
    frame["missing"] = frame["key"].isna()
    frame = frame.sort_values(["missing", "key", "rep"], kind="mergesort")
    return [int(r) for r in frame["rep"]]


@dataclass(frozen=True, slots=True)
class Pick:
    """A replication chosen for a story, and why."""

    rep: int
    outcome: str | None = None
    quantile: float | None = None
    value: Any = None
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        """Why this replication: ``the 50th percentile of Alliance enters Kabul``."""
        if self.outcome is None or self.quantile is None:
            return f"Replication {self.rep}"
        title = OUTCOME_BY_NAME[self.outcome].title
        return f"Replication {self.rep}: the {percentile(self.quantile)} of '{title}'"


def percentile(q: float) -> str:
    """``0.05`` -> ``5th percentile``, ``0.5`` -> ``50th percentile (the median)``."""
    p = q * 100
    n = f"{p:g}"
    suffix = "th"
    if p == int(p) and int(p) % 100 not in (11, 12, 13):
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(int(p) % 10, "th")
    text = f"{n}{suffix} percentile"
    return text + " (the median)" if q == 0.5 else text


def pick(summary: pd.DataFrame, outcome: str, quantile: float) -> Pick:
    """The replication at ``quantile`` of ``outcome`` (nearest rank; see the module docstring).

    Raises:
        ValueError: an outcome that cannot order replications, a quantile outside [0, 1], or
            no finished replication.
    """
    if not 0.0 <= quantile <= 1.0 or math.isnan(quantile):
        raise ValueError(f"quantile {quantile:g}: expected a number from 0 to 1")
    order = ranked(summary, outcome)
    if not order:
        raise ValueError("no replication finished: nothing to tell")
    rep = order[math.floor(quantile * (len(order) - 1) + 0.5)]
    value = summary.loc[summary["rep"] == rep, outcome].iloc[0]
    return Pick(rep, outcome, quantile, value)


def paired_picks(
    summaries: Mapping[str, pd.DataFrame], by: str, outcome: str, quantiles: Sequence[float]
) -> list[Pick]:
    """The picks of a comparison: ranked in run ``by``, the same index told under every run."""
    return [pick(summaries[by], outcome, q) for q in quantiles]
