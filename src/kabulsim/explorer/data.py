"""The explorer's data: run a scenario family on a grid and reduce it to small tables.

A *family* is one or more scenarios and zero or more *axes* (a parameter and the values it
takes, as for ``kabulsim sweep``). Each axis becomes a menu whose first option, ``OWN``, is
the selected scenario's own value: the value its file sets, or, for a calibrated parameter the
scenario leaves alone, the ensemble member's draw, exactly as ``kabulsim run`` does. A menu
never overrides a value unless a student picks one of its other options, and the page names
that change. Every combination is a *cell*; each cell runs the same number of replications
with the same seed, so all cells share common random numbers (replication ``i`` of every cell
draws from the same streams and the same ensemble member) and their differences are paired.
The *baseline* is the first cell: the first scenario named, every menu on its own value, so
its tables are those of ``kabulsim run`` of that scenario with the same seed and replications.

For each cell the tables hold:

* the fall-by-date curve: the share of replications in which the alliance has entered Kabul
  by each date. A replication in which the entry did not happen within the horizon is
  censored: it stays in the denominator and is never counted, so the curve ends below 1 when
  some replications did not see the entry (it is not counted at the horizon);
* the timeline: the median and 5-95% range of the date of each event, over the replications
  in which it happened, with that share;
* the key outcome distributions: five quantiles of each outcome;
* the differences from the baseline (:func:`kabulsim.compare`, paired bootstrap);
* the map state: which fronts broke in most replications and the median withdrawal flows.

Nothing here draws: :mod:`kabulsim.explorer.page` turns the tables into the HTML file.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from kabulsim import outputs
from kabulsim.analysis.compare import compare
from kabulsim.analysis.sweep import Axis, with_values
from kabulsim.basemap import FRONTS, ROUTE_NAMES, ROUTES, lonlat
from kabulsim.calibration.ensemble import DEFAULT, Ensemble, EnsembleSpec, resolve
from kabulsim.experiments.points import run_points
from kabulsim.outputs import OUTCOME_BY_NAME
from kabulsim.places import with_role
from kabulsim.scenario.provenance import implausible, provenance_table
from kabulsim.scenario.schema import Scenario
from kabulsim.tables import to_datetime
from kabulsim.timebase import KABUL

Progress = Callable[[int, int], None]

SCENARIO_KEY = "scenario"
"""The control that picks one of the named scenarios."""

_CITY = with_role("falls")[0]
_CAPITAL = with_role("capital")[0]
CITY_FALLS = outputs.column("city_falls", "falls")
"""The fall of the first city of the theatre (its column, from the places' data)."""

EVENTS: tuple[tuple[str, str], ...] = (
    (CITY_FALLS, f"{_CITY.city_label} falls"),
    ("first_assault", f"first assault on the {_CAPITAL.label} line"),
    ("front_broken", f"{_CAPITAL.label} front broken"),
    ("evacuation_decided", "Taliban decide to leave Kabul"),
    ("kabul_evacuated", "Kabul evacuated"),
    ("alliance_at_gates", "alliance at the gates"),
    ("alliance_enters_kabul", "alliance enters Kabul"),
    ("atef_strike_time", "strike that kills Atef"),
)
"""Summary time columns shown on the timeline, in the order of the campaign."""

OUTCOMES: tuple[tuple[str, str], ...] = (
    ("vacuum_h", "security vacuum in Kabul (hours)"),
    ("civilian_casualties", "civilian casualties (model)"),
    ("taliban_killed", "Taliban killed (model)"),
    ("to_kandahar", "fighters withdrawn to Kandahar"),
    ("to_tora_bora", "fighters withdrawn to Tora Bora"),
    ("vengeance_incidents", "vengeance incidents"),
    ("control_breadth", "breadth of the authority holding Kabul in order (0-1)"),
)
"""Outcomes whose distributions are shown, with their labels (the date of entry is on the
fall-by-date curve and the timeline, as a date)."""

DIFF_OUTCOMES = (
    CITY_FALLS,
    "front_broken",
    "alliance_enters_kabul",
    "vacuum_h",
    "atef_killed",
    "civilian_casualties",
    "taliban_killed",
    "to_kandahar",
    "control_breadth",
)
"""Outcomes compared with the baseline."""

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

RECORD_ENTRY = datetime(2001, 11, 13, 12, 0)
"""The entry into Kabul in the record (13 November 2001, Kabul local time; see the README)."""

CAVEATS: tuple[str, ...] = (
    "kabulsim models a real war with real victims. Its numbers of people killed are outputs"
    " of a model under stated assumptions, not estimates of the real toll and not measures of"
    " success.",
    "It is not a reconstruction of individual units, terrain or particular strikes: the north"
    " is one garrison and one threshold, the Taliban elsewhere in the country are only"
    " counted, and political decisions are inputs.",
    "Numbers without a source in the text are assumptions, each stated with its reason (the"
    " provenance table below). A counterfactual shows the consequences of the model's"
    " assumptions, not what would have happened.",
    "Each curve and interval is over the replications of one case; cases share common"
    " random numbers (the same seed), so differences between them come from the changed"
    " assumptions and not from luck of the draw. With few replications the curves are coarse.",
    "The map's borders, rivers and lakes are Natural Earth data (public domain); the roads are"
    " drawn through the towns they join, and the front lines are indicative, not surveyed.",
)


OWN = "scenario's own"
"""The first option of every parameter menu: the selected scenario's own value (or the
ensemble's draw where the scenario leaves the parameter to it)."""


def option_text(value: Any) -> str:
    """How a parameter value is shown as a control option."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return str(value)


@dataclass(frozen=True)
class Control:
    """One control of the explorer: a key (``scenario`` or a dotted parameter path)."""

    key: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Cell:
    """One combination of the grid: a scenario with some parameter values set."""

    index: int
    choice: tuple[str, ...]
    """The option chosen for each control, in the order of the controls."""
    values: dict[str, Any]
    """The values the menus set (the keys whose option is not :data:`OWN`)."""
    scenario: Scenario
    own: Scenario
    """The scenario as its file says, without the menus' values."""


def value_at(scenario: Scenario, path: str) -> Any:
    """The value of a dotted parameter path in ``scenario`` (as JSON would show it)."""
    node: Any = scenario.model_dump(mode="json")
    for seg in path.split("."):
        node = node[seg]
    return node


def plan_grid(
    scenarios: Sequence[Scenario], axes: Sequence[Axis]
) -> tuple[list[Control], list[Cell]]:
    """The controls and cells of a family; the first cell is the baseline.

    Each parameter control offers :data:`OWN` first, then the axis's values.

    Raises:
        ValueError: no scenario, two scenarios with the same name, an axis repeated or
            without values, two values of an axis shown alike, or a value the schema rejects.

    """
    if not scenarios:
        raise ValueError("at least one scenario is needed")
    names = [sc.name for sc in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ, got {names}")
    paths = [a.path for a in axes]
    if len(set(paths)) != len(paths):
        raise ValueError(f"each parameter may be varied once, got {paths}")
    controls = [Control(SCENARIO_KEY, tuple(names))]
    for axis in axes:
        texts = tuple(option_text(v) for v in axis.values)
        if not texts or len(set(texts)) != len(texts) or OWN in texts:
            raise ValueError(f"{axis.path}: the values must be distinct, got {list(texts)}")
        controls.append(Control(axis.path, (OWN, *texts)))
    cells: list[Cell] = []
    for sc in scenarios:
        for combo in itertools.product(*(range(len(a.values) + 1) for a in axes)):
            values = {a.path: a.values[i - 1] for a, i in zip(axes, combo, strict=True) if i}
            scenario = with_values(sc, values) if values else sc
            choice = (sc.name, *(controls[k + 1].options[i] for k, i in enumerate(combo)))
            cells.append(Cell(len(cells), choice, values, scenario, sc))
    return controls, cells


@dataclass
class ExplorerData:
    """Everything the explorer page shows, as small tables keyed by ``cell``."""

    controls: list[Control]
    cells: pd.DataFrame
    """One row per cell: ``cell``, one column ``c0``, ``c1`` ... per control, ``case`` (the
    case in words), ``in_words`` (its entry and vacuum) and ``warning`` (values outside their
    plausible range)."""
    fall: pd.DataFrame
    """The fall-by-date curve: ``cell``, ``date`` (Kabul wall clock), ``share``, ``entered``."""
    timeline: pd.DataFrame
    outcomes: pd.DataFrame
    differences: pd.DataFrame
    map_routes: pd.DataFrame
    map_fronts: pd.DataFrame
    provenance: pd.DataFrame
    exposed: pd.DataFrame
    reps: int
    seed: int
    horizon: dict[str, str]
    failed: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    ensemble: dict[str, Any] | None = None
    """The parameter ensemble every case drew from, as a run's manifest records it (None:
    the scenarios' own values)."""
    menus: pd.DataFrame = field(default_factory=pd.DataFrame)
    """What each menu's first option (the scenario's own) means for each scenario."""
    warnings: list[str] = field(default_factory=list)
    """One line per value outside its plausible range, in any case (a menu's or a file's)."""
    own: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Each scenario's summary with every menu on its own value, by scenario name: the runs
    ``kabulsim compare`` of the scenario files makes (the first layer of uncertainty)."""
    layers: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The scenario files' differences from the baseline in both layers of uncertainty, as
    ``kabulsim compare`` gives them (:func:`kabulsim.analysis.compare.nested_intervals`, its
    ``layers.csv``); empty when the page has no second layer."""


def wall_clock(ts: pd.Series) -> pd.Series:
    """Timezone-aware times as Kabul wall-clock strings ``YYYY-MM-DDTHH:MM:SSZ``.

    The ``Z`` lets the browser read them as UTC and show them unchanged on a UTC scale, so
    every student sees Kabul local time whatever the computer's time zone.
    """
    local = ts.dt.tz_convert(KABUL).dt.tz_localize(None)
    out: pd.Series = local.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def _wall(dt: datetime) -> str:
    return dt.astimezone(KABUL).replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%SZ")


def fall_curve(summary: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Share of replications in which the alliance has entered Kabul, by date.

    One row at the start (share 0), one per replication's entry in time order (the share
    just after it), and one at the horizon. Replications that raised are left out;
    replications without an entry within the horizon are censored (in the denominator,
    never counted).
    """
    ok = summary[summary["error"] == ""] if "error" in summary else summary
    n = len(ok)
    start = pd.Timestamp(scenario.start)
    end = start + pd.Timedelta(days=scenario.horizon_days)
    times = to_datetime(ok["alliance_enters_kabul"]).dropna()
    times = times[times <= end].sort_values()
    dates = pd.Series([start, *times.tolist(), end]).map(pd.Timestamp)
    counts = np.concatenate([[0], np.arange(1, len(times) + 1), [len(times)]])
    share = counts / n if n else np.zeros(len(counts))
    return pd.DataFrame(
        {
            "date": wall_clock(pd.to_datetime(dates, utc=True)).to_numpy(),
            "share": share,
            "entered": counts,
            "reps": n,
        }
    )


_EPOCH = pd.Timestamp(0, tz="UTC")


def _events(columns: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """:data:`EVENTS` with the fall of the city of each front a scenario declares."""
    labels = dict(EVENTS)
    names = outputs.with_declared(labels, [c for c in columns if outputs.is_time(c)])
    return tuple((n, labels.get(n) or outputs.title(n)) for n in names)


def _timeline(summary: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for order, (col, label) in enumerate(_events(summary.columns)):
        times = to_datetime(summary[col])
        happened = times.dropna()
        row: dict[str, Any] = {
            "event": label,
            "order": order,
            "happened": len(happened) / max(1, len(times)),
        }
        if len(happened):
            secs = (happened.dt.tz_convert("UTC") - _EPOCH).dt.total_seconds().to_numpy()
            q = np.quantile(secs, (0.05, 0.5, 0.95))
            stamps = pd.Series(pd.to_datetime(np.round(q), unit="s", utc=True))
            row.update(dict(zip(("q05", "q50", "q95"), wall_clock(stamps), strict=True)))
        else:
            row.update({"q05": None, "q50": None, "q95": None})
        rows.append(row)
    return pd.DataFrame(rows)


def _outcomes(summary: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for order, (name, label) in enumerate(OUTCOMES):
        x = np.asarray(pd.to_numeric(summary[name], errors="coerce"), dtype=float)
        x = x[np.isfinite(x)]
        row: dict[str, Any] = {"outcome": label, "order": order, "n": int(x.size)}
        qs = np.quantile(x, QUANTILES) if x.size else [math.nan] * len(QUANTILES)
        row.update({f"q{round(q * 100):02d}": float(v) for q, v in zip(QUANTILES, qs, strict=True)})
        rows.append(row)
    return pd.DataFrame(rows)


def _map_state(summary: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    broke = {
        line: float(to_datetime(summary[col]).notna().mean())
        for line, col in outputs.map_breaks().items()
    }
    fronts = [
        {
            "front": name,
            "order": i,
            "lon": x,
            "lat": y,
            "broken_share": broke[name],
            "status": "broken in most replications" if broke[name] > 0.5 else "held",
        }
        for name, pts in FRONTS.items()
        for i, (x, y) in enumerate(pts)
    ]
    routes = []
    for key, stops in ROUTES.items():
        flows = pd.to_numeric(summary[key], errors="coerce").dropna()
        median = float(flows.median()) if len(flows) else 0.0
        for i, place in enumerate(stops):
            lon, lat = lonlat(place)
            routes.append(
                {
                    "route": f"withdrawal {ROUTE_NAMES[key]}",
                    "order": i,
                    "lon": lon,
                    "lat": lat,
                    "median_flow": median,
                }
            )
    return pd.DataFrame(routes), pd.DataFrame(fronts)


_HAPPENED_SHOWN = (CITY_FALLS, "front_broken", "alliance_enters_kabul")


def _differences(summaries: dict[str, pd.DataFrame], n_boot: int, seed: int) -> pd.DataFrame:
    common = set.intersection(*(set(s.columns) for s in summaries.values()))
    outcomes = outputs.with_declared(DIFF_OUTCOMES, sorted(common, key=list(summaries["0"]).index))
    table = compare(summaries, baseline="0", outcomes=outcomes, n_boot=n_boot, seed=seed)
    keep = table[table["statistic"].isin(("median", "proportion", "median_time", "happened"))]
    out = keep.rename(columns={"scenario": "cell"}).copy()
    # the share of replications in which something happened is shown for events only (and
    # only where it matters most); for other outcomes it says over how many replications
    # their median is (the vacuum exists only where the alliance entered)
    events = [
        o
        for o in outcomes
        if o in _HAPPENED_SHOWN or (o not in OUTCOME_BY_NAME and outputs.is_time(o))
    ]
    out["shown"] = (out["statistic"] != "happened") | out["outcome"].isin(events)
    out["cell"] = out["cell"].astype(int)
    declared = {o: outputs.outcome(o) for o in outcomes}
    out["title"] = [declared[o].title for o in out["outcome"]]  # type: ignore[union-attr]
    out["kind"] = [declared[o].kind for o in out["outcome"]]  # type: ignore[union-attr]
    out["outcome_units"] = [declared[o].units for o in out["outcome"]]  # type: ignore[union-attr]
    return out.reset_index(drop=True)


def _own_text(own: Scenario, path: str, members: Ensemble | None) -> str:
    """What the :data:`OWN` option means for one scenario and parameter."""
    value = value_at(own, path)
    if members is not None and path in members.parameters and value == value_at(Scenario(), path):
        return f"drawn from the ensemble, single value {option_text(value)}"
    return option_text(value)


def _menus(
    controls: list[Control], scenarios: Sequence[Scenario], members: Ensemble | None
) -> pd.DataFrame:
    """For each scenario and parameter menu, what the scenario's own option means."""
    rows = [
        {"scenario": sc.name, "parameter": ctl.key, "own": _own_text(sc, ctl.key, members)}
        for ctl in controls[1:]
        for sc in scenarios
    ]
    return pd.DataFrame(rows, columns=["scenario", "parameter", "own"])


def _case_text(cell: Cell, menus: pd.DataFrame) -> str:
    """The selected case in words: the scenario and each change a menu makes to it."""
    own = menus[menus["scenario"] == cell.own.name].set_index("parameter")["own"]
    changes = [
        f"{path} = {option_text(value)}, the scenario's own value"
        if option_text(value) == own[path]
        else f"{path} changed to {option_text(value)} (the scenario's own: {own[path]})"
        for path, value in cell.values.items()
    ]
    if not changes:
        return f"{cell.own.name} as its file says (every menu on the scenario's own value)"
    return f"{cell.own.name} with " + "; ".join(changes)


def _in_words(summary: pd.DataFrame, scenario: Scenario) -> str:
    """The selected case's entry date and security vacuum, in one sentence for people.

    The median date of entry is the one ``kabulsim run`` prints and the differences table
    shows: over the replications in which the alliance entered, and "not reached" when it
    entered in fewer than half of them.
    """
    n = len(summary)
    if n == 0:
        return "No replication finished: nothing to show."
    times = to_datetime(summary["alliance_enters_kabul"]).dropna()
    entered = len(times)
    if entered * 2 < n:
        when = "not reached (the alliance enters in fewer than half of the replications)"
    else:
        local = pd.Timestamp(times.median()).tz_convert(KABUL)
        when = f"{local.day} {local:%b %Y %H:%M} (over the replications with an entry)"
    vac = pd.to_numeric(summary["vacuum_h"], errors="coerce").dropna()
    vacuum = (
        f"the security vacuum in Kabul lasts {float(vac.median()):.1f} hours (median over the"
        f" {len(vac)} replications with an entry)"
        if len(vac)
        else "there is no security vacuum to measure (no entry)"
    )
    return (
        f"The alliance enters Kabul within the horizon in {entered} of {n} replications"
        f" ({entered / n:.0%}); median date of entry: {when}; {vacuum}."
    )


def _exposed(
    controls: list[Control], cells: list[Cell], prov: pd.DataFrame, menus: pd.DataFrame
) -> pd.DataFrame:
    """Provenance of the parameters the controls change (varied, or differing by scenario)."""
    by_path = prov.set_index("parameter")
    tables = {
        c.choice[0]: provenance_table(c.scenario).set_index("parameter")["value"]
        for c in cells
        if not c.values
    }
    values = pd.DataFrame(tables)
    differing = values.index[values.nunique(axis=1) > 1].tolist()
    rows = []
    for ctl in controls[1:]:
        info = by_path.loc[ctl.key] if ctl.key in by_path.index else None
        own = menus[menus["parameter"] == ctl.key]
        text = (
            "menu; the scenario's own: "
            + ", ".join(f"{r.scenario} {r.own}" for r in own.itertuples())
            + "; other options: "
            + ", ".join(ctl.options[1:])
        )
        rows.append(_exposed_row(ctl.key, text, info))
    for path in differing:
        if any(ctl.key == path for ctl in controls[1:]):
            continue
        text = "scenario: " + ", ".join(f"{k} {v}" for k, v in values.loc[path].items())
        rows.append(_exposed_row(path, text, by_path.loc[path]))
    return pd.DataFrame(
        rows, columns=["parameter", "values", "units", "plausible_range", "kind", "source"]
    )


def _exposed_row(path: str, text: str, info: Any) -> dict[str, str]:
    keys = ("units", "plausible_range", "kind", "source")
    found = {k: str(info[k]) if info is not None else "" for k in keys}
    return {"parameter": path, "values": text, **found}


def _warnings(cells: Sequence[Cell]) -> list[str]:
    out: list[str] = []
    for cell in cells:
        out += [w for w in implausible(cell.scenario) if w not in out]
    return out


def family_warnings(scenarios: Sequence[Scenario], axes: Sequence[Axis] = ()) -> list[str]:
    """One line per value outside its plausible range in any case of the family.

    The same lines as ``kabulsim run`` prints for a scenario (:func:`implausible`), for the
    scenarios' own values and for each menu option; such values are run all the same.

    Raises:
        ValueError: the family is not valid (see :func:`plan_grid`).

    """
    return _warnings(plan_grid(scenarios, axes)[1])


def _run_key(scenario: Scenario, members: Ensemble | None) -> tuple[str, tuple[str, ...]]:
    """What decides a cell's tables: its scenario and the parameters the ensemble sets."""
    if members is None:
        return scenario.model_dump_json(), ()
    base = Scenario()
    drawn = tuple(p for p in members.parameters if value_at(scenario, p) == value_at(base, p))
    return scenario.model_dump_json(), drawn


def run_family(
    scenarios: Sequence[Scenario],
    axes: Sequence[Axis] = (),
    reps: int = 100,
    seed: int = 0,
    *,
    workers: int | None = 1,
    progress: Progress | None = None,
    n_boot: int = 1000,
    ensemble: EnsembleSpec = DEFAULT,
) -> ExplorerData:
    """Run every cell of a family with common random numbers and reduce it for the explorer.

    Args:
        scenarios: the named scenarios (the first is the baseline's).
        axes: the parameters to expose and their values.
        reps: replications per cell (>= 1).
        seed: the seed shared by every cell.
        workers: local processes (1: serial in this process; None: all cores). The tables
            are identical whatever the number of workers.
        progress: ``progress(done, total)`` in replications over the runs (cells that share
            a run count once); every run goes through one
            :func:`~kabulsim.experiments.points.run_points` call.
        n_boot: bootstrap resamples for the differences from the baseline.
        ensemble: parameter uncertainty, as for :func:`kabulsim.run`: by default the shipped
            baseline ensemble, None (or ``"none"``) for the scenarios' single values.
            Replication ``i`` of every case takes the same member, so the cases are paired by
            member too. A menu on the scenario's own option leaves the parameter to the
            scenario and the ensemble exactly as ``kabulsim run`` does; another option sets
            the value in every replication.

    Returns:
        The explorer's tables. Cells whose scenario and ensemble draws are the same (a menu
        option equal to the scenario's own value) are run once.

    Raises:
        ValueError: the family is not valid (see :func:`plan_grid`) or ``reps`` < 1.

    """
    if reps < 1:
        raise ValueError(f"reps must be >= 1, got {reps}")
    controls, cells = plan_grid(scenarios, axes)
    members = resolve(ensemble)
    menus = _menus(controls, scenarios, members)
    # a menu set to a value pins it: the ensemble's member must not replace it
    cell_members = [None if members is None else members.without(c.values) for c in cells]
    keys = [_run_key(c.scenario, m) for c, m in zip(cells, cell_members, strict=True)]
    first: dict[tuple[str, tuple[str, ...]], int] = {}
    for i, key in enumerate(keys):
        first.setdefault(key, i)  # cells with the same scenario and draws share one run
    runs = list(first.values())
    frames = run_points(
        [cells[i].scenario for i in runs], reps, seed, workers=workers, progress=progress,
        ensembles=[cell_members[i] for i in runs],
    )  # fmt: skip
    done_runs = {keys[i]: frame for i, frame in zip(runs, frames, strict=True)}
    failed = sum(int((frame["error"] != "").sum()) for frame in frames)
    summaries: dict[str, pd.DataFrame] = {}
    own: dict[str, pd.DataFrame] = {}
    parts: dict[str, list[pd.DataFrame]] = {
        k: [] for k in ("fall", "timeline", "outcomes", "routes", "fronts")
    }
    rows: list[dict[str, Any]] = []
    for cell, key in zip(cells, keys, strict=True):
        summary = done_runs[key]
        ok = summary[summary["error"] == ""]
        summaries[str(cell.index)] = ok
        if not cell.values:  # every menu on the scenario's own value
            own.setdefault(cell.own.name, summary)
        for key_, frame in (
            ("fall", fall_curve(summary, cell.scenario)),
            ("timeline", _timeline(ok)),
            ("outcomes", _outcomes(ok)),
            *zip(("routes", "fronts"), _map_state(ok), strict=True),
        ):
            parts[key_].append(frame.assign(cell=cell.index))
        cell_warnings = implausible(cell.scenario)
        rows.append(
            {
                "cell": cell.index,
                **{f"c{i}": ch for i, ch in enumerate(cell.choice)},
                "case": _case_text(cell, menus),
                "in_words": _in_words(ok, cell.scenario),
                "warning": " ".join(cell_warnings),
            }
        )
    prov = provenance_table(cells[0].scenario)
    base = cells[0].scenario
    end = base.start + timedelta(days=base.horizon_days)
    return ExplorerData(
        controls=controls,
        cells=pd.DataFrame(rows),
        fall=pd.concat(parts["fall"], ignore_index=True),
        timeline=pd.concat(parts["timeline"], ignore_index=True),
        outcomes=pd.concat(parts["outcomes"], ignore_index=True),
        differences=_differences(summaries, n_boot, seed) if len(cells) > 1 else pd.DataFrame(),
        map_routes=pd.concat(parts["routes"], ignore_index=True),
        map_fronts=pd.concat(parts["fronts"], ignore_index=True),
        provenance=prov,
        exposed=_exposed(controls, cells, prov, menus),
        reps=reps,
        seed=seed,
        horizon={"start": _wall(base.start), "end": _wall(end)},
        failed=failed,
        meta={"record_entry": RECORD_ENTRY.strftime("%Y-%m-%dT%H:%M:%SZ")},
        ensemble=None if members is None else members.record(),
        menus=menus,
        warnings=_warnings(cells),
        own=own,
    )
