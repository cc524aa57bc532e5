"""Typed observation records and the recorder that collects them during a replication.

Processes append records; nothing is turned into a table until the replication ends
(:mod:`kabulsim.tables`). Times are simulation clock values in hours since the scenario start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kabulsim.outputs import STATE_NUMERIC


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened: a phase's milestone, with an optional quantity."""

    t_h: float
    phase: str
    kind: str
    detail: str = ""
    value: float = float("nan")


@dataclass(frozen=True, slots=True)
class State:
    """A sample of the state variables at one time: ``state.taliban_kabul``, ``state["..."]``.

    The variables are those declared in :data:`kabulsim.outputs.STATE`.
    """

    t_h: float
    values: Mapping[str, float | str]

    def __getitem__(self, name: str) -> float | str:
        return self.values[name]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True, slots=True)
class Series:
    """The state on a fixed time grid, as arrays (cheap to build and to aggregate).

    ``values[:, j]`` is the numeric state variable ``names[j]`` (the theatre's numeric state,
    :attr:`kabulsim.outputs.Outputs.state_numeric`) at the grid times ``times`` (hours since
    the scenario start); use :meth:`column` to read one by name. ``labels[name][i]`` is the
    categorical variable ``name`` (who holds Kabul) at ``times[i]``.
    """

    times: NDArray[np.float64]
    values: NDArray[np.float64]
    labels: Mapping[str, tuple[str, ...]]
    names: tuple[str, ...] = STATE_NUMERIC
    """The numeric state variables, in the column order of ``values``."""

    def column(self, name: str) -> NDArray[np.float64]:
        """The numeric state variable ``name`` over the grid."""
        return self.values[:, self.names.index(name)]

    def states(self) -> list[State]:
        """The same samples as :class:`State` records."""
        rows = self.values.tolist()
        labels = [
            dict(zip(self.labels, at, strict=True))
            for at in zip(*self.labels.values(), strict=True)
        ]
        if not labels:
            labels = [{} for _ in rows]
        return [
            State(t, dict(zip(self.names, row, strict=True)) | label)
            for t, row, label in zip(self.times.tolist(), rows, labels, strict=True)
        ]


@dataclass(slots=True)
class Recorder:
    """Collects the events and state snapshots of one replication."""

    events: list[Event] = field(default_factory=list)
    snapshot_values: list[float] = field(default_factory=list)
    """State after each change, flat: ``t_h`` and the snapshotted numeric variables
    (:data:`kabulsim.model.world.SNAPPED`, in that order) per snapshot."""
    snapshot_labels: list[str] = field(default_factory=list)
    """The categorical state variables at each snapshot, flat (``STATE_CATEGORICAL`` order)."""
    stragglers: list[float] = field(default_factory=list)
    """Stragglers left in Kabul after each change, flat: ``t_h, count`` pairs in time order."""

    def event(
        self, t_h: float, phase: str, kind: str, detail: str = "", value: float = float("nan")
    ) -> None:
        """Record an event at clock time ``t_h`` (hours)."""
        self.events.append(Event(t_h, phase, kind, detail, value))
