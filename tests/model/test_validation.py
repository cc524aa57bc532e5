"""Tier 3: the baseline against the record (Monte Carlo, 200 replications)."""

from __future__ import annotations

import pytest

from kabulsim.analysis.validation import FACTS
from kabulsim.api import validate
from kabulsim.scenario.schema import Scenario
from tests.helpers import scenario_with


@pytest.fixture(scope="module")
def result():
    return validate(Scenario(), reps=200, seed=0)


def test_every_fact_of_the_record_passes(result):
    failing = result.table[~result.table["passed"]]
    assert failing.empty, failing[["fact", "simulated", "tolerance"]].to_string()
    assert len(result.table) == len(FACTS)


def test_every_fact_cites_its_source(result):
    assert result.table["source"].str.startswith('"').all()


def test_validation_can_fail():
    """The checks are not vacuous: without the air campaign the record is not reproduced."""
    no_air = scenario_with(
        **{"air.sorties": [{**p, "strike_sorties_per_day": 0.0} for p in _sorties()]}
    )
    table = validate(no_air, reps=40, seed=0).table
    assert not table.set_index("key").loc["shamali_date", "passed"]


def _sorties():
    return [p.model_dump() for p in Scenario().air.sorties]
