"""Build one self-contained HTML report: figures embedded as base64 PNG, inline CSS.

The file has no external references (no scripts, style sheets, fonts or images from the
network) so it can be mailed, archived or opened offline. All text is escaped.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from kabulsim.analysis import display
from kabulsim.analysis.compare import COLUMNS, compare, readable_differences
from kabulsim.analysis.describe import describe
from kabulsim.files import atomic_write_text
from kabulsim.plots.dotplot import quantile_dotplot
from kabulsim.plots.forest import forest_plot
from kabulsim.plots.io import RUN_FIGURES, FigureFailure, run_figure_draws
from kabulsim.plots.overlay import comparison_overlay
from kabulsim.plots.style import plain_text
from kabulsim.scenario.loading import differences as scenario_differences
from kabulsim.scenario.provenance import provenance_table
from kabulsim.scenario.schema import Scenario
from kabulsim.textsafe import html_text

SECTIONS = {
    "scenario": "Scenario",
    "changes": "Changes from the baseline",
    "validation": "Validation against the record",
    "figures": "Figures",
    "outcomes": "Outcomes",
    "comparison": "Comparison of scenarios",
    "uncertainty": "Two layers of uncertainty",
    "provenance": "Parameter provenance",
}
"""Section ids and headings, in order (validation, comparison and uncertainty only when
given)."""

CSS = """
body{font-family:Georgia,'Times New Roman',serif;color:#222;max-width:1100px;margin:2em auto;
padding:0 1em;line-height:1.45;background:#fff}
h1{font-size:1.6em;border-bottom:1px solid #999;padding-bottom:.2em}
h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}
h3{font-size:1.05em}
table{border-collapse:collapse;font-family:Helvetica,Arial,sans-serif;font-size:.82em;
margin:.5em 0 1em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f2f2f2}
td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0}
figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85em;color:#444}
p.note{font-size:.88em;color:#444}
.fail{color:#8b0000;font-weight:bold}
"""

NOTE = (
    "kabulsim models a real war with real victims. Its outputs are the consequences of stated"
    " assumptions, not findings about what happened; casualty numbers are model outputs, not"
    " estimates of the real toll."
)

DOTPLOT_CAPTION = (
    "Quantile dotplots of the headline outcomes: each dot is 5% of the replications (the"
    " quantiles at 2.5%, 7.5%, ... 97.5%); count the dots to read how likely a value is. Hollow"
    " dots at the right: replications where the event did not happen or the outcome has no"
    " value."
)

CAPTIONS = {spec.name: spec.caption for spec in RUN_FIGURES} | {
    "comparison": "Outcomes of the compared scenarios, overlaid.",
    "differences": "Differences from the baseline with their bootstrap 95% intervals, each"
    " divided by its practical threshold (shaded: below it); the difference in its own units"
    " at the right.",
    "dotplot": DOTPLOT_CAPTION,
    "hypothetical_outcomes": "Hypothetical outcomes: the first 20 replications one at a time"
    " (each frame 1.2 s), every compared scenario in its own row with the same random numbers"
    " and parameter set; hollow at the right: the event did not happen.",
    "comparison_dotplot": DOTPLOT_CAPTION + " One row per compared scenario: the same"
    " replications, the same random numbers.",
    "decomposition": "Where the uncertainty of each difference comes from: shares of the"
    " variance of the runs' paired differences among the calibrated parameters, the"
    " assumption parameters and the runs' own chance, by Shapley effects (left) and by what"
    " the second layer of runs adds (right); a share estimated below zero is drawn as zero.",
}


def _e(value: object) -> str:
    return html_text(value)


def scenario_changes(scenario: Scenario, baseline: Scenario | None = None) -> pd.DataFrame:
    """Parameters that differ from the baseline: dotted key, baseline value, this value.

    The differences are :func:`kabulsim.scenario.loading.differences` (the same list that
    ``kabulsim show`` prints); ``name`` and ``description`` are not listed.
    """
    rows = [
        {"parameter": key, "baseline": _fmt(old), "scenario": _fmt(new)}
        for key, old, new in scenario_differences(baseline or Scenario(), scenario)
        if key not in ("name", "description")
    ]
    return pd.DataFrame(rows, columns=["parameter", "baseline", "scenario"])


def _fmt(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:  # a date from the scenario's JSON dump
            return datetime.fromisoformat(value).isoformat(timespec="minutes")
        except ValueError:
            return value
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return "null" if value is None else str(value)


def _png(fig: Figure, dpi: float = 100.0) -> str:
    plain_text(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(fig: Figure, name: str) -> str:
    caption = CAPTIONS.get(name, name)
    return (
        f'<figure id="fig-{_e(name)}"><img src="data:image/png;base64,{_png(fig)}"'
        f' alt="{_e(caption)}"><figcaption>{_e(caption)}</figcaption></figure>'
    )


def _figures(draws: Mapping[str, Callable[[], Figure | None]]) -> str:
    """Each figure embedded; one that cannot be drawn is named, with its error, in its place."""
    out = []
    for name, draw in draws.items():
        try:
            fig = draw()
            if fig is not None:
                out.append(_figure(fig, name))
        except Exception as exc:
            failure = FigureFailure.of(name, exc)
            out.append(
                f'<p class="fail">Figure {_e(name)} could not be drawn ({_e(failure.reason)}).</p>'
            )
    return "".join(out)


def _hops(summaries: Mapping[str, pd.DataFrame]) -> str:
    """The hypothetical-outcome GIF of a comparison (paired replications one at a time)."""
    from kabulsim.plots.hops import hypothetical_outcomes_gif

    try:
        gif = hypothetical_outcomes_gif(summaries)
    except Exception as exc:
        reason = FigureFailure.of("hypothetical_outcomes", exc).reason
        return (
            f'<p class="fail">Figure hypothetical_outcomes could not be drawn ({_e(reason)}).</p>'
        )
    if gif is None:
        return ""
    caption = CAPTIONS["hypothetical_outcomes"]
    data = base64.b64encode(gif).decode("ascii")
    return (
        f'<figure id="fig-hypothetical_outcomes"><img src="data:image/gif;base64,{data}"'
        f' alt="{_e(caption)}"><figcaption>{_e(caption)}</figcaption></figure>'
    )


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, float):
        text = "" if pd.isna(value) else f"{value:.4g}"
        return f'<td class="num">{_e(text)}</td>'
    if isinstance(value, int):
        return f'<td class="num">{value}</td>'
    return f"<td>{_e(value)}</td>"


def _table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return '<p class="note">(none)</p>'
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(_cell(v) for v in row) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@dataclass(frozen=True)
class _Run:
    """What the run's figures need (:class:`kabulsim.plots.io.RunLike`)."""

    summary: pd.DataFrame
    scenario: Scenario
    series: pd.DataFrame
    series_quantiles: pd.DataFrame


def _section(key: str, content: str) -> str:
    return f'<section id="{key}"><h2>{_e(SECTIONS[key])}</h2>{content}</section>'


def _ensemble_text(ensemble: Mapping[str, Any] | None) -> str:
    """Where the parameters came from, naming an ensemble file by its name, never its folder."""
    from kabulsim.calibration.ensemble import describe_record

    if not ensemble:
        return "Parameters: the scenario's own values (no parameter ensemble)."
    return (
        f"Parameters: each replication drew a member of {describe_record(dict(ensemble))}"
        f", hash {ensemble.get('hash')}; the scenario's own changes win over the ensemble's"
        " values."
    )


def build_report(
    summary: pd.DataFrame,
    scenario: Scenario,
    series: pd.DataFrame | None = None,
    *,
    validation: pd.DataFrame | None = None,
    comparison: Mapping[str, pd.DataFrame] | None = None,
    baseline: str | None = None,
    title: str | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    series_quantiles: pd.DataFrame | None = None,
    differences: pd.DataFrame | None = None,
    ensemble: Mapping[str, Any] | None = None,
    layers: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
) -> str:
    """Build the HTML text of a report on one run, optionally with a comparison.

    Args:
        summary: the run's summary table.
        scenario: the scenario that was run.
        series: the run's series frame (for the fan chart; omitted when None or empty).
        validation: a validation table (``validate_summary(summary, scenario)``) to include.
        comparison: summary tables by scenario name to compare (adds the overlay figure and
            the differences table); should include this run's summary under some name.
        baseline: the name in ``comparison`` to compare against (default: the first).
        title: the page title (default: from the scenario's name).
        n_boot: bootstrap resamples of the comparison (when ``differences`` is None).
        seed: seed of the comparison's bootstrap (likewise).
        series_quantiles: the run's series quantiles (``series_quantiles.parquet``); when
            given, the fan chart is drawn from them (all replications, the same table the
            run wrote) instead of from ``series``.
        differences: the comparison's differences table as ``compare`` wrote it
            (``differences.csv``); when given it is shown as is, not recomputed.
        ensemble: the parameter ensemble the run drew from, as its manifest records it
            (``source``, ``members``, ``hash``); None: the scenario's own values.
        layers: a comparison's differences in its layers of uncertainty (``layers.csv``):
            the section on the two layers.
        sources: the shares of the differences' variance (``decomposition.csv``), shown in
            that section.

    Returns:
        One self-contained HTML document.

    """
    head_title = title or f"kabulsim report: {scenario.name}"
    parts: list[str] = [
        f"<h1>{_e(head_title)}</h1>",
        f'<p class="note">{_e(NOTE)}</p>',
        f'<p class="note">{len(summary)} replications.</p>',
    ]
    if comparison:
        parts.append(
            f'<p class="note">The scenario, figures and outcomes below are those of'
            f" <b>{_e(scenario.name)}</b>; the comparison section sets every compared run"
            " against the baseline.</p>"
        )
    desc = scenario.description or "(no description)"
    parts.append(
        _section(
            "scenario",
            f"<p><b>{_e(scenario.name)}</b></p><p>{_e(desc)}</p>"
            f"<p>Start {_e(_fmt(scenario.start))}, horizon {scenario.horizon_days:g} days.</p>"
            f"<p>{_e(_ensemble_text(ensemble))}</p>",
        )
    )
    changes = scenario_changes(scenario)
    parts.append(
        _section(
            "changes",
            "<p>Parameters whose value differs from the baseline (old &rarr; new).</p>"
            + _table(changes),
        )
    )
    if validation is not None:
        failed = int((~validation["passed"].astype(bool)).sum()) if "passed" in validation else 0
        verdict = "all facts pass" if failed == 0 else f"{failed} fact(s) fail"
        parts.append(_section("validation", f"<p>{_e(verdict)}.</p>" + _table(validation)))
    run = _Run(
        summary,
        scenario,
        series if series is not None else pd.DataFrame(),
        series_quantiles if series_quantiles is not None else pd.DataFrame(),
    )
    parts.append(_section("figures", _figures(run_figure_draws(run))))
    outcomes = pd.DataFrame(
        [
            {"outcome": o.title, "median": o.median, "90% of runs": o.interval, "note": o.note}
            for o in describe(summary, places=scenario.theatre.places)
        ],
        columns=["outcome", "median", "90% of runs", "note"],
    )
    parts.append(
        _section(
            "outcomes",
            "<p>Median and 90% range (5th to 95th percentile) over the replications. A date"
            " counts a run in which the event had not happened by the horizon as later, and"
            f" is <i>{display.NOT_REACHED}</i> when that is half the runs or more; a duration"
            " that exists only when its event happened is over those runs, and says so; a"
            " true/false outcome is the share of runs with its 95% interval.</p>"
            + _figures({"dotplot": partial(quantile_dotplot, {scenario.name: summary})})
            + _table(outcomes),
        )
    )
    if comparison:
        base = baseline if baseline is not None else next(iter(comparison))
        diffs = (
            differences
            if differences is not None
            else compare(comparison, base, n_boot=n_boot, seed=seed)
        )
        whole = set(COLUMNS) <= set(diffs.columns)  # else an older or edited table, as it is
        draws: dict[str, Callable[[], Figure | None]] = {
            "comparison": partial(comparison_overlay, comparison),
            "comparison_dotplot": partial(quantile_dotplot, comparison),
        }
        if whole:
            draws = {"differences": partial(forest_plot, diffs, base), **draws}
        pictures = _figures(draws) + _hops(comparison)
        parts.append(
            _section(
                "comparison",
                f"<p>Differences, scenario minus <b>{_e(base)}</b>, with bootstrap 95%"
                " intervals. <i>Meaningful</i>: the interval excludes 0 and the difference"
                " reaches its practical threshold (6 h for times, 5 points for shares, 10% of"
                " the baseline and at least 1 for counts); <i>changed, below the"
                " threshold</i>: the interval excludes 0 only. A median date is over the runs"
                " in which the event happened; where that is half of the runs or fewer it is"
                f" <i>{display.NOT_REACHED}</i>, and the row 'share of runs where it happened'"
                " says how often. The numbers of <code>differences.csv</code>, in"
                " words.</p>" + pictures + _table(readable_differences(diffs) if whole else diffs),
            )
        )
    if layers is not None and not layers.empty:
        parts.append(_section("uncertainty", _layers_html(layers, sources)))
    from kabulsim.calibration.identifiability import shipped_verdicts

    parts.append(_section("provenance", _table(provenance_table(scenario, shipped_verdicts()))))
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(head_title)}</title><style>{CSS}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def _layers_html(layers: pd.DataFrame, sources: pd.DataFrame | None) -> str:
    """The comparison's differences in both layers and where their variance comes from."""
    from kabulsim.analysis.compare import LAYERS, nested_table
    from kabulsim.analysis.decomposition import METHODS_TEXT, shares_table
    from kabulsim.plots.decomposition import decomposition_figure

    made = [layer for layer in LAYERS if layer in set(layers["layer"].astype(str))]
    intro = (
        "<p>Each difference in each layer of uncertainty. <i>Calibrated parameters only</i>:"
        " every run draws a member of the calibrated ensemble (what the record constrains)."
        " <i>Calibrated parameters and assumptions</i>: the same runs, each also drawing the"
        " counterfactual mechanisms' inputs that no record constrains from their priors"
        " (docs/uncertainty.md)."
        + ("" if "assumptions" in made else " This comparison has the first layer only.")
        + " '95% of runs' holds the middle 95% of the runs' paired differences (the same"
        " random numbers, member and assumption draws in both scenarios); a share's interval"
        " is the bootstrap 95% interval of the difference of shares.</p>"
    )
    html = intro + _table(nested_table(layers))
    if sources is not None and not sources.empty:
        html += _figures({"decomposition": partial(decomposition_figure, sources)})
        html += f"<p>{_e(METHODS_TEXT.replace('*', ''))}</p>" + _table(shares_table(sources))
    return html


def write_report(
    path: str | Path, summary: pd.DataFrame, scenario: Scenario, **kwargs: Any
) -> Path:
    """Write :func:`build_report` to ``path`` (UTF-8) and return the path.

    Args:
        path: the HTML file to write (its folder is created if needed).
        summary: the run's summary table.
        scenario: the scenario that was run.
        **kwargs: the other arguments of :func:`build_report`.

    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, build_report(summary, scenario, **kwargs))
    return out
