"""The kz-osms decision document for one case: status, basis, dates, reasons, details."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from insurrules._version import __version__
from insurrules.errors import RulesError
from insurrules.kz.case import KzCase, KzInput
from insurrules.kz.contributions import contribution
from insurrules.kz.facts import CaseFrame, build_facts
from insurrules.kz.law import KzRoutes, own_payments, routes
from insurrules.kz.params import kz_params
from insurrules.models import Decision, Reason, StateFunded
from insurrules.months import YearMonth
from insurrules.parameters import RuleSet
from insurrules.timeline import BitOps

__all__ = [
    "GraceAt",
    "MonthTrace",
    "decide_kz",
    "format_months",
    "scope_reasons",
    "trace_kz",
    "why_not",
]

SCHEME = "kz-osms"
_ART5 = "Law 405-V art. 5"


def _reason(code: str, message: str, source: str) -> Reason:
    """A reason from texts this module wrote (no validation needed: every field is a str)."""
    return Reason._trusted({"code": code, "message": message, "source": source})


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


def _source(rules: RuleSet, name: str, month: int) -> str:
    entry = rules[name].entry(YearMonth.from_index(month).first_day())
    if entry is None:
        return name
    flag = " (unconfirmed)" if entry.unconfirmed else ""
    return entry.source + flag


_NEVER = ("temporary_resident", "outside_scheme")


def scope_reasons(residency: str, death_date: dt.date | None, as_of: dt.date) -> list[Reason]:
    """Who is outside the scheme, only partly in it, or dead on ``as_of`` (R1.1, R1.2, R8.1).

    A decision lists these first; for a person outside the scheme or dead they say why they are
    not insured.
    """
    out: list[Reason] = []
    if residency in _NEVER:
        message = (
            "temporarily staying foreigners are not OSMS participants"
            if residency == "temporary_resident"
            else "military and special state bodies receive care outside OSMS"
        )
        out.append(
            _reason(
                code=f"kz.scope.{residency}",
                message=message,
                source="Law 405-V art. 2 p. 2; art. 18 p. 4 (R1.1, R1.2)",
            )
        )
    if residency == "eaeu_worker":
        out.append(
            _reason(
                code="kz.scope.eaeu_worker",
                message="EAEU migrant worker: insured only in paid months and their grace",
                source="Law 405-V art. 2 p. 2; msqory FAQ for foreigners (R1.1)",
            )
        )
    if death_date is not None and as_of > death_date:
        out.append(
            _reason(
                code="kz.death.deceased",
                message=f"died on {death_date}: never insured after that date",
                source="Law 405-V art. 5; civil registry data (R8.1)",
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class GraceAt:
    """The grace period read at a month: what decisions and refusal reasons report."""

    last: int  # L: last month where route 3 or 4 holds
    months: int  # G under the law of the month asked about
    extended: bool


def _grace_at(frame: CaseFrame, r: KzRoutes[int], rules: RuleSet, month: int) -> GraceAt | None:
    ops = frame.ops
    last = ops.last_at_or_before(r.hold, month)
    if last is None:
        return None
    p = kz_params(rules)
    g, ge, n = p.grace_at(month)
    if ge > g and n:
        runs = r.runs.get(n)
        if runs is None:
            own, skip = own_payments(frame.facts, r.state, ops, p)
            runs = ops.runs_reaching(own, skip, n)
        if ops.holds(runs, last):
            return GraceAt(last, ge, True)
    return GraceAt(last, g, False)


def _basis(r: KzRoutes[int], ops: BitOps, m: int) -> str | None:
    for name, timeline in (
        ("transition", r.transition),
        ("state_funded", r.state),
        ("contributions", r.contributions),
        ("prepaid", r.prepaid),
        ("grace_period", r.grace),
    ):
        if ops.holds(timeline, m):
            return name
    return None


def _amount_due(months: list[int], rules: RuleSet) -> Decimal | None:
    """What a self-payer pays for ``months``, each at its own month's rate (kz.contribution)."""
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


def decide_kz(case: KzCase | KzInput, rules: RuleSet) -> Decision:
    """Decide one kz-osms case under ``rules`` (kz.md)."""
    if isinstance(case, KzCase):
        case = KzInput.of(case)
    frame = build_facts(case, rules)
    r = routes(frame.facts, frame.ops, rules)
    return _decision(case, frame, r, rules)


