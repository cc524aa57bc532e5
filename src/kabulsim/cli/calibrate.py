"""``kabulsim calibrate``: fit the free parameters to the record (ABC-SMC with pyABC)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kabulsim.calibration.settings import Settings
from kabulsim.cli.common import (
    SCENARIO_OR_BASELINE,
    add_command,
    bounded_float,
    bounded_int,
    opt,
    resolve_scenario,
)
from kabulsim.limits import (
    MAX_CERTIFICATE_ROWS,
    MAX_EPSILON,
    MAX_GENERATIONS,
    MAX_MINUTES,
    MAX_POPULATION,
)

SETTINGS = (
    "population", "reps", "generations", "epsilon", "minutes", "workers", "seed",
    "certificate_rows", "scheduler",
)  # fmt: skip
"""The options that are :class:`~kabulsim.calibration.settings.Settings`' fields."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``calibrate`` sub-command."""
    d = Settings()  # the defaults, declared once
    add_command(
        sub, "calibrate", handle, [
            SCENARIO_OR_BASELINE, "--set",
            opt("--out", required=True),
            opt("--population", type=bounded_int(1, MAX_POPULATION), default=d.population,
                help="particles (%(default)s)"),
            opt("--reps", default=d.reps, help="replications per particle (%(default)s)"),
            opt("--generations", type=bounded_int(1, MAX_GENERATIONS), default=d.generations,
                help="at most (%(default)s)"),
            opt("--epsilon", type=bounded_float(0.0, MAX_EPSILON), default=d.epsilon,
                help="stop when the threshold reaches this distance, the root mean square of"
                " the facts' deviations in tolerances (default: none; the generations or the"
                " time end the calibration)"),
            opt("--minutes", type=bounded_float(0.0, MAX_MINUTES), default=d.minutes,
                help="wall-clock limit, honoured within a generation too (%(default)g)"),
            opt("--workers", default=d.workers, help="processes (%(default)s)"),
            opt("--seed", default=d.seed, help="seed (%(default)s)"),
            opt("--scheduler", help="run the particles on an existing Dask distributed cluster"
                " (needs the dask extra; --workers is then not used)"),
            opt("--certificate", dest="certificate_rows", metavar="ROWS",
                type=bounded_int(0, MAX_CERTIFICATE_ROWS), default=d.certificate_rows,
                help="rows of the certificate's reference table, drawn from the priors and each"
                " run as a particle; 0 writes no certificate (%(default)s)"),
            opt("--write", type=Path, default=None, metavar="STEM", help="write the ensemble to"
                " STEM.parquet + STEM.json (default OUT/ensemble)"),
        ],
        help="fit the free parameters to the facts of the record (ABC-SMC, needs pyabc)",
        description="Draw the parameters the schema marks as calibrated from their plausible"
        " ranges and keep the sets whose replications reproduce the facts of the record"
        " (pyABC's ABC-SMC). Writes OUT/abc.db (pyABC's history: running the command again"
        " on the same folder resumes it) and the ensemble OUT/ensemble.parquet + .json."
        " Then the certificate: simulation-based calibration over pseudo-records drawn from"
        " the prior predictive (OUT/certificate.json and certificate.png: coverage of the"
        " 50/80/95%% intervals, rank ECDFs, where the record falls in the prior predictive)."
        " Needs the optional extra: pip install 'kabulsim[calibrate]'.",
    )  # fmt: skip


def handle(args: argparse.Namespace) -> int:
    """Announce the cost, run the calibration, write the ensemble."""
    from kabulsim.folders.calibration import check_calibration

    # before anything is created: the folder, the files named and pyabc are checked
    stem = check_calibration(
        args.out,
        args.write,
        population=args.population,
        reps=args.reps,
        certificate_rows=args.certificate_rows,
    )
    from kabulsim.calibration.abc import connect, estimate

    if args.scheduler is not None:  # an unreachable cluster is refused before any work
        connect(args.scheduler).close()
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
        f" ({out.simulations_per_second:.0f}/s); effective sample size {out.ess:.0f}"
        f" ({out.ess / max(len(done.ensemble), 1):.0%})"
    )
    print(f"ensemble: {done.table}\nsidecar:  {done.sidecar}")
    cert = done.certificate
    if cert is not None:
        cover = ", ".join(
            f"{lv:.0%} interval {row['pooled']:.0%}" for lv, row in cert.coverage().items()
        )
        verdict = "passed" if cert.passed else "FAILED (more than 5 points from nominal)"
        print(
            f"certificate: {cert.ranks.shape[0]} pseudo-records on {cert.table_size:,} prior"
            f" draws; coverage {cover}: {verdict}; the record is farther from the model than"
            f" {1 - (cert.record_p or 0.0):.0%} of pseudo-records"
        )
        print(f"certificate: {args.out / 'certificate.json'}")
    return 0
