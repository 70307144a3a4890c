"""What a whole household pays when it buys its cards together (R1, R2, R5; E1, E6, E8).

Members who pay in household form are ranked in the order given, after ``already_joined``
members of the same household who joined in household form earlier in the fiscal year (R2:
ranks count over members joining "in the fiscal year"; Circular 30/2020/TT-BYT art. 4(2)). The
ladder applies only to them. Supported members (``support``, or a provincial ``top_up``) pay
their share off the ladder; members of fully state-paid groups (``state_paid``) pay nothing and
take no rank (R1: they participate in their own group).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from insurrules.errors import RulesError
from insurrules.parameters import RuleSet
from insurrules.vn.contributions import contribution, paid_on_date
from insurrules.vn.rules import default_rules

__all__ = ["HouseholdBill", "Member", "MemberAmount", "household_contributions"]


@dataclass(frozen=True, slots=True)
class Member:
    """One household member: ``support`` group, provincial ``top_up``, or ``state_paid`` group."""

    name: str = ""
    support: str | None = None
    top_up: Decimal = field(default=Decimal(0))
    state_paid: str | None = None


@dataclass(frozen=True, slots=True)
class MemberAmount:
    """What one member pays, and in which form."""

    member: int
    name: str
    form: Literal["household", "supported", "state_paid"]
    rank: int | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class HouseholdBill:
    """Per-member amounts and the total for cards bought on ``paid_on`` for ``months``."""

    paid_on: dt.date
    months: int
    members: tuple[MemberAmount, ...]
    total: Decimal


def _member(raw: Member | Mapping[str, Any], i: int) -> Member:
    if isinstance(raw, Member):
        return raw
    if not isinstance(raw, Mapping):
        raise RulesError(f"members[{i}]: expected a Member or a mapping, got {type(raw).__name__}")
    unknown = set(raw) - {"name", "support", "top_up", "state_paid"}
    if unknown:
        raise RulesError(f"members[{i}]: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    return Member(
        name=str(raw.get("name", "")),
        support=raw.get("support"),
        top_up=raw.get("top_up", Decimal(0)),
        state_paid=raw.get("state_paid"),
    )


def household_contributions(
    members: Sequence[Member | Mapping[str, Any]],
    paid_on: dt.date | str,
    months: int,
    *,
    already_joined: int = 0,
    rules: RuleSet | None = None,
) -> HouseholdBill:
    """The amount for each member and the total.

    >>> bill = household_contributions([{"name": "A"}, {"name": "B"}, {"name": "C"}],
    ...                                "2025-11-10", 12)
    >>> [str(m.amount) for m in bill.members], str(bill.total)
    (['1263600', '884520', '758160'], '2906280')
    """
    rule_set = rules or default_rules()
    on = paid_on_date(paid_on)
    if (
        isinstance(already_joined, bool)
        or not isinstance(already_joined, int)
        or already_joined < 0
    ):
        raise RulesError(
            f"already_joined: expected a count of members >= 0, got {already_joined!r}"
        )
    if not members:
        raise RulesError("members: a household bill needs at least one member")
    lines: list[MemberAmount] = []
    rank = already_joined
    for i, raw in enumerate(members):
        m = _member(raw, i)
        try:
            if m.state_paid is not None:
                if m.support is not None:
                    raise RulesError("give either support or state_paid, not both")
                _state_group(m.state_paid, on, rule_set)
                lines.append(MemberAmount(i, m.name, "state_paid", None, Decimal(0)))
            elif m.support is not None or m.top_up != 0:
                amount = contribution(on, months, 1, m.support, m.top_up, rules=rule_set)
                lines.append(MemberAmount(i, m.name, "supported", None, amount))
            else:
                rank += 1
                amount = contribution(on, months, rank, rules=rule_set)
                lines.append(MemberAmount(i, m.name, "household", rank, amount))
        except RulesError as exc:
            text = str(exc)
            if text.startswith(("support:", "top_up:", "state_paid:")):
                raise RulesError(f"members[{i}].{text}") from None
            if text.startswith(("paid_on:", "months:")):
                raise
            raise RulesError(f"members[{i}]: {text}") from None
    return HouseholdBill(
        paid_on=on,
        months=months,
        members=tuple(lines),
        total=sum((line.amount for line in lines), Decimal(0)),
    )


def _state_group(code: str, on: dt.date, rule_set: RuleSet) -> None:
    if code not in rule_set.category_codes:
        raise RulesError(
            f"state_paid: unknown fully state-paid group {code!r}; known: "
            f"{', '.join(rule_set.category_codes)}"
        )
    if rule_set.category(code).period_on(on) is None:
        starts = ", ".join(str(p.start) for p in rule_set.category(code).periods)
        raise RulesError(f"state_paid: {code!r} is not state-paid on {on} (from {starts})")
