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

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from insurrules.population.problems import PopulationError

__all__ = ["BATCH_ROWS", "TableSource", "source_of"]

#: rows per batch: large enough that per-batch overheads vanish, small enough for the caches
BATCH_ROWS = 1 << 21


class SourceError(ValueError):
    """A table that cannot be read at all (not a table, no such file...)."""


class TableSource:
    """One table as given (see the module docstring)."""

    def __init__(self, name: str, frame: pl.DataFrame | None = None, path: Path | None = None):
        self.name = name
        self._frame = frame
        self._path = path
        self._dataset: Any = None

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
        if self._dataset is None:
            self._dataset = self._ds()
        empty = pl.from_arrow(self._dataset.schema.empty_table())
        assert isinstance(empty, pl.DataFrame)
        return empty.schema

    def __len__(self) -> int:
        if self._frame is not None:
            return self._frame.height
        if self._dataset is None:
            self._dataset = self._ds()
        return int(self._dataset.count_rows())

    # -- reading -----------------------------------------------------------------------------
    def frame(self, columns: Iterable[str] | None = None) -> pl.DataFrame:
        """The table (or those columns of it) as one polars frame."""
        wanted = None if columns is None else [c for c in columns if c in self.schema]
        if self._frame is not None:
            return self._frame if wanted is None else self._frame.select(wanted)
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
        dataset = self._ds([c for c in dictionary if c in present])
        yield from dataset.to_batches(columns=present, batch_size=rows, batch_readahead=2)

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
