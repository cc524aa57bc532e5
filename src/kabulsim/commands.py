"""The ``kabulsim`` commands' interface as data: each command's help, description and options.

Declared once, here, and read by the command line (``kabulsim.cli`` builds every parser from
:data:`COMMANDS` with one builder) and by the tests that check the two agree. An option is a
typed record (:class:`Option`): its names, its kind (what its value is, and the bounds from
:mod:`kabulsim.limits` that the parser enforces), default, metavar and help. The options
several commands share (``--reps``, ``--seed``, ``--workers``, ``--ensemble``, ``--out`` ...)
are declared once in :data:`SHARED`; a command names them, or changes what differs for it
(:func:`shared`). In help texts argparse replaces ``%(default)s`` with the option's default.

This module imports only :mod:`kabulsim.limits` and the standard library: no parsing, no
printing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Literal

from kabulsim.limits import (
    CLUSTER_BATCH_SIZE,
    DEFAULT_REPS,
    DEFAULT_SERIES_REPS,
    EVENTS_CSV_MAX,
    LOCAL_BATCH_SIZE,
    MAX_BATCH_SIZE,
    MAX_BOOT,
    MAX_CERTIFICATE_ROWS,
    MAX_EPSILON,
    MAX_GENERATIONS,
    MAX_MINUTES,
    MAX_MOVES,
    MAX_POPULATION,
    MAX_PREDICTIVE_MEMBERS,
    MAX_REPS,
    MAX_SEED,
    MAX_SERIES_REPS,
    MAX_WORKERS,
)

Kind = Literal["text", "int", "float", "path", "choice", "flag", "append"]
"""What an option's value is: text; a whole number (from ``bounds[0]`` to ``bounds[1]``); a
finite number (above ``bounds[0]``, at most ``bounds[1]``); a file or folder; one of
``choices``; a switch (no value); a text that may be given several times (a list)."""


@dataclass(frozen=True)
class Option:
    """One option of a command (or a positional argument, named by its destination)."""

    names: str
    """``"--reps"``, ``"-o --output"``, or a positional's name (``"scenario"``)."""
    kind: Kind = "text"
    help: str | None = None
    default: Any = None
    """The value when not given (a tuple for an ``append`` option: the list it starts as)."""
    metavar: str | None = None
    bounds: tuple[float, float] | None = None
    """For ``int`` and ``float``: the accepted range (see :data:`Kind`); None: any."""
    choices: tuple[str, ...] | None = None
    nargs: str | None = None
    dest: str | None = None
    required: bool = False
    exclusive: str | None = None
    """The mutually exclusive group the option belongs to, by name."""

    @property
    def positional(self) -> bool:
        """Whether the option is a positional argument (its name has no leading dash)."""
        return not self.names.startswith("-")

    @property
    def key(self) -> str:
        """The attribute the parsed value is stored under (argparse's ``dest``)."""
        if self.dest is not None:
            return self.dest
        return self.names.split()[-1].lstrip("-").replace("-", "_")


@dataclass(frozen=True)
class Command:
    """A sub-command: the line in ``kabulsim --help``, its paragraph and its options."""

    name: str
    help: str
    description: str
    options: tuple[Option, ...]
    epilog: str | None = None


ENSEMBLE_HELP = (
    "parameter uncertainty: 'baseline' (the default: the calibrated ensemble shipped with"
    " kabulsim, because thirteen parameters are known from no source and many sets of them"
    " reproduce the record), 'none' (the scenario's single values) or an ensemble file from"
    " kabulsim calibrate (STEM.parquet); replication i takes the parameters of a member drawn"
    " by weight from (seed, i), except those the scenario changes, which keep the scenario's"
    " values"
)

