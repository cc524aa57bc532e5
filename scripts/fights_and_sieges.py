"""The measurements of issue 24a: fights that end like fights, and the siege of a defended Kabul.

Prints, for the baseline, the early offensive and the defended city, the share of assaults
that reach any duration cap (the day limit or the engine's time limit), the share of decisive
assaults with more than 12 h of fighting, the share of assaults fought in darkness (a one-day
assault's hours after nightfall or before first light; a fight of several days pauses at
night by construction), killed in a defended city against ``shamali.retry_h`` (24, 72, 144),
the replications ending in a negotiated surrender, and the forced early assault on a front of
10,000 and 15,000 defenders. Each replication takes its parameters from the shipped ensemble.

    python scripts/fights_and_sieges.py --reps 200 --seed 0
"""

from __future__ import annotations

import argparse
import re
from typing import Any

import numpy as np
import pandas as pd

import kabulsim
from kabulsim.scenario.schema import Scenario

CAPS = ("day_limit", "time_limit")


def _load(name: str, **changes: Any) -> Scenario:
    """The scenario file with ``--set``-style overrides (the library's own)."""
    sets = [f"{path}={value}" for path, value in changes.items()]
    return kabulsim.load_scenario(f"scenarios/{name}.yaml", overrides=sets)


def _dark_hours(t_h: float, hours: float, first: float, dusk: float) -> float:
    """Hours of a one-day fight from clock time ``t_h`` outside first light to nightfall."""
    steps = np.arange(t_h, t_h + hours, 0.25) % 24.0  # the scenarios start at 00:00 local
    return float(((steps >= dusk) | (steps < first)).sum() * 0.25)


def assaults(name: str, reps: int, seed: int, **changes: Any) -> pd.DataFrame:
    """Print and return the assault measurements of one scenario."""
    sc = _load(name, **changes)
    run = kabulsim.run(sc, reps=reps, seed=seed)
    ev = run.events
    a = ev[ev.event == "assault"].copy()
    a["ended"] = a.detail.str.split(";").str[0]
    a["days"] = a.detail.map(lambda d: int(m.group(1)) if (m := re.search(r"days (\d+)", d)) else 1)
    sh = sc.doctrine
    one = a[a.days == 1]
    first, dusk = sh.daylight[0], sh.nightfall
    dark = [_dark_hours(t, h, first, dusk) for t, h in zip(one.t_h, one.value, strict=True)]
    decisive = a[a.ended.str.contains("breakpoint:taliban")]
    label = name + "".join(f" {k}={v}" for k, v in changes.items())
    print(
        f"{label}: {len(a)} assaults, {a.ended.isin(CAPS).mean():.1%} reach a cap;"
        f" decisive with > 12 h of fighting {(decisive.value > 12).mean():.1%};"
        f" one-day assaults fighting in darkness {np.mean(np.array(dark) > 0):.1%};"
        f" median {a.value.median():.2f} h of fighting; ended by {a.ended.value_counts().to_dict()}"
    )
    s = run.summary
    if sc.withdrawal.policy == "defend":
        fights = int((ev.event == "fighting_in_city").sum())
        print(
            f"    killed in the city: mean {s.killed_in_city.mean():.0f}"
            f" (median {s.killed_in_city.median():.0f}); negotiated surrender in"
            f" {s.city_surrendered.mean():.0%}; city fights {fights}"
        )
    return a


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    reps, seed = args.reps, args.seed
    assaults("baseline", reps, seed)
    assaults("early_offensive", reps, seed)
    for retry in (24.0, 72.0, 144.0):
        assaults("taliban_defend_kabul", reps, seed, **{"shamali.retry_h": retry})
    for n in (10_000, 15_000):
        a = assaults("early_offensive", reps, seed, **{"forces.taliban_shamali": n})
        first = a[a.phase == "shamali"].groupby("rep").head(1).ended
        print(f"    the forced assault: {first.value_counts(normalize=True).round(3).to_dict()}")


if __name__ == "__main__":
    main()
