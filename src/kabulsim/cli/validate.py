"""``kabulsim validate``: the baseline Monte Carlo against the facts of the record."""

from __future__ import annotations

import argparse
import textwrap

from kabulsim.cli.common import add_scenario_arguments, positive_int, resolve_scenario, seed_int


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` sub-command."""
    p = sub.add_parser(
        "validate",
        help="check the baseline against the facts of the record (Monte Carlo)",
        description="Run the scenario (default: the baseline) for many replications and"
        " check each fact of the record: the fact, its source, the simulated median with its"
        " 90% interval, the tolerance, and pass or fail. Exit status 1 if any fact fails.",
    )
    add_scenario_arguments(p, required=False)
    p.add_argument("--reps", type=positive_int, default=200, help="replications (default 200)")
    p.add_argument("--seed", type=seed_int, default=0, help="the run's seed (default 0)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the validation and print its table."""
    from kabulsim.analysis.validation import validate

    result = validate(resolve_scenario(args), reps=args.reps, seed=args.seed)
    print(f"Validation against the record: {result.reps} replications, seed {result.seed}\n")
    for row in result.table.itertuples(index=False):
        verdict = "PASS" if row.passed else "FAIL"
        print(f"[{verdict}] {row.fact}")
        for label, text in (
            ("source", row.source),
            ("simulated", row.simulated),
            ("tolerance", row.tolerance),
        ):
            print(
                textwrap.fill(
                    f"{label}: {text}",
                    width=100,
                    initial_indent="    ",
                    subsequent_indent="        ",
                )
            )
    failed = int((~result.table["passed"]).sum())
    print(
        f"\n{len(result.table) - failed} of {len(result.table)} facts pass"
        + ("" if not failed else f"; {failed} FAIL")
    )
    return 0 if result.passed else 1