SHARED: dict[str, Option] = {
    o.names: o
    for o in (
        Option("scenario", metavar="SCENARIO", help="scenario YAML file"),
        Option(
            "--set",
            kind="append",
            dest="overrides",
            metavar="KEY=VALUE",
            default=(),
            help="override one scenario value, e.g. --set alliance.hold_back_h=336 (repeatable)",
        ),
        Option(
            "--reps",
            kind="int",
            bounds=(1, MAX_REPS),
            default=DEFAULT_REPS,
            help="replications (default %(default)s)",
        ),
        Option(
            "--seed",
            kind="int",
            bounds=(0, MAX_SEED),
            default=0,
            help="the run's seed (default %(default)s)",
        ),
        Option("--ensemble", metavar="FILE|baseline|none", help=ENSEMBLE_HELP),
        Option(
            "--workers",
            kind="int",
            bounds=(1, MAX_WORKERS),
            help=f"local worker processes (default: all cores, here {os.cpu_count()})",
        ),
        Option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            help="run the batches on an existing Dask distributed cluster (needs the dask extra)",
        ),
        Option("--out", kind="path", help="output folder"),
        Option(
            "--force",
            kind="flag",
            help="replace an earlier kabulsim result in --out (never a folder holding other files)",
        ),
        Option("--quiet", kind="flag", help="no progress bar and no table"),
    )
}
"""The options several commands share, declared once: kind, bounds, default and help."""


def shared(name: str, **changes: object) -> Option:
    """The shared option ``name``, with what differs for one command changed."""
    return replace(SHARED[name], **changes)  # type: ignore[arg-type]


def _options(*items: str | Option) -> tuple[Option, ...]:
    """A command's options in order: shared ones by name, the others as records."""
    return tuple(SHARED[item] if isinstance(item, str) else item for item in items)


SCENARIO_OR_BASELINE = shared(
    "scenario", nargs="?", help="scenario YAML file (default: the built-in baseline)"
)
"""The SCENARIO positional where it may be left out."""


def _study(default_reps: int) -> tuple[str | Option, ...]:
    """The options of a study's run: replications per point, seed, engine, folder."""
    return (
        shared("--reps", default=default_reps, help="replications per point (default %(default)s)"),
        shared("--seed", help="seed shared by every point (default %(default)s)"),
        "--workers",
        "--scheduler",
        shared(
            "--out",
            help="output folder (default: a new folder under runs/); per-point results are kept"
            " there, so the same command with --resume finishes an interrupted study",
        ),
        "--force",
        Option("--resume", kind="flag", help="continue the study already in --out"),
        "--quiet",
    )


RUN = Command(
    "run",
    help="run replications of a scenario and write their tables",
    description="Run replications of a scenario on all local cores (or a Dask cluster)."
    " Prints a short summary (medians with 90% intervals) and writes into the output"
    " folder: manifest.json, summary.csv and summary.parquet (one row per replication),"
    " events.parquet and events.csv (the event log; CSV up to"
    f" {EVENTS_CSV_MAX:,} replications), series.parquet (the state series of the first"
    " --series-reps replications) and series_quantiles.parquet (quantiles per grid time"
    " over all replications), and figures/ (PNG and SVG figures and an animated GIF of"
    " the offensive on the map). Finished batches are kept in chunks/ as they complete, so"
    " an interrupted run can be finished with --resume. Exit status 1 if any replication"
    " failed.",
    options=_options(
        shared("scenario", nargs="?", help="scenario YAML file (omit with --resume)"),
        "--set",
        "--ensemble",
        shared("--reps", default=None, help=f"replications (default {DEFAULT_REPS})"),
        shared("--seed", default=None, help="the run's seed (default 0)"),
        shared(
            "--out",
            help="output folder (default: a new folder under runs/ named from the scenario and"
            " time); must not exist or be empty unless --force",
        ),
        "--force",
        Option(
            "--resume",
            kind="path",
            metavar="DIR",
            help="finish an interrupted run in DIR: scenario, seed, replications and batch size"
            " come from its manifest; only missing batches are run",
        ),
        "--workers",
        "--scheduler",
        Option(
            "--batch-size",
            kind="int",
            bounds=(1, MAX_BATCH_SIZE),
            help=f"replications per task (default {LOCAL_BATCH_SIZE} on local cores,"
            f" {CLUSTER_BATCH_SIZE} on a Dask cluster)",
        ),
        Option(
            "--series-reps",
            kind="int",
            bounds=(0, MAX_SERIES_REPS),
            metavar="N",
            default=DEFAULT_SERIES_REPS,
            help="keep the full state series of the first N replications in series.parquet"
            " (default %(default)s); quantiles always use every replication",
        ),
        Option(
            "--no-figures",
            kind="flag",
            help="do not draw the figures (figures/: timeline, fan chart, distributions, theatre"
            " map as PNG and SVG, and animation.gif)",
        ),
        shared("--quiet", help="no progress bar and no summary"),
    ),
)

