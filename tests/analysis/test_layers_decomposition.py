"""The variance decomposition on toy functions whose answer is known in closed form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kabulsim.analysis.decomposition import (
    CHANCE,
    closed_index,
    decompose,
    parameter_indices,
    shapley_shares,
)

# The nearest-neighbour estimator's spread at n = 4,000 (measured over six seeds: the shares
# moved by at most 0.02 around the closed form): 0.04 is two such deviations.
TOL = 0.04


def _correlated(seed: int, n: int, rho: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], n)
    return z[:, 0], z[:, 1]


@pytest.mark.parametrize("rho", [-0.69, 0.6])
def test_shapley_shares_of_a_plus_a_tenth_of_b_with_correlated_inputs(rho: float) -> None:
    a, b = _correlated(1, 4000, rho)
    noise = 0.5 * np.random.default_rng(2).standard_normal(len(a))
    y = a + 0.1 * b + noise
    var_params, var_y = 1.0 + 0.01 + 0.2 * rho, 1.0 + 0.01 + 0.2 * rho + 0.25
    s_a = (1.0 + 0.1 * rho) ** 2 / var_y  # Var(E[Y|a]) / Var(Y)
    s_b = (rho + 0.1) ** 2 / var_y
    s_ab = var_params / var_y
    expected = {
        "a": 0.5 * s_a + 0.5 * (s_ab - s_b),
        "b": 0.5 * s_b + 0.5 * (s_ab - s_a),
        CHANCE: 1.0 - s_ab,
    }
    found = shapley_shares(y, {"a": a[:, None], "b": b[:, None]})
    assert sum(found.values()) == pytest.approx(1.0)
    for name, value in expected.items():
        assert found[name] == pytest.approx(value, abs=TOL), name


def test_an_input_with_no_effect_gets_no_share_and_noise_gets_all() -> None:
    rng = np.random.default_rng(3)
    a, idle = rng.random(3000), rng.random(3000)
    y = np.sin(6.0 * a) + 0.0 * idle
    found = shapley_shares(y, {"a": a[:, None], "idle": idle[:, None]})
    assert found["a"] == pytest.approx(1.0, abs=TOL)
    assert abs(found["idle"]) < TOL and abs(found[CHANCE]) < TOL
    assert closed_index(rng.standard_normal(3000), rng.random((3000, 2))) < TOL


def test_repeated_members_are_exact_neighbours() -> None:
    # a group drawn from 50 members (as the ensemble's) explains exactly its own variance
    rng = np.random.default_rng(4)
    members = rng.random((50, 3))
    pick = rng.integers(0, 50, 4000)
    x = members[pick]
    y = x[:, 0] - x[:, 1] + 0.3 * rng.standard_normal(4000)
    signal = np.var(x[:, 0] - x[:, 1])  # over the members as drawn
    truth = signal / (signal + 0.09)
    assert closed_index(y, x) == pytest.approx(truth, abs=TOL)


def test_decompose_names_each_source_and_ranks_the_parameter_that_matters() -> None:
    a, b = _correlated(5, 1500, -0.69)
    c = np.random.default_rng(6).random(1500)
    y = a + 0.1 * b + 0.2 * np.random.default_rng(7).standard_normal(1500)
    reps = np.arange(1500)
    answers = {("toy", "y"): pd.DataFrame({"rep": reps, "diff": y})}
    inputs = {
        "calibrated": pd.DataFrame({"a": a, "b": b}, index=reps),
        "assumptions": pd.DataFrame({"c": c}, index=reps),
    }
    sources, params = decompose(answers, inputs)
    shares = dict(zip(sources["source"], sources["share"], strict=True))
    assert set(shares) == {"calibrated", "assumptions", CHANCE}
    assert shares["calibrated"] > 0.8 and abs(shares["assumptions"]) < TOL
    assert (sources["share_se"] > 0).all() and (sources["share_se"] < 0.1).all()
    top = params.sort_values("S1", ascending=False).iloc[0]
    assert (top["parameter"], top["source"]) == ("a", "calibrated")
    assert (
        params.set_index("parameter").loc["c", "pawn"]
        < params.set_index("parameter").loc["a", "pawn"]
    )


def test_an_answer_that_moves_in_a_handful_of_runs_is_left_out() -> None:
    y = np.zeros(500)
    y[:5] = 10.0
    answers = {("toy", "rare"): pd.DataFrame({"rep": np.arange(500), "diff": y})}
    inputs = {"assumptions": pd.DataFrame({"c": np.linspace(0, 1, 500)})}
    sources, params = decompose(answers, inputs)
    assert sources.empty and params.empty


def test_parameter_indices_leave_numpy_global_state_alone() -> None:
    np.random.seed(11)  # noqa: NPY002
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    rng = np.random.default_rng(0)
    x = rng.random((300, 2))
    parameter_indices(x[:, 0] + rng.standard_normal(300), x, ["p", "q"], seed=3)
    assert (np.random.get_state()[1] == before).all()  # noqa: NPY002


def test_layer_shares_give_the_assumptions_the_variance_the_second_layer_adds() -> None:
    from kabulsim.analysis.decomposition import LAYERED, layer_shares

    rng = np.random.default_rng(8)
    n = 2000
    members = rng.random((40, 2))
    pick = rng.integers(0, 40, n)
    chance = rng.standard_normal(n)
    first = members[pick, 0] * 4.0 + chance  # calibrated: Var 16/12 = 1.33; chance 1
    second = first + 2.0 * rng.standard_normal(n)  # the assumptions add variance 4
    reps = np.arange(n)
    key = ("toy", "y")
    found = layer_shares(
        {key: pd.DataFrame({"rep": reps, "diff": first})},
        {key: pd.DataFrame({"rep": reps, "diff": second})},
        pd.DataFrame(members[pick], index=reps, columns=["p", "q"]),
    )
    shares = dict(zip(found["source"], found["share"], strict=True))
    assert set(found["method"]) == {LAYERED}
    assert sum(shares.values()) == pytest.approx(1.0)
    v_cal = np.var(members[pick, 0] * 4.0)
    total = v_cal + 1.0 + 4.0
    # sampling error of a variance ratio at n = 2,000: about 0.02
    assert shares["assumptions"] == pytest.approx(4.0 / total, abs=TOL)
    assert shares["calibrated"] == pytest.approx(v_cal / total, abs=TOL)
    assert shares["chance"] == pytest.approx(1.0 / total, abs=TOL)
