"""The Taliban command: fighters moved from Kabul to the fronts, and the risk of the road.

    Sources (docs/sources.md): "up to 2,000 Pakistani, Arab, Chechen, and even Central Asian
    fighters have been sent from Kabul to the Bagram front line in the two days since
    American bombing began" (Christian Science Monitor, 10 Oct 2001); the Taliban "rushed
    reinforcements to the key northern city of Mazar-i-Sharif" (AFP, 9 Nov 2001);
    reinforcements sent north from Kabul were reported turned back on 12 Nov 2001. "In the war
    in Afghanistan last fall, the United States bought off more enemy fighters than it killed"
    (Newsweek, Nov 2002, on B. Woodward, Bush at War). Biddle (Foreign Affairs, 2003): "Taliban
    fighters quickly adapted to American methods and adopted countermeasures that allowed many
    of them to elude American surveillance and survive U.S. air strikes."

Mechanism. The command is an actor that decides, front by front. It reviews each front's
line every ``command.review_h`` (from a random moment; the reviews of different fronts are
independent), unless a fight is under way there, and decides in this order:

* **negotiate a surrender** when the line's morale is below ``command.surrender_morale``
  (Kunduz and Kandahar were surrendered by negotiation): its fighters are taken prisoner;
* **withdraw** the line without a fight when its morale is below ``command.withdraw_morale``:
  the front covering Kabul falls back on the city, a front whose city falls retreats along its
  route (:func:`kabulsim.model.front.give_up`); the evacuation of Kabul follows from the
  front's breaking as after a lost fight (:mod:`kabulsim.model.withdrawal`);
* **counter-attack** when the line's strength times morale reaches
  ``command.counterattack_ratio`` times the facing alliance line's and the alliance is not
  massing: a fight run by the attrition engine with the Taliban attacking out of their
  positions (:func:`kabulsim.model.commander.counterattack_sides`), its losses applied at once;
* **disperse** the line when the last day's strikes reached ``command.disperse_at`` effective
  sorties per thousand fighters (a dispersed line loses ``command.dispersed_exposure`` of the
  strike kills but fights an assault with ``command.dispersed_fire`` of its fire), and
  **concentrate** it again when the strikes ease or the alliance is seen massing;
* **reinforce** a refilled line from Kabul (below);
* otherwise **hold**.

At every review, too, fighters leave the line: a share ``(desertion_per_day + bought_per_day)
* (1 - morale)`` a day desert or change sides (Taloqan, 11 Nov 2001; the CIA's cash, Woodward),
the paid share only on a line struck in the last day's strikes; they are booked as captured or
defected; and fighters who arrived in the open dig in (a share
``review_h / (24 * dig_in_days)`` of them reach prepared positions).

Reinforcement is limited by what the Taliban have and can move. *What they have*: the
national strength (``forces.taliban_national``) less the modelled garrisons is the fighters
elsewhere in the country; of those, ``command.held_elsewhere`` hold other fronts and
provinces (5,000-10,000 in the north-east, *Time*, Nov 2001) and are never moved; foreign
volunteers join the pool from the bombing start (``command.volunteers`` in all, at
``command.volunteers_per_day``: "some 5,000 volunteer fighters have entered Afghanistan"
since 7 Oct, *Dawn*, 5 Nov 2001; booked as the ledger's reinforcements, they travel as
foreign fighters in proportion to the spare men). *What they can
move*: once a day the command keeps the capital garrisoned, sending up to
``command.kabul_refill_per_day`` fighters from the pool's spare men while Kabul (with those
already on their way) is below its initial garrison; they travel a lognormal
``command.national_travel_h`` on roads under interdiction, and go back if Kabul is no longer
the Taliban's when they arrive. A line with the ``refilled`` role is sent up to
``command.refill_per_day`` fighters a day, never leaving fewer than ``command.kabul_minimum``
in the city, travelling a lognormal ``command.shamali_travel_h``; they arrive in the open.
When the pool is spent, losses on the line are replaced only from Kabul's own garrison.

When the northern line is first assaulted the command sends ``command.north_contingent``
fighters from Kabul over the Salang (lognormal ``command.north_travel_h``). If the northern
line has broken before they arrive they are turned back, and return to Kabul.

On every trip a share of the fighters is caught by strikes on the road: ``1 - exp(-c * S *
d)``, with ``c`` = ``command.interdiction_per_sortie``, ``S`` the strike sorties scheduled
that day and ``d`` the trip's length in days. Fighters on the road are counted in the ledger
as active (``World.in_transit``).
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from kabulsim.model.air import rate_at
from kabulsim.model.commander import counterattack_sides
from kabulsim.model.fighting import fight
from kabulsim.model.front import give_up
from kabulsim.model.world import Front, World, lognormal


def _take_from_kabul(world: World, n: float) -> tuple[float, float]:
    """Remove ``n`` fighters from Kabul, foreign and Afghan in proportion."""
    total = world.in_kabul
    foreign = round(n * world.kabul_foreign / total) if total > 0 else 0.0
    foreign = min(foreign, world.kabul_foreign)
    afghan = min(n - foreign, world.kabul_afghan)
    world.leave_kabul(afghan, float(foreign))
    return afghan, float(foreign)


def _depart(world: World, n: float, median_h: float) -> tuple[float, float]:
    """``n`` fighters take the road now: their travel time (h) and how many will be caught."""
    cmd = world.scenario.command
    rng = world.rng["command"]
    travel_h = lognormal(rng, median_h, cmd.travel_spread)
    hazard = cmd.interdiction_per_sortie * rate_at(world, world.env.now) * travel_h / 24.0
    caught = float(rng.binomial(int(n), 1.0 - math.exp(-hazard))) if n >= 1 else 0.0
    world.in_transit += n
    return travel_h, caught


def _arrive(world: World, n: float, caught: float) -> float:
    """The trip ends: return the survivors (fighters)."""
    world.in_transit -= n
    world.ledger.kill("air", caught, "road")
    world.out.add("caught_on_road", caught)
    return n - caught


def _road(world: World, n: float, median_h: float) -> simpy.events.ProcessGenerator:
    """Travel with ``n`` fighters; return the survivors (fighters)."""
    travel_h, caught = _depart(world, n, median_h)
    yield world.env.timeout(travel_h)
    return _arrive(world, n, caught)


def _refill(world: World, front: Front, afghan: float, foreign: float) -> None:
    """Send fighters from Kabul to ``front``'s line.

    The trip is one timeout with the arrival as its callback (no process of its own: the
    same draws, at the same moment, as a process started now, and two events fewer).
    """
    n = afghan + foreign
    travel_h, caught = _depart(world, n, front.plan.travel_h)

    def arrive(_: simpy.Event) -> None:
        arrived = _arrive(world, n, caught)
        if front.holds:
            front.gain(arrived)
        else:  # the line broke meanwhile: they go back into the city
            share = foreign / n if n > 0 else 0.0
            world.join_kabul(arrived - round(arrived * share), round(arrived * share))
        world.snap()

    world.env.timeout(travel_h).callbacks.append(arrive)


def _contingent(world: World, front: Front) -> simpy.events.ProcessGenerator:
    """Send ``front`` a contingent from Kabul when its line is first assaulted."""
    cmd = world.scenario.command
    place = front.plan.place
    yield world.milestone(f"{front.name}_assaulted")
    n = min(float(front.plan.contingent), max(0.0, world.in_kabul - cmd.kabul_minimum))
    if n < 1.0 or not front.holds:
        return
    afghan, foreign = _take_from_kabul(world, math.floor(n))
    total = afghan + foreign
    world.out.add("reinforcements_sent", total)
    world.log(
        "command",
        f"sent_{front.name}",
        f"{total:.0f} fighters leave Kabul for the {place.towards}",
        total,
    )
    arrived = yield from _road(world, total, front.plan.travel_h)
    if front.holds:
        front.gain(arrived)
        world.log("command", f"arrived_{front.name}", "", arrived)
        world.snap()
        return
    world.out.set(front.outs["contingent_turned_back"], True)
    world.log(
        "command", "turned_back", f"the {place.label} line has broken; back to Kabul", arrived
    )
    back = yield from _road(world, arrived, front.plan.travel_h)
    if world.city_holder == "taliban":
        share = foreign / total if total > 0 else 0.0
        world.join_kabul(back - round(back * share), round(back * share))
    else:
        world.elsewhere += back
    world.snap()


def _defections(world: World, front: Front, rng: np.random.Generator) -> None:
    """Fighters desert or change sides, more the lower the line's morale (and with cash).

    Cash buys commanders on a line under strikes (Woodward: an offer refused, a bomb next to
    the commander's headquarters, the offer accepted the next day): the paid term applies when
    the line was struck in the last day's strikes.
    """
    cmd = world.scenario.command
    bought = cmd.bought_per_day if front.last_strike > 0.0 else 0.0
    rate = (cmd.desertion_per_day + bought) * (1.0 - front.morale)
    share = min(1.0, max(0.0, rate * cmd.review_h / 24.0))
    whole = int(front.strength)
    gone = float(rng.binomial(whole, share)) if whole > 0 and share > 0.0 else 0.0
    if gone > 0.0:
        front.lose(gone)
        world.ledger.capture(gone)
        world.out.add("taliban_defected", gone)


def _counterattack(world: World, front: Front, rng: np.random.Generator) -> None:
    """Attack the facing alliance line; the fight's losses are applied at once."""
    taliban, alliance = counterattack_sides(world, front, rng)
    done = fight(world, taliban, alliance, rng, "battle", front)
    won = done.alliance_broke and not done.taliban_broke
    world.log(
        front.name,
        "counterattack",
        f"{'the alliance line gives way' if won else 'beaten back'}; Taliban casualties"
        f" {done.taliban_casualties}, alliance casualties {done.alliance_casualties}",
        done.result.duration_h,
    )


def _review(world: World, front: Front, rng: np.random.Generator) -> str:
    """One decision on ``front``: what the command does (the decision's outcome name)."""
    cmd = world.scenario.command
    _defections(world, front, rng)
    front.dig_in(min(1.0, cmd.review_h / (24.0 * cmd.dig_in_days)))
    if front.morale < cmd.surrender_morale:
        give_up(world, front, True, rng)
        return "command_surrenders"
    if front.morale < cmd.withdraw_morale:
        give_up(world, front, False, rng)
        return "command_withdraws"
    facing = front.facing
    theirs = facing.strength * facing.morale
    if (
        not front.threatened
        and theirs > 0.0
        and front.strength * front.morale >= cmd.counterattack_ratio * theirs
    ):
        _counterattack(world, front, rng)
        return "command_counterattacks"
    disperse = front.last_strike >= cmd.disperse_at and not front.threatened
    if disperse != front.dispersed:
        front.set_dispersed(disperse)
        if disperse:
            return "command_disperses"
    if front.plan.plays("refilled") and _reinforce(world, front):
        return "command_reinforces"
    return "command_holds"


def _reinforce(world: World, front: Front) -> bool:
    """Send fighters from Kabul to refill ``front``'s line; whether any were sent."""
    cmd = world.scenario.command
    if world.evacuation_decided.triggered or world.city_holder != "taliban":
        return False
    gap = front.establishment - front.strength
    per_review = cmd.refill_per_day * cmd.review_h / 24.0
    n = math.floor(min(gap, per_review, world.in_kabul - cmd.kabul_minimum))
    if n < 1:
        return False
    afghan, foreign = _take_from_kabul(world, n)
    world.out.add("reinforcements_sent", afghan + foreign)
    _refill(world, front, afghan, foreign)
    return True


def front_command(world: World, front: Front) -> simpy.events.ProcessGenerator:
    """Review ``front`` every ``command.review_h`` and decide, while its line holds."""
    env = world.env
    cmd = world.scenario.command
    rng = world.rng["command"]
    yield env.timeout(float(rng.uniform(0.0, cmd.review_h)))
    while env.now < world.horizon_h and front.holds:
        if not front.fighting:
            decision = _review(world, front, rng)
            world.out.add(decision, 1)
            world.snap()
        yield env.timeout(cmd.review_h)


def command(world: World) -> simpy.events.ProcessGenerator:
    """Decide on each front (its own review), and keep Kabul garrisoned once a day."""
    env = world.env
    cmd = world.scenario.command
    rng = world.rng["command"]
    kabul_initial = float(world.scenario.forces.taliban_kabul)
    fronts = tuple(world.fronts.values())
    for front in fronts:
        if front.plan.plays("contingent"):
            env.process(_contingent(world, front))
        env.process(front_command(world, front))
    # The pool of spare men elsewhere in the country: ``world.elsewhere`` counts them all,
    # ``foreign[0]`` the foreign volunteers among them (they travel in proportion).
    foreign = [0.0]
    if cmd.volunteers > 0 and cmd.volunteers_per_day >= 1.0:  # whole fighters a day
        env.process(_volunteers(world, foreign))
    yield env.timeout(float(rng.uniform(0.0, 24.0)))
    coming = [0.0]  # fighters on the road to Kabul from the rest of the country
    while env.now < world.horizon_h and world.city_holder == "taliban":
        if world.evacuation_decided.triggered:
            return
        need = max(0.0, kabul_initial - world.in_kabul - coming[0])
        # The pockets' own garrisons (kabulsim.model.pocket) are among the men held elsewhere:
        # they were taken out of ``world.elsewhere`` when the world was built.
        held = max(0.0, cmd.held_elsewhere - world.pocket_garrisons)
        spare = max(0.0, world.elsewhere - held)
        move = math.floor(min(cmd.kabul_refill_per_day, spare, need))
        if move >= 1:
            # The men held elsewhere are the country's own; the spare men are the rest.
            of_them = float(min(foreign[0], round(move * min(1.0, foreign[0] / spare))))
            world.elsewhere -= move
            foreign[0] -= of_them
            coming[0] += move
            world.snap()
            _to_kabul(world, float(move), of_them, coming, foreign)
        yield env.timeout(24.0)


def _to_kabul(
    world: World, n: float, of_them: float, coming: list[float], foreign: list[float]
) -> None:
    """``n`` fighters (``of_them`` foreign) travel from the rest of the country to Kabul.

    They travel under interdiction; ``coming`` counts the fighters on their way and
    ``foreign`` the foreign volunteers in the pool (one element each). If Kabul is no longer
    the Taliban's when they arrive, they go back where they came from. The trip is one
    timeout with the arrival as its callback, as in :func:`_refill` (no process of its own:
    the same draws in the same order, and two events fewer a trip).
    """
    travel_h, caught = _depart(world, n, world.scenario.command.national_travel_h)

    def arrive(_: simpy.Event) -> None:
        survivors = _arrive(world, n, caught)
        coming[0] -= n
        foreign_left = float(round(survivors * of_them / n)) if n > 0 else 0.0
        if world.city_holder == "taliban" and not world.evacuation_decided.triggered:
            world.join_kabul(survivors - foreign_left, foreign_left)
        else:
            world.elsewhere += survivors
            foreign[0] += foreign_left
        world.snap()

    world.env.timeout(travel_h).callbacks.append(arrive)


def _volunteers(world: World, foreign: list[float]) -> simpy.events.ProcessGenerator:
    """Foreign volunteers join the national pool once a day from the bombing start.

    ``foreign`` counts the foreign volunteers in the pool (its one element).
    """
    env = world.env
    cmd = world.scenario.command
    start = world.hours(world.scenario.air.bombing_start)
    assert start is not None
    yield env.timeout(start)
    left = float(cmd.volunteers)
    while left >= 1.0 and env.now < world.horizon_h and world.city_holder == "taliban":
        n = float(math.floor(min(left, cmd.volunteers_per_day)))
        left -= n
        world.elsewhere += n
        foreign[0] += n
        world.ledger.reinforce(n)
        world.snap()
        yield env.timeout(24.0)
