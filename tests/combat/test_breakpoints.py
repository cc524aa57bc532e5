"""CDB90 breakpoint distributions: quantiles, sampling, and the morale link."""

from __future__ import annotations

import numpy as np
import pytest

from kabulsim.combat.breakpoints import (
    BreakpointDistribution,
    attacker_breakpoints,
    defender_breakpoints,
)


@pytest.mark.parametrize("dist", [defender_breakpoints(), attacker_breakpoints()])
def test_quantile_function_passes_through_the_cdb90_quantiles(dist):
    for p, v in zip(dist.probs, dist.values, strict=True):
        assert dist.quantile(p) == pytest.approx(v, rel=1e-9)


def test_quantile_function_is_increasing_and_stays_a_share():
    dist = defender_breakpoints()
    ps = np.linspace(0.001, 0.999, 400)
    qs = np.array([dist.quantile(float(p)) for p in ps])
    assert np.all(np.diff(qs) >= 0)
    assert qs.min() > 0 and qs.max() <= 1.0


def test_draws_at_morale_one_follow_the_cdb90_distribution():
    """Sample quartiles against CDB90's; tolerance: 3 binomial standard errors of the share."""
    dist = defender_breakpoints()
    rng = np.random.default_rng(1)
    n = 20_000
    draws = np.array([dist.draw(rng, 1.0) for _ in range(n)])
    se = 3 * np.sqrt(0.25 / n)
    for p, v in zip(dist.probs, dist.values, strict=True):
        assert np.mean(draws <= v) == pytest.approx(p, abs=se + 1e-9)


def test_lower_morale_breaks_earlier_in_distribution():
    dist = defender_breakpoints()
    u = np.random.default_rng(2).random(2_000)
    high = np.array([dist.quantile_at_morale(x, 1.0) for x in u])
    low = np.array([dist.quantile_at_morale(x, 0.5) for x in u])
    assert np.all(low <= high)
    # At morale 0.5 the median draw is the 25th percentile (u**2 has median 0.25).
    assert np.median(low) == pytest.approx(dist.values[1], rel=0.1)


def test_invalid_distributions_are_refused():
    with pytest.raises(ValueError, match="increasing"):
        BreakpointDistribution((0.1, 0.5), (0.3, 0.1))
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        BreakpointDistribution((0.1, 0.5), (0.0, 0.1))
