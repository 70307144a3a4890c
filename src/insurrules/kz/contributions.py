"""Monthly OSMS amounts by payer type (Law 405-V arts. 27-29; kz.md "Contributions", R2).

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
    """Like :func:`contribution`, with the reason and sources of the amount."""
    rules = rules or default_rules()
    month = _month_of(on)
    first = rules["kz.contributions.first_month"].values[-1].value
    if month < first:
        raise RulesError(f"on: OSMS contributions start with {first}; got {month}")
    if payer in _FIXED:
        rate_name, base_name = _FIXED[payer]
        if income is not None:
            raise RulesError(f"income: not used for payer {payer!r} (a fixed monthly amount)")
        rate_entry = rules[rate_name].entry(month.first_day())
        assert rate_entry is not None
        if rate_entry.value == 0:
            return ContributionAmount(
                Decimal(0), f"{payer} owed no OSMS contribution in {month}", (rate_entry.source,)
            )
        mzp, mzp_source = _mzp(rules, month)
        base_entry = rules[base_name].entry(month.first_day())
        assert base_entry is not None
        amount = rate_entry.value * base_entry.value * mzp
        reason = f"{rate_entry.value * 100}% of {base_entry.value} × MZP {mzp} for {month}"
        return ContributionAmount(
            amount, reason, (rate_entry.source, base_entry.source, mzp_source)
        )
    if payer in _ON_INCOME:
        rate_name, cap_name = _ON_INCOME[payer]
        value = _income(income, payer)
        rate_entry = rules[rate_name].entry(month.first_day())
        assert rate_entry is not None
        if rate_entry.value == 0:
            return ContributionAmount(
                Decimal(0), f"{payer} owed no OSMS contribution in {month}", (rate_entry.source,)
            )
        mzp, mzp_source = _mzp(rules, month)
        cap_entry = rules[cap_name].entry(month.first_day())
        assert cap_entry is not None
        cap = cap_entry.value * mzp
        base = min(value, cap)
        capped = " (capped)" if value > cap else ""
        reason = (
            f"{rate_entry.value * 100}% of income {base}{capped}, cap {cap_entry.value} × MZP "
            f"{mzp} = {cap}, for {month}"
        )
        return ContributionAmount(
            rate_entry.value * base, reason, (rate_entry.source, cap_entry.source, mzp_source)
        )
    raise RulesError(
        f"payer: expected one of self, entrepreneur, employee, employer; got {payer!r}"
    )
