"""A calibration's certificate: simulation-based calibration on one shared reference table.

An ensemble says "these parameter values are consistent with the record". The certificate
tests whether the method that produced it can be trusted to say so: if the parameters were
drawn from the prior and the record were a draw of the model at those parameters, would the
posterior put the true parameters where it should? That is simulation-based calibration
(Talts, Betancourt, Simpson, Vehtari and Gelman, "Validating Bayesian inference algorithms
with simulation-based calibration", 2018): for many pseudo-records with known parameters,
the rank of the true value among posterior draws is uniform, and the central 50/80/95%
intervals contain it 50/80/95% of the time, exactly when the inference is calibrated.

Running ABC-SMC once per pseudo-record would cost hundreds of calibrations. Instead one
**reference table** is simulated (parameters drawn from the prior, each evaluated as a
calibration particle is: the statistics of ``reps`` replications), and every pseudo-record's
posterior is a **rejection ABC** posterior on that table, left out of it, optionally with
Beaumont's local-linear regression adjustment (Beaumont, Zhang and Balding, "Approximate
Bayesian computation in population genetics", Genetics 162, 2002). The cost is one table,
about the simulations of one calibration. The certificate certifies that posterior (the
same distance, statistics and priors as the calibration), not the ABC-SMC run bit for bit.

It also checks the record itself (misspecification): where each fact's target falls in the
prior predictive distribution of its statistic, and whether the record is as close to the
table as a typical pseudo-record is (the share of pseudo-records farther from their nearest
neighbours than the record: near 0 means the model cannot produce anything like the record).

The rank ECDF is drawn with simultaneous 95% bands (Säilynoja, Bürkner and Vehtari, "Graphical
test for discrete uniformity and its applications in goodness-of-fit evaluation and multiple
sample comparison", Statistics and Computing 32, 2022): a calibrated method stays inside the
band over the whole curve in 95% of certificates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from kabulsim.calibration.mapping import Mapper, Model, pool_mapper
from kabulsim.calibration.priors import FreeParameter, from_free, particles, to_free

if TYPE_CHECKING:
    from kabulsim.calibration.constraint import Constraint
    from kabulsim.calibration.settings import Settings
    from kabulsim.scenario.schema import Scenario

LEVELS: tuple[float, ...] = (0.5, 0.8, 0.95)
"""The central intervals whose coverage the certificate reports."""

COVERAGE_TOLERANCE = 0.05
"""A certificate passes when every level's coverage (pooled over parameters) is within this
many points of nominal. With 300 pseudo-records the standard error of one coverage is at most
sqrt(0.25 / 300) = 0.029 per parameter, smaller pooled over parameters."""


@dataclass(frozen=True)
class ReferenceTable:
    """Parameters drawn from the prior and the statistics they produced."""

    params: tuple[FreeParameter, ...]
    keys: tuple[str, ...]
    scales: np.ndarray
    theta: np.ndarray
    stats: np.ndarray
    constraint: str | None = None
    """The fact (checked on a run of its own) that every row meets; None: no restriction."""
    drawn: int | None = None
    """Rows drawn from the prior before the restriction to ``constraint``."""

    def restricted(self, keep: np.ndarray, constraint: str) -> ReferenceTable:
        """The rows where ``keep`` holds: the prior truncated to the sets meeting ``constraint``."""
        return ReferenceTable(
            self.params,
            self.keys,
            self.scales,
            self.theta[keep],
            self.stats[keep],
            constraint,
            self.theta.shape[0] if self.drawn is None else self.drawn,
        )

    def __post_init__(self) -> None:
        n, p = self.theta.shape
        if p != len(self.params) or self.stats.shape != (n, len(self.keys)):
            raise ValueError("reference table: shapes of theta, stats, params and keys differ")
        if self.scales.shape != (len(self.keys),) or not (self.scales > 0).all():
            raise ValueError("reference table: one positive scale per statistic")


def reference_table(
    model: Model,
    params: Sequence[FreeParameter],
    keys: Sequence[str],
    scales: Sequence[float],
    n: int,
    seed: int,
    mapper: Mapper | None = None,
) -> ReferenceTable:
    """Draw ``n`` parameter sets from the priors and evaluate each with ``model``.

    ``mapper(model, particles)`` evaluates many particles (e.g. a process pool's ``map``);
    by default they run one after the other. The draws depend only on ``seed``.
    """
    rng = np.random.default_rng(seed)
    chosen = tuple(params)
    theta = np.column_stack([p.sample(rng, n) for p in chosen]) if chosen else np.empty((n, 0))
    rows = particles(theta, chosen)
    results = list(mapper(model, rows) if mapper is not None else map(model, rows))
    stats = np.array([[float(r[k]) for k in keys] for r in results], dtype=float)
    return ReferenceTable(chosen, tuple(keys), np.asarray(scales, dtype=float), theta, stats)


def distances(table: ReferenceTable, target: np.ndarray) -> np.ndarray:
    """Root-mean-square scaled deviation of every row's statistics from ``target``.

    The same scale as the calibration's (a fact's tolerance half-width): a distance of 1 is
    "one tolerance away on average". As in the calibration's own distance
    (:func:`kabulsim.calibration.statistics.distance`), a row with a statistic the model could
    not compute is infinitely far: it is never accepted.
    """
    z = (table.stats - target) / table.scales
    out: np.ndarray = np.sqrt(np.mean(z * z, axis=1))
    out[~np.isfinite(out)] = np.inf
    return out


def posterior(
    table: ReferenceTable,
    target: np.ndarray,
    accept: int,
    *,
    exclude: int | None = None,
    adjust: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """The rejection-ABC posterior of ``target``: the ``accept`` nearest rows, weighted.

    Weights are Epanechnikov in the distance (1 at the target, 0 at the farthest accepted
    row). With ``adjust``, the accepted parameters (on the prior's scale) are corrected by
    a weighted local-linear regression on the statistics (Beaumont et al. 2002), so that the
    posterior is not widened by how far the accepted rows' statistics are from the target.

    Returns the samples (accept x parameters, natural scale) and weights summing to 1.
    """
    d = distances(table, target)
    if exclude is not None:
        d = d.copy()
        d[exclude] = np.inf
    k = min(accept, int(np.isfinite(d).sum()))
    if k < 2:
        raise ValueError("posterior: fewer than 2 rows to accept")
    idx = np.argpartition(d, k - 1)[:k]
    dk = float(d[idx].max())
    w = 1.0 - (d[idx] / dk) ** 2 if dk > 0 else np.ones(k)
    w = np.maximum(w, 1e-12)
    w = w / w.sum()
    theta = table.theta[idx]
    if not adjust or theta.shape[1] == 0:
        return theta, w
    free = to_free(theta, table.params)
    s = (table.stats[idx] - target) / table.scales  # accepted rows are complete
    x = np.column_stack([np.ones(k), s])
    sw = np.sqrt(w)[:, None]
    beta, *_ = np.linalg.lstsq(x * sw, free * sw, rcond=None)
    adjusted = free - s @ beta[1:]
    return from_free(adjusted, table.params, clip=True), w


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of a weighted sample (interpolated weighted ECDF)."""
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = np.cumsum(w) - 0.5 * w
    return float(np.interp(q, cum / w.sum(), v))


@dataclass
class Certificate:
    """Ranks, coverage and the record's place in the prior predictive."""

    params: tuple[str, ...]
    ranks: np.ndarray
    """Pseudo-records x parameters: the weighted share of posterior draws below the truth."""
    covered: dict[float, np.ndarray]
    """Per level: pseudo-records x parameters, True when the central interval holds the truth."""
    accept: int
    table_size: int
    adjust: bool
    record_percentiles: dict[str, float] = field(default_factory=dict)
    """Per statistic: the share of the prior predictive below the record's target."""
    record_p: float | None = None
    """Share of pseudo-records farther from their nearest neighbours than the record."""
    constraint: str | None = None
    """The fact every row of the table meets (the prior truncated to it); None: no restriction."""
    table_drawn: int | None = None
    """Rows drawn from the prior before that restriction."""

    def coverage(self) -> dict[float, dict[str, float]]:
        """Per level, each parameter's coverage and ``"pooled"`` over parameters."""
        out: dict[float, dict[str, float]] = {}
        for level, hit in self.covered.items():
            row = {name: float(hit[:, j].mean()) for j, name in enumerate(self.params)}
            row["pooled"] = float(hit.mean())
            out[level] = row
        return out

    @property
    def passed(self) -> bool:
        """Every level's pooled coverage is within :data:`COVERAGE_TOLERANCE` of nominal."""
        return all(
            abs(row["pooled"] - level) <= COVERAGE_TOLERANCE
            for level, row in self.coverage().items()
        )

    def to_dict(self) -> dict[str, Any]:
        """The certificate as JSON-ready data (the ranks included, for re-plotting)."""
        return {
            "method": (
                "simulation-based calibration of rejection ABC"
                + (" with local-linear regression adjustment" if self.adjust else "")
                + " on one reference table drawn from the prior"
                + (
                    ""
                    if self.constraint is None
                    else f", restricted to the {self.table_size:,} of {self.table_drawn:,}"
                    f" rows that meet the fact {self.constraint!r}"
                )
            ),
            "constraint": self.constraint,
            "table_drawn": self.table_drawn,
            "pseudo_records": int(self.ranks.shape[0]),
            "table_size": self.table_size,
            "accepted_per_posterior": self.accept,
            "levels": list(self.covered),
            "coverage": {f"{lv:g}": row for lv, row in self.coverage().items()},
            "tolerance_points": COVERAGE_TOLERANCE,
            "passed": self.passed,
            "record_percentiles": self.record_percentiles,
            "record_nearest_neighbour_p": self.record_p,
            "parameters": list(self.params),
            "ranks": [[round(float(x), 6) for x in row] for row in self.ranks],
        }


def _nearest(table: ReferenceTable, target: np.ndarray, k: int, exclude: int | None) -> float:
    d = distances(table, target)
    if exclude is not None:
        d = d.copy()
        d[exclude] = np.inf
    return float(np.sort(d)[k - 1])


def certify(
    table: ReferenceTable,
    *,
    pseudo_records: int = 300,
    accept: int | None = None,
    adjust: bool = True,
    levels: Sequence[float] = LEVELS,
    record: Mapping[str, float] | None = None,
    seed: int = 0,
) -> Certificate:
    """Simulation-based calibration of the rejection-ABC posterior on ``table``.

    Args:
        table: the reference table (parameters from the prior, their statistics).
        pseudo_records: how many rows serve in turn as the record (left out of the table),
            drawn from the rows where every statistic could be computed.
        accept: rows accepted per posterior (default: 5% of the table, at least 100 or a
            quarter of a smaller table).
        adjust: apply the local-linear regression adjustment.
        levels: the central intervals whose coverage is measured.
        record: the real record's statistics (by key), for the misspecification check.
        seed: which rows are the pseudo-records.
    """
    n = table.theta.shape[0]
    complete = np.flatnonzero(np.isfinite(table.stats).all(axis=1))  # a record has every fact
    m = min(pseudo_records, len(complete))
    k = accept if accept is not None else max(min(100, n // 4), n // 20, 2)
    if k >= n:
        raise ValueError(f"certificate: accepting {k} of a table of {n} rows leaves no choice")
    rng = np.random.default_rng(seed)
    rows = rng.choice(complete, size=m, replace=False)
    p = table.theta.shape[1]
    ranks = np.empty((m, p))
    covered = {float(lv): np.zeros((m, p), dtype=bool) for lv in levels}
    for i, row in enumerate(rows):
        samples, w = posterior(table, table.stats[row], k, exclude=int(row), adjust=adjust)
        truth = table.theta[row]
        for j in range(p):
            ranks[i, j] = min(1.0, float(w[samples[:, j] < truth[j]].sum()))
            for lv, hit in covered.items():
                lo = weighted_quantile(samples[:, j], w, (1 - lv) / 2)
                hi = weighted_quantile(samples[:, j], w, (1 + lv) / 2)
                hit[i, j] = lo <= truth[j] <= hi
    cert = Certificate(
        params=tuple(q.path for q in table.params),
        ranks=ranks,
        covered=covered,
        accept=k,
        table_size=n,
        adjust=adjust,
        constraint=table.constraint,
        table_drawn=table.drawn,
    )
    if record is not None:
        target = np.array([float(record[key]) for key in table.keys])
        cert.record_percentiles = {
            key: float(np.mean(table.stats[:, j] < target[j])) for j, key in enumerate(table.keys)
        }
        near = 5
        mine = _nearest(table, target, near, None)
        theirs = np.array([_nearest(table, table.stats[r], near, int(r)) for r in rows])
        cert.record_p = float(np.mean(theirs >= mine))
    return cert


def ecdf_band(
    n: int, alpha: float = 0.05, points: int = 100, sims: int = 2000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simultaneous ``1 - alpha`` band for the ECDF of ``n`` uniform ranks (Säilynoja et al.).

    Returns (z, lower, upper): at each z in (0, 1), the band of the ECDF. Found by simulation:
    the pointwise binomial level ``gamma`` is lowered until only ``alpha`` of simulated
    uniform samples leave the band anywhere.
    """
    from scipy.stats import binom  # type: ignore[import-untyped]

    z = np.linspace(0.0, 1.0, points + 2)[1:-1]
    rng = np.random.default_rng(seed)
    u = np.sort(rng.uniform(size=(sims, n)), axis=1)
    counts = np.stack([np.searchsorted(row, z, side="right") for row in u])
    tail = np.minimum(binom.cdf(counts, n, z), binom.sf(counts - 1, n, z))
    gamma = float(np.quantile(2 * tail.min(axis=1), alpha))
    lower = binom.ppf(gamma / 2, n, z) / n
    upper = binom.ppf(1 - gamma / 2, n, z) / n
    return z, lower, upper


def model_table(
    base: Scenario,
    settings: Settings,
    rows: int,
    seed: int | None = None,
    constraint: Constraint | None = None,
) -> ReferenceTable:
    """The kabulsim model's reference table: ``rows`` prior draws, each a calibration particle.

    Each row is evaluated exactly as a particle of :func:`kabulsim.calibration.abc.calibrate`
    (``settings.reps`` replications with common random numbers, the statistics of
    ``settings.facts``), on ``settings.workers`` processes, or on the Dask cluster at
    ``settings.scheduler``. The draws depend on ``seed`` (default: the calibration's).
    With ``constraint``, the rows that fail it are dropped (:meth:`ReferenceTable.restricted`),
    as the calibration drops such members.
    """
    from kabulsim.calibration.abc import ParticleModel, connect
    from kabulsim.calibration.priors import free_parameters
    from kabulsim.calibration.statistics import BY_KEY, STATISTICS

    params = free_parameters()
    keys = tuple(settings.facts) if settings.facts is not None else tuple(s.key for s in STATISTICS)
    model = ParticleModel(base, params, settings.reps, settings.seed, keys)
    scales = [BY_KEY[k].scale for k in keys]
    draw_seed = settings.seed if seed is None else seed
    if settings.scheduler is None:
        return _constrained(
            reference_table(
                model, params, keys, scales, rows, draw_seed, pool_mapper(settings.workers)
            ),
            constraint,
            pool_mapper(settings.workers),
        )
    client = connect(settings.scheduler)
    try:

        def on_cluster(fn: Model, batch: list[dict[str, float]]) -> Iterable[Mapping[str, float]]:
            return list(client.gather(client.map(fn, batch, pure=False)))

        table = reference_table(model, params, keys, scales, rows, draw_seed, on_cluster)
        return _constrained(table, constraint, on_cluster)
    finally:
        client.close()


def _constrained(
    table: ReferenceTable, constraint: Constraint | None, mapper: Mapper
) -> ReferenceTable:
    if constraint is None:
        return table
    rows = particles(table.theta, table.params)
    keep = constraint.check(lambda ps: list(mapper(constraint.model, ps)), rows)
    return table.restricted(keep, constraint.key)
