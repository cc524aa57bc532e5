"""Clock values to Kabul local time: the vectorised formatter equals the scalar one."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kabulsim.scenario import Scenario
from kabulsim.timebase import KABUL, iso, iso_many

START = Scenario().start


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(min_value=-2000.0, max_value=20_000.0, allow_nan=False),
            st.integers(min_value=-1000, max_value=100_000).map(lambda k: k / 60.0),
            st.none(),
            st.just(math.nan),
        ),
        max_size=40,
    )
)
def test_iso_many_equals_iso(hours):
    assert iso_many(START, hours) == [iso(START, h) for h in hours]


def test_iso_many_other_start_and_array_input():
    start = datetime(2001, 11, 12, 22, 15, tzinfo=KABUL)
    hours = np.array([0.0, 0.25, 1 / 60, 59.5 / 60, 24.0 * 30, math.nan])
    assert iso_many(start, hours) == [iso(start, float(h)) for h in hours]
    assert iso_many(start, hours)[0] == "2001-11-12T22:15+04:30"
    assert iso_many(start, []) == []
