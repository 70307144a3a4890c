"""Turn one kz-osms case into monthly timelines (bit sets) for
[`insurrules.kz.law`][insurrules.kz.law].

Only facts known on ``as_of`` are used: payments that arrived later and care requests made later
are left out and counted, so the decision can say how many were ignored ([the contract][contract]).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from operator import lt
from typing import Any

from insurrules.kz.case import (
    FIRST_CONTRIBUTION_MONTH,
    KzInput,
    KzPerson,
    PaymentRow,
    PaymentRows,
)
from insurrules.kz.law import KzFacts, child_last_month
from insurrules.kz.params import KzParams, kz_params
from insurrules.kz.reading import NO_DAY, Asked, day_number
from insurrules.models import HORIZON
from insurrules.months import YearMonth, month_index
from insurrules.parameters import RuleSet
from insurrules.quick_init import quick_init
from insurrules.timeline import NO_MONTH, BitOps, LaneOps

__all__ = ["CaseFrame", "LaneFrame", "build_facts", "build_lane_facts"]

#: the months a payment record may be for, and the first day of each: a record arrived before
#: its month when its ``paid_on`` is earlier
_FIRST_MONTH, _LAST_MONTH = FIRST_CONTRIBUTION_MONTH.index, YearMonth.of(HORIZON).index
_FIRST_DAYS = [dt.date(m // 12, m % 12 + 1, 1) for m in range(_FIRST_MONTH, _LAST_MONTH + 1)]
#: those months in order: a run is compared with a slice (no new int objects for its months)
_MONTHS = tuple(range(_FIRST_MONTH, _LAST_MONTH + 1))
#: runs of consecutive months are read a run at a time; a history broken more often takes the
#: record-by-record pass
_MAX_RUNS = 8


@quick_init
@dataclass(frozen=True, slots=True)
class CaseFrame:
    ops: BitOps
    facts: KzFacts[int]
    ignored_payments: int
    ignored_requests: int
    as_of_month: int
    asked: Asked


@quick_init
@dataclass(frozen=True, slots=True)
class LaneFrame:
    """The facts of one case under several states of knowledge, one lane each
    ([`LaneOps`][insurrules.timeline.LaneOps]); ``advance`` is per lane, what became known."""

    ops: LaneOps
    facts: KzFacts[int]
    asked: Asked  # who is asked about (``month`` / ``day``: the last day of the frame's reach)


def build_facts(case: KzInput, rules: RuleSet) -> CaseFrame:
    """The facts known on ``case.as_of``, as timelines of one frame."""
    ops, facts, known, requests, asked = _facts(
        case.person, case.payments, (case.as_of,), case.as_of, rules
    )
    assert isinstance(ops, BitOps)
    return CaseFrame(
        ops=ops,
        facts=facts,
        ignored_payments=len(case.payments) - known,
        ignored_requests=len(case.person.care_requests) - requests,
        as_of_month=asked.month,
        asked=asked,
    )


def build_lane_facts(
    person: KzPerson,
    payments: Sequence[PaymentRow],
    cutoffs: Sequence[dt.date],
    until: dt.date,
    rules: RuleSet,
) -> LaneFrame:
    """The facts known on each of ``cutoffs`` (increasing), lane ``k`` those of ``cutoffs[k]``:
    in lane ``k`` what [`build_facts`][insurrules.kz.facts.build_facts] gives on ``cutoffs[k]``
    (one definition: both are this module's ``_facts``), in one frame reaching ``until``."""
    ops, facts, _, _, asked = _facts(person, payments, cutoffs, until, rules, lanes=True)
    assert isinstance(ops, LaneOps)
    return LaneFrame(ops, facts, asked)


def _lane_payments(
    payments: Sequence[PaymentRow], cutoffs: Sequence[dt.date], origin: int, p: KzParams
) -> tuple[list[int], list[int], list[list[tuple[int, int]]], int, int]:
    """The payment timelines of each state of knowledge (lane ``k``: the records that arrived
    by ``cutoffs[k]`` and not by the cutoff before), the prepaid route's ``(month, arrival
    month)`` records, the last month paid for (``NO_MONTH``: none) and the number of records
    known on the last cutoff.

    One pass over the (often long) payment history: bits are set from the frame origin, in
    the state of knowledge where the record first is known.
    """
    n = len(cutoffs)
    last = cutoffs[-1]
    paid = [0] * n
    work_paid = [0] * n
    advance: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    last_paid = NO_MONTH
    known = 0
    work_payers, prepaid_payers, prepaid_from = p.de_work_payers, p.prepaid_payers, p.prepaid_from
    for month, paid_on, _, payer in payments:
        if paid_on > last:
            continue
        k = bisect_left(cutoffs, paid_on) if n > 1 else 0
        known += 1
        bit = 1 << (month - origin)
        paid[k] |= bit
        if month > last_paid:
            last_paid = month
        if payer in work_payers:
            work_paid[k] |= bit
        if payer in prepaid_payers and paid_on >= prepaid_from:
            # only a record that arrived before its month can pay it in advance (the prepaid
            # route reads no other: BitOps.advance_windows)
            arrival = paid_on.year * 12 + paid_on.month - 1
            if arrival < month:
                advance[k].append((month, arrival))
    return paid, work_paid, advance, last_paid, known


def _frame_payments(
    payments: Sequence[PaymentRow], last: dt.date, origin: int, p: KzParams
) -> tuple[list[int], list[int], list[list[tuple[int, int]]], int, int]:
    """``_lane_payments(payments, (last,), origin, p)``, the one definition (a property test
    holds them equal), read column by column in C where the history allows it.

    A decision has one state of knowledge, and a history is mostly a run of consecutive months
    paid in arrears by one payer, listed in order: the records known are then the first ones,
    the months paid an interval, the months paid from work all of them or none, and no record
    can pay in advance. Each of these is checked with a look at each record in C; a history
    that is not so takes the record-by-record pass.
    """
    count = len(payments)
    if not count:
        return [0], [0], [[]], NO_MONTH, 0
    columns = payments if isinstance(payments, PaymentRows) else PaymentRows.of(payments)
    months, paid_ons, payers = columns.months, columns.paid_ons, columns.payers
    # records in the order they arrived: the known ones are those before ``k``
    k = bisect_right(paid_ons, last)
    if (k and max(paid_ons[:k]) > last) or (k < count and min(paid_ons[k:]) <= last):
        return _lane_payments(payments, (last,), origin, p)
    if not k:
        return [0], [0], [[]], NO_MONTH, 0
    if k < count:
        months, paid_ons, payers = months[:k], paid_ons[:k], payers[:k]
    payer = payers[0]
    if payers.count(payer) != k:  # several payers
        return _lane_payments(payments, (last,), origin, p)
    advance_payer = payer in p.prepaid_payers
    at = range(k)

    def gap(j: int) -> int:  # constant along a run of consecutive months, growing at a gap
        return months[j] - j

    paid = 0
    hi = NO_MONTH
    i = 0
    for _ in range(_MAX_RUNS):
        # the run of consecutive months from record i (months listed in order: one bisection)
        lo = months[i]
        j = k if months[k - 1] - lo == k - 1 - i else bisect_right(at, lo - i, i, k, key=gap)
        n = j - i
        if (
            not _FIRST_MONTH <= lo <= lo + n - 1 <= _LAST_MONTH
            or months[i:j] != _MONTHS[lo - _FIRST_MONTH : lo + n - _FIRST_MONTH]
            # a record that may pay in advance arrived before the first day of its month
            or (
                advance_payer
                and any(
                    map(lt, paid_ons[i:j], _FIRST_DAYS[lo - _FIRST_MONTH : lo + n - _FIRST_MONTH])
                )
            )
        ):
            break
        paid |= ((1 << n) - 1) << (lo - origin)
        hi = max(hi, lo + n - 1)
        i = j
        if i == k:
            return [paid], [paid if payer in p.de_work_payers else 0], [[]], hi, k
    return _lane_payments(payments, (last,), origin, p)


def _facts(
    person: KzPerson,
    payments: Sequence[PaymentRow],
    cutoffs: Sequence[dt.date],
    until: dt.date,
    rules: RuleSet,
    lanes: bool = False,
) -> tuple[BitOps | LaneOps, KzFacts[int], int, int, Asked]:
    """The facts known on each of ``cutoffs`` (one lane each, or one frame when not ``lanes``),
    the number of payments and care requests known on the last, and who is asked about on
    ``until`` (not before the last cutoff)."""
    n = len(cutoffs)
    last = cutoffs[-1]
    m0 = month_index(until)
    requests = [d for d in person.care_requests if d <= last]
    p = kz_params(rules)
    # The frame starts with the first contribution month: no payment is earlier (KzPayment), so
    # every window and unbroken run looks back as far as any fact reaches. The frame's length
    # is fixed afterwards and always covers the last payment month.
    origin = p.first_contribution_month
    last_fact = m0
    if n == 1:
        paid, work_paid, advance, last_paid, known = _frame_payments(payments, last, origin, p)
    else:
        paid, work_paid, advance, last_paid, known = _lane_payments(payments, cutoffs, origin, p)
    if last_paid > last_fact:
        last_fact = last_paid

    birth_month = month_index(person.birth_date)
    child_last = child_last_month(birth_month, p)
    death_month = month_index(person.death_date) if person.death_date else None

    # The frame must reach past every finite fact by the longest window and grace, so that a
    # run still true at its end can only come from an open-ended fact (insured_until null).
    last_fact = max(last_fact, child_last, p.law_last_month)
    if person.memberships or requests or person.welfare_levels:  # most persons have none
        last_fact = max(
            [last_fact]
            + [month_index(m.start) for m in person.memberships]
            + [month_index(m.end) for m in person.memberships if m.end]
            + [month_index(d) for d in requests]
            + [month_index(w.start) for w in person.welfare_levels]
            + [month_index(w.end) for w in person.welfare_levels if w.end]
        )
    length = last_fact + p.reach - origin + 1
    single = BitOps(origin, length)
    ops: BitOps | LaneOps = LaneOps(origin, length, n) if lanes else single

    full = person.residency in p.full_residencies
    eaeu = person.residency in p.paid_only_residencies

    memberships: dict[str, int] = {}
    for m in person.memberships:
        span = ops.months(month_index(m.start), month_index(m.end) if m.end else None)
        memberships[m.code] = memberships.get(m.code, 0) | span

    de_requests = [0] * n
    for d in requests:
        if person.level_on(d) in p.de_levels:
            de_requests[bisect_left(cutoffs, d) if n > 1 else 0] |= single.bit(month_index(d))
    de_level = 0
    for w in person.welfare_levels:
        if w.level in p.de_levels:
            de_level |= ops.months(month_index(w.start), month_index(w.end) if w.end else None)

    if isinstance(ops, LaneOps):
        timelines = ops.known(paid), ops.known(work_paid), ops.known(de_requests)
        records: Any = advance
    else:
        timelines = paid[0], work_paid[0], de_requests[0]
        records = advance[0]
    facts: KzFacts[int] = KzFacts(
        full_participant=ops.flag(full),
        eaeu_worker=ops.flag(eaeu),
        alive=ops.until(death_month) if death_month is not None else ops.full(),
        before_death=ops.until(death_month - 1) if death_month is not None else ops.full(),
        born=ops.since(birth_month),
        child=ops.months(birth_month, child_last),
        paid=timelines[0],
        work_paid=timelines[1],
        advance=records,
        memberships=memberships,
        de_requests=timelines[2],
        de_level=de_level,
    )
    asked = Asked(
        month=m0,
        day=day_number(until),
        birth_day=day_number(person.birth_date),
        death_day=day_number(person.death_date) if person.death_date else NO_DAY,
        outside=person.residency in p.outside_residencies,
        frame_end=origin + length - 1,
    )
    return ops, facts, known, len(requests), asked
