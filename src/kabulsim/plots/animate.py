"""An animation of the campaign on the theatre map (GIF, or MP4 with ffmpeg)."""

from __future__ import annotations

import math
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from matplotlib import animation as mpl_animation
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from kabulsim import outputs
from kabulsim.files import atomic_path
from kabulsim.places import with_role
from kabulsim.plots import _data
from kabulsim.plots.geo import (
    draw_base,
    majority,
    max_route_width,
    median_flows,
    set_flows,
    set_fronts,
    set_holder,
)
from kabulsim.plots.style import FONT, date_num, new_figure, plain_text
from kabulsim.scenario.schema import Scenario
from kabulsim.timebase import KABUL

MAX_FRAMES = 60
"""At most this many frames (the step grows from 12 h to whole days to respect it)."""


def frame_times(
    scenario: Scenario, end_h: float | None = None, max_frames: int = MAX_FRAMES
) -> np.ndarray:
    """Clock hours of the frames from the start to ``end_h`` (default: the horizon).

    The step is 12 hours, or 24, 36 ... hours when that would give more than ``max_frames``.
    """
    horizon = scenario.horizon_days * 24.0
    end = horizon if end_h is None or not math.isfinite(end_h) else min(end_h, horizon)
    step = 12.0
    while end / step + 1 > max_frames:
        step += 12.0
    return np.arange(0.0, end + 1e-9, step)


def _freeze_background(
    fig: Figure, ax: Axes, dynamic: list[Artist], dpi: float, picture: bool
) -> Any:
    """Draw the static map once; frames then draw only ``dynamic`` on top of it.

    The base map (relief, borders, rivers, roads, labels, axes) is the same in every frame:
    it is rendered once at the animation's resolution and its artists are hidden, so each
    frame costs only the fronts, routes, marker and text. Returns the rendered region, to
    be restored before each frame is drawn (blitting); with ``picture``, the rendering is
    also put back as a figure image, for writers that draw the whole figure per frame.
    """
    fig.set_dpi(dpi)
    hidden = [a for a in dynamic if a.get_visible()]
    for a in hidden:
        a.set_visible(False)
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # new_figure gives an Agg canvas
    canvas.draw()  # type: ignore[no-untyped-call]
    region = canvas.copy_from_bbox(fig.bbox)  # type: ignore[no-untyped-call]
    background = np.asarray(canvas.buffer_rgba()).copy()  # type: ignore[no-untyped-call]
    fig.set_layout_engine("none")  # keep the positions the picture was drawn with
    for a in hidden:
        a.set_visible(True)
    keep = set(map(id, dynamic))
    for child in ax.get_children():
        if id(child) not in keep:
            child.set_visible(False)
    ax.set_axis_off()
    ax.title.set_visible(False)
    fig.patch.set_visible(False)
    if picture:
        fig.figimage(background, xo=0, yo=0, origin="upper", zorder=-10)
    return region


class _GifFrames:
    """The frames of a GIF, drawn by blitting and written at once.

    Each frame restores the frozen map and draws the dynamic artists on it (no full redraw),
    and is kept as a palette image (a fast octree palette per frame), so that writing the
    GIF does not quantise every frame again.
    """

    def __init__(self, fig: Figure, ax: Axes, dynamic: list[Artist], region: Any) -> None:
        canvas = fig.canvas
        assert isinstance(canvas, FigureCanvasAgg)
        self.canvas = canvas
        self.ax = ax
        self.dynamic = sorted(dynamic, key=lambda a: a.get_zorder())
        self.region = region
        self.frames: list[Image.Image] = []

    def grab_frame(self) -> None:
        self.canvas.restore_region(self.region)  # type: ignore[no-untyped-call]
        for a in self.dynamic:
            self.ax.draw_artist(a)
        rgb = np.asarray(self.canvas.buffer_rgba())[..., :3]  # type: ignore[no-untyped-call]
        image = Image.fromarray(np.ascontiguousarray(rgb), "RGB")
        self.frames.append(image.quantize(256, method=Image.Quantize.FASTOCTREE))

    def save(self, path: Path, fps: int) -> None:
        self.frames[0].save(
            path, format="GIF", save_all=True, append_images=self.frames[1:],
            duration=int(1000 / fps), loop=0,
        )  # fmt: skip


