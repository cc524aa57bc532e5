"""Engine behaviour: reinforcements, external losses, stochastic mode, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kabulsim.combat import LAWS, BattleResult, Reinforcement, Side, simulate
from kabulsim.combat.closed_form import square_law

# ---------------------------------------------------------------------------- reinforcements


def test_reinforcements_add_rate_times_duration_without_losses() -> None:
    # Windows deliberately not aligned with the 1-minute grid.
    windows = (
        Reinforcement(0.25, 1.7, 100.0),
        Reinforcement(2.013, 2.5, 33.3),
        Reinforcement(1.0, 1.2, 50.0),  # overlaps the first window
    )
    blue = Side("blue", 500.0, 0.0, reinforcements=windows)
    red = Side("red", 400.0, 0.0, reinforcements=(Reinforcement(0.0, 10.0, 7.0),))
    res = simulate(red, blue, max_h=3.0)
    expected = sum(w.total for w in windows)
    assert res.blue_reinforcements == pytest.approx(expected, rel=1e-12)
    assert res.blue_final == pytest.approx(500.0 + expected, rel=1e-12)
    # Red's window runs past max_h: only the part up to 3 h arrives.
    assert res.red_reinforcements == pytest.approx(21.0, rel=1e-12)
    assert res.red_final == pytest.approx(421.0, rel=1e-12)
    # Piecewise linear trajectory: compare with the exact cumulative arrivals.
    cum = np.array([sum(w.amount_between(0.0, t) for w in windows) for t in res.times])
    np.testing.assert_allclose(res.blue_strength, 500.0 + cum, rtol=1e-12)
    assert res.blue_losses == pytest.approx(0.0, abs=1e-9)


def test_reinforcement_window_outside_the_battle_is_ignored() -> None:
    blue = Side("blue", 100.0, 0.0, reinforcements=(Reinforcement(10.0, 12.0, 5.0),))
    res = simulate(Side("red", 100.0, 0.0), blue, max_h=3.0)
    assert res.blue_reinforcements == 0.0


def test_side_starting_at_zero_waits_for_its_reinforcements() -> None:
    blue = Side("blue", 0.0, 0.01, reinforcements=(Reinforcement(1.0, 2.0, 600.0),))
    red = Side("red", 300.0, 0.01)
    res = simulate(red, blue, max_h=4.0)
    assert res.ended_by == "time_limit"
    assert res.blue_reinforcements == pytest.approx(600.0)
    # Nothing happens to red until blue arrives.
    before = res.times <= 1.0
    np.testing.assert_array_equal(res.red_strength[before], 300.0)
    assert res.red_final < 300.0


def test_side_with_nothing_is_annihilated_at_once() -> None:
    res = simulate(Side("red", 0.0, 0.01), Side("blue", 10.0, 0.01))
    assert (res.ended_by, res.winner, res.duration_h) == ("annihilation:red", "blue", 0.0)
    both = simulate(Side("red", 0.0, 0.01), Side("blue", 0.0, 0.01))
    assert both.ended_by == "annihilation:red,annihilation:blue"
    assert both.winner is None


def test_stochastic_reinforcements_are_integers_with_the_right_total() -> None:
    windows = (Reinforcement(0.25, 1.7, 100.0), Reinforcement(2.013, 2.5, 33.3))
    blue = Side("blue", 500.0, 0.0, reinforcements=windows)
    expected = sum(w.total for w in windows)
    totals = []
    for seed in range(200):
        res = simulate(
            Side("red", 10.0, 0.0),
            blue,
            mode="stochastic",
            rng=np.random.default_rng(seed),
            max_h=3.0,
        )
        assert res.blue_reinforcements == math.floor(res.blue_reinforcements)
        # Each step rounds its expected arrivals up or down by less than one person.
        n_steps = (1.7 - 0.25 + 2.5 - 2.013) * 60 + 2
        assert abs(res.blue_reinforcements - expected) < n_steps
        totals.append(res.blue_reinforcements)
    # Stochastic rounding is unbiased: the mean is within 4 standard errors of the total.
    se = np.std(totals) / math.sqrt(len(totals))
    assert abs(np.mean(totals) - expected) < 4 * se + 1e-9


# ---------------------------------------------------------------------------- external losses


def test_external_losses_alone_reduce_strength_linearly() -> None:
    red = Side("red", 1000.0, 0.0, external_losses_per_h=120.0)
    blue = Side("blue", 500.0, 0.0)
    res = simulate(red, blue, max_h=5.0)
    np.testing.assert_allclose(res.red_strength, 1000.0 - 120.0 * res.times, rtol=1e-12)
    np.testing.assert_array_equal(res.blue_strength, 500.0)
    assert res.red_losses == pytest.approx(600.0, rel=1e-12)


def test_external_losses_until_annihilation() -> None:
    red = Side("red", 100.0, 0.0, external_losses_per_h=30.0)
    res = simulate(red, Side("blue", 50.0, 0.0), max_h=10.0)
    assert res.ended_by == "annihilation:red"
    assert res.winner == "blue"
    assert res.duration_h == pytest.approx(100.0 / 30.0, abs=1e-9)
    assert res.red_final == 0.0
    assert res.red_losses == pytest.approx(100.0)


# ---------------------------------------------------------------------------- results


def test_result_fields_and_frame() -> None:
    red = Side("Taliban", 2000.0, 0.01, breakpoint=0.5)
    blue = Side("United Front", 1500.0, 0.012)
    res = simulate(red, blue, max_h=3.0)
    assert isinstance(res, BattleResult)
    assert (res.law, res.mode, res.ended_by, res.winner) == (
        "square",
        "deterministic",
        "time_limit",
        None,
    )
    assert res.duration_h == 3.0
    assert len(res.times) == 3 * 60 + 1  # start + one entry per step
    assert res.times[0] == 0.0 and res.times[-1] == 3.0
    assert res.red_strength[-1] == res.red_final
    frame = res.to_frame()
    assert list(frame.columns) == ["time_h", "red_strength", "blue_strength"]
    assert len(frame) == len(res.times)
    assert frame.attrs["red_name"] == "Taliban"
    bare = simulate(red, blue, max_h=3.0, record=False)
    assert bare.times.size == bare.red_strength.size == bare.blue_strength.size == 0
    assert bare.red_final == res.red_final
    assert len(bare.to_frame()) == 0


def test_last_step_is_shortened_to_max_h() -> None:
    res = simulate(Side("red", 10.0, 0.0), Side("blue", 10.0, 0.0), dt_h=0.4, max_h=1.0)
    np.testing.assert_allclose(res.times, [0.0, 0.4, 0.8, 1.0])


def test_simultaneous_breakpoints_give_no_winner() -> None:
    red = Side("red", 1000.0, 0.02, breakpoint=0.3)
    blue = Side("blue", 1000.0, 0.02, breakpoint=0.3)
    res = simulate(red, blue)
    assert res.ended_by == "breakpoint:red,breakpoint:blue"
    assert res.winner is None


def test_breakpoint_counts_reinforcements_received() -> None:
    # 1000 + 500 received in the first hour; breaking at 20% means losing 300.
    blue = Side(
        "blue", 1000.0, 0.0, breakpoint=0.2, reinforcements=(Reinforcement(0.0, 1.0, 500.0),)
    )
    red = Side("red", 1000.0, 0.1)  # 100 blue casualties per hour
    res = simulate(red, blue, max_h=10.0)
    assert res.ended_by == "breakpoint:blue"
    assert res.duration_h == pytest.approx(3.0, abs=1e-9)
    assert res.blue_losses == pytest.approx(300.0, rel=1e-9)


def test_deterministic_conservation() -> None:
    red = Side("red", 3000.0, 0.004, external_losses_per_h=40.0)
    blue = Side("blue", 2000.0, 0.01, reinforcements=(Reinforcement(0.5, 1.25, 400.0),))
    res = simulate(red, blue, law="helmbold", helmbold_w=0.7, max_h=3.0)
    for side in ("red", "blue"):
        init, rec, loss, fin = (
            getattr(res, f"{side}_{k}") for k in ("initial", "reinforcements", "losses", "final")
        )
        assert init + rec - loss == pytest.approx(fin, rel=1e-9)


# ---------------------------------------------------------------------------- stochastic mode


def test_stochastic_mean_agrees_with_deterministic_square_law() -> None:
    # Mean final strength over 400 seeded runs lies within 4 standard errors of the
    # deterministic (closed-form) value. The square law is linear in the strengths, so the
    # expected stochastic path follows the explicit Euler recursion of the same equations;
    # its bias against the exact solution (~1e-5 relative here) is far below one standard
    # error (~0.4 personnel), and 4 standard errors make a false alarm very unlikely
    # (about 6e-5 for a normal mean).
    a, b = 0.02, 0.03
    red, blue = Side("red", 1000.0, a), Side("blue", 800.0, b)
    rng = np.random.default_rng(20011112)
    finals = np.array(
        [
            [r.red_final, r.blue_final]
            for r in (
                simulate(red, blue, mode="stochastic", rng=rng, max_h=3.0, record=False)
                for _ in range(400)
            )
        ]
    )
    x_exact, y_exact = square_law(3.0, 800.0, 1000.0, a, b)
    se = finals.std(axis=0, ddof=1) / math.sqrt(len(finals))
    assert abs(finals[:, 0].mean() - float(y_exact)) < 4 * se[0]
    assert abs(finals[:, 1].mean() - float(x_exact)) < 4 * se[1]


def test_stochastic_same_seed_same_result() -> None:
    red = Side("red", 1000.0, 0.02, breakpoint=0.2, external_losses_per_h=10.0)
    blue = Side("blue", 800.0, 0.03, reinforcements=(Reinforcement(0.3, 0.9, 170.0),))
    r1 = simulate(red, blue, mode="stochastic", rng=np.random.default_rng(7))
    r2 = simulate(red, blue, mode="stochastic", rng=np.random.default_rng(7))
    r3 = simulate(red, blue, mode="stochastic", rng=np.random.default_rng(8))
    assert r1 == r2
    np.testing.assert_array_equal(r1.red_strength, r2.red_strength)
    assert r1 != r3


def test_stochastic_strengths_are_whole_and_conserved() -> None:
    red = Side("red", 1000.4, 0.02, breakpoint=0.2, external_losses_per_h=10.0)
    blue = Side("blue", 800.0, 0.03, reinforcements=(Reinforcement(0.3, 0.9, 170.5),))
    res = simulate(red, blue, mode="stochastic", rng=np.random.default_rng(3))
    assert res.red_initial == 1000.0  # rounded to whole personnel
    for arr in (res.red_strength, res.blue_strength):
        np.testing.assert_array_equal(arr, np.floor(arr))
    assert res.red_initial + res.red_reinforcements - res.red_losses == res.red_final
    assert res.blue_initial + res.blue_reinforcements - res.blue_losses == res.blue_final


def test_stochastic_breakpoint_ends_at_step_end() -> None:
    red = Side("red", 1000.0, 0.02, breakpoint=0.1)
    blue = Side("blue", 1000.0, 0.05)
    res = simulate(red, blue, mode="stochastic", rng=np.random.default_rng(0))
    assert res.ended_by == "breakpoint:red"
    assert res.red_losses >= 100.0
    assert res.duration_h == pytest.approx(round(res.duration_h * 60) / 60, abs=1e-12)


def test_stochastic_run_records_every_step() -> None:
    # Speed is measured in benchmarks/, not here; this checks the step count of a 200-step run.
    red = Side("red", 2000.0, 0.01, breakpoint=0.4, external_losses_per_h=20.0)
    blue = Side("blue", 3000.0, 0.005, reinforcements=(Reinforcement(0.5, 1.5, 300.0),))
    rng = np.random.default_rng(1)
    res = simulate(red, blue, mode="stochastic", rng=rng, max_h=200 / 60)
    assert len(res.times) == 201


# ---------------------------------------------------------------------------- properties

reinforcement_st = st.builds(
    lambda s, d, r: Reinforcement(s, s + d, r),
    st.floats(0.0, 3.0),
    st.floats(0.0, 2.0),
    st.floats(0.0, 2000.0),
)
side_st = st.builds(
    Side,
    name=st.just("x"),
    strength=st.floats(0.0, 5000.0),
    kill_rate=st.floats(0.0, 0.2),
    breakpoint=st.none() | st.floats(0.01, 1.0),
    reinforcements=st.lists(reinforcement_st, max_size=2).map(tuple),
    external_losses_per_h=st.floats(0.0, 500.0),
)


@settings(max_examples=100, deadline=None)
@given(
    red=side_st,
    blue=side_st,
    law=st.sampled_from(sorted(LAWS)),
    mode=st.sampled_from(["deterministic", "stochastic"]),
    w=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_properties(red: Side, blue: Side, law: str, mode: str, w: float, seed: int) -> None:
    red = Side("red", red.strength, red.kill_rate, red.breakpoint, red.reinforcements,
               red.external_losses_per_h)  # fmt: skip
    blue = Side("blue", blue.strength, blue.kill_rate, blue.breakpoint, blue.reinforcements,
                blue.external_losses_per_h)  # fmt: skip
    res = simulate(
        red,
        blue,
        law=law,
        mode=mode,
        helmbold_w=w,
        max_h=3.0,
        rng=np.random.default_rng(seed),
    )
    # Strengths never negative, never NaN.
    for arr in (res.red_strength, res.blue_strength):
        assert np.all(np.isfinite(arr)) and np.all(arr >= 0.0)
    assert res.red_final >= 0.0 and res.blue_final >= 0.0
    assert 0.0 <= res.duration_h <= 3.0
    assert res.times[-1] == res.duration_h
    assert np.all(np.diff(res.times) > 0)
    # Conservation: exact in stochastic mode, to rounding in deterministic mode.
    for side in ("red", "blue"):
        init, rec, loss, fin = (
            getattr(res, f"{side}_{k}") for k in ("initial", "reinforcements", "losses", "final")
        )
        if mode == "stochastic":
            assert init + rec - loss == fin
            assert loss >= 0.0
        else:
            scale = max(init + rec, 1.0)
            assert abs(init + rec - loss - fin) <= 1e-9 * scale
            assert loss >= -1e-9 * scale
    # Outcome bookkeeping.
    if res.ended_by == "time_limit":
        assert res.winner is None
        assert res.duration_h == 3.0
    else:
        events = res.ended_by.split(",")
        assert all(e.split(":")[0] in ("breakpoint", "annihilation") for e in events)
        names = {e.split(":")[1] for e in events}
        assert res.winner == (None if len(names) == 2 else ({"red", "blue"} - names).pop())


# ---------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"strength": -1.0}, "strength must be >= 0"),
        ({"kill_rate": -0.1}, "kill_rate must be >= 0"),
        ({"external_losses_per_h": -5.0}, "external_losses_per_h must be >= 0"),
        ({"breakpoint": 0.0}, r"breakpoint must be a fraction in \(0, 1\]"),
        ({"breakpoint": 1.5}, r"breakpoint must be a fraction in \(0, 1\]"),
        ({"breakpoint": -0.2}, r"breakpoint must be a fraction in \(0, 1\]"),
        ({"strength": math.nan}, "strength must be finite"),
    ],
)
def test_side_validation(kwargs: dict[str, float], match: str) -> None:
    base: dict[str, float] = {"strength": 100.0, "kill_rate": 0.01}
    with pytest.raises(ValueError, match=match):
        Side("red", **{**base, **kwargs})  # type: ignore[arg-type]


def test_reinforcement_validation() -> None:
    with pytest.raises(ValueError, match="must not be before start_h"):
        Reinforcement(2.0, 1.0, 10.0)
    with pytest.raises(ValueError, match="rate_per_h must be >= 0"):
        Reinforcement(0.0, 1.0, -10.0)
    with pytest.raises(ValueError, match="Reinforcement objects"):
        Side("red", 10.0, 0.0, reinforcements=((0.0, 1.0, 5.0),))  # type: ignore[arg-type]
    # A list is accepted and stored as a tuple.
    side = Side("red", 10.0, 0.0, reinforcements=[Reinforcement(0.0, 1.0, 5.0)])  # type: ignore[arg-type]
    assert isinstance(side.reinforcements, tuple)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"law": "cubic"}, "unknown attrition law 'cubic'"),
        ({"mode": "monte-carlo"}, "unknown mode 'monte-carlo'"),
        ({"dt_h": 0.0}, "dt_h must be a positive number of hours"),
        ({"dt_h": -1 / 60}, "dt_h must be a positive number of hours"),
        ({"max_h": 0.0}, "max_h must be a positive number of hours"),
        ({"helmbold_w": 1.5}, r"helmbold_w must lie in \[0, 1\]"),
        ({"helmbold_w": -0.1}, r"helmbold_w must lie in \[0, 1\]"),
        ({"mode": "stochastic"}, "stochastic mode needs a numpy.random.Generator"),
    ],
)
def test_simulate_validation(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        simulate(Side("red", 10.0, 0.1), Side("blue", 10.0, 0.1), **kwargs)  # type: ignore[arg-type]


def test_sides_need_distinct_names() -> None:
    with pytest.raises(ValueError, match="different names"):
        simulate(Side("a", 10.0, 0.1), Side("a", 10.0, 0.1))


@pytest.mark.parametrize(
    ("red_bp", "blue_bp", "external"), [(0.3, 0.4, 0.0), (None, 0.2, 5.0), (0.1, None, 40.0)]
)
def test_stochastic_square_fast_path_equals_the_general_loop(red_bp, blue_bp, external) -> None:
    # Without a trajectory the square law runs a specialised loop; with one, the general
    # loop. Both must make the same draws and end the same way.
    red = Side("red", 400.0, 0.02, breakpoint=red_bp, external_losses_per_h=external)
    blue = Side("blue", 900.0, 0.015, breakpoint=blue_bp)
    for seed in range(20):
        kwargs = {"law": "square", "mode": "stochastic", "dt_h": 1 / 12, "max_h": 30.0}
        fast = simulate(red, blue, rng=np.random.default_rng(seed), record=False, **kwargs)
        full = simulate(red, blue, rng=np.random.default_rng(seed), record=True, **kwargs)
        for name in (
            "duration_h", "red_end", "blue_end", "winner", "ended_by", "red_final",
            "blue_final", "red_losses", "blue_losses",
        ):  # fmt: skip
            assert getattr(fast, name) == getattr(full, name), name
        assert full.times.size > 1 and fast.times.size == 0
