"""The last generation resampled and moved: equal weights without collapsing onto a few members.

ABC-SMC's last generation is an importance sample: each particle carries a weight (its prior
density over the density it was proposed from), and when a few weights dominate, the
ensemble is in effect a few parameter sets repeated (its Kish effective sample size is small).
The remedy of the SMC literature is the **resample-move** step (Del Moral, Doucet & Jasra,
"An adaptive sequential Monte Carlo method for approximate Bayesian computation", *Statistics
and Computing* 22, 2012, 1009-1020): resample the particles in proportion to their weights
(so every weight is equal), then move each one with a Markov kernel that leaves the ABC
posterior at the final threshold unchanged, so that the copies spread out again.

The kernel is ABC-MCMC (Marjoram, Molitor, Plagnol & Tavaré, "Markov chain Monte Carlo without
likelihoods", *PNAS* 100, 2003): from a particle ``theta`` propose ``theta' = theta + e``, with
``e`` Gaussian; accept it when it lies inside the prior's range and its statistics are within
the final threshold of the record (the priors are uniform on the scale the steps are taken on,
the logarithm for a log-uniform prior, and the proposal is symmetric, so no other ratio
enters). The proposal's covariance is the population's weighted covariance on that scale times
``2.38^2 / d`` (Roberts & Rosenthal, "Optimal scaling for various Metropolis-Hastings
algorithms", *Statistical Science* 16, 2001) for the first step. An ABC threshold makes the
accepted region far thinner than a Gaussian target's (measured on the kabulsim model: 5% of
such steps accepted), so between steps the scale adapts to the step before's acceptance,
toward :data:`TARGET` (a kernel chosen from the population between steps, not from the
particle it moves, leaves the posterior unchanged: Del Moral et al., section 3). Each step
evaluates every particle's proposal once, with the calibration's own model (same replications
and common random numbers), in parallel through ``evaluate``.

What the moved population is worth is reported, not assumed: the share of proposals
accepted and the number of distinct members after the moves (a particle that never moved is
still a copy).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kabulsim.calibration.priors import FreeParameter, from_free, particles, to_free

Evaluate = Callable[[list[dict[str, float]]], Sequence[dict[str, float]]]
"""Particles (by pyABC key, natural units) -> their statistics, in order."""
Distance = Callable[[dict[str, float], dict[str, float]], float]

SCALE = 2.38
"""Roberts & Rosenthal's optimal random-walk scale, divided by the square root of the dimension."""
TARGET = 0.25
"""The share of proposals accepted that the step scale adapts toward."""


@dataclass(frozen=True)
class Moved:
    """A resampled, moved population: equal weights."""

    values: dict[str, np.ndarray]
    """Each free parameter's values, by dotted path."""
    steps: int
    """Move steps completed (each evaluates one proposal per particle)."""
    proposed: int
    """Proposals evaluated: those inside the prior's range (or past the prior's ratio)."""
    accepted: int
    """Proposals accepted."""
    distinct: int
    """Distinct members after the moves."""
    ess_before: float
    """Kish effective sample size of the weighted generation before it was resampled."""
    checked: int = 0
    """Proposals inside the threshold whose ``admissible`` run was simulated."""
    inadmissible: int = 0
    """Of those, the proposals ``admissible`` refused."""

    @property
    def acceptance(self) -> float:
        """Share of all proposals (inside the range or not) that were accepted."""
        total = self.steps * len(next(iter(self.values.values()), ()))
        return self.accepted / total if total else math.nan


def _bounds(params: Sequence[FreeParameter]) -> tuple[np.ndarray, np.ndarray]:
    lo = np.array([math.log(p.low) if p.log else p.low for p in params])
    hi = np.array([math.log(p.high) if p.log else p.high for p in params])
    return lo, hi


