"""The kz-osms case document ([the contract][contract]), validated strictly.

Everything [the contract][contract] lists as invalid is rejected here with the field path and the
reason: bad or impossible dates, ``end`` before ``start``, death before birth, payments before
birth, negative or non-numeric amounts, a bad IIN check digit or an IIN that disagrees with the
birth date or sex, unknown codes, duplicate identical payment records, unknown fields, and an
``as_of`` before the scheme's benefits started (2020-01-01).

Two compiled forms of one definition: ``KzCase`` (models, for ``Case.model_validate`` and
``insurrules.explain``) and ``INPUT`` (the same field types and the same checks, read
straight into ``KzInput`` rows, for ``insurrules.decide``; no model object per payment
record). A property test holds their decisions and error paths equal.

Bounds (documented in docs/concepts/documents.md and in the JSON Schema): dates within
1800-01-01..2100-12-31, months 2017-07..2100-12, at most ``MAX_PAYMENTS`` payment records,
``MAX_PERIODS`` memberships or welfare levels and ``MAX_CARE_REQUESTS`` care requests.
Every check is at most n log n in the number of records.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, cached_property
from operator import itemgetter, lt
from typing import Annotated, Any, ClassVar, Literal, NotRequired, get_args, overload

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    model_validator,
)
from pydantic_core import SchemaValidator, core_schema
from typing_extensions import TypedDict

from insurrules.case import Case
from insurrules.errors import Problems
from insurrules.kz.iin import parse_iin, read_iin
from insurrules.kz.rules import default_rules
from insurrules.models import (
    HORIZON,
    ID_PATTERN,
    Amount,
    Compiled,
    FrozenModel,
    IsoDate,
    PersonalId,
    amount_text,
    personal_id_core,
)
from insurrules.months import MonthIndex, TextLookup, YearMonth

__all__ = [
    "INPUT",
    "KZ_MEMBERSHIP_CODES",
    "MAX_CARE_REQUESTS",
    "MAX_PAYMENTS",
    "MAX_PERIODS",
    "KzCase",
    "KzInput",
    "KzMembership",
    "KzPayment",
    "KzPerson",
    "PaymentRow",
    "PaymentRows",
    "WelfareLevel",
]

#: Membership codes a case may carry (docs/law/kz-osms-rules.md, "State-paid categories");
#: ``child`` and ``welfare_level_de`` are derived, never given.
KzMembershipCode = Literal[
    "pregnant_non_working",
    "parent_of_child_under_3",
    "maternity_or_childcare_leave",
    "carer_of_disabled_child",
    "carer_of_group1_disabled",
    "pension_recipient",
    "prisoner",
    "pretrial_detention",
    "kandas_non_working",
    "mother_heroine_award",
    "disability",
    "full_time_student",
    "house_arrest",
    "targeted_social_assistance",
    "registered_unemployed",
]
KZ_MEMBERSHIP_CODES: tuple[str, ...] = get_args(KzMembershipCode)

Residency = Literal[
    "citizen", "kandas", "permanent_resident", "eaeu_worker", "temporary_resident", "outside_scheme"
]
Payer = Literal["employer", "employee", "self", "entrepreneur", "platform", "esp"]


def _shipped(name: str, kind: type[Any]) -> Any:
    """A scheme date as the parameters define it (their one definition; a case document is
    checked against the law as shipped, whatever reform it is later decided under)."""
    value = default_rules()[name].values[-1].value
    assert isinstance(value, kind), (name, value)
    return value


#: The scheme's benefits start (R5.1): parameter ``kz.scheme.benefits_start``.
BENEFITS_START: dt.date = _shipped("kz.scheme.benefits_start", dt.date)
#: The first month contributions are paid for (deductions started 01.07.2017): parameter
#: ``kz.contributions.first_month``.
FIRST_CONTRIBUTION_MONTH: YearMonth = _shipped("kz.contributions.first_month", YearMonth)

#: A lifetime of monthly records from 2017-07 to the horizon by several payers fits.
MAX_PAYMENTS = 10_000
#: Memberships, and welfare levels, per person.
MAX_PERIODS = 1_000
MAX_CARE_REQUESTS = 10_000


def _iin(value: str) -> PersonalId:
    parse_iin(value)
    return PersonalId(value)


#: An IIN: 12 ASCII digits with a valid check digit; masked in reprs (``8704******16``).
Iin = Annotated[
    PersonalId,
    Compiled(
        lambda: personal_id_core(_iin),
        {
            "type": "string",
            "pattern": ID_PATTERN,
            "description": "IIN: 12 digits with a valid check digit (masked in every error)",
        },
    ),
]


def _end_problems(start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise Problems([(("end",), f"{end} is before start {start}")])


class KzMembership(FrozenModel):
    """A period in a state-paid category; ``start`` and ``end`` inclusive, ``end`` null = open."""

    code: KzMembershipCode = Field(description="the state-paid category code")
    start: IsoDate = Field(description="first day in the category")
    end: IsoDate | None = Field(default=None, description="last day (inclusive); null = open")

    @model_validator(mode="after")
    def _end_after_start(self) -> KzMembership:
        _end_problems(self.start, self.end)
        return self


class WelfareLevel(FrozenModel):
    """A Digital Family Card welfare level (A-E) and the period it held."""

    level: Literal["A", "B", "C", "D", "E"] = Field(description="Digital Family Card level")
    start: IsoDate = Field(description="first day at this level")
    end: IsoDate | None = Field(default=None, description="last day (inclusive); null = open")

    @model_validator(mode="after")
    def _end_after_start(self) -> WelfareLevel:
        _end_problems(self.start, self.end)
        return self


class KzPayment(FrozenModel):
    """One record of a month paid *for*: ``month`` the period, ``paid_on`` the day it arrived."""

    month: YearMonth = Field(description="the month paid for, YYYY-MM")
    paid_on: IsoDate = Field(description="the day the money arrived")
    amount: Amount = Field(description='decimal text; any amount, even "1", marks the month paid')
    payer: Payer = Field(description="who paid")


def _overlaps(periods: Sequence[Any], field: str, what: str) -> list[tuple[Any, str]]:
    """Each period that overlaps an earlier-starting one: a sort and one sweep (n log n)."""
    order = sorted(range(len(periods)), key=lambda i: (periods[i].start, i))
    out: list[tuple[Any, str]] = []
    reach: dt.date | None = None  # latest end so far (None = open)
    holder = -1
    for pos, i in enumerate(order):
        p = periods[i]
        if pos and (reach is None or p.start <= reach):
            out.append(((field, i), f"overlaps {field}[{holder}] ({what})"))
        if pos == 0 or (reach is not None and (p.end is None or p.end > reach)):
            reach, holder = p.end, i
    return sorted(out, key=lambda p: p[0][1])


class KzPerson(FrozenModel):
    """The person a kz-osms case is about."""

    id: Iin = Field(description="IIN, 12 digits with a valid check digit; masked in errors")
    birth_date: IsoDate = Field(description="must agree with the IIN")
    sex: Literal["male", "female"] = Field(description="must agree with the IIN's 7th digit")
    death_date: IsoDate | None = Field(default=None, description="date of death, if any")
    residency: Residency = Field(default="citizen", description="residency status (R1)")
    memberships: Annotated[tuple[KzMembership, ...], Field(max_length=MAX_PERIODS)] = Field(
        default=(), description="periods in state-paid categories"
    )
    welfare_levels: Annotated[tuple[WelfareLevel, ...], Field(max_length=MAX_PERIODS)] = Field(
        default=(), description="Digital Family Card levels, one at a time"
    )
    care_requests: Annotated[tuple[IsoDate, ...], Field(max_length=MAX_CARE_REQUESTS)] = Field(
        default=(), description="dates the person applied for care (levels D/E)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> KzPerson:
        problems: list[tuple[Any, str]] = []
        iin = read_iin(self.id)  # the id field checked it (parse_iin)
        if iin.birth_date != self.birth_date:
            problems.append(
                (
                    ("id",),
                    f"the IIN gives birth date {iin.birth_date}, but birth_date is "
                    f"{self.birth_date}",
                )
            )
        if iin.sex != self.sex:
            problems.append((("id",), f"the IIN's 7th digit says {iin.sex}, but sex is {self.sex}"))
        if self.death_date is not None and self.death_date < self.birth_date:
            problems.append(
                (("death_date",), f"{self.death_date} is before birth_date {self.birth_date}")
            )
        for i, m in enumerate(self.memberships):
            if m.start < self.birth_date:
                problems.append((("memberships", i, "start"), f"{m.start} is before birth_date"))
        if len(self.welfare_levels) > 1:  # one level overlaps nothing
            problems += _overlaps(self.welfare_levels, "welfare_levels", "one level at a time")
        for i, d in enumerate(self.care_requests):
            if d < self.birth_date:
                problems.append((("care_requests", i), f"{d} is before birth_date"))
        if problems:
            raise Problems(problems)
        return self

    @cached_property
    def _level_index(self) -> tuple[list[dt.date], tuple[WelfareLevel, ...]]:
        """The starts of the welfare levels and the levels in their order, computed once per
        person (the model is frozen, so the index can never go stale)."""
        ordered = tuple(sorted(self.welfare_levels, key=lambda w: w.start))
        return [w.start for w in ordered], ordered

    def level_on(self, day: dt.date) -> str | None:
        """The welfare level held on ``day`` (levels never overlap: checked above)."""
        levels = self.welfare_levels
        if len(levels) > 8:  # many levels, asked about many days: a sorted index, bisected
            starts, ordered = self._level_index
            k = bisect_right(starts, day) - 1
            levels = ordered[k : k + 1] if k >= 0 else ()
        for w in levels:
            if w.start <= day and (w.end is None or day <= w.end):
                return w.level
        return None


#: A payment record as the rules read it: (month index, paid_on, amount, payer).
PaymentRow = tuple[int, dt.date, Decimal, str]


class PaymentRows(Sequence[PaymentRow]):
    """A case's payment records as the rules read them, kept as four columns: record ``i`` is
    the row ``(months[i], paid_ons[i], amounts[i], payers[i])``. Immutable.

    Validation reads a document's records column by column (pydantic-core checks a list of
    values faster than a list of rows), and the rules read columns too; the rows are there for
    any reader that wants them. The rules never read the amounts (any amount marks its month
    paid), so amounts given as text are made ``Decimal`` when first read.
    """

    __slots__ = ("_amounts", "_texts", "months", "paid_ons", "payers")
    months: tuple[int, ...]
    paid_ons: tuple[dt.date, ...]
    payers: tuple[str, ...]
    _amounts: tuple[Decimal, ...] | None
    _texts: tuple[Decimal | str, ...]

    def __init__(
        self,
        months: tuple[int, ...],
        paid_ons: tuple[dt.date, ...],
        amounts: tuple[Decimal, ...],
        payers: tuple[str, ...],
    ) -> None:
        self._set(months, paid_ons, amounts, amounts, payers)

    @classmethod
    def _read(
        cls,
        months: tuple[int, ...],
        paid_ons: tuple[dt.date, ...],
        amounts: tuple[Decimal | str, ...],
        payers: tuple[str, ...],
    ) -> PaymentRows:
        """Rows whose amounts are Decimals or texts that ``amount_text()`` accepted (a
        validator's output only: any other text would fail when the amounts are read)."""
        rows = cls.__new__(cls)
        rows._set(months, paid_ons, None, amounts, payers)
        return rows

    def _set(
        self,
        months: tuple[int, ...],
        paid_ons: tuple[dt.date, ...],
        amounts: tuple[Decimal, ...] | None,
        texts: tuple[Decimal | str, ...],
        payers: tuple[str, ...],
    ) -> None:
        if not len(paid_ons) == len(texts) == len(payers) == len(months):
            raise ValueError("the columns of payment rows differ in length")
        for name, value in (
            ("months", months),
            ("paid_ons", paid_ons),
            ("_amounts", amounts),
            ("_texts", texts),
            ("payers", payers),
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"PaymentRows are immutable: cannot set {name}")

    def __reduce__(self) -> tuple[Any, ...]:
        return PaymentRows, self._columns()

    @property
    def amounts(self) -> tuple[Decimal, ...]:
        found = self._amounts
        if found is None:
            found = tuple(map(Decimal, self._texts))  # exact: text never depends on the context
            object.__setattr__(self, "_amounts", found)
        return found

    @classmethod
    def of(cls, rows: Iterable[PaymentRow]) -> PaymentRows:
        """The rows ``rows`` as columns."""
        columns = tuple(zip(*rows, strict=True))
        return cls(*columns) if columns else cls((), (), (), ())

    def _columns(self) -> tuple[tuple[Any, ...], ...]:
        return self.months, self.paid_ons, self.amounts, self.payers

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PaymentRows):
            return NotImplemented
        return self._columns() == other._columns()

    def __hash__(self) -> int:
        return hash(self._columns())

    def __repr__(self) -> str:
        return (
            f"PaymentRows(months={self.months!r}, paid_ons={self.paid_ons!r}, "
            f"amounts={self.amounts!r}, payers={self.payers!r})"
        )

    def __len__(self) -> int:
        return len(self.months)

    @overload
    def __getitem__(self, i: int) -> PaymentRow: ...

    @overload
    def __getitem__(self, i: slice) -> list[PaymentRow]: ...

    def __getitem__(self, i: int | slice) -> PaymentRow | list[PaymentRow]:
        if isinstance(i, slice):
            return list(
                zip(self.months[i], self.paid_ons[i], self.amounts[i], self.payers[i], strict=True)
            )
        return self.months[i], self.paid_ons[i], self.amounts[i], self.payers[i]

    def __iter__(self) -> Iterator[PaymentRow]:
        return zip(self.months, self.paid_ons, self.amounts, self.payers, strict=True)


