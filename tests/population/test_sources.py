"""Tables as given: Parquet files, folders of parts, hive-partitioned datasets, text or native."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.dataset as ds

from insurrules.population import Population, evaluate, synthetic
from insurrules.population.kz.synthesis import write_extract

AS_OF = "2026-03-15"


def test_a_partitioned_dataset_and_folders_of_parts_read_as_one_table(tmp_path: Path) -> None:
    pop = synthetic(300, seed=3, text=True)
    want = evaluate(pop, AS_OF)
    root = tmp_path / "extract"
    root.mkdir()
    tables = dict(pop.tables())
    tables["persons"].write_parquet(root / "persons.parquet")
    # payments as hive partitions by payer, memberships as a folder of two parts
    ds.write_dataset(
        tables["payments"].to_arrow(),
        root / "payments",
        format="parquet",
        partitioning=["payer"],
        partitioning_flavor="hive",
    )
    (root / "memberships").mkdir()
    half = tables["memberships"].height // 2
    tables["memberships"][:half].write_parquet(root / "memberships" / "part-0.parquet")
    tables["memberships"][half:].write_parquet(root / "memberships" / "part-1.parquet")
    tables["welfare_levels"].write_parquet(root / "welfare_levels.parquet")
    tables["care_requests"].write_parquet(root / "care_requests.parquet")
    back = Population.from_parquet(root)
    assert len(back.sources["payments"]) == tables["payments"].height
    got = evaluate(back, AS_OF)
    assert got.equals(want)


def test_text_and_native_extracts_give_the_same_result(tmp_path: Path) -> None:
    text = Population.from_parquet(write_extract(tmp_path / "text", 400, seed=5))
    native = Population.from_parquet(write_extract(tmp_path / "native", 400, seed=5, text=False))
    assert text.sources["payments"].schema["month"] == pl.String
    assert native.sources["payments"].schema["month"] == pl.Date
    assert evaluate(text, AS_OF).equals(evaluate(native, AS_OF))
    assert evaluate(text, AS_OF)["error"].null_count() == 400


def test_a_table_may_be_a_path_given_to_from_frames(tmp_path: Path) -> None:
    pop = synthetic(50, seed=2, text=True)
    folder = pop.to_parquet(tmp_path / "pop")
    mixed = Population.from_frames(
        pop.sources["persons"].frame().to_pandas(), folder / "payments.parquet"
    )
    assert evaluate(mixed, AS_OF).equals(evaluate(Population(pop.persons, pop.payments), AS_OF))


def test_parquet_parts_are_decoded_by_the_system_allocator_and_the_default_pool_stays(
    tmp_path: Path,
) -> None:
    """Readers are opened on the system allocator (see `parquet_file`), on several threads at
    once, and Arrow's default pool is what it was before."""
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa

    from insurrules.population.sources import source_of

    write_extract(tmp_path, 200, seed=1, as_of=AS_OF, history_months=24, text=True)
    default = pa.default_memory_pool()
    source = source_of("payments", tmp_path / "payments.parquet")
    system = pa.system_memory_pool()
    before = system.bytes_allocated()
    with ThreadPoolExecutor(max_workers=4) as pool:
        parts = list(pool.map(lambda part: part[1](), list(source.parts(["month", "amount"])) * 8))
    assert system.bytes_allocated() > before  # the parts' buffers are the system allocator's
    assert sum(p.num_rows for p in parts) == 8 * len(source)
    assert pa.default_memory_pool().backend_name == default.backend_name
