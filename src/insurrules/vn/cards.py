"""Card validity: the chain of cards a person holds ([vn-bhyt rules: Card
validity][vn-rules-card-validity]; R7, R8, R9, R12).

Purchases are taken in order of ``paid_on``. Each is

* **continuous** when an earlier card exists (any kind, state-paid included under D-3) and the
  payment is not more than 3 months after the latest earlier ``valid_to`` (D-1, D-2):
  paid on or before that ``valid_to`` → the card follows it without a gap
  (``valid_from = previous valid_to + 1 day``); paid later → ``valid_from = paid_on`` and the gap
  is not covered (R7.2-3, E7, E8);
* **waiting** otherwise (first card, or a longer interruption): ``valid_from = paid_on + 30 days``
  (R7.1; L2014 art. 16(3)(c));

and ``valid_to = valid_from + months − 1 day`` (R8; Decree 146/2018 art. 13(8)-(9)).

Fully state-paid groups give cards for their membership periods, the child-under-6 card from
birth to the R9 end date. The 5-year clock (R12) runs over cards of any kind while every gap
between them stays within 3 months.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from insurrules.errors import RulesError
from insurrules.parameters import RuleSet
from insurrules.vn.rules import value_on

__all__ = [
    "Card",
    "Chain",
    "Purchase",
    "StateSpan",
    "build_chain",
    "child_card_end",
    "continuity_deadline",
    "wait_deadline",
    "within_continuity",
]

#: how a card starts: ``first`` purchase, ``continuous`` (paid before the previous end),
#: ``late`` (within 3 months after it), ``restart`` (after a longer interruption), ``state``.
Entry = Literal["first", "continuous", "late", "restart", "state"]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's end ([vn-bhyt rules: Time
    model][vn-rules-time-model]).

    The same result as ``day + dateutil.relativedelta(months=months)`` (a test checks it), done
    by hand because card chains call it for every card.
    """
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if day.day <= 28:  # every month has it: no clamping (the common case, kept cheap)
        return dt.date(year, month0 + 1, day.day)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def child_card_end(birth: dt.date, rules: RuleSet) -> dt.date:
    """Last day of the child-under-6 card (R9; Decree 146/2018 art. 13(2), Decree 188 art. 13(2)).

    Born on or before 30 Sep → 30 Sep of the year the child reaches 72 months; born later → the
    last day of the month the child reaches 72 months (E9).
    """
    age_param, end_param = rules["vn.child.age_months"], rules["vn.child.school_year_end"]
    age: int = (age_param.entry(birth) or age_param.values[0]).value
    month, day = (int(x) for x in (end_param.entry(birth) or end_param.values[0]).value)
    reached = add_months(birth, age)
    if (birth.month, birth.day) <= (month, day):
        return dt.date(reached.year, month, day)
    return add_months(reached.replace(day=1), 1) - dt.timedelta(days=1)


def continuity_deadline(previous_end: dt.date, rules: RuleSet) -> dt.date:
    """The same day-of-month 3 months after ``previous_end`` (D-1): 'keep continuity by'."""
    months: int = value_on(rules, "vn.card.continuity_months", previous_end)
    return add_months(previous_end, months)


def wait_deadline(previous_end: dt.date, day: dt.date, rules: RuleSet) -> dt.date:
    """The 3-month date the 30-day-wait test applies to a payment on ``day`` (D-1, D-2)."""
    reference = previous_end
    if value_on(rules, "vn.interpretation.fiscal_year", day) == "within_year":
        reference = max(previous_end, dt.date(day.year - 1, 12, 31))
    return continuity_deadline(reference, rules)


def within_continuity(
    previous_end: dt.date, day: dt.date, rules: RuleSet, *, fiscal_year: bool = True
) -> bool:
    """Is ``day`` (a payment or a card start) within the 3-month tolerance after ``previous_end``?

    D-1 decides whether the deadline day itself is within; D-2 whether the interruption is
    measured only inside the fiscal (calendar) year of ``day`` (the 30-day-wait test, R7);
    ``fiscal_year=False`` for the 5-year clock, whose tolerance knows no year (R12).
    """
    if day <= previous_end + dt.timedelta(days=1):
        return True
    deadline = wait_deadline(previous_end, day, rules) if fiscal_year else None
    deadline = deadline or continuity_deadline(previous_end, rules)
    if value_on(rules, "vn.interpretation.three_months", day) == "same_day_exclusive":
        return day < deadline
    return day <= deadline


@dataclass(frozen=True, slots=True)
class Purchase:
    """A card purchase as the chain sees it (``index`` = its place in the case's payments)."""

    index: int
    paid_on: dt.date
    months: int
    payer: str


@dataclass(frozen=True, slots=True)
class StateSpan:
    """A period in a fully state-paid group (``end`` None = no known end)."""

    category: str
    start: dt.date
    end: dt.date | None
    source: str
    membership: int | None = None  # index in person.memberships; None when derived


