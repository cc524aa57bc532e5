"""The free parameters' priors stay inside what the sources support (docs/calibration.md)."""

from __future__ import annotations

from kabulsim.calibration.priors import free_parameters

CROSS_CHECK = 2.0
"""Taliban dead per strike sortie, ground fighting included: 8,000-12,000 over about 6,000
sorties (docs/sources.md, "Cross-checks"), 1.3-2; kills per controlled sortie cannot exceed it."""


def test_no_prior_draw_kills_more_per_controlled_sortie_than_the_cross_check() -> None:
    by_path = {p.path: p for p in free_parameters()}
    kills = by_path["air.kills_per_sortie"]
    multiplier = by_path["air.controller_multiplier"]
    assert kills.high * multiplier.high <= CROSS_CHECK
    # the schema's values are draws the priors can make
    assert kills.low <= kills.default <= kills.high
    assert multiplier.low <= multiplier.default <= multiplier.high
