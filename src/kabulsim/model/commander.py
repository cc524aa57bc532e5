"""The alliance commander on a front: the estimate, the decision, massing and the assault.

    "For two years during the Afghan Civil War the frontline had been stalemated here, but
    with the Taliban demoralized by the fall of the northern cities, under constant attack by
    American air support, and fearing encirclement, they fell back to Kabul following just
    three hours of fighting".

Each front (the north around Mazar-i-Sharif, the Shamali Plain north of Kabul) is a Taliban
line with a strength and a morale, facing an alliance force with its own strength, morale and
reserve. The daily pressure on the lines is :mod:`kabulsim.model.pressure`; this module is
the commander who decides when to attack, and the assault:

* **The alliance commander** (:func:`commander`). At reviews ``shamali.review_h`` apart,
  starting at a random moment (no daily pin), the commander estimates the line's strength and
  morale and computes, with the median CDB90 breakpoints at those estimates and the loss
  rates at the start of an assault, how long each side would last. When his endurance over
  theirs (the *odds*) reaches ``shamali.required_odds``, or when a scenario orders it, he
  masses part of his reserve (``shamali.mass_share``, over a lognormal ``shamali.mass_h``)
  and attacks as soon as massing is complete in daylight (``shamali.daylight``; massing that
  ends at night waits for first light plus a form-up of up to three hours). The decision
  chooses the moment, not the fight's length: the attrition engine decides that.

* **The commander's picture of the line, and how he learns** (:class:`Picture`). His
  estimates are the line's true strength and morale times ``exp(e)``, with one persistent
  log-error ``e`` for each: he follows what changes on the line (strikes, losses, a city's
  fall elsewhere) but misjudges its level, and he keeps misjudging it by the same factor
  until he learns better; the error is not drawn afresh at each review. He revises his
  picture as a Bayesian with a normal prior on the level revises it with a normal
  observation (a Kalman update): an observation with log-sd ``s`` moves the error to
  ``(1 - K) e + K s z`` and its variance to ``(1 - K) v``, where ``K = v / (v + s**2)`` and
  ``z`` is a standard normal draw. Two kinds of observation:

  - each review is a *probe* (patrols, prisoners, deserters). After two years of stalemate
    (``shamali.stalemate_days``) of such reviews his error has spread ``shamali.estimate_error``;
    a probe's own log-sd is derived from that, ``estimate_error * sqrt(n)`` for the ``n``
    reviews of the stalemate, so that he goes on learning at the rate at which he had learnt;
  - a failed assault shows him the line that repulsed it, with log-sd
    ``shamali.assault_estimate_error``: he learns at once most of what he had wrong.

  The start: two years of stalemate (burn-in). The line held, so a commander whose picture
  gave him the odds to attack during those two years attacked and was repulsed, and
  learnt: at the start the picture (drawn with spread ``estimate_error``) is revised by one
  failed assault's observation while the odds he sees on the stalemate's line reach
  ``required_odds``, at most once for each ``retry_h`` of the stalemate. When the line's true
  odds reach ``required_odds`` learning cannot talk him out of it: those parameters do not
  make a stalemate, and he attacks in October (the validation's ``stalemate`` fact).

The assault runs the attrition engine (:func:`kabulsim.model.fighting.fight`) in stochastic
mode: square law, CDB90 median kill rates scaled by each side's morale, the Taliban rate
raised by ``fortification_factor``, breakpoints drawn from the CDB90 distributions with
morale selecting the quantile (:mod:`kabulsim.combat.breakpoints`), and close air support as
external losses on the Taliban: the front's share of the day's strike sorties, flown over the
daylight hours of the assault, each killing ``air.kills_per_sortie`` fighters, times
``air.controller_multiplier`` and ``air.assault_cas_factor`` once controllers are on the
front (strikes directed onto defenders who must expose themselves to fight the assault: the
Bai Beche pattern described by Biddle). The fight is fought by daylight
(:mod:`kabulsim.model.fighting`): it pauses at nightfall and resumes at first light with close
air support at the new day's rate, unless the attacker breaks off. Both fronts use the Shamali
part's combat parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy

from kabulsim.combat import Side
from kabulsim.combat.breakpoints import (
    BreakpointDistribution,
    attacker_breakpoints,
    defender_breakpoints,
)
from kabulsim.model.air import rate_and_share_at
from kabulsim.model.fighting import Fight, fight, local_hour
from kabulsim.model.world import Front, World, lognormal
from kabulsim.scenario.schema import Doctrine

Hook = Callable[[World, Front, Fight], None]


def cas_sorties_per_h(world: World, front: Front, at: float | None = None) -> float:
    """Strike sorties per hour over an assault on ``front`` at clock time ``at`` (None: now).

    The front's share of the day's scheduled strike sorties, flown over the daylight window
    (``shamali.daylight``) in which assaults are made. Fights pause at night
    (:mod:`kabulsim.model.fighting`), so this rate is never flown through a night.
    """
    now = world.env.now if at is None else at
    lo, hi = world.scenario.doctrine.daylight
    rate, share = rate_and_share_at(world, front, now)
    return rate * share / max(1.0, hi - lo)


def cas_per_h(world: World, front: Front, at: float | None = None) -> float:
    """Fighters killed per hour by close air support in an assault on ``front`` at ``at``.

    Sorties (:func:`cas_sorties_per_h`) times ``air.kills_per_sortie``, times
    ``air.controller_multiplier * air.assault_cas_factor`` once controllers are on the front:
    strikes directed onto defenders who must expose themselves to fight the assault.
    ``at`` is a clock time (None: now).
    """
    air = world.scenario.air
    now = world.env.now if at is None else at
    mult = 1.0
    if front.controlled(now):
        mult = air.controller_multiplier * air.assault_cas_factor
    return cas_sorties_per_h(world, front, now) * air.kills_per_sortie * mult


_MEDIANS: dict[tuple[bool, float, float], float] = {}
"""Median CDB90 breakpoints by side and morale, as computed (the alliance's morale changes
rarely, and the commander asks at every review)."""


def _breakpoint_median(world: World, morale: float, defender: bool) -> float:
    sh = world.scenario.doctrine
    if sh.breakpoints == "cdb90_median":
        base = sh.taliban_breakpoint if defender else sh.alliance_breakpoint
        return min(1.0, base * morale)
    dist = defender_breakpoints() if defender else attacker_breakpoints()
    floor_p = _floor_p(world, dist)
    key = (defender, morale, floor_p)
    value = _MEDIANS.get(key)
    if value is None:
        if len(_MEDIANS) > 4096:
            _MEDIANS.clear()
        value = _MEDIANS[key] = dist.quantile_at_morale(0.5, morale, floor_p)
    return value


def _floor_p(world: World, dist: BreakpointDistribution) -> float:
    """The lowest probability a breakpoint is drawn at (``shamali.breakpoint_floor``)."""
    return dist.probs[0] if world.scenario.doctrine.breakpoint_floor == "cdb90_q10" else 0.0


def _breakpoint_draw(
    world: World, morale: float, defender: bool, rng: np.random.Generator
) -> float:
    sh = world.scenario.doctrine
    u = float(rng.random())  # drawn in both modes: the stream's use does not depend on the mode
    if sh.breakpoints == "cdb90_median":
        base = sh.taliban_breakpoint if defender else sh.alliance_breakpoint
        return min(1.0, base * morale)
    dist = defender_breakpoints() if defender else attacker_breakpoints()
    return dist.quantile_at_morale(u, morale, _floor_p(world, dist))


def estimate_odds(
    world: World, front: Front, alliance: float, strength: float, morale: float
) -> float:
    """The commander's odds: hours the alliance would last over hours the Taliban would.

    Args:
        world: the replication's shared state.
        front: the front considered.
        alliance: alliance fighters that would attack (line plus massed reserve).
        strength: the (estimated) Taliban strength.
        morale: the (estimated) Taliban morale.
    """
    sh = world.scenario.doctrine
    if strength <= 0.0:
        return math.inf
    taliban_loss_h = sh.alliance_kill_rate * front.facing.morale * alliance + cas_per_h(
        world, front
    )
    alliance_loss_h = sh.taliban_kill_rate * sh.fortification_factor * morale * strength
    if taliban_loss_h <= 0.0:
        return 0.0
    t_taliban = _breakpoint_median(world, morale, True) * strength / taliban_loss_h
    if alliance_loss_h <= 0.0:
        return math.inf
    t_alliance = _breakpoint_median(world, front.facing.morale, False) * alliance / alliance_loss_h
    return t_alliance / t_taliban


def sides(world: World, front: Front, rng: np.random.Generator) -> tuple[Side, Side]:
    """The two sides of an assault on ``front`` now (red: Taliban, blue: alliance)."""
    sh = world.scenario.doctrine
    # A line the Taliban command left dispersed has fewer men where the assault falls.
    posture = world.scenario.command.dispersed_fire if front.dispersed else 1.0
    taliban = Side(
        name="taliban",
        strength=front.strength,
        kill_rate=sh.taliban_kill_rate * sh.fortification_factor * front.morale * posture,
        breakpoint=_breakpoint_draw(world, front.morale, True, rng),
        external_losses_per_h=cas_per_h(world, front),
    )
    alliance = Side(
        name="alliance",
        strength=front.facing.strength,
        kill_rate=sh.alliance_kill_rate * front.facing.morale,
        breakpoint=_breakpoint_draw(world, front.facing.morale, False, rng),
    )
    return taliban, alliance


def counterattack_sides(world: World, front: Front, rng: np.random.Generator) -> tuple[Side, Side]:
    """The two sides of a Taliban counter-attack from ``front`` now (red: Taliban).

    The Taliban attack out of their positions: no fortification factor, a failed attacker's
    breakpoint (CDB90), and close air support on men in the open (``command.open_exposure``
    times :func:`cas_per_h`). The alliance defends its own prepared line (the fortification
    factor, a withdrawing defender's breakpoint).
    """
    sh = world.scenario.doctrine
    cmd = world.scenario.command
    taliban = Side(
        name="taliban",
        strength=front.strength,
        kill_rate=sh.taliban_kill_rate * front.morale,
        breakpoint=_breakpoint_draw(world, front.morale, False, rng),
        external_losses_per_h=cas_per_h(world, front) * cmd.open_exposure,
    )
    alliance = Side(
        name="alliance",
        strength=front.facing.strength,
        kill_rate=sh.alliance_kill_rate * sh.fortification_factor * front.facing.morale,
        breakpoint=_breakpoint_draw(world, front.facing.morale, True, rng),
    )
    return taliban, alliance


def _until_daylight(world: World, rng: np.random.Generator) -> float:
    """Hours to wait from now until an assault may start."""
    lo, hi = world.scenario.doctrine.daylight
    hour = local_hour(world, world.env.now)
    form_up = float(rng.uniform(0.0, min(3.0, max(0.0, hi - lo))))
    if lo <= hour < hi:
        return 0.0
    return (lo - hour) % 24.0 + form_up


class Picture:
    """The commander's picture of one Taliban line: persistent log-errors and their variance.

    ``errors`` are the log-errors of his estimates of the line's strength and morale (his
    estimate is the truth times ``exp(error)``); ``variance`` is the variance his picture has
    (each error is a draw from a normal of that variance). See the module's docstring for
    the rule.
    """

    __slots__ = ("errors", "variance")

    def __init__(self, spread: float, rng: np.random.Generator) -> None:
        self.variance = spread * spread
        self.errors = [spread * float(rng.standard_normal()) for _ in range(2)]

    def seen(self, front: Front) -> tuple[float, float]:
        """The line's strength and morale as the commander sees them now."""
        return (
            front.strength * math.exp(self.errors[0]),
            front.morale * math.exp(self.errors[1]),
        )

    def observe(self, sd: float, rng: np.random.Generator) -> None:
        """Revise the picture with one observation of the line with log-sd ``sd``.

        Kalman gain ``K = v / (v + sd**2)``: each error becomes ``(1 - K) e + K sd z`` and
        the variance ``(1 - K) v``. An observation with ``sd`` 0 shows the line exactly.
        """
        v = self.variance
        gain = v / (v + sd * sd) if v + sd * sd > 0.0 else 0.0
        self.errors = [
            (1.0 - gain) * e + gain * sd * float(rng.standard_normal()) for e in self.errors
        ]
        self.variance = (1.0 - gain) * v


