"""What one member pays for a BHYT card ([vn-bhyt rules: Contribution][vn-rules-contribution];
[vn-bhyt sources][vn-bhyt-sources] R2, R3, R5, E1-E6).

* Household form: ``4.5 % × base salary(paid_on) × months × ladder(rank)``; the ladder is 100 %,
  70 %, 60 %, 50 %, then 40 % for the 5th and later members (Law 46/2014 art. 13(3); Decree
  146/2018 art. 7(1)(e); Decree 188/2025 art. 6(5)). E1: 1 263 600 / 884 520 / 758 160 /
  631 800 / 505 440 for 12 months at 2 340 000.
* Supported member: off the ladder (Decree 146/2018 art. 7(2); Decree 188/2025 art. 6(5) scopes
  the ladder to art. 12(5)(a)), pays ``(1 − support − top_up) × 4.5 % × base × months``.
* A provincial ``top_up`` is support from the (local) state budget too, so it also takes a
  household member off the ladder: ``(1 − top_up) × 4.5 % × base × months``.
* The base salary is the one in force on the payment date, with no top-up or refund when it
  changes during the card (R3; Decree 146/2018 art. 10).

Amounts are exact ``Decimal`` đồng and never rounded: every published amount is a whole number of
đồng; a result without a fraction is returned as whole đồng (``Decimal('884520')``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from insurrules.errors import RulesError
from insurrules.parameters import RuleSet
from insurrules.vn.rules import card_months, card_months_problem, default_rules, support_share

__all__ = ["contribution", "ladder_share", "paid_on_date", "state_month", "state_share_of"]


def paid_on_date(value: Any, name: str = "paid_on") -> dt.date:
    """A date given as ``datetime.date`` or ISO text; a [`RulesError`][insurrules.errors.RulesError]
    naming ``name``."""
    if isinstance(value, dt.datetime):
        raise RulesError(f"{name}: expected a date, got a date-time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise RulesError(f"{name}: expected a date (YYYY-MM-DD), got {value!r}")


def _months(value: Any, rule_set: RuleSet, on: dt.date) -> int:
    allowed = card_months(rule_set, on)
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise RulesError(f"months: {card_months_problem(allowed, repr(value))}")
    return value


def _rank(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RulesError(
            f"rank: expected a place on the household ladder 1, 2, 3..., got {value!r}"
        )
    return value


def _share(value: Any, name: str) -> Decimal:
    if isinstance(value, bool | float) or not isinstance(value, int | str | Decimal):
        raise RulesError(f"{name}: expected a Decimal share between 0 and 1, got {value!r}")
    try:
        share = Decimal(value)
    except ArithmeticError:
        raise RulesError(f"{name}: {value!r} is not a number") from None
    if not share.is_finite() or not 0 <= share <= 1:
        raise RulesError(f"{name}: expected a share between 0 and 1, got {value!r}")
    return share


def ladder_share(rank: int, on: dt.date, rules: RuleSet | None = None) -> Decimal:
    """The share of the first member's amount paid by the member at ``rank`` (R2)."""
    rule_set = rules or default_rules()
    ladder = rule_set["vn.household.ladder"].at(on)
    return Decimal(ladder[min(_rank(rank), len(ladder)) - 1])


def _base(rule_set: RuleSet, on: dt.date) -> Decimal:
    param = rule_set["vn.base_salary"]
    if param.entry(on) is None:
        raise RulesError(
            f"paid_on: {on.isoformat()} is before the first base salary in the data "
            f"({param.values[0].start.isoformat()})"
        )
    base: Decimal = param.at(on)
    return base


def _whole(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount


def contribution(
    paid_on: dt.date | str,
    months: int,
    rank: int = 1,
    support: str | None = None,
    top_up: Decimal = Decimal(0),
    *,
    rules: RuleSet | None = None,
) -> Decimal:
    """What one household member pays for a card bought on ``paid_on`` for ``months`` months.

    ``rank`` is the member's place on the household ladder; ``support`` a state-support group
    (national minimum share, R5), which takes the member off the ladder; ``top_up`` a provincial
    extra share. Bad arguments raise [`RulesError`][insurrules.errors.RulesError] naming the
    argument.

    >>> contribution("2024-07-01", 12)
    Decimal('1263600')
    >>> contribution("2024-07-01", 12, rank=2)
    Decimal('884520')
    >>> contribution("2025-08-01", 12, support="near_poor")
    Decimal('379080')
    """
    rule_set = rules or default_rules()
    on = paid_on_date(paid_on)
    base = _base(rule_set, on)
    n = _months(months, rule_set, on)
    _rank(rank)
    extra = _share(top_up, "top_up")
    full = rule_set["vn.household.rate"].at(on) * base * n
    if support is None and extra == 0:
        return _whole(full * ladder_share(rank, on, rule_set))
    state = extra + (support_share(rule_set, support, on) if support is not None else Decimal(0))
    if state > 1:
        raise RulesError(
            f"top_up: the state's share {state - extra} plus top_up {extra} exceeds 100 %"
        )
    return _whole(full * (1 - state))


def state_share_of(
    paid_on: dt.date | str,
    months: int,
    support: str,
    top_up: Decimal = Decimal(0),
    *,
    rules: RuleSet | None = None,
) -> Decimal:
    """What the state pays towards the card of a member of support group ``support`` (R5): the
    rest of the amount `contribution` leaves the member to pay.

    >>> state_share_of("2025-08-01", 12, "near_poor")
    Decimal('884520')
    """
    rule_set = rules or default_rules()
    on = paid_on_date(paid_on)
    full = (
        rule_set["vn.household.rate"].at(on) * _base(rule_set, on) * _months(months, rule_set, on)
    )
    return _whole(full - contribution(on, months, 1, support, top_up, rules=rule_set))


def state_month(on: dt.date, rules: RuleSet | None = None) -> Decimal:
    """What the state budget pays for one month of a member of a fully state-paid group (R4):
    ``vn.state.rate`` × the base salary in force on ``on``.

    >>> state_month(dt.date(2026, 3, 1))
    Decimal('105300')
    """
    rule_set = rules or default_rules()
    return _whole(rule_set["vn.state.rate"].at(on) * _base(rule_set, on))
