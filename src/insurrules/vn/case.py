"""The vn-bhyt case document (contract.md), validated strictly.

Rejected with the field path and the reason: bad or impossible dates, ``end`` before ``start``,
death before birth, memberships or purchases before birth, cards of other lengths than 3, 6 or 12
months, amounts that are not numbers or are negative, unknown codes and payers, unknown fields,
dates before 2015-01-01 (the card rules of Law 46/2014/QH13 modelled here), and:

* **Ambiguous purchase histories.** Two purchases paid on the same day are an error: the card
  chain is built in order of ``paid_on`` and cannot tell which came first (merge them into one
  record or correct the date). A purchase made while an earlier card is valid or still pending is
  *not* ambiguous: it simply extends the chain (R7.2).
* **A purchase during an open state-paid membership.** A person in a fully state-paid group takes
  part there, not in household form (R1); without the membership's end the chain cannot be built.
* **``payer: supported`` without a support group** (``near_poor``, ``student``...) covering
  ``paid_on``; and two support groups at once.
* **``child_under_6``** is derived from ``birth_date`` (R9). Giving it explicitly is allowed but
  checked: its period must lie within birth..the R9 end date (so a child-under-6 membership for
  someone older is an error). The derived card is used either way.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from insurrules.case import Case
from insurrules.models import Amount, FrozenModel, IsoDate, PersonalId, personal_id
from insurrules.vn.cards import child_card_end
from insurrules.vn.rules import SUPPORT_GROUPS, default_rules

__all__ = [
    "CARD_RULES_START",
    "STATE_GROUPS",
    "VnCase",
    "VnHousehold",
    "VnMembership",
    "VnPayment",
    "VnPerson",
]

#: Law 46/2014/QH13 (household ladder, 30-day wait, 5-year rule) from 2015-01-01: the card rules
#: modelled here; earlier purchases or decisions would be judged under rules not in the data.
CARD_RULES_START = dt.date(2015, 1, 1)

VnMembershipCode = Literal[
    # state-support groups (R5): the member pays the rest of the amount, off the ladder
    "near_poor",
    "near_poor_poor_area",
    "near_poor_poor_commune",
    "student",
    "agri_average",
    "ethnic_minority_transition",
    # fully state-paid groups (R4)
    "poor_household",
    "child_under_6",
    "social_assistance",
    "ethnic_minority_difficult_area",
    "meritorious",
    "survivor_allowance_75",
    "near_poor_survivor_70_75",
    "social_pension",
    "militia",
]
STATE_GROUPS: tuple[str, ...] = tuple(
    c for c in get_args(VnMembershipCode) if c not in SUPPORT_GROUPS
)
_OPEN_STATE = frozenset(STATE_GROUPS) - {"child_under_6"}
Payer = Literal["household", "state", "supported", "employer", "student"]


#: The 12-digit personal identification number (any 12 digits: no check digit); masked in reprs.
PersonalNumber = Annotated[
    PersonalId,
    PlainValidator(personal_id),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{12}$",
            "description": "personal identification number, 12 digits",
        }
    ),
]


class VnMembership(FrozenModel):
    """A period in a support group or a fully state-paid group; dates inclusive, ``end`` open."""

    code: VnMembershipCode
    start: IsoDate
    end: IsoDate | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> VnMembership:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class VnHousehold(FrozenModel):
    """The member's place on the household ladder (1 = first member, R2)."""

    rank: Annotated[int, Field(strict=True, ge=1)]


class VnPayment(FrozenModel):
    """One card purchase: paid on ``paid_on`` for ``months`` months by ``payer``."""

    paid_on: IsoDate
    months: Literal[3, 6, 12]
    amount: Amount
    payer: Payer

    @field_validator("months", mode="before")
    @classmethod
    def _whole_months(cls, value: Any) -> Any:
        # "6" or 6.0 would be guessed into a card length; a purchase states it as a number.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"a card is bought for 3, 6 or 12 months, got {value!r}")
        if value not in (3, 6, 12):
            raise ValueError(f"a card is bought for 3, 6 or 12 months, got {value}")
        return value


