"""Scenarios generated inside and outside the JSON Schema: each runs sanely or is refused.

Hypothesis writes scenario files that change a few parameters, with values drawn from the
plausible range, from the hard bounds' neighbourhood, or from anywhere (infinities, NaN,
huge and negative numbers, booleans, text, null). Each file goes through the real command
line (``kabulsim run FILE --reps 2``). Either the run succeeds with sane tables
(non-negative counts, conserved fighters, an ordered timeline, events in time order within
the horizon), or it is refused with one line and exit status 2 before anything is written.
Every example must finish within the deadline: no accepted value may hang a run.
"""

from __future__ import annotations

import math
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from kabulsim.scenario.schema import Scenario
from tests.reliability.conftest import cli, one_line


def _leaves(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    out: dict[tuple[str, ...], Any] = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.update(_leaves(annotation, (*prefix, name)))
        elif annotation in (int, float):
            out[(*prefix, name)] = info
    return out


TIME_COLUMNS = (
    "shamali_start",
    "front_broken",
    "evacuation_decided",
    "kabul_evacuated",
    "alliance_at_gates",
    "alliance_enters_kabul",
)
LEAVES = _leaves(Scenario)
KEYS = sorted(LEAVES)


def _bounds(info: Any) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    for m in info.metadata:
        low = float(getattr(m, "ge", getattr(m, "gt", low)))
        high = float(getattr(m, "le", getattr(m, "lt", high)))
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    plausible = extra.get("plausible_range")
    if plausible:
        low, high = max(low, float(plausible[0])), min(high, float(plausible[1]))
    # Unbounded without a plausible range: draw "inside" values from +-1e6.
    return (low if math.isfinite(low) else -1e6), (high if math.isfinite(high) else 1e6)


def _value(key: tuple[str, ...]) -> st.SearchStrategy[Any]:
    info = LEAVES[key]
    low, high = _bounds(info)
    inside = (
        st.integers(math.ceil(low), math.floor(high))
        if info.annotation is int
        else st.floats(low, high, allow_nan=False)
    )
    anywhere = st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(10**12), 10**12),
        st.booleans(),
        st.text(max_size=4),
        st.none(),
        st.sampled_from([low - 1, high * 10 + 1, 0, -1, 1e-12]),
    )
    return st.one_of(inside, inside, anywhere)


changes = st.lists(st.sampled_from(KEYS), min_size=1, max_size=4, unique=True).flatmap(
    lambda keys: st.fixed_dictionaries({k: _value(k) for k in keys})
)


def _document(picked: dict[tuple[str, ...], Any]) -> str:
    data: dict[str, Any] = {}
    for key, value in picked.items():
        node = data
        for part in key[:-1]:
            node = node.setdefault(part, {})
        node[key[-1]] = value
    return yaml.safe_dump(data, allow_unicode=False)


def _check_run(out: Path, scenario: Scenario) -> None:
    summary = pd.read_parquet(out / "summary.parquet")
    assert len(summary) == 2 and (summary["error"] == "").all()
    numbers = summary.select_dtypes("number").drop(columns=["conservation_error"])
    assert (numbers.fillna(0) >= 0).all().all()
    assert (summary["conservation_error"].abs() < 1e-6).all()
    times = pd.DataFrame(
        {c: pd.to_datetime(summary[c].replace("", None), utc=True) for c in TIME_COLUMNS}
    )
    for _, row in times.iterrows():
        if pd.notna(row["alliance_enters_kabul"]):
            assert row["alliance_enters_kabul"] >= row["alliance_at_gates"]
        if pd.notna(row["front_broken"]) and pd.notna(row["shamali_start"]):
            assert row["front_broken"] >= row["shamali_start"]
        if pd.notna(row["kabul_evacuated"]) and pd.notna(row["evacuation_decided"]):
            assert row["kabul_evacuated"] >= row["evacuation_decided"]
    events = pd.read_parquet(out / "events.parquet")
    horizon_h = scenario.horizon_days * 24.0
    assert ((events["t_h"] >= 0) & (events["t_h"] <= horizon_h + 1e-6)).all()
    assert events.groupby("rep")["t_h"].apply(lambda t: t.is_monotonic_increasing).all()


@settings(
    max_examples=40,
    deadline=timedelta(seconds=60),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(picked=changes)
def test_generated_scenarios_run_sanely_or_are_refused(picked):
    import io
    from contextlib import redirect_stderr, redirect_stdout

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "s.yaml").write_text(_document(picked), encoding="utf-8")
        out = work / "out"
        err = io.StringIO()
        with redirect_stderr(err), redirect_stdout(io.StringIO()):
            argv = ["run", str(work / "s.yaml"), "--reps", "2", "--workers", "1"]
            status = cli([*argv, "--out", str(out), "--quiet", "--no-figures"])
        assert status in (0, 2), err.getvalue()
        if status == 2:
            one_line(err.getvalue())
            assert not out.exists()
        else:
            from kabulsim.scenario import load_scenario

            _check_run(out, load_scenario(work / "s.yaml"))