@dataclass(frozen=True, slots=True)
class Card:
    """One card of the chain, with why it starts when it does."""

    kind: Literal["purchase", "state"]
    valid_from: dt.date
    valid_to: dt.date | None
    entry: Entry
    paid_on: dt.date | None = None
    months: int | None = None
    payer: str | None = None
    category: str | None = None
    source: str = ""
    previous_end: dt.date | None = None  # the latest earlier valid_to the purchase was judged on
    previous_kind: Literal["purchase", "state"] | None = None
    previous_category: str | None = None
    index: int | None = None
    waited: bool = False  # the 30-day wait applied (R7.1)

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Chain:
    """All cards, in order of ``valid_from``, and the 5-year chain start of each (R12)."""

    cards: tuple[Card, ...]
    chain_start: tuple[dt.date, ...]  # continuous_since for cards[i]

    def spell(self, day: dt.date) -> tuple[dt.date, dt.date | None] | None:
        """The unbroken run of valid days containing ``day`` (cards touching or overlapping)."""
        spans: list[tuple[dt.date, dt.date | None]] = []
        for card in self.cards:
            if spans:
                start, end = spans[-1]
                if end is None or card.valid_from <= end + dt.timedelta(days=1):
                    later = (
                        None if end is None or card.valid_to is None else max(end, card.valid_to)
                    )
                    spans[-1] = (start, later)
                    continue
            spans.append((card.valid_from, card.valid_to))
        for start, end in spans:
            if start <= day and (end is None or day <= end):
                return start, end
        return None


def _state_cards(spans: Iterable[StateSpan]) -> list[Card]:
    return [
        Card(
            kind="state",
            valid_from=s.start,
            valid_to=s.end,
            entry="state",
            category=s.category,
            source=s.source,
            index=s.membership,
        )
        for s in spans
    ]


def _purchase_card(
    p: Purchase, states: Sequence[Card], latest: Card | None, rules: RuleSet
) -> Card:
    """The card bought by ``p``. "The previous card" is the one with the latest end among the
    earlier purchases (``latest``: the first of them to reach that end) and, under D-3, the
    state-paid cards begun by ``paid_on``; on equal ends the first in the order state-paid cards,
    then purchases, wins."""
    previous: Card | None = None
    if states and value_on(rules, "vn.interpretation.state_card_transfer", p.paid_on):
        for card in states:
            if card.valid_from > p.paid_on:
                continue
            if card.valid_to is None:
                raise RulesError(
                    f"payments[{p.index}]: paid on {p.paid_on} while a {card.category} "
                    "state-paid card with no known end is valid; give the membership's end"
                )
            if previous is None or previous.valid_to is None or card.valid_to > previous.valid_to:
                previous = card
    if latest is not None and (
        previous is None
        or previous.valid_to is None
        or (latest.valid_to is not None and latest.valid_to > previous.valid_to)
    ):
        previous = latest
    months = p.months
    waits = p.payer in value_on(rules, "vn.card.waiting_payers", p.paid_on)
    wait = dt.timedelta(days=value_on(rules, "vn.card.waiting_days", p.paid_on) if waits else 0)
    prev_end = None if previous is None else previous.valid_to
    entry: Entry
    if prev_end is None:
        entry, start = "first", p.paid_on + wait
    elif p.paid_on <= prev_end:
        entry, start = "continuous", prev_end + dt.timedelta(days=1)
    elif within_continuity(prev_end, p.paid_on, rules):
        entry, start = "late", p.paid_on
    else:
        entry, start = "restart", p.paid_on + wait
    return Card(
        kind="purchase",
        valid_from=start,
        valid_to=add_months(start, months) - dt.timedelta(days=1),
        entry=entry,
        paid_on=p.paid_on,
        months=months,
        payer=p.payer,
        source=_card_source(entry, rules, p.paid_on),
        previous_end=prev_end,
        previous_kind=None if previous is None else previous.kind,
        previous_category=None if previous is None else previous.category,
        index=p.index,
        waited=start > p.paid_on and entry in ("first", "restart"),
    )


def _card_source(entry: Entry, rules: RuleSet, on: dt.date) -> str:
    if entry in ("first", "restart"):
        entry_src = rules["vn.card.waiting_days"].entry(on)
        return entry_src.source if entry_src else "Law 46/2014/QH13 (L2008 art. 16(3)(c))"
    return (
        "Law 46/2014/QH13 (L2008 art. 16(3)(b)); VSS QĐ595 art. 47 item 2.2; "
        "Decree 146/2018 art. 13(8)-(9); HCMC VSS example E7"
    )


def build_chain(purchases: Sequence[Purchase], spans: Sequence[StateSpan], rules: RuleSet) -> Chain:
    """Every card from purchases (in ``paid_on`` order) and state-paid spans, with 5-year starts."""
    states = _state_cards(spans)
    cards = list(states)
    latest: Card | None = None  # the earlier purchase with the latest end (the first to reach it)
    for p in sorted(purchases, key=lambda q: (q.paid_on, q.index)):
        card = _purchase_card(p, states, latest, rules)
        cards.append(card)
        if latest is None or (
            card.valid_to is not None
            and latest.valid_to is not None
            and card.valid_to > latest.valid_to
        ):
            latest = card
    ordered = sorted(cards, key=lambda c: (c.valid_from, c.kind != "state"))
    starts: list[dt.date] = []
    chain_start: dt.date | None = None
    chain_end: dt.date | None = None
    open_ended = False
    for card in ordered:
        if chain_start is None or (
            not open_ended
            and chain_end is not None
            and not within_continuity(chain_end, card.valid_from, rules, fiscal_year=False)
        ):
            chain_start, chain_end, open_ended = (
                card.valid_from,
                card.valid_to,
                card.valid_to is None,
            )
        elif card.valid_to is None:
            open_ended = True
        elif chain_end is None or card.valid_to > chain_end:
            chain_end = card.valid_to
        starts.append(chain_start)
    return Chain(cards=tuple(ordered), chain_start=tuple(starts))
