"""What every population's tables share, whatever the scheme: the kinds of column, their checks
and defaults ([`normalize_table`][insurrules.population.tableset.normalize_table]), the
[`TableSet`][insurrules.population.tableset.TableSet] base class with Parquet I/O, and dates as day
and month numbers for the engines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from insurrules.errors import mask_text
from insurrules.population.problems import PopulationError
from insurrules.population.sources import TableSource
from insurrules.population.values import NO_DAY, NO_MONTH_INDEX, dictionary_codes
from insurrules.text_columns import ascii_digits, digit_numbers, fixed_width

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
    "PersonRows",
    "PopulationError",
    "TableSet",
    "as_of_date",
    "check_columns",
    "day_numbers",
    "digit_keys",
    "empty_table",
    "given_value",
    "month_numbers",
    "normalize_table",
    "read_tables",
    "to_polars",
    "write_tables",
]

Bools = npt.NDArray[np.bool_]

#: The kinds of column a table schema names (see `normalize_table`).
TEXT, DATE, MONTH, AMOUNT, INT = "text", "date", "month", "amount", "int"


def to_polars(name: str, data: Any) -> pl.DataFrame:
    """``data`` (any table [`source_of`][insurrules.population.sources.source_of] accepts) in
    memory."""
    from insurrules.population.sources import source_of

    return source_of(name, data).frame()


#: the polars type each kind of column becomes
_DTYPES = {TEXT: pl.String, DATE: pl.Date, MONTH: pl.Date, INT: pl.Int64, AMOUNT: pl.String}

#: column -> (kind, required)
Columns = Mapping[str, tuple[str, bool]]


def empty_table(columns: Columns) -> pl.DataFrame:
    """A table with no rows and every column (optional ones too) of its schema."""
    return pl.DataFrame(schema={col: _DTYPES[kind] for col, (kind, _) in columns.items()})


def _kind_fits(kind: str, dtype: pl.DataType) -> bool:
    if dtype == pl.Null:
        return True
    text = dtype == pl.String or dtype == pl.Categorical or isinstance(dtype, pl.Enum)
    if kind == TEXT:
        return bool(text)
    if kind == INT:
        return bool(dtype.is_integer() or dtype.is_float())
    if kind in (DATE, MONTH):
        return bool(text or dtype == pl.Date or isinstance(dtype, pl.Datetime))
    return bool(text or dtype.is_numeric() or dtype == pl.Boolean)  # an amount


def check_columns(table: str, schema: pl.Schema, problems: list[str], columns: Columns) -> None:
    """Structural problems of a table's columns: missing required ones, impossible types.

    Values are never checked here: a value in an unusual form is read by the case model, row by
    row (see [`insurrules.population.values`][insurrules.population.values]).
    """
    for col, (kind, required) in columns.items():
        where = f"{table}.{col}"
        if col not in schema:
            if required:
                problems.append(f"{where}: missing column")
            continue
        if not _kind_fits(kind, schema[col]):
            expected = {
                TEXT: "text",
                INT: "whole numbers",
                DATE: "a date or ISO date text",
                MONTH: "a date or YYYY-MM text",
                AMOUNT: "a number or decimal text",
            }[kind]
            problems.append(f"{where}: expected {expected}, got {schema[col]}")


def normalize_table(
    table: str,
    df: pl.DataFrame,
    problems: list[str],
    columns: Columns,
    defaults: Mapping[str, Any] | None = None,
) -> pl.DataFrame:
    """The table in the schema's types, for reading: text as text, dates and months as dates
    (null where the value is not a readable date), whole numbers as Int64; absent optional
    columns added (``defaults``, else nulls) and nulls in defaulted columns filled.

    Structural problems ([`check_columns`][insurrules.population.tableset.check_columns]) are
    appended, named ``table.column``. Values are not judged here: the population's row errors come
    from the case models.
    """
    from insurrules.population.values import days, wholes

    check_columns(table, df.schema, problems, columns)
    exprs: list[pl.Expr | pl.Series] = []
    for col, (kind, _required) in columns.items():
        default = (defaults or {}).get(col)
        if col not in df.columns:
            if default is not None:
                exprs.append(pl.lit(default, dtype=_DTYPES[kind]).alias(col))
            else:
                exprs.append(pl.lit(None, dtype=_DTYPES[kind]).alias(col))
            continue
        if not _kind_fits(kind, df.schema[col]):
            continue
        if kind == TEXT:
            expr = pl.col(col).cast(pl.String)
            exprs.append(expr.fill_null(default) if default is not None else expr)
        elif kind == DATE:
            numbers, _ = days(df[col].to_arrow())
            exprs.append(_dates(col, numbers, numbers == NO_DAY))
        elif kind == MONTH:
            index, _ = days(df[col].to_arrow(), month=True)
            first = _month_first_days(index.astype(np.int64))
            exprs.append(_dates(col, first, index == NO_MONTH_INDEX))
        elif kind == INT:
            whole, ok = wholes(df[col].to_arrow())
            out = pl.Series(col, whole, dtype=pl.Int64)
            exprs.append(out.set(pl.Series(~ok), None))
    return df.with_columns(exprs) if exprs else df


def _dates(name: str, numbers: npt.NDArray[Any], missing: npt.NDArray[np.bool_]) -> pl.Series:
    out = pl.Series(name, np.where(missing, 0, numbers).astype(np.int32)).cast(pl.Date)
    return out.scatter(np.flatnonzero(missing), None) if missing.any() else out


def _month_first_days(index: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    inside = (index >= 12) & (index < 120_000)
    safe = np.where(inside, index, 1970 * 12) - 1970 * 12
    days: npt.NDArray[np.int64] = (
        safe.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    )
    return days


#: ids of this many ASCII digits (both schemes' personal numbers) are looked up as integers
_ID_DIGITS = 12


def digit_keys(column: pa.Array | pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], Bools]:
    """Text of exactly 12 ASCII digits as the number it spells, and where the text is so.

    Two such texts are equal exactly when their numbers are, so ids of that form are matched as
    integers (an array search, no string comparison); any other value (null, another length,
    other characters) is not keyed.
    """
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if isinstance(column, pa.DictionaryArray):
        keys, keyed = digit_keys(column.dictionary)
        at = dictionary_codes(column)
        return np.append(keys, 0)[at], np.append(keyed, False)[at]
    n = len(column)
    keys = np.zeros(n, dtype=np.int64)
    keyed = np.zeros(n, dtype=np.bool_)
    kind = column.type
    text_kinds = (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view)
    if n == 0 or not any(is_kind(kind) for is_kind in text_kinds):
        return keys, keyed
    where, rows = fixed_width(column, _ID_DIGITS)
    digits = ascii_digits(rows)
    numbers = digit_numbers(rows)
    if where.size == n:
        return np.where(digits, numbers, 0), digits
    keyed[where] = digits
    keys[where[digits]] = numbers[digits]
    return keys, keyed


def _written(
    found: npt.NDArray[np.int32], out: npt.NDArray[np.int32] | None
) -> npt.NDArray[np.int32]:
    if out is None:
        return found
    out[:] = found
    return out


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


class PersonRows:
    """Person row of each record, by its ``person_id`` (-1: no such person)."""

    def __init__(self, ids: pl.Series) -> None:
        text = ids.cast(pl.String)
        keys, keyed = digit_keys(text.to_arrow())
        #: every id is 12 digits: records are matched by number (see `digit_keys`)
        self.by_number = bool(keyed.all()) and text.len() > 0
        if self.by_number:
            #: each row's key (records of a fund's extract usually come in the persons' order)
            self.by_row = keys
            by_key = np.argsort(keys)
            self.keys = keys[by_key]
            if bool(np.any(self.keys[1:] == self.keys[:-1])):
                # an id given twice (refused by the tables' check): its first row, as in order
                by_key = np.argsort(keys, kind="stable")
                self.keys = keys[by_key]
            self.order = by_key.astype(np.int32)
            return
        order = text.arg_sort(nulls_last=True)
        self.sorted = text.gather(order).drop_nulls()
        self.order = order.to_numpy()[: self.sorted.len()].astype(np.int32)

    def repeated(self) -> int:
        """How many ids appear more than once."""
        if self.by_number:
            same = self.keys[1:] == self.keys[:-1]
            return int((same[1:] & ~same[:-1]).sum() + same[:1].sum())
        return int(self.sorted.filter(self.sorted.is_duplicated()).n_unique())

    def _by_number(self, column: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.int32]:
        return self._of_keys(*digit_keys(column))

    def _following(self, keys: npt.NDArray[np.int64], keyed: Bools) -> int | None:
        """The row of the first of ``keys`` when they are the ids of consecutive rows from it
        (a part of an extract in the persons' order: no search), else None."""
        k = keys.shape[0]
        if k == 0 or not bool(keyed.all()):
            return None
        at = int(np.searchsorted(self.keys, keys[0]))
        if at >= self.keys.shape[0] or int(self.keys[at]) != int(keys[0]):
            return None
        first = int(self.order[at])
        if first + k > self.by_row.shape[0] or not np.array_equal(
            self.by_row[first : first + k], keys
        ):
            return None
        return first

    def _of_keys(self, keys: npt.NDArray[np.int64], keyed: Bools) -> npt.NDArray[np.int32]:
        # searched in increasing order, each search starts where the last ended: the sorted
        # keys are swept once instead of probed at random (10x faster once they outgrow caches)
        by_key = np.argsort(keys)
        pos = np.empty(keys.shape[0], dtype=np.int64)
        pos[by_key] = np.searchsorted(self.keys, keys[by_key])
        np.minimum(pos, self.keys.shape[0] - 1, out=pos)
        hit = keyed & (self.keys[pos] == keys)
        return np.where(hit, self.order[pos], -1).astype(np.int32)

    def look_up(self, values: pl.Series) -> npt.NDArray[np.int32]:
        if self.by_number:
            return self._by_number(values.cast(pl.String).to_arrow())
        if self.sorted.len() == 0 or values.len() == 0:
            return np.full(values.len(), -1, dtype=np.int32)
        missing = values.is_null().to_numpy()
        probe = values.fill_null("")
        pos = self.sorted.search_sorted(probe, side="left").to_numpy().astype(np.int64)
        np.minimum(pos, self.sorted.len() - 1, out=pos)
        hit = (self.sorted.gather(pos) == probe).to_numpy() & ~missing
        return np.where(hit, self.order[pos], -1).astype(np.int32)

    def rows(
        self, column: pa.Array | pa.ChunkedArray, out: npt.NDArray[np.int32] | None = None
    ) -> npt.NDArray[np.int32]:
        """The row of each id of ``column`` (-1: none), written into ``out`` when given."""
        if isinstance(column, pa.ChunkedArray):
            if column.num_chunks != 1:
                parts = [self.rows(chunk) for chunk in column.chunks]
                found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
                return _written(found, out)
            column = column.chunk(0)
        if isinstance(column, pa.DictionaryArray):  # each distinct id looked up once
            at = dictionary_codes(column)
            if out is None:
                out = np.empty(at.shape[0], dtype=np.int32)
            if self.by_number and _is_text(column.dictionary.type):
                keys, keyed = digit_keys(column.dictionary)
                first = None if column.null_count else self._following(keys, keyed)
                if first is not None:  # the dictionary's ids are those of rows first, first + 1...
                    np.add(at, first, out=out, casting="unsafe")
                    return out
                ids = self._of_keys(keys, keyed)
            else:
                ids = self.look_up(pl.Series(column.dictionary).cast(pl.String))
            lookup = np.append(ids, np.int32(-1))
            # codes index the dictionary or, for a null, the -1 after it: "clip" never clips,
            # and unlike "raise" it writes straight into ``out``
            np.take(lookup, at, out=out, mode="clip")
            return out
        return _written(self._rows(column), out)

    def _rows(self, column: pa.Array) -> npt.NDArray[np.int32]:
        if self.by_number and _is_text(column.type):
            return self._by_number(column)
        ids = pl.Series(column).cast(pl.String)
        if ids.len() < 2:
            return self.look_up(ids)
        # records usually come grouped by person: only the first of each run is looked up
        heads = ids.ne_missing(ids.shift(1)).scatter(0, True)  # a null first id too
        count = int(heads.sum())
        if count * 4 > ids.len():
            return self.look_up(ids)
        run = np.cumsum(heads.to_numpy(), dtype=np.int64)
        run -= 1
        return self.look_up(ids.filter(heads))[run]


class TableSet:
    """What every population type does with its tables (``TABLE_NAMES``, persons first).

    ``sources`` holds each table as it was given
    ([`TableSource`][insurrules.population.sources.TableSource]: a frame, or Parquet files read
    on demand); a scheme's class adds the tables in
    the schema's types for reading, and the case documents of its persons, built from the
    tables as given.
    """

    TABLE_NAMES: ClassVar[tuple[str, ...]]
    scheme: str
    sources: dict[str, TableSource]

    @classmethod
    def from_frames(cls, *args: Any, **kwargs: Any) -> Self:  # pragma: no cover - overridden
        raise NotImplementedError

    @classmethod
    def from_parquet(cls, directory: str | Path) -> Self:
        """The tables ``persons`` (required) and the others (optional) of a directory: each a
        file ``<table>.parquet`` or a folder ``<table>/`` of Parquet files (hive partitions
        too). Only the columns used are read, when they are needed: ``persons`` now, the
        records when the engine's index is built (``build_index`` or the first evaluation),
        so the files must stay until then."""
        return cls.from_frames(**read_tables(directory, cls.TABLE_NAMES))

    def to_parquet(self, directory: str | Path) -> Path:
        """Write each table, as given, as ``<directory>/<table>.parquet``."""
        return write_tables(directory, self.tables())

    def tables(self) -> Iterator[tuple[str, pl.DataFrame]]:
        """Each table as given (read into memory if it came from Parquet)."""
        for name in self.TABLE_NAMES:
            yield name, self.sources[name].frame()

    def __len__(self) -> int:
        return len(self.sources["persons"])

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(self.sources[name])}" for name in self.TABLE_NAMES)
        return f"{type(self).__name__}({self.scheme}: {sizes})"

    def document_of(
        self, person: dict[str, Any], records: dict[str, list[dict[str, Any]]]
    ) -> dict[str, Any]:  # pragma: no cover - overridden
        """A person's case document (without ``as_of``) from their rows, as given."""
        raise NotImplementedError

    def case_documents(
        self,
        rows: Iterable[int],
        records: Mapping[str, npt.NDArray[np.integer[Any]]] | None = None,
    ) -> list[dict[str, Any]]:
        """The case documents (without ``as_of``) of the persons at ``rows`` (positions in
        ``persons``), from the tables as given, in that order.

        ``records``: per table, the positions (increasing) of these persons' records, when
        known: only those are read, instead of searching the table for the persons' ids.
        """
        persons = self.sources["persons"].frame()[list(rows)]
        ids = persons["id"].cast(pl.String)

        def rows_of(name: str) -> pl.DataFrame:
            source = self.sources[name]
            if records is not None and name in records:
                return source.take(records[name])
            return source.rows_of("person_id", ids.drop_nulls())

        tables = {
            name: rows_of(name)
            .with_columns(pl.col("person_id").cast(pl.String))
            .partition_by("person_id", as_dict=True, maintain_order=True)
            for name in self.TABLE_NAMES[1:]
        }

        def of(name: str, pid: str | None) -> list[dict[str, Any]]:
            part = tables[name].get((pid,))
            return [] if part is None else part.to_dicts()

        return [
            self.document_of(row, {name: of(name, pid) for name in tables})
            for pid, row in zip(ids.to_list(), persons.iter_rows(named=True), strict=True)
        ]

    def case_document(self, person_id: str, as_of: dt.date | str) -> dict[str, Any]:
        """The case document (a mapping) of one person, as
        [`insurrules.decide`][insurrules.api.decide] takes it."""
        ids = self.sources["persons"].frame(["id"])["id"].cast(pl.String)
        found = (ids == person_id).arg_true()
        if found.len() == 0:
            raise KeyError(mask_text(f"no person {person_id}"))
        (document,) = self.case_documents([int(found[0])])
        return {**document, "as_of": as_of}

    def take(self, ids: Any) -> Self:
        """The sub-population of the given person ids (persons keep their order)."""
        keep = pl.Series(list(ids), dtype=pl.String)
        parts = {
            name: self.sources[name].rows_of("person_id" if name != "persons" else "id", keep)
            for name in self.TABLE_NAMES
        }
        return self.from_frames(**parts)


