"""What a kz-osms decision reads from the routes at the day asked about, written once.

[`insurrules.kz.law.routes`][insurrules.kz.law.routes] gives every route's timeline; this module
reads them at the month of ``as_of`` the way [kz-osms rules: Derived
values][kz-rules-derived-values] says, for one case ([`BitOps`][insurrules.timeline.BitOps]:
person-level values are ``bool``/``int``) and for many queries at once
([`ArrayOps`][insurrules.population.arrays.ArrayOps]: ``(persons,)`` arrays), through the same
operations. ``decide()`` only words the result ([`insurrules.kz.decide`][insurrules.kz.decide]), the
population engine only turns it into columns
([`insurrules.population.kz.engine`][insurrules.population.kz.engine]), and the claims screening
asks the engine.

Days are day numbers (days since 1970-01-01), so dates compare and clip the same way for one
person and for arrays; [`NO_DAY`][insurrules.kz.reading.NO_DAY] stands for a missing date (alive: no
death date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from insurrules.errors import RulesError
from insurrules.kz.contributions import contribution
from insurrules.kz.law import KzRoutes, own_payments
from insurrules.kz.params import KzParams
from insurrules.months import YearMonth
from insurrules.parameters import RuleSet
from insurrules.quick_init import quick_init
from insurrules.timeline import NO_MONTH, TimelineOps

__all__ = [
    "BASES",
    "NO_DAY",
    "Asked",
    "KzReading",
    "KzStatus",
    "Owed",
    "amount_due",
    "date_of",
    "day_number",
    "debt",
    "grace_in_force",
    "month_first_day",
    "owed",
    "read",
    "status",
]

#: The routes in law order: the first that holds in the month is the basis
#: (docs/law/kz-osms-rules.md, "Routes").
BASES = ("transition", "state_funded", "contributions", "prepaid", "grace_period")

#: A missing date as a day number (later than every real day).
NO_DAY = 2**31 - 1
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def day_number(day: dt.date) -> int:
    return day.toordinal() - _EPOCH_ORDINAL


def date_of(day: int) -> dt.date:
    return dt.date.fromordinal(day + _EPOCH_ORDINAL)


def month_first_day(month: Any) -> Any:
    """The day number of the first day of month index ``month`` (an ``int`` or an array).

    The civil-calendar count (H. Hinnant, "days_from_civil") in integer arithmetic only, so one
    definition serves ints and arrays.
    """
    y = month // 12
    m = month % 12 + 1
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@quick_init
@dataclass(frozen=True, slots=True)
class Asked:
    """Who is asked about, and when (person-level values: scalars or ``(persons,)`` arrays).

    ``frame_end``: the last month of each person's own frame
    ([`insurrules.kz.facts`][insurrules.kz.facts]): an insured run reaching it has no end in sight.
    """

    month: Any  # month index of as_of
    day: Any  # day number of as_of
    birth_day: Any
    death_day: Any  # NO_DAY when alive
    outside: Any  # the residency is outside the scheme (kz.scope.outside)
    frame_end: Any


@quick_init
@dataclass(frozen=True, slots=True)
class KzReading:
    """A decision's values at the day asked about ([kz-osms rules: Derived
    values][kz-rules-derived-values])."""

    excluded: Any  # outside the scheme, dead before as_of, or not yet born: never insured
    insured: Any
    basis: Any  # index into BASES, -1 none
    category: Any  # index into the routes' categories (the first holding, in law order), -1
    last_hold: Any  # L: the last month <= m where route 3 or 4 holds, NO_MONTH none
    grace: Any  # G for L under the law of the month asked about, -1 none
    extended: Any  # G is the extended grace (an unbroken run of paid months before L)
    run_lo: Any  # the insured run around the month asked about, NO_MONTH when not insured
    run_hi: Any
    open_end: Any  # the run reaches the end of the frame: no end in sight
    insured_from: Any  # day numbers (meaningful where insured)
    insured_until: Any  # NO_DAY: none (renew_by is the same day)


@quick_init
@dataclass(frozen=True, slots=True)
class KzStatus:
    """The status part of a [`KzReading`][insurrules.kz.reading.KzReading]: what holds in the
    month asked about (all a coverage timeline reads; it looks at no month after it)."""

    excluded: Any
    insured: Any
    basis: Any
    category: Any
    last_hold: Any
    grace: Any
    extended: Any


def status(r: KzRoutes[Any], facts: Any, ops: TimelineOps, p: KzParams, q: Asked) -> KzStatus:
    """The status the routes ``r`` (of ``facts``) give at the day asked about."""
    return KzStatus(*_status(r, facts, ops, p, q))


def _status(
    r: KzRoutes[Any], facts: Any, ops: TimelineOps, p: KzParams, q: Asked
) -> tuple[Any, Any, Any, Any, Any, Any, Any]:
    """``status``'s fields, in their order (``read`` takes them without the record)."""
    m0 = q.month
    dead = q.death_day < q.day
    unborn = q.day < q.birth_day
    excluded = q.outside | dead | unborn
    insured = ops.unless(ops.holds_each(r.insured, m0), excluded)
    basis = ops.where(
        insured,
        ops.first_holding((r.transition, r.state, r.contributions, r.prepaid, r.grace), m0),
        -1,
    )
    category = ops.where(excluded, -1, ops.first_holding([c.months for c in r.categories], m0))

    last, g, extended = grace_in_force(r, facts, ops, p, m0)
    has = ops.unless(last != NO_MONTH, excluded)
    return excluded, insured, basis, category, last, ops.where(has, g, -1), extended & has


