"""``kabulsim validate``: the baseline Monte Carlo against the facts of the record."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from kabulsim.cli.common import (
    UsageError,
    add_ensemble_argument,
    add_scenario_arguments,
    bounded_int,
    positive_int,
    resolve_ensemble,
    resolve_scenario,
    safe_table,
    seed_int,
)
from kabulsim.limits import MAX_PREDICTIVE_MEMBERS


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` sub-command."""
    p = sub.add_parser(
        "validate",
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
    )
    add_scenario_arguments(p, required=False)
    p.add_argument("--reps", type=positive_int, default=200, help="replications (default 200)")
    p.add_argument("--seed", type=seed_int, default=0, help="the run's seed (default 0)")
    add_ensemble_argument(p)
    p.add_argument(
        "--members",
        type=bounded_int(1, MAX_PREDICTIVE_MEMBERS),
        default=40,
        help="members drawn for the predictive check (40; 10 replications each)",
    )
    p.add_argument(
        "--leave-one-out",
        type=Path,
        default=None,
        metavar="DIR",
        help="also calibrate without each fact in turn (pyABC histories in DIR) and predict it",
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the validation and print its table."""
    from kabulsim.analysis.validation import STALEMATE_RUN
    from kabulsim.api import validate

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
    if ens is not None:
        from kabulsim.calibration.predictive import predictive_check

        ppc = predictive_check(ens, scenario, members=args.members, reps=10, seed=args.seed)
        print(
            f"\nPosterior predictive check: {args.members} members drawn by weight, 10"
            " replications each; each fact's statistic over the members (median [5% to 95%])"
            " and the share of members inside the tolerance"
        )
        print(safe_table(ppc.round(3)))
    if args.leave_one_out is not None:
        _leave_one_out(args, scenario)
    return 0 if result.passed else 1


def _leave_one_out(args: argparse.Namespace, scenario: object) -> None:
    try:
        import pyabc  # noqa: F401
    except ImportError:
        raise UsageError("--leave-one-out needs pyabc: pip install 'kabulsim[calibrate]'") from None
    import pandas as pd

    from kabulsim.calibration.predictive import leave_one_out
    from kabulsim.calibration.statistics import STATISTICS
    from kabulsim.scenario.schema import Scenario

    assert isinstance(scenario, Scenario)
    rows = [leave_one_out(s.key, args.leave_one_out, scenario, seed=args.seed) for s in STATISTICS]
    print(
        "\nLeave one fact out: calibrated without the fact (60 particles x 5 replications,"
        " 3 generations), then the fact predicted by 20 members"
    )
    print(safe_table(pd.concat(rows, ignore_index=True).round(3)))
