"""Where an answer's uncertainty comes from: calibrated parameters, assumptions, chance.

A counterfactual answer is a paired difference: replication ``i`` of the scenario minus
replication ``i`` of the baseline, with the same random streams, the same ensemble member
and the same assumption draws (common random numbers). Across replications it varies for
three reasons: the calibrated parameters (the ensemble member, what the record constrains;
its members are correlated, r = -0.69 between two of them), the assumption parameters
(:mod:`kabulsim.calibration.assumptions`, what only assumptions constrain) and the run's own
chance (everything else a replication draws). This module splits the variance of the
per-run differences among the three, from the runs already made (given data: no extra run).

**Sources: Shapley effects of groups.** For a set ``u`` of sources, the closed index
``S_u = Var(E[Y | X_u]) / Var(Y)`` is estimated by the nearest-neighbour estimator
``1 - mean((Y_i - Y_N(i))^2) / (2 Var(Y))``, where ``N(i)`` is the replication nearest to
``i`` in ``X_u`` (each input replaced by its rank, so that units do not matter). It needs
no model of the inputs' joint distribution, so it holds for correlated, given samples
(Devroye, Gadat, Gamboa et al., and Broto, Bachoc & Depecker, "Variance reduction for
estimation of Shapley effects and adaptation to unknown input distribution", SIAM/ASA JUQ
8, 2020, who estimate Shapley effects from given data with nearest neighbours). The Shapley
effect of a source is its marginal contribution ``S_{u+j} - S_u`` averaged over the orders in
which the sources can be added: the shares of the sources and of chance
(``1 - S_all``) sum to one, and a correlation inside a group (the calibrated parameters)
needs no attribution between its members. The estimator is biased towards zero when the
nearest neighbour is far, that is with many inputs and few replications: chance's share is
then an upper bound and the parameters' shares lower bounds (replications that draw the same
ensemble member are exact neighbours, so the calibrated parameters suffer least).

**Parameters: SALib's PAWN.** Within the sources, each parameter's PAWN index (Pianosi &
Wagener 2015, 2018: the Kolmogorov-Smirnov distance between the answer's distribution and
its distribution with the parameter held within a slice of its values; moment-independent)
from ``SALib.analyze.pawn`` on the same joint samples, and its first-order index by the
nearest-neighbour estimator. Both are given-data methods, valid for dependent inputs; a
parameter's indices then include what it carries of the parameters correlated with it.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

SOURCE_ORDER = ("calibrated", "assumptions")
"""The parameter sources, in the order tables and figures show them."""

CHANCE = "chance"
"""The name of the remainder: what the parameters do not explain (the runs' own chance)."""

SOURCE_COLUMNS = [
    "scenario",
    "outcome",
    "method",
    "source",
    "share",
    "share_se",
    "n",
    "variance",
]

SHAPLEY = "shapley"
"""Method of :func:`decompose`: Shapley effects of the sources (given data)."""

LAYERED = "layers"
"""Method of :func:`layer_shares`: what each layer of runs adds to the variance."""

HALVES = 20
"""Half-samples behind each share's standard error (:func:`share_errors`)."""
PARAMETER_COLUMNS = ["scenario", "outcome", "source", "parameter", "pawn", "pawn_max", "S1"]

MIN_RUNS = 30
"""The fewest paired runs whose difference is not the median difference that a
decomposition is made from (a difference that moves in a handful of runs is left out)."""


def _ranks(x: np.ndarray) -> np.ndarray:
    """Each column replaced by its (average) rank scaled to [0, 1]."""
    from scipy.stats import rankdata  # type: ignore[import-untyped]

    n = x.shape[0]
    if x.shape[1] == 0:
        return x
    return np.column_stack([rankdata(x[:, j]) / n for j in range(x.shape[1])])


def closed_index(y: np.ndarray, x: np.ndarray) -> float:
    """``Var(E[Y | X]) / Var(Y)`` by the nearest-neighbour estimator (see the module docstring).

    Args:
        y: the output, one value per replication.
        x: the inputs, a (replications, inputs) array (no inputs: 0).
    """
    from scipy.spatial import cKDTree  # type: ignore[import-untyped]

    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float).reshape(len(y), -1)
    var = float(np.var(y))
    if x.shape[1] == 0 or len(y) < 2 or var == 0.0:
        return 0.0
    z = _ranks(x)
    # runs that drew the same ensemble member tie; a jitter far below one rank step makes
    # each run's neighbour a random one of its ties (the tree would give most of them the
    # same few neighbours, and the estimate the noise of those few)
    jitter = np.random.default_rng(np.random.SeedSequence(0, spawn_key=(0x4A4954,)))
    z = z + jitter.uniform(0.0, 1e-3 / len(y), z.shape)
    _, idx = cKDTree(z).query(z, k=2)
    own = np.arange(len(y))
    nearest = np.where(idx[:, 0] != own, idx[:, 0], idx[:, 1])
    found = 1.0 - np.mean((y - y[nearest]) ** 2) / (2.0 * var)
    return float(min(1.0, max(0.0, found)))  # a share of a variance, whatever the noise


