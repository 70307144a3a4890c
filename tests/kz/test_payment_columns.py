"""The payment records as the rules read them (``PaymentRows``: four columns read as rows), and
the fast reader's look-up of payment days, which must read every value as the ``IsoDate`` schema
(the one definition) reads it."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from pydantic_core import SchemaValidator, core_schema

from insurrules.errors import Problems
from insurrules.kz.case import (
    _FIRST_INDEX,
    _KNOWN_DAYS_END,
    _LAST_INDEX,
    FIRST_CONTRIBUTION_MONTH,
    PaymentRow,
    PaymentRows,
    _day_looked_up,
    _known_days,
    _known_months,
    _payment_problems,
    case_problems,
    input_from_dict,
)
from insurrules.models import IsoDate
from insurrules.months import MonthIndex, YearMonth

_ROWS: list[PaymentRow] = [
    (24_300, dt.date(2025, 1, 20), Decimal("4250"), "self"),
    (24_301, dt.date(2025, 2, 20), Decimal("19126.02"), "employer"),
    (24_301, dt.date(2025, 2, 21), Decimal("1"), "employee"),
]


def test_rows_are_read_from_their_columns() -> None:
    rows = PaymentRows.of(_ROWS)
    assert rows.months == (24_300, 24_301, 24_301)
    assert rows.payers == ("self", "employer", "employee")
    assert len(rows) == 3
    assert list(rows) == _ROWS
    assert [rows[i] for i in range(3)] == _ROWS
    assert rows[-1] == _ROWS[-1]
    assert rows[1:] == _ROWS[1:]
    assert _ROWS[2] in rows
    assert rows.index(_ROWS[1]) == 1
    assert rows == PaymentRows.of(iter(_ROWS))
    assert rows != PaymentRows.of(_ROWS[:2])
    with pytest.raises(IndexError):
        rows[3]


def test_no_rows() -> None:
    rows = PaymentRows.of([])
    assert len(rows) == 0
    assert not rows
    assert list(rows) == []
    assert rows == PaymentRows((), (), (), ())


def test_columns_of_different_lengths_are_refused() -> None:
    months, days, amounts, payers = PaymentRows.of(_ROWS).months, (), (), ()
    with pytest.raises(ValueError, match="differ in length"):
        PaymentRows(months, days, amounts, payers)


_FIELD = TypeAdapter(IsoDate).core_schema
_ISO_DATE = SchemaValidator(_FIELD)
_LOOKED_UP = SchemaValidator(_day_looked_up(_FIELD))


def test_the_known_days_are_every_day_of_their_span_read_by_iso_date() -> None:
    days = _known_days()
    first = FIRST_CONTRIBUTION_MONTH.first_day()
    assert len(days) == (_KNOWN_DAYS_END - first).days + 1
    for text, day in days.items():
        assert day == dt.date.fromisoformat(text) == _ISO_DATE.validate_python(text)
        assert first <= day <= _KNOWN_DAYS_END


class _Text(str):
    """A text whose comparisons lie: a look-up must read its characters, not its methods."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return hash("2025-01-01")


def _verdict(validator: SchemaValidator, value: Any) -> Any:
    try:
        return ("value", validator.validate_python(value))
    except ValueError:
        return ("refused",)


_DAYS = st.dates(dt.date(1700, 1, 1), dt.date(2200, 12, 31))
_VALUES = st.one_of(
    _DAYS.map(dt.date.isoformat),
    _DAYS,
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2050, 1, 1)),
    _DAYS.map(lambda d: d.isoformat().encode()),
    _DAYS.map(lambda d: _Text(d.isoformat())),
    _DAYS.map(lambda d: f" {d.isoformat()}"),
    _DAYS.map(lambda d: d.strftime("%Y-%m-%dT00:00:00")),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.text(max_size=12),
    st.integers(),
    st.none(),
)


@settings(max_examples=600, deadline=None)
@given(_VALUES)
def test_the_look_up_reads_every_value_as_iso_date_does(value: Any) -> None:
    assert _verdict(_LOOKED_UP, value) == _verdict(_ISO_DATE, value)