def animation(
    series: pd.DataFrame,
    summary: pd.DataFrame,
    scenario: Scenario,
    path: str | Path,
    fps: int = 4,
    dpi: float = 80.0,
) -> Path:
    """Write an animation of the campaign on the theatre map.

    Each frame is one time (every 12 or 24 hours from the scenario start, at most
    :data:`MAX_FRAMES` frames, until three days after the 95th percentile of the entry
    into Kabul, or the horizon) and shows: whether each front has broken by then (in most
    replications), who holds Kabul (the most common ``city_holder`` over replications at
    that time), the median strengths on each front, and the median withdrawal flows once
    Kabul has been evacuated in most replications.

    Args:
        series: the run's series frame (state samples per replication).
        summary: the run's summary table.
        scenario: the scenario that was run.
        path: output file; ``.gif`` (Pillow) or ``.mp4`` (needs ffmpeg).
        fps: frames per second.
        dpi: resolution.

    Returns:
        The path written.

    Raises:
        RuntimeError: an ``.mp4`` was asked for and ffmpeg is not available.
        ValueError: the file type is not supported.

    """
    out = Path(path)
    suffix = out.suffix.lower()
    writer: mpl_animation.AbstractMovieWriter | None = None
    if suffix == ".mp4":
        if not mpl_animation.writers.is_available("ffmpeg"):
            raise RuntimeError("writing MP4 needs ffmpeg, which is not available; use .gif")
        writer = mpl_animation.FFMpegWriter(fps=fps)
    elif suffix != ".gif":
        raise ValueError(f"unsupported animation type {suffix!r}: use .gif or .mp4")

    start_num = date_num(scenario.start)
    places = scenario.theatre.places
    breaks = outputs.map_breaks(places)
    nums = {k: _data.date_nums(summary[k]) for k in (*breaks.values(), "kabul_evacuated")}
    cols = outputs.per_place(outputs.STATE_DECLARED, places)
    counts = [(cols[("taliban_{place}", p.name)], f"Taliban, {p.label}") for p in with_role(
        "garrison", places)]  # fmt: skip
    counts += [
        (cols[("alliance_{front}", p.name)], f"Alliance, {p.label}")
        for p in with_role("capital", places)
    ]
    width = max(len(label) for _, label in counts)
    flows = median_flows(summary)
    largest = max_route_width(flows)
    grid = np.unique(series["t_h"].to_numpy(np.float64)) if not series.empty else np.zeros(1)

    fig = new_figure(6.4, 5.6)
    ax = fig.subplots()
    art = draw_base(ax, places)
    ax.set_title(f"{scenario.name}: the campaign on the map", fontsize=FONT["title"])
    clock = ax.text(
        0.02, 0.98, "", transform=ax.transAxes, ha="left", va="top",
        fontsize=FONT["title"], family="monospace",
    )  # fmt: skip
    text = ax.text(
        0.02, 0.90, "", transform=ax.transAxes, ha="left", va="top",
        fontsize=FONT["note"], family="monospace",
        bbox={"facecolor": "white", "edgecolor": "#CCCCCC", "alpha": 0.9},
    )  # fmt: skip
    ax.set_xlabel(
        f"Medians and majorities over {len(summary)} replications; Kabul local time.",
        fontsize=FONT["note"],
    )
    plain_text(fig)  # before the background is rendered once (a "$" in a name is a dollar)
    dynamic: list[Artist] = [*art.fronts.values(), *art.routes.values(),
                             *art.route_labels.values(), art.kabul, clock, text]  # fmt: skip
    region = _freeze_background(fig, ax, dynamic, dpi, picture=writer is not None)
    out.parent.mkdir(parents=True, exist_ok=True)
    entry = _data.quantiles(_data.date_nums(summary["alliance_enters_kabul"]), (0.95,))[0]
    end_h = (entry - start_num) * 24.0 + 72.0 if math.isfinite(entry) else None
    times = frame_times(scenario, end_h)
    # The replications' samples at the grid times the frames show (one pass over the table).
    samples = [float(grid[np.abs(grid - t).argmin()]) for t in times]
    by_t: dict[float, pd.DataFrame] = {}
    if not series.empty:
        shown = series[series["t_h"].isin(samples)]
        by_t = {float(cast(float, t)): g for t, g in shown.groupby("t_h")}
    gif = _GifFrames(fig, ax, dynamic, region) if writer is None else None
    with (
        atomic_path(out, keep_suffix=True) as tmp,
        writer.saving(fig, str(tmp), dpi) if writer is not None else nullcontext(),
    ):
        for t, sample_t in zip(times, samples, strict=True):
            now = start_num + t / 24.0
            broken = {line: bool(np.mean(nums[col] <= now) > 0.5) for line, col in breaks.items()}
            set_fronts(art, broken)
            evacuated = bool(np.mean(nums["kabul_evacuated"] <= now) > 0.5)
            set_flows(art, flows if evacuated else {}, largest)
            sample = by_t.get(sample_t)
            holder = majority(sample["city_holder"]) if sample is not None else ""
            set_holder(art, holder or "taliban")
            when = scenario.start.astimezone(KABUL) + timedelta(hours=float(t))
            clock.set_text(when.strftime("%d %b %Y %H:%M"))
            lines = [f"Kabul held by: {holder or 'n/a'}"]
            if sample is not None:
                for col, label in counts:
                    med = float(sample[col].median())
                    padded = label.ljust(width)
                    lines.append(f"{padded}: {med:>7,.0f}" if math.isfinite(med) else padded)
            text.set_text("\n".join(lines))
            if gif is not None:
                gif.grab_frame()
            else:
                assert writer is not None
                writer.grab_frame()
        if gif is not None:
            gif.save(tmp, fps)
    return out
