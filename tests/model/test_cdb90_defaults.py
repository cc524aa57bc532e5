"""The CDB90-derived defaults in the schema equal the figures the calibration script derived."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from kabulsim.scenario.schema import Shamali


@pytest.fixture(scope="module")
def derived():
    text = resources.files("kabulsim").joinpath("data/cdb90_calibration.json").read_text()
    return json.loads(text)


def test_breakpoints_are_the_cdb90_medians(derived):
    sh = Shamali()
    # Three significant figures: the schema states the figure as published in the table.
    assert sh.taliban_breakpoint == pytest.approx(
        derived["defender_breakpoint"]["median"], rel=5e-3
    )
    assert sh.alliance_breakpoint == pytest.approx(
        derived["attacker_breakpoint"]["median"], rel=5e-3
    )


def test_kill_rates_are_the_cdb90_medians_per_hour(derived):
    sh = Shamali()
    assert sh.alliance_kill_rate == pytest.approx(
        derived["kill_rate_attacker_per_day"]["median"] / 24, rel=5e-3
    )
    assert sh.taliban_kill_rate == pytest.approx(
        derived["kill_rate_defender_per_day"]["median"] / 24, rel=5e-3
    )
