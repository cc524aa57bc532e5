"""``kabulsim calibrate``: fit the free parameters to the record (ABC-SMC with pyABC)."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path

from kabulsim.calibration.settings import Settings
from kabulsim.cli.common import (
    UsageError,
    add_scenario_arguments,
    bounded_float,
    bounded_int,
    positive_int,
    resolve_scenario,
    safe_text,
    seed_int,
)
from kabulsim.limits import (
    MAX_EPSILON,
    MAX_GENERATIONS,
    MAX_MINUTES,
    MAX_POPULATION,
    MAX_WORKERS,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``calibrate`` sub-command."""
    p = sub.add_parser(
        "calibrate",
        help="fit the free parameters to the facts of the record (ABC-SMC, needs pyabc)",
        description="Draw the parameters the schema marks as calibrated from their plausible"
        " ranges and keep the sets whose replications reproduce the facts of the record"
        " (pyABC's ABC-SMC). Writes OUT/abc.db (pyABC's history: running the command again"
        " on the same folder resumes it) and the ensemble OUT/ensemble.parquet + .json."
        " Needs the optional extra: pip install 'kabulsim[calibrate]'.",
    )
    add_scenario_arguments(p, required=False)
    p.add_argument("--out", required=True, type=Path, help="output folder")
    d = Settings()  # the defaults, declared once
    p.add_argument(
        "--population",
        type=bounded_int(1, MAX_POPULATION),
        default=d.population,
        help=f"particles ({d.population})",
    )
    p.add_argument(
        "--reps", type=positive_int, default=d.reps, help=f"replications per particle ({d.reps})"
    )
    p.add_argument(
        "--generations",
        type=bounded_int(1, MAX_GENERATIONS),
        default=d.generations,
        help=f"at most ({d.generations})",
    )
    p.add_argument(
        "--epsilon",
        type=bounded_float(0.0, MAX_EPSILON),
        default=d.epsilon,
        help="stop when the threshold reaches this distance"
        f" ({d.epsilon:g}: every fact within tolerance)",
    )
    p.add_argument(
        "--minutes",
        type=bounded_float(0.0, MAX_MINUTES),
        default=d.minutes,
        help=f"wall-clock limit, honoured within a generation too ({d.minutes:g})",
    )
    p.add_argument(
        "--workers",
        type=bounded_int(1, MAX_WORKERS),
        default=d.workers,
        help=f"processes ({d.workers})",
    )
    p.add_argument("--seed", type=seed_int, default=d.seed, help=f"seed ({d.seed})")
    p.add_argument(
        "--write",
        type=Path,
        default=None,
        metavar="STEM",
        help="write the ensemble to STEM.parquet + STEM.json (default OUT/ensemble)",
    )
    p.set_defaults(handler=handle)


def _command(args: argparse.Namespace, settings: Settings) -> str:
    """The command line, as the sidecar records it."""
    words = ["kabulsim", "calibrate"]
    if args.scenario is not None:
        words.append(str(args.scenario))
    for text in args.overrides:
        words += ["--set", text]
    words += ["--out", str(args.out), "--population", str(settings.population)]
    words += ["--reps", str(settings.reps), "--generations", str(settings.generations)]
    words += ["--epsilon", f"{settings.epsilon:g}", "--minutes", f"{settings.minutes:g}"]
    words += ["--workers", str(settings.workers), "--seed", str(settings.seed)]
    if args.write is not None:
        words += ["--write", str(args.write)]
    return " ".join(shlex.quote(w) for w in words)


def handle(args: argparse.Namespace) -> int:
    """Announce the cost, run the calibration, write the ensemble."""
    from kabulsim.calibration.folder import CalibrationFolderError
    from kabulsim.folders import StudyError
    from kabulsim.folders.calibration import check_calibration

    try:  # before anything is created: the folder and the files named are checked
        stem = check_calibration(args.out, args.write, population=args.population, reps=args.reps)
    except (StudyError, CalibrationFolderError) as exc:
        raise UsageError(safe_text(exc)) from None
    try:
        import pyabc  # noqa: F401
    except ImportError:
        raise UsageError("calibrate needs pyabc: pip install 'kabulsim[calibrate]'") from None
    from kabulsim.calibration.abc import CalibrationStopped, estimate
    from kabulsim.calibration.priors import free_parameters
    from kabulsim.calibration.statistics import STATISTICS
    from kabulsim.folders.calibration import calibrate_folder

    scenario = resolve_scenario(args)
    settings = Settings(
        population=args.population,
        reps=args.reps,
        generations=args.generations,
        epsilon=args.epsilon,
        minutes=args.minutes,
        workers=args.workers,
        seed=args.seed,
    )
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
    try:
        done = calibrate_folder(
            scenario, args.out, settings, stem, command=_command(args, settings),
            show_progress=err.isatty(),
        )  # fmt: skip
    except (CalibrationStopped, CalibrationFolderError) as exc:
        raise UsageError(safe_text(exc)) from None
    out = done.outcome
    print(
        f"{len(done.ensemble)} members after {out.generations} generations (threshold"
        f" {out.epsilon:.3g}); {out.simulations:,} simulations in {out.seconds:.0f} s"
        f" ({out.simulations_per_second:.0f}/s)\nensemble: {done.table}\nsidecar:  {done.sidecar}"
    )
    return 0
