"""Tora Bora: the redoubt the withdrawal reaches (kabulsim.model.redoubt), tier 3.

The baseline produces the four columns from mechanisms (the attack's date varies with the
run and waits for the fighters' arrival); an upstream input moves them (fewer fighters down
the route, fewer escape); the blocking force of the counterfactual scenario reduces the
escapes (paired, common random numbers); the ledger balances, with the escaped booked on the
redoubt's escape route and the killed at the redoubt; the sorties flown at the redoubt come
from the schedule (the sorties to 10 December are the same whatever happens there).

Single values (no ensemble), seed 0; 60 paired replications (about 2 s a scenario).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from kabulsim.model import build_world, simulate
from kabulsim.model.simulate import results, run_world
from kabulsim.places import with_role
from kabulsim.scenario import load_scenario
from kabulsim.scenario.schema import Scenario
from tests.helpers import scenario_with

REPS = 60
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
PLACE = with_role("redoubt")[0]
ASSAULT, ENDS, ESCAPED, KILLED = (
    f"{PLACE.name}_{key}" for key in ("assault", "ends", "escaped", "killed")
)


def _rows(sc: Scenario, reps: int = REPS) -> list[dict[str, object]]:
    rows = []
    for rep in range(reps):
        r = simulate(sc, seed=0, rep=rep)
        assert r.error is None, r.error
        rows.append(r.summary)
    return rows


def _values(rows: list[dict[str, object]], name: str) -> np.ndarray:
    return np.array(
        [math.nan if r[name] is None else float(r[name]) for r in rows],  # type: ignore[arg-type]
        dtype=float,
    )


@pytest.fixture(scope="module")
def baseline() -> list[dict[str, object]]:
    return _rows(Scenario())


def test_the_baseline_produces_the_columns_from_mechanisms(baseline):
    assault, ends = _values(baseline, ASSAULT), _values(baseline, ENDS)
    escaped, killed = _values(baseline, ESCAPED), _values(baseline, KILLED)
    # The attack happens in (nearly) every run, on a date that varies with the run (no date
    # is an input), after the capital falls, and the fighting ends after it begins.
    assert np.isfinite(assault).mean() >= 0.95
    assert np.nanstd(assault) > 24.0
    kabul = _values(baseline, "kabul_falls")
    ok = np.isfinite(assault)
    assert (assault[ok] > kabul[ok]).all()
    done = np.isfinite(ends)
    assert done.mean() >= 0.9 and (ends[done] > assault[done]).all()
    # Fighters die there and escape from there in every run where the attack came.
    assert (escaped[ok] > 0).all() and (killed[ok] > 0).all()


def test_fewer_fighters_down_the_route_fewer_escape(baseline):
    fewer = _rows(scenario_with(**{"withdrawal.tora_bora_share_foreign": 0.35}))
    base, less = _values(baseline, ESCAPED), _values(fewer, ESCAPED)
    assert _values(fewer, "to_tora_bora").mean() < 0.8 * _values(baseline, "to_tora_bora").mean()
    # Paired (common random numbers): fewer escape in most runs and by at least 15% on average.
    assert (less < base).mean() >= 0.8
    assert less.mean() <= 0.85 * base.mean()


def test_no_fighters_on_the_way_no_attack():
    sc = scenario_with(
        **{
            "withdrawal.tora_bora_share_foreign": 0.0,
            "withdrawal.kandahar_share_afghan": 1.0,
            "tora_bora.other_inflow": 0,
        }
    )
    rows = _rows(sc, 10)
    assert all(r[ASSAULT] is None and r[ENDS] is None for r in rows)
    assert all(r[ESCAPED] == 0 and r[KILLED] == 0 for r in rows)


def test_the_blocking_force_reduces_the_escapes(baseline):
    blocking = load_scenario(SCENARIOS / "tora_bora_blocking_force.yaml")
    assert blocking.tora_bora.blocking_effect > 0.0
    rows = _rows(blocking)
    base, blocked = _values(baseline, ESCAPED), _values(rows, ESCAPED)
    diff = blocked - base
    # Tolerance, written down: the paired mean difference is below zero by more than three
    # standard errors, and the escapes fall by at least 10% of the baseline's mean.
    se = diff.std(ddof=1) / math.sqrt(len(diff))
    assert diff.mean() + 3.0 * se < 0.0
    assert blocked.mean() <= 0.9 * base.mean()
    # Kabul is untouched: the redoubt acts after the city has fallen.
    assert _values(rows, "kabul_falls").tolist() == _values(baseline, "kabul_falls").tolist()


def test_the_sorties_at_the_redoubt_come_from_the_schedule(baseline):
    # Whether the positions are full, empty or blocked, the same sorties are flown to 10 Dec.
    empty = _rows(
        scenario_with(
            **{
                "withdrawal.tora_bora_share_foreign": 0.0,
                "withdrawal.kandahar_share_afghan": 1.0,
                "tora_bora.other_inflow": 0,
            }
        ),
        20,
    )
    for column in ("sorties_flown_to_10dec", "civilians_air_to_10dec"):
        assert _values(empty, column).tolist() == _values(baseline[:20], column).tolist()


@pytest.mark.parametrize("blocking", [0.0, 0.6])
def test_the_ledger_balances_and_books_the_redoubt(blocking):
    sc = scenario_with(**{"tora_bora.blocking_effect": blocking})
    for rep in range(5):
        world = build_world(sc, seed=0, rep=rep)
        run_world(world)
        row, _ = results(world)
        assert row["conservation_error"] == pytest.approx(0.0, abs=1e-6)
        led = world.ledger
        assert led.by_route[PLACE.retreat] == row[ESCAPED]
        at = sum(v for (cause, place), v in led.killed_at.items() if place == PLACE.name)
        assert at == row[KILLED]
        # Those who left down the route are all accounted for: still booked along it, or
        # came back into the theatre at the redoubt (arrived, or killed on the road).
        holding = world.redoubts[PLACE.name]
        assert row["to_tora_bora"] == led.by_route[PLACE.name] + led.arrived[PLACE.name]
        assert holding.fighters == 0.0 or row[ENDS] is None


@pytest.mark.parametrize(
    ("file", "seed", "reps"),
    [
        ("baseline.yaml", 0, 12),
        # rep 102: the alliance enters Kabul on the hour, and the redoubt's steps fall at the
        # same moments as the air campaign's days (the campaign's strikes come first).
        ("taliban_defend_kabul.yaml", 7, 103),
    ],
)
def test_sleeping_over_quiet_steps_and_reckoning_ahead_change_nothing(
    monkeypatch, file, seed, reps
):
    """The redoubt's shortcuts give the same run as a wake-up at every step.

    Before the attack it sleeps over the steps at which nothing can happen; during it, it
    reckons at once the steps no other phase sees before they are done. With both switched
    off (every step reckoned at its own moment), every replication's summary and events are
    the same, draw for draw.
    """
    from kabulsim.model import redoubt

    sc = load_scenario(SCENARIOS / file)
    picked = [r for r in range(reps) if r < 12 or r == reps - 1]
    fast = [simulate(sc, seed=seed, rep=r) for r in picked]
    monkeypatch.setattr(redoubt, "_past_quiet", lambda world, holding, t: t)
    monkeypatch.setattr(redoubt, "_ahead", lambda *args: False)
    every = [simulate(sc, seed=seed, rep=r) for r in picked]
    for a, b in zip(fast, every, strict=True):
        assert a.error is None and b.error is None
        # repr: every float exactly, and NaN (a date not reached) equal to NaN
        assert repr(sorted(a.summary.items())) == repr(sorted(b.summary.items()))
        assert repr(a.events) == repr(b.events)
