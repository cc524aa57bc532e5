"""``kabulsim calibrate``: fit the free parameters to the record (ABC-SMC with pyABC)."""

from __future__ import annotations

import argparse
import logging
import sys

from kabulsim.calibration.settings import Settings
from kabulsim.cli.common import resolve_scenario

SETTINGS = (
    "population", "reps", "generations", "epsilon", "minutes", "workers", "seed",
    "certificate_rows", "scheduler",
)  # fmt: skip
"""The options that are :class:`~kabulsim.calibration.settings.Settings`' fields."""


def handle(args: argparse.Namespace) -> int:
    """Announce the cost, run the calibration, write the ensemble (and the certificate)."""
    from kabulsim.folders.calibration import check_calibration

    # before anything is created: the folder, the files named and pyabc are checked
    stem = check_calibration(
        args.out,
        args.write,
        population=args.population,
        reps=args.reps,
        certificate_rows=args.certificate_rows,
    )
    from kabulsim.calibration.abc import connect

    if args.scheduler is not None:  # an unreachable cluster is refused before any work
        connect(args.scheduler).close()
    from kabulsim.folders.calibration import (
        calibrate_folder,
        calibration_command,
        calibration_plan,
    )

    scenario = resolve_scenario(args)
    settings = Settings(**{name: getattr(args, name) for name in SETTINGS})
    print(calibration_plan(scenario, settings), file=sys.stderr, flush=True)
    logging.getLogger("ABC").setLevel(logging.INFO)  # pyABC's per-generation lines
    command = calibration_command(args.scenario, args.overrides, args.out, settings, args.write)
    done = calibrate_folder(
        scenario, args.out, settings, stem, command=command, show_progress=sys.stderr.isatty()
    )
    print(done.text(args.out))
    return 0
