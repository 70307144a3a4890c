"""What every population's tables share, whatever the scheme: the kinds of column, their checks
and defaults (:func:`normalize_table`), the :class:`TableSet` base class with Parquet I/O, and
dates as day and month numbers for the engines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.errors import InsurrulesError, mask_text

__all__ = [
    "AMOUNT",
    "DATE",
    "INT",
    "MONTH",
    "NO_DAY",
    "NO_MONTH_INDEX",
    "RESULT_COLUMNS",
    "TEXT",
    "Columns",
    "PopulationError",
    "TableSet",
    "as_of_date",
    "day_numbers",
    "empty_table",
    "month_numbers",
    "normalize_table",
    "read_tables",
    "to_polars",
    "write_tables",
]

#: The kinds of column a table schema names (see :func:`normalize_table`).
TEXT, DATE, MONTH, AMOUNT, INT = "text", "date", "month", "amount", "int"


class PopulationError(InsurrulesError, ValueError):
    """The population tables cannot be used as given; ``problems`` lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = [mask_text(p) for p in problems]
        super().__init__(
            "invalid population tables:\n" + "\n".join(f"  - {p}" for p in self.problems)
        )


def to_polars(name: str, data: Any) -> pl.DataFrame:
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    module = type(data).__module__
    if module.startswith("pandas"):
        return pl.from_pandas(data)
    if module.startswith("pyarrow"):
        out = pl.from_arrow(data)
        assert isinstance(out, pl.DataFrame)
        return out
    if isinstance(data, dict):
        return pl.DataFrame(data)
    raise PopulationError([f"{name}: expected a polars, pandas or Arrow table, got {module}"])


#: the polars type each kind of column becomes
_DTYPES = {TEXT: pl.String, DATE: pl.Date, MONTH: pl.Date, INT: pl.Int64, AMOUNT: pl.String}

#: column -> (kind, required)
Columns = Mapping[str, tuple[str, bool]]


def empty_table(columns: Columns) -> pl.DataFrame:
    """A table with no rows and every column (optional ones too) of its schema."""
    return pl.DataFrame(schema={col: _DTYPES[kind] for col, (kind, _) in columns.items()})


def normalize_table(
    table: str,
    df: pl.DataFrame,
    problems: list[str],
    columns: Columns,
    defaults: Mapping[str, Any] | None = None,
) -> pl.DataFrame:
    """Check columns and dtypes against ``columns``; parse date and month text; add absent
    optional columns (``defaults``, else nulls). Problems are appended, named ``table.column``.

    Kinds: text (string, categorical or enum), date and month (dates, midnight timestamps or ISO
    text; months also ``YYYY-MM``), int (whole numbers; a float column of whole numbers is how
    pandas stores integers with gaps), amount (numbers or decimal text, checked per row later).
    """
    exprs: list[pl.Expr] = []
    for col, (kind, required) in columns.items():
        where = f"{table}.{col}"
        if col not in df.columns:
            if required:
                problems.append(f"{where}: missing column")
            elif defaults and col in defaults:
                exprs.append(pl.lit(defaults[col]).alias(col))
            else:
                exprs.append(pl.lit(None, dtype=_DTYPES[kind]).alias(col))
            continue
        dtype = df.schema[col]
        if dtype == pl.Null:
            exprs.append(pl.col(col).cast(_DTYPES[kind]))
        elif kind == TEXT:
            if not (dtype == pl.String or dtype == pl.Categorical or isinstance(dtype, pl.Enum)):
                problems.append(f"{where}: expected text, got {dtype}")
        elif kind == INT:
            if dtype.is_float():
                values = df[col].fill_nan(None)
                fraction = values.is_not_null() & (values != values.round(0))
                if fraction.any():
                    problems.append(
                        f"{where}: expected whole numbers, {int(fraction.sum())} value(s) are not"
                    )
                exprs.append(pl.col(col).fill_nan(None).cast(pl.Int64, strict=False))
            elif not dtype.is_integer():
                problems.append(f"{where}: expected whole numbers, got {dtype}")
            elif dtype != pl.Int64:
                exprs.append(pl.col(col).cast(pl.Int64))
        elif kind in (DATE, MONTH):
            if dtype == pl.Date:
                if kind == MONTH:
                    exprs.append(pl.col(col).dt.truncate("1mo"))
            elif isinstance(dtype, pl.Datetime):
                # pandas keeps dates as midnight timestamps: fine, a time of day is not
                timed = df.filter(pl.col(col).dt.time() != dt.time(0))
                if timed.height:
                    problems.append(f"{where}: {timed.height} value(s) have a time of day")
                day = pl.col(col).dt.date()
                exprs.append((day.dt.truncate("1mo") if kind == MONTH else day).alias(col))
            elif dtype == pl.String:
                text = pl.col(col).str.strip_chars()
                if kind == MONTH:
                    text = pl.when(text.str.len_chars() == 7).then(text + "-01").otherwise(text)
                parsed = text.str.to_date("%Y-%m-%d", strict=False)
                bad = df.filter(pl.col(col).is_not_null() & parsed.is_null())
                if bad.height:
                    what = "YYYY-MM" if kind == MONTH else "YYYY-MM-DD"
                    problems.append(
                        f"{where}: {bad.height} value(s) are not dates ({what}), "
                        f"e.g. {mask_text(repr(bad[col][0]))}"
                    )
                exprs.append(parsed.alias(col))
            else:
                problems.append(f"{where}: expected a date or ISO date text, got {dtype}")
        elif not (dtype.is_numeric() or dtype == pl.String):
            problems.append(f"{where}: expected a number or decimal text, got {dtype}")
    for col, (kind, required) in columns.items():
        if required and col in df.columns and kind != AMOUNT and df[col].null_count():
            problems.append(f"{table}.{col}: {df[col].null_count()} row(s) are empty")
    return df.with_columns(exprs) if exprs else df


