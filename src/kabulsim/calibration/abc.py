"""The ABC-SMC driver: fitting the free parameters to the record with pyABC.

A particle is one parameter set drawn from the priors (:mod:`kabulsim.calibration.priors`).
It is evaluated over ``reps`` replications of the scenario with that set, replication ``i``
seeded from ``(seed, i)`` whatever the particle: *common random numbers*, so two particles
differ only through their parameters, and pyABC's per-particle overhead is spread over
several simulations. The statistics of those replications are compared with the record by
:func:`kabulsim.calibration.statistics.distance`; pyABC's sequential Monte Carlo lowers the
acceptance threshold generation by generation (the median of the previous generation's
distances) until it reaches ``epsilon`` (by default 0: it keeps shrinking past "every fact
inside its tolerance" until the generation limit or the time limit). The distance is the root
mean square of the facts' standardised deviations, so it keeps pulling toward the record.
pyABC runs on the priors' own scale (the logarithm of a log-uniform parameter:
:class:`OnPriorScale`) and proposes each generation from a defensive mixture of the priors
and its Gaussian kernel (:mod:`kabulsim.calibration.transition`), so that the last
generation's importance weights do not collapse onto a few particles (its effective sample
size, by generation, is reported).
The last generation is then resampled by weight and moved with ABC-MCMC at the final
threshold (:mod:`kabulsim.calibration.move`, ``Settings.moves`` steps), so that the ensemble's
members carry equal weights without being copies of the few particles that carried most of the
weight.

The history database ``abc.db`` lives in the output folder; calling :func:`calibrate` again on
the same folder continues the stored run (resuming). With one worker the run is reproducible
from its seed; pyABC's multicore sampler reseeds its worker processes from the operating
system, so a run on several workers is not bit-for-bit repeatable (the ensemble it produces
is a sample from the same posterior).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from kabulsim.calibration.constraint import Constrained, Constraint
from kabulsim.calibration.move import Evaluate, Moved, move
from kabulsim.calibration.priors import FreeParameter, free_parameters, particles, with_values
from kabulsim.calibration.settings import Settings
from kabulsim.calibration.statistics import distance, observed, statistics
from kabulsim.model.simulate import summarise
from kabulsim.scenario.schema import Scenario

DB_NAME = "abc.db"


class SchedulerUnreachable(ValueError):
    """The Dask scheduler given by ``--scheduler`` did not answer."""


def connect(address: str, timeout_s: float = 10.0) -> Any:
    """A Dask client of the scheduler at ``address``; :class:`SchedulerUnreachable` if none."""
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        raise SchedulerUnreachable("--scheduler needs Dask: pip install 'kabulsim[dask]'") from exc
    try:
        return Client(address, timeout=timeout_s)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise SchedulerUnreachable(
            f"--scheduler {address}: no Dask scheduler answered within {timeout_s:g} s"
            " (expected an address such as tcp://127.0.0.1:8786)"
        ) from exc


class HistoryMismatch(ValueError):
    """A stored history (resumed) does not hold this calibration's parameters."""


class CalibrationStopped(ValueError):
    """The time limit ended before any generation was complete."""


class ParticleModel:
    """pyABC's model: a parameter set -> the statistics of ``reps`` replications (CRN)."""

    def __init__(
        self,
        base: Scenario,
        params: Sequence[FreeParameter],
        reps: int,
        seed: int,
        facts: Sequence[str] | None,
    ) -> None:
        self.base = base
        self.params = tuple(params)
        self.reps = reps
        self.seed = seed
        self.facts = None if facts is None else tuple(facts)

    def __call__(self, particle: dict[str, float]) -> dict[str, float]:
        """Simulate the particle's replications and return their statistics.

        The statistics read only the summary rows: the replications run without their events
        and series (:func:`kabulsim.model.simulate.summarise`, the same rows).
        """
        values = {p.path: float(particle[p.key]) for p in self.params}
        scenario = with_values(self.base, values)
        rows = [summarise(scenario, self.seed, rep) for rep in range(self.reps)]
        return statistics(rows, scenario.start, self.facts)


