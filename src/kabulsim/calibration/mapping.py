"""Evaluating a calibration's model on many particles: in order, on local processes.

Shared by the certificate's reference table and the calibration's moves
(:mod:`kabulsim.calibration.move`); imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

Model = Callable[[dict[str, float]], Mapping[str, float]]
"""A particle (parameter keys -> values) -> its statistics, as pyABC's model."""

Mapper = Callable[[Model, list[dict[str, float]]], Iterable[Mapping[str, float]]]
"""Evaluates a model on many particles, returning the results in the particles' order."""


def pool_mapper(workers: int) -> Mapper:
    """Evaluate particles in ``workers`` processes, in order (results do not depend on them)."""

    def mapper(model: Model, particles: list[dict[str, float]]) -> Iterable[Mapping[str, float]]:
        if workers <= 1:
            return [model(p) for p in particles]
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(1, len(particles) // (workers * 8))
        with ProcessPoolExecutor(workers) as pool:
            return list(pool.map(model, particles, chunksize=chunk))

    return mapper
