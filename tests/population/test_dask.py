"""evaluate_dask() on a 2-worker LocalCluster gives exactly evaluate()'s answer; clusters the
tests and the library start listen on 127.0.0.1 only."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from insurrules.population import evaluate, synthetic
from insurrules.population.on_dask import evaluate_dask, local_cluster, write_partitioned

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


def test_dask_on_a_local_cluster_equals_evaluate(tmp_path: Path) -> None:
    pop = synthetic(1500, seed=7, as_of="2026-03-15")
    write_partitioned(pop, tmp_path / "data", partitions=4)
    want = evaluate(pop, "2026-03-15")
    with (
        local_cluster(n_workers=2, threads_per_worker=1, processes=False) as cluster,
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
        local_cluster(n_workers=2, threads_per_worker=1, processes=False) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = evaluate_dask(tmp_path / "vn", "2026-03-15", client=client, scheme="vn-bhyt")
    assert isinstance(got, pl.DataFrame)
    assert got.equals(evaluate_vn(pop, "2026-03-15"))


def _listening_addresses() -> set[str]:
    """The local addresses this process listens on (TCP, IPv4 and IPv6), from /proc."""
    mine = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            mine.add(target[8:-1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in mine:  # LISTEN, a socket of this process
                found.add(fields[1].rsplit(":", 1)[0])
    return found


LOOPBACK_HEX = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux /proc")
@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_local_cluster_listens_on_loopback_only(processes: bool) -> None:
    before = _listening_addresses()
    with local_cluster(
        n_workers=1, threads_per_worker=1, processes=processes, dashboard_address=":0"
    ) as cluster:
        opened = _listening_addresses() - before
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        assert cluster.dashboard_link.startswith("http://127.0.0.1:")
    assert opened, "the cluster listens somewhere"
    assert opened <= LOOPBACK_HEX, opened


def test_dask_vn_on_worker_processes_on_loopback_equals_evaluate(tmp_path: Path) -> None:
    import insurrules
    from insurrules.population import synthetic_vn

    pop = synthetic_vn(900, seed=5)
    write_partitioned(pop, tmp_path / "vn", partitions=3)
    no_transfer = insurrules.vn.rules().with_changes(
        {"vn.interpretation.state_card_transfer": False}
    )
    with (
        local_cluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = evaluate_dask(tmp_path / "vn", "2026-03-15", no_transfer, client=client)
    assert isinstance(got, pl.DataFrame)
    assert got.equals(evaluate(pop, "2026-03-15", no_transfer))
