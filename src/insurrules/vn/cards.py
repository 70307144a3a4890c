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

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, get_args

from insurrules.errors import RulesError
from insurrules.parameters import RuleSet
from insurrules.vn import dayops
from insurrules.vn.dayops import NO_DAY, OPEN, SCALAR, DayOps, civil, date_of, day_number, day_of
from insurrules.vn.rules import rule_source, source_of

__all__ = [
    "PAYERS",
    "Card",
    "Chain",
    "CoverScan",
    "Payer",
    "Purchase",
    "StateSpan",
    "add_months",
    "build_chain",
    "child_card_end",
    "child_card_end_day",
    "clip_to_law",
    "clock_step",
    "continues",
    "continuity_deadline",
    "continuity_deadline_day",
    "cover_close",
    "cover_start",
    "cover_step",
    "open_state_card_error",
    "previous_end",
    "purchase_card",
    "wait_deadline",
    "wait_reference",
    "within_continuity",
]

#: who pays for a purchase (contract.md); the case model's ``payer`` codes
Payer = Literal["household", "state", "supported", "employer", "student"]
PAYERS: tuple[str, ...] = get_args(Payer)

#: how a card starts: ``first`` purchase, ``continuous`` (paid before the previous end),
#: ``late`` (within 3 months after it), ``restart`` (after a longer interruption), ``state``.
Entry = Literal["first", "continuous", "late", "restart", "state"]
#: ``Entry`` codes as the day operations compute them (index in this tuple)
ENTRIES: tuple[Entry, ...] = ("first", "continuous", "late", "restart", "state")
FIRST, CONTINUOUS, LATE, RESTART = 0, 1, 2, 3


# -- parameter values as the day operations read them (named: they key a per-rule-set cache) --
def _payer_mask(payers: Iterable[str]) -> int:
    return sum(1 << PAYERS.index(p) for p in payers if p in PAYERS)


def _within_year(value: Any) -> int:
    return int(value == "within_year")


def _exclusive(value: Any) -> int:
    return int(value == "same_day_exclusive")


def _month_day(value: Any) -> int:
    month, day = (int(x) for x in value)
    return month * 100 + day