def given_value(value: Any) -> Any:
    """A value as a case document takes it: a midnight timestamp is the date pandas meant;
    anything else is handed on as given, for the case model to judge."""
    if isinstance(value, dt.datetime) and value.tzinfo is None and value.time() == dt.time(0):
        return value.date()
    return value


def read_tables(directory: str | Path, names: Iterable[str]) -> dict[str, Path]:
    """The tables ``<name>.parquet`` (or folders ``<name>/`` of Parquet files) found in
    ``directory``; ``persons`` must be there, the others are optional."""
    root = Path(directory)
    if not root.is_dir():
        raise PopulationError([f"{root}: no persons.parquet (not a directory)"])
    found: dict[str, Path] = {}
    for name in names:
        single = root / f"{name}.parquet"
        parts = root / name
        if single.is_file():
            found[name] = single
        elif parts.is_dir() and any(parts.rglob("*.parquet")):
            found[name] = parts
        elif name == "persons":
            raise PopulationError([f"{root}: no persons.parquet"])
    return found


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


def day_numbers(series: pl.Series) -> npt.NDArray[np.int64]:
    """Dates as day numbers since 1970-01-01 (null:
    [`NO_DAY`][insurrules.population.values.NO_DAY])."""
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
    """Month indices (year * 12 + month - 1) of day numbers
    ([`NO_DAY`][insurrules.population.values.NO_DAY]: a far month)."""
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


#: Result columns of [`evaluate`][insurrules.population.evaluation.evaluate], in order.
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
