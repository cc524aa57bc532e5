"""Attrition laws: the loss rates of two opposing forces as functions of their strengths.

An attrition law states how fast each side loses personnel given the current strengths of
both sides. Throughout this package ``x`` is the strength of the blue side, ``y`` the
strength of the red side, ``a`` the kill rate of red's fire on blue and ``b`` the kill rate
of blue's fire on red. Each law returns the pair of *loss rates* (personnel per hour,
non-negative) ``(blue_loss_rate, red_loss_rate)``; the engine turns them into
``dx/dt = -blue_loss_rate`` and ``dy/dt = -red_loss_rate`` and adds reinforcements and
external losses.

The laws:

* **Square law** (Lanchester 1916, aimed fire): every fighter on one side can aim at a
  fighter of the other, so a side's losses are proportional to the enemy's numbers,
  ``dx/dt = -a*y``, ``dy/dt = -b*x``. Fighting strength goes as the *square* of numbers:
  ``b*(x0**2 - x**2) = a*(y0**2 - y**2)``.
* **Linear law** (Lanchester 1916, unaimed or area fire): fire is delivered into an area,
  so losses also grow with the density of targets, ``dx/dt = -a*x*y``, ``dy/dt = -b*x*y``;
  state equation ``b*(x0 - x) = a*(y0 - y)``.
* **Logarithmic law** (Peterson 1953): each side's losses are proportional to its own
  numbers (exposure, not enemy fire, limits losses), ``dx/dt = -a*x``, ``dy/dt = -b*y``;
  strengths decay exponentially.
* **Helmbold law** (Helmbold 1965): a one-parameter family between the two previous
  ones, ``dx/dt = -a*y*(x/y)**(1-W)``, ``dy/dt = -b*x*(y/x)**(1-W)``, written here in the
  equivalent division-free form ``dx/dt = -a * x**(1-W) * y**W`` (and symmetrically for
  ``y``), which stays defined when a strength is zero. ``W = 1`` gives the square law and
  ``W = 0`` the logarithmic law.

References:
    F. W. Lanchester (1916), *Aircraft in Warfare: The Dawn of the Fourth Arm*, London:
    Constable.
    R. H. Peterson (1953), "On the 'Logarithmic Law' of Attrition and its Application to
    Tank Combat", Operations Research 1 (1953).
    R. L. Helmbold (1965), "A Modification of Lanchester's Equations", Operations Research
    13(5):857-859.

"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

__all__ = [
    "LAWS",
    "LawFunction",
    "get_law",
    "helmbold",
    "linear",
    "logarithmic",
    "square",
]

LawFunction = Callable[[float, float, float, float, float], tuple[float, float]]
"""Signature of an attrition law: ``(x, y, a, b, w) -> (blue_loss_rate, red_loss_rate)``."""


def square(x: float, y: float, a: float, b: float, w: float) -> tuple[float, float]:
    """Lanchester square law (aimed fire).

    Args:
        x: Blue strength (personnel, >= 0).
        y: Red strength (personnel, >= 0).
        a: Red's kill rate on blue (blue casualties per hour per red fighter).
        b: Blue's kill rate on red (red casualties per hour per blue fighter).
        w: Unused (Helmbold weight, dimensionless); present for a uniform signature.

    Returns:
        ``(blue_loss_rate, red_loss_rate)`` in personnel per hour: ``(a*y, b*x)``.

    """
    return a * y, b * x


def linear(x: float, y: float, a: float, b: float, w: float) -> tuple[float, float]:
    """Lanchester linear law (unaimed or area fire).

    Args:
        x: Blue strength (personnel, >= 0).
        y: Red strength (personnel, >= 0).
        a: Red's kill rate on blue (blue casualties per hour per red fighter per blue
            fighter).
        b: Blue's kill rate on red (red casualties per hour per blue fighter per red
            fighter).
        w: Unused (Helmbold weight, dimensionless); present for a uniform signature.

    Returns:
        ``(blue_loss_rate, red_loss_rate)`` in personnel per hour: ``(a*x*y, b*x*y)``.

    """
    xy = x * y
    return a * xy, b * xy


def logarithmic(x: float, y: float, a: float, b: float, w: float) -> tuple[float, float]:
    """Peterson logarithmic law (losses proportional to own strength).

    Args:
        x: Blue strength (personnel, >= 0).
        y: Red strength (personnel, >= 0).
        a: Blue's fractional loss rate caused by red (per hour).
        b: Red's fractional loss rate caused by blue (per hour).
        w: Unused (Helmbold weight, dimensionless); present for a uniform signature.

    Returns:
        ``(blue_loss_rate, red_loss_rate)`` in personnel per hour: ``(a*x, b*y)``.

    """
    return a * x, b * y


def helmbold(x: float, y: float, a: float, b: float, w: float) -> tuple[float, float]:
    """Helmbold law, interpolating between the logarithmic (``w=0``) and square (``w=1``) laws.

    Computed as ``a * x**(1-w) * y**w`` and ``b * y**(1-w) * x**w``, which equals
    ``a*y*(x/y)**(1-w)`` and ``b*x*(y/x)**(1-w)`` for positive strengths and needs no
    division, so zero strengths are handled (``0.0**0.0 == 1.0``).

    Args:
        x: Blue strength (personnel, >= 0).
        y: Red strength (personnel, >= 0).
        a: Red's kill rate on blue (per hour; units of the square law when ``w=1``).
        b: Blue's kill rate on red (per hour; units of the square law when ``w=1``).
        w: Helmbold weight ``W`` in [0, 1] (dimensionless).

    Returns:
        ``(blue_loss_rate, red_loss_rate)`` in personnel per hour.

    """
    v = 1.0 - w
    return a * x**v * y**w, b * y**v * x**w


LAWS: Mapping[str, LawFunction] = MappingProxyType(
    {
        "square": square,
        "linear": linear,
        "logarithmic": logarithmic,
        "helmbold": helmbold,
    }
)
"""Read-only mapping from law name to law function; the names accepted by ``simulate``."""


def get_law(name: str) -> LawFunction:
    """Return the law function registered under ``name``.

    Args:
        name: One of the keys of ``LAWS`` (``"square"``, ``"linear"``, ``"logarithmic"``,
            ``"helmbold"``).

    Returns:
        The law function.

    Raises:
        ValueError: If ``name`` is not a known law.

    """
    try:
        return LAWS[name]
    except KeyError:
        known = ", ".join(repr(k) for k in LAWS)
        raise ValueError(f"unknown attrition law {name!r}; expected one of {known}") from None
