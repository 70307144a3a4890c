"""Column values read into numbers, vouching only for forms the case models surely accept.

Each reader takes an Arrow array (a column of one batch) and returns the numbers the engine
needs and a ``vouched`` mask: True where the value is in a plain, canonical form that the case
model accepts as it is (``"2025-06"``, ``"2025-06-15"`` or a date, ``"19126.02"`` or a
non-negative whole number, a known code), by the model's own patterns and bounds
([`insurrules.models`][insurrules.models]). Anything else (a null, ``"2020-03-20"`` as a
month, a padded date, ``"1e999"``, other scripts' digits, a float, a date-time with a time of
day, a date outside [`VOUCHED_DAYS`][insurrules.population.values.VOUCHED_DAYS]) is not vouched
for: the person's case then goes to the case model, which accepts it or words the error. The
readers never decide that a value is *invalid*; that keeps one definition of validity (the
models) while the bulk of the rows, plain values, is read by vectorised kernels. A property
test holds: vouched implies the model accepts.

Text columns stored as Parquet dictionaries are read once per distinct value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from insurrules.models import AMOUNT_PATTERN, DATE_PATTERN, EARLIEST_DATE, HORIZON, MAX_AMOUNT
from insurrules.months import MONTH_PATTERN
from insurrules.text_columns import given, text_bytes

__all__ = [
    "NO_DAY",
    "NO_MONTH_INDEX",
    "VOUCHED_DAYS",
    "amounts",
    "codes",
    "days",
    "dictionary_codes",
    "given",
    "months",
    "read_codes",
    "read_days",
    "read_months",
    "unvouched_amounts",
    "wholes",
]

NO_DAY = 2**31 - 1  # a missing date as a day number
NO_MONTH_INDEX = 10**6  # a missing date as a month index (later than any real month)
_EPOCH = dt.date(1970, 1, 1)
#: Dates vouched for without the model (day numbers, from inclusive, to exclusive): the dates a
#: case may carry (models.EARLIEST_DATE..HORIZON).
VOUCHED_DAYS = ((EARLIEST_DATE - _EPOCH).days, (HORIZON - _EPOCH).days + 1)
_FIRST_MONTH = EARLIEST_DATE.year * 12 + EARLIEST_DATE.month - 1
_LAST_MONTH = HORIZON.year * 12 + HORIZON.month  # exclusive
#: amounts as the model takes them: text of this pattern, whole numbers or decimals below this
AMOUNT_TEXT = AMOUNT_PATTERN
AMOUNT_LIMIT = MAX_AMOUNT

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]


def _is_text(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def _series(arr: pa.Array | pa.ChunkedArray) -> pl.Series:
    out = pl.from_arrow(arr)
    assert isinstance(out, pl.Series)
    return out


def _by_value(
    arr: pa.Array,
    read: Callable[[pl.Series], tuple[npt.NDArray[np.generic], Bools]],
    missing: int,
    spread_values: bool = True,
) -> tuple[npt.NDArray[np.generic], Bools]:
    """``read`` applied once per distinct text value, then spread to the rows (the verdicts
    only where some distinct value is not vouched for; ``spread_values``: the values too)."""
    if not isinstance(arr, pa.DictionaryArray):
        arr = arr.dictionary_encode()
    values, ok = read(_series(arr.dictionary).cast(pl.String))
    at = dictionary_codes(arr)
    if bool(ok.all()) and not arr.null_count:
        spread_ok = np.ones(len(arr), dtype=np.bool_)
    else:
        spread_ok = np.append(ok, False)[at]
    if not spread_values:
        return values[:0], spread_ok
    return np.append(values, np.array([missing], dtype=values.dtype))[at], spread_ok


def _text_days(s: pl.Series) -> tuple[I32, Bools]:
    shaped = s.str.contains(DATE_PATTERN).fill_null(False)
    parsed = s.str.to_date("%Y-%m-%d", strict=False).cast(pl.Int32)
    number = parsed.fill_null(NO_DAY).to_numpy()
    ok = shaped.to_numpy() & parsed.is_not_null().to_numpy()
    ok &= (number >= VOUCHED_DAYS[0]) & (number < VOUCHED_DAYS[1])
    return number.astype(np.int32), ok


def days(arr: pa.Array, month: bool = False) -> tuple[I32, Bools]:
    """Day numbers (days since 1970-01-01; null: [`NO_DAY`][insurrules.population.values.NO_DAY])
    and which are vouched for.

    ``month``: the column holds months (``YYYY-MM`` text or a date in the month); the days
    returned are then month indices (year * 12 + month - 1; null:
    [`NO_MONTH_INDEX`][insurrules.population.values.NO_MONTH_INDEX]).
    """
    t = arr.type
    if isinstance(arr, pa.DictionaryArray) or _is_text(t):
        if month:
            return _by_value(arr, _text_months, NO_MONTH_INDEX)  # type: ignore[return-value]
        return _by_value(arr, _text_days, NO_DAY)  # type: ignore[return-value]
    if pa.types.is_date32(t) or pa.types.is_date64(t):
        number = _series(arr).cast(pl.Int32)
        ok = number.is_not_null().to_numpy()
        values = number.fill_null(NO_DAY).to_numpy().astype(np.int32)
    elif pa.types.is_timestamp(t) and t.tz is None:
        # pandas keeps dates as midnight timestamps: a date; a time of day is not vouched for
        stamps = _series(arr)
        ok = (stamps.dt.time() == dt.time(0)).fill_null(False).to_numpy()
        values = stamps.dt.date().cast(pl.Int32).fill_null(NO_DAY).to_numpy().astype(np.int32)
    elif pa.types.is_null(t):
        return np.full(len(arr), NO_MONTH_INDEX if month else NO_DAY, np.int32), np.zeros(
            len(arr), np.bool_
        )
    else:
        n = len(arr)
        return np.full(n, NO_MONTH_INDEX if month else NO_DAY, np.int32), np.zeros(n, np.bool_)
    ok &= (values >= VOUCHED_DAYS[0]) & (values < VOUCHED_DAYS[1])
    if month:
        values = _month_of_days(values)
    return values, ok


def _month_of_days(values: I32) -> I32:
    out = values.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12
    return np.where(values == NO_DAY, NO_MONTH_INDEX, out).astype(np.int32)


def _text_months(s: pl.Series) -> tuple[I32, Bools]:
    shaped = s.str.contains(MONTH_PATTERN).fill_null(False).to_numpy()
    year = s.str.slice(0, 4).cast(pl.Int32, strict=False).fill_null(0).to_numpy()
    number = s.str.slice(5, 2).cast(pl.Int32, strict=False).fill_null(1).to_numpy()
    index = (year * 12 + number - 1).astype(np.int32)
    ok = shaped & (index >= _FIRST_MONTH) & (index < _LAST_MONTH)
    return np.where(ok, index, NO_MONTH_INDEX).astype(np.int32), ok


def months(arr: pa.Array) -> tuple[I32, Bools]:
    """Month indices (null: [`NO_MONTH_INDEX`][insurrules.population.values.NO_MONTH_INDEX]) and
    which are vouched for."""
    return days(arr, month=True)


def codes(arr: pa.Array, names: Sequence[str]) -> npt.NDArray[np.int8]:
    """The position of each value in ``names`` (-1: null or not one of them)."""
    t = arr.type
    if not (isinstance(arr, pa.DictionaryArray) or _is_text(t)):
        return np.full(len(arr), -1, dtype=np.int8)
    lookup = {name: i for i, name in enumerate(names)}

    def read(values: pl.Series) -> tuple[npt.NDArray[np.int8], Bools]:
        found = np.array([lookup.get(v, -1) for v in values.to_list()], dtype=np.int8)
        return found, found >= 0

    found, _ = _by_value(arr, read, -1)
    return found.astype(np.int8, copy=False)


def amounts(arr: pa.Array) -> Bools:
    """Which amounts are vouched for: text of the model's pattern, whole numbers or decimals
    from 0 below the model's limit. Floats never are (the model refuses inexact amounts)."""
    t = arr.type
    if isinstance(arr, pa.DictionaryArray):
        _, ok = _by_value(
            arr,
            lambda v: (np.zeros(v.len(), np.int8), _plain(v.to_arrow())),
            0,
            spread_values=False,
        )
        return ok
    if _is_text(t):
        return _plain(arr)
    s = _series(arr)
    if pa.types.is_integer(t) or pa.types.is_decimal(t):
        numbers = s.cast(pl.Float64)  # only compared with bounds far from rounding
        fits = (numbers >= 0) & (numbers < float(AMOUNT_LIMIT) / 2)
        return np.asarray(fits.fill_null(False).to_numpy(), dtype=np.bool_)
    return np.zeros(len(arr), dtype=np.bool_)