_FIRST_INDEX = FIRST_CONTRIBUTION_MONTH.index
_LAST_INDEX = YearMonth.of(HORIZON).index


def _payment_problems(rows: Sequence[PaymentRow], born: dt.date) -> list[tuple[Any, str]]:
    problems: list[tuple[Any, str]] = []
    born_month = born.year * 12 + born.month - 1
    seen: dict[PaymentRow, int] = {}
    for i, row in enumerate(rows):
        month, paid_on = YearMonth._unchecked(row[0]), row[1]
        if paid_on < born:
            problems.append((("payments", i, "paid_on"), f"{paid_on} is before the person's birth"))
        if row[0] < _FIRST_INDEX:
            problems.append(
                (
                    ("payments", i, "month"),
                    f"OSMS contributions start with {FIRST_CONTRIBUTION_MONTH}; got a payment "
                    f"for {month}",
                )
            )
        elif row[0] > _LAST_INDEX:
            problems.append(
                (("payments", i, "month"), f"{month} is after the horizon {HORIZON:%Y-%m}")
            )
        elif row[0] < born_month:
            problems.append((("payments", i, "month"), f"{month} is before the person's birth"))
        first = seen.setdefault(row, i)
        if first != i:
            problems.append(
                (("payments", i), f"duplicates payments[{first}] (same month, date, amount, payer)")
            )
    return problems


