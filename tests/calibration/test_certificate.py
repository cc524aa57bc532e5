"""The certificate (simulation-based calibration on a reference table) on a toy problem.

Toy: a ~ U(0, 1), b ~ log-U(0.1, 10); statistics x1 = a + N(0, 0.05), x2 = log b + N(0, 0.2),
x3 = N(0, 1) (uninformative). Reference table of 3,000 rows, 300 pseudo-records.

Tolerances, written down: with a calibrated method each level's pooled coverage over the two
parameters (600 indicator values, positively correlated within a pseudo-record) has a standard
error of at most sqrt(0.25/300) = 0.029; the certificate's own pass rule is 5 points. A method
made deliberately over-wide (no regression adjustment, half the table accepted) covers the
50% interval in far more than 55% of pseudo-records and must fail.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from kabulsim.calibration.certificate import (
    certify,
    ecdf_band,
    posterior,
    reference_table,
    weighted_quantile,
)
from kabulsim.calibration.priors import FreeParameter

A = FreeParameter("toy.a", 0.0, 1.0, log=False, default=0.5, units="1")
B = FreeParameter("toy.b", 0.1, 10.0, log=True, default=1.0, units="1")
KEYS = ("x1", "x2", "x3")
SCALES = (0.05, 0.2, 1.0)


class Toy:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def __call__(self, particle: dict[str, float]) -> dict[str, float]:
        return {
            "x1": particle[A.key] + self.rng.normal(0, 0.05),
            "x2": math.log(particle[B.key]) + self.rng.normal(0, 0.2),
            "x3": self.rng.normal(0, 1),
        }


@pytest.fixture(scope="module")
def table():
    return reference_table(Toy(1), (A, B), KEYS, SCALES, n=3000, seed=2)


def test_the_table_draws_from_the_priors(table) -> None:
    assert table.theta.shape == (3000, 2) and table.stats.shape == (3000, 3)
    assert 0 <= table.theta[:, 0].min() and table.theta[:, 0].max() <= 1
    logs = np.log(table.theta[:, 1])
    # log-uniform: log b uniform on (log 0.1, log 10); its mean is 0 within 4 standard errors
    assert abs(logs.mean()) < 4 * (2 * math.log(10)) / math.sqrt(12 * 3000)


def test_a_calibrated_method_covers_as_it_says(table) -> None:
    cert = certify(table, pseudo_records=300, seed=3)
    cov = cert.coverage()
    for level, row in cov.items():
        assert abs(row["pooled"] - level) <= 0.05, (level, row)
    assert cert.passed
    assert cert.ranks.shape == (300, 2)
    assert ((cert.ranks >= 0) & (cert.ranks <= 1)).all()


def test_an_over_wide_method_fails_its_certificate(table) -> None:
    cert = certify(table, pseudo_records=300, accept=1500, adjust=False, seed=3)
    assert cert.coverage()[0.5]["pooled"] > 0.6
    assert not cert.passed


def test_the_record_is_placed_in_the_prior_predictive(table) -> None:
    typical = certify(table, pseudo_records=100, record={"x1": 0.5, "x2": 0.0, "x3": 0.0})
    assert typical.record_p is not None and typical.record_p > 0.05
    assert abs(typical.record_percentiles["x1"] - 0.5) < 0.06
    absurd = certify(table, pseudo_records=100, record={"x1": 5.0, "x2": 0.0, "x3": 0.0})
    assert absurd.record_p == 0.0
    assert absurd.record_percentiles["x1"] == 1.0


def test_the_adjusted_posterior_stays_in_the_prior_range(table) -> None:
    samples, w = posterior(table, np.array([0.99, 2.2, 0.0]), 100)
    assert abs(w.sum() - 1) < 1e-12
    assert (samples[:, 0] >= 0).all() and (samples[:, 0] <= 1).all()
    assert (samples[:, 1] >= 0.1).all() and (samples[:, 1] <= 10).all()
    assert weighted_quantile(samples[:, 0], w, 0.5) > 0.9


def test_the_simultaneous_band_holds_uniform_ranks_95_percent_of_the_time() -> None:
    n = 300
    z, lo, hi = ecdf_band(n, alpha=0.05, sims=2000, seed=1)
    assert (lo <= z).all() and (z <= hi).all()
    rng = np.random.default_rng(9)
    inside = 0
    trials = 400
    for _ in range(trials):
        u = np.sort(rng.uniform(size=n))
        ecdf = np.searchsorted(u, z, side="right") / n
        inside += bool(((ecdf >= lo) & (ecdf <= hi)).all())
    # 95% nominal; 400 trials give a standard error of 1.1 points: allow 4 standard errors
    assert abs(inside / trials - 0.95) < 0.045


def test_the_certificate_is_drawn_and_written_as_data(table, tmp_path) -> None:
    import json

    from kabulsim.plots.certificate import rank_ecdf_plot

    cert = certify(table, pseudo_records=120, record={"x1": 0.5, "x2": 0.0, "x3": 0.0})
    fig = rank_ecdf_plot(cert)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2
    fig.savefig(tmp_path / "rank_ecdf.png")
    assert (tmp_path / "rank_ecdf.png").stat().st_size > 10_000
    data = json.loads(json.dumps(cert.to_dict()))
    assert data["pseudo_records"] == 120 and len(data["ranks"]) == 120
    assert set(data["coverage"]) == {"0.5", "0.8", "0.95"}
    assert data["passed"] == cert.passed


def test_the_model_table_is_the_same_on_one_or_two_workers() -> None:
    from kabulsim.calibration.certificate import model_table
    from kabulsim.calibration.priors import free_parameters
    from kabulsim.calibration.settings import Settings
    from kabulsim.calibration.statistics import STATISTICS
    from kabulsim.scenario.schema import Scenario

    one = model_table(Scenario(), Settings(reps=2, workers=1, seed=4), rows=16)
    two = model_table(Scenario(), Settings(reps=2, workers=2, seed=4), rows=16)
    assert one.theta.shape == (16, len(free_parameters()))
    assert one.stats.shape == (16, len(STATISTICS))
    assert np.array_equal(one.theta, two.theta)
    assert np.array_equal(one.stats, two.stats, equal_nan=True)
    assert np.isfinite(one.stats).mean() > 0.5
