"""A fitted fact checked on a run of its own: the parameter sets that fail it are dropped.

The calibration's statistics are read off one run of each particle (the record's scenario).
A fact that needs another run (the stalemate: the scenario without an air campaign) is a
:class:`Constraint`: a model that evaluates a particle's own run and a rule that says whether
the particle meets the fact. :func:`kabulsim.calibration.abc.calibrate` drops the members of
the last generation that fail it before the resample-move step, and the moves accept only
proposals that meet it; the certificate's reference table is restricted by the same rule. The
facts of :mod:`kabulsim.analysis.stalemate` say why this is ABC on the two facts together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kabulsim.calibration.mapping import Model

Evaluate = Callable[[list[dict[str, float]]], Sequence[Mapping[str, float]]]
"""Particles -> the constraint model's results, in order (a pool's or a cluster's map)."""


@dataclass(frozen=True)
class Constraint:
    """A fact the calibration's statistics cannot carry, checked per parameter set."""

    key: str
    """The fact's key in the facts file."""
    model: Model
    """A particle (by key, natural units) -> the statistics of its own run (picklable)."""
    meets: Callable[[Mapping[str, float]], bool]
    """Whether a particle's results meet the fact's tolerance."""
    reps: int = 1
    """Replications one check simulates (counted in the calibration's simulations)."""

    def check(self, evaluate: Evaluate, particles: list[dict[str, float]]) -> np.ndarray:
        """One boolean per particle: it meets the fact."""
        if not particles:
            return np.zeros(0, dtype=bool)
        return np.array([bool(self.meets(r)) for r in evaluate(particles)], dtype=bool)


@dataclass(frozen=True)
class Constrained:
    """What a constraint did to the last generation (recorded in the sidecar)."""

    key: str
    kept: int
    """Members of the last generation that meet it."""
    of: int
    ess_after: float
    """Kish effective sample size once the members that fail it are dropped (before it: the
    last generation's, ``Outcome.ess_smc``)."""
    simulated: int = 0
    """Parameter sets whose constraint run was simulated (last generation and the moves)."""
    rejected_in_moves: int = 0
    """Move proposals inside the threshold that failed the constraint."""