# -- the rules, written once over day numbers (see insurrules.vn.dayops) -------------------------
def child_card_end_day(ops: DayOps, rules: RuleSet, birth: Any) -> Any:
    """Last day of the child-under-6 card (R9; Decree 146/2018 art. 13(2), Decree 188 art. 13(2)).

    Born on or before 30 Sep (``vn.child.school_year_end``) → that day of the year the child
    reaches 72 months (``vn.child.age_months``); born later → the last day of the month the child
    reaches 72 months (E9).
    """
    age = ops.value_on(rules, "vn.child.age_months", birth)
    cut = ops.value_on(rules, "vn.child.school_year_end", birth, _month_day)
    _, month, day = civil(ops, birth)
    year, reached_month, _ = civil(ops, dayops.add_months(ops, birth, age))
    school_year_end = day_of(ops, year, cut // 100, cut % 100)
    return ops.where(
        month * 100 + day <= cut, school_year_end, dayops.month_end(ops, year, reached_month)
    )


def wait_reference(ops: DayOps, rules: RuleSet, previous: Any, day: Any) -> Any:
    """The card end the 30-day-wait test measures a payment on ``day`` from (D-2): the previous
    end, or, when the interruption counts only inside the fiscal year, the later of it and the
    last 31 December before ``day``."""
    yearly = ops.value_on(rules, "vn.interpretation.fiscal_year", day, _within_year) == 1
    if not ops.any(yearly):
        return previous
    year, _, _ = civil(ops, day)
    return ops.where(yearly, ops.maximum(previous, day_of(ops, year - 1, 12, 31)), previous)


def continuity_deadline_day(ops: DayOps, rules: RuleSet, previous: Any) -> Any:
    """The same day-of-month ``vn.card.continuity_months`` after ``previous`` (D-1)."""
    months = ops.value_on(rules, "vn.card.continuity_months", previous)
    return dayops.add_months(ops, previous, months)


def continues(
    ops: DayOps, rules: RuleSet, previous: Any, day: Any, fiscal_year: bool = True
) -> Any:
    """Is ``day`` (a payment or a card start) within the 3-month tolerance after ``previous``,
    the latest earlier card end?

    D-1 decides whether the deadline day itself is within; D-2 whether the interruption is
    measured only inside the fiscal (calendar) year of ``day`` (the 30-day-wait test, R7);
    ``fiscal_year=False`` for the 5-year clock, whose tolerance knows no year (R12).
    """
    reference = wait_reference(ops, rules, previous, day) if fiscal_year else previous
    deadline = continuity_deadline_day(ops, rules, reference)
    exclusive = ops.value_on(rules, "vn.interpretation.three_months", day, _exclusive) == 1
    return (day <= previous + 1) | ops.where(exclusive, day < deadline, day <= deadline)


def previous_end(
    ops: DayOps, rules: RuleSet, paid: Any, bought_end: Any, state_end: Any
) -> tuple[Any, Any, Any]:
    """The end of "the previous card" of a purchase paid on ``paid``, whether the purchase is
    refused, and whether state-paid cards count (D-3).

    ``bought_end``: the latest end among earlier purchases (``NO_DAY``: none); ``state_end``: the
    latest end among state-paid cards begun by ``paid`` (``OPEN``: one has no known end). Under
    D-3 the state-paid cards count ([D-3][vn-rules-d-3]: a transfer from a fully state-paid group is
    continuous); a state-paid card with no known end then leaves the purchase without a chain.
    """
    transfer = ops.value_on(rules, "vn.interpretation.state_card_transfer", paid) == 1
    refused = transfer & (state_end >= OPEN)
    return ops.where(transfer, ops.maximum(bought_end, state_end), bought_end), refused, transfer


def purchase_card(
    ops: DayOps, rules: RuleSet, paid: Any, months: Any, payer: Any, previous: Any
) -> tuple[Any, Any, Any, Any]:
    """``(entry, valid_from, valid_to, waited)`` of a card bought on ``paid`` for ``months`` by
    ``payer`` (an index in `PAYERS`), after a previous card ending on ``previous``
    (``NO_DAY``: none). See the module docstring (R7, R8, D-1, D-2)."""
    has_previous = previous > NO_DAY
    waits = (ops.value_on(rules, "vn.card.waiting_payers", paid, _payer_mask) >> payer) & 1 == 1
    wait = ops.where(waits, ops.value_on(rules, "vn.card.waiting_days", paid), 0)
    on_time = has_previous & (paid <= previous)
    late = has_previous & ops.not_(on_time) & continues(ops, rules, previous, paid)
    start = ops.where(on_time, previous + 1, ops.where(late, paid, paid + wait))
    entry = ops.where(
        on_time, CONTINUOUS, ops.where(late, LATE, ops.where(has_previous, RESTART, FIRST))
    )
    waited = (start > paid) & ops.not_(on_time | late)
    return entry, start, dayops.add_months(ops, start, months) - 1, waited


def clip_to_law(
    ops: DayOps, start: Any, end: Any, law_start: Any, law_end: Any
) -> tuple[Any, Any, Any]:
    """A state-paid period cut to when its group exists in law: ``(start, end, kept)``."""
    first, last = ops.maximum(start, law_start), ops.minimum(end, law_end)
    return first, last, first <= last


def clock_step(
    ops: DayOps, rules: RuleSet, first: Any, since: Any, end: Any, card_from: Any, card_to: Any
) -> tuple[Any, Any]:
    """The 5-year clock (R12) after the next card in order of ``valid_from``: ``(since, end)``.

    ``since`` is the start of the continuous chain of cards of any kind, ``end`` its latest
    card end (``OPEN`` once a card has no known end); a card starting more than the 3-month
    tolerance after ``end`` restarts the chain.
    """
    restart = first | ops.not_(continues(ops, rules, end, card_from, fiscal_year=False))
    return (
        ops.where(restart, card_from, since),
        ops.where(restart, card_to, ops.maximum(end, card_to)),
    )


class CoverScan(NamedTuple):
    """What the cards read so far in order of ``valid_from`` say about one day (per lane)."""

    insured: Any  # some card is valid on the day
    state_category: Any  # index of the first fully state-paid card's group valid on it, or -1
    run_start: Any  # the run of touching or overlapping cards read last
    run_end: Any
    spell_from: Any  # the run containing the day, once closed (NO_DAY: none yet)
    spell_to: Any


def cover_start(ops: DayOps, like: Any) -> CoverScan:
    """The scan before any card (``like``: a value of the lanes' shape)."""
    none = like * 0 + NO_DAY
    return CoverScan(like != like, like * 0 - 1, none, none, none, none)


def cover_step(
    ops: DayOps,
    day: Any,
    scan: CoverScan,
    first: Any,
    card_from: Any,
    card_to: Any,
    category: Any,
) -> CoverScan:
    """Read the next card (``category``: its state-paid group index, -1 for a purchase)."""
    valid = (card_from <= day) & (day <= card_to)
    take = valid & (category >= 0) & (scan.state_category < 0)
    new_run = first | (card_from > scan.run_end + 1)
    closing = new_run & (scan.run_start <= day) & (day <= scan.run_end)
    return CoverScan(
        insured=scan.insured | valid,
        state_category=ops.where(take, category, scan.state_category),
        run_start=ops.where(new_run, card_from, scan.run_start),
        run_end=ops.where(new_run, card_to, ops.maximum(scan.run_end, card_to)),
        spell_from=ops.where(closing, scan.run_start, scan.spell_from),
        spell_to=ops.where(closing, scan.run_end, scan.spell_to),
    )


def cover_close(
    ops: DayOps, day: Any, scan: CoverScan, death: Any
) -> tuple[Any, Any, Any, Any, Any]:
    """``(dead, insured, state_category, insured_from, insured_until)`` on ``day`` for a person
    who died on ``death`` (``OPEN``: alive): no card is valid after death (L2008 art. 16(4)),
    and cover ends on the day of death."""
    inside = (scan.run_start <= day) & (day <= scan.run_end)
    spell_from = ops.where(inside, scan.run_start, scan.spell_from)
    spell_to = ops.where(inside, scan.run_end, scan.spell_to)
    dead = day > death
    insured = scan.insured & ops.not_(dead)
    return (
        dead,
        insured,
        ops.where(dead, -1, scan.state_category),
        spell_from,
        ops.where(death < spell_to, death, spell_to),
    )


def open_state_card_error(index: int, paid: dt.date, category: str) -> str:
    return (
        f"payments[{index}]: paid on {paid} while a {category} "
        "state-paid card with no known end is valid; give the membership's end"
    )


# -- the rules for one person, on dates ----------------------------------------------------------
def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's end ([vn-bhyt rules:
    Time model][vn-rules-time-model])."""
    return date_of(dayops.add_months(SCALAR, day_number(day), months))


def child_card_end(birth: dt.date, rules: RuleSet) -> dt.date:
    """Last day of the child-under-6 card (R9): `child_card_end_day` on a date (E9)."""
    return date_of(child_card_end_day(SCALAR, rules, day_number(birth)))


def continuity_deadline(previous_end: dt.date, rules: RuleSet) -> dt.date:
    """The same day-of-month 3 months after ``previous_end`` (D-1): 'keep continuity by'."""
    return date_of(continuity_deadline_day(SCALAR, rules, day_number(previous_end)))


def wait_deadline(previous_end: dt.date, day: dt.date, rules: RuleSet) -> dt.date:
    """The 3-month date the 30-day-wait test applies to a payment on ``day`` (D-1, D-2)."""
    reference = wait_reference(SCALAR, rules, day_number(previous_end), day_number(day))
    return date_of(continuity_deadline_day(SCALAR, rules, reference))


def within_continuity(
    previous_end: dt.date, day: dt.date, rules: RuleSet, *, fiscal_year: bool = True
) -> bool:
    """`continues` on dates."""
    return bool(continues(SCALAR, rules, day_number(previous_end), day_number(day), fiscal_year))


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
        at = day_number(day)
        scan = cover_start(SCALAR, at)
        for i, card in enumerate(self.cards):
            scan = cover_step(SCALAR, at, scan, i == 0, day_number(card.valid_from), _end(card), -1)
        _, insured, _, start, end = cover_close(SCALAR, at, scan, OPEN)
        if not insured:
            return None
        return date_of(start), None if end >= OPEN else date_of(end)


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


def _end(card: Card) -> int:
    return OPEN if card.valid_to is None else day_number(card.valid_to)


def _purchase_card(
    p: Purchase, states: Sequence[Card], latest: Card | None, rules: RuleSet
) -> Card:
    """The card bought by ``p`` (`purchase_card`). "The previous card" it reports is the
    one with the latest end among the earlier purchases (``latest``: the first of them to reach
    that end) and, under D-3, the state-paid cards begun by ``paid_on``; on equal ends the first
    in the order state-paid cards, then purchases, wins."""
    paid = day_number(p.paid_on)
    begun = [c for c in states if c.valid_from <= p.paid_on]
    state_end = max((_end(c) for c in begun), default=NO_DAY)
    bought_end = NO_DAY if latest is None else _end(latest)
    prev_end, refused, transfer = previous_end(SCALAR, rules, paid, bought_end, state_end)
    if refused:
        open_card = next(c for c in begun if c.valid_to is None)
        raise RulesError(open_state_card_error(p.index, p.paid_on, open_card.category or ""))
    previous: Card | None = None  # reported: the first state-paid card to reach the end, or
    for c in begun if transfer else ():  # the purchase, when it ends strictly later
        if previous is None or _end(c) > _end(previous):
            previous = c
    if latest is not None and (previous is None or _end(latest) > _end(previous)):
        previous = latest
    entry, start, end, waited = purchase_card(
        SCALAR, rules, paid, p.months, PAYERS.index(p.payer), prev_end
    )
    kind = ENTRIES[entry]
    return Card(
        kind="purchase",
        valid_from=date_of(start),
        valid_to=date_of(end),
        entry=kind,
        paid_on=p.paid_on,
        months=p.months,
        payer=p.payer,
        source=_card_source(kind, rules, p.paid_on),
        previous_end=None if previous is None else date_of(prev_end),
        previous_kind=None if previous is None else previous.kind,
        previous_category=None if previous is None else previous.category,
        index=p.index,
        waited=bool(waited),
    )


def _card_source(entry: Entry, rules: RuleSet, on: dt.date) -> str:
    if entry in ("first", "restart"):
        return source_of(rules, "vn.card.waiting_days", on)
    return rule_source("vn.card.continuous_renewal")


def build_chain(purchases: Sequence[Purchase], spans: Sequence[StateSpan], rules: RuleSet) -> Chain:
    """Every card from purchases (in ``paid_on`` order) and state-paid spans, with 5-year starts
    (`purchase_card`, `clock_step`)."""
    states = _state_cards(spans)
    cards = list(states)
    latest: Card | None = None  # the earlier purchase with the latest end (the first to reach it)
    for p in sorted(purchases, key=lambda q: (q.paid_on, q.index)):
        card = _purchase_card(p, states, latest, rules)
        cards.append(card)
        if latest is None or _end(card) > _end(latest):
            latest = card
    ordered = sorted(cards, key=lambda c: (c.valid_from, c.kind != "state"))
    starts: list[dt.date] = []
    since = end = NO_DAY
    for i, card in enumerate(ordered):
        since, end = clock_step(
            SCALAR, rules, i == 0, since, end, day_number(card.valid_from), _end(card)
        )
        starts.append(date_of(since))
    return Chain(cards=tuple(ordered), chain_start=tuple(starts))
