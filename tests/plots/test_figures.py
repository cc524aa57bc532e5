from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from PIL import Image, ImageSequence

import kabulsim
from kabulsim import basemap, outputs
from kabulsim.plots import (
    animation,
    comparison_overlay,
    distributions,
    fan_chart,
    fan_chart_from_quantiles,
    harm_by_cause,
    save,
    series_quantiles,
    theatre_map,
    timeline,
    write_run_figures,
)
from kabulsim.plots.animate import frame_times
from kabulsim.plots.geo import PLACES

DATE = re.compile(r"^\d\d (Oct|Nov|Dec)$")


def _ticks(ax) -> list[str]:
    ax.figure.canvas.draw()
    return [t.get_text() for t in ax.get_xticklabels() if t.get_text()]


def _texts(fig: Figure) -> list[str]:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
        out += [ax.get_title(), ax.get_title("left"), ax.get_xlabel()]
    if fig._suptitle is not None:
        out.append(fig._suptitle.get_text())
    return out


def test_timeline_rows_dates_and_shares(baseline_run: kabulsim.RunResult) -> None:
    fig = timeline(baseline_run.summary, baseline_run.scenario)
    assert isinstance(fig, Figure)
    _top, bottom = fig.axes
    labels = [t.get_text() for t in bottom.get_yticklabels()]
    assert labels[0] == "Air campaign"
    assert any(lab.startswith("Shamali fight") for lab in labels)
    assert any("Vacuum" in lab for lab in labels)
    # Atef is killed in only part of the replications: its share is written
    assert any(re.search(r"Atef\n\(in \d+% of replications\)", lab) for lab in labels)
    ticks = _ticks(bottom)
    assert ticks and all(DATE.match(t) for t in ticks)
    assert any("Nov" in t for t in ticks)
    assert any("record: 13 Nov" in t for t in _texts(fig))
    # bars: a light band and a dark median bar per duration phase (air, shamali, withdrawal,
    # hold-back, vacuum) in each panel
    assert len(bottom.patches) >= 10


def test_fan_chart_bands_markers_and_dates(baseline_run: kabulsim.RunResult) -> None:
    r = baseline_run
    fig = fan_chart(r.series, r.scenario, r.summary)
    axes = fig.axes
    assert len(axes) == 3
    for ax in axes:
        bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
        assert len(bands) == 2  # the 50% and 90% bands
        labels = [line.get_label() for line in ax.get_lines()]
        assert "median" in labels
        assert sum(lab.startswith("median: ") for lab in labels) == 3  # event markers
    assert axes[0].get_title(loc="left") == "Taliban fighters on the Shamali front"
    ticks = _ticks(axes[-1])
    assert any(t.endswith("Nov") for t in ticks) and all(DATE.match(t) for t in ticks)


def test_fan_chart_without_summary_has_no_markers(baseline_run: kabulsim.RunResult) -> None:
    fig = fan_chart(baseline_run.series, baseline_run.scenario, variables=("morale_shamali",))
    (ax,) = fig.axes
    assert not any(line.get_label().startswith("median: ") for line in ax.get_lines())


def test_series_quantiles_format_and_values(baseline_run: kabulsim.RunResult) -> None:
    series = baseline_run.series
    q = series_quantiles(series)
    assert list(q.columns) == ["t_h", "variable", "n", "mean", "p05", "p25", "p50", "p75", "p95"]
    assert {"taliban_shamali", "city_holder_alliance"} <= set(q["variable"])
    row = q[(q["variable"] == "taliban_shamali") & (q["t_h"] == 0.0)].iloc[0]
    assert row["n"] == 60 and row["p50"] == series[series["t_h"] == 0]["taliban_shamali"].median()
    ordered = q[["p05", "p25", "p50", "p75", "p95"]].to_numpy()
    assert (np.diff(ordered, axis=1) >= -1e-9).all()
    fig = fan_chart_from_quantiles(q, baseline_run.scenario)
    assert len(fig.axes) == 3
    with pytest.raises(ValueError, match="lacks columns"):
        fan_chart_from_quantiles(q.drop(columns="p25"), baseline_run.scenario)


