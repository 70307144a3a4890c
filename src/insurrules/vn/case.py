"""The vn-bhyt case document ([the contract][contract]), validated strictly.

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
from bisect import bisect_right
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, ValidationInfo, field_validator, model_validator

from insurrules.case import Case
from insurrules.errors import Problems, describe
from insurrules.models import (
    ID_PATTERN,
    Amount,
    Compiled,
    FrozenModel,
    IsoDate,
    PersonalId,
    personal_id_core,
)
from insurrules.vn.cards import Payer, child_card_end
from insurrules.vn.rules import (
    SUPPORT_GROUPS,
    SupportGroup,
    card_months,
    card_months_problem,
    default_rules,
)

__all__ = [
    "CARD_RULES_START",
    "STATE_GROUPS",
    "Payer",
    "VnCase",
    "VnHousehold",
    "VnMembership",
    "VnPayment",
    "VnPerson",
]

#: Law 46/2014/QH13 (household ladder, 30-day wait, 5-year rule) from 2015-01-01: the card rules
#: modelled here; earlier purchases or decisions would be judged under rules not in the data.
#: Parameter ``vn.scheme.card_rules_start`` (its one definition), as shipped.
CARD_RULES_START: dt.date = default_rules()["vn.scheme.card_rules_start"].values[-1].value

VnMembershipCode = Literal[
    SupportGroup,
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


#: The 12-digit personal identification number (any 12 ASCII digits: no check digit); masked in
#: reprs.
PersonalNumber = Annotated[
    PersonalId,
    Compiled(
        personal_id_core,
        {
            "type": "string",
            "pattern": ID_PATTERN,
            "description": "personal identification number, 12 digits (masked in every error)",
        },
    ),
]

#: Bounds: memberships per person, card purchases per case, places on a household ladder.
MAX_MEMBERSHIPS = 1_000
MAX_PURCHASES = 1_000
MAX_RANK = 100


class VnMembership(FrozenModel):
    """A period in a support group or a fully state-paid group; dates inclusive, ``end`` open."""

    code: VnMembershipCode = Field(description="support group or fully state-paid group")
    start: IsoDate = Field(description="first day in the group")
    end: IsoDate | None = Field(default=None, description="last day (inclusive); null = open")

    @model_validator(mode="after")
    def _end_after_start(self) -> VnMembership:
        if self.end is not None and self.end < self.start:
            raise Problems([(("end",), f"{self.end} is before start {self.start}")])
        return self

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class VnHousehold(FrozenModel):
    """The member's place on the household ladder (1 = first member, R2)."""

    rank: Annotated[int, Field(strict=True, ge=1, le=MAX_RANK)] = Field(
        description="1 = the first member; the ladder's later ranks pay less"
    )


def _card_lengths_schema(schema: dict[str, Any]) -> None:
    # the lengths of vn.household.periods (any date), read when a schema is asked for
    periods = default_rules()["vn.household.periods"].values
    schema["enum"] = sorted({int(m) for v in periods if v.value for m in v.value})


class VnPayment(FrozenModel):
    """One card purchase: paid on ``paid_on`` for ``months`` months by ``payer``."""

    paid_on: IsoDate = Field(description="the day the card was bought")
    months: int = Field(
        description="the card's length in months: one of vn.household.periods (3, 6 or 12)",
        json_schema_extra=_card_lengths_schema,
    )
    amount: Amount = Field(description="decimal text, what was paid")
    payer: Payer = Field(description="who paid")

    @field_validator("months", mode="before")
    @classmethod
    def _card_length(cls, value: Any, info: ValidationInfo) -> Any:
        # "6" or 6.0 would be guessed into a card length; a purchase states it as a number, one
        # of the lengths in force on its payment day (vn.household.periods, rules as shipped).
        allowed = card_months(default_rules(), info.data.get("paid_on") or CARD_RULES_START)
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            raise ValueError(card_months_problem(allowed, describe(value)))
        return value


