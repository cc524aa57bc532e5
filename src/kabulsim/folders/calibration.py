"""Calibration folders: check, run pyABC's ABC-SMC, and save the ensemble with its metadata.

:func:`check_calibration` refuses a folder or ensemble file that is not the command's own
before anything is created; :func:`calibrate_folder` writes the marker, runs the calibration
(:func:`kabulsim.calibration.abc.calibrate`) and saves the ensemble (``STEM.parquet`` and its
``STEM.json`` sidecar, which records the parameters, facts, scenario, settings, result,
versions and the command).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kabulsim.folders import StudyError
from kabulsim.limits import MAX_REPS

if TYPE_CHECKING:
    from kabulsim.calibration.abc import Outcome
    from kabulsim.calibration.certificate import Certificate
    from kabulsim.calibration.constraint import Constraint
    from kabulsim.calibration.ensemble import Ensemble
    from kabulsim.calibration.settings import Settings
    from kabulsim.scenario import Scenario


def check_calibration(
    out: Path, write: Path | None, *, population: int, reps: int, certificate_rows: int = 0
) -> Path:
    """The ensemble's stem (``write``, or ``out/ensemble``), once the size and files are checked.

    Raises:
        StudyError: more than :data:`~kabulsim.limits.MAX_REPS` simulations per generation,
            or pyabc is not installed.
        CalibrationFolderError: ``out`` or ``write`` is not the command's own.
    """
    from kabulsim.calibration.folder import check_folder, check_write

    if population * reps > MAX_REPS:
        raise StudyError(
            f"--population {population:,} x --reps {reps:,} ="
            f" {population * reps:,} simulations per generation; at most {MAX_REPS:,}"
        )
    if certificate_rows * reps > MAX_REPS:
        raise StudyError(
            f"--certificate {certificate_rows:,} x --reps {reps:,} ="
            f" {certificate_rows * reps:,} simulations in the certificate's table; at most"
            f" {MAX_REPS:,}"
        )
    check_folder(out)
    if write is not None:
        check_write(write)
    try:
        import pyabc  # noqa: F401
    except ImportError:
        raise StudyError("calibrate needs pyabc: pip install 'kabulsim[calibrate]'") from None
    return write if write is not None else out / "ensemble"


def calibration_command(
    scenario: str | None, overrides: list[str], out: Path, settings: Settings, write: Path | None
) -> str:
    """The ``kabulsim calibrate`` command line that makes this calibration, for the sidecar.

    Every setting is written out, so that the line repeats the calibration whatever the
    defaults of a later version.
    """
    words = ["kabulsim", "calibrate"] + ([] if scenario is None else [str(scenario)])
    for text in overrides:
        words += ["--set", text]
    words += ["--out", str(out), "--population", str(settings.population)]
    words += ["--reps", str(settings.reps), "--generations", str(settings.generations)]
    words += ["--epsilon", f"{settings.epsilon:g}", "--minutes", f"{settings.minutes:g}"]
    words += ["--workers", str(settings.workers), "--seed", str(settings.seed)]
    words += ["--prior-share", str(settings.prior_percent)]
    words += ["--moves", str(settings.moves), "--certificate", str(settings.certificate_rows)]
    if write is not None:
        words += ["--write", str(write)]
    return " ".join(shlex.quote(w) for w in words)


@dataclass(frozen=True)
class CalibrationFolder:
    """A finished calibration: its ensemble, pyABC's outcome and the files written."""

    ensemble: Ensemble
    outcome: Outcome
    table: Path
    sidecar: Path
    certificate: Certificate | None = None

    def text(self, out: Path) -> str:
        """What the calibration kept and cost, the files written and the certificate's verdict.

        ``out`` is the calibration folder, where the certificate is written.
        """
        done = self.outcome
        lines = [
            f"{len(self.ensemble)} members after {done.generations} generations (threshold"
            f" {done.epsilon:.3g}); {done.simulations:,} simulations in {done.seconds:.0f} s"
            f" ({done.simulations_per_second:.0f}/s; "
            + ", ".join(f"{k.replace('_', '-')} {v:,}" for k, v in done.by_stage.items() if v)
            + "); effective sample size of the last"
            f" generation {done.ess_smc:.0f} ({done.ess_smc / max(len(self.ensemble), 1):.0%});"
            " by generation: " + ", ".join(f"{e:.0f}" for e in done.ess_generations),
            f"ensemble: {self.table}\nsidecar:  {self.sidecar}",
        ]
        if done.moved is not None:
            m = done.moved
            lines.insert(
                1,
                f"resampled and moved {m.steps} times at the final threshold: {m.accepted:,} of"
                f" {m.steps * len(self.ensemble):,} moves accepted ({m.acceptance:.0%});"
                f" {m.distinct} distinct members of {len(self.ensemble)}"
                f" ({m.distinct / max(len(self.ensemble), 1):.0%}), equal weights",
            )
        if done.constrained is not None:
            c = done.constrained
            lines.insert(
                1,
                f"constraint {c.key!r} (checked on a run of its own): {c.kept} of {c.of} members"
                f" of the last generation meet it; effective sample size {done.ess_smc:.0f} ->"
                f" {c.ess_after:.0f}",
            )
        cert = self.certificate
        if cert is not None:
            cover = ", ".join(
                f"{lv:.0%} interval {row['pooled']:.0%}" for lv, row in cert.coverage().items()
            )
            verdict = "passed" if cert.passed else "FAILED (more than 5 points from nominal)"
            lines.append(
                f"certificate: {cert.ranks.shape[0]} pseudo-records on {cert.table_size:,} prior"
                f" draws{_restricted(cert)}; coverage {cover}: {verdict}; the record is farther"
                f" from the model than {1 - (cert.record_p or 0.0):.0%} of pseudo-records"
            )
            lines.append(f"certificate: {out / 'certificate.json'}")
        return "\n".join(lines)