def _amount_parts(pattern: str) -> tuple[int, int]:
    """The most digits before the decimal point and after it that the model's amount pattern
    allows (read from the pattern itself: a pattern of another shape is refused here, at import,
    rather than read wrongly)."""
    parts = re.fullmatch(r"\^\[0-9\]\{1,(\d+)\}\(\\\.\[0-9\]\{1,(\d+)\}\)\?\$", pattern)
    if parts is None:  # pragma: no cover - the pattern is a constant of insurrules.models
        raise RuntimeError(f"amount pattern of an unknown shape: {pattern}")
    return int(parts[1]), int(parts[2])


_WHOLE_DIGITS, _DECIMALS = _amount_parts(AMOUNT_TEXT)
_DOT = ord(".")


def _plain(texts: pa.Array) -> Bools:
    """Which values of a text column are amount texts of the model's pattern (``AMOUNT_TEXT``:
    1-15 ASCII digits, then a point and 1-6 digits or nothing; null: no), read on their bytes
    (a regular expression per value costs ten times more; a property test holds the two equal).
    """
    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=np.bool_)
    offsets, raw = text_bytes(texts)
    first = int(offsets[0])
    data = raw[first : int(offsets[-1])]
    start = offsets[:-1].astype(np.int64) - first
    stop = offsets[1:].astype(np.int64) - first
    length = stop - start
    digit = (data - np.uint8(48)) <= 9  # wraps below "0": then above 9 too
    dot = data == _DOT

    def per_value(flags: npt.NDArray[Any]) -> Ints:
        total = np.zeros(data.size + 1, dtype=np.int64)
        np.cumsum(flags, out=total[1:])
        found: Ints = total.take(stop) - total.take(start)
        return found

    others = per_value(~(digit | dot))
    dots = per_value(dot)
    # where the point is (when there is one): the sum of its position within the value
    point = per_value(np.where(dot, np.arange(data.size, dtype=np.int64), 0)) - start
    decimals = length - point - 1
    ok: Bools = (others == 0) & (length >= 1) & given(texts)
    ok &= np.where(
        dots == 0,
        length <= _WHOLE_DIGITS,
        (dots == 1) & (point >= 1) & (point <= _WHOLE_DIGITS) & (decimals >= 1),
    )
    ok &= (dots == 0) | (decimals <= _DECIMALS)
    return ok