def _decision(case: KzInput, frame: CaseFrame, r: KzRoutes[int], rules: RuleSet) -> Decision:
    ops = frame.ops
    person = case.person
    m0 = frame.as_of_month
    ym0 = YearMonth.from_index(m0)
    reasons: list[Reason] = []
    version = f"insurrules {__version__} / {rules.version(case.as_of)}"

    if frame.ignored_payments or frame.ignored_requests:
        what = []
        if frame.ignored_payments:
            what.append(f"{frame.ignored_payments} payment record(s)")
        if frame.ignored_requests:
            what.append(f"{frame.ignored_requests} care request(s)")
        reasons.append(
            _reason(
                code="kz.facts.later_ignored",
                message=f"{' and '.join(what)} dated after {case.as_of} ignored: "
                "not yet known then",
                source="insurrules contract: decisions use only facts known on as_of",
            )
        )

    never = person.residency in _NEVER
    dead = person.death_date is not None and case.as_of > person.death_date
    reasons.extend(scope_reasons(person.residency, person.death_date, case.as_of))

    insured = ops.holds(r.insured, m0) and not dead and not never
    basis = _basis(r, ops, m0) if insured else None

    state_funded = None
    if not never and not dead:
        for cat in r.categories:
            if ops.holds(cat.months, m0):
                state_funded = StateFunded(category=cat.code, budget=cat.budget)
                if basis in ("state_funded", "transition"):
                    title = rules.category(cat.code).title
                    reasons.append(
                        _reason(
                            code=f"kz.state.{cat.code}",
                            message=f"in {ym0} the state pays for the person: {title} "
                            f"({cat.budget} budget)",
                            source=cat.source,
                        )
                    )
                break

    grace = None if never or dead else _grace_at(frame, r, rules, m0)
    params = kz_params(rules)
    window = params.debt_window
    window_lo = m0 - window + 1
    debt = [m for m in ops.months_in(r.due & ops.not_(frame.facts.paid)) if window_lo <= m < m0]
    if params.prepaid_cancels_debt:
        # D-1 alternative: debt from before the start of a prepaid window is annulled
        last_start = ops.last_at_or_before(r.prepaid_starts, m0)
        if last_start is not None:
            debt = [m for m in debt if m >= last_start]
    due_now = ops.holds(r.due, m0) and not ops.holds(frame.facts.paid, m0)
    amount = _amount_due([*debt, *([m0] if due_now else [])], rules)

    if basis == "transition":
        reasons.insert(
            len(reasons) - (1 if state_funded else 0),
            _reason(
                code="kz.transition.launch",
                message=f"{ym0} is in the launch period 2020-01..2020-06: "
                "every participant insured",
                source=_source(rules, "kz.transition.last_month", m0),
            ),
        )
    elif basis == "contributions":
        reasons.append(
            _reason(
                code="kz.contributions.paid",
                message=f"{ym0} is paid and no month of {YearMonth.from_index(window_lo)}..{ym0} "
                "is in debt",
                source=f"{_ART5} p. 3 (R5.3): {_source(rules, 'kz.debt.window_months', m0)}",
            )
        )
    elif basis == "prepaid":
        reasons.append(
            _reason(
                code="kz.prepaid.twelve_months",
                message=f"{ym0} lies in 12 future months each paid in advance by a self-payer; "
                "older debt does not bar this route",
                source=_source(rules, "kz.prepaid.months", m0),
            )
        )
    elif basis == "grace_period" and grace is not None:
        reasons.append(
            _reason(
                code="kz.grace.six_months" if grace.extended else "kz.grace.three_months",
                message=f"grace period: {ym0} is within {grace.months} months after "
                f"{YearMonth.from_index(grace.last)}, the last month insured through payments "
                f"({YearMonth.from_index(grace.last + 1)}.."
                f"{YearMonth.from_index(grace.last + grace.months)}); those months remain debt",
                source=_source(
                    rules,
                    "kz.grace.extended_months" if grace.extended else "kz.grace.months",
                    m0,
                ),
            )
        )

    if not insured and not never and not dead:
        reasons.extend(_why_not(frame, r, rules, m0, grace, debt))
    insured_from = insured_until = None
    if insured:
        run = ops.run_around(r.insured, m0)
        assert run is not None
        lo, hi = run
        start = max(
            YearMonth.from_index(lo).first_day(),
            person.birth_date,
            params.benefits_start,
        )
        insured_from = start
        if hi < ops.origin + ops.length - 1:
            end = YearMonth.from_index(hi).last_day()
            if person.death_date is not None:
                end = min(end, person.death_date)
            insured_until = end
        elif person.death_date is not None:
            insured_until = person.death_date

    if insured and basis in ("contributions", "prepaid"):
        run = ops.run_around(r.insured, m0)
        assert run is not None
        last_paid = ops.last_at_or_before(r.hold, run[1])
        ahead = _grace_at(frame, r, rules, last_paid + 1) if last_paid is not None else None
        if ahead is not None:
            reasons.append(
                _reason(
                    code="kz.grace.available",
                    message=f"paid through {YearMonth.from_index(ahead.last)}: without further "
                    f"payments status holds {ahead.months} more months, to "
                    f"{YearMonth.from_index(ahead.last + ahead.months)}"
                    + (" (60 unbroken paid months)" if ahead.extended else ""),
                    source=_source(
                        rules,
                        "kz.grace.extended_months" if ahead.extended else "kz.grace.months",
                        ahead.last + 1,
                    ),
                )
            )

    details: dict[str, object] = {
        "debt_months": [str(YearMonth.from_index(m)) for m in debt],
        "amount_due": None if amount is None else format(amount.normalize(), "f"),
    }
    return Decision(
        scheme=SCHEME,
        as_of=case.as_of,
        status="insured" if insured else "not_insured",
        basis=basis,
        state_funded=state_funded,
        grace_months=None if grace is None else grace.months,
        insured_from=insured_from,
        insured_until=insured_until,
        renew_by=insured_until,
        reasons=tuple(reasons),
        rules_version=version,
        details=details,
    )


