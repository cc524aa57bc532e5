"""The SimPy model of the offensive: shared world state and one process per historical phase.

Data flows one way: a validated :class:`~kabulsim.scenario.schema.Scenario` goes in, the
phase processes run on one SimPy environment and append typed records to the world's
recorder, and :func:`simulate` returns them in a :class:`Replication`.
"""

from kabulsim.model.phases import PHASES, Phase
from kabulsim.model.simulate import (
    TIME_COLUMNS,
    Replication,
    build_world,
    phase_streams,
    replication_seed,
    simulate,
)

__all__ = [
    "PHASES",
    "TIME_COLUMNS",
    "Phase",
    "Replication",
    "build_world",
    "phase_streams",
    "replication_seed",
    "simulate",
]
