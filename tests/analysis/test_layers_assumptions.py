"""The assumption priors: inside the schema's ranges, drawn per replication, reproducible."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kabulsim.calibration import assumptions as A
from kabulsim.calibration.ensemble import resolve
from kabulsim.experiments.runner import run_many
from kabulsim.scenario import Scenario, load_scenario
from kabulsim.scenario.schema import Vacuum


def test_every_declared_prior_lies_inside_the_schema_plausible_range() -> None:
    priors = A.declared()
    assert len(priors.items) == len(A.DECLARED)
    base = Scenario().model_dump(mode="json")
    for a in priors.items:
        node = base
        for seg in a.path.split("."):
            node = node[int(seg)] if isinstance(node, list) else node[seg]
        assert a.default == node  # the schema's own value, read by path
        assert a.low < a.high and a.provenance
        part, _, name = a.path.partition(".")
        field = type(getattr(Scenario(), part)).model_fields.get(name)
        extra = field.json_schema_extra if field is not None else None
        if isinstance(extra, dict) and "plausible_range" in extra:
            low, high = extra["plausible_range"]
            assert low <= a.low and a.high <= high, a.path
            assert not extra.get("fit"), f"{a.path} is calibrated: not an assumption"


def test_draws_are_keyed_by_seed_and_replication_alone() -> None:
    priors = A.declared()
    one = priors.draw(7, 3)
    assert one == priors.draw(7, 3)
    assert one != priors.draw(7, 4) and one != priors.draw(8, 3)
    for a in priors.items:
        assert a.low <= one[a.path] <= a.high
    # the prior is what it says: log-uniform draws have a uniform logarithm
    values = priors.draws(0, range(2000))
    j = priors.paths.index("vacuum.clash_per_h")
    a = priors.items[j]
    assert a.prior == "log-uniform"
    logs = (np.log(values[:, j]) - np.log(a.low)) / (np.log(a.high) - np.log(a.low))
    assert abs(float(np.median(logs)) - 0.5) < 0.05  # 2,000 draws: sd of the median ~0.011


def test_a_value_the_scenario_sets_itself_is_kept() -> None:
    priors = A.declared()
    mine = Scenario.model_validate(
        {**Scenario().model_dump(mode="json"), "vacuum": {**Vacuum().model_dump(mode="json"),
                                                          "clash_per_h": 0.02}}
    )  # fmt: skip
    drawn = priors.apply(mine, priors.draw(0, 1))
    assert drawn.vacuum.clash_per_h == 0.02
    assert drawn.vacuum.clash_h == pytest.approx(priors.draw(0, 1)["vacuum.clash_h"])
    assert drawn.vacuum.factions[0].entry_per_h == pytest.approx(
        priors.draw(0, 1)["vacuum.factions.0.entry_per_h"]
    )


def test_runs_with_assumptions_are_identical_whatever_the_workers_and_batches() -> None:
    scenario = load_scenario("scenarios/hold_back.yaml")
    ens, priors = resolve("baseline"), A.declared()
    one = run_many(scenario, 12, 5, workers=1, ensemble=ens, assumptions=priors, batch_size=5)
    two = run_many(scenario, 12, 5, workers=2, ensemble=ens, assumptions=priors, batch_size=4)
    cols = [c for c in one.summary.columns if c != "runtime_s"]
    assert one.summary[cols].equals(two.summary[cols])
    without = run_many(scenario, 12, 5, workers=1, ensemble=ens)
    assert not one.summary[cols].equals(without.summary[cols])  # the draws reach the model


def test_a_run_without_assumptions_records_none(tmp_path) -> None:
    scenario = load_scenario("scenarios/baseline.yaml")
    run_many(scenario, 3, 0, workers=1, out=tmp_path / "plain")
    manifest = json.loads((tmp_path / "plain" / "manifest.json").read_text())
    assert "assumptions" not in manifest and "assumptions_hash" not in manifest
    run_many(scenario, 3, 0, workers=1, out=tmp_path / "drawn", assumptions=A.declared())
    manifest = json.loads((tmp_path / "drawn" / "manifest.json").read_text())
    assert manifest["assumptions"]["source"] == A.DEFAULT and manifest["assumptions_hash"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vacuum.clash_per_h: {low: 0.001, high: 0.05}\n", "outside the schema's plausible range"),
        ("vacuum.factions.0.entry_per_h: {high: 0.2}\n", "outside the schema's plausible range"),
        ("vacuum.no_such_rate: {}\n", "no such number in the schema"),
        ("air.kills_per_sortie: {}\n", "a calibrated parameter"),
        ("vacuum.clash_per_h: {low: 0.01, high: 0.005}\n", "low < high"),
        ("vacuum.return_per_h: {prior: log-uniform}\n", "needs low > 0"),
        ("- a list\n", "expected a mapping"),
    ],
)
def test_a_bad_assumptions_file_is_one_line_naming_it(tmp_path, text, expected) -> None:
    path = tmp_path / "priors.yaml"
    path.write_text(text)
    with pytest.raises(A.AssumptionError) as caught:
        A.load(path)
    message = str(caught.value)
    assert expected in message and str(path) in message and "\n" not in message


def test_a_narrower_prior_from_a_file_is_used() -> None:
    priors = A.from_mapping({"vacuum.clash_per_h": {"low": 0.005, "high": 0.02}}, "mine.yaml")
    (a,) = priors.items
    assert (a.low, a.high, a.prior, a.provenance) == (0.005, 0.02, "uniform", "given in mine.yaml")


def test_the_docs_table_lists_every_declared_prior_with_its_range() -> None:
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "uncertainty.md").read_text()
    rows = {
        m.group(1): (m.group(2), m.group(3), m.group(4))
        for m in re.finditer(
            r"^\| `([a-z_.0-9]+)` \| [^|]+ \| [^|]+ \| ([0-9.,]+) to ([0-9.,]+) \| ([a-z-]+) \|",
            text,
            re.M,
        )
    }
    priors = A.declared()
    assert set(rows) == set(priors.paths)
    for a in priors.items:
        low, high, prior = rows[a.path]
        assert float(low.replace(",", "")) == a.low and float(high.replace(",", "")) == a.high
        assert prior == a.prior, a.path


def test_a_run_with_assumptions_resumes_to_the_same_tables(tmp_path) -> None:
    from kabulsim.experiments.runner import resume

    out = tmp_path / "run"
    scenario = load_scenario("scenarios/hold_back.yaml")
    run_many(scenario, 9, 2, workers=1, out=out, assumptions=A.declared(), batch_size=3)
    whole = pd.read_parquet(out / "summary.parquet")
    for chunk in (out / "chunks").glob("*-000001.*"):
        chunk.unlink()
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "status": "interrupted"}))
    resume(out, workers=1)
    again = pd.read_parquet(out / "summary.parquet")
    cols = [c for c in whole.columns if c != "runtime_s"]
    assert whole[cols].equals(again[cols])
