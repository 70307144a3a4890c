"""The kz-osms case document (contract.md), validated strictly.

Everything contract.md lists as invalid is rejected here with the field path and the reason:
bad or impossible dates, ``end`` before ``start``, death before birth, payments before birth,
negative or non-numeric amounts, a bad IIN check digit or an IIN that disagrees with the birth
date or sex, unknown codes, duplicate identical payment records, unknown fields, and an ``as_of``
before the scheme's benefits started (2020-01-01).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    PlainSerializer,
    PlainValidator,
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
    "KzMembership",
    "KzPayment",
    "KzPerson",
    "WelfareLevel",
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


_PAYMENT_KEYS = frozenset(("month", "paid_on", "amount", "payer"))
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


def _fast_payment(item: Any) -> KzPayment | None:
    """A payment record built without per-field validators, or None to take the full path.

    Services send long, clean payment histories; this accepts exactly what the full validation
    accepts in its common form (``"YYYY-MM"``, ISO date string, decimal string or int, known
    payer) and hands anything else to the full validation, which names each problem.
    """
    if type(item) is not dict or item.keys() != _PAYMENT_KEYS:
        return None
    month, paid_on, amount, payer = item["month"], item["paid_on"], item["amount"], item["payer"]
    if type(month) is not str or len(month) != 7 or month[4] != "-" or not month.isascii():
        return None
    if not (month[:4].isdigit() and month[5:].isdigit()) or not 1 <= int(month[5:]) <= 12:
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
    return KzPayment._trusted(
        {
            "month": YearMonth._unchecked(int(month[:4]) * 12 + int(month[5:]) - 1),
            "paid_on": day,
            "amount": value,
            "payer": payer,
        }
    )


class KzCase(Case):
    """A kz-osms case document: who, which date, and every payment record known."""

    scheme: Literal["kz-osms"]
    person: KzPerson
    payments: tuple[KzPayment, ...] = ()

    @field_validator("payments", mode="wrap")
    @classmethod
    def _payments(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if type(value) is list:
            fast = [_fast_payment(item) for item in value]
            if None not in fast:
                return tuple(fast)
        return handler(value)

    @model_validator(mode="after")
    def _consistent(self) -> KzCase:
        problems: list[str] = []
        if self.as_of < BENEFITS_START:
            problems.append(
                f"as_of: {self.as_of} is too early: kz-osms benefits start on "
                f"{BENEFITS_START.isoformat()}"
            )
        payments = self.payments
        if payments:
            born = self.person.birth_date
            earliest_month = max(born.year * 12 + born.month - 1, _FIRST_INDEX)
            keys = [(p.month.index, p.paid_on, p.amount, p.payer) for p in payments]
            # the common case (no problem) is checked in bulk; the loop only names problems
            if (
                min(k[1] for k in keys) < born
                or min(k[0] for k in keys) < earliest_month
                or len(set(keys)) != len(keys)
            ):
                problems.extend(_payment_problems(keys, born))
        if problems:
            raise ValueError("\n".join(problems))
        return self