@dataclass
class Estimate:
    """The cost announced before a calibration starts."""

    seconds_per_replication: float
    simulations_per_generation: int
    generations: int
    acceptance_guess: float
    workers: int
    minutes_limit: float
    lines: list[str] = field(default_factory=list)

    @property
    def simulations(self) -> int:
        """Simulations expected to reach the last generation (at the guessed acceptance)."""
        return int(self.simulations_per_generation * self.generations / self.acceptance_guess)

    @property
    def minutes(self) -> float:
        """Expected minutes, capped by the time limit."""
        raw = self.simulations * self.seconds_per_replication / self.workers / 60.0
        return min(raw, self.minutes_limit)


def estimate(base: Scenario, settings: Settings, probe_reps: int = 5) -> Estimate:
    """Time a few replications of ``base`` and estimate the calibration's cost."""
    began = time.perf_counter()
    for rep in range(probe_reps):
        summarise(base, settings.seed, rep)  # as the particles run them
    per_rep = (time.perf_counter() - began) / probe_reps
    return Estimate(
        seconds_per_replication=per_rep,
        simulations_per_generation=settings.population * settings.reps,
        generations=settings.generations,
        acceptance_guess=0.25,
        workers=settings.workers,
        minutes_limit=settings.minutes,
    )


def scale_key(p: FreeParameter) -> str:
    """The name pyABC runs ``p`` under on the priors' own scale (``log__`` + key when log)."""
    return "log__" + p.key if p.log else p.key


def _prior(params: Sequence[FreeParameter]) -> Any:
    """The priors on their own scale: uniform, on the logarithm for a log-uniform prior."""
    import pyabc

    rvs = {}
    for p in params:
        if p.log:
            low, high = math.log(p.low), math.log(p.high)
            rvs[scale_key(p)] = pyabc.RV("uniform", low, high - low)
        else:
            rvs[scale_key(p)] = pyabc.RV("uniform", p.low, p.high - p.low)
    return pyabc.Distribution(**rvs)


class OnPriorScale:
    """A model of natural units run by pyABC on the priors' scale (the log of a log prior).

    pyABC's kernel perturbs in the units it is given; a log-uniform prior's density is ``1/x``
    in natural units, which a Gaussian kernel fits badly, so pyABC is given the logarithm,
    where that prior is uniform. The posterior is the same: only the coordinates change.
    """

    def __init__(self, model: Callable[[dict[str, float]], Any], params: Sequence[FreeParameter]):
        self.model = model
        self.params = tuple(params)

    def __call__(self, particle: dict[str, float]) -> Any:
        """The model at the particle, mapped back to natural units."""
        natural = {
            p.key: math.exp(float(particle[scale_key(p)])) if p.log else float(particle[p.key])
            for p in self.params
        }
        return self.model(natural)


def _distance(simulated: dict[str, float], record: dict[str, float]) -> float:
    return distance(simulated, record)


