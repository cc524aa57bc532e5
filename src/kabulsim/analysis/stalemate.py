"""The stalemate as a calibration constraint: a fitted fact the statistics cannot carry.

The facts file's ``stalemate`` ("For two years during the Afghan Civil War the frontline had
been stalemated here") is checked on a second run of each parameter set: the scenario with no
strike sorties and no ground controllers, run six months past its horizon
(:func:`kabulsim.analysis.validation.stalemate_scenario`). The ABC-SMC statistics are read off
the record's run, so the calibration never sees it, and a parameter set can reproduce 2001
while its fronts collapse without any bombing (a Taliban line drained by desertion and
ground pressure alone).

The two runs are independent simulations, so the posterior given both facts factorises: the
posterior given the statistics times the probability that the stalemate holds given the
parameters. A member of the ensemble is therefore kept when its own replications of the
stalemate run meet the fact's tolerance (every front holds to the horizon in at least the
fact's share of them, Kabul's fall grows by less than its drift over the six months): rejection
ABC on that fact with its tolerance as the threshold (Pritchard et al., *Molecular Biology
and Evolution* 16, 1999). The replications are numbered as the calibration's (common random
numbers), so the verdict depends on the parameters only. The certificate's reference table
is restricted by the same rule (the prior truncated to the parameter sets that keep the
stalemate), so that it certifies the procedure that made the ensemble.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from kabulsim.calibration.constraint import Constraint
from kabulsim.calibration.facts import FactSet, FactSpec
from kabulsim.calibration.priors import FreeParameter, with_values
from kabulsim.scenario.schema import Scenario

KEY = "stalemate"
"""The fact's key in the facts file."""


def stalemate_fact(facts: FactSet) -> FactSpec | None:
    """The fitted stalemate fact of ``facts`` (None: the file does not fit one)."""
    spec = facts.by_key().get(KEY)
    return spec if spec is not None and spec.use == "fit" else None


@dataclass(frozen=True)
class StalemateModel:
    """A parameter set -> the three shares of its stalemate run (picklable, for the workers).

    ``particle`` maps each free parameter's key to its value (natural units), as the
    calibration's particle model reads it; the replications are numbered 0 to ``reps - 1``
    from ``seed``, as the calibration's.
    """

    base: Scenario
    params: tuple[FreeParameter, ...]
    reps: int
    seed: int

    def __call__(self, particle: dict[str, float]) -> Mapping[str, float]:
        """Held share, Kabul fallen by the horizon, and by the extended horizon."""
        from kabulsim.analysis.validation import stalemate_scenario, stalemate_shares
        from kabulsim.model.simulate import simulate
        from kabulsim.tables import summary_frame

        values = {p.path: float(particle[p.key]) for p in self.params}
        sc = stalemate_scenario(with_values(self.base, values))
        # only the summary rows are read: the replications keep no events or series
        reps = [simulate(sc, self.seed, rep, record=False) for rep in range(self.reps)]
        frame = summary_frame(reps)
        held, by_horizon, by_extended = stalemate_shares(frame, sc)
        return {"held": held, "by_horizon": by_horizon, "by_extended": by_extended}


def _meets(spec: FactSpec, result: Mapping[str, float]) -> bool:
    from kabulsim.analysis.validation import stalemate_holds

    return stalemate_holds(spec, result["held"], result["by_horizon"], result["by_extended"])


def stalemate_constraint(
    base: Scenario, params: Sequence[FreeParameter], reps: int, seed: int, facts: FactSet
) -> Constraint | None:
    """The stalemate fact of ``facts`` as a constraint on ``params`` (None: not fitted)."""
    spec = stalemate_fact(facts)
    if spec is None:
        return None
    model = StalemateModel(base, tuple(params), reps, seed)
    return Constraint(KEY, model, partial(_meets, spec), reps=reps)
