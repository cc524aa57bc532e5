"""The alliance's choice at the gates of Kabul: hold back, or enter; and who then holds the city.

    "US Secretary of State Colin Powell expressing that the foreign governments would prefer
    the alliance invest the city and not seize it, in order to improve the ability to form a
    broad and successful post-war government." ... "Initially, the alliance held back from the
    city, with security guards being seen holding back armour and truckloads of infantry, but
    this pause was short-lived, and the alliance proved unable or unwilling to prevent their
    forces from entering the city." ... the alliance "met no resistance inside the city".

Mechanism. After the front breaks the alliance reaches the edge of Kabul after a lognormal
advance. If a hold-back is declared (``hold_back_h`` > 0) its units wait until it ends, unless
they go in despite orders first: a hazard per hour of ``indiscipline_per_h * (1 - pressure)``,
multiplied by ``open_city_factor`` once the Taliban have left (an empty city invites entry).
While the alliance holds back a broad-based force assembles, linearly over ``broad_force_h``.
On entry, any organised Taliban force still in the city resists: the fight runs through the
attrition engine with an urban multiplier on the defenders' kill rate (and a higher
breakpoint when the Taliban chose to defend); if the alliance is repulsed it tries again after
``shamali.retry_h``. When the alliance holds the city, the control-breadth indicator is set:

    control_breadth = sum over groups g of min(c_g, p_g)

where ``p`` is the population's ethnic composition and ``c`` the composition of the force
that takes the city (the alliance contingent, plus the broad force in proportion to how far
it had assembled, times ``broad_force_ratio``). It is 1 when the force mirrors the
population and falls towards 0 as the force draws on fewer of its groups (it equals one
minus the total-variation distance between the two compositions).
"""

from __future__ import annotations

import math

import simpy

from kabulsim.combat import Side
from kabulsim.model.fighting import fight
from kabulsim.model.withdrawal import mark_city_empty, route
from kabulsim.model.world import World, lognormal
from kabulsim.scenario.schema import Alliance


def control_breadth(al: Alliance, broad_assembled: float) -> float:
    """The control-breadth indicator in [0, 1] for the force that takes the city.

    Args:
        al: the alliance parameters (compositions, broad-force size).
        broad_assembled: share of the broad force assembled when the city is taken, [0, 1].

    """
    weight = max(0.0, min(1.0, broad_assembled)) * al.broad_force_ratio
    force = [
        (a + weight * b) / (1.0 + weight)
        for a, b in zip(al.composition.as_tuple(), al.broad_composition.as_tuple(), strict=True)
    ]
    return sum(min(c, p) for c, p in zip(force, al.population.as_tuple(), strict=True))


def _city_fight(world: World) -> bool:
    """The alliance meets the Taliban still in Kabul; return whether the alliance prevails."""
    sc = world.scenario
    sh = sc.shamali
    al = sc.alliance
    rng = world.rng["alliance"]
    morale = world.defenders_morale()
    defending = sc.withdrawal.policy == "defend"
    bp_factor = al.city_breakpoint_factor if defending else 1.0
    foreign_share = world.kabul_foreign / world.in_kabul
    taliban = Side(
        name="taliban",
        strength=world.in_kabul,
        kill_rate=sh.taliban_kill_rate * al.urban_defence_factor * morale,
        breakpoint=min(1.0, sh.taliban_breakpoint * bp_factor * morale),
    )
    alliance = Side(
        name="alliance",
        strength=world.alliance_strength,
        kill_rate=sh.alliance_kill_rate * world.alliance_morale,
        breakpoint=min(1.0, sh.alliance_breakpoint * world.alliance_morale),
    )
    done = fight(world, taliban, alliance, rng, "city")
    result = done.result
    world.out.set("resistance_in_city", True)
    killed = done.taliban_killed + done.alliance_killed
    world.out.add("killed_in_city", killed)
    world.out.add(
        "civilian_casualties", float(rng.poisson(al.civilians_per_fighter_killed * killed))
    )
    # Losses come off both groups in proportion.
    f_left = round(result.red_final * foreign_share)
    world.set_kabul(result.red_final - f_left, float(f_left))
    world.log(
        "alliance",
        "fighting_in_city",
        f"{result.ended_by}; Taliban casualties {done.taliban_casualties},"
        f" alliance casualties {done.alliance_casualties}",
        result.duration_h,
    )
    return done.taliban_broke


def _hold_back(world: World) -> simpy.events.ProcessGenerator:
    """Wait at the gates until the hold-back ends or units go in despite orders."""
    env = world.env
    al = world.scenario.alliance
    rng = world.rng["alliance"]
    end = env.now + al.hold_back_h
    world.log("alliance", "hold_back", f"declared for {al.hold_back_h:g} h")
    while (remaining := end - env.now) > 1e-9:
        rate = al.indiscipline_per_h * (1.0 - al.pressure)
        if world.city_empty.triggered:
            rate *= al.open_city_factor
        wait = float(rng.exponential(1.0 / rate)) if rate > 0.0 else math.inf
        breach = wait < remaining
        timer = env.timeout(wait if breach else remaining)
        if world.city_empty.triggered:
            yield timer
        else:
            # The hazard changes when the city empties; the exponential is memoryless, so a
            # fresh draw from that moment on is exact.
            yield timer | world.city_empty
            if not timer.processed:
                continue
        if breach:
            world.out.set("entry_despite_orders", True)
            world.log("alliance", "entry_despite_orders", "units enter the city against orders")
            return
    world.log("alliance", "hold_back_ends")


def alliance(world: World) -> simpy.events.ProcessGenerator:
    """Advance to the city, hold back or not, enter, and take control."""
    env = world.env
    sc = world.scenario
    al = sc.alliance
    rng = world.rng["alliance"]
    yield world.front_broken
    yield env.timeout(lognormal(rng, al.advance_h, al.advance_spread))
    gates = env.now
    world.out.set("alliance_at_gates", gates)
    world.log("alliance", "at_the_gates")
    world.alliance_at_gates.succeed()
    if al.hold_back_h > 0.0:
        yield env.process(_hold_back(world))
    broad = min(1.0, (env.now - gates) / al.broad_force_h) if al.hold_back_h > 0.0 else 0.0
    while world.in_kabul > 0.0:
        if _city_fight(world):
            break
        yield env.timeout(sc.shamali.retry_h)
    world.set_city_holder("alliance")
    world.out.set("alliance_enters_kabul", env.now)
    world.out.set("broad_force_share", broad)
    breadth = control_breadth(al, broad)
    world.out.set("control_breadth", breadth)
    world.log("alliance", "enters_kabul", "", breadth)
    world.alliance_in_city.succeed()
    if world.in_kabul > 0.0 or not world.city_empty.triggered:
        # The defenders who broke withdraw in haste along the two routes (the draws are the
        # alliance phase's: this phase decides when and how many).
        route(world, world.kabul_afghan, world.kabul_foreign, rng)
        world.set_kabul(0.0, 0.0)
        mark_city_empty(world)