class VnPerson(FrozenModel):
    """The person a vn-bhyt case is about."""

    id: PersonalNumber
    birth_date: IsoDate
    sex: Literal["male", "female"]
    death_date: IsoDate | None = None
    memberships: tuple[VnMembership, ...] = ()
    household: VnHousehold | None = None

    @model_validator(mode="after")
    def _consistent(self) -> VnPerson:
        problems: list[str] = []
        born = self.birth_date
        if self.death_date is not None and self.death_date < born:
            problems.append(f"death_date: {self.death_date} is before birth_date {born}")
        child_end = child_card_end(born, default_rules())
        for i, m in enumerate(self.memberships):
            if m.start < born:
                problems.append(f"memberships[{i}].start: {m.start} is before birth_date {born}")
            elif m.code == "child_under_6" and (
                m.start > child_end or (m.end is not None and m.end > child_end)
            ):
                problems.append(
                    f"memberships[{i}]: child_under_6 is derived from birth_date {born}: the "
                    f"card runs {born}..{child_end} (R9), but this period runs "
                    f"{m.start}..{m.end or 'open'}"
                )
        support = [(i, m) for i, m in enumerate(self.memberships) if m.code in SUPPORT_GROUPS]
        for a, (i, m) in enumerate(support):
            for j, other in support[:a]:
                if _overlap(m, other):
                    problems.append(
                        f"memberships[{i}]: overlaps the support group of memberships[{j}] "
                        f"({other.code}); one support group at a time"
                    )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def support_on(self, day: dt.date) -> VnMembership | None:
        return next(
            (m for m in self.memberships if m.code in SUPPORT_GROUPS and m.covers(day)), None
        )


def _overlap(a: VnMembership, b: VnMembership) -> bool:
    return (a.end is None or b.start <= a.end) and (b.end is None or a.start <= b.end)


class VnCase(Case):
    """A vn-bhyt case document: who, which date, and every card purchase known."""

    scheme: Literal["vn-bhyt"]
    person: VnPerson
    payments: tuple[VnPayment, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> VnCase:
        problems: list[str] = []
        if self.as_of < CARD_RULES_START:
            problems.append(
                f"as_of: {self.as_of} is too early: the card rules modelled start on "
                f"{CARD_RULES_START} (Law 46/2014/QH13)"
            )
        person = self.person
        first_on: dict[dt.date, int] = {}
        for i, p in enumerate(self.payments):
            where = f"payments[{i}]"
            if p.paid_on < person.birth_date:
                problems.append(f"{where}.paid_on: {p.paid_on} is before the person's birth")
            elif p.paid_on < CARD_RULES_START:
                problems.append(
                    f"{where}.paid_on: {p.paid_on} is before {CARD_RULES_START}, when the card "
                    "rules modelled start (Law 46/2014/QH13)"
                )
            if p.paid_on in first_on:
                problems.append(
                    f"{where}.paid_on: paid on the same day as payments[{first_on[p.paid_on]}]; "
                    "the order of two purchases on one day is ambiguous: merge them into one "
                    "record or correct the date"
                )
            else:
                first_on[p.paid_on] = i
            if p.payer == "supported" and person.support_on(p.paid_on) is None:
                problems.append(
                    f"{where}.payer: 'supported', but no support-group membership "
                    f"({', '.join(SUPPORT_GROUPS)}) covers paid_on {p.paid_on}"
                )
            for j, m in enumerate(person.memberships):
                if m.code in _OPEN_STATE and m.end is None and m.start <= p.paid_on:
                    problems.append(
                        f"{where}: paid on {p.paid_on} while the person is in the fully "
                        f"state-paid group {m.code} (memberships[{j}], open-ended); a "
                        "state-paid person does not buy a card (R1): give the membership's end"
                    )
        if problems:
            raise ValueError("\n".join(problems))
        return self
