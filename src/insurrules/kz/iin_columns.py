"""IIN validity over whole columns: the test of
[`insurrules.kz.iin.parse_iin`][insurrules.kz.iin.parse_iin], vectorised.

A population or a claims table holds millions of ids; calling ``parse_iin`` on each would take
seconds. [`iin_columns`][insurrules.kz.iin_columns.iin_columns] computes, as polars expressions, the
same three things ``parse_iin`` does (12 ASCII digits with a valid two-pass mod-11 check digit, a
century/sex digit 1-6, a real ``YYMMDD`` birth date) and reads the birth date and sex it gives. A
property test keeps it equal to ``parse_iin`` on every string. Nothing here words an error: a caller
that needs the reason asks ``parse_iin`` (or the case model) about the few ids that fail.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.kz.iin import CENTURY_SEX, FIRST_WEIGHTS, SECOND_WEIGHTS
from insurrules.text_columns import ascii_digits, fixed_width

__all__ = ["check_digits", "iin_columns", "iin_frame", "iin_valid"]


def iin_columns(column: str | pl.Expr) -> pl.Expr:
    """A struct per id: ``valid`` (bool, never null), ``birth_date`` (date) and ``male`` (bool),
    the last two null where the id is not a valid IIN.

    >>> frame = pl.DataFrame({"id": ["870412445016", "870412445017", "x"]})
    >>> frame.select(iin_columns("id")).unnest("id").to_dicts()[0]
    {'valid': True, 'birth_date': datetime.date(1987, 4, 12), 'male': False}
    """
    text = pl.col(column) if isinstance(column, str) else column
    return text.map_batches(
        lambda s: iin_frame(s).to_struct(s.name), return_dtype=_STRUCT, is_elementwise=True
    )


_STRUCT = pl.Struct({"valid": pl.Boolean, "birth_date": pl.Date, "male": pl.Boolean})


#: by the 7th digit: the century of the birth year (-1: no IIN has that digit), and male
_CENTURY = np.full(10, -1, dtype=np.int16)
_MALE = np.zeros(10, dtype=np.bool_)
for _digit, (_start, _sex) in CENTURY_SEX.items():
    _CENTURY[int(_digit)] = _start
    _MALE[int(_digit)] = _sex == "male"
#: the day number of the first day of each month of the years an IIN can give (1800-01..2099-12),
#: and of 2100-01-01 after them: a month's length is the difference of two neighbours
_FIRST_YEAR = 1800
_MONTH_STARTS = (
    np.arange((_FIRST_YEAR - 1970) * 12, (2100 - 1970) * 12 + 1)
    .astype("datetime64[M]")
    .astype("datetime64[D]")
    .astype(np.int32)
)


def iin_frame(ids: pl.Series) -> pl.DataFrame:
    """[`iin_columns`][insurrules.kz.iin_columns.iin_columns] of a series, as a frame (``valid``,
    ``birth_date``, ``male``)."""
    text = ids.cast(pl.String)
    n = text.len()
    # one chunk: a column of ids read in parts is several
    where, rows = fixed_width(text.rechunk().to_arrow(), 12)
    digits_ok = ascii_digits(rows)
    # 16-bit digits: a million ids' digits in 24 MB rather than 96 (fresh memory is slow)
    digits = rows.astype(np.int16)
    digits -= 48
    check = check_digits(digits[:, :11])
    seventh = np.clip(digits[:, 6], 0, 9)
    century = _CENTURY[seventh]
    year = century + digits[:, 0] * 10 + digits[:, 1]
    month = digits[:, 2] * 10 + digits[:, 3]
    day = digits[:, 4] * 10 + digits[:, 5]
    month_ok = (month >= 1) & (month <= 12) & (century > 0) & digits_ok
    at = np.where(month_ok, (year - _FIRST_YEAR) * 12 + month - 1, 0)
    starts = _MONTH_STARTS[at]
    real = month_ok & (day >= 1) & (day <= _MONTH_STARTS[at + 1] - starts)
    good = real & (check == digits[:, 11])
    valid = np.zeros(n, dtype=np.bool_)
    valid[where[good]] = True
    days = np.zeros(n, dtype=np.int32)
    days[where] = starts + day - 1
    is_male = np.zeros(n, dtype=np.bool_)
    is_male[where] = _MALE[seventh]
    invalid = np.flatnonzero(~valid)
    return pl.DataFrame(
        [
            pl.Series("valid", valid),
            pl.Series("birth_date", days).cast(pl.Date).scatter(invalid, None),
            pl.Series("male", is_male).scatter(invalid, None),
        ]
    )


def check_digits(first11: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.integer[Any]]:
    """[`check_digit`][insurrules.kz.iin.check_digit] of each row of an ``(n, 11)`` array of
    digits; -1 where no valid IIN can start with those digits."""
    # sums below 11 * 9 * 11 fit 16 bits; einsum sums products without a wider copy
    kind = np.int16 if first11.dtype.itemsize <= 2 else first11.dtype
    digits = first11.astype(kind, copy=False)
    r1 = np.einsum("ij,j->i", digits, np.array(FIRST_WEIGHTS, dtype=kind)) % 11
    r2 = np.einsum("ij,j->i", digits, np.array(SECOND_WEIGHTS, dtype=kind)) % 11
    out: npt.NDArray[np.integer[Any]] = np.where(r1 != 10, r1, np.where(r2 != 10, r2, -1))
    return out


def iin_valid(column: str) -> pl.Expr:
    """True where the text column holds a valid IIN (as ``parse_iin`` accepts it)."""
    return iin_columns(column).struct.field("valid").alias(column)
