"""Global sensitivity analysis: which assumptions decide the outcome (Morris and Sobol').

The plumbing is generic: a *design* of parameter vectors is drawn with SALib over the
factors' ranges, each vector is evaluated (for kabulsim: a batch of replications of the
scenario with those values, reduced to one number per vector by an outcome metric), and SALib
turns the responses into ranked indices with confidence intervals.

The methods:

* ``morris`` (elementary effects; Morris 1991, Campolongo et al. 2007): ``n`` trajectories of
  ``k + 1`` points each, so ``n (k + 1)`` vectors for ``k`` factors. ``mu_star`` ranks the
  factors by the mean absolute elementary effect; ``sigma`` signals interactions or
  non-linearity. A screening method: cheap, qualitative.
* ``sobol`` (variance decomposition; Sobol' 2001, Saltelli et al. 2010): ``n (k + 2)``
  vectors (second-order terms are not computed). ``S1`` is the share of output variance due
  to a factor alone, ``ST`` including its interactions.

Every vector is run with the same seed, so replication ``i`` of every vector shares its random
numbers (common random numbers): differences between vectors are not sampling noise of the
random streams, which sharpens elementary effects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

Method = Literal["morris", "sobol"]


@dataclass(frozen=True)
class Factor:
    """A parameter varied by the analysis, with the range it is varied over."""

    path: str
    low: float
    high: float
    units: str = ""
    integer: bool = False


@dataclass(frozen=True)
class Design:
    """The parameter vectors to evaluate, one row per vector."""

    method: Method
    factors: tuple[Factor, ...]
    n: int
    seed: int
    X: NDArray[np.float64]

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        return {
            "num_vars": len(self.factors),
            "names": [f.path for f in self.factors],
            "bounds": [[f.low, f.high] for f in self.factors],
        }


def _problem(factors: Sequence[Factor]) -> dict[str, Any]:
    for f in factors:
        if not f.high > f.low:
            raise ValueError(f"{f.path}: range {f.low:g} to {f.high:g} is empty")
    return {
        "num_vars": len(factors),
        "names": [f.path for f in factors],
        "bounds": [[f.low, f.high] for f in factors],
    }


def design_size(method: Method, n_factors: int, n: int) -> int:
    """Number of parameter vectors a design needs (each then costs the replications)."""
    if method == "morris":
        return n * (n_factors + 1)
    return n * (n_factors + 2)


def make_design(method: Method, factors: Sequence[Factor], n: int, seed: int = 0) -> Design:
    """Draw the design.

    Args:
        method: ``"morris"`` or ``"sobol"``.
        factors: the factors and their ranges.
        n: Morris trajectories, or the Sobol' base sample size (a power of 2).
        seed: seed of the sampling (not of the model runs).
    """
    if len(factors) < 2:
        raise ValueError("a sensitivity analysis needs at least two factors")
    problem = _problem(factors)
    if method == "morris":
        X = morris_sample.sample(problem, n, num_levels=4, seed=seed)
    elif method == "sobol":
        if n & (n - 1):
            raise ValueError(f"the Sobol' base sample size must be a power of 2, got {n}")
        X = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    else:
        raise ValueError(f"unknown method {method!r}; expected 'morris' or 'sobol'")
    X = np.asarray(X, dtype=float)
    for j, f in enumerate(factors):
        if f.integer:
            X[:, j] = np.round(X[:, j])
    return Design(method, tuple(factors), n, seed, X)


def analyze(design: Design, Y: NDArray[np.float64], seed: int = 0) -> pd.DataFrame:
    """Turn the responses into a table of indices with 95% confidence intervals, ranked.

    Returns:
        For Morris: ``factor, mu_star, mu_star_conf, mu, sigma``, sorted by ``mu_star``.
        For Sobol': ``factor, S1, S1_conf, ST, ST_conf``, sorted by ``ST``.
    """
    Y = np.asarray(Y, dtype=float)
    if Y.shape != (design.X.shape[0],):
        raise ValueError(f"expected {design.X.shape[0]} responses, got {Y.shape}")
    if not np.all(np.isfinite(Y)):
        raise ValueError("responses must be finite")
    names = [f.path for f in design.factors]
    if design.method == "morris":
        res = morris_analyze.analyze(design.problem, design.X, Y, num_levels=4, seed=seed)
        table = pd.DataFrame(
            {
                "factor": names,
                "mu_star": res["mu_star"],
                "mu_star_conf": res["mu_star_conf"],
                "mu": res["mu"],
                "sigma": res["sigma"],
            }
        )
        key = "mu_star"
    else:
        res = sobol_analyze.analyze(design.problem, Y, calc_second_order=False, seed=seed)
        table = pd.DataFrame(
            {
                "factor": names,
                "S1": res["S1"],
                "S1_conf": res["S1_conf"],
                "ST": res["ST"],
                "ST_conf": res["ST_conf"],
            }
        )
        key = "ST"
    table = table.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def run_analysis(
    design: Design, evaluate: Callable[[NDArray[np.float64]], NDArray[np.float64]], seed: int = 0
) -> pd.DataFrame:
    """Evaluate every vector of the design (``evaluate(X) -> Y``) and analyse the responses."""
    return analyze(design, np.asarray(evaluate(design.X), dtype=float), seed=seed)


# --- kabulsim's parameters as factors -------------------------------------------------------

DEFAULT_FACTORS = (
    "air.morale_per_sortie",
    "air.controller_multiplier",
    "air.kills_per_sortie",
    "morale.recovery_per_day",
    "morale.ground_pressure_per_day",
    "north.shock",
    "north.encirclement_per_day",
    "shamali.required_odds",
    "air.assault_cas_factor",
    "shamali.alliance_kill_rate",
    "withdrawal.evacuation_h",
    "alliance.advance_h",
    "alliance.pressure",
    "alliance.indiscipline_per_h",
    "alliance.hold_back_h",
)
"""Factors screened by default: the calibrated values and the main assumptions of each phase."""


def plausible_factors(
    params: Sequence[str] | None = None, ranges: dict[str, tuple[float, float]] | None = None
) -> list[Factor]:
    """Factors from the provenance table's plausible ranges (or ranges given explicitly).

    Args:
        params: dotted parameter paths; ``None`` gives :data:`DEFAULT_FACTORS`, ``["all"]``
            every numeric parameter that has a plausible range.
        ranges: explicit ranges that replace the plausible ones.
    """
    from kabulsim.scenario.overrides import PathProblem, dotted, resolve_path
    from kabulsim.scenario.provenance import plausible_ranges

    known = plausible_ranges()
    ranges = dict(ranges or {})
    if params is None:
        names = list(DEFAULT_FACTORS)
    elif list(params) == ["all"]:
        names = list(known)
    else:
        names = list(params)
    for extra in ranges:
        if extra not in names:
            names.append(extra)
    factors = []
    for name in names:
        try:
            target = resolve_path(tuple(name.split(".")))
        except PathProblem as exc:
            raise ValueError(str(exc)) from None
        path = dotted(target.path)
        if target.annotation not in (int, float):
            raise ValueError(f"{path}: only numeric parameters can be factors")
        if path in ranges:
            low, high = ranges[path]
        elif path in known:
            low, high = known[path]
        else:
            raise ValueError(f"{path}: no plausible range in the schema; give one with --range")
        factors.append(Factor(path, float(low), float(high), integer=target.annotation is int))
    return factors


@dataclass(frozen=True)
class SensitivityResult:
    """Indices of a sensitivity analysis and what it cost."""

    method: Method
    metric: str
    reps: int
    seed: int
    design: Design
    responses: NDArray[np.float64]
    table: pd.DataFrame


def design_scenarios(scenario: Any, factors: Sequence[Factor], design: Design) -> list[Any]:
    """The scenario at every parameter vector of ``design`` (integers kept whole)."""
    from kabulsim.analysis.sweep import with_values

    return [
        with_values(
            scenario,
            {f.path: int(v) if f.integer else float(v) for f, v in zip(factors, row, strict=True)},
        )
        for row in design.X.tolist()
    ]


def sensitivity_result(
    method: Method,
    outcome: str,
    design: Design,
    scenarios: Sequence[Any],
    summaries: Sequence[pd.DataFrame],
    reps: int,
    seed: int,
) -> SensitivityResult:
    """Reduce every vector's summary to the outcome and analyse the responses.

    Args:
        method: ``"morris"`` or ``"sobol"``.
        outcome: the outcome metric (:mod:`kabulsim.analysis.outcomes`).
        design: the design the vectors come from (:func:`make_design`).
        scenarios: the scenario at every vector (:func:`design_scenarios`).
        summaries: each vector's summary table, in the same order.
        reps: replications per vector.
        seed: seed of the design and of every vector's replications.

    Raises:
        ValueError: the outcome is undefined for some vectors.
    """
    from kabulsim.analysis.outcomes import estimate, parse_metric

    metric = parse_metric(outcome)
    Y = np.array(
        [estimate(s, metric, sc).value for s, sc in zip(summaries, scenarios, strict=True)]
    )
    if not np.all(np.isfinite(Y)):
        raise ValueError(f"outcome {outcome!r} is undefined for some parameter vectors")
    return SensitivityResult(method, metric.label, reps, seed, design, Y, analyze(design, Y, seed))
