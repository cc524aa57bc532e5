from __future__ import annotations

import pandas as pd
import pytest

from kabulsim.experiments import run_many
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
    pd.testing.assert_frame_equal(local.summary, remote.summary)
    pd.testing.assert_frame_equal(local.events, remote.events)
    pd.testing.assert_frame_equal(local.series, remote.series)
    pd.testing.assert_frame_equal(local.series_quantiles, remote.series_quantiles)