VALIDATE = Command(
    "validate",
    help="check the baseline against the facts of the record, fitted and held out (Monte Carlo)",
    description="Run the scenario (default: the baseline) for many replications and"
    " check each fitted fact of the record (the facts file's facts marked fit): the fact, its"
    " source, the simulated median with its 90% interval, the tolerance, and pass or fail."
    " The stalemate fact reads a second run of as many replications: the scenario without"
    " strike sorties or ground controllers, six months past its horizon. Exit status 1 if any"
    " fitted fact fails. Then the held-out facts (marked held_out: never read by the"
    " calibration) are scored as out-of-sample predictions: each one's PIT (the record's place"
    " in the predicted distribution, a window or range counted as uniform over it), whether"
    " the record lies inside the predicted 50% and 90% intervals, and the coverage; a fact"
    " whose column the model does not produce is listed as not modelled. They never decide"
    " the exit status. With an ensemble the held-out facts are scored once more on the"
    " scenario's single values at the same seed and replications (one more run), so that the"
    " two can be compared. By default each replication takes the parameters of a member of"
    " the baseline's calibrated ensemble, and the posterior predictive check (where each fact"
    " falls in the ensemble's distribution) follows; --ensemble none checks the single"
    " values; --leave-one-out adds, for each fact, a small calibration without it and the"
    " check of the fact it then predicts (slow: minutes; needs pyabc). See docs/validation.md.",
    options=_options(
        SCENARIO_OR_BASELINE,
        "--set",
        "--reps",
        "--seed",
        "--ensemble",
        Option(
            "--members",
            kind="int",
            bounds=(1, MAX_PREDICTIVE_MEMBERS),
            default=40,
            help="members drawn for the predictive check (%(default)s; 10 replications each)",
        ),
        Option(
            "--leave-one-out",
            kind="path",
            metavar="DIR",
            help="also calibrate without each fact in turn (pyABC histories in DIR) and predict it",
        ),
        Option(
            "--facts",
            kind="path",
            metavar="FILE",
            help="the facts file (default: the shipped kabulsim/data/facts.yaml)",
        ),
        shared(
            "--out",
            metavar="DIR",
            help="also write the tables (fitted.csv, held_out.csv) and the held-out facts'"
            " figure (held_out.png and .svg) into DIR (new, empty, or an earlier validate --out)",
        ),
    ),
)

PARAMS = Command(
    "params",
    help="print every parameter with its value, units, range and source",
    description="Print the provenance table: every parameter of the scenario with its"
    " value, the baseline default, units, plausible range, the kind of source and the"
    " source itself (a quoted sentence, a reference, or an assumption with its reason), and"
    " for the calibrated parameters what the record does to them in the shipped ensemble"
    " (pinned, narrowed or left free, with the posterior/prior width ratio).",
    options=_options(
        SCENARIO_OR_BASELINE,
        "--set",
        Option(
            "--format",
            kind="choice",
            choices=("terminal", "markdown", "csv"),
            default="terminal",
            help="output format (default: %(default)s)",
        ),
    ),
)