def read(r: KzRoutes[Any], facts: Any, ops: TimelineOps, p: KzParams, q: Asked) -> KzReading:
    """Read the routes ``r`` (of ``facts``) at the day asked about: the
    [`status`][insurrules.kz.reading.status], and the insured run around it."""
    excluded, insured, basis, category, last_hold, grace, extended = _status(r, facts, ops, p, q)
    m0 = q.month
    # insured_from / insured_until (docs/law/kz-osms-rules.md, "Derived values"): the run of
    # insured months around m0, never before the scheme's benefits start nor before birth,
    # clipped by death
    lo, hi = ops.run_around(r.insured, m0)
    open_end = hi >= q.frame_end
    start = ops.later(ops.later(month_first_day(lo), q.birth_day), day_number(p.benefits_start))
    end_of_run = month_first_day(hi + 1) - 1
    until = ops.where(open_end, q.death_day, ops.earlier(end_of_run, q.death_day))
    return KzReading(
        excluded=excluded,
        insured=insured,
        basis=basis,
        category=category,
        last_hold=last_hold,
        grace=grace,
        extended=extended,
        run_lo=lo,
        run_hi=hi,
        open_end=open_end,
        insured_from=start,
        insured_until=ops.where(insured, until, NO_DAY),
    )


def grace_in_force(
    r: KzRoutes[Any], facts: Any, ops: TimelineOps, p: KzParams, month: Any
) -> tuple[Any, Any, Any]:
    """``(L, G, extended)`` at ``month``: L the last month <= ``month`` where route 3 or 4
    holds (NO_MONTH: none), G its grace under the law of ``month`` ([kz-osms rules, route
    5][kz-rules-routes-to-insured-in-month-m]), and whether G is the extended grace earned by an
    unbroken run of paid months ending with L."""
    last = ops.last_at_or_before(r.hold, month)
    g, ge, n = ops.per_month(p.grace_at, month)
    extended = (last != NO_MONTH) & False  # nobody yet, in the backend's shape
    for run in ops.distinct(n):
        if run <= 0:
            continue
        reached = r.runs.get(run)  # routes() keeps the runs it computed
        if reached is None:
            own, skip = own_payments(facts, r.state, ops, p)
            reached = ops.runs_reaching(own, skip, run)
        extended = extended | ((n == run) & (ge > g) & ops.holds_each(reached, last))
    return last, ops.where(extended, ge, g), extended


@quick_init
@dataclass(frozen=True, slots=True)
class Owed:
    """What a person owes in the month asked about, and what a refusal names."""

    debt: Any  # timeline: due, unpaid months of the debt window before the month asked about
    owed_now: Any  # the month asked about is due and unpaid
    paid_now: Any
    any_paid: Any
    de_requests: Any  # timeline: D/E care requests in the year asked about


def owed(
    paid: Any,
    due: Any,
    prepaid_starts: Any,
    de_requests: Any,
    ops: TimelineOps,
    p: KzParams,
    month: Any,
) -> Owed:
    """``details.debt_months`` and what
    [`insurrules.kz.decide.why_not`][insurrules.kz.decide.why_not] reads ([kz-osms rules: Derived
    values][kz-rules-derived-values]: the due, unpaid months in m-11..m-1; months before birth are
    never due, which the routes' ``due`` already says)."""
    year = month - month % 12
    paid_now = ops.holds_each(paid, month)
    return Owed(
        debt=debt(paid, due, prepaid_starts, ops, p, month),
        owed_now=ops.unless(ops.holds_each(due, month), paid_now),
        paid_now=paid_now,
        any_paid=ops.any_each(paid),
        # most persons make no care request: nothing to cut to the year
        de_requests=de_requests
        if ops.surely_empty(de_requests)
        else de_requests & ops.months(year, year + 11),
    )


def debt(
    paid: Any, due: Any, prepaid_starts: Any, ops: TimelineOps, p: KzParams, month: Any
) -> Any:
    """[`Owed.debt`][insurrules.kz.reading.Owed]: the due, unpaid months of the debt window
    before ``month`` (it looks at no month after it)."""
    lo = month - p.debt_window + 1
    if p.prepaid_cancels_debt:
        # D-1 alternative: debt from before the start of a prepaid window is annulled
        lo = ops.later(lo, ops.last_at_or_before(prepaid_starts, month))
    return due & ops.not_(paid) & ops.months(lo, month - 1)


def amount_due(months: list[int], rules: RuleSet) -> Decimal | None:
    """What a self-payer pays for ``months``, each at its own month's rate (kz.contribution);
    None when a rate is not in the data."""
    rates: dict[int, Decimal | None] = rules.cache.setdefault("kz.self_rate_by_month", {})
    total = Decimal(0)
    for m in months:
        if m not in rates:
            try:
                rates[m] = contribution("self", YearMonth.from_index(m), rules=rules)
            except RulesError:
                rates[m] = None
        rate = rates[m]
        if rate is None:
            return None
        total += rate
    return total
