"""The summary path: a replication run without its record gives the same summary row.

``simulate(..., record=False)`` (and :func:`kabulsim.model.simulate.summarise`, what the
calibration runs) builds a :class:`~kabulsim.model.world.SummaryWorld`, which keeps no events,
snapshots or straggler log. Nothing in a replication reads its record back while it runs, so
the draws and the outcomes must be the same as the full path's: compared here value for
value (NaN for NaN), in the same column order, over several scenarios, seeds and replications.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pandas as pd
import pytest

from kabulsim.calibration.ensemble import shipped
from kabulsim.experiments.batches import plan_batches, run_batch
from kabulsim.experiments.points import run_points
from kabulsim.experiments.runner import run
from kabulsim.model.simulate import build_world, run_world, simulate, summarise
from kabulsim.model.world import SummaryWorld
from kabulsim.scenario.loading import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
CASES = (
    "baseline",
    "hold_back",
    "hold_back_until_interim",
    "taliban_defend_kabul",
    "tora_bora_blocking_force",
    "no_kunduz_airlift",
    "mazar_holds",
    "no_air_campaign",
)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("name", CASES)
def test_the_summary_path_gives_the_full_paths_rows(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    for seed, reps in ((0, range(12)), (7, range(100, 106))):
        for rep in reps:
            full = simulate(scenario, seed, rep)
            quick = simulate(scenario, seed, rep, record=False)
            assert full.error is None and quick.error is None
            assert list(quick.summary) == list(full.summary)
            differ = [k for k in full.summary if not _same(full.summary[k], quick.summary[k])]
            assert differ == [], f"{name}, seed {seed}, rep {rep}: {differ}"
            assert summarise(scenario, seed, rep).keys() == full.summary.keys()


def test_the_summary_path_keeps_no_record() -> None:
    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    quick = simulate(scenario, 0, 3, record=False)
    assert quick.events == [] and quick.series is None and quick.states == []
    world = build_world(scenario, 0, 3, record=False)
    assert isinstance(world, SummaryWorld)
    run_world(world)
    assert world.recorder.events == [] and world.recorder.snapshot_values == []
    with pytest.raises(RuntimeError, match="record=True"):
        world.series()
    # the full path does record (the comparison above is not between two empty paths)
    full = simulate(scenario, 0, 3)
    assert full.events and full.series is not None


def test_a_summary_only_batch_gives_the_same_summary_table() -> None:
    scenario = load_scenario(SCENARIOS / "hold_back.yaml")
    ens = shipped()
    for batch in plan_batches(scenario, 12, 5, 6, 0, ens):
        full = run_batch(batch)
        quick = run_batch(dataclasses.replace(batch, summary_only=True))
        pd.testing.assert_frame_equal(quick.summary, full.summary)
        assert quick.events.empty and quick.series.empty and quick.counts.empty
        assert not full.events.empty


def test_run_points_summaries_equal_the_runners() -> None:
    # what validate reads (its summaries now come from run_points, serially)
    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    ens = shipped()
    points = run_points([scenario], 8, 2, workers=1, ensemble=ens)[0]
    pd.testing.assert_frame_equal(points, run(scenario, 8, 2, ensemble=ens).summary)


def test_the_particle_model_gives_the_full_paths_statistics() -> None:
    # what the calibration and the certificate's reference table compute for a particle
    from kabulsim.calibration.abc import ParticleModel
    from kabulsim.calibration.priors import free_parameters, with_values
    from kabulsim.calibration.statistics import statistics

    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    params = free_parameters()
    particle = {p.key: (p.low + p.high) / 2.0 for p in params}
    model = ParticleModel(scenario, params, reps=4, seed=9, facts=None)
    with_particle = with_values(scenario, {p.path: particle[p.key] for p in params})
    rows = [simulate(with_particle, 9, rep).summary for rep in range(4)]
    expected = statistics(rows, with_particle.start, None)
    got = model(particle)
    assert list(got) == list(expected)
    assert all(_same(got[k], expected[k]) for k in expected), (got, expected)


def test_no_phase_reads_the_record() -> None:
    # The summary path is exact because the phases never read the record while they run:
    # only the world (which writes it) and simulate (which returns it) touch it.
    model = Path(__file__).resolve().parents[2] / "src" / "kabulsim" / "model"
    allowed = {"__init__.py", "world.py", "records.py", "simulate.py"}
    words = ("recorder", "snapshot_values", "snapshot_labels", "_last_snap", ".series(")
    readers = [
        f"{path.name}: {word}"
        for path in sorted(model.glob("*.py"))
        if path.name not in allowed
        for word in words
        if word in path.read_text(encoding="utf-8")
    ]
    assert readers == []
