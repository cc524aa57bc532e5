"""A fight between the Taliban and the alliance, run by the attrition engine.

Both the Shamali assault (:mod:`kabulsim.model.front`) and fighting inside Kabul
(:mod:`kabulsim.model.alliance`) go through :func:`fight`: the engine runs in stochastic mode
with the scenario's law, step and time limit, and each side's casualties are split into
killed (``shamali.killed_per_casualty``) and wounded. Taliban killed go to the given ledger
category, Taliban wounded to the ledger's wounded; alliance killed to the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from kabulsim.combat import BattleResult, Side, simulate
from kabulsim.model.world import Front, World


@dataclass(frozen=True, slots=True)
class Fight:
    """What a fight did: the engine's result, who broke, and the dead on each side."""

    result: BattleResult
    taliban_broke: bool
    alliance_broke: bool
    taliban_casualties: int
    alliance_casualties: int
    taliban_killed: float
    alliance_killed: float


def fight(
    world: World,
    taliban: Side,
    alliance: Side,
    rng: np.random.Generator,
    where: Literal["battle", "city"],
    front: Front | None = None,
) -> Fight:
    """Run a fight to its end and book its casualties.

    Args:
        world: the replication's shared state.
        taliban: the Taliban side (red).
        alliance: the alliance side (blue).
        rng: the calling phase's random stream.
        where: the ledger category of Taliban killed (``battle`` or ``city``).
        front: the front fought over; its line and alliance strengths take the fight's final
            strengths (None: a fight in the city, where the alliance's Shamali force fights).
    """
    sh = world.scenario.doctrine
    result = simulate(
        taliban,
        alliance,
        law=sh.law,
        mode="stochastic",
        dt_h=sh.step_min / 60.0,
        max_h=sh.max_h,
        rng=rng,
        record=False,
    )
    # Both sides may end in the same step; red is the Taliban, blue the alliance.
    taliban_broke = result.red_ended
    alliance_broke = result.blue_ended
    t_cas = round(result.red_losses)
    a_cas = round(result.blue_losses)
    t_killed = float(rng.binomial(t_cas, sh.killed_per_casualty)) if t_cas > 0 else 0.0
    a_killed = float(rng.binomial(a_cas, sh.killed_per_casualty)) if a_cas > 0 else 0.0
    world.ledger.kill(where, t_killed)
    world.ledger.wound(t_cas - t_killed)
    world.out.add("alliance_killed", a_killed)
    if front is None:
        world.set_alliance_strength(result.blue_final)
    else:
        front.facing.strength = result.blue_final
        front.set_strength(result.red_final)
    return Fight(result, taliban_broke, alliance_broke, t_cas, a_cas, t_killed, a_killed)