def test_distributions_panels_and_record_lines(baseline_run: kabulsim.RunResult) -> None:
    fig = distributions(baseline_run.summary, baseline_run.scenario)
    axes = fig.axes
    assert len(axes) == 8
    titles = [ax.get_title(loc="left").replace("\n", " ") for ax in axes]  # wrapped to fit
    # One panel per outcome declared with ``panel=True``, in declaration order.
    assert [t.split(" (in ")[0] for t in titles[:-1]] == [o.title for o in outputs.PANELS]
    assert "Alliance enters Kabul" in titles
    assert "Strike kills Mohammed Atef" in titles
    records = [line.get_label() for ax in axes for line in ax.get_lines()]
    assert "record: 13 Nov" in records
    assert "record: 12 Nov" in records
    assert "record: about 3 h" in records
    ticks = _ticks(axes[0])
    # Dates on the axis: days ("12 Nov") or, when a late replication stretches it over
    # months, months ("Nov 2001").
    assert any(t.endswith("Nov") or t.startswith("Nov") for t in ticks)
    atef = axes[-1]
    assert len(atef.patches) == 1
    p = baseline_run.summary["atef_killed"].mean()
    assert atef.patches[0].get_height() == pytest.approx(p)
    assert any("record: killed" in t for t in _texts(fig))


def test_theatre_map_places_and_flows(baseline_run: kabulsim.RunResult) -> None:
    fig = theatre_map(baseline_run.summary, baseline_run.series, baseline_run.scenario)
    (ax,) = fig.axes
    texts = [t.get_text() for t in ax.texts]
    for place in ("Kabul", "Bagram", "Mazar-i-Sharif", "Tora Bora", "Kandahar", "Jalalabad"):
        assert place in texts
    flows = [t for t in texts if t.startswith("to ")]
    assert len(flows) == 2
    med = baseline_run.summary["to_kandahar"].median()
    assert f"to Kandahar: {med:,.0f}" in flows
    widths = {
        line.get_label(): line.get_linewidth()
        for line in ax.get_lines()
        if line.get_label().startswith("withdrawal")
    }
    assert widths["withdrawal to Kandahar"] > widths["withdrawal to Tora Bora"]
    assert ax.get_aspect() == pytest.approx(1 / np.cos(np.radians((29.2 + 38.7) / 2)))


def test_theatre_map_without_run_and_outline() -> None:
    from matplotlib.path import Path as MPath

    fig = theatre_map()
    (ax,) = fig.axes
    assert not [t for t in ax.texts if t.get_text().startswith("to ")]
    (afg,) = [s for s in basemap.layer("country") if s.name == "Afghanistan"]
    outline = MPath(max(afg.parts, key=len))
    assert len(outline.vertices) >= 200  # a real border, not a hand-drawn outline
    for lat, lon in PLACES.values():
        assert outline.contains_point((lon, lat))
    labels = [line.get_label() for line in ax.get_lines()]
    assert "road: Kabul-Kandahar via Ghazni" in labels
    assert "pass: Salang Pass" in labels
    assert any(c.get_label() == "river" for c in ax.collections)
    assert "schematic" not in ax.get_title()


def test_animation_gif_frames(baseline_run: kabulsim.RunResult, tmp_path: Path) -> None:
    r = baseline_run
    out = animation(r.series, r.summary, r.scenario, tmp_path / "a.gif")
    with Image.open(out) as im:
        frames = sum(1 for _ in ImageSequence.Iterator(im))
        assert im.size[0] <= 600
    assert 10 < frames <= 60
    assert len(frame_times(r.scenario)) <= 60
    with pytest.raises(ValueError):
        animation(r.series, r.summary, r.scenario, tmp_path / "a.avi")


def test_comparison_overlay(baseline_run, hold_back_run) -> None:
    fig = comparison_overlay(
        {"baseline": baseline_run.summary, "hold back": hold_back_run.summary},
        outcomes=("alliance_enters_kabul", "vacuum_h", "atef_killed"),
    )
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert len(visible[-1].patches) == 2  # one bar per scenario
    assert len(fig.legends) == 1
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["baseline", "hold back"]