class TableSet:
    """What every population type does with its tables (``TABLE_NAMES``, persons first)."""

    TABLE_NAMES: ClassVar[tuple[str, ...]]
    persons: pl.DataFrame
    scheme: str

    @classmethod
    def from_frames(cls, *args: Any, **kwargs: Any) -> Self:  # pragma: no cover - overridden
        raise NotImplementedError

    @classmethod
    def from_parquet(cls, directory: str | Path) -> Self:
        """Read ``persons.parquet`` and the other tables (each optional but persons) from a
        directory written by :meth:`to_parquet` (or a directory of ``<table>/*.parquet`` parts)."""
        return cls.from_frames(**read_tables(directory, cls.TABLE_NAMES))

    def to_parquet(self, directory: str | Path) -> Path:
        """Write each table as ``<directory>/<table>.parquet``."""
        return write_tables(directory, self.tables())

    def tables(self) -> Iterator[tuple[str, pl.DataFrame]]:
        for name in self.TABLE_NAMES:
            yield name, getattr(self, name)

    def __len__(self) -> int:
        return self.persons.height

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={df.height}" for name, df in self.tables())
        return f"{type(self).__name__}({self.scheme}: {sizes})"

    def take(self, ids: Any) -> Self:
        """The sub-population of the given person ids (persons keep their order)."""
        keep = pl.Series(list(ids), dtype=pl.String).implode()
        parts = {
            name: df.filter(pl.col("person_id").cast(pl.String).is_in(keep))
            for name, df in self.tables()
            if name != "persons"
        }
        persons = self.persons.filter(pl.col("id").cast(pl.String).is_in(keep))
        return type(self)(persons=persons, **parts, scheme=self.scheme)  # type: ignore[call-arg]


def read_tables(directory: str | Path, names: Iterable[str]) -> dict[str, pl.DataFrame]:
    """The tables ``<name>.parquet`` (or ``<name>/*.parquet`` parts) found in ``directory``;
    ``persons`` must be there, the others are optional."""
    root = Path(directory)
    frames: dict[str, pl.DataFrame] = {}
    for name in names:
        single = root / f"{name}.parquet"
        parts = root / name
        if single.exists():
            frames[name] = pl.read_parquet(single)
        elif parts.is_dir() and any(parts.glob("*.parquet")):
            frames[name] = pl.read_parquet(parts / "*.parquet")
        elif name == "persons":
            raise PopulationError([f"{root}: no persons.parquet"])
    return frames


def write_tables(directory: str | Path, tables: Iterable[tuple[str, pl.DataFrame]]) -> Path:
    """Write each table as ``<directory>/<name>.parquet``."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    for name, df in tables:
        df.write_parquet(root / f"{name}.parquet")
    return root


def as_of_date(value: dt.date | str) -> dt.date:
    """The day asked about, from a date or ISO text (a date-time or other text is refused)."""
    if isinstance(value, dt.datetime):
        raise PopulationError([f"as_of: expected a date, got a date-time {value}"])
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise PopulationError([f"as_of: expected an ISO date YYYY-MM-DD, got {value!r}"]) from None


NO_DAY = 2**31 - 1  # a missing date as a day number
NO_MONTH_INDEX = 10**6  # a missing date as a month index (later than any real month)


def day_numbers(series: pl.Series) -> npt.NDArray[np.int64]:
    """Dates as day numbers since 1970-01-01 (null: :data:`NO_DAY`)."""
    values = series.cast(pl.Int32).fill_null(NO_DAY).to_numpy()
    return np.asarray(values).astype(np.int64, copy=False)


_TABLE_FIRST = -25567  # 1900-01-01 as a day number
_TABLE = (
    np.arange(_TABLE_FIRST, 47482, dtype=np.int64)  # to 2099-12-31
    .astype("datetime64[D]")
    .astype("datetime64[M]")
    .astype(np.int64)
    + 1970 * 12
)


def month_numbers(days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Month indices (year * 12 + month - 1) of day numbers (:data:`NO_DAY`: a far month)."""
    pos = days - _TABLE_FIRST
    if pos.size == 0 or (pos.min() >= 0 and pos.max() < _TABLE.size):
        return _TABLE[pos]
    inside = (pos >= 0) & (pos < _TABLE.size)
    out = _TABLE[np.where(inside, pos, 0)]
    if not inside.all():
        rare = ~inside & (days < NO_DAY)
        out = np.where(days >= NO_DAY, NO_MONTH_INDEX, out)
        if rare.any():
            far = days[rare].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
            out[rare] = far + 1970 * 12
    return out


#: Result columns of :func:`~insurrules.population.evaluate`, in order.
RESULT_COLUMNS = (
    "id",
    "status",
    "basis",
    "state_category",
    "budget",
    "grace_months",
    "insured_from",
    "insured_until",
    "renew_by",
    "error",
)
