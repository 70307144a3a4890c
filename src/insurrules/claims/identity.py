"""IIN validity over a whole column, the same test as :func:`insurrules.kz.iin.parse_iin`.

Screening a million claims cannot call ``parse_iin`` a million times, so the check digit, the
century digit and the birth date are computed as column expressions; a property test keeps this
equal to ``parse_iin``. The human reason for an id that fails comes from ``parse_iin`` itself
(called once per distinct bad id), so the two can never word it differently.
"""

from __future__ import annotations

import polars as pl

from insurrules.kz.iin import parse_iin

__all__ = ["iin_problem", "iin_valid"]

_W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def iin_valid(column: str) -> pl.Expr:
    """True where the string column holds a valid IIN (12 digits, check digit, birth date)."""
    text = pl.col(column)
    digits = [text.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(12)]
    rem1 = pl.sum_horizontal([d * w for d, w in zip(digits, _W1, strict=False)]) % 11
    rem2 = pl.sum_horizontal([d * w for d, w in zip(digits, _W2, strict=False)]) % 11
    check = pl.when(rem1 != 10).then(rem1).when(rem2 != 10).then(rem2)
    seventh = digits[6]
    century = (
        pl.when(seventh.is_in([1, 2]))
        .then(pl.lit("18"))
        .when(seventh.is_in([3, 4]))
        .then(pl.lit("19"))
        .when(seventh.is_in([5, 6]))
        .then(pl.lit("20"))
    )
    born = pl.concat_str([century, text.str.slice(0, 6)]).str.to_date("%Y%m%d", strict=False)
    return (
        text.str.contains(r"^[0-9]{12}$").fill_null(False)
        & (check == digits[11]).fill_null(False)
        & born.is_not_null()
    )


def iin_problem(value: str) -> str | None:
    """Why ``value`` is not a valid IIN (identifiers masked), or ``None`` when it is one."""
    try:
        parse_iin(value)
    except ValueError as exc:
        return str(exc)
    return None
