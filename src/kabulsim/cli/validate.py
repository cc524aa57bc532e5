"""``kabulsim validate``: the baseline Monte Carlo against the facts of the record."""

from __future__ import annotations

import argparse
import textwrap

from kabulsim.cli.common import resolve_ensemble, resolve_scenario


def handle(args: argparse.Namespace) -> int:
    """Run the validation and print its table, then the checks that follow it."""
    from kabulsim.analysis.display import terminal_table
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
        print(terminal_table(ppc.round(3)))
    if args.leave_one_out is not None:
        loo = leave_one_out_table(scenario, args.leave_one_out, seed=args.seed)
        print(
            "\nLeave one fact out: calibrated without the fact (60 particles x 5 replications,"
            " 3 generations), then the fact predicted by 20 members"
        )
        print(terminal_table(loo.round(3)))
    return 0 if result.passed else 1
