"""The sensitivity plumbing recovers the known indices of the Ishigami function.

Ishigami (a=7, b=0.1) on [-pi, pi]^3 has analytic first-order Sobol' indices S1 = (0.3139,
0.4424, 0) and total indices ST = (0.5576, 0.4424, 0.2437) (Saltelli et al. 2008, Global
Sensitivity Analysis: The Primer, section 4.4).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from SALib.test_functions import Ishigami

from kabulsim.analysis.sensitivity import Factor, design_size, make_design, run_analysis

FACTORS = [Factor(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)]
S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def test_sobol_recovers_the_analytic_indices():
    design = make_design("sobol", FACTORS, 4096, seed=1)
    assert design.X.shape == (design_size("sobol", 3, 4096), 3)
    table = run_analysis(design, Ishigami.evaluate, seed=1).set_index("factor")
    # Tolerance 0.04: with N = 4096 the bootstrap 95% half-widths are about 0.02-0.03.
    for name in S1:
        assert table.loc[name, "S1"] == pytest.approx(S1[name], abs=0.04)
        assert table.loc[name, "ST"] == pytest.approx(ST[name], abs=0.04)
    assert list(table.index[:1]) == ["x1"]  # ranked by ST


def test_morris_screening_separates_active_factors_from_a_dummy():
    factors = [*FACTORS, Factor("dummy", 0.0, 1.0)]
    design = make_design("morris", factors, 200, seed=2)
    table = run_analysis(design, lambda X: Ishigami.evaluate(X[:, :3]), seed=2)
    table = table.set_index("factor")
    assert table.loc["dummy", "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert (table.loc[["x1", "x2", "x3"], "mu_star"] > 1.0).all()
    # x3 acts only through its interaction with x1: its mean effect is about zero by symmetry
    # while its effects vary widely (sigma).
    assert abs(table.loc["x3", "mu"]) < 0.5 * table.loc["x3", "sigma"]


def test_a_factor_without_effect_scores_zero():
    design = make_design("morris", [Factor("a", 0, 1), Factor("b", 0, 1)], 20, seed=3)
    table = run_analysis(design, lambda X: 3.0 * X[:, 0], seed=3).set_index("factor")
    assert table.loc["b", "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert table.loc["a", "mu_star"] == pytest.approx(3.0, rel=1e-9)


def test_bad_designs_are_refused():
    with pytest.raises(ValueError, match="power of 2"):
        make_design("sobol", FACTORS, 1000)
    with pytest.raises(ValueError, match="empty"):
        make_design("morris", [Factor("a", 1, 1), Factor("b", 0, 1)], 10)
    with pytest.raises(ValueError, match="at least two"):
        make_design("morris", FACTORS[:1], 10)
    assert np.isfinite(make_design("morris", FACTORS, 5).X).all()