def case_problems(as_of: dt.date, born: dt.date, rows: PaymentRows) -> None:
    """The document-level checks of a kz-osms case (both compiled forms call this)."""
    problems: list[tuple[Any, str]] = []
    if as_of < BENEFITS_START:
        problems.append(
            (
                ("as_of",),
                f"{as_of} is too early: kz-osms benefits start on {BENEFITS_START.isoformat()}",
            )
        )
    # one look at each column in C; records with distinct months are distinct records, so the
    # whole records (dates and Decimals hashed) are compared only when a month repeats
    months = rows.months
    if months:
        if all(map(lt, months, months[1:])):
            # increasing (a history as listed, mostly): one look gives the least, the greatest
            # and that no month repeats
            least, most, distinct = months[0], months[-1], True
        else:
            least, most, distinct = min(months), max(months), len(set(months)) == len(months)
        if (
            min(rows.paid_ons) < born
            or least < max(born.year * 12 + born.month - 1, _FIRST_INDEX)
            or most > _LAST_INDEX
            or (not distinct and len(set(rows)) != len(rows))
        ):
            problems += _payment_problems(rows, born)
    if problems:
        raise Problems(problems)


class KzCase(Case):
    """A kz-osms case document: who, which date, and every payment record known."""

    scheme: Literal["kz-osms"] = Field(description="`kz-osms`")
    person: KzPerson = Field(description="the person the case is about")
    payments: Annotated[tuple[KzPayment, ...], Field(max_length=MAX_PAYMENTS)] = Field(
        default=(), description="one record per month paid for (several payers allowed)"
    )

    @model_validator(mode="after")
    def _payments_fit_the_person(self) -> KzCase:
        case_problems(self.as_of, self.person.birth_date, self.rows())
        return self

    def rows(self) -> PaymentRows:
        return PaymentRows.of((p.month.index, p.paid_on, p.amount, p.payer) for p in self.payments)