def shapley_shares(y: np.ndarray, groups: Mapping[str, np.ndarray]) -> dict[str, float]:
    """The Shapley effect of each group of inputs, and :data:`CHANCE`, as shares of Var(Y).

    The shares sum to one. ``groups``: name -> (replications, inputs) array.
    """
    names = list(groups)
    k = len(names)
    cache: dict[frozenset[str], float] = {frozenset(): 0.0}

    def value(members: frozenset[str]) -> float:
        if members not in cache:
            x = np.column_stack([groups[m] for m in names if m in members])
            cache[members] = closed_index(y, x)
        return cache[members]

    shares = {}
    for name in names:
        others = [m for m in names if m != name]
        total = 0.0
        for size in range(k):
            weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for subset in itertools.combinations(others, size):
                s = frozenset(subset)
                total += weight * (value(s | {name}) - value(s))
        shares[name] = total
    shares[CHANCE] = 1.0 - value(frozenset(names))
    return shares


def share_errors(
    y: np.ndarray, groups: Mapping[str, np.ndarray], seed: int = 0, halves: int = HALVES
) -> dict[str, float]:
    """A standard error of each share of :func:`shapley_shares`, by half-sampling.

    The shares are estimated again on ``halves`` random halves of the runs (drawn without
    replacement: a bootstrap's repeated rows would be exact neighbours of themselves); the
    spread of a half-sample estimate is about sqrt(2) times that of the whole, so the
    standard error is their standard deviation divided by sqrt(2).
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x534541,)))
    n = len(y)
    found: dict[str, list[float]] = {}
    for _ in range(halves):
        pick = np.sort(rng.choice(n, size=n // 2, replace=False))
        part = shapley_shares(y[pick], {k: v[pick] for k, v in groups.items()})
        for k, v in part.items():
            found.setdefault(k, []).append(v)
    return {k: float(np.std(v, ddof=1) / math.sqrt(2.0)) for k, v in found.items()}


def parameter_indices(
    y: np.ndarray, x: np.ndarray, names: Sequence[str], seed: int = 0, slices: int = 10
) -> pd.DataFrame:
    """Each input's PAWN index and first-order index; an input that does not vary gets zeros.

    Columns ``parameter``, ``pawn``, ``pawn_max``, ``S1``.

    ``pawn`` and ``pawn_max``: the median and largest Kolmogorov-Smirnov distance between
    the answer's distribution and its distribution within each of ``slices`` slices of the
    input (``SALib.analyze.pawn``: given data, any input distribution). ``S1``: the
    input's first-order index by the nearest-neighbour estimator (:func:`closed_index`).
    """
    from SALib.analyze import pawn

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    out = pd.DataFrame({"parameter": list(names), "pawn": 0.0, "pawn_max": 0.0, "S1": 0.0})
    varies = [j for j in range(x.shape[1]) if np.ptp(x[:, j]) > 0]
    if not varies or np.ptp(y) == 0:
        return out
    problem = {
        "num_vars": len(varies),
        "names": [names[j] for j in varies],
        "bounds": [[float(x[:, j].min()), float(x[:, j].max())] for j in varies],
    }
    state = np.random.get_state()  # noqa: NPY002  SALib may seed numpy's global generator: put it back
    try:
        with warnings.catch_warnings(record=True):  # its notices are warnings: kept quiet
            result = pawn.analyze(problem, x[:, varies], y, S=slices, seed=seed or None)
    finally:
        np.random.set_state(state)  # noqa: NPY002
    out.loc[varies, "pawn"] = np.asarray(result["median"], dtype=float)
    out.loc[varies, "pawn_max"] = np.asarray(result["maximum"], dtype=float)
    out.loc[varies, "S1"] = [closed_index(y, x[:, [j]]) for j in varies]
    return out


def decompose(
    answers: Mapping[tuple[str, str], pd.DataFrame],
    inputs: Mapping[str, pd.DataFrame],
    *,
    seed: int = 0,
    per_parameter: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Decompose each answer's variance into its sources, and rank the parameters.

    Args:
        answers: (scenario, outcome) -> the paired differences of the runs (columns ``rep``
            and ``diff``: :func:`kabulsim.analysis.compare.paired_differences`).
        inputs: source name -> a table indexed by ``rep`` with one column per parameter
            (the values each replication drew).
        seed: the seed of SALib's resamples.
        per_parameter: also compute SALib's delta per parameter.

    Returns:
        ``(sources, parameters)``: one row per answer and source (:data:`SOURCE_COLUMNS`:
        ``share`` of the variance of the runs' differences with its standard error
        ``share_se`` (:func:`share_errors`), ``variance`` that variance) and
        one per answer and parameter (:data:`PARAMETER_COLUMNS`). An answer with fewer than
        :data:`MIN_RUNS` runs away from its median difference is left out.
    """
    sources: list[dict[str, object]] = []
    params: list[pd.DataFrame] = []
    for (scenario, outcome), frame in answers.items():
        reps = frame["rep"].to_numpy()
        y = frame["diff"].to_numpy(dtype=float)
        if np.count_nonzero(y != np.median(y)) < MIN_RUNS:
            continue  # too few runs away from the typical difference to say where they vary
        groups = {name: table.loc[reps].to_numpy(dtype=float) for name, table in inputs.items()}
        errors = share_errors(y, groups, seed=seed)
        for name, share in shapley_shares(y, groups).items():
            sources.append(
                {
                    "scenario": scenario,
                    "outcome": outcome,
                    "method": SHAPLEY,
                    "source": name,
                    "share": share,
                    "share_se": errors[name],
                    "n": len(y),
                    "variance": float(np.var(y)),
                }
            )
        if per_parameter and groups:
            names = [c for table in inputs.values() for c in table.columns]
            owner = [name for name, table in inputs.items() for _ in table.columns]
            x = np.column_stack(list(groups.values()))
            found = parameter_indices(y, x, names, seed=seed)
            found.insert(0, "source", owner)
            found.insert(0, "outcome", outcome)
            found.insert(0, "scenario", scenario)
            params.append(found[PARAMETER_COLUMNS])
    parameters = (
        pd.concat(params, ignore_index=True) if params else pd.DataFrame(columns=PARAMETER_COLUMNS)
    )
    return pd.DataFrame(sources, columns=SOURCE_COLUMNS), parameters