def _restricted(cert: Certificate) -> str:
    if cert.constraint is None:
        return ""
    return f" (those meeting {cert.constraint!r}, of {cert.table_drawn:,})"


def certificate_summary(cert: Certificate) -> dict[str, Any]:
    """The sidecar's lines on the certificate (the whole of it is ``certificate.json``)."""
    return {
        "file": "certificate.json",
        "passed": cert.passed,
        "pseudo_records": int(cert.ranks.shape[0]),
        "table_size": cert.table_size,
        "coverage_pooled": {
            f"{lv:g}": round(row["pooled"], 3) for lv, row in cert.coverage().items()
        },
        "record_nearest_neighbour_p": cert.record_p,
        "constraint": None
        if cert.constraint is None
        else {
            "fact": cert.constraint,
            "rows_kept": cert.table_size,
            "rows_drawn": cert.table_drawn,
        },
    }


def write_certificate(cert: Certificate, folder: Path) -> list[Path]:
    """``certificate.json`` and the rank ECDFs (``certificate.png``, ``.svg``) in ``folder``.

    Each file is whole or absent; the figure is written as every figure of kabulsim is
    (:func:`kabulsim.plots.io.save`).
    """
    import json

    from kabulsim.files import atomic_write_text
    from kabulsim.plots.certificate import rank_ecdf_plot
    from kabulsim.plots.io import save

    data = folder / "certificate.json"
    atomic_write_text(data, json.dumps(cert.to_dict(), indent=1) + "\n")
    return [data, *save(rank_ecdf_plot(cert), folder, "certificate")]


def calibration_plan(scenario: Scenario, settings: Settings) -> str:
    """What a calibration will run and its estimated cost (two lines, before it starts)."""
    from kabulsim.calibration.abc import estimate
    from kabulsim.calibration.priors import free_parameters
    from kabulsim.calibration.statistics import STATISTICS

    est = estimate(scenario, settings)
    return (
        f"calibrate: {len(free_parameters())} free parameters, {len(STATISTICS)} statistics;"
        f" {settings.population} particles x {settings.reps} replications per generation,"
        f" at most {settings.generations} generations\n"
        f"calibrate: about {est.simulations:,} simulations (acceptance guessed at"
        f" {est.acceptance_guess:.0%}), {est.seconds_per_replication * 1000:.0f} ms each:"
        f" about {est.minutes:.0f} min on {settings.workers} worker(s)"
        f" (limit {settings.minutes:g} min)"
    )


