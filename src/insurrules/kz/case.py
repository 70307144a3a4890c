"""The kz-osms case document (contract.md), validated strictly.

Everything contract.md lists as invalid is rejected here with the field path and the reason:
bad or impossible dates, ``end`` before ``start``, death before birth, payments before birth,
negative or non-numeric amounts, a bad IIN check digit or an IIN that disagrees with the birth
date or sex, unknown codes, duplicate identical payment records, unknown fields, and an ``as_of``
before the scheme's benefits started (2020-01-01).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, Self, get_args

from pydantic import (
    PlainSerializer,
    PlainValidator,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from insurrules.case import Case
from insurrules.kz.iin import parse_iin
from insurrules.models import Amount, FrozenModel, IsoDate, PersonalId, personal_id
from insurrules.months import YearMonth

__all__ = [
    "KZ_MEMBERSHIP_CODES",
    "KzCase",
    "KzCaseHead",
    "KzInput",
    "KzMembership",
    "KzPayment",
    "KzPerson",
    "PaymentRow",
    "WelfareLevel",
    "fast_input",
]

#: Membership codes a case may carry (kz.md "State-paid categories"); ``child`` and
#: ``welfare_level_de`` are derived, never given.
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

#: kz.md "The scheme's benefits start on 2020-01-01" (R5.1); also parameter
#: ``kz.scheme.benefits_start`` (a test keeps the two equal).
BENEFITS_START = dt.date(2020, 1, 1)
#: ``kz.contributions.first_month``: deductions started 01.07.2017.
FIRST_CONTRIBUTION_MONTH = YearMonth(2017, 7)


def _iin(value: Any) -> PersonalId:
    pid = personal_id(value)
    parse_iin(pid)
    return pid


#: An IIN: 12 digits with a valid check digit; masked in reprs (``8704******16``).
Iin = Annotated[
    PersonalId,
    PlainValidator(_iin),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\d{12}$", "description": "IIN with a valid check digit"}
    ),
]


class KzMembership(FrozenModel):
    """A period in a state-paid category; ``start`` and ``end`` inclusive, ``end`` null = open."""

    code: KzMembershipCode
    start: IsoDate
    end: IsoDate | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> KzMembership:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end: {self.end} is before start {self.start}")
        return self


class WelfareLevel(FrozenModel):
    """A Digital Family Card welfare level (A-E) and the period it held."""

    level: Literal["A", "B", "C", "D", "E"]
    start: IsoDate
    end: IsoDate | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> WelfareLevel:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end: {self.end} is before start {self.start}")
        return self


class KzPayment(FrozenModel):
    """One record of a month paid *for*: ``month`` the period, ``paid_on`` the day it arrived."""

    month: YearMonth
    paid_on: IsoDate
    amount: Amount
    payer: Payer


class KzPerson(FrozenModel):
    """The person a kz-osms case is about."""

    id: Iin
    birth_date: IsoDate
    sex: Literal["male", "female"]
    death_date: IsoDate | None = None
    residency: Residency = "citizen"
    memberships: tuple[KzMembership, ...] = ()
    welfare_levels: tuple[WelfareLevel, ...] = ()
    care_requests: tuple[IsoDate, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> KzPerson:
        problems: list[str] = []
        iin = parse_iin(self.id)
        if iin.birth_date != self.birth_date:
            problems.append(
                f"id: the IIN gives birth date {iin.birth_date}, "
                f"but birth_date is {self.birth_date}"
            )
        if iin.sex != self.sex:
            problems.append(f"id: the IIN's 7th digit says {iin.sex}, but sex is {self.sex}")
        if self.death_date is not None and self.death_date < self.birth_date:
            problems.append(f"death_date: {self.death_date} is before birth_date {self.birth_date}")
        for i, m in enumerate(self.memberships):
            if m.start < self.birth_date:
                problems.append(f"memberships[{i}].start: {m.start} is before birth_date")
        for i, w in enumerate(self.welfare_levels):
            for j in range(i):
                other = self.welfare_levels[j]
                if _overlap(w.start, w.end, other.start, other.end):
                    problems.append(
                        f"welfare_levels[{i}]: overlaps welfare_levels[{j}] (one level at a time)"
                    )
        for i, d in enumerate(self.care_requests):
            if d < self.birth_date:
                problems.append(f"care_requests[{i}]: {d} is before birth_date")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def level_on(self, day: dt.date) -> str | None:
        for w in self.welfare_levels:
            if w.start <= day and (w.end is None or day <= w.end):
                return w.level
        return None


def _overlap(a0: dt.date, a1: dt.date | None, b0: dt.date, b1: dt.date | None) -> bool:
    return (a1 is None or b0 <= a1) and (b1 is None or a0 <= b1)


_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])", re.ASCII)
_FIRST_INDEX = FIRST_CONTRIBUTION_MONTH.index


def _payment_problems(
    keys: Sequence[tuple[int, dt.date, Decimal, str]], born: dt.date
) -> list[str]:
    problems = []
    born_month = born.year * 12 + born.month - 1
    seen: dict[tuple[int, dt.date, Decimal, str], int] = {}
    for i, key in enumerate(keys):
        month, paid_on = YearMonth.from_index(key[0]), key[1]
        if paid_on < born:
            problems.append(f"payments[{i}].paid_on: {paid_on} is before the person's birth")
        if key[0] < _FIRST_INDEX:
            problems.append(
                f"payments[{i}].month: OSMS contributions start with "
                f"{FIRST_CONTRIBUTION_MONTH}; got a payment for {month}"
            )
        elif key[0] < born_month:
            problems.append(f"payments[{i}].month: {month} is before the person's birth")
        if key in seen:
            problems.append(
                f"payments[{i}]: duplicates payments[{seen[key]}] (same month, date, amount, payer)"
            )
        else:
            seen[key] = i
    return problems


_PAYERS = frozenset(get_args(Payer))
_DOCUMENT_KEYS = frozenset(("scheme", "as_of", "person", "payments"))

#: A payment record as the rules read it: (month index, paid_on, amount, payer).
PaymentRow = tuple[int, dt.date, Decimal, str]


def _payment_row(item: Any) -> PaymentRow | None:
    """A payment record read without per-field validators, or None to take the full path.

    Services send long, clean payment histories; this accepts exactly what the full validation
    accepts in its common form (``"YYYY-MM"``, ISO date string, decimal string or int, known
    payer) and hands anything else to the full validation, which names each problem.
    """
    if type(item) is not dict or len(item) != 4:
        return None
    try:
        month, paid_on = item["month"], item["paid_on"]
        amount, payer = item["amount"], item["payer"]
    except KeyError:
        return None
    if type(month) is not str or (found := _MONTH.fullmatch(month)) is None:
        return None
    if type(paid_on) is not str or len(paid_on) != 10 or paid_on[4] != "-" or paid_on[7] != "-":
        return None
    if payer not in _PAYERS or type(amount) not in (str, int):
        return None
    try:
        day = dt.date.fromisoformat(paid_on)
        value = Decimal(amount)
    except (ValueError, ArithmeticError):
        return None
    if not value.is_finite() or value < 0:
        return None
    return (int(found[1]) * 12 + int(found[2]) - 1, day, value, payer)


def _row_payment(row: PaymentRow) -> KzPayment:
    return KzPayment._trusted(
        {
            "month": YearMonth._unchecked(row[0]),
            "paid_on": row[1],
            "amount": row[2],
            "payer": row[3],
        }
    )


def _rows_problems(rows: Sequence[PaymentRow], born: dt.date) -> list[str]:
    """Problems between payment records and the person; [] in the (bulk-checked) common case."""
    if not rows:
        return []
    earliest_month = max(born.year * 12 + born.month - 1, _FIRST_INDEX)
    if (
        min(r[1] for r in rows) < born
        or min(r[0] for r in rows) < earliest_month
        or len(set(rows)) != len(rows)
    ):
        return _payment_problems(rows, born)
    return []


class KzCaseHead(Case):
    """The case document without its payments (shared by :class:`KzCase` and the fast path)."""

    scheme: Literal["kz-osms"]
    person: KzPerson

    @model_validator(mode="after")
    def _scheme_started(self) -> Self:
        if self.as_of < BENEFITS_START:
            raise ValueError(
                f"as_of: {self.as_of} is too early: kz-osms benefits start on "
                f"{BENEFITS_START.isoformat()}"
            )
        return self


class KzCase(KzCaseHead):
    """A kz-osms case document: who, which date, and every payment record known."""

    payments: tuple[KzPayment, ...] = ()

    @field_validator("payments", mode="wrap")
    @classmethod
    def _payments(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if type(value) is list:
            rows = [_payment_row(item) for item in value]
            if None not in rows:
                return tuple(_row_payment(r) for r in rows)  # type: ignore[arg-type]
        return handler(value)

    @model_validator(mode="after")
    def _payments_fit_the_person(self) -> KzCase:
        problems = _rows_problems(self.rows(), self.person.birth_date)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def rows(self) -> list[PaymentRow]:
        return [(p.month.index, p.paid_on, p.amount, p.payer) for p in self.payments]


@dataclass(frozen=True, slots=True)
class KzInput:
    """What the rules read from a case: the date asked about, the person, the payment rows."""

    as_of: dt.date
    person: KzPerson
    payments: Sequence[PaymentRow]

    @classmethod
    def of(cls, case: KzCase) -> KzInput:
        return cls(case.as_of, case.person, case.rows())


def fast_input(data: Any) -> KzInput | None:
    """The rules' input straight from a clean case document, or None for the full validation.

    Equivalent to ``KzInput.of(KzCase.model_validate(data))`` for the documents it accepts
    (a property test holds them equal); it skips building one model per payment record.
    """
    if type(data) is not dict or not data.keys() <= _DOCUMENT_KEYS:
        return None
    raw = data.get("payments", [])
    if type(raw) is not list:
        return None
    rows = [_payment_row(item) for item in raw]
    if None in rows:
        return None
    try:
        head = KzCaseHead.model_validate({k: v for k, v in data.items() if k != "payments"})
    except ValidationError:
        return None
    checked: list[PaymentRow] = rows  # type: ignore[assignment]
    if _rows_problems(checked, head.person.birth_date):
        return None
    return KzInput(head.as_of, head.person, checked)
