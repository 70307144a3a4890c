"""Monthly OSMS amounts by payer type (Law 405-V arts. 27-29; [kz-osms rules:
Contributions][kz-rules-contributions], R2).

* ``self``: 5 % of 1 × MZP (R2.4): 4 250 tenge a month in 2024-2026.
* ``entrepreneur``: 5 % of 1.4 × MZP from 2020 (R2.3): 5 950 in 2024-2026; nothing in 2018-2019.
* ``employee``: 2 % of income from 2021 (1 % in 2020), income capped at 10 × MZP, 20 × from 2026.
* ``employer``: 3 % from 2022 (2 % 2020-21, 1.5 % 2018-19, 1 % 2017-07..12), income capped at
  10 × MZP, 40 × from 2026.

The rate is the one in force for the month paid *for*. Amounts are exact ``Decimal`` tenge, never
rounded (5 % of 28 284 is 1 414.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from insurrules.errors import RulesError
from insurrules.kz.rules import default_rules
from insurrules.months import YearMonth
from insurrules.parameters import RuleSet

__all__ = ["ContributionAmount", "contribution", "contribution_explained"]

PayerType = Literal["self", "entrepreneur", "employee", "employer"]

_FIXED = {
    "self": ("kz.rate.self", "kz.base.self_mzp"),
    "entrepreneur": ("kz.rate.entrepreneur", "kz.base.entrepreneur_mzp"),
}
_ON_INCOME = {
    "employee": ("kz.rate.employee", "kz.cap.employee_mzp"),
    "employer": ("kz.rate.employer", "kz.cap.employer_mzp"),
}


@dataclass(frozen=True, slots=True)
class ContributionAmount:
    """An amount with the reason and sources behind it."""

    amount: Decimal
    reason: str
    sources: tuple[str, ...]


def contribution(
    payer: PayerType,
    on: dt.date | YearMonth | str,
    income: Decimal | int | str | None = None,
    *,
    rules: RuleSet | None = None,
) -> Decimal:
    """The monthly OSMS amount for one person in the month containing ``on``.

    >>> contribution("self", "2026-03")
    Decimal('4250.00')
    >>> contribution("employee", "2026-01-31", income=1_500_000)
    Decimal('30000.00')
    """
    return contribution_explained(payer, on, income, rules=rules).amount


def _month_of(on: dt.date | YearMonth | str) -> YearMonth:
    if isinstance(on, YearMonth):
        return on
    if isinstance(on, dt.date):
        return YearMonth.of(on)
    if isinstance(on, str):
        try:
            return YearMonth.of(dt.date.fromisoformat(on)) if len(on) == 10 else YearMonth.parse(on)
        except ValueError:
            raise RulesError(
                f"on: expected a date YYYY-MM-DD or a month YYYY-MM, got {on!r}"
            ) from None
    raise RulesError(f"on: expected a date or a month, got {type(on).__name__}")


def _income(income: Decimal | int | str | None, payer: str) -> Decimal:
    if income is None:
        raise RulesError(f"income: required for payer {payer!r} (the amount is a share of income)")
    if isinstance(income, bool | float):
        raise RulesError(f"income: expected a Decimal, int or decimal string, got {income!r}")
    try:
        value = Decimal(str(income))
    except ArithmeticError:
        raise RulesError(f"income: {income!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise RulesError(f"income: must be a non-negative amount, got {income}")
    return value


def _mzp(rules: RuleSet, month: YearMonth) -> tuple[Decimal, str]:
    entry = rules["kz.mzp"].entry(month.first_day())
    if entry is None or entry.value is None:
        raise RulesError(f"the minimum wage (MZP) for {month.year} is not in the data")
    if entry.unconfirmed:
        raise RulesError(
            f"the minimum wage (MZP) for {month.year} is unconfirmed ({entry.note}); "
            "no amount is computed from it"
        )
    return Decimal(entry.value), entry.source


def contribution_explained(
    payer: PayerType,
    on: dt.date | YearMonth | str,
    income: Decimal | int | str | None = None,
    *,
    rules: RuleSet | None = None,
) -> ContributionAmount:
    """Like [`contribution`][insurrules.kz.contributions.contribution], with the reason and sources
    of the amount."""
    rules = rules or default_rules()
    month = _month_of(on)
    first = rules["kz.contributions.first_month"].values[-1].value
    if month < first:
        raise RulesError(f"on: OSMS contributions start with {first}; got {month}")
    if payer not in _FIXED and payer not in _ON_INCOME:
        raise RulesError(
            f"payer: expected one of self, entrepreneur, employee, employer; got {payer!r}"
        )
    fixed = payer in _FIXED
    rate_name, other_name = _FIXED[payer] if fixed else _ON_INCOME[payer]
    if fixed and income is not None:
        raise RulesError(f"income: not used for payer {payer!r} (a fixed monthly amount)")
    value = Decimal(0) if fixed else _income(income, payer)
    rate = rules[rate_name].entry(month.first_day())
    other = rules[other_name].entry(month.first_day())
    assert rate is not None and other is not None
    if rate.value == 0:
        return ContributionAmount(
            Decimal(0), f"{payer} owed no OSMS contribution in {month}", (rate.source,)
        )
    mzp, mzp_source = _mzp(rules, month)
    sources = (rate.source, other.source, mzp_source)
    if fixed:  # a share of a multiple of the minimum wage (R2.3, R2.4)
        reason = f"{rate.value * 100}% of {other.value} × MZP {mzp} for {month}"
        return ContributionAmount(rate.value * other.value * mzp, reason, sources)
    cap = other.value * mzp  # a share of income, capped at a multiple of MZP (R2.1)
    base = min(value, cap)
    capped = " (capped)" if value > cap else ""
    reason = (
        f"{rate.value * 100}% of income {base}{capped}, cap {other.value} × MZP {mzp} = {cap}, "
        f"for {month}"
    )
    return ContributionAmount(rate.value * base, reason, sources)