class VnPerson(FrozenModel):
    """The person a vn-bhyt case is about."""

    id: PersonalNumber = Field(description="12-digit personal number; masked in errors")
    birth_date: IsoDate = Field(description="date of birth")
    sex: Literal["male", "female"] = Field(description="`male` or `female`")
    death_date: IsoDate | None = Field(default=None, description="date of death, if any")
    memberships: Annotated[tuple[VnMembership, ...], Field(max_length=MAX_MEMBERSHIPS)] = Field(
        default=(), description="periods in support groups or fully state-paid groups"
    )
    household: VnHousehold | None = Field(
        default=None, description="the member's place on the household ladder"
    )

    @model_validator(mode="after")
    def _consistent(self) -> VnPerson:
        problems: list[tuple[Any, str]] = []
        born = self.birth_date
        if self.death_date is not None and self.death_date < born:
            problems.append((("death_date",), f"{self.death_date} is before birth_date {born}"))
        child_end = child_card_end(born, default_rules())
        for i, m in enumerate(self.memberships):
            if m.start < born:
                problems.append(
                    (("memberships", i, "start"), f"{m.start} is before birth_date {born}")
                )
            elif m.code == "child_under_6" and (
                m.start > child_end or (m.end is not None and m.end > child_end)
            ):
                problems.append(
                    (
                        ("memberships", i),
                        f"child_under_6 is derived from birth_date {born}: the card runs "
                        f"{born}..{child_end} (R9), but this period runs "
                        f"{m.start}..{m.end or 'open'}",
                    )
                )
        support = [(i, m) for i, m in enumerate(self.memberships) if m.code in SUPPORT_GROUPS]
        support.sort(key=lambda im: (im[1].start, im[0]))
        reach: dt.date | None = None
        holder: tuple[int, VnMembership] | None = None
        for i, m in support:  # one sweep in order of start: n log n
            if holder is not None and (reach is None or m.start <= reach):
                problems.append(
                    (
                        ("memberships", i),
                        f"overlaps the support group of memberships[{holder[0]}] "
                        f"({holder[1].code}); one support group at a time",
                    )
                )
            if holder is None or (reach is not None and (m.end is None or m.end > reach)):
                reach, holder = m.end, (i, m)
        if problems:
            problems.sort(key=lambda p: p[0][1] if len(p[0]) > 1 else -1)
            raise Problems(problems)
        return self

    def support_on(self, day: dt.date) -> VnMembership | None:
        return next(
            (m for m in self.memberships if m.code in SUPPORT_GROUPS and m.covers(day)), None
        )


class VnCase(Case):
    """A vn-bhyt case document: who, which date, and every card purchase known."""

    scheme: Literal["vn-bhyt"] = Field(description="`vn-bhyt`")
    person: VnPerson = Field(description="the person the case is about")
    payments: Annotated[tuple[VnPayment, ...], Field(max_length=MAX_PURCHASES)] = Field(
        default=(), description="one record per card purchase"
    )

    @model_validator(mode="after")
    def _consistent(self) -> VnCase:
        problems: list[tuple[Any, str]] = []
        if self.as_of < CARD_RULES_START:
            problems.append(
                (
                    ("as_of",),
                    f"{self.as_of} is too early: the card rules modelled start on "
                    f"{CARD_RULES_START} (Law 46/2014/QH13)",
                )
            )
        person = self.person
        support = sorted(
            (m.start, m.end or dt.date.max) for m in person.memberships if m.code in SUPPORT_GROUPS
        )  # one at a time (checked on the person): a bisect finds the one covering a day
        starts = [s for s, _ in support]
        open_state = min(
            (
                (m.start, j)
                for j, m in enumerate(person.memberships)
                if m.code in _OPEN_STATE and m.end is None
            ),
            default=None,
        )
        first_on: dict[dt.date, int] = {}
        for i, p in enumerate(self.payments):
            if p.paid_on < person.birth_date:
                problems.append(
                    (("payments", i, "paid_on"), f"{p.paid_on} is before the person's birth")
                )
            elif p.paid_on < CARD_RULES_START:
                problems.append(
                    (
                        ("payments", i, "paid_on"),
                        f"{p.paid_on} is before {CARD_RULES_START}, when the card rules "
                        "modelled start (Law 46/2014/QH13)",
                    )
                )
            first = first_on.setdefault(p.paid_on, i)
            if first != i:
                problems.append(
                    (
                        ("payments", i, "paid_on"),
                        f"paid on the same day as payments[{first}]; the order of two "
                        "purchases on one day is ambiguous: merge them into one record or "
                        "correct the date",
                    )
                )
            if p.payer == "supported":
                k = bisect_right(starts, p.paid_on) - 1
                if k < 0 or support[k][1] < p.paid_on:
                    problems.append(
                        (
                            ("payments", i, "payer"),
                            f"'supported', but no support-group membership "
                            f"({', '.join(SUPPORT_GROUPS)}) covers paid_on {p.paid_on}",
                        )
                    )
            if open_state is not None and open_state[0] <= p.paid_on:
                j = open_state[1]
                problems.append(
                    (
                        ("payments", i),
                        f"paid on {p.paid_on} while the person is in the fully state-paid "
                        f"group {person.memberships[j].code} (memberships[{j}], open-ended); "
                        "a state-paid person does not buy a card (R1): give the membership's end",
                    )
                )
        if problems:
            raise Problems(problems)
        return self
