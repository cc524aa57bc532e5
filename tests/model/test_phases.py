"""The phase registry: streams keyed by name, and each phase drawing only from its own stream."""

from __future__ import annotations

import numpy as np
import pytest

from kabulsim.model import PHASES, Phase, build_world
from kabulsim.model.phases import phase_streams, stream_key
from kabulsim.model.simulate import replication_seed, results, run_world
from kabulsim.model.world import World
from tests.helpers import scenario_with


def _run(phases, seed=3, **changes):
    world = build_world(scenario_with(**changes), seed=seed, rep=2, phases=phases)
    run_world(world)
    summary, series = results(world)
    return world, summary, series


def _same(a, b):
    return a == b or (isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b))


def _draws(streams):
    return {name: rng.random(4).tolist() for name, rng in streams.items()}


def test_streams_are_keyed_by_name_not_position():
    seed = replication_seed(7, 11)
    base = _draws(phase_streams(seed))
    reordered = _draws(phase_streams(seed, tuple(reversed(PHASES))))
    fewer = _draws(phase_streams(seed, PHASES[2:]))
    assert reordered == base
    assert fewer == {name: base[name] for name in fewer}
    assert len({tuple(v) for v in base.values()}) == len(base)  # independent streams
    assert stream_key("air") != stream_key("north")


def test_duplicate_phase_names_are_refused():
    with pytest.raises(ValueError, match="unique"):
        phase_streams(replication_seed(0, 0), (*PHASES, PHASES[0]))


def _noise(world: World):
    """A phase that draws heavily from its own stream and changes nothing else."""
    rng = world.rng["noise"]
    while True:
        rng.standard_normal(1000)
        yield world.env.timeout(float(rng.exponential(5.0)))


def test_adding_a_phase_first_leaves_every_other_phase_unchanged():
    world_a, summary_a, series_a = _run(PHASES)
    world_b, summary_b, series_b = _run((Phase("noise", _noise), *PHASES))
    assert summary_a.keys() == summary_b.keys()
    assert all(_same(summary_a[k], summary_b[k]) for k in summary_a), [
        k for k in summary_a if not _same(summary_a[k], summary_b[k])
    ]
    assert world_a.recorder.events == world_b.recorder.events
    np.testing.assert_array_equal(series_a.values, series_b.values)
    assert series_a.labels == series_b.labels


def test_removing_a_phase_leaves_the_others_unchanged():
    """The strike on Atef affects nothing else: without its phase, only its outcomes change."""
    world_full, full, series_full = _run(PHASES, seed=5)
    world_without, without, series_without = _run(
        tuple(p for p in PHASES if p.name != "hvt"), seed=5
    )
    hvt_outcomes = {"tips", "atef_killed", "atef_strike_time"}
    assert any(e.phase == "hvt" for e in world_full.recorder.events)  # the phase ran
    assert not any(e.phase == "hvt" for e in world_without.recorder.events)
    for key in full.keys() - hvt_outcomes:
        assert _same(full[key], without[key]), key
    others = [e for e in world_full.recorder.events if e.phase != "hvt"]
    assert others == world_without.recorder.events
    np.testing.assert_array_equal(series_full.values, series_without.values)


class _Forbidden:
    """A random stream that must not be used."""

    def __getattr__(self, name: str):
        raise AssertionError(f"a phase drew ({name}) from another phase's stream")


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_alliance_draws_only_from_its_own_stream(seed):
    """With ``policy: defend`` the withdrawal phase draws nothing; the alliance routes the
    defenders it beats in the city with its own draws, never the withdrawal stream's."""
    # A defence with low resolve, so that the alliance beats it and routes the defenders.
    sc = scenario_with(**{"withdrawal.policy": "defend", "withdrawal.defend_resolve": 0.3})
    world = build_world(sc, seed=seed)
    world.rng["withdrawal"] = _Forbidden()  # type: ignore[assignment]
    run_world(world)
    summary, _ = results(world)
    assert summary["resistance_in_city"] is True
    assert summary["to_kandahar"] + summary["to_tora_bora"] > 0


def test_a_per_front_phase_has_one_stream_per_front_named_after_it():
    """The front phase's instances keep the 2001 model's stream names (its two front phases)."""
    from kabulsim.model.phases import stream_names
    from kabulsim.places import PLACES

    front = next(p for p in PHASES if p.per == "front")
    assert [name for name, _ in front.instances(PLACES)] == ["shamali", "north"]
    names_2001 = "air north shamali withdrawal alliance hvt aftermath political vacuum"
    assert sorted(stream_names(PHASES)) == sorted(
        [
            *names_2001.split(),
            "pressure",
            "command",
            "accounts",
            "redoubt.tora_bora",
            "pocket.kunduz",
            "pocket.kandahar",
        ]
    )
    toy = Phase("toy", _noise, per="front")
    assert [name for name, _ in toy.instances(PLACES)] == ["toy.shamali", "toy.north"]


def test_close_hooks_run_once_per_instance_in_phase_order():
    calls = []

    def hold(world, front):
        yield world.env.timeout(1.0)

    def idle(world):
        yield world.env.timeout(1.0)

    phases = (
        *PHASES,
        Phase("toy_each", hold, lambda world, front: calls.append(front.name), per="front"),
        Phase("toy_once", idle, lambda world: calls.append("once")),
    )
    world = build_world(scenario_with(horizon_days=30.0), seed=0, phases=phases)
    run_world(world)
    results(world)
    assert calls == ["shamali", "north", "once"]


def test_a_per_city_phase_runs_once_per_city_with_its_place():
    seen = []

    def watch(world, city):
        seen.append((city.name, float(world.rng[f"watch.{city.name}"].random() < 2.0)))
        yield world.env.timeout(1.0)

    phases = (*PHASES, Phase("watch", watch, lambda world, city: seen.append(city.kind), "city"))
    world = build_world(scenario_with(horizon_days=30.0), seed=0, phases=phases)
    run_world(world)
    results(world)
    # the 2001 theatre's cities: Kabul and, since issue 25, the pockets of Kunduz and Kandahar
    cities = ["kabul", "kunduz", "kandahar"]
    assert seen == [*((name, 1.0) for name in cities), *(["city"] * len(cities))]
