"""Turn one kz-osms case into monthly timelines (bit sets) for :mod:`insurrules.kz.law`.

Only facts known on ``as_of`` are used: payments that arrived later and care requests made later
are left out and counted, so the decision can say how many were ignored (contract.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from insurrules.kz.case import KzCase
from insurrules.kz.law import KzFacts
from insurrules.months import YearMonth, month_index
from insurrules.parameters import RuleSet
from insurrules.timeline import BitOps

__all__ = ["CaseFrame", "build_facts"]

#: Months before the first contribution month kept in every frame, so windows look back cleanly.
_ORIGIN = YearMonth(2017, 1).index
_FULL = ("citizen", "kandas", "permanent_resident")


@dataclass(frozen=True, slots=True)
class CaseFrame:
    ops: BitOps
    facts: KzFacts[int]
    ignored_payments: int
    ignored_requests: int
    as_of_month: int


def _max_param(rules: RuleSet, name: str) -> int:
    return max((v.value or 0) for v in rules[name].values)


def build_facts(case: KzCase, rules: RuleSet) -> CaseFrame:
    person = case.person
    as_of = case.as_of
    m0 = month_index(as_of)
    payments = [p for p in case.payments if p.paid_on <= as_of]
    requests = [d for d in person.care_requests if d <= as_of]

    birth_month = month_index(person.birth_date)
    child_age = rules["kz.child.age"].values[-1].value
    child_last = month_index(person.birth_date + relativedelta(years=child_age))
    death_month = month_index(person.death_date) if person.death_date else None

    # The frame must reach past every finite fact by the longest window and grace, so that a
    # run still true at its end can only come from an open-ended fact (insured_until null).
    last_fact = max(
        [m0, child_last]
        + [p.month.index for p in payments]
        + [month_index(m.start) for m in person.memberships]
        + [month_index(m.end) for m in person.memberships if m.end]
        + [month_index(d) for d in requests]
        + [month_index(w.start) for w in person.welfare_levels]
        + [month_index(w.end) for w in person.welfare_levels if w.end]
    )
    reach = (
        max(_max_param(rules, "kz.grace.months"), _max_param(rules, "kz.grace.extended_months"))
        + _max_param(rules, "kz.prepaid.months")
        + _max_param(rules, "kz.debt.window_months")
        + 13
    )
    ops = BitOps(_ORIGIN, last_fact + reach - _ORIGIN + 1)

    full = person.residency in _FULL
    eaeu = person.residency == "eaeu_worker"
    work_payers = set(rules["kz.welfare.work_payers"].values[-1].value)
    prepaid_payers = set(rules["kz.prepaid.payers"].values[-1].value)
    prepaid_from: dt.date = rules["kz.prepaid.start"].values[-1].value

    paid = ops.from_months(p.month.index for p in payments)
    work_paid = ops.from_months(p.month.index for p in payments if p.payer in work_payers)
    advance = [
        (p.month.index, month_index(p.paid_on))
        for p in payments
        if p.payer in prepaid_payers and p.paid_on >= prepaid_from
    ]

    memberships: dict[str, int] = {}
    for m in person.memberships:
        span = ops.months(month_index(m.start), month_index(m.end) if m.end else None)
        memberships[m.code] = memberships.get(m.code, 0) | span

    levels = set(rules["kz.welfare.levels_covered"].values[-1].value)
    de_requests = ops.from_months(month_index(d) for d in requests if person.level_on(d) in levels)
    de_level = 0
    for w in person.welfare_levels:
        if w.level in levels:
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
        ignored_payments=len(case.payments) - len(payments),
        ignored_requests=len(person.care_requests) - len(requests),
        as_of_month=m0,
    )
