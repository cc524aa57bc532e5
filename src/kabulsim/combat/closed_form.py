"""Closed-form solutions of the square, linear and logarithmic attrition laws.

These are the textbook solutions of Lanchester's (1916) equations and of Peterson's (1953)
logarithmic law for constant coefficients, no reinforcements and no external losses. They
are used to check the numerical engine and in the documentation. Notation as in
:mod:`kabulsim.combat.laws`: ``x`` blue strength, ``y`` red strength, ``a`` red's kill rate
on blue, ``b`` blue's kill rate on red, ``t`` time; the rates and the time must use the
same time unit (hours in the engine).

Square law (``dx/dt = -a*y``, ``dy/dt = -b*x``), with ``k = sqrt(a*b)``::

    x(t) = x0*cosh(k*t) - sqrt(a/b)*y0*sinh(k*t)
    y(t) = y0*cosh(k*t) - sqrt(b/a)*x0*sinh(k*t)
    b*(x0**2 - x**2) = a*(y0**2 - y**2)            (state equation)

Linear law (``dx/dt = -a*x*y``, ``dy/dt = -b*x*y``), with ``c = b*x0 - a*y0``::

    x(t) = c*x0 / (b*x0 - a*y0*exp(-c*t))
    y(t) = c*y0 / (b*x0*exp(c*t) - a*y0)
    b*(x0 - x) = a*(y0 - y)                        (state equation)

and, when ``c == 0``, the limit ``x(t) = x0/(1 + a*y0*t)``, ``y(t) = y0/(1 + b*x0*t)``.
They are evaluated here as ``x = x0/(1 + a*y0*phi)`` with ``phi = -expm1(-c*t)/c`` (and
``y = y0/(1 + b*x0*psi)``, ``psi = expm1(c*t)/c``), which is exact, free of cancellation
and continuous at ``c = 0`` (``phi = psi = t``).

Logarithmic law (``dx/dt = -a*x``, ``dy/dt = -b*y``)::

    x(t) = x0*exp(-a*t),  y(t) = y0*exp(-b*t)

The square-law solutions hold until one side reaches zero; the formulas are not clipped.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = [
    "linear_law",
    "linear_law_state",
    "logarithmic_law",
    "square_law",
    "square_law_state",
    "square_law_time_to_strength",
]

FloatArray = npt.NDArray[np.float64]


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not value > 0:
            raise ValueError(f"{name} must be > 0, got {value}")


def square_law(
    t: npt.ArrayLike, x0: float, y0: float, a: float, b: float
) -> tuple[FloatArray, FloatArray]:
    """Strengths under the square law at time(s) ``t``.

    Args:
        t: Time(s) since the start (hours, or the time unit of ``a`` and ``b``).
        x0: Initial blue strength (personnel).
        y0: Initial red strength (personnel).
        a: Red's kill rate on blue (blue casualties per hour per red fighter, > 0).
        b: Blue's kill rate on red (red casualties per hour per blue fighter, > 0).

    Returns:
        ``(x, y)``: blue and red strengths (personnel) as arrays shaped like ``t``. Valid
        while both are non-negative.

    """
    _check_positive(a=a, b=b)
    tt = np.asarray(t, dtype=np.float64)
    k = math.sqrt(a * b)
    ch = np.cosh(k * tt)
    sh = np.sinh(k * tt)
    x = x0 * ch - math.sqrt(a / b) * y0 * sh
    y = y0 * ch - math.sqrt(b / a) * x0 * sh
    return x, y


def square_law_state(
    x: npt.ArrayLike, y: npt.ArrayLike, x0: float, y0: float, a: float, b: float
) -> FloatArray:
    """Residual of the square-law state equation, ``b*(x0**2 - x**2) - a*(y0**2 - y**2)``.

    Args:
        x: Blue strength(s) (personnel).
        y: Red strength(s) (personnel).
        x0: Initial blue strength (personnel).
        y0: Initial red strength (personnel).
        a: Red's kill rate on blue (per hour per red fighter).
        b: Blue's kill rate on red (per hour per blue fighter).

    Returns:
        The residual (personnel squared per hour); zero along an exact trajectory.

    """
    xx = np.asarray(x, dtype=np.float64)
    yy = np.asarray(y, dtype=np.float64)
    return np.asarray(b * (x0**2 - xx**2) - a * (y0**2 - yy**2), dtype=np.float64)


def square_law_time_to_strength(x_target: float, x0: float, y0: float, a: float, b: float) -> float:
    """Time at which blue's strength first falls to ``x_target`` under the square law.

    Solves ``x0*cosh(k*t) - s*y0*sinh(k*t) = x_target`` (``k = sqrt(a*b)``,
    ``s = sqrt(a/b)``) for ``u = exp(k*t)``: ``(x0 - s*y0)*u**2 - 2*x_target*u +
    (x0 + s*y0) = 0``, and takes the smallest root ``u >= 1``. To get red's time, swap the
    roles (``x0 <-> y0``, ``a <-> b``).

    Args:
        x_target: Blue strength to reach (personnel, 0 <= x_target <= x0).
        x0: Initial blue strength (personnel, > 0).
        y0: Initial red strength (personnel, > 0).
        a: Red's kill rate on blue (per hour per red fighter, > 0).
        b: Blue's kill rate on red (per hour per blue fighter, > 0).

    Returns:
        The time (hours), or ``math.inf`` if blue never falls that low (red is annihilated
        first).

    Raises:
        ValueError: If the arguments are out of range.

    """
    _check_positive(x0=x0, y0=y0, a=a, b=b)
    if not 0.0 <= x_target <= x0:
        raise ValueError(f"x_target must lie in [0, x0={x0}], got {x_target}")
    k = math.sqrt(a * b)
    sy = math.sqrt(a / b) * y0
    qa = x0 - sy
    qc = x0 + sy
    disc = x_target * x_target - qa * qc
    if disc < 0.0:
        return math.inf  # blue's minimum, sqrt(x0**2 - (a/b)*y0**2), is above the target
    # The wanted root is the smallest positive one, written in the cancellation-free form
    # qc/q; when qa > 0 the other root lies beyond red's annihilation.
    q = x_target + math.sqrt(disc)
    if q <= 0.0:
        return math.inf
    return math.log(max(qc / q, 1.0)) / k


def linear_law(
    t: npt.ArrayLike, x0: float, y0: float, a: float, b: float
) -> tuple[FloatArray, FloatArray]:
    """Strengths under the linear law at time(s) ``t``.

    Args:
        t: Time(s) since the start (hours, or the time unit of ``a`` and ``b``).
        x0: Initial blue strength (personnel).
        y0: Initial red strength (personnel).
        a: Red's kill rate on blue (per hour per red fighter per blue fighter, >= 0).
        b: Blue's kill rate on red (per hour per blue fighter per red fighter, >= 0).

    Returns:
        ``(x, y)``: blue and red strengths (personnel) as arrays shaped like ``t``.

    """
    tt = np.asarray(t, dtype=np.float64)
    c = b * x0 - a * y0
    if c == 0.0:
        phi = tt
        psi = tt
    else:
        phi = -np.expm1(-c * tt) / c
        psi = np.expm1(c * tt) / c
    x = x0 / (1.0 + a * y0 * phi)
    y = y0 / (1.0 + b * x0 * psi)
    return x, y


def linear_law_state(
    x: npt.ArrayLike, y: npt.ArrayLike, x0: float, y0: float, a: float, b: float
) -> FloatArray:
    """Residual of the linear-law state equation, ``b*(x0 - x) - a*(y0 - y)``.

    Args:
        x: Blue strength(s) (personnel).
        y: Red strength(s) (personnel).
        x0: Initial blue strength (personnel).
        y0: Initial red strength (personnel).
        a: Red's kill rate on blue (per hour per red fighter per blue fighter).
        b: Blue's kill rate on red (per hour per blue fighter per red fighter).

    Returns:
        The residual (personnel squared per hour); zero along an exact trajectory.

    """
    xx = np.asarray(x, dtype=np.float64)
    yy = np.asarray(y, dtype=np.float64)
    return np.asarray(b * (x0 - xx) - a * (y0 - yy), dtype=np.float64)


def logarithmic_law(
    t: npt.ArrayLike, x0: float, y0: float, a: float, b: float
) -> tuple[FloatArray, FloatArray]:
    """Strengths under the logarithmic law at time(s) ``t``: exponential decay.

    Args:
        t: Time(s) since the start (hours, or the time unit of ``a`` and ``b``).
        x0: Initial blue strength (personnel).
        y0: Initial red strength (personnel).
        a: Blue's fractional loss rate (per hour, >= 0).
        b: Red's fractional loss rate (per hour, >= 0).

    Returns:
        ``(x, y)``: blue and red strengths (personnel) as arrays shaped like ``t``.

    """
    tt = np.asarray(t, dtype=np.float64)
    return x0 * np.exp(-a * tt), y0 * np.exp(-b * tt)
