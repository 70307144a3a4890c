"""evaluate_dask() on a 2-worker LocalCluster gives exactly evaluate()'s answer."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from insurrules.population import evaluate, synthetic
from insurrules.population.on_dask import evaluate_dask, write_partitioned

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


def test_dask_on_a_local_cluster_equals_evaluate(tmp_path: Path) -> None:
    pop = synthetic(1500, seed=7, as_of="2026-03-15")
    write_partitioned(pop, tmp_path / "data", partitions=4)
    want = evaluate(pop, "2026-03-15")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = evaluate_dask(tmp_path / "data", "2026-03-15", client=client)
        assert isinstance(got, pl.DataFrame)
        assert got.equals(want)
        written = evaluate_dask(
            tmp_path / "data", "2026-03-15", client=client, out=tmp_path / "out"
        )
    back = pl.read_parquet(Path(str(written)) / "*.parquet")
    assert back["id"].to_list() == want["id"].to_list()
    assert back["status"].to_list() == want["status"].to_list()


def test_a_path_without_parts_is_a_clear_error(tmp_path: Path) -> None:
    from insurrules.population import PopulationError

    with pytest.raises(PopulationError, match="no parts"):
        evaluate_dask(tmp_path, "2026-03-15")


def test_dask_evaluates_vn_parts_as_evaluate_vn(tmp_path: Path) -> None:
    from insurrules.population import evaluate_vn, synthetic_vn

    pop = synthetic_vn(600, seed=3)
    write_partitioned(pop, tmp_path / "vn", partitions=3)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = evaluate_dask(tmp_path / "vn", "2026-03-15", client=client, scheme="vn-bhyt")
    assert isinstance(got, pl.DataFrame)
    assert got.equals(evaluate_vn(pop, "2026-03-15"))