def resample(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling: indices whose counts are within one of ``n * weight``."""
    n = len(weights)
    positions = (rng.uniform() + np.arange(n)) / n
    cumulative = np.cumsum(weights / np.sum(weights))
    cumulative[-1] = 1.0
    return np.searchsorted(cumulative, positions)


def move(
    values: Mapping[str, np.ndarray],
    weights: np.ndarray,
    params: Sequence[FreeParameter],
    evaluate: Evaluate,
    record: dict[str, float],
    dist: Distance,
    epsilon: float,
    steps: int,
    seed: int,
    keep_going: Callable[[], bool] = lambda: True,
    log_density: Callable[[np.ndarray], np.ndarray] | None = None,
    admissible: Callable[[list[dict[str, float]]], np.ndarray] | None = None,
) -> Moved:
    """Resample the weighted population and move it ``steps`` times with ABC-MCMC.

    Args:
        values: each free parameter's values (by dotted path), one per particle.
        weights: the particles' importance weights (any positive scale).
        params: the free parameters, in the order of the model's keys.
        evaluate: the calibration's model over a list of particles (by pyABC key).
        record: the record's statistics.
        dist: the calibration's distance.
        epsilon: the final threshold; a proposal is accepted when its distance is at most it.
        steps: move steps (each evaluates one proposal per particle).
        seed: the seed of the resampling and the proposals.
        keep_going: asked before each step (the calibration's time limit).
        log_density: the prior's log density on the steps' scale, row by row (-inf outside
            its support); default: uniform on the free parameters' ranges, the calibration's
            own priors. With it, a proposal inside the threshold is accepted with probability
            ``min(1, prior(theta') / prior(theta))`` (Marjoram et al.'s rule).
        admissible: particles -> one boolean each; a proposal inside the threshold is
            accepted only if it is admissible (a constraint: a fact checked on a run of its
            own, :mod:`kabulsim.calibration.constraint`). The resampled population must
            already be admissible (zero weight for the members that are not).

    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x6D6F7665,)))
    w = np.asarray(weights, dtype=float)
    w = w / np.sum(w)
    ess_before = float(1.0 / np.sum(w**2))
    theta = np.column_stack([np.asarray(values[p.path], dtype=float) for p in params])
    z = to_free(theta, params)
    mean = np.sum(w[:, None] * z, axis=0)
    cov = (w[:, None] * (z - mean)).T @ (z - mean) / max(1.0 - np.sum(w**2), 1e-12)
    d = z.shape[1]
    chol = np.linalg.cholesky(cov / d + 1e-12 * np.eye(d))
    scale = SCALE
    z = z[resample(w, rng)]
    lo, hi = _bounds(params)
    done = proposed = accepted = checked = inadmissible = 0
    for _ in range(steps):
        if not keep_going():
            break
        trial = z + scale * (rng.standard_normal(z.shape) @ chol.T)
        u = rng.uniform(size=len(z))
        if log_density is None:
            inside = np.all((trial >= lo) & (trial <= hi), axis=1)
        else:
            ratio = np.exp(np.minimum(log_density(trial) - log_density(z), 0.0))
            inside = u < ratio
        idx = np.flatnonzero(inside)
        natural = from_free(trial[idx], params)
        proposals = particles(natural, params)
        stats = evaluate(proposals) if proposals else []
        # positions in ``proposals`` (and ``idx``) of the proposals inside the threshold
        near = [k for k, s in enumerate(stats) if dist(s, record) <= epsilon]
        if admissible is not None and near:
            ok = admissible([proposals[k] for k in near])
            checked += len(near)
            inadmissible += int((~ok).sum())
            near = [k for k, good in zip(near, ok, strict=True) if good]
        for k in near:
            z[idx[k]] = trial[idx[k]]
        now = len(near)
        accepted += now
        share = now / len(z)
        # the next step's scale from this one's acceptance (Robbins-Monro on the log scale)
        scale *= math.exp(share - TARGET) if share >= TARGET else max(share / TARGET, 0.25)
        proposed += len(idx)
        done += 1
    out = from_free(z, params)
    return Moved(
        values={p.path: out[:, j].copy() for j, p in enumerate(params)},
        steps=done,
        proposed=proposed,
        accepted=accepted,
        distinct=len(np.unique(out, axis=0)),
        ess_before=ess_before,
        checked=checked,
        inadmissible=inadmissible,
    )
