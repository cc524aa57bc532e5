"""``kabulsim calibrate``: fit the free parameters to the record (ABC-SMC with pyABC)."""

from __future__ import annotations

import argparse
import logging
import sys

from kabulsim.calibration.settings import Settings
from kabulsim.cli.common import (
    resolve_scenario,
)

SETTINGS = ("population", "reps", "generations", "epsilon", "minutes", "workers", "seed")
"""The options that are :class:`~kabulsim.calibration.settings.Settings`' fields."""


def handle(args: argparse.Namespace) -> int:
    """Announce the cost, run the calibration, write the ensemble."""
    from kabulsim.folders.calibration import check_calibration

    # before anything is created: the folder, the files named and pyabc are checked
    stem = check_calibration(args.out, args.write, population=args.population, reps=args.reps)
    from kabulsim.calibration.abc import estimate
    from kabulsim.calibration.priors import free_parameters
    from kabulsim.calibration.statistics import STATISTICS
    from kabulsim.folders.calibration import calibrate_folder, calibration_command

    scenario = resolve_scenario(args)
    settings = Settings(**{name: getattr(args, name) for name in SETTINGS})
    est = estimate(scenario, settings)
    err = sys.stderr
    print(
        f"calibrate: {len(free_parameters())} free parameters, {len(STATISTICS)} statistics;"
        f" {settings.population} particles x {settings.reps} replications per generation,"
        f" at most {settings.generations} generations",
        file=err,
    )
    print(
        f"calibrate: about {est.simulations:,} simulations (acceptance guessed at"
        f" {est.acceptance_guess:.0%}), {est.seconds_per_replication * 1000:.0f} ms each:"
        f" about {est.minutes:.0f} min on {settings.workers} worker(s)"
        f" (limit {settings.minutes:g} min)",
        file=err,
        flush=True,
    )
    logging.getLogger("ABC").setLevel(logging.INFO)  # pyABC's per-generation lines
    command = calibration_command(args.scenario, args.overrides, args.out, settings, args.write)
    done = calibrate_folder(
        scenario, args.out, settings, stem, command=command, show_progress=err.isatty()
    )
    out = done.outcome
    print(
        f"{len(done.ensemble)} members after {out.generations} generations (threshold"
        f" {out.epsilon:.3g}); {out.simulations:,} simulations in {out.seconds:.0f} s"
        f" ({out.simulations_per_second:.0f}/s)\nensemble: {done.table}\nsidecar:  {done.sidecar}"
    )
    return 0