def ensemble_metadata(
    scenario: Scenario,
    settings: Settings,
    outcome: Outcome,
    command: str,
    certificate: Certificate | None = None,
) -> dict[str, Any]:
    """The sidecar's record of how the ensemble was made."""
    import pyabc

    from kabulsim.calibration import ensemble
    from kabulsim.calibration.priors import free_parameters
    from kabulsim.experiments.runner import versions

    return {
        "parameters": ensemble.describe_parameters(free_parameters()),
        "facts": list(outcome.facts),
        "scenario": scenario.model_dump(mode="json"),
        "seed": settings.seed,
        "settings": {
            "population": settings.population,
            "reps": settings.reps,
            "generations": settings.generations,
            "epsilon": settings.epsilon,
            "minutes": settings.minutes,
            "workers": settings.workers,
            "prior_share_percent": settings.prior_percent,
            "moves": settings.moves,
            "certificate_rows": settings.certificate_rows,
            "pseudo_records": settings.pseudo_records,
        },
        "result": {
            "generations": outcome.generations,
            "epsilon": outcome.epsilon,
            "distance": "root mean square of the facts' standardised deviations",
            "effective_sample_size": round(outcome.ess_smc, 1),
            "effective_sample_size_of": "ABC-SMC's last weighted generation (Kish)",
            "effective_sample_size_by_generation": [round(e, 1) for e in outcome.ess_generations],
            "proposal": "pyABC's Gaussian kernel on the priors' scale (log for a log-uniform"
            f" prior), {settings.prior_percent}% of proposals from the priors (defensive"
            " mixture, Hesterberg 1995)",
            "moved": None
            if outcome.moved is None
            else {
                "steps": outcome.moved.steps,
                "accepted": outcome.moved.accepted,
                "acceptance": round(outcome.moved.acceptance, 4),
                "distinct_members": outcome.moved.distinct,
                "kernel": "ABC-MCMC at the final threshold after systematic resampling"
                " (Del Moral, Doucet & Jasra 2012; Marjoram et al. 2003)",
            },
            "constraint": None
            if outcome.constrained is None
            else {
                "fact": outcome.constrained.key,
                "rule": "a member is kept when its own replications of the fact's second run"
                " (the calibration's replication numbers) meet the fact's tolerance;"
                " moves accept only proposals that meet it too",
                "kept": outcome.constrained.kept,
                "of": outcome.constrained.of,
                "effective_sample_size_before": round(outcome.ess_smc, 1),
                "effective_sample_size_after": round(outcome.constrained.ess_after, 1),
                "parameter_sets_checked": outcome.constrained.simulated,
                "move_proposals_refused": outcome.constrained.rejected_in_moves,
            },
            "simulations": outcome.simulations,
            "simulations_by_stage": dict(outcome.by_stage),
            "seconds": round(outcome.seconds, 1),
            "simulations_per_second": round(outcome.simulations_per_second, 1),
        },
        "certificate": None if certificate is None else certificate_summary(certificate),
        "versions": {**versions(), "pyabc": pyabc.__version__},
        "command": command,
    }


def _constraint(scenario: Scenario, settings: Settings) -> Constraint | None:
    """The stalemate fact as the calibration's constraint, when every fact is fitted.

    A calibration on a subset of the facts (leave one fact out) fits only those.
    """
    if settings.facts is not None:
        return None
    from kabulsim.analysis.stalemate import stalemate_constraint
    from kabulsim.calibration.facts import shipped
    from kabulsim.calibration.priors import free_parameters

    return stalemate_constraint(
        scenario, free_parameters(), settings.reps, settings.seed, shipped()
    )


def calibrate_folder(
    scenario: Scenario,
    out: Path,
    settings: Settings,
    stem: Path,
    *,
    command: str = "",
    show_progress: bool = False,
) -> CalibrationFolder:
    """Run the calibration into ``out`` (checked by :func:`check_calibration`); save the ensemble.

    Args:
        scenario: the scenario whose free parameters are fitted.
        out: the calibration folder (its marker is written first; ``abc.db`` resumes).
        settings: population, replications, generations, threshold, time limit, workers, seed.
        stem: where the ensemble is saved (``STEM.parquet`` and ``STEM.json``).
        command: the command line recorded in the sidecar.
        show_progress: pyABC's progress bar.

    Raises:
        CalibrationStopped: the time limit ended the first generation.
        CalibrationFolderError: ``abc.db`` is not pyABC's history.

    Unless ``settings.certificate_rows`` is 0, the certificate follows
    (:mod:`kabulsim.calibration.certificate`): ``certificate.json`` and the figure
    ``certificate.png`` and ``.svg`` in ``out``, and its summary in the sidecar.
    """
    from kabulsim.calibration import ensemble
    from kabulsim.calibration.abc import calibrate
    from kabulsim.calibration.folder import write_marker

    write_marker(out)
    constraint = _constraint(scenario, settings)
    outcome = calibrate(scenario, out, settings, show_progress=show_progress, constraint=constraint)
    cert = None
    if settings.certificate_rows > 0:
        from kabulsim.calibration.certificate import certify, model_table
        from kabulsim.calibration.statistics import observed

        reference = model_table(
            scenario, settings, settings.certificate_rows, constraint=constraint
        )
        cert = certify(
            reference,
            pseudo_records=settings.pseudo_records,
            record=observed(settings.facts),
            seed=settings.seed,
        )
        write_certificate(cert, out)
    meta = ensemble_metadata(scenario, settings, outcome, command, cert)
    ens = ensemble.build(outcome.values, outcome.weights, meta)
    table, sidecar = ens.save(stem)
    return CalibrationFolder(ens, outcome, table, sidecar, cert)