def probe_sd(doctrine: Doctrine) -> float:
    """Log-sd of what one review tells the commander of the line (see :class:`Picture`).

    The spread ``estimate_error`` is what the ``n`` reviews of the two years of stalemate
    left him (``n = stalemate_days * 24 / review_h``), starting from no picture at all: the
    posterior variance after ``n`` observations of variance ``s**2`` is ``s**2 / n``, so
    ``s = estimate_error * sqrt(n)``.
    """
    n = doctrine.stalemate_days * 24.0 / doctrine.review_h
    return doctrine.estimate_error * math.sqrt(max(n, 1.0))


def _odds(world: World, front: Front, picture: Picture, massed: float) -> float:
    seen_strength, seen_morale = picture.seen(front)
    return estimate_odds(world, front, front.facing.strength + massed, seen_strength, seen_morale)


def stalemate_picture(world: World, front: Front, rng: np.random.Generator) -> tuple[Picture, int]:
    """The commander's picture where two years of stalemate left it (burn-in).

    Returns the picture and the number of repulses of the stalemate it took (see the
    module's docstring).
    """
    sh = world.scenario.doctrine
    picture = Picture(sh.estimate_error, rng)
    massed = sh.mass_share * front.facing.reserve
    tries = int(sh.stalemate_days * 24.0 / sh.retry_h)
    repulses = 0
    while repulses < tries and _odds(world, front, picture, massed) >= sh.required_odds:
        picture.observe(sh.assault_estimate_error, rng)
        repulses += 1
    return picture, repulses


