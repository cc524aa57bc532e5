"""Posterior predictive checks and leave-one-fact-out.

**Posterior predictive check.** ``members`` members are drawn by weight (member ``j`` from the
stream of ``(seed, j)``); each is simulated over ``reps`` replications of its own, numbered
from :data:`CHECK_REP0` on (the calibration used replications 0 to ``reps - 1``, so the check
is out of sample), and each statistic of the record is computed for each member. For every fact the
check reports the statistic's median and 90% interval over the ensemble and the share of
members whose statistic lies inside the fact's tolerance; the ensemble reproduces the record
when, for every fact, most members do.

**Leave one fact out.** Calibrate without one fact (a small ABC-SMC), then run the check on
the held-out fact: does the rest of the record predict it?
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from kabulsim.calibration.ensemble import Ensemble, build
from kabulsim.calibration.statistics import BY_KEY, STATISTICS, statistics
from kabulsim.model.simulate import summarise
from kabulsim.scenario.schema import Scenario

CHECK_REP0 = 1_000_000
"""The check's replications are numbered from here: never those a calibration evaluated."""


def member_statistics(
    ens: Ensemble, scenario: Scenario, members: int, reps: int, seed: int
) -> pd.DataFrame:
    """One row per drawn member: its index and each statistic over ``reps`` replications."""
    rows = []
    for j in range(members):
        m = ens.member_for(seed, j)
        sc = ens.apply(scenario, m)
        first = CHECK_REP0 + j * reps
        summaries = [summarise(sc, seed, rep) for rep in range(first, first + reps)]
        rows.append({"member": m, **statistics(summaries, sc.start)})
    return pd.DataFrame(rows)


def check(stats: pd.DataFrame, keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Where each fact falls in the ensemble's distribution of its statistic."""
    out = []
    for s in STATISTICS if keys is None else [BY_KEY[k] for k in keys]:
        v = stats[s.key].to_numpy(dtype=float)
        finite = v[np.isfinite(v)]
        q = np.quantile(finite, [0.5, 0.05, 0.95]) if finite.size else [np.nan] * 3
        inside = float(np.mean([s.z(x) <= 1.0 for x in v]))
        out.append(
            {
                "fact": s.key,
                "units": s.units,
                "tolerance": f"{s.low:g} to {s.high:g}",
                "median": float(q[0]),
                "low": float(q[1]),
                "high": float(q[2]),
                "members_within": inside,
            }
        )
    return pd.DataFrame(out)


def predictive_check(
    ens: Ensemble,
    scenario: Scenario | None = None,
    members: int = 40,
    reps: int = 10,
    seed: int = 0,
) -> pd.DataFrame:
    """The posterior predictive check of every fact (see the module docstring)."""
    sc = scenario if scenario is not None else Scenario()
    return check(member_statistics(ens, sc, members, reps, seed))


def leave_one_out(
    fact: str,
    out_dir: Path,
    scenario: Scenario | None = None,
    population: int = 60,
    reps: int = 5,
    generations: int = 3,
    members: int = 20,
    workers: int = 1,
    seed: int = 0,
) -> pd.DataFrame:
    """Calibrate without ``fact`` (a small ABC-SMC), then check the held-out fact.

    Returns the check's row for ``fact`` (needs pyabc).
    """
    from kabulsim.calibration.abc import calibrate
    from kabulsim.calibration.settings import Settings

    sc = scenario if scenario is not None else Scenario()
    keep = tuple(s.key for s in STATISTICS if s.key != fact)
    if len(keep) == len(STATISTICS):
        raise KeyError(f"no statistic {fact!r}; known: {', '.join(BY_KEY)}")
    settings = Settings(
        population=population,
        reps=reps,
        generations=generations,
        minutes=10.0,
        workers=workers,
        seed=seed,
        facts=keep,
    )
    out = calibrate(sc, out_dir / f"without_{fact}", settings)
    ens = build(out.values, out.weights, {"facts": list(keep)})
    return check(member_statistics(ens, sc, members, reps, seed), [fact])