def test_harm_by_cause_stacks_the_causes_to_the_mean_total(baseline_run, hold_back_run) -> None:
    summaries = {"baseline": baseline_run.summary, "hold back": hold_back_run.summary}
    fig = harm_by_cause(summaries)
    harm, probabilities, holders = fig.axes[:3]
    causes = ("civilians_looting", "civilians_factional", "civilians_fighting_in_city")
    for i, frame in enumerate(summaries.values()):
        bars = [p for p in harm.patches if abs(p.get_x() + p.get_width() / 2 - i) < 1e-9]
        top = max(p.get_y() + p.get_height() for p in bars)
        assert top == pytest.approx(sum(frame[c].astype(float).mean() for c in causes))
    assert len(probabilities.patches) == 2 * 3  # two scenarios x three flags
    # The default horizon (1 May 2002) reaches the Interim Authority (22 Dec 2001) in every
    # replication, so no holder is "after the horizon"; the alliance holds it in the baseline.
    labels = [t.get_text() for t in holders.get_legend().get_texts()]
    assert "after the horizon" not in labels
    assert "alliance" in labels


def test_save_and_write_run_figures(baseline_run: kabulsim.RunResult, tmp_path: Path) -> None:
    paths = save(timeline(baseline_run.summary, baseline_run.scenario), tmp_path, "t")
    assert [p.name for p in paths] == ["t.png", "t.svg"]
    assert paths[1].read_text().lstrip().startswith("<?xml")
    # the animation itself is tested above; skip it here to keep the suite fast
    written = write_run_figures(baseline_run, tmp_path / "figs", animate=False)
    names = {p.name for p in written}
    for stem in ("timeline", "fan_chart", "distributions", "theatre_map", "fall_by_date"):
        assert {f"{stem}.png", f"{stem}.svg"} <= names
    assert all(p.stat().st_size > 1000 for p in written)


def test_missing_events_are_handled(baseline_run: kabulsim.RunResult) -> None:
    summary = baseline_run.summary.copy()
    summary.loc[: len(summary) // 2, "alliance_enters_kabul"] = ""
    summary["vacuum_h"] = np.where(summary["alliance_enters_kabul"] == "", np.nan, 1.0)
    fig = distributions(summary, baseline_run.scenario)
    entry = [o.name for o in outputs.PANELS].index("alliance_enters_kabul")
    assert "(in " in fig.axes[entry].get_title(loc="left").replace("\n", " ")
    tl = timeline(summary, baseline_run.scenario)
    labels = [t.get_text() for t in tl.axes[1].get_yticklabels()]
    assert any(lab.startswith("Alliance enters Kabul\n(in ") for lab in labels)


def test_run_fan_chart_is_drawn_from_the_runs_quantile_table(
    baseline_run: kabulsim.RunResult,
) -> None:
    from kabulsim.plots.io import run_figures

    q = baseline_run.series_quantiles
    fig = run_figures(baseline_run)["fan_chart"]
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == outputs.SERIES_LABELS["taliban_shamali"].title
    (median,) = [line for line in ax.get_lines() if line.get_label() == "median"]
    expected = q[q["variable"] == "taliban_shamali"].sort_values("t_h")["p50"].to_numpy()
    shown = np.asarray(median.get_ydata(), dtype=float)
    np.testing.assert_array_equal(shown, expected)


def test_series_quantiles_of_a_series_table_match_the_runs_table(
    baseline_run: kabulsim.RunResult,
) -> None:
    """One statistic: quantiles of all the run's series equal the runner's aggregated ones."""
    assert baseline_run.series["rep"].nunique() == len(baseline_run.summary)  # all kept
    mine = series_quantiles(baseline_run.series)
    runs = baseline_run.series_quantiles[mine.columns]
    pd.testing.assert_frame_equal(
        mine.reset_index(drop=True), runs.reset_index(drop=True), check_dtype=False
    )
