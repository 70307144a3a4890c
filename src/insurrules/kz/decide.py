"""The kz-osms decision document for one case: status, basis, dates, reasons, details."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, lru_cache

from insurrules._version import __version__
from insurrules.kz.case import KzCase, KzInput
from insurrules.kz.facts import CaseFrame, build_facts
from insurrules.kz.law import KzRoutes, routes
from insurrules.kz.params import KzParams, kz_params, rule_source, source_at
from insurrules.kz.reading import (
    BASES,
    NO_DAY,
    amount_due,
    date_of,
    grace_in_force,
    owed,
    read,
)
from insurrules.messages import language_spoken, message, reason
from insurrules.models import Decision, Reason, StateFunded
from insurrules.months import month_index
from insurrules.parameters import RuleSet
from insurrules.quick_init import quick_init
from insurrules.timeline import NO_MONTH

__all__ = [
    "GraceAt",
    "MonthTrace",
    "decide_kz",
    "format_months",
    "not_started",
    "scope_reasons",
    "trace_kz",
    "why_not",
]

SCHEME = "kz-osms"


@cache  # a few hundred months at most (a frame's); a decision writes several
def _ym(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"  # str(YearMonth.from_index(m)), on the hot path


def format_months(months: list[int]) -> str:
    """``[2025-07, 2025-08, 2025-09, 2025-12]`` -> ``"2025-07..2025-09, 2025-12"``."""
    parts: list[str] = []
    i = 0
    while i < len(months):
        j = i
        while j + 1 < len(months) and months[j + 1] == months[j] + 1:
            j += 1
        first, last = _ym(months[i]), _ym(months[j])
        parts.append(first if i == j else f"{first}..{last}")
        i = j + 1
    return ", ".join(parts)


def _grace_source(rules: RuleSet, extended: bool, month: int) -> str:
    return source_at(rules, "kz.grace.extended_months" if extended else "kz.grace.months", month)


def scope_reasons(
    residency: str,
    birth_date: dt.date,
    death_date: dt.date | None,
    as_of: dt.date,
    rules: RuleSet,
) -> list[Reason]:
    """Who is outside the scheme, only partly in it, not yet born or dead on ``as_of`` (R1.1,
    R1.2, R8.1; [kz-osms rules: Derived values][kz-rules-derived-values]: never insured before the
    day of birth).

    A decision lists these first; for a person outside the scheme, not yet born or dead they say
    why they are not insured.
    """
    p = kz_params(rules)
    out: list[Reason] = []
    m0 = as_of.year * 12 + as_of.month - 1
    if residency in p.outside_residencies:
        out.append(reason(f"kz.scope.{residency}", source_at(rules, "kz.scope.outside", m0)))
    elif residency in p.paid_only_residencies:
        out.append(
            reason(f"kz.scope.{residency}", source_at(rules, "kz.scope.paid_months_only", m0))
        )
    if as_of < birth_date:
        out.append(
            reason("kz.birth.not_born", rule_source("kz.birth.not_born"), birth_date=birth_date)
        )
    if death_date is not None and as_of > death_date:
        out.append(
            reason("kz.death.deceased", rule_source("kz.death.deceased"), death_date=death_date)
        )
    return out


def not_started(rules: RuleSet) -> Reason:
    """Why a day before the scheme's benefits start gets no decision (R5.1): the refusal claims
    screening gives a service on such a day (``decide()`` refuses the case itself)."""
    p = kz_params(rules)
    return reason(
        "kz.scheme.not_started",
        source_at(rules, "kz.scheme.benefits_start", month_index(p.benefits_start)),
        benefits_start=p.benefits_start.isoformat(),
    )


@quick_init
@dataclass(frozen=True, slots=True)
class GraceAt:
    """The grace period read at a month: what decisions and refusal reasons report."""

    last: int  # L: last month where route 3 or 4 holds
    months: int  # G under the law of the month asked about
    extended: bool


def _grace(last: int, months: int, extended: bool) -> GraceAt | None:
    return None if months < 0 or last == NO_MONTH else GraceAt(last, months, bool(extended))


def decide_kz(case: KzCase | KzInput, rules: RuleSet) -> Decision:
    """Decide one kz-osms case under ``rules`` ([kz-osms rules][kz-osms-rules])."""
    if isinstance(case, KzCase):
        case = KzInput.of(case)
    frame = build_facts(case, rules)
    r = routes(frame.facts, frame.ops, rules)
    return _decision(case, frame, r, rules)


def _decision(case: KzInput, frame: CaseFrame, r: KzRoutes[int], rules: RuleSet) -> Decision:
    ops = frame.ops
    person = case.person
    m0 = frame.as_of_month
    ym0 = _ym(m0)
    reasons: list[Reason] = []
    version = f"insurrules {__version__} / {rules.version(case.as_of)}"

    params = kz_params(rules)
    language = language_spoken()
    if frame.ignored_payments or frame.ignored_requests:
        reasons.append(
            _later_ignored(frame.ignored_payments, frame.ignored_requests, case.as_of, language)
        )

    reasons.extend(
        scope_reasons(person.residency, person.birth_date, person.death_date, case.as_of, rules)
    )
    facts = frame.facts
    got = read(r, facts, ops, params, frame.asked)
    insured = bool(got.insured)
    basis = BASES[got.basis] if got.basis >= 0 else None
    grace = _grace(got.last_hold, got.grace, got.extended)

    state_funded = None
    if got.category >= 0:
        cat = r.categories[got.category]
        state_funded = StateFunded._trusted({"category": cat.code, "budget": cat.budget})
        if basis in ("state_funded", "transition"):
            reasons.append(
                reason(
                    f"kz.state.{cat.code}",
                    cat.source,
                    month=ym0,
                    title=rules.category(cat.code).title,
                    budget=cat.budget,
                )
            )

    due = owed(facts.paid, r.due, r.prepaid_starts, facts.de_requests, ops, params, m0)
    debt = ops.months_in(due.debt)
    amount = amount_due([*debt, m0] if due.owed_now else debt, rules)

    basis_reason = _kept_basis_reason(basis, grace, rules, m0, language)
    if basis_reason is not None:
        # the launch transition is reported before the state category it also covers
        at = len(reasons) - (1 if state_funded and basis == "transition" else 0)
        reasons.insert(at, basis_reason)

    if not insured and not got.excluded:
        reasons.extend(
            why_not(
                m0,
                paid_now=due.paid_now,
                debt=debt,
                grace=grace,
                any_paid=due.any_paid,
                de_months=ops.months_in(due.de_requests),
                rules=rules,
            )
        )
    insured_from = insured_until = None
    if insured:
        insured_from = date_of(got.insured_from)
        if got.insured_until != NO_DAY:
            insured_until = date_of(got.insured_until)

    if insured and basis in ("contributions", "prepaid"):
        last_paid = ops.last_at_or_before(r.hold, got.run_hi)
        if last_paid != NO_MONTH:
            ahead = _grace(*grace_in_force(r, facts, ops, params, last_paid + 1))
            if ahead is not None:
                reasons.append(
                    reason(
                        "kz.grace.available",
                        _grace_source(rules, ahead.extended, ahead.last + 1),
                        variant="extended" if ahead.extended else None,
                        last_paid=_ym(ahead.last),
                        grace_months=ahead.months,
                        grace_last=_ym(ahead.last + ahead.months),
                        run=params.grace_at(ahead.last + 1)[2],
                    )
                )

    details: dict[str, object] = {
        "debt_months": [_ym(m) for m in debt],
        "amount_due": None if amount is None else format(amount.normalize(), "f"),
    }
    # every field is written here with its type: no validation needed (the hot path)
    return Decision._trusted(
        {
            "scheme": SCHEME,
            "as_of": case.as_of,
            "status": "insured" if insured else "not_insured",
            "basis": basis,
            "state_funded": state_funded,
            "grace_months": None if grace is None else grace.months,
            "insured_from": insured_from,
            "insured_until": insured_until,
            "renew_by": insured_until,
            "reasons": tuple(reasons),
            "rules_version": version,
            "details": details,
        }
    )


# Most decisions word these two reasons, with values that repeat from case to case (the
# months around the day asked about, the counts of later records); a Reason is immutable and
# depends on nothing but these arguments and the language it is worded in, so a kept one is
# exact.
@lru_cache(maxsize=4096)
def _later_ignored(payments: int, requests: int, as_of: dt.date, language: str | None) -> Reason:
    """The reason saying how many payments and care requests arrived after ``as_of``."""
    what = [
        message(f"kz.facts.later_ignored#{kind}", count=count)
        for kind, count in (("payments", payments), ("requests", requests))
        if count
    ]
    return reason(
        "kz.facts.later_ignored",
        rule_source("kz.facts.later_ignored"),
        what=what[0]
        if len(what) == 1
        else message("kz.facts.later_ignored#and", first=what[0], second=what[1]),
        as_of=as_of,
    )


#: basis reasons a rule set keeps (a bound: its cache of them is emptied past it)
_KEPT_BASIS_REASONS = 4096


def _kept_basis_reason(
    basis: str | None, grace: GraceAt | None, rules: RuleSet, m0: int, language: str | None
) -> Reason | None:
    """``_basis_reason`` under ``rules``, worded in ``language`` (the language spoken), kept
    in the rule set's own cache: a module-level cache keyed by rule sets would keep every
    reform an analyst ever made alive."""
    kept: dict[tuple[object, ...], Reason | None] | None = rules.cache.get("kz.basis_reasons")
    if kept is None:
        kept = rules.cache["kz.basis_reasons"] = {}
    key = (basis, grace, m0, language)
    if key in kept:
        return kept[key]
    if len(kept) >= _KEPT_BASIS_REASONS:
        kept.clear()
    found = kept[key] = _basis_reason(basis, grace, kz_params(rules), rules, m0)
    return found


def why_not(
    m0: int,
    *,
    paid_now: bool,
    debt: list[int],
    grace: GraceAt | None,
    any_paid: bool,
    de_months: list[int],
    rules: RuleSet,
) -> list[Reason]:
    """Why no route holds in month ``m0``, from what the routes show there.

    ``debt``: unpaid due months of the 12-month window before ``m0``; ``grace``: the last grace
    period, if any; ``any_paid``: some payment is known at all; ``de_months``: months of this year
    with a care request at welfare level D/E. The population engine reads these facts from its
    arrays and calls this same function, so refusals read the same everywhere.
    """
    ym0 = _ym(m0)
    p = kz_params(rules)
    out: list[Reason] = []
    if debt:
        out.append(
            reason(
                "kz.debt.unsettled_months",
                source_at(rules, "kz.debt.window_months", m0),
                variant="paid" if paid_now else "unpaid",
                month=ym0,
                debt=format_months(debt),
                window=p.debt_window,
            )
        )
    if grace is not None:
        out.append(
            reason(
                "kz.grace.expired",
                _grace_source(rules, grace.extended, m0),
                last_paid=_ym(grace.last),
                grace_months=grace.months,
                grace_last=_ym(grace.last + grace.months),
            )
        )
    elif not any_paid:
        out.append(reason("kz.contributions.none", rule_source("kz.contributions.none")))
    if de_months:
        out.append(
            reason(
                "kz.state.welfare_level_de_refused",
                source_at(rules, "kz.interpretation.work_payments_end_de", m0),
                months=format_months(de_months),
                lookback=p.de_lookback,
            )
        )
    out.append(
        reason(
            "kz.status.not_insured",
            rule_source("kz.status.not_insured"),
            month=ym0,
            window=p.debt_window,
            prepaid_months=p.prepaid_months,
        )
    )
    return out


def _basis_reason(
    basis: str | None, grace: GraceAt | None, p: KzParams, rules: RuleSet, m0: int
) -> Reason | None:
    """The reason that names the route insuring the person in ``m0``."""
    ym0 = _ym(m0)
    if basis == "transition":
        return reason(
            "kz.transition.launch",
            source_at(rules, "kz.transition.last_month", m0),
            month=ym0,
            first=_ym(p.transition_first),
            last=_ym(p.transition_last),
        )
    if basis == "contributions":
        return reason(
            "kz.contributions.paid",
            source_at(rules, "kz.debt.window_months", m0),
            month=ym0,
            window_first=_ym(m0 - p.debt_window + 1),
        )
    if basis == "prepaid":
        return reason(
            "kz.prepaid.advance",
            source_at(rules, "kz.prepaid.months", m0),
            month=ym0,
            prepaid_months=p.prepaid_months,
        )
    if basis == "grace_period" and grace is not None:
        return reason(
            "kz.grace.extended" if grace.extended else "kz.grace.standard",
            _grace_source(rules, grace.extended, m0),
            month=ym0,
            grace_months=grace.months,
            last_paid=_ym(grace.last),
            grace_first=_ym(grace.last + 1),
            grace_last=_ym(grace.last + grace.months),
            run=p.grace_at(m0)[2],
        )
    return None


@dataclass(frozen=True, slots=True)
class MonthTrace:
    """One month of the reasoning, for ``--explain``."""

    month: str
    insured: bool
    basis: str | None
    paid: bool
    due: bool
    state_category: str | None


def trace_kz(case: KzCase, rules: RuleSet, before: int = 14, after: int = 8) -> list[MonthTrace]:
    """Month-by-month routes around ``as_of``."""
    frame = build_facts(KzInput.of(case), rules)
    r = routes(frame.facts, frame.ops, rules)
    ops = frame.ops
    first = max(frame.as_of_month - before, month_index(kz_params(rules).benefits_start))
    rows = []
    for m in range(first, frame.as_of_month + after + 1):
        found = ops.first_holding([c.months for c in r.categories], m)
        insured = ops.holds(r.insured, m)
        basis = ops.first_holding((r.transition, r.state, r.contributions, r.prepaid, r.grace), m)
        rows.append(
            MonthTrace(
                month=str(_ym(m)),
                insured=insured,
                basis=BASES[basis] if insured else None,
                paid=ops.holds(frame.facts.paid, m),
                due=ops.holds(r.due, m),
                state_category=r.categories[found].code if found >= 0 else None,
            )
        )
    return rows
