"""The Shamali Plain: a two-year stalemate, the alliance's estimate, and the three-hour fight.

    "On 12 November, a brief battle took place on Shamali Plain between the Taliban and the
    Northern Alliance north of Kabul. For two years during the Afghan Civil War the frontline
    had been stalemated here, but with the Taliban demoralized by the fall of the northern
    cities, under constant attack by American air support, and fearing encirclement, they fell
    back to Kabul following just three hours of fighting, opening the road to the city."

Mechanism. The Shamali line is a front (:mod:`kabulsim.model.fronts`): air strikes (ODA 555
directing them from about 20 October), ground pressure, the northern shock and the fear of
encirclement wear it down; morale recovers and the Taliban command refills the line from
Kabul (:mod:`kabulsim.model.command`) when the pressure is off. The alliance commander
attacks when his estimated odds reach ``shamali.required_odds`` (or when a scenario orders an
assault on a date, ``shamali.forced_assault_at``), after massing part of his reserve; the
attrition engine decides the fight. Its start, duration, casualties and winner are outputs;
the summary's ``shamali_*`` columns describe the decisive (or, if none, the last) assault, and
``first_assault`` the first. If the Taliban break, ``fall_back_share`` of the survivors fall
back to Kabul and the rest scatter or change sides, and the front-broken event fires; if the
alliance breaks off, it regroups for ``retry_h`` and the reviews resume.

If Kabul has not fallen at the horizon, the summary's ``kabul_held_by`` names the mechanism:
``front_estimate`` (the line held and the commander never judged an assault worth it),
``front_repulsed`` (assaults were made and failed) or ``city_defence`` (a deliberate defence
held the city after the line broke).
"""

from __future__ import annotations

import simpy

from kabulsim.model.fighting import Fight
from kabulsim.model.fronts import cas_sorties_per_h, commander
from kabulsim.model.world import Front, World


def _fought(world: World, front: Front, done: Fight) -> None:
    sc = world.scenario
    result = done.result
    out = world.out
    out.add("shamali_assaults", 1)
    if out.time("first_assault") is None:
        out.set("first_assault", world.env.now)
    out.set("shamali_start", world.env.now)
    out.set("shamali_duration_h", result.duration_h)
    repulsed = not done.taliban_broke and done.alliance_broke
    winner = "alliance" if done.taliban_broke else ("taliban" if repulsed else "none")
    out.set("shamali_winner", winner)
    rng = world.rng["shamali"]
    cas_sorties = cas_sorties_per_h(world, front) * result.duration_h
    out.add("sorties_flown", cas_sorties)
    out.add("civilian_casualties", float(rng.poisson(sc.air.civilians_per_sortie * cas_sorties)))
    world.log(
        "shamali",
        "assault",
        f"{result.ended_by}; Taliban casualties {done.taliban_casualties},"
        f" alliance casualties {done.alliance_casualties}",
        result.duration_h,
    )


def _fall_back(world: World) -> None:
    """Send the beaten front's survivors back to Kabul; the rest scatter or change sides."""
    sc = world.scenario
    rng = world.rng["shamali"]
    survivors = int(world.shamali.strength)
    back = int(rng.binomial(survivors, sc.shamali.fall_back_share)) if survivors > 0 else 0
    foreign = int(rng.binomial(back, sc.forces.foreign_share)) if back > 0 else 0
    world.join_kabul(back - foreign, foreign)
    world.ledger.capture(world.shamali.strength - back)
    world.shamali.set_strength(0.0)


def _broken(world: World, front: Front, done: Fight) -> None:
    _fall_back(world)
    world.snap()
    world.out.set("front_broken", world.env.now)
    world.log("shamali", "front_broken", "the Taliban fall back to Kabul")
    world.front_broken.succeed()


def shamali_front(world: World) -> simpy.events.ProcessGenerator:
    """Hold the Shamali front until the alliance breaks it (or the horizon)."""
    forced = world.hours(world.scenario.shamali.forced_assault_at)
    yield world.env.process(
        commander(world, world.shamali, world.rng["shamali"], forced, _fought, _broken)
    )
