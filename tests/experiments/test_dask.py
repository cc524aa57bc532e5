from __future__ import annotations

import json

import pandas as pd
import pytest

from kabulsim.experiments import run_many
from kabulsim.experiments.executors import CLUSTER_BATCH_SIZE
from kabulsim.scenario import Scenario

distributed = pytest.importorskip(
    "dask.distributed", reason="dask[distributed] is not installed (pip install 'kabulsim[dask]')"
)


def test_dask_cluster_matches_local_run(tmp_path):
    scenario = Scenario()
    local = run_many(scenario, 60, 21, workers=1, batch_size=25)
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = run_many(scenario, 60, 21, client=client, batch_size=25, out=tmp_path / "run")
        # Without a batch size, the cluster gets larger tasks; the tables do not change.
        default = run_many(scenario, 250, 21, client=client, out=tmp_path / "default")
    manifest = json.loads((tmp_path / "default" / "manifest.json").read_text())
    assert manifest["batch_size"] == CLUSTER_BATCH_SIZE == 200
    assert len(list((tmp_path / "default" / "chunks").glob("summary-*"))) == 2
    pd.testing.assert_frame_equal(
        default.summary, run_many(scenario, 250, 21, workers=1, series_reps=0).summary
    )
    pd.testing.assert_frame_equal(local.summary, remote.summary)
    pd.testing.assert_frame_equal(local.events, remote.events)
    pd.testing.assert_frame_equal(local.series, remote.series)
    pd.testing.assert_frame_equal(local.series_quantiles, remote.series_quantiles)
