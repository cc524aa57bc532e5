"""The fight decides itself: its length and winner come from the attrition engine.

Version 1's attack rule (attack when the estimated cost is small) capped the Shamali fight
near 3.5 h whatever the Taliban strength. Now the commander's rule chooses only the moment;
the engine, with breakpoints drawn from the CDB90 distributions, decides the rest.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from kabulsim.model import build_world, simulate
from kabulsim.model.commander import sides
from kabulsim.model.fighting import fight
from tests.helpers import scenario_with

STRENGTHS = (2_500, 5_000, 10_000, 15_000)


def _fight_score(strength: int, morale: float, seeds: range) -> tuple[float, float]:
    """Mean hours the Taliban hold (the time limit when they win) and their share of wins."""
    sc = scenario_with(**{"air.sorties": []})
    held, wins = [], []
    for seed in seeds:
        world = build_world(sc, seed=seed)
        front = world.fronts["shamali"]
        front.strength, front.morale = float(strength), morale
        rng = np.random.default_rng(seed)
        taliban, alliance = sides(world, front, rng)
        done = fight(world, taliban, alliance, rng, "battle", front)
        won = not done.taliban_broke
        wins.append(won)
        held.append(sc.shamali.max_h if won else done.result.duration_h)
    return float(np.mean(held)), float(np.mean(wins))


def test_at_equal_morale_more_defenders_fight_longer_or_win():
    scores = [_fight_score(n, 0.3, range(40)) for n in STRENGTHS]
    held = [s[0] for s in scores]
    # Same random numbers at every strength (common random numbers): strictly increasing.
    assert all(a < b for a, b in pairwise(held)), held
    assert scores[-1][1] >= scores[0][1]


def test_shamali_duration_is_not_capped_by_the_attack_rule():
    """An ordered assault on 12 Nov: its length grows with the defenders, no cap near 3.5 h."""
    medians = {}
    for n in (5_000, 15_000):
        sc = scenario_with(
            **{
                "forces.taliban_shamali": n,
                "shamali.forced_assault_at": "2001-11-12T09:00",
                "shamali.required_odds": 1e9,
                "horizon_days": 40.0,
            }
        )
        rows = [simulate(sc, seed=0, rep=r).summary for r in range(30)]
        first = pd.Series([r["shamali_duration_h"] for r in rows if r["shamali_assaults"]])
        medians[n] = float(first.median())
    assert medians[15_000] > 1.5 * medians[5_000], medians