@dataclass(frozen=True, slots=True)
class KzInput:
    """What the rules read from a case: the date asked about, the person, the payment rows."""

    as_of: dt.date
    person: KzPerson
    payments: PaymentRows
    scheme: ClassVar[str] = "kz-osms"

    @classmethod
    def of(cls, case: KzCase) -> KzInput:
        return cls(case.as_of, case.person, case.rows())


# -- the compiled input of decide(): KzCase's field types as typed dicts, read into rows ----------


class _PaymentRecord(TypedDict):
    __pydantic_config__ = ConfigDict(extra="forbid", hide_input_in_errors=True)  # type: ignore[misc]
    month: MonthIndex
    paid_on: IsoDate
    amount: Amount
    payer: Payer


#: a payment record's keys in the order of its row, and the readers of each key
_ROW_KEYS = ("month", "paid_on", "amount", "payer")
_COLUMNS = tuple(map(itemgetter, _ROW_KEYS))
_NO_ROWS = PaymentRows((), (), (), ())


def _as_rows(records: list[_PaymentRecord]) -> PaymentRows:
    """The validated payment records as the rules' rows, taken apart in C: one call per
    column rather than one per record."""
    return PaymentRows._read(*(tuple(map(column, records)) for column in _COLUMNS))


def _columns_as_rows(columns: tuple[list[Any], ...]) -> PaymentRows:
    return PaymentRows._read(*map(tuple, columns))