def test_the_look_up_takes_a_known_text_and_leaves_the_rest_to_iso_date() -> None:
    assert _LOOKED_UP.validate_python("2025-02-28") == dt.date(2025, 2, 28)
    assert _LOOKED_UP.validate_python("1990-02-28") == dt.date(1990, 2, 28)  # not a known day
    assert _LOOKED_UP.validate_python(dt.date(2025, 2, 28)) == dt.date(2025, 2, 28)
    assert _LOOKED_UP.validate_python(_Text("2025-02-28")) == dt.date(2025, 2, 28)
    for bad in ("2025-02-29", "2025-2-28", "", b"\xff"):
        assert _verdict(_LOOKED_UP, bad) == _verdict(_ISO_DATE, bad) == ("refused",)


_MONTH_FIELD = TypeAdapter(MonthIndex).core_schema
_MONTH = SchemaValidator(_MONTH_FIELD)


def test_the_known_months_are_every_payment_month_read_by_month_index() -> None:
    months = _known_months()
    assert len(months) == _LAST_INDEX - _FIRST_INDEX + 1
    for text, index in months.items():
        assert index == YearMonth.parse(text).index == _MONTH.validate_python(text)
        assert _FIRST_INDEX <= index <= _LAST_INDEX


_MONTHS = st.integers(1700 * 12, 2200 * 12).map(YearMonth.from_index)
_MONTH_VALUES = st.one_of(
    _MONTHS.map(str),
    _MONTHS,
    _MONTHS.map(lambda m: _Text(str(m))),
    _MONTHS.map(lambda m: f"{m} "),
    st.from_regex(r"[0-9]{4}-[0-9]{2}", fullmatch=True),
    st.text(max_size=8),
    st.integers(),
    st.none(),
)
#: a column's bound, small enough to be crossed
_MAX_LENGTH = 5


def _column(item: Any) -> Any:
    return core_schema.list_schema(item, max_length=_MAX_LENGTH)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.one_of(_MONTH_VALUES, st.sampled_from(["2025-01", "2017-07", "2100-12"]))),
    st.lists(st.one_of(_VALUES, st.sampled_from(["2025-01-20", "2017-07-01", "2040-12-31"]))),
)
def test_a_column_of_known_texts_reads_as_its_items_schema_does(
    months: list[Any], days: list[Any]
) -> None:
    """A column tried as a whole by a look-up (the fast reader's months and payment days)
    reads every list as the list of its items' schema does, bound included."""
    for lookup, item, column in (
        (_known_months(), _MONTH_FIELD, months),
        (_known_days(), _day_looked_up(_FIELD), days),
    ):
        whole = SchemaValidator(lookup.column_schema(_column(item)))
        one_by_one = SchemaValidator(_column(item))
        assert _verdict(whole, column) == _verdict(one_by_one, column)


def test_a_column_of_plain_known_texts_is_read_by_the_look_up() -> None:
    known = _known_months()
    column = SchemaValidator(known.column_schema(_column(_MONTH_FIELD)))
    assert column.validate_python(["2025-01", "2025-02"]) == [24_300, 24_301]
    assert known.read_all(["2025-01", "2025-02"]) == [24_300, 24_301]
    for bad in (["2025-01", _Text("2025-02")], ["2025-01", "1990-01"], [24_300]):
        with pytest.raises(ValueError):
            known.read_all(bad)
    with pytest.raises(ValueError):  # the column's bound holds for the look-up too
        column.validate_python(["2025-01"] * (_MAX_LENGTH + 1))
    # what the look-up refuses is read one by one
    assert column.validate_python(["2025-01", _Text("2025-02"), "1990-01"]) == [
        24_300,
        24_301,
        1990 * 12,
    ]


def test_a_month_text_is_read_by_its_characters() -> None:
    """The month reader looks month texts up too (``insurrules.months.MonthIndex``)."""

    class Month(str):
        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return hash("2025-01")

    months = TypeAdapter(list[MonthIndex])
    assert months.validate_python([Month("2025-02"), "2025-02"]) == [24_301, 24_301]


