"""Tables as the user gave them: a frame in memory or Parquet files, read by columns in batches.

A population's largest table (payment records: tens of millions of rows) is never needed whole
in memory: the engine needs a few compact numbers per record, and the case model needs the raw
rows of the few persons the columnar screen cannot vouch for.
[`TableSource`][insurrules.population.sources.TableSource] gives both:
[`batches`][insurrules.population.sources.TableSource.batches] (only the columns asked for, as Arrow
record batches, text columns that Parquet stores dictionary-encoded kept as dictionaries) and
[`rows_of`][insurrules.population.sources.TableSource.rows_of] (the raw rows of some persons, in
table order).

Accepted: polars DataFrame or LazyFrame, pandas DataFrame, Arrow Table or RecordBatch, a dict of
columns, and a path to a Parquet file, a directory of Parquet files or a hive-partitioned
dataset (``<table>/year=2025/part-0.parquet``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from insurrules.population.problems import PopulationError

__all__ = ["BATCH_ROWS", "TableSource", "source_of"]

#: rows per batch: large enough that per-batch overheads vanish, small enough for the caches
BATCH_ROWS = 1 << 21


_POOL = threading.Lock()


def parquet_file(path: Path, dictionary: Sequence[str] = ()) -> Any:
    """``pyarrow.parquet.ParquetFile(path)`` whose reads allocate from the system allocator.

    A reader takes Arrow's default memory pool when it is opened. The default (mimalloc) hands
    freed pages back to the system within milliseconds, so decoding row group after row group
    faults in and zeroes fresh pages for every part: on 55 M payment records, seconds of system
    time, several times what the system allocator costs, which reuses the memory freed by the
    part before. Only the opening switches the default pool (under a lock, so that readers
    opened on several threads at once restore it): every other Arrow allocation keeps it.
    """
    import pyarrow.parquet as pq

    with _POOL:
        default = pa.default_memory_pool()
        pa.set_memory_pool(pa.system_memory_pool())
        try:
            return pq.ParquetFile(path, read_dictionary=list(dictionary) or None)
        finally:
            pa.set_memory_pool(default)


class SourceError(ValueError):
    """A table that cannot be read at all (not a table, no such file...)."""


class TableSource:
    """One table as given (see the module docstring)."""

    def __init__(self, name: str, frame: pl.DataFrame | None = None, path: Path | None = None):
        self.name = name
        self._frame = frame
        self._path = path
        self._dataset: Any = None
        self._schema: pl.Schema | None = None

    # -- what it is --------------------------------------------------------------------------
    @property
    def in_memory(self) -> bool:
        return self._frame is not None

    def _ds(self, dictionary: Sequence[str] = ()) -> Any:
        import pyarrow.dataset as ds

        assert self._path is not None
        fmt = ds.ParquetFileFormat(
            read_options=ds.ParquetReadOptions(dictionary_columns=set(dictionary))
        )
        path = self._path
        if path.is_dir():
            return ds.dataset(path, format=fmt, partitioning="hive", exclude_invalid_files=True)
        return ds.dataset(path, format=fmt)

    @property
    def schema(self) -> pl.Schema:
        """The polars types of the columns (Parquet: from the file metadata, nothing read)."""
        if self._frame is not None:
            return self._frame.schema
        if self._schema is None:
            # (not Schema.empty_table(): it imports pandas)
            empty = pl.from_arrow(pa.Table.from_batches([], schema=self._arrow_schema()))
            assert isinstance(empty, pl.DataFrame)
            self._schema = empty.schema
        return self._schema

    def _file(self, dictionary: Sequence[str] = ()) -> Any:
        """A single Parquet file, read without ``pyarrow.dataset`` (whose import alone, pandas
        with it, takes longer than reading a million persons); None for a folder."""
        assert self._path is not None
        if self._path.is_dir():
            return None
        return parquet_file(self._path, dictionary)

    def _arrow_schema(self) -> pa.Schema:
        single = self._file()
        if single is not None:
            return single.schema_arrow
        if self._dataset is None:
            self._dataset = self._ds()
        schema: pa.Schema = self._dataset.schema
        return schema

    def __len__(self) -> int:
        if self._frame is not None:
            return self._frame.height
        single = self._file()
        if single is not None:
            return int(single.metadata.num_rows)
        if self._dataset is None:
            self._dataset = self._ds()
        return int(self._dataset.count_rows())

    # -- reading -----------------------------------------------------------------------------
    def frame(self, columns: Iterable[str] | None = None) -> pl.DataFrame:
        """The table (or those columns of it) as one polars frame."""
        wanted = None if columns is None else [c for c in columns if c in self.schema]
        if self._frame is not None:
            return self._frame if wanted is None else self._frame.select(wanted)
        single = self._file()
        if single is not None:
            table = single.read(columns=wanted)
        else:
            table = self._ds().to_table(columns=wanted)
        out = pl.from_arrow(table, rechunk=False)
        assert isinstance(out, pl.DataFrame)
        return out

    def batches(
        self, columns: Sequence[str], dictionary: Sequence[str] = (), rows: int = BATCH_ROWS
    ) -> Iterator[pa.RecordBatch]:
        """The columns (those present), in order, as record batches of about ``rows`` rows.

        ``dictionary``: text columns to keep dictionary-encoded where Parquet stores them so (a
        month or a payer code is then read once per distinct value, not once per row).
        """
        present = [c for c in columns if c in self.schema]
        if self._frame is not None:
            table = self._frame.select(present).to_arrow()
            yield from table.to_batches(max_chunksize=rows)
            return
        encoded = [c for c in dictionary if c in present]
        single = self._file(encoded)
        if single is not None:
            yield from single.iter_batches(batch_size=rows, columns=present)
            return
        dataset = self._ds(encoded)
        yield from dataset.to_batches(columns=present, batch_size=rows, batch_readahead=2)

    def parts(
        self, columns: Sequence[str], dictionary: Sequence[str] = (), rows: int = BATCH_ROWS
    ) -> Iterator[tuple[int, Callable[[], pa.RecordBatch | pa.Table]]]:
        """The columns (those present) in consecutive parts, in order: each part's row count
        and a function that reads it, so that parts can be decoded on several threads at once
        (a Parquet file: one part per row group; otherwise the
        [`batches`][insurrules.population.sources.TableSource.batches], already read).

        ``dictionary``: as for `batches`.
        """
        present = [c for c in columns if c in self.schema]
        encoded = [c for c in dictionary if c in present]
        single = None if self._frame is not None else self._file(encoded)
        if single is None:
            for batch in self.batches(columns, dictionary, rows):
                yield batch.num_rows, partial(_given, batch)
            return
        path = self._path
        assert path is not None

        def read(group: int) -> pa.Table:
            # a reader per part: a ParquetFile is not to be shared between threads
            table: pa.Table = parquet_file(path, encoded).read_row_group(
                group, columns=present, use_threads=False
            )
            return table

        for group in range(single.num_row_groups):
            yield single.metadata.row_group(group).num_rows, partial(read, group)

    def take(self, positions: npt.NDArray[np.integer[Any]]) -> pl.DataFrame:
        """The rows at ``positions`` (increasing), raw, every column. A Parquet file reads only
        the row groups that hold them (the records of a few persons, not the whole table)."""
        at = np.asarray(positions, dtype=np.int64)
        if self._frame is not None:
            return self._frame[at]
        single = self._file()
        if single is None:
            table = self._ds().to_table()
            out = pl.from_arrow(table.take(pa.array(at)))
            assert isinstance(out, pl.DataFrame)
            return out
        text = [f.name for f in single.schema_arrow if pa.types.is_string(f.type)]
        sizes = [single.metadata.row_group(g).num_rows for g in range(single.num_row_groups)]
        bounds = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
        group = np.searchsorted(bounds, at, side="right") - 1
        path = self._path
        assert path is not None

        def read(g: int) -> pl.DataFrame:
            # text read dictionary-encoded (each distinct value once), back to text once taken
            table = parquet_file(path, text).read_row_group(g, use_threads=False)
            part = pl.from_arrow(table)
            assert isinstance(part, pl.DataFrame)
            taken: pl.DataFrame = part[at[group == g] - bounds[g]]
            return taken.with_columns(pl.col(text).cast(pl.String))

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:
            parts = list(pool.map(read, np.unique(group).tolist()))
        if not parts:
            return self.frame().clear()
        return pl.concat(parts)

    def rows_of(self, column: str, values: pl.Series) -> pl.DataFrame:
        """The rows whose ``column`` is one of ``values`` (as text), in table order, raw."""
        keep = values.cast(pl.String).implode()
        if self._frame is not None:
            return self._frame.filter(pl.col(column).cast(pl.String).is_in(keep))
        import pyarrow.compute as pc
        import pyarrow.dataset as ds

        dataset = self._ds()
        value_set = pa.array(values.cast(pl.String).to_list(), type=pa.string())
        field = ds.field(column)
        if not pa.types.is_string(dataset.schema.field(column).type):
            field = field.cast(pa.string())
        table = dataset.to_table(filter=pc.is_in(field, value_set=value_set))
        out = pl.from_arrow(table)
        assert isinstance(out, pl.DataFrame)
        return out


def source_of(name: str, data: Any) -> TableSource:
    """A [`TableSource`][insurrules.population.sources.TableSource] for ``data`` (see the module
    docstring for what is accepted)."""
    if isinstance(data, str | Path):
        path = Path(data)
        if not path.exists():
            raise PopulationError([f"{name}: no such file or directory: {path}"])
        return TableSource(name, path=path)
    if isinstance(data, pl.DataFrame):
        return TableSource(name, frame=data)
    if isinstance(data, pl.LazyFrame):
        return TableSource(name, frame=data.collect())
    module = type(data).__module__
    try:
        if module.startswith("pandas"):
            try:
                return TableSource(name, frame=pl.from_pandas(data))
            except (UnicodeError, ValueError, pl.exceptions.PolarsError, pa.ArrowException):
                return TableSource(name, frame=_encodable(pl.from_pandas, data.map(_text)))
        if module.startswith("pyarrow"):
            out = pl.from_arrow(data)
            if isinstance(out, pl.DataFrame):
                return TableSource(name, frame=out)
        if isinstance(data, dict):
            try:
                return TableSource(name, frame=pl.DataFrame(data, strict=False))
            except (UnicodeError, ValueError, pl.exceptions.PolarsError):
                cleaned = {k: [_text(v) for v in values] for k, values in data.items()}
                return TableSource(name, frame=pl.DataFrame(cleaned, strict=False))
    except (TypeError, ValueError, pl.exceptions.PolarsError, pa.ArrowException) as exc:
        raise PopulationError(
            [f"{name}: cannot be read as a table ({type(exc).__name__})"]
        ) from None
    raise PopulationError([f"{name}: expected a polars, pandas or Arrow table, got {module}"])


def _given(batch: pa.RecordBatch) -> pa.RecordBatch:
    return batch


def _text(value: Any) -> Any:
    """Text that cannot be stored as UTF-8 (a lone surrogate) with the bad characters replaced:
    it is never a valid value, and the case model says so either way."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "replace").decode("utf-8")
    return value


def _encodable(read: Any, data: Any) -> pl.DataFrame:
    out = read(data)
    assert isinstance(out, pl.DataFrame)
    return out
