"""Hypothetical outcomes: paired replications shown one at a time, as an animated GIF.

Each frame is one replication: its headline outcomes (``outputs.HEADLINE_OUTCOMES``) under
every compared scenario, one row per scenario, on axes fixed over all replications. The rows
of a frame share their random numbers and parameter set, so the gap between them is what the
scenarios' assumptions make of the same draw. Watching frames go by shows how much the
outcomes vary and how often one scenario comes out ahead, which readers judge better than
from intervals (Hullman, Resnick and Adar, PLoS ONE 2015). The lesson pages step through the
same pairs interactively; this GIF is the report's version (a report holds no script).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from kabulsim import outputs
from kabulsim.analysis import display
from kabulsim.analysis.story import sort_key
from kabulsim.plots.dotplot import axis_formatter
from kabulsim.plots.style import SERIES_CYCLE, new_figure, style_axes

FRAMES = 20
"""Replications shown (the first ones by index: every scenario's replication i is paired)."""
FRAME_MS = 1200
"""How long each frame stays, in milliseconds."""


def hypothetical_outcomes_gif(
    summaries: Mapping[str, pd.DataFrame],
    outcomes: Sequence[str] = outputs.HEADLINE_OUTCOMES,
    frames: int = FRAMES,
    dpi: float = 60.0,
) -> bytes | None:
    """The GIF of ``frames`` paired replications (None when there is nothing to show).

    Args:
        summaries: summary tables by scenario name, replication i of each paired.
        outcomes: the outcomes to show (those missing from every table are left out).
        frames: how many replications to show.
        dpi: resolution of the frames.
    """
    from PIL import Image

    names = [o for o in outcomes if any(o in s.columns for s in summaries.values())]
    reps = min((len(s) for s in summaries.values()), default=0)
    if not names or reps == 0:
        return None
    rows = list(summaries)
    values = {
        name: {
            row: sort_key(s, name).reset_index(drop=True) if name in s.columns else None
            for row, s in summaries.items()
        }
        for name in names
    }
    shown = min(frames, reps)
    fig = new_figure(8.0, 0.8 + (0.35 * len(rows) + 0.45) * len(names))
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    marks = [_panel(ax, name, values[name], rows) for ax, name in zip(axes, names, strict=True)]
    images = []
    for rep in range(shown):
        for mark in marks:
            mark(rep)
        fig.suptitle(
            f"Replication {rep + 1} of {shown}: the same random numbers in every row",
            fontsize=11,
        )
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        image = Image.open(buf).convert("RGB")
        images.append(image.quantize(64, method=Image.Quantize.FASTOCTREE))
    out = io.BytesIO()
    images[0].save(
        out, format="GIF", save_all=True, append_images=images[1:], duration=FRAME_MS, loop=0
    )
    return out.getvalue()


def _panel(
    ax: Axes,
    name: str,
    columns: Mapping[str, pd.Series | None],
    rows: Sequence[str],
) -> Callable[[int], None]:
    """Draw the panel's fixed parts; return what moves its dots to replication ``rep``."""
    present = pd.concat([c for c in columns.values() if c is not None]).dropna()
    low, high = (float(present.min()), float(present.max())) if len(present) else (0.0, 1.0)
    span = high - low if high > low else 1.0
    none_x = high + 0.08 * span
    dots = []
    for i in range(len(rows)):
        color = SERIES_CYCLE[i % len(SERIES_CYCLE)]
        (dot,) = ax.plot([none_x], [len(rows) - 1 - i], "o", ms=9, mec=color, mfc=color)
        dots.append((dot, color))
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(list(reversed(rows)), fontsize=8)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(low - 0.04 * span, none_x + 0.04 * span)
    edge = high + 0.04 * span
    ax.axvline(edge, color="#999999", lw=0.6, ls=":")
    ax.text(none_x, len(rows) - 0.45, "none", ha="center", va="top", fontsize=7, color="#555555")
    time = outputs.OUTCOME_BY_NAME[name].kind == "time"
    ax.xaxis.set_major_formatter(FuncFormatter(axis_formatter(name, time, edge)))
    unit = "" if time or not display.units(name) else f" ({display.units(name)})"
    ax.set_title(display.title(name) + unit, fontsize=9, loc="left")
    ax.tick_params(axis="x", labelsize=8)
    style_axes(ax)

    def move(rep: int) -> None:
        for (dot, color), row in zip(dots, rows, strict=True):
            column = columns[row]
            v = None if column is None or pd.isna(column.iloc[rep]) else float(column.iloc[rep])
            dot.set_xdata([none_x if v is None else v])
            dot.set_markerfacecolor("none" if v is None else color)

    return move