def _as_input(doc: dict[str, Any]) -> KzInput:
    rows: PaymentRows = doc.get("payments", _NO_ROWS)
    person: KzPerson = doc["person"]
    case_problems(doc["as_of"], person.birth_date, rows)
    return KzInput(doc["as_of"], person, rows)


class _Document(TypedDict):
    __pydantic_config__ = ConfigDict(extra="forbid", hide_input_in_errors=True)  # type: ignore[misc]
    scheme: Literal["kz-osms"]
    as_of: IsoDate
    person: KzPerson
    payments: NotRequired[
        Annotated[list[_PaymentRecord], Field(max_length=MAX_PAYMENTS), AfterValidator(_as_rows)]
    ]


#: decide()'s compiled input: a kz-osms case document validated into ``KzInput``.
INPUT = Annotated[_Document, AfterValidator(_as_input)]

#: Every key of a payment record is required, so a record holds exactly this many keys when it
#: holds no unknown one.
_RECORD_KEYS = len(_PaymentRecord.__required_keys__)
assert not _PaymentRecord.__optional_keys__


def _ignoring_unknown_record_keys(schema: Any) -> Any:
    """A copy of the core schema ``schema`` where a payment record's unknown keys are ignored
    rather than refused, and its fields are read by ``_quick_readers``; nothing else differs
    (the one definition, ``_PaymentRecord``, read with another extra-keys behaviour)."""
    if isinstance(schema, list):
        return [_ignoring_unknown_record_keys(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _ignoring_unknown_record_keys(value) for key, value in schema.items()}
    if out.get("type") == "typed-dict" and out.get("cls") is _PaymentRecord:
        out["extra_behavior"] = "ignore"
        out["config"] = {**out.get("config", {}), "extra_fields_behavior": "ignore"}
        readers = _quick_readers(out["fields"])
        out["fields"] = {
            key: {**field, "schema": readers[key]} for key, field in out["fields"].items()
        }
    return out


def _loose(adapter: TypeAdapter[Any]) -> SchemaValidator:
    # refusing unknown keys makes pydantic-core look at every key of every record; the callers
    # prove there was none by counting them instead
    return SchemaValidator(_ignoring_unknown_record_keys(adapter.core_schema))


@cache
def _document() -> TypeAdapter[Any]:
    return TypeAdapter(_Document)


@cache
def _loose_document() -> SchemaValidator:
    return _loose(_document())


#: the last day of the days the fast reader knows by their text (a bound on a cache, not a rule:
#: any later day is read by the field's own schema)
_KNOWN_DAYS_END = dt.date(2040, 12, 31)


@cache
def _known_days() -> TextLookup:
    """The days payments are made on, from the first contribution month to
    ``_KNOWN_DAYS_END``: each day's text, and the date the ``IsoDate`` schema (the one
    definition) reads from it."""
    first = FIRST_CONTRIBUTION_MONTH.first_day()
    texts = [
        (first + dt.timedelta(days=i)).isoformat()
        for i in range((_KNOWN_DAYS_END - first).days + 1)
    ]
    return TextLookup(zip(texts, TypeAdapter(list[IsoDate]).validate_python(texts), strict=True))


@cache
def _known_months() -> TextLookup:
    """The months payments may be for (``_FIRST_INDEX`` to ``_LAST_INDEX``): each month's
    text, and the index the ``MonthIndex`` schema (the one definition) reads from it."""
    texts = [str(YearMonth.from_index(m)) for m in range(_FIRST_INDEX, _LAST_INDEX + 1)]
    return TextLookup(zip(texts, TypeAdapter(list[MonthIndex]).validate_python(texts), strict=True))


def _day_looked_up(field: Any) -> Any:
    """The schema ``field`` of a day, reading the texts of ``_known_days()`` by one look-up
    (a payment date is a short text, and its look-up costs a fraction of a pattern match and
    a date parse); any other value is read by ``field`` itself."""
    return core_schema.union_schema([_known_days().schema(), field], mode="left_to_right")


def _quick_readers(fields: dict[str, Any]) -> dict[str, Any]:
    """The schemas of a payment record's fields (``fields``, the typed dict's) for the fast
    readers: each reads what its field reads, days by a look-up, and an amount's text is kept
    as text (made a Decimal when the amounts are read: ``PaymentRows``)."""
    readers = {key: fields[key]["schema"] for key in _ROW_KEYS}
    readers["paid_on"] = _day_looked_up(readers["paid_on"])
    readers["amount"] = core_schema.union_schema(
        [amount_text(), readers["amount"]], mode="left_to_right"
    )
    return readers


def _records_as_columns(schema: Any) -> Any:
    """A copy of the core schema ``schema`` that reads the payment records as columns: a tuple
    of four lists, the values of each key in the order of ``_ROW_KEYS``, each list the records'
    list (its bounds) of the values of one field, validated by that field's schema; nothing
    else differs (the one definition, ``_PaymentRecord``, read column by column)."""
    if isinstance(schema, list):
        return [_records_as_columns(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") == "function-after" and schema["function"]["function"] is _as_rows:
        records = schema["schema"]
        record = records["items_schema"]
        assert records["type"] == "list", records["type"]
        assert record["type"] == "typed-dict" and record["cls"] is _PaymentRecord, record
        fields = record["fields"]
        assert set(fields) == set(_ROW_KEYS)
        readers = _quick_readers(fields)
        # the columns of texts known in advance are tried as a whole first
        known = {"month": _known_months(), "paid_on": _known_days()}
        columns: list[Any] = []
        for key in _ROW_KEYS:
            column: Any = {**records, "items_schema": readers[key]}
            columns.append(known[key].column_schema(column) if key in known else column)
        return core_schema.no_info_after_validator_function(
            _columns_as_rows, core_schema.tuple_schema(columns)
        )
    return {key: _records_as_columns(value) for key, value in schema.items()}


@cache
def _columns_input() -> SchemaValidator:
    return SchemaValidator(_records_as_columns(TypeAdapter(INPUT).core_schema))


_DICT = frozenset({dict})


def input_from_dict(doc: dict[str, Any]) -> KzInput | None:
    """``INPUT`` validated from a plain dict whose payment records are taken apart first, or
    None when it is not shown that they hold their keys and no other
    (``insurrules.case.validate_input``; a ``ValueError`` or ``TypeError`` when invalid).

    A typed dict costs pydantic-core a look-up and a store per key of every record; a list of
    values, a look at each value. So the records, each a ``dict`` (not a subclass, whose
    look-ups or ``__missing__`` may say other than what pydantic-core reads), give a column of
    the values of each required key, in C; when each has them, a record holds no other key
    when the records hold ``_RECORD_KEYS`` keys each. The columns are then validated by the
    fields' own schemas. Any other record, or any other count, is left to the strict reader.
    Only a list or tuple of records is read here: an iterator would be spent before the strict
    reader could see it.
    """
    records = doc.get("payments", ())
    if type(records) is not list and type(records) is not tuple:
        return None
    if records:
        if not set(map(type, records)) <= _DICT:
            return None
        try:
            columns = tuple(list(map(column, records)) for column in _COLUMNS)
        except KeyError:
            return None
        if sum(map(len, records)) != _RECORD_KEYS * len(records):  # plain dicts: len is theirs
            return None
        doc = {**doc, "payments": columns}
    elif "payments" in doc:
        doc = {**doc, "payments": ([], [], [], [])}
    found: KzInput = _columns_input().validate_python(doc)
    return found


def _keys(person: KzPerson) -> int:
    """The keys of the person object and of the objects in it (each given key is in a model's
    fields set)."""
    return (
        len(person.model_fields_set)
        + sum(len(m.model_fields_set) for m in person.memberships)
        + sum(len(w.model_fields_set) for w in person.welfare_levels)
    )


def input_from_json(text: bytes | bytearray | str) -> KzInput | None:
    """``INPUT`` validated by pydantic-core from JSON text; None when the text may name a key
    twice (``insurrules.case.validate_input_json``; a ``ValueError`` when invalid).

    The JSON reader keeps one of two equal keys silently, so the keys are counted: every key
    of a document is followed by one colon, and no text this document accepts (codes, dates,
    digits) holds a colon, so a valid document without a duplicate key has exactly as many
    colons as keys were read. Any other count is left to the strict reader. Unknown keys of
    payment records are ignored by the reader rather than refused (cheaper): each adds a colon
    and no key read, so the count catches them too.
    """
    doc: dict[str, Any] = _loose_document().validate_json(text)
    keys = len(doc) + _RECORD_KEYS * len(doc.get("payments", ())) + _keys(doc["person"])
    colons = text.count(":") if isinstance(text, str) else text.count(b":")
    return _as_input(doc) if colons == keys else None
