"""Deterministic engine against the closed-form solutions of the attrition laws."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kabulsim.combat import LAWS, Side, simulate
from kabulsim.combat.closed_form import (
    linear_law,
    linear_law_state,
    logarithmic_law,
    square_law,
    square_law_state,
    square_law_time_to_strength,
)
from kabulsim.combat.laws import get_law

# Relative tolerance for RK4 at dt = 1/60 h against the exact solutions. RK4's global error
# is O((k*dt)**4) with k the rate scale of the problem (about 0.02-0.04 per hour here), i.e.
# about 1e-13 relative, so 1e-8 leaves ample room for rounding over a few hundred steps,
# while a second-order scheme (error O((k*dt)**2) ~ 1e-7) would already fail it.
RTOL = 1e-8
DT = 1 / 60

X0, Y0 = 800.0, 1000.0  # blue, red (personnel)


def test_square_law_matches_closed_form() -> None:
    a, b = 0.02, 0.03  # per hour per fighter
    res = simulate(Side("red", Y0, a), Side("blue", X0, b), law="square", dt_h=DT, max_h=10.0)
    assert res.ended_by == "time_limit"
    x, y = square_law(res.times, X0, Y0, a, b)
    np.testing.assert_allclose(res.blue_strength, x, rtol=RTOL)
    np.testing.assert_allclose(res.red_strength, y, rtol=RTOL)


def test_linear_law_matches_closed_form() -> None:
    a, b = 2e-5, 3e-5  # per hour per fighter per enemy fighter; c = b*x0 - a*y0 = 0.004
    res = simulate(Side("red", Y0, a), Side("blue", X0, b), law="linear", dt_h=DT, max_h=10.0)
    x, y = linear_law(res.times, X0, Y0, a, b)
    np.testing.assert_allclose(res.blue_strength, x, rtol=RTOL)
    np.testing.assert_allclose(res.red_strength, y, rtol=RTOL)


def test_linear_law_balanced_case_uses_the_limit() -> None:
    # b*x0 == a*y0 exactly (c == 0): x = x0/(1 + a*y0*t), y = y0/(1 + b*x0*t).
    a, b = 2.5e-5, 2.5e-5
    t = np.linspace(0.0, 10.0, 11)
    x, y = linear_law(t, 1000.0, 1000.0, a, b)
    np.testing.assert_allclose(x, 1000.0 / (1 + a * 1000.0 * t), rtol=1e-15)
    np.testing.assert_allclose(y, 1000.0 / (1 + b * 1000.0 * t), rtol=1e-15)
    # Continuity: a tiny imbalance gives (almost) the same answer.
    x2, _ = linear_law(t, 1000.0 * (1 + 1e-12), 1000.0, a, b)
    np.testing.assert_allclose(x2, x, rtol=1e-10)
    res = simulate(Side("red", 1000.0, a), Side("blue", 1000.0, b), law="linear", max_h=10.0)
    xe, ye = linear_law(res.times, 1000.0, 1000.0, a, b)
    np.testing.assert_allclose(res.blue_strength, xe, rtol=RTOL)
    np.testing.assert_allclose(res.red_strength, ye, rtol=RTOL)


def test_logarithmic_law_matches_exponential_decay() -> None:
    a, b = 0.04, 0.03  # per hour
    res = simulate(Side("red", Y0, a), Side("blue", X0, b), law="logarithmic", dt_h=DT, max_h=10.0)
    x, y = logarithmic_law(res.times, X0, Y0, a, b)
    np.testing.assert_allclose(res.blue_strength, x, rtol=RTOL)
    np.testing.assert_allclose(res.red_strength, y, rtol=RTOL)


def test_state_equations_hold_along_trajectories() -> None:
    a, b = 0.02, 0.03
    sq = simulate(Side("red", Y0, a), Side("blue", X0, b), law="square", max_h=10.0)
    resid = square_law_state(sq.blue_strength, sq.red_strength, X0, Y0, a, b)
    # Residual relative to the size of the terms, b*x0**2.
    assert np.max(np.abs(resid)) / (b * X0**2) < 1e-10
    a, b = 2e-5, 3e-5
    li = simulate(Side("red", Y0, a), Side("blue", X0, b), law="linear", max_h=10.0)
    resid = linear_law_state(li.blue_strength, li.red_strength, X0, Y0, a, b)
    assert np.max(np.abs(resid)) / (b * X0) < 1e-10


def test_closed_form_square_law_solves_the_ode() -> None:
    # Central differences of the closed form reproduce dx/dt = -a*y, dy/dt = -b*x.
    a, b, h = 0.02, 0.03, 1e-4
    t = np.linspace(0.5, 9.5, 10)
    xp, yp = square_law(t + h, X0, Y0, a, b)
    xm, ym = square_law(t - h, X0, Y0, a, b)
    x, y = square_law(t, X0, Y0, a, b)
    np.testing.assert_allclose((xp - xm) / (2 * h), -a * y, rtol=1e-7)
    np.testing.assert_allclose((yp - ym) / (2 * h), -b * x, rtol=1e-7)


def test_closed_form_linear_law_solves_the_ode() -> None:
    a, b, h = 2e-5, 3e-5, 1e-4
    t = np.linspace(0.5, 9.5, 10)
    xp, yp = linear_law(t + h, X0, Y0, a, b)
    xm, ym = linear_law(t - h, X0, Y0, a, b)
    x, y = linear_law(t, X0, Y0, a, b)
    np.testing.assert_allclose((xp - xm) / (2 * h), -a * x * y, rtol=1e-7)
    np.testing.assert_allclose((yp - ym) / (2 * h), -b * x * y, rtol=1e-7)


@pytest.mark.parametrize("target", [790.0, 560.0, 100.0, 0.0])
def test_square_law_time_to_strength_inverts_the_solution(target: float) -> None:
    a, b = 0.03, 0.02  # red wins: blue falls to zero
    t = square_law_time_to_strength(target, X0, Y0, a, b)
    x, _ = square_law(t, X0, Y0, a, b)
    assert float(x) == pytest.approx(target, abs=1e-7 * X0)


def test_square_law_time_to_strength_unreachable() -> None:
    # Blue wins: its minimum is sqrt(x0**2 - (a/b)*y0**2); lower targets are never reached.
    a, b = 0.01, 0.05
    x_min = math.sqrt(X0**2 - (a / b) * Y0**2)
    assert square_law_time_to_strength(0.99 * x_min, X0, Y0, a, b) == math.inf
    assert math.isfinite(square_law_time_to_strength(1.01 * x_min, X0, Y0, a, b))


def test_helmbold_limits_equal_square_and_logarithmic() -> None:
    a, b = 0.02, 0.03
    red, blue = Side("red", Y0, a), Side("blue", X0, b)
    h1 = simulate(red, blue, law="helmbold", helmbold_w=1.0, max_h=10.0)
    sq = simulate(red, blue, law="square", max_h=10.0)
    np.testing.assert_allclose(h1.blue_strength, sq.blue_strength, rtol=1e-14)
    np.testing.assert_allclose(h1.red_strength, sq.red_strength, rtol=1e-14)
    h0 = simulate(red, blue, law="helmbold", helmbold_w=0.0, max_h=10.0)
    lg = simulate(red, blue, law="logarithmic", max_h=10.0)
    np.testing.assert_allclose(h0.blue_strength, lg.blue_strength, rtol=1e-14)
    np.testing.assert_allclose(h0.red_strength, lg.red_strength, rtol=1e-14)


def test_helmbold_handles_zero_strengths() -> None:
    law = get_law("helmbold")
    for w in (0.0, 0.3, 1.0):
        lx, ly = law(0.0, 0.0, 0.1, 0.1, w)
        assert math.isfinite(lx) and math.isfinite(ly)
    assert law(0.0, 500.0, 0.1, 0.1, 0.5) == (0.0, 0.0)
    # Division-free form equals the textbook form for positive strengths.
    x, y, a, b, w = 300.0, 700.0, 0.02, 0.05, 0.4
    lx, ly = law(x, y, a, b, w)
    assert lx == pytest.approx(a * y * (x / y) ** (1 - w), rel=1e-14)
    assert ly == pytest.approx(b * x * (y / x) ** (1 - w), rel=1e-14)


def test_law_registry() -> None:
    assert set(LAWS) == {"square", "linear", "logarithmic", "helmbold"}
    with pytest.raises(ValueError, match="unknown attrition law"):
        get_law("cubic")
    with pytest.raises(TypeError):
        LAWS["cubic"] = LAWS["square"]  # type: ignore[index]


@pytest.mark.parametrize("bp", [0.05, 0.3, 0.8])
def test_breakpoint_time_matches_closed_form(bp: float) -> None:
    a, b = 0.03, 0.02  # per hour per fighter; red wins, blue breaks
    red = Side("red", Y0, a)
    blue = Side("blue", X0, b, breakpoint=bp)
    res = simulate(red, blue, law="square", dt_h=DT, max_h=72.0)
    expected = square_law_time_to_strength((1 - bp) * X0, X0, Y0, a, b)
    assert res.ended_by == "breakpoint:blue"
    assert res.winner == "red"
    # The crossing is located inside the last step by interpolation: 1e-6 h (3.6 ms).
    assert res.duration_h == pytest.approx(expected, abs=1e-6)
    assert res.blue_final == pytest.approx((1 - bp) * X0, rel=1e-9)
    assert res.blue_losses == pytest.approx(bp * X0, rel=1e-8)
    assert res.times[-1] == res.duration_h
    # The last step is a partial step.
    assert res.times[-2] < res.duration_h <= res.times[-2] + DT


def test_red_breakpoint_time_matches_closed_form() -> None:
    a, b = 0.01, 0.04  # blue wins
    red = Side("red", Y0, a, breakpoint=0.25)
    blue = Side("blue", X0, b)
    res = simulate(red, blue, law="square", max_h=72.0)
    # Swap roles to use the closed form for red.
    expected = square_law_time_to_strength(0.75 * Y0, Y0, X0, b, a)
    assert res.ended_by == "breakpoint:red"
    assert res.winner == "blue"
    assert res.duration_h == pytest.approx(expected, abs=1e-6)


def test_annihilation_time_matches_closed_form() -> None:
    a, b = 0.01, 0.04  # blue wins; red reaches zero when tanh(k t) = y0 / (sqrt(b/a) x0)
    res = simulate(Side("red", Y0, a), Side("blue", X0, b), law="square", max_h=72.0)
    k = math.sqrt(a * b)
    expected = math.atanh(Y0 / (math.sqrt(b / a) * X0)) / k
    assert res.ended_by == "annihilation:red"
    assert res.winner == "blue"
    assert res.red_final == 0.0
    assert res.duration_h == pytest.approx(expected, abs=1e-5)
    # Blue's survivors follow the state equation: sqrt(x0**2 - (a/b) * y0**2).
    assert res.blue_final == pytest.approx(math.sqrt(X0**2 - (a / b) * Y0**2), rel=1e-6)