def test_amounts_read_as_text_are_made_decimal_when_read() -> None:
    rows = PaymentRows._read(
        (24_300, 24_301),
        (dt.date(2025, 1, 20), dt.date(2025, 2, 20)),
        ("19126.02", Decimal(7)),
        ("self", "self"),
    )
    assert rows.amounts == (Decimal("19126.02"), Decimal(7))
    assert all(type(a) is Decimal for a in rows.amounts)
    assert rows[0] == (24_300, dt.date(2025, 1, 20), Decimal("19126.02"), "self")
    same = PaymentRows.of(
        [
            (24_300, dt.date(2025, 1, 20), Decimal("19126.020"), "self"),
            (24_301, dt.date(2025, 2, 20), Decimal("7"), "self"),
        ]
    )
    assert rows == same and hash(rows) == hash(same)
    assert pickle.loads(pickle.dumps(rows)) == rows
    assert copy.deepcopy(rows) == rows
    assert "19126.02" in repr(rows)


def test_rows_are_immutable() -> None:
    rows = PaymentRows.of(_ROWS)
    with pytest.raises(AttributeError, match="immutable"):
        rows.months = ()


def test_the_fast_reader_keeps_amount_texts_and_reads_them_as_amount_does() -> None:
    doc = {
        "scheme": "kz-osms",
        "as_of": "2025-09-15",
        "person": {"id": "870412445016", "birth_date": "1987-04-12", "sex": "female"},
        "payments": [
            {"month": "2025-01", "paid_on": "2025-01-20", "amount": "19126.02", "payer": "self"},
            {"month": "2025-02", "paid_on": "2025-02-20", "amount": 4250, "payer": "self"},
            {
                "month": "2025-03",
                "paid_on": "2025-03-20",
                "amount": Decimal("1.5"),
                "payer": "self",
            },
        ],
    }
    found = input_from_dict(doc)
    assert found is not None
    assert found.payments._texts == ("19126.02", Decimal(4250), Decimal("1.5"))
    assert found.payments.amounts == (Decimal("19126.02"), Decimal(4250), Decimal("1.5"))
    for bad in ("-1", "1e3", "1.1234567", "nan", " 1", 1.5, True):
        doc["payments"][0]["amount"] = bad  # type: ignore[index]
        with pytest.raises(ValueError):
            input_from_dict(doc)


def _problems(check: Any) -> list[tuple[Any, str]]:
    try:
        check()
    except Problems as exc:
        return exc.problems
    return []


_DAY = dt.date(2020, 1, 20)
_BORN_EARLY = dt.date(2015, 1, 1)
_BORN = st.dates(dt.date(2015, 1, 1), dt.date(2019, 12, 31))
_ROW = st.tuples(
    st.integers(_FIRST_INDEX - 3, _FIRST_INDEX + 40)
    | st.integers(_LAST_INDEX - 2, _LAST_INDEX + 2),
    st.dates(dt.date(2019, 1, 1), dt.date(2021, 12, 31)),
    st.sampled_from([Decimal(1), Decimal("4250")]),
    st.sampled_from(["self", "employer"]),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_ROW, max_size=8), _BORN, st.booleans())
@example(
    [(_FIRST_INDEX - 1, _DAY, Decimal(1), "self"), (_FIRST_INDEX, _DAY, Decimal(1), "self")],
    _BORN_EARLY,
    True,
)
@example(
    [(_LAST_INDEX, _DAY, Decimal(1), "self"), (_LAST_INDEX + 1, _DAY, Decimal(1), "self")],
    _BORN_EARLY,
    True,
)
@example(
    [(_FIRST_INDEX, _DAY, Decimal(1), "self"), (_FIRST_INDEX, _DAY, Decimal(1), "self")],
    _BORN_EARLY,
    True,
)
def test_the_document_checks_find_every_problem_of_the_records(
    rows: list[PaymentRow], born: dt.date, in_order: bool
) -> None:
    """``case_problems`` looks at the columns first (increasing months at one look) and words
    the records' problems exactly when there are some."""
    if in_order:
        rows = sorted(rows)
    as_of = dt.date(2025, 1, 1)
    found = _problems(lambda: case_problems(as_of, born, PaymentRows.of(rows)))
    assert found == _payment_problems(PaymentRows.of(rows), born)
