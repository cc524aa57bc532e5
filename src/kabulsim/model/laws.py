"""Closed forms of the model's laws, read by the world's initial state and by the phases.

A law that a phase applies step by step (:mod:`kabulsim.model.pressure`'s daily morale step)
may also fix the state the world starts in (each line's morale where two years of stalemate
left it). The closed form lives here, below both, so that the world does not import a phase.
"""

from __future__ import annotations

import math


def stalemate_morale(recovery: float, pressure: float, ratio: float) -> float:
    """The morale at which a day's ground pressure and recovery balance (0-1).

    The fixed point of the daily step of :func:`kabulsim.model.pressure.front_pressure` on a
    holding line without air strikes or encirclement: ``r / (1 - (1 - r) * exp(-g * ratio))``.

    Args:
        recovery: ``morale.recovery_per_day`` (``r``, 1/day).
        pressure: ``morale.ground_pressure_per_day`` (``g``, 1/day per unit force ratio).
        ratio: the alliance-to-Taliban force ratio on the line.

    Without pressure nothing wears the line down and its morale stays at 1; without recovery
    any pressure wears it down to 0.
    """
    if pressure * ratio <= 0.0:
        return 1.0
    return recovery / (1.0 - (1.0 - recovery) * math.exp(-pressure * ratio))