@dataclass(frozen=True)
class Outcome:
    """What a calibration produced: the accepted particles and how it got there."""

    values: dict[str, np.ndarray]
    """Accepted values of each free parameter, by dotted path."""
    weights: np.ndarray
    generations: int
    epsilon: float
    simulations: int
    """Replications simulated in this session: ABC-SMC's and the moves' evaluations times
    ``reps``, and the constraint's checks times its own replications (``by_stage``)."""
    seconds: float
    params: tuple[FreeParameter, ...]
    facts: tuple[str, ...]
    moved: Moved | None = None
    """The resample-move step after the last generation (None: not made)."""
    constrained: Constrained | None = None
    """What the constraint did to the last generation (None: no constraint)."""
    ess_generations: tuple[float, ...] = ()
    """Kish effective sample size of each ABC-SMC generation, first to last."""
    by_stage: dict[str, int] = field(default_factory=dict)
    """``simulations`` by stage: ``abc_smc``, ``moves``, ``constraint``."""

    @property
    def ess(self) -> float:
        """Effective sample size of the ensemble, ``1 / sum(w^2)`` (Kish).

        After a resample-move step the weights are equal, so this is the population; what
        the moved ensemble is worth is then its distinct members (``moved.distinct``).
        """
        return float(1.0 / np.sum(self.weights**2)) if len(self.weights) else 0.0

    @property
    def ess_smc(self) -> float:
        """Kish effective sample size of ABC-SMC's last weighted generation."""
        if self.ess_generations:
            return self.ess_generations[-1]
        return self.moved.ess_before if self.moved is not None else self.ess

    @property
    def simulations_per_second(self) -> float:
        """Replications simulated per wall-clock second."""
        return self.simulations / self.seconds if self.seconds > 0 else math.nan


