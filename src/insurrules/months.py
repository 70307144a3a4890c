"""Calendar months as a proper type.

The Kazakh rules are decided per calendar month ([kz-osms rules: Time model][kz-rules-time-model]):
a contribution is booked to the month it pays *for*, and "insured on date d" means insured for the
month containing d. Months are therefore values of their own, with exact arithmetic (``L + 3`` is
three months after ``L``), never "30 days".

Internally a month is also an integer index (``year * 12 + month - 1``) so that monthly timelines
can be bit sets and arrays; [`YearMonth.index`][insurrules.months.YearMonth.index] and
[`YearMonth.from_index`][insurrules.months.YearMonth.from_index] convert.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import total_ordering
from operator import attrgetter
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from insurrules.errors import REASONS, describe

__all__ = [
    "MONTH_PATTERN",
    "MonthIndex",
    "TextLookup",
    "YearMonth",
    "month_index",
    "month_of_index",
    "month_reason",
    "text_index",
]

#: ``YYYY-MM`` in ASCII digits (the contract's month text); also the JSON Schema's pattern.
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}")


def month_index(day: dt.date) -> int:
    """The month index of the month containing ``day``."""
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> tuple[int, int]:
    year, month0 = divmod(index, 12)
    return year, month0 + 1


@total_ordering
class YearMonth:
    """A calendar month, e.g. ``YearMonth(2025, 6)`` printed as ``2025-06``."""

    __slots__ = ("_index",)
    _index: int

    def __init__(self, year: int, month: int) -> None:
        if not 1 <= month <= 12:
            raise ValueError(f"month must be 1..12, got {month}")
        if not 1 <= year <= 9999:
            raise ValueError(f"year must be 1..9999, got {year}")
        object.__setattr__(self, "_index", year * 12 + month - 1)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_index(cls, index: int) -> YearMonth:
        if not 12 <= index < 120_000:
            raise ValueError(f"month index out of range: {index}")
        return cls._unchecked(index)

    @classmethod
    def of(cls, day: dt.date) -> YearMonth:
        """The month containing ``day``."""
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> YearMonth:
        """Parse ``YYYY-MM``; anything else is a ``ValueError`` saying what is expected."""
        if not isinstance(text, str) or len(text) != 7 or _PATTERN.fullmatch(text) is None:
            raise ValueError(f"expected a month as YYYY-MM, got {text!r}")
        month = int(text[5:])
        if not 1 <= month <= 12:
            raise ValueError(f"month must be 1..12, got {month}")
        return cls._unchecked(int(text[:4]) * 12 + month - 1)

    @classmethod
    def _unchecked(cls, index: int) -> YearMonth:
        ym = object.__new__(cls)
        object.__setattr__(ym, "_index", index)
        return ym

    # -- views -------------------------------------------------------------------------------
    @property
    def year(self) -> int:
        return self._index // 12

    @property
    def month(self) -> int:
        return self._index % 12 + 1

    @property
    def index(self) -> int:
        return self._index

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def last_day(self) -> dt.date:
        return (self + 1).first_day() - dt.timedelta(days=1)

    def contains(self, day: dt.date) -> bool:
        return month_index(day) == self._index

    # -- arithmetic ----------------------------------------------------------------------------
    def __add__(self, months: int) -> YearMonth:
        if not isinstance(months, int):
            return NotImplemented
        return YearMonth.from_index(self._index + months)

    def __sub__(self, other: Any) -> Any:
        if isinstance(other, YearMonth):
            return self._index - other._index
        if isinstance(other, int):
            return YearMonth.from_index(self._index - other)
        return NotImplemented

    # -- comparisons, hashing, text -------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, YearMonth) and other._index == self._index

    def __lt__(self, other: YearMonth) -> bool:
        if not isinstance(other, YearMonth):
            return NotImplemented
        return self._index < other._index

    def __hash__(self) -> int:
        return hash(("YearMonth", self._index))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("YearMonth is immutable")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __repr__(self) -> str:
        return f"YearMonth({self.year}, {self.month})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (YearMonth, (self.year, self.month))

    # -- pydantic integration ------------------------------------------------------------------
    @classmethod
    def _of_text(cls, text: str) -> YearMonth:
        # only called on text the compiled MONTH_PATTERN accepted
        return cls._unchecked(text_index(text))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        text = core_schema.no_info_after_validator_function(
            cls._of_text, core_schema.str_schema(pattern=MONTH_PATTERN)
        )
        return _month_error(
            core_schema.json_or_python_schema(
                json_schema=text,
                python_schema=core_schema.union_schema(
                    [text, core_schema.is_instance_schema(YearMonth)], mode="left_to_right"
                ),
                serialization=core_schema.plain_serializer_function_ser_schema(
                    str, when_used="always"
                ),
            )
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": MONTH_PATTERN, "examples": ["2025-06"]}


def _month_error(schema: core_schema.CoreSchema) -> core_schema.CoreSchema:
    return core_schema.custom_error_schema(
        schema, custom_error_type="year_month", custom_error_message="expected a month as YYYY-MM"
    )


class TextLookup(dict[str, Any]):
    """Values of texts known in advance, read in a validator by one look-up: ``schema()``
    takes a text that is a key (a plain ``str`` first: a ``str`` subclass could say it equals
    another key) to its value, and refuses anything else, so that a union goes on to the
    schema that reads every value."""

    def __missing__(self, key: object) -> Any:
        raise ValueError("not a known text")

    def schema(self) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            self.__getitem__, core_schema.str_schema(strict=True)
        )

    def column_schema(self, column: core_schema.ListSchema) -> core_schema.CoreSchema:
        """The list schema ``column``, whose items' schema reads each key of this look-up as
        ``schema()`` does, tried after a list of plain ``str`` keys only, read by one look-up
        each in one pass in C (within ``column``'s bounds): a list's values cost pydantic-core
        far more one by one than a look-up each."""
        texts = core_schema.list_schema(
            core_schema.any_schema(),
            min_length=column.get("min_length"),
            max_length=column.get("max_length"),
        )
        return core_schema.union_schema(
            [core_schema.no_info_after_validator_function(self.read_all, texts), column],
            mode="left_to_right",
        )

    def read_all(self, texts: list[Any]) -> list[Any]:
        """The value of each of ``texts``; a ``ValueError`` unless each is a plain ``str`` key
        (a ``str`` subclass could say it equals another key)."""
        if not set(map(type, texts)) <= _PLAIN_STR:
            raise ValueError("not only plain texts")
        return list(map(self.__getitem__, texts))


_PLAIN_STR = frozenset({str})


#: month text -> index for the months a case may carry (1800-01..2100-12): a lookup compiled into
#: the validator instead of two ``int()`` calls per record
_INDEX = TextLookup({f"{i // 12:04d}-{i % 12 + 1:02d}": i for i in range(1800 * 12, 2101 * 12)})


class _MonthIndexSchema:
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        text = core_schema.union_schema(
            [
                _INDEX.schema(),
                core_schema.no_info_after_validator_function(
                    text_index, core_schema.str_schema(pattern=MONTH_PATTERN)
                ),
            ],
            mode="left_to_right",
        )
        instance = core_schema.no_info_after_validator_function(
            attrgetter("index"), core_schema.is_instance_schema(YearMonth)
        )
        return _month_error(
            core_schema.json_or_python_schema(
                json_schema=text,
                python_schema=core_schema.union_schema([text, instance], mode="left_to_right"),
            )
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return YearMonth.__get_pydantic_json_schema__(schema, handler)


#: A month as the contract writes it (``"2025-06"``, or a `YearMonth`), validated as
#: `YearMonth` is and read as its month index: for readers of many records at once.
MonthIndex = Annotated[int, _MonthIndexSchema]


def text_index(text: str) -> int:
    """The month index of month text that the month pattern accepted."""
    return int(text[:4]) * 12 + int(text[5:]) - 1


def month_reason(value: Any) -> str:
    """Why ``value`` is not a month as the contract writes it (the error path only)."""
    if isinstance(value, str) and len(value) == 7 and _PATTERN.fullmatch(value):
        return f"month must be 1..12, got {int(value[5:])}"
    return f"expected a month as YYYY-MM, got {describe(value)}"


REASONS["year_month"] = month_reason
