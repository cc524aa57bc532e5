"""timer_or: the same course of events as ``yield timer | other``, without a condition."""

from __future__ import annotations

import numpy as np
import simpy

from kabulsim.model.world import timer_or


def _trace(use_helper: bool, seed: int) -> list[tuple[float, str, int]]:
    env = simpy.Environment()
    rng = np.random.default_rng(seed)
    trace: list[tuple[float, str, int]] = []
    box = {"signal": env.event()}

    def waiter(name: str):
        while env.now < 50.0:
            timer = env.timeout(float(rng.exponential(2.0)))
            if use_helper:
                fired = yield from timer_or(timer, box["signal"])
            else:
                yield timer | box["signal"]
                fired = timer.processed
            trace.append((env.now, name, int(fired)))

    def signaller():
        while env.now < 50.0:
            yield env.timeout(float(rng.exponential(3.0)))
            old, box["signal"] = box["signal"], env.event()
            old.succeed()
            trace.append((env.now, "signal", 0))

    def listener():
        while env.now < 50.0:
            yield box["signal"]
            trace.append((env.now, "listener", 0))

    for name in ("a", "b"):
        env.process(waiter(name))
    env.process(signaller())
    env.process(listener())
    env.run(until=60.0)
    trace.append((env.now, "scheduled", next(env._eid)))  # same events scheduled in all
    return trace


def test_timer_or_follows_the_same_course_as_a_condition() -> None:
    for seed in range(5):
        with_condition = _trace(False, seed)
        assert with_condition == _trace(True, seed)
        kinds = {(name, fired) for _, name, fired in with_condition}
        assert ("a", 1) in kinds and ("a", 0) in kinds  # both ways of waking happen


def test_timer_or_with_an_event_already_processed() -> None:
    env = simpy.Environment()
    done = env.event()
    done.succeed()
    env.run()  # processed
    out: list[bool] = []

    def proc():
        fired = yield from timer_or(env.timeout(5.0), done)
        out.append(fired)

    env.process(proc())
    env.run()
    assert out == [False] and env.now == 5.0  # woken at once; the timer still runs out
