"""The kz-osms case document (contract.md), validated strictly.

Everything contract.md lists as invalid is rejected here with the field path and the reason:
bad or impossible dates, ``end`` before ``start``, death before birth, payments before birth,
negative or non-numeric amounts, a bad IIN check digit or an IIN that disagrees with the birth
date or sex, unknown codes, duplicate identical payment records, unknown fields, and an ``as_of``
before the scheme's benefits started (2020-01-01).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    PlainSerializer,
    PlainValidator,
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

    @field_validator("month")
    @classmethod
    def _month_in_scheme(cls, month: YearMonth) -> YearMonth:
        if month < FIRST_CONTRIBUTION_MONTH:
            raise ValueError(
                f"OSMS contributions start with {FIRST_CONTRIBUTION_MONTH}; "
                f"got a payment for {month}"
            )
        return month


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


class KzCase(Case):
    """A kz-osms case document: who, which date, and every payment record known."""

    scheme: Literal["kz-osms"]
    person: KzPerson
    payments: tuple[KzPayment, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> KzCase:
        problems: list[str] = []
        if self.as_of < BENEFITS_START:
            problems.append(
                f"as_of: {self.as_of} is too early: kz-osms benefits start on "
                f"{BENEFITS_START.isoformat()}"
            )
        born = self.person.birth_date
        born_month = YearMonth.of(born)
        seen: dict[KzPayment, int] = {}
        for i, p in enumerate(self.payments):
            if p.paid_on < born:
                problems.append(f"payments[{i}].paid_on: {p.paid_on} is before the person's birth")
            elif p.month < born_month:
                problems.append(f"payments[{i}].month: {p.month} is before the person's birth")
            if p in seen:
                problems.append(
                    f"payments[{i}]: duplicates payments[{seen[p]}] "
                    "(same month, date, amount, payer)"
                )
            else:
                seen[p] = i
        if problems:
            raise ValueError("\n".join(problems))
        return self