def calibrate(
    base: Scenario,
    out_dir: Path,
    settings: Settings,
    params: Sequence[FreeParameter] | None = None,
    model: Callable[[dict[str, float]], dict[str, float]] | None = None,
    record: dict[str, float] | None = None,
    dist: Callable[[dict[str, float], dict[str, float]], float] | None = None,
    prior: Any = None,
    show_progress: bool = False,
    constraint: Constraint | None = None,
) -> Outcome:
    """Run (or resume) ABC-SMC and return the last generation's particles and weights.

    Args:
        base: the scenario the free parameters are set in.
        out_dir: the output folder; it holds pyABC's history database.
        settings: sizes, limits and seed.
        params: the free parameters (default: :func:`free_parameters`).
        model: replaces the simulator (default: :class:`ParticleModel`, the kabulsim model;
            the toy-simulator test gives its own).
        record: replaces the observed statistics (default
            :func:`~kabulsim.calibration.statistics.observed`).
        dist: replaces the distance (default
            :func:`~kabulsim.calibration.statistics.distance`).
        prior: replaces the prior (a ``pyabc.Distribution``; default: from ``params``).
        show_progress: let pyABC draw its progress bar on standard error.
        constraint: a fact checked on a run of its own (:mod:`kabulsim.calibration.constraint`):
            the last generation's members that fail it are dropped (their weight set to 0)
            before the moves, and a move is accepted only if its proposal meets it too.

    Raises:
        CalibrationStopped: no member of the last generation meets the constraint.

    """
    import pyabc

    from kabulsim.calibration.folder import check_history
    from kabulsim.calibration.samplers import DeadlineMulticore, DeadlineSingleCore
    from kabulsim.calibration.transition import DefensiveTransition

    chosen = tuple(params) if params is not None else free_parameters()
    facts = settings.facts
    the_record = record if record is not None else observed(facts)
    the_model = model or ParticleModel(base, chosen, settings.reps, settings.seed, facts)
    # the time limit is honoured inside a generation too (pyABC checks it only between them);
    # the generations stop early enough to leave the moves their share of it
    started = time.monotonic()
    deadline = started + settings.minutes * 60.0
    reserve = _move_reserve(the_model, chosen, settings) if settings.moves > 0 else 0.0
    if constraint is not None:  # the last generation's check, and the moves' (a guessed quarter)
        checks = settings.population * (1.0 + 0.25 * max(settings.moves, 0))
        reserve += checks * _seconds(constraint.model, chosen) / max(settings.workers, 1)
    smc_deadline = deadline - min(reserve, 0.5 * settings.minutes * 60.0)
    client = None
    if settings.scheduler is not None:
        from kabulsim.calibration.samplers import DeadlineDask

        client = connect(settings.scheduler)
        sampler: Any = DeadlineDask(client, smc_deadline)
    elif settings.workers <= 1:
        sampler = DeadlineSingleCore(smc_deadline)
    else:
        sampler = DeadlineMulticore(settings.workers, smc_deadline)
    sampler.show_progress = show_progress
    # pyABC draws particles from numpy's global stream; seeding it is how its runs are seeded
    np.random.seed(settings.seed)  # noqa: NPY002
    # the kabulsim priors run on their own scale (see OnPriorScale); a replaced prior as given
    on_scale = prior is None
    the_prior = _prior(chosen) if on_scale else prior
    abc = pyabc.ABCSMC(
        OnPriorScale(the_model, chosen) if on_scale else the_model,
        the_prior,
        dist or _distance,
        population_size=settings.population,
        sampler=sampler,
        eps=pyabc.MedianEpsilon(),
        transitions=DefensiveTransition(the_prior, settings.prior_percent / 100.0),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / DB_NAME
    url = f"sqlite:///{db.resolve()}"
    if db.exists() or db.is_symlink():
        check_history(db)  # never a database pyABC did not write
        history = abc.load(url, 1)
        if history.max_t is not None and history.max_t >= 0:
            stored = history.get_distribution(m=0, t=history.max_t)[0]
            for p in chosen:  # the stored parameters are this calibration's, on its scale
                _natural(stored, p, on_scale)
        done = history.max_t + 1
        before = int(history.get_all_populations()["samples"].sum())
    else:
        history = abc.new(url, the_record)
        done = 0
        before = 0
    began = time.perf_counter()
    remaining = max(settings.generations - done, 0)
    try:
        if remaining:
            try:
                history = abc.run(
                    minimum_epsilon=settings.epsilon,
                    max_nr_populations=remaining,
                    max_walltime=timedelta(seconds=max(smc_deadline - started, 0.0)),
                )
            except AssertionError:
                # the time limit ended inside pyABC's first sample (its calibration of the
                # threshold), which then has no particle and pyABC asserts; nothing is kept
                if time.monotonic() < smc_deadline:
                    raise
        if history.max_t is None or history.max_t < 0:
            raise CalibrationStopped(
                f"--minutes {settings.minutes:g}: the time limit ended before the first"
                f" generation was complete ({settings.population} particles x"
                f" {settings.reps} replications); give more minutes or a smaller population"
                " (the history is kept: run again to continue)"
            )
        frame, weights = history.get_distribution(m=0, t=history.max_t)
        pops = history.get_all_populations()
        eps = float(pops["epsilon"].iloc[-1])
        values = {p.path: _natural(frame, p, on_scale) for p in chosen}
        w = np.asarray(weights, dtype=float) / float(np.sum(weights))
        constrained = None
        admissible = None
        if constraint is not None:
            check = _evaluator(constraint.model, settings.workers, client)

            def admissible(batch: list[dict[str, float]]) -> np.ndarray:
                return constraint.check(check, batch)

            theta = np.column_stack([values[p.path] for p in chosen])
            keep = admissible(particles(theta, chosen))
            if not keep.any():
                raise CalibrationStopped(
                    f"no member of the last generation meets the fact {constraint.key!r}"
                    " (checked on a run of its own); the ensemble would be empty"
                )
            kept_w = np.where(keep, w, 0.0)
            constrained = Constrained(
                key=constraint.key,
                kept=int(keep.sum()),
                of=len(w),
                ess_after=_kish(kept_w),
                simulated=len(w),
            )
            if settings.moves <= 0:  # no moves: the members that meet it, with their weights
                values = {k: v[keep] for k, v in values.items()}
                kept_w = kept_w[keep]
            w = kept_w / float(np.sum(kept_w))
        moved = None
        if settings.moves > 0:
            moved = move(
                values,
                w,
                chosen,
                _evaluator(the_model, settings.workers, client),
                the_record,
                dist or _distance,
                eps,
                settings.moves,
                settings.seed,
                keep_going=lambda: time.monotonic() < deadline,
                log_density=None if prior is None else _log_density(prior, chosen),
                admissible=admissible,
            )
            values = moved.values
            if constrained is not None:
                constrained = dataclasses.replace(
                    constrained,
                    simulated=constrained.simulated + moved.checked,
                    rejected_in_moves=moved.inadmissible,
                )
            w = np.full(len(w), 1.0 / len(w))
    finally:
        if client is not None:
            client.close()
    seconds = time.perf_counter() - began
    evaluations = int(pops["samples"].sum()) - before
    reps = settings.reps if model is None else 1
    move_evaluations = 0 if moved is None else moved.proposed
    by_stage = {
        "abc_smc": evaluations * reps,
        "moves": move_evaluations * reps,
        "constraint": 0
        if constrained is None or constraint is None
        else constrained.simulated * constraint.reps,
    }
    return Outcome(
        values=values,
        weights=w,
        generations=int(history.max_t) + 1,
        epsilon=eps,
        simulations=sum(by_stage.values()),
        seconds=seconds,
        params=chosen,
        facts=tuple(the_record),
        moved=moved,
        constrained=constrained,
        ess_generations=tuple(
            _kish(history.get_distribution(m=0, t=t)[1]) for t in range(int(history.max_t) + 1)
        ),
        by_stage=by_stage,
    )


def _kish(weights: Any) -> float:
    w = np.asarray(weights, dtype=float)
    return float(np.sum(w) ** 2 / np.sum(w**2)) if len(w) else 0.0


def _natural(frame: Any, p: FreeParameter, on_scale: bool) -> np.ndarray:
    """A parameter's values read back from pyABC's history, in natural units."""
    key = scale_key(p) if on_scale else p.key
    if key not in frame.columns:
        raise HistoryMismatch(
            f"{DB_NAME}: the stored history has no parameter {key!r} (it was written by another"
            " version of kabulsim or with other free parameters); start in a new --out folder"
        )
    values: np.ndarray = frame[key].to_numpy(dtype=float)
    return np.exp(values) if on_scale and p.log else values


def _seconds(model: Callable[[dict[str, float]], Any], params: Sequence[FreeParameter]) -> float:
    """One evaluation of ``model`` at the parameters' defaults, timed."""
    began = time.perf_counter()
    model({p.key: p.default for p in params})
    return time.perf_counter() - began


def _move_reserve(
    model: Callable[[dict[str, float]], Any], params: Sequence[FreeParameter], settings: Settings
) -> float:
    """Seconds the moves will take: one particle at the defaults, timed, times the moves' count."""
    per_particle = _seconds(model, params)
    return settings.moves * settings.population * per_particle / max(settings.workers, 1)


def _evaluator(model: Callable[[dict[str, float]], Any], workers: int, client: Any) -> Evaluate:
    """The particles' statistics, on the calibration's workers or its Dask cluster, in order."""
    from kabulsim.calibration.mapping import pool_mapper

    if client is not None:

        def on_cluster(batch: list[dict[str, float]]) -> list[Any]:
            return list(client.gather(client.map(model, batch, pure=False)))

        return on_cluster
    mapper = pool_mapper(workers)
    return lambda batch: [dict(s) for s in mapper(model, batch)]


def _log_density(prior: Any, params: Sequence[FreeParameter]) -> Callable[[np.ndarray], Any]:
    """A replaced prior's log density on the move's scale (the logarithm for a log prior)."""
    import pyabc

    def log_density(z: np.ndarray) -> np.ndarray:
        out = np.empty(len(z))
        for i, row in enumerate(z):
            natural = {
                p.key: math.exp(v) if p.log else float(v) for p, v in zip(params, row, strict=True)
            }
            density = float(prior.pdf(pyabc.Parameter(natural)))
            jacobian = sum(float(v) for p, v in zip(params, row, strict=True) if p.log)
            out[i] = math.log(density) + jacobian if density > 0 else -math.inf
        return out

    return log_density
