"""Turn one kz-osms case into monthly timelines (bit sets) for
[`insurrules.kz.law`][insurrules.kz.law].

Only facts known on ``as_of`` are used: payments that arrived later and care requests made later
are left out and counted, so the decision can say how many were ignored ([the contract][contract]).
"""

from __future__ import annotations

from dataclasses import dataclass

from insurrules.kz.case import KzInput
from insurrules.kz.law import KzFacts, child_last_month
from insurrules.kz.params import kz_params
from insurrules.kz.reading import NO_DAY, Asked, day_number
from insurrules.months import month_index
from insurrules.parameters import RuleSet
from insurrules.timeline import BitOps

__all__ = ["CaseFrame", "build_facts"]


@dataclass(frozen=True, slots=True)
class CaseFrame:
    ops: BitOps
    facts: KzFacts[int]
    ignored_payments: int
    ignored_requests: int
    as_of_month: int
    asked: Asked


def build_facts(case: KzInput, rules: RuleSet) -> CaseFrame:
    person = case.person
    as_of = case.as_of
    m0 = month_index(as_of)
    requests = [d for d in person.care_requests if d <= as_of]
    p = kz_params(rules)
    # The frame starts with the first contribution month: no payment is earlier (KzPayment), so
    # every window and unbroken run looks back as far as any fact reaches.
    origin = p.first_contribution_month

    # one pass over the (often long) payment history: bits are set from the frame origin; the
    # frame's length is fixed afterwards and always covers the last payment month
    paid = work_paid = 0
    last_fact = m0
    known = 0
    advance: list[tuple[int, int]] = []
    work_payers, prepaid_payers, prepaid_from = p.de_work_payers, p.prepaid_payers, p.prepaid_from
    for month, paid_on, _, payer in case.payments:
        if paid_on > as_of:
            continue
        known += 1
        bit = 1 << (month - origin)
        paid |= bit
        if month > last_fact:
            last_fact = month
        if payer in work_payers:
            work_paid |= bit
        if payer in prepaid_payers and paid_on >= prepaid_from:
            # only a record that arrived before its month can pay it in advance (the prepaid
            # route reads no other: BitOps.advance_windows)
            arrival = paid_on.year * 12 + paid_on.month - 1
            if arrival < month:
                advance.append((month, arrival))

    birth_month = month_index(person.birth_date)
    child_last = child_last_month(birth_month, p)
    death_month = month_index(person.death_date) if person.death_date else None

    # The frame must reach past every finite fact by the longest window and grace, so that a
    # run still true at its end can only come from an open-ended fact (insured_until null).
    last_fact = max(
        [last_fact, child_last, p.law_last_month]
        + [month_index(m.start) for m in person.memberships]
        + [month_index(m.end) for m in person.memberships if m.end]
        + [month_index(d) for d in requests]
        + [month_index(w.start) for w in person.welfare_levels]
        + [month_index(w.end) for w in person.welfare_levels if w.end]
    )
    ops = BitOps(origin, last_fact + p.reach - origin + 1)

    full = person.residency in p.full_residencies
    eaeu = person.residency in p.paid_only_residencies

    memberships: dict[str, int] = {}
    for m in person.memberships:
        span = ops.months(month_index(m.start), month_index(m.end) if m.end else None)
        memberships[m.code] = memberships.get(m.code, 0) | span

    de_requests = ops.from_months(
        month_index(d) for d in requests if person.level_on(d) in p.de_levels
    )
    de_level = 0
    for w in person.welfare_levels:
        if w.level in p.de_levels:
            de_level |= ops.months(month_index(w.start), month_index(w.end) if w.end else None)

    facts: KzFacts[int] = KzFacts(
        full_participant=ops.flag(full),
        eaeu_worker=ops.flag(eaeu),
        alive=ops.until(death_month) if death_month is not None else ops.full(),
        before_death=ops.until(death_month - 1) if death_month is not None else ops.full(),
        born=ops.since(birth_month),
        child=ops.months(birth_month, child_last),
        paid=paid,
        work_paid=work_paid,
        advance=advance,
        memberships=memberships,
        de_requests=de_requests,
        de_level=de_level,
    )
    return CaseFrame(
        ops=ops,
        facts=facts,
        ignored_payments=len(case.payments) - known,
        ignored_requests=len(person.care_requests) - len(requests),
        as_of_month=m0,
        asked=Asked(
            month=m0,
            day=day_number(as_of),
            birth_day=day_number(person.birth_date),
            death_day=day_number(person.death_date) if person.death_date else NO_DAY,
            outside=person.residency in p.outside_residencies,
            frame_end=ops.origin + ops.length - 1,
        ),
    )