def commander(
    world: World,
    front: Front,
    rng: np.random.Generator,
    forced_h: float | None,
    on_fight: Hook,
    on_break: Hook,
) -> simpy.events.ProcessGenerator:
    """Review the front, decide, mass, attack; repeat after a repulse until the line breaks."""
    env = world.env
    sh = world.scenario.doctrine
    picture, _ = stalemate_picture(world, front, rng)
    probe = probe_sd(sh)
    yield env.timeout(float(rng.uniform(0.0, sh.review_h)))
    while env.now < world.horizon_h and front.holds:
        ordered = forced_h is not None and env.now >= forced_h
        if ordered:
            forced_h = None  # an order is carried out once
        massed = sh.mass_share * front.facing.reserve
        picture.observe(probe, rng)
        odds = _odds(world, front, picture, massed)
        front.best_odds = max(front.best_odds, odds)
        if not (ordered or odds >= sh.required_odds):
            yield env.timeout(sh.review_h)
            continue
        world.log(front.name, "assault_decided", f"estimated odds {odds:.2f}", odds)
        front.threatened = True  # the massing is seen across the line
        yield env.timeout(lognormal(rng, sh.mass_h, sh.mass_spread))
        front.facing.reserve -= massed
        front.facing.strength += massed
        world.snap()
        yield env.timeout(_until_daylight(world, rng))
        if not front.holds:
            return
        front.fighting = True
        front.assaults += 1
        assaulted = world.milestone(f"{front.name}_assaulted")
        if not assaulted.triggered:
            assaulted.succeed()
        taliban, alliance = sides(world, front, rng)
        first = front.outs.get("taliban_at_first_assault")
        if first is not None and front.assaults == 1:
            world.out.set(first, taliban.strength)
        done = fight(
            world, taliban, alliance, rng, "battle", front, lambda at: cas_per_h(world, front, at)
        )
        on_fight(world, front, done)
        world.snap()
        yield env.timeout(done.elapsed_h)
        front.fighting = False
        front.threatened = False
        if done.taliban_broke:
            front.holds = False
            on_break(world, front, done)
            return
        world.log(front.name, "assault_fails", "the alliance breaks off", done.result.duration_h)
        picture.observe(sh.assault_estimate_error, rng)
        yield env.timeout(sh.retry_h)
