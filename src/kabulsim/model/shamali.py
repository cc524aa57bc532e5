"""The Shamali Plain: a two-year stalemate, the alliance's estimate, and the three-hour fight.

    "On 12 November, a brief battle took place on Shamali Plain between the Taliban and the
    Northern Alliance north of Kabul. For two years during the Afghan Civil War the frontline
    had been stalemated here, but with the Taliban demoralized by the fall of the northern
    cities, under constant attack by American air support, and fearing encirclement, they fell
    back to Kabul following just three hours of fighting, opening the road to the city."

Mechanism. Each morning (``shamali.assault_hour``, every ``review_h`` hours) the front's
morale recovers a little (``morale.recovery_per_day``) and, once Mazar-i-Sharif has fallen,
loses ``north.encirclement_per_day`` to fear of encirclement. The alliance commander then
estimates what an assault would cost: with Lanchester square-law loss rates at the current
strengths (a first-order estimate: rates held at their initial values), the time until the
Taliban reach their breakpoint, and the alliance's losses over that time. The alliance
attacks when the estimate is below ``shamali.acceptable_losses`` and the Taliban would break
first (or when a scenario orders an assault on a date).

The fight itself is run by the standalone attrition engine (:mod:`kabulsim.combat`) in
stochastic mode with minute steps: square law, CDB90-derived kill rates and breakpoints, both
scaled by each side's morale (1 = a typical 20th-century force in CDB90), the Taliban kill
rate raised by ``fortification_factor`` for prepared positions, and close air support as
external losses on the Taliban. Its duration and casualties are outputs; the summary's
``shamali_*`` columns describe the decisive (or, if none, the last) assault, and
``first_assault`` the first. If the Taliban break,
``fall_back_share`` of the survivors fall back to Kabul and the rest scatter or change sides,
and the front-broken event fires; if the alliance breaks off, it regroups for ``retry_h``.
"""

from __future__ import annotations

import math

import simpy

from kabulsim.combat import Side
from kabulsim.model.fighting import fight
from kabulsim.model.world import World


def _sides(world: World) -> tuple[Side, Side]:
    """The two sides of an assault at the current state (red: Taliban, blue: alliance)."""
    sc = world.scenario
    sh = sc.shamali
    front = world.shamali
    air = sc.air
    mult = air.controller_multiplier if front.controlled(world.env.now) else 1.0
    taliban = Side(
        name="taliban",
        strength=front.strength,
        kill_rate=sh.taliban_kill_rate * sh.fortification_factor * front.morale,
        breakpoint=min(1.0, sh.taliban_breakpoint * front.morale),
        external_losses_per_h=sh.cas_sorties_per_h * air.kills_per_sortie * mult,
    )
    alliance = Side(
        name="alliance",
        strength=world.alliance_strength,
        kill_rate=sh.alliance_kill_rate * world.alliance_morale,
        breakpoint=min(1.0, sh.alliance_breakpoint * world.alliance_morale),
    )
    return taliban, alliance


def estimate_assault(world: World) -> tuple[float, bool]:
    """The commander's estimate: alliance casualties in an assault now, and who breaks first.

    Loss rates are held at their values at the start of the assault (a first-order estimate,
    adequate while losses are a few percent of either force).

    Returns:
        (estimated alliance casualties in fighters, whether the Taliban break first).
    """
    sc = world.scenario
    sh = sc.shamali
    front = world.shamali
    if front.strength <= 0.0:
        return 0.0, True
    mult = sc.air.controller_multiplier if front.controlled(world.env.now) else 1.0
    cas = sh.cas_sorties_per_h * sc.air.kills_per_sortie * mult
    taliban_loss_h = sh.alliance_kill_rate * world.alliance_morale * world.alliance_strength + cas
    alliance_loss_h = sh.taliban_kill_rate * sh.fortification_factor * front.morale * front.strength
    if taliban_loss_h <= 0.0:
        return math.inf, False
    t_taliban = min(1.0, sh.taliban_breakpoint * front.morale) * front.strength / taliban_loss_h
    alliance_bp = min(1.0, sh.alliance_breakpoint * world.alliance_morale)
    t_alliance = (
        alliance_bp * world.alliance_strength / alliance_loss_h if alliance_loss_h > 0 else math.inf
    )
    return alliance_loss_h * t_taliban, t_taliban < t_alliance


def _fight(world: World) -> bool:
    """Run one assault through the attrition engine; return whether the Taliban broke."""
    sc = world.scenario
    sh = sc.shamali
    taliban, alliance = _sides(world)
    rng = world.rng["shamali"]
    done = fight(world, taliban, alliance, rng, "battle")
    result = done.result
    out = world.out
    out.add("shamali_assaults", 1)
    if out.time("first_assault") is None:
        out.set("first_assault", world.env.now)
    out.set("shamali_start", world.env.now)
    out.set("shamali_duration_h", result.duration_h)
    broke = done.taliban_broke
    repulsed = not broke and done.alliance_broke
    out.set("shamali_winner", "alliance" if broke else ("taliban" if repulsed else "none"))
    world.shamali.set_strength(result.red_final)
    cas_sorties = sh.cas_sorties_per_h * result.duration_h
    out.add("sorties_flown", cas_sorties)
    out.add("civilian_casualties", float(rng.poisson(sc.air.civilians_per_sortie * cas_sorties)))
    world.log(
        "shamali",
        "assault",
        f"{result.ended_by}; Taliban casualties {done.taliban_casualties},"
        f" alliance casualties {done.alliance_casualties}",
        result.duration_h,
    )
    return broke


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


def shamali_front(world: World) -> simpy.events.ProcessGenerator:
    """Hold the Shamali front, review it each morning, and fight when the alliance attacks."""
    env = world.env
    sc = world.scenario
    sh = sc.shamali
    front = world.shamali
    days = sh.review_h / 24.0
    recovery = 1.0 - (1.0 - sc.morale.recovery_per_day) ** days
    encirclement = math.exp(-sc.north.encirclement_per_day * days)
    forced = world.hours(sh.forced_assault_at)
    # First estimate on the first morning at the assault hour.
    start_hour = sc.start.hour + sc.start.minute / 60.0
    yield env.timeout((sh.assault_hour - start_hour) % 24.0)
    while env.now < world.horizon_h:
        front.recover(recovery)
        if world.mazar_fallen.triggered:
            front.scale_morale(encirclement)
        world.snap()
        ordered = forced is not None and env.now >= forced
        if ordered:
            forced = None  # an order is carried out once
        cost, breaks_first = estimate_assault(world)
        if ordered or (breaks_first and cost <= sh.acceptable_losses):
            start = env.now
            broke = _fight(world)
            yield env.timeout(world.out.number("shamali_duration_h"))
            if broke:
                _fall_back(world)
                world.snap()
                world.out.set("front_broken", env.now)
                world.log("shamali", "front_broken", "the Taliban fall back to Kabul")
                world.front_broken.succeed()
                return
            world.log("shamali", "assault_fails", "the alliance breaks off", env.now - start)
            # Regroup, then resume the daily estimate at the next assault hour.
            yield env.timeout(sh.retry_h)
            hour = (sc.start.hour + sc.start.minute / 60.0 + env.now) % 24.0
            yield env.timeout((sh.assault_hour - hour) % 24.0)
            continue
        yield env.timeout(sh.review_h)
