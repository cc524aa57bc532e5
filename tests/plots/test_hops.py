"""The hypothetical-outcome GIF of a comparison (issue 28: uncertainty as outcomes)."""

import io

import pandas as pd
from PIL import Image

from kabulsim.plots.hops import hypothetical_outcomes_gif


def test_one_frame_per_paired_replication_up_to_the_limit():
    a = pd.DataFrame({"vacuum_h": [1.0, 2.0, 3.0, 4.0, 5.0]})
    b = pd.DataFrame({"vacuum_h": [10.0, None, 30.0, 40.0, 50.0]})
    gif = hypothetical_outcomes_gif({"a": a, "b": b}, outcomes=["vacuum_h"], frames=3)
    assert gif is not None
    image = Image.open(io.BytesIO(gif))
    assert image.format == "GIF" and image.n_frames == 3
    frames = []
    for k in range(image.n_frames):
        image.seek(k)
        frames.append(image.convert("RGB").tobytes())
    assert len(set(frames)) == 3  # each replication is a different picture
    # fewer replications than frames: one frame each
    two = hypothetical_outcomes_gif({"a": a.head(2)}, outcomes=["vacuum_h"])
    assert Image.open(io.BytesIO(two)).n_frames == 2


def test_nothing_to_show_is_none():
    assert hypothetical_outcomes_gif({"a": pd.DataFrame({"x": [1.0]})}) is None
    assert hypothetical_outcomes_gif({"a": pd.DataFrame({"vacuum_h": []})}) is None