def wholes(arr: pa.Array) -> tuple[npt.NDArray[np.int64], Bools]:
    """Whole numbers (null: -1) and which are vouched for (an integer, or a whole float)."""
    t = arr.type
    s = _series(arr)
    if pa.types.is_integer(t):
        ok = s.is_not_null().to_numpy()
        big = s.cast(pl.Float64).abs() >= 2**31
        ok &= ~big.fill_null(False).to_numpy()
        return s.cast(pl.Int64, strict=False).fill_null(-1).to_numpy(), ok
    if pa.types.is_floating(t):
        f = s.fill_nan(None)
        whole = (f.is_not_null() & (f == f.round(0)) & (f.abs() < 2**31)).fill_null(False)
        return f.cast(pl.Int64, strict=False).fill_null(-1).to_numpy(), whole.to_numpy()
    return np.full(len(arr), -1, dtype=np.int64), np.zeros(len(arr), dtype=np.bool_)


# -- readers into given arrays ---------------------------------------------------------------
# For the largest tables: each writes a column of one batch into a slice of the caller's array
# (no array per column and batch) and returns the rows *not* vouched for, or None when all are
# (the usual case: then no per-row verdict is made at all). Same readers, same verdicts as above.

Rows = npt.NDArray[np.integer[Any]]


