"""The campaign timeline: each phase as a bar over real dates, with its spread."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kabulsim import outputs
from kabulsim.plots import _data
from kabulsim.plots.style import (
    COLORS,
    DATE_LABEL,
    FONT,
    date_num,
    format_date_axis,
    new_figure,
    style_axes,
)
from kabulsim.scenario.schema import Scenario


@dataclass(frozen=True)
class Phase:
    """A phase of the timeline: a label and its start and end per replication."""

    label: str
    start: np.ndarray
    end: np.ndarray
    color: str
    record: str | None = None
    """Summary column whose historical date is marked on this row, if any."""

    @property
    def happened(self) -> np.ndarray:
        """Replications in which both ends exist."""
        ok: np.ndarray = np.isfinite(self.start) & np.isfinite(self.end)
        return ok

    @property
    def is_point(self) -> bool:
        """A phase whose start and end coincide (an instant)."""
        ok = self.happened
        return bool(ok.any()) and bool(np.allclose(self.start[ok], self.end[ok]))


def phases(summary: pd.DataFrame, scenario: Scenario) -> list[Phase]:
    """The phases of the timeline, in campaign order, as date numbers per replication.

    The fall of each front's city and the fight for the front that covers Kabul follow the
    scenario's theatre (a front the scenario declares has its row).
    """
    n = len(summary)
    nums = {c: _data.date_nums(summary[c]) for c in summary.columns if _data.is_time(summary, c)}
    never = np.full(n, np.nan)
    bombing = np.full(n, date_num(scenario.air.bombing_start))
    theatre = scenario.theatre
    cols = outputs.per_place(outputs.OUTCOMES_DECLARED, theatre.places)
    capital = next(f.place for f in theatre.fronts if f.plays("capital"))
    start = cols[("start", capital.name)]
    hours = summary.get(cols[("duration_h", capital.name)], pd.Series(never))
    duration = pd.to_numeric(hours, errors="coerce").to_numpy(float)
    atef = nums["atef_strike_time"].copy()
    atef[~summary["atef_killed"].astype(bool).to_numpy()] = np.nan
    falls = []
    for front in theatre.fronts:
        if front.fall is None:
            continue
        column = cols[("city_falls", front.name)]
        when = nums.get(column, never)
        record = column if column in _data.HISTORICAL_DATES else None
        falls.append(
            Phase(f"{front.place.city_label} falls", when, when, COLORS["alliance"], record)
        )
    label = capital.fields()["Label"]
    return [
        Phase("Air campaign", bombing, nums[cols[("broken", capital.name)]], COLORS["air"]),
        *falls,
        Phase(
            f"{label} fight", nums[start], nums[start] + duration / 24.0, COLORS["taliban"], start
        ),
        Phase(
            "Taliban withdrawal",
            nums["evacuation_decided"],
            nums["kabul_evacuated"],
            COLORS["withdrawal"],
        ),
        Phase(
            "Alliance held at the gates",
            nums["alliance_at_gates"],
            nums["alliance_enters_kabul"],
            COLORS["alliance"],
        ),
        Phase(
            "Vacuum in Kabul",
            nums["kabul_evacuated"],
            nums["alliance_enters_kabul"],
            COLORS["neutral"],
        ),
        Phase(
            "Alliance enters Kabul",
            nums["alliance_enters_kabul"],
            nums["alliance_enters_kabul"],
            COLORS["alliance"],
            "alliance_enters_kabul",
        ),
        Phase("Strike kills Atef", atef, atef, COLORS["hvt"]),
    ]


def _draw(ax: Axes, rows: list[Phase], n: int, min_width: float, labels: bool) -> None:
    for y, ph in enumerate(rows):
        ok = ph.happened
        if not ok.any():
            if labels:
                ax.text(
                    ax.get_xlim()[0],
                    y,
                    "  did not happen in any replication",
                    va="center",
                    fontsize=FONT["note"],
                    color=COLORS["neutral"],
                )
            continue
        s05, s50, s95 = _data.quantiles(ph.start[ok])
        e05, e50, e95 = _data.quantiles(ph.end[ok])
        if ph.is_point:
            ax.plot([s05, s95], [y, y], color=ph.color, lw=1.2, alpha=0.6)
            for x in (s05, s95):
                ax.plot([x, x], [y - 0.15, y + 0.15], color=ph.color, lw=1.0, alpha=0.6)
            ax.plot([s50], [y], marker="D", ms=6, color=ph.color, ls="none")
        else:
            ax.barh(y, e95 - s05, left=s05, height=0.5, color=ph.color, alpha=0.22, lw=0)
            width = max(e50 - s50, min_width)
            ax.barh(y, width, left=s50, height=0.5, color=ph.color, alpha=0.9, lw=0)
            for lo, hi in ((s05, s95), (e05, e95)):
                ax.plot([lo, hi], [y + 0.33, y + 0.33], color=ph.color, lw=1.0)
        if ph.record is not None:
            day, text = _data.HISTORICAL_DATES[ph.record]
            x0 = date_num(day)
            ax.plot(
                [x0, x0 + 1.0],
                [y - 0.38, y - 0.38],
                color=COLORS["record"],
                lw=2.5,
                solid_capstyle="butt",
            )
            if labels:
                ax.text(
                    x0 + 1.05,
                    y - 0.38,
                    f"record: {text}",
                    va="center",
                    fontsize=FONT["note"],
                    color=COLORS["record"],
                    # Outside the zoomed window (a late scenario) the label is not drawn: an
                    # unclipped text far to the left collapses the figure's layout.
                    clip_on=True,
                )


def _label(ph: Phase, n: int) -> str:
    share = ph.happened.sum() / max(1, n)
    if share < 0.995:
        return f"{ph.label}\n(in {share:.0%} of replications)"
    return ph.label


def timeline(summary: pd.DataFrame, scenario: Scenario) -> Figure:
    """The campaign timeline over real dates, with the spread over replications.

    Each phase is a row. A dark bar runs from the median start to the median end (over the
    replications in which the phase happened); the light band behind it runs from the 5th
    percentile of the start to the 95th percentile of the end, and the two thin lines just
    below the bar show the 5-95% spread of the start and of the end separately. Instants (the fall
    of Mazar-i-Sharif, the entry into Kabul, the strike that kills Atef) are a diamond at
    the median with a 5-95% whisker. The share of replications in which a phase happened is
    written where it is below 100%. A short black line above a row marks the day of the
    historical record. The upper panel shows the whole campaign, the lower one the decisive
    days around the fall of Kabul.

    Args:
        summary: the run's summary table (one row per replication).
        scenario: the scenario that was run (for the bombing start and the horizon).

    Returns:
        The figure.

    """
    rows = phases(summary, scenario)
    n = len(summary)
    fig = new_figure(9.0, 6.2)
    top, bottom = fig.subplots(2, 1, height_ratios=[1.0, 1.25])
    start = date_num(scenario.start)
    ends = [_data.quantiles(ph.end[ph.happened])[2] for ph in rows if ph.happened.any()]
    last = max([start + 40.0, *[e + 3.0 for e in ends if np.isfinite(e)]])
    last = min(last, start + scenario.horizon_days)
    top.set_xlim(start, last)
    _draw(top, rows, n, min_width=0.25, labels=False)
    top.set_title("Campaign timeline: median phase (bar), 5-95% spread over replications")
    format_date_axis(top, last - start, label=False)

    zoom_keys = (outputs.column("city_falls", "falls"), "alliance_enters_kabul")
    centers = [_data.quantiles(_data.date_nums(summary[k]))[1] for k in zoom_keys]
    if all(np.isfinite(c) for c in centers):
        lo, hi = np.floor(centers[0]) - 1.0, np.ceil(centers[1]) + 3.0
    else:
        lo, hi = start + 30.0, start + 42.0
    bottom.set_xlim(lo, hi)
    _draw(bottom, rows, n, min_width=0.04, labels=True)
    bottom.set_title("The decisive days (same phases, zoomed)", fontsize=FONT["label"])
    format_date_axis(bottom, hi - lo)
    top.axvspan(lo, hi, color="#000000", alpha=0.05, lw=0)
    for ax in (top, bottom):
        ax.set_yticks(range(len(rows)), [_label(ph, n) for ph in rows])
        ax.set_ylim(len(rows) - 0.4, -0.7)
        ax.grid(axis="x", color="#DDDDDD", lw=0.6)
        ax.set_axisbelow(True)
        style_axes(ax)
    bottom.set_xlabel(
        f"{DATE_LABEL}\n{n} replications of scenario '{scenario.name}'. Bars: medians over the"
        " replications in which the phase happened;\nblack line: the day of the historical"
        " record."
    )
    return fig