METHODS_TEXT = (
    "Shares of the variance of the runs' paired differences, two ways. *Layers*: the second"
    " layer repeats the first layer's runs with the assumptions drawn, so the variance it adds"
    " is the assumptions' share, their interplay with chance included; the first layer's"
    " variance is split between the calibrated parameters and chance. *Shapley*: what knowing"
    " the parameters would explain of a run's difference (Shapley effects, nearest-neighbour"
    " estimates from the runs, with standard errors; lower bounds for the parameters, so"
    " chance's share is an upper bound). Chance averages out over many runs; the parameters'"
    " part does not. A share below zero is estimation noise around a small share (or, by"
    " layers, assumptions that narrow the spread)."
)
"""What the decomposition's two methods mean, in words (terminal, layers.md, report)."""

METHOD_WORDS = {
    SHAPLEY: "Shapley (what knowing the parameters explains)",
    LAYERED: "layers (what drawing the assumptions adds)",
}


def layer_shares(
    inner: Mapping[tuple[str, str], pd.DataFrame],
    outer: Mapping[tuple[str, str], pd.DataFrame],
    calibrated: pd.DataFrame | None,
) -> pd.DataFrame:
    """What each layer of runs adds to the variance of each answer (:data:`LAYERED`).

    The two layers are the same runs (seeds, replications, members), the second also
    drawing the assumptions; so the variance the second adds, ``1 - Var_inner / Var_outer``,
    is the assumptions' share, their interactions with chance and the calibrated
    parameters included (a share estimated below zero is noise around none). The first
    layer's variance is split between the calibrated parameters (its closed index, by the
    nearest-neighbour estimator: runs that drew the same member are exact neighbours) and
    chance. Unlike the Shapley shares, this attribution adds the assumptions last.

    Args:
        inner: (scenario, outcome) -> the first layer's paired differences (``rep``, ``diff``).
        outer: the same for the second layer.
        calibrated: the member values by ``rep`` (None: runs without an ensemble).
    """
    rows: list[dict[str, object]] = []
    for key, second in outer.items():
        first = inner.get(key)
        if first is None:
            continue
        y_in = first["diff"].to_numpy(dtype=float)
        y_out = second["diff"].to_numpy(dtype=float)
        if min(len(y_in), len(y_out)) < MIN_RUNS:
            continue
        v_in, v_out = float(np.var(y_in)), float(np.var(y_out))
        if v_out == 0.0 or np.count_nonzero(y_out != np.median(y_out)) < MIN_RUNS:
            continue
        s_c = 0.0
        if calibrated is not None and v_in > 0:
            s_c = closed_index(y_in, calibrated.loc[first["rep"].to_numpy()].to_numpy(float))
        kept = v_in / v_out
        shares = {"calibrated": s_c * kept, "assumptions": 1.0 - kept, CHANCE: (1 - s_c) * kept}
        if calibrated is None:
            shares.pop("calibrated")
        for source, share in shares.items():
            rows.append(
                {
                    "scenario": key[0],
                    "outcome": key[1],
                    "method": LAYERED,
                    "source": source,
                    "share": share,
                    "share_se": float("nan"),
                    "n": len(y_out),
                    "variance": v_out,
                }
            )
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS)