SHOW = Command(
    "show",
    help="print a scenario fully resolved, and what it changes",
    description="Print the scenario with every value resolved (the file, what it extends,"
    " the --set overrides and the schema defaults) as YAML, then what differs from the"
    " file it extends and from the baseline defaults, as 'key: old -> new' lines.",
    options=_options("scenario", "--set"),
)

SCHEMA = Command(
    "schema",
    help="write the JSON Schema of the scenario format (for editors)",
    description="Write the JSON Schema of scenario files, with units and sources in the"
    " descriptions. Editors with yaml-language-server use it through the modeline"
    " '# yaml-language-server: $schema=./scenario.schema.json'.",
    options=_options(shared("--out", help="file to write (default: standard output)")),
)

SWEEP = Command(
    "sweep",
    help="run a grid of parameter values and plot an outcome's response",
    description="Run the scenario at every point of a parameter grid (the product of the"
    " --grid axes) and estimate each outcome with its 95% interval. Writes sweep.csv,"
    " one response figure per outcome (PNG and SVG) and study.json into the output"
    " folder. Outcomes: a summary column (mean; for true/false columns the share; for"
    " times the median days since the start, censored beyond the horizon), COLUMN:rmst"
    " (a time's mean restricted to the horizon), COLUMN<=DATE, the probability that the"
    " event happened by that date, or p_fallen_by_DATE (Kabul has fallen by then). By"
    " default each replication takes the calibrated parameters of a member of the"
    " baseline's ensemble (replication i of every point the same member), except those on"
    " the grid, which keep the grid's values; --ensemble none runs the single values.",
    epilog="example: kabulsim sweep scenarios/baseline.yaml --grid"
    " air.sorties.1.strike_sorties_per_day=30:150:5 --outcome"
    " 'alliance_enters_kabul<=2001-11-15' --reps 200",
    options=_options(
        "scenario",
        "--set",
        Option(
            "--grid",
            kind="append",
            required=True,
            metavar="KEY=LO:HI:N",
            help="a grid axis: N values from LO to HI, or KEY=A,B,C for listed values (repeatable)",
        ),
        Option(
            "--outcome",
            kind="append",
            metavar="METRIC",
            help="outcome metric (repeatable; default: alliance_enters_kabul<=2001-11-15)",
        ),
        *_study(default_reps=100),
        "--ensemble",
    ),
)

SENSITIVITY = Command(
    "sensitivity",
    help="global sensitivity analysis (Morris or Sobol') of an outcome",
    description="Vary the parameters over their plausible ranges (from the provenance"
    " table, or --range) with SALib and rank them by their effect on an outcome, with"
    " 95% confidence intervals. The number of parameter vectors and replications is"
    " printed before the run starts. Writes indices.csv, a bar chart (PNG and SVG),"
    " design.csv and study.json.",
    options=_options(
        "scenario",
        "--set",
        Option("--method", kind="choice", choices=("morris", "sobol"), default="morris"),
        Option(
            "--outcome",
            default="alliance_enters_kabul:rmst",
            metavar="METRIC",
            help="outcome metric (default: %(default)s, mean days since the start restricted to"
            " the horizon)",
        ),
        Option(
            "--params",
            metavar="A,B,...",
            help="comma-separated parameters to vary (default: 15 main assumptions; 'all' for"
            " every parameter with a plausible range)",
        ),
        Option(
            "--range",
            kind="append",
            default=(),
            metavar="KEY=LO:HI",
            help="range for a parameter, replacing its plausible range (repeatable)",
        ),
        Option(
            "--n",
            kind="int",
            bounds=(1, MAX_REPS),
            help="Morris trajectories (default 10) or Sobol' base sample, a power of 2"
            " (default 64)",
        ),
        *_study(default_reps=50),
    ),
)