def _plain_numbers(arr: pa.Array) -> npt.NDArray[np.integer[Any]]:
    """A null-free integer or date32 array as numpy, without a copy (nor pyarrow's conversion,
    whose first use imports pandas)."""
    width = arr.type.bit_width
    kind = "uint" if pa.types.is_unsigned_integer(arr.type) else "int"
    data = arr.buffers()[1]
    assert data is not None
    return np.frombuffer(
        data, dtype=np.dtype(f"{kind}{width}"), count=len(arr), offset=arr.offset * (width // 8)
    )


def dictionary_codes(arr: pa.DictionaryArray) -> npt.NDArray[np.integer[Any]]:
    """The dictionary index of each row (a null: the index one past the dictionary)."""
    index = arr.indices
    at = _plain_numbers(index)
    if index.null_count:
        validity = index.buffers()[0]
        assert validity is not None
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        at = np.where(bits[index.offset : index.offset + len(index)] == 0, len(arr.dictionary), at)
    return at


#: What a reader gave for each text it read, kept by the caller across the parts of one table
#: (a part's dictionary repeats the last part's few months or payers): text -> (value, vouched).
Memo = dict[str, tuple[int, bool]]
#: dictionaries longer than this are read whole (a look-up per value would cost more)
_MEMO_LIMIT = 512


def _memoized(
    texts: pa.Array,
    read: Callable[[pl.Series], tuple[npt.NDArray[np.generic], Bools]],
    memo: Memo,
) -> tuple[npt.NDArray[np.int64], Bools]:
    """``read(texts)`` (no null among ``texts``), each text read once per ``memo``: the
    texts not in it are read, and kept."""
    given = texts.to_pylist()
    new = [text for text in dict.fromkeys(given) if text not in memo]
    if new:
        values, ok = read(pl.Series(new, dtype=pl.String))
        memo.update(zip(new, zip(values.tolist(), ok.tolist(), strict=True), strict=True))
    found = [memo[text] for text in given]
    return (
        np.array([value for value, _ in found], dtype=np.int64),
        np.array([vouched for _, vouched in found], dtype=np.bool_),
    )


def _into(
    arr: pa.Array,
    read: Callable[[pl.Series], tuple[npt.NDArray[np.generic], Bools]],
    out: Rows,
    offset: int,
    memo: Memo | None = None,
) -> Bools | None:
    """``read`` once per distinct text value (once per ``memo``, when given), its values minus
    ``offset`` spread into ``out``."""
    if not isinstance(arr, pa.DictionaryArray):
        arr = arr.dictionary_encode()
    texts = arr.dictionary
    values: npt.NDArray[np.generic]
    if memo is not None and len(texts) <= _MEMO_LIMIT and not texts.null_count:
        values, ok = _memoized(texts, read, memo)
    else:
        values, ok = read(_series(texts).cast(pl.String))
    # a value not vouched for may be anything (its person goes to the model): 0 stands in
    lookup = np.append(np.where(ok, values.astype(np.int64) - offset, 0), 0).astype(out.dtype)
    at = dictionary_codes(arr)
    # codes index the dictionary or, for a null, the 0 after it: "clip" never clips, and unlike
    # "raise" it writes straight into ``out`` (no buffer of a part's size)
    np.take(lookup, at, out=out, mode="clip")
    if bool(ok.all()) and not arr.null_count:
        return None
    unvouched: Bools = ~np.append(ok, False)[at]
    return unvouched


def _rest(values: npt.NDArray[np.generic], ok: Bools, out: Rows, offset: int) -> Bools | None:
    out[:] = np.where(ok, values.astype(np.int64) - offset, 0)
    return None if bool(ok.all()) else ~ok


def read_months(
    arr: pa.Array, out: Rows, offset: int = 0, memo: Memo | None = None
) -> Bools | None:
    """[`months`][insurrules.population.values.months] minus ``offset`` into ``out``; the rows not
    vouched for (their value in ``out`` is meaningless), None when all are. ``memo``: what the
    parts read before of the same table read (see `Memo`)."""
    if isinstance(arr, pa.DictionaryArray) or _is_text(arr.type):
        return _into(arr, _text_months, out, offset, memo)
    return _rest(*months(arr), out, offset)


def read_days(arr: pa.Array, out: Rows) -> Bools | None:
    """[`days`][insurrules.population.values.days] into ``out``; the rows not vouched for, None
    when all are."""
    if isinstance(arr, pa.DictionaryArray) or _is_text(arr.type):
        return _into(arr, _text_days, out, 0)
    if pa.types.is_date32(arr.type) and not arr.null_count:
        number = _plain_numbers(arr)
        out[:] = number
        if number.size == 0 or (
            int(number.min()) >= VOUCHED_DAYS[0] and int(number.max()) < VOUCHED_DAYS[1]
        ):
            return None
        outside: Bools = (number < VOUCHED_DAYS[0]) | (number >= VOUCHED_DAYS[1])
        return outside
    return _rest(*days(arr), out, 0)


def read_codes(
    arr: pa.Array, names: Sequence[str], out: Rows, memo: Memo | None = None
) -> Bools | None:
    """[`codes`][insurrules.population.values.codes] into ``out``; the rows that are not one of
    ``names`` (null or another value: their value in ``out`` is meaningless), None when all
    are. ``memo``: as for `read_months`."""
    if not (isinstance(arr, pa.DictionaryArray) or _is_text(arr.type)):
        out[:] = -1
        return np.ones(len(arr), dtype=np.bool_)
    lookup = {name: i for i, name in enumerate(names)}

    def read(values: pl.Series) -> tuple[npt.NDArray[np.int64], Bools]:
        found = np.array([lookup.get(v, -1) for v in values.to_list()], dtype=np.int64)
        return found, found >= 0

    return _into(arr, read, out, 0, memo)


def unvouched_amounts(arr: pa.Array) -> Bools | None:
    """The amounts not vouched for (see [`amounts`][insurrules.population.values.amounts]),
    None when all are."""
    if isinstance(arr, pa.DictionaryArray):
        ok = _plain(arr.dictionary)
        if bool(ok.all()) and not arr.null_count:
            return None
        bad: Bools = ~np.append(ok, False)[dictionary_codes(arr)]
        return bad
    vouched = amounts(arr)
    return None if bool(vouched.all()) else ~vouched