def shares_table(sources: pd.DataFrame) -> pd.DataFrame:
    """:func:`decompose`'s sources side by side, in words: one row per answer.

    Columns: ``scenario``, ``outcome`` (its title), ``method`` (in words), a percentage per
    source with its standard error in points (Shapley shares), ``of the parameters' part:
    assumptions`` (the assumptions' share of what the parameters explain,
    each share taken at zero when estimated below it) and ``runs``.
    """
    from kabulsim.analysis.display import title

    if sources.empty:
        return pd.DataFrame(columns=["scenario", "outcome", "runs"])
    found: dict[tuple[str, str, str], dict[str, tuple[float, float, int]]] = {}
    for r in sources.itertuples(index=False):
        key = (str(r.scenario), str(r.outcome), str(getattr(r, "method", SHAPLEY)))
        found.setdefault(key, {})[str(r.source)] = (
            float(str(r.share)),
            float(str(r.share_se)),
            int(str(r.n)),
        )
    rows = []
    for (scenario, outcome, method), by_source in found.items():
        order = [s for s in (*SOURCE_ORDER, CHANCE) if s in by_source]
        cells = {
            s: f"{100 * by_source[s][0]:.0f}%"
            + (f" ± {100 * by_source[s][1]:.0f}" if math.isfinite(by_source[s][1]) else "")
            for s in order
        }
        params = {s: max(0.0, by_source[s][0]) for s in order if s != CHANCE}
        total = sum(params.values())
        part = ""
        if "assumptions" in params and total > 0:
            part = f"{100 * params['assumptions'] / total:.0f}%"
        rows.append(
            {
                "scenario": scenario,
                "outcome": title(outcome),
                "method": METHOD_WORDS.get(method, method),
                **cells,
                "of the parameters' part: assumptions": part,
                "runs": next(iter(by_source.values()))[2],
            }
        )
    return pd.DataFrame(rows)