COMPARE = Command(
    "compare",
    help="compare scenarios or runs: outcome differences with bootstrap intervals",
    description="Compare two or more runs. Each argument is a run folder (from kabulsim"
    " run) or a scenario file; scenario files are run with the same seed and number of"
    " replications, so replication i of each sees the same random numbers (common random"
    " numbers) and differences are paired; by default each takes its calibrated parameters"
    " from the baseline's ensemble, replication i of each the same member (--ensemble"
    " none: the single values). Writes differences.csv, differences.md (the same in"
    " words), the forest plot of the differences (differences.png/.svg), the overlay and"
    " fall-by-date figures and each run into the output folder; `kabulsim report` on"
    " that folder makes an HTML report. Two layers of uncertainty: each scenario file is"
    " run a second time with the assumption priors (--assumptions none: not), and"
    " layers.csv/.md give every difference with the calibrated parameters only and with"
    " the assumptions too; decomposition.csv/.png split each difference's variance among"
    " the calibrated parameters, the assumptions and chance.",
    epilog="example: kabulsim compare scenarios/baseline.yaml scenarios/hold_back.yaml",
    options=_options(
        Option("inputs", nargs="+", metavar="RUN_OR_SCENARIO"),
        Option("--baseline", help="name of the run to compare against (default: first)"),
        shared("--reps", help="replications per scenario file (default %(default)s)"),
        shared("--seed", help="seed for scenario files (default %(default)s)"),
        Option(
            "--n-boot",
            kind="int",
            bounds=(1, MAX_BOOT),
            default=2000,
            help="bootstrap resamples (default %(default)s)",
        ),
        "--ensemble",
        Option(
            "--assumptions",
            metavar="FILE|declared|none",
            default="declared",
            help="the second layer of uncertainty: each scenario file is run again, every"
            " replication also drawing the counterfactual mechanisms' unfitted inputs from"
            " their priors (declared: kabulsim's, see docs/uncertainty.md; FILE: a YAML of"
            " PATH: {low, high, prior} inside the schema's plausible ranges; none: the"
            " first layer only, half the runs) (default %(default)s)",
        ),
        "--workers",
        "--scheduler",
        shared("--out", help="output folder (default under runs/)"),
        "--force",
        "--quiet",
    ),
)

REPORT = Command(
    "report",
    help="write a self-contained HTML report of a run or a comparison",
    description="Write one self-contained HTML file (images embedded, no network): the"
    " scenario and what it changes from the baseline, the validation against the record"
    " (for a scenario with no changes, or with --validate), every figure, the outcome"
    " table, the comparison (for a comparison folder) and the parameter provenance.",
    options=_options(
        Option("folder", kind="path", metavar="RUN_OR_COMPARISON"),
        Option("-o --output", kind="path", help="HTML file (default: FOLDER/report.html)"),
        Option("--validate", kind="flag", help="include the validation table"),
    ),
)

