"""``kabulsim validate``: the baseline Monte Carlo against the facts of the record."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from kabulsim.cli.common import (
    SCENARIO_OR_BASELINE,
    add_command,
    bounded_int,
    opt,
    resolve_ensemble,
    resolve_scenario,
    safe_table,
)
from kabulsim.limits import MAX_PREDICTIVE_MEMBERS


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` sub-command."""
    add_command(
        sub, "validate", handle, [
            SCENARIO_OR_BASELINE, "--set", "--reps", "--seed", "--ensemble",
            opt("--members", type=bounded_int(1, MAX_PREDICTIVE_MEMBERS), default=40,
                help="members drawn for the predictive check (%(default)s; 10 replications each)"),
            opt("--leave-one-out", type=Path, default=None, metavar="DIR", help="also calibrate"
                " without each fact in turn (pyABC histories in DIR) and predict it"),
        ],
        help="check the baseline against the facts of the record (Monte Carlo)",
        description="Run the scenario (default: the baseline) for many replications and"
        " check each fact of the record: the fact, its source, the simulated median with its"
        " 90% interval, the tolerance, and pass or fail. The stalemate fact reads a second run"
        " of as many replications: the scenario without strike sorties or ground controllers,"
        " six months past its horizon. Exit status 1 if any fact fails."
        " By default each replication takes the parameters of a member of the baseline's"
        " calibrated ensemble, and the posterior predictive check (where each fact falls in"
        " the ensemble's distribution) follows; --ensemble none checks the single values;"
        " --leave-one-out adds, for each fact, a small calibration without it and the check"
        " of the fact it then predicts (slow: minutes; needs pyabc).",
    )  # fmt: skip


def handle(args: argparse.Namespace) -> int:
    """Run the validation and print its table, then the checks that follow it."""
    from kabulsim.analysis.validation import STALEMATE_RUN
    from kabulsim.api import validate
    from kabulsim.folders.validation import (
        PREDICTIVE_REPS,
        leave_one_out_table,
        predictive_table,
    )

    scenario = resolve_scenario(args)
    ens = resolve_ensemble(args)
    result = validate(scenario, reps=args.reps, seed=args.seed, ensemble=ens)
    with_ens = ", the scenario's own values" if ens is None else f", parameters from {ens.label}"
    print(
        f"Validation against the record: {result.reps} replications, seed {result.seed}{with_ens}"
    )
    print(
        textwrap.fill(
            f"The stalemate fact reads a second run of as many replications: {STALEMATE_RUN}.",
            width=100,
        )
        + "\n"
    )
    print(result.text())
    if ens is not None:
        ppc = predictive_table(scenario, ens, members=args.members, seed=args.seed)
        print(
            f"\nPosterior predictive check: {args.members} members drawn by weight,"
            f" {PREDICTIVE_REPS} replications each; each fact's statistic over the members"
            " (median [5% to 95%]) and the share of members inside the tolerance"
        )
        print(safe_table(ppc.round(3)))
    if args.leave_one_out is not None:
        loo = leave_one_out_table(scenario, args.leave_one_out, seed=args.seed)
        print(
            "\nLeave one fact out: calibrated without the fact (60 particles x 5 replications,"
            " 3 generations), then the fact predicted by 20 members"
        )
        print(safe_table(loo.round(3)))
    return 0 if result.passed else 1