def _why_not(
    frame: CaseFrame,
    r: KzRoutes[int],
    rules: RuleSet,
    m0: int,
    grace: GraceAt | None,
    debt: list[int],
) -> list[Reason]:
    ops = frame.ops
    facts = frame.facts
    year = YearMonth.from_index(m0).year
    return why_not(
        m0,
        paid_now=ops.holds(facts.paid, m0),
        debt=debt,
        grace=grace,
        any_paid=bool(facts.paid),
        de_months=[m for m in ops.months_in(facts.de_requests) if m // 12 == year],
        rules=rules,
    )


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
    ym0 = YearMonth.from_index(m0)
    out: list[Reason] = []
    if paid_now and debt:
        out.append(
            _reason(
                code="kz.debt.unsettled_months",
                message=f"{ym0} is paid, but months {format_months(debt)} are unpaid within the "
                "12-month window",
                source=f"{_ART5} p. 3 (R5.3, W7, W8)",
            )
        )
    elif debt:
        out.append(
            _reason(
                code="kz.debt.unsettled_months",
                message=f"{ym0} is not paid, and months {format_months(debt)} are unpaid within "
                "the 12-month window",
                source=f"{_ART5} p. 3 (R5.3)",
            )
        )
    if grace is not None:
        end = YearMonth.from_index(grace.last + grace.months)
        out.append(
            _reason(
                code="kz.grace.expired",
                message=f"the last month insured through payments was "
                f"{YearMonth.from_index(grace.last)}; its {grace.months}-month grace ended "
                f"with {end}",
                source=_source(
                    rules, "kz.grace.extended_months" if grace.extended else "kz.grace.months", m0
                ),
            )
        )
    elif not any_paid:
        out.append(
            _reason(
                code="kz.contributions.none",
                message="no contribution or deduction has been paid for this person",
                source=f"{_ART5}; Law 405-V art. 28 (R1.3)",
            )
        )
    if de_months:
        out.append(
            _reason(
                code="kz.state.welfare_level_de_refused",
                message=f"care requested at welfare level D/E in {format_months(de_months)}, but "
                "the person was then in an art. 26 category or had payments from work in the "
                "3 months before (D-5)",
                source="Law 405-V art. 26-1 p. 1 subp. 2; kz.md D-5",
            )
        )
    out.append(
        _reason(
            code="kz.status.not_insured",
            message=f"no route to insured status holds in {ym0}: pay the debt of the last 12 "
            "months and this month, or (self-payers) the 12 months ahead",
            source=f"{_ART5} p. 2-3 (R5.3, R5.4)",
        )
    )
    return out


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
    first = max(frame.as_of_month - before, YearMonth(2020, 1).index)
    rows = []
    for m in range(first, frame.as_of_month + after + 1):
        category = next((c.code for c in r.categories if ops.holds(c.months, m)), None)
        insured = ops.holds(r.insured, m)
        rows.append(
            MonthTrace(
                month=str(YearMonth.from_index(m)),
                insured=insured,
                basis=_basis(r, ops, m) if insured else None,
                paid=ops.holds(frame.facts.paid, m),
                due=ops.holds(r.due, m),
                state_category=category,
            )
        )
    return rows