EXPLORER = Command(
    "explorer",
    help="write one interactive HTML file for a class: no Python, no network needed",
    description="Run a family of scenarios (every SCENARIO, crossed with every --vary"
    " value) with the same seed for every case (common random numbers), and write one"
    " self-contained HTML file in which students pick a case from drop-down menus and see"
    " when the alliance enters Kabul, the timeline, the key outcomes, the differences from"
    " the baseline and the map, with the model's caveats and each parameter's source."
    " Each --vary becomes a menu whose first option is the scenario's own value (the"
    " value its file sets, or the ensemble's draw where it sets none), followed by the"
    " values listed, which the page names as changes. The baseline is the first SCENARIO"
    " with every menu on its own value: the same tables as `kabulsim run` of that"
    " scenario with the same --reps and --seed. By default each replication takes its"
    " parameters from a member of the baseline's calibrated ensemble (replication i of"
    " every case the same member), and the page says so; --ensemble none runs the single"
    " values. A value outside its plausible range is run, with a warning here and on the"
    " page. The file (about 1.5 MB) opens offline in any recent browser.",
    epilog="example: kabulsim explorer scenarios/baseline.yaml scenarios/hold_back.yaml"
    " --vary alliance.indiscipline_per_h=0.2,0.02 --out lesson.html",
    options=_options(
        Option(
            "scenarios",
            metavar="SCENARIO",
            nargs="*",
            help="scenario YAML files (the first is the baseline); with --lesson, the lesson's",
        ),
        Option(
            "--lesson",
            metavar="NAME",
            help="the page of a lesson of docs/teaching.md (hold-back, air-power, record): its"
            " question, a 'you decide' panel whose every choice is computed in advance, story"
            " cards, dotplots and pairs of replications, above the explorer of its scenarios"
            " (read from scenarios/ in the current folder)",
        ),
        Option(
            "--vary",
            kind="append",
            metavar="KEY=V1,V2,...",
            default=(),
            help="a parameter the students may change and its values, e.g. --vary"
            " alliance.hold_back_h=72,168,336 (repeatable; KEY=LO:HI:N for N evenly spaced"
            " numbers; every combination is run)",
        ),
        shared(
            "--set",
            help="override one value in every scenario, e.g. --set horizon_days=45 (repeatable)",
        ),
        shared("--reps", help="replications per case (default %(default)s, as kabulsim run)"),
        shared("--seed", help="the seed of every case (default %(default)s)"),
        "--ensemble",
        Option(
            "--assumptions",
            metavar="FILE|declared|none",
            default="declared",
            help="the second layer of uncertainty, as for kabulsim compare: with two scenario"
            " files or more, each file is run again, every replication also drawing the"
            " counterfactual mechanisms' unfitted inputs from their priors, and the page shows"
            " each file's differences from the baseline in both layers (declared: kabulsim's,"
            " see docs/uncertainty.md; FILE: a YAML of PATH: {low, high, prior}; none: no"
            " second layer, one run per file fewer) (default %(default)s)",
        ),
        shared(
            "--workers", help="local worker processes (default: all cores); the file is the same"
        ),
        Option("--title", help="the page's title (default: the scenario names)"),
        shared(
            "--out",
            kind="text",
            default="explorer.html",
            metavar="FILE",
            help="output file (default %(default)s); an existing file is replaced only with"
            " --force, and only a page kabulsim wrote",
        ),
        shared(
            "--force",
            help="replace an existing --out file that is an explorer page kabulsim wrote",
        ),
        shared("--quiet", help="no progress line"),
    ),
)

