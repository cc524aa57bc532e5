"""Attrition engine: Lanchester-type duels with reinforcements, breakpoints and noise.

``kabulsim.combat`` integrates two-sided attrition laws (Lanchester 1916 square and linear
laws, Peterson 1953 logarithmic law, Helmbold 1965 mixed law) for a red and a blue
:class:`Side`, with reinforcement windows, losses from outside the duel (such as close
air support), and breakpoints at which a side breaks off. It runs either deterministically
(fourth-order Runge-Kutta) or stochastically (Poisson losses per step), and returns a
:class:`BattleResult`. It is independent of the rest of kabulsim. Closed-form solutions
of the square and linear laws are in :mod:`kabulsim.combat.closed_form`; historical
figures for kill rates and breakpoints derived from the CDB90 battle data are produced by
:mod:`kabulsim.combat.cdb90`.

Example:
    >>> import numpy as np
    >>> from kabulsim.combat import Side, Reinforcement, simulate
    >>> red = Side("red", strength=1000, kill_rate=0.02, breakpoint=0.3)
    >>> blue = Side(
    ...     "blue", strength=800, kill_rate=0.03,
    ...     reinforcements=(Reinforcement(start_h=1.0, end_h=2.0, rate_per_h=200),),
    ... )
    >>> result = simulate(red, blue, law="square", max_h=24)
    >>> result.ended_by, result.winner
    ('breakpoint:red', 'blue')
    >>> round(result.duration_h, 2)
    11.49
    >>> noisy = simulate(red, blue, mode="stochastic", rng=np.random.default_rng(1))
    >>> noisy.red_initial + noisy.red_reinforcements - noisy.red_losses == noisy.red_final
    True

"""

from kabulsim.combat.engine import MODES, BattleResult, Reinforcement, Side, simulate
from kabulsim.combat.laws import LAWS, LawFunction

__all__ = ["LAWS", "MODES", "BattleResult", "LawFunction", "Reinforcement", "Side", "simulate"]