# calibrate's defaults (population, reps, generations, epsilon, minutes, workers, seed,
# scheduler, certificate_rows) are calibration.settings.Settings' own, declared there once
# with the code that reads them: the command line sets them (cli.SETTINGS).
CALIBRATE = Command(
    "calibrate",
    help="fit the free parameters to the facts of the record (ABC-SMC, needs pyabc)",
    description="Draw the parameters the schema marks as calibrated from their plausible"
    " ranges and keep the sets whose replications reproduce the facts of the record"
    " (pyABC's ABC-SMC). Writes OUT/abc.db (pyABC's history: running the command again"
    " on the same folder resumes it) and the ensemble OUT/ensemble.parquet + .json."
    " Then the certificate: simulation-based calibration over pseudo-records drawn from"
    " the prior predictive (OUT/certificate.json, certificate.png and .svg: coverage of the"
    " 50/80/95% intervals, rank ECDFs, where the record falls in the prior predictive)."
    " Needs the optional extra: pip install 'kabulsim[calibrate]'.",
    options=_options(
        SCENARIO_OR_BASELINE,
        "--set",
        shared("--out", required=True),
        Option(
            "--population",
            kind="int",
            bounds=(1, MAX_POPULATION),
            help="particles (%(default)s)",
        ),
        shared("--reps", default=None, help="replications per particle (%(default)s)"),
        Option(
            "--generations",
            kind="int",
            bounds=(1, MAX_GENERATIONS),
            help="at most (%(default)s)",
        ),
        Option(
            "--epsilon",
            kind="float",
            bounds=(0.0, MAX_EPSILON),
            help="stop when the threshold reaches this distance (above 0), the root mean square"
            " of the facts' deviations in tolerances; left out, there is no threshold and the"
            " generations or the time end the calibration",
        ),
        Option(
            "--minutes",
            kind="float",
            bounds=(0.0, MAX_MINUTES),
            help="wall-clock limit, honoured within a generation too (%(default)g)",
        ),
        shared("--workers", help="processes (%(default)s)"),
        shared("--seed", default=None, help="seed (%(default)s)"),
        shared(
            "--scheduler",
            help="run the particles on an existing Dask distributed cluster (needs the dask"
            " extra; --workers is then not used)",
        ),
        Option(
            "--prior-share",
            kind="int",
            bounds=(0, 90),
            dest="prior_percent",
            metavar="PERCENT",
            help="percent of each generation's proposals drawn from the priors rather than from"
            " the kernel around the generation before (a defensive mixture: the weights cannot"
            " collapse onto a few particles); 0: pyABC's kernel alone (%(default)s)",
        ),
        Option(
            "--moves",
            kind="int",
            bounds=(0, MAX_MOVES),
            help="after the last generation, resample it by weight and move every member this"
            " many times with ABC-MCMC at the final threshold, so the ensemble's members carry"
            " equal weights without being copies of a few; 0 keeps the weighted generation"
            " (%(default)s)",
        ),
        Option(
            "--certificate",
            kind="int",
            bounds=(0, MAX_CERTIFICATE_ROWS),
            dest="certificate_rows",
            metavar="ROWS",
            help="rows of the certificate's reference table, drawn from the priors and each run"
            " as a particle; 0 writes no certificate (%(default)s)",
        ),
        Option(
            "--write",
            kind="path",
            metavar="STEM",
            help="write the ensemble to STEM.parquet + STEM.json (default OUT/ensemble)",
        ),
    ),
)

STORY = Command(
    "story",
    help="tell single replications of a run or comparison, dated, from the event log",
    description="Print a short dated account of single replications of a run folder (from"
    " kabulsim run): what happened, in order, with the mechanism behind each turn and the"
    " state before it (from the run's event log and state series). For a comparison folder"
    " (from kabulsim compare) the same replication is told under each scenario: common"
    " random numbers make the pair like-for-like. By default the replications at the 5th,"
    " 50th and 95th percentiles of the alliance's date of entry into Kabul are told,"
    " ranked in the comparison's baseline; a replication in which the outcome is missing"
    " (no entry by the horizon) ranks after all the others. Nothing is written into the"
    " folder; --out writes the text (Markdown) to a file as well.",
    epilog="example: kabulsim story runs/compare-baseline-hold_back --pick vacuum_h:0.5",
    options=_options(
        Option("folder", kind="path", metavar="RUN_OR_COMPARISON"),
        Option("--rep", kind="int", exclusive="which", help="tell replication N (from 0)"),
        Option(
            "--pick",
            metavar="OUTCOME[:Q1,Q2,...]",
            exclusive="which",
            help="tell the replications at these quantiles (0-1) of an outcome (default"
            " alliance_enters_kabul:0.05,0.5,0.95)",
        ),
        Option("--by", help="comparison: the run whose ranking picks (default: baseline)"),
        shared("--out", help="also write the text to this file"),
    ),
)

PROGRAM = (
    "Simulate the October-November 2001 offensive that took Kabul: run scenarios, validate the"
    " baseline against the record, and inspect parameters."
)
"""The paragraph of ``kabulsim --help``."""

COMMANDS: tuple[Command, ...] = (
    RUN, VALIDATE, PARAMS, SHOW, SCHEMA, SWEEP, SENSITIVITY, COMPARE, REPORT, EXPLORER,
    CALIBRATE, STORY,
)  # fmt: skip
"""Every sub-command, in the order of ``kabulsim --help``."""
