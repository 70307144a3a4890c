"""What changed in the law between two dates, read from the parameter history.

Every value of a scheme's ``parameters.toml`` carries the date it took effect, so "what changed
between 2025-12-31 and 2026-01-01" is a question the data answers: each parameter, interpretation
switch default and state-paid category whose value on the day a change took effect differs from
its value the day before. Nothing here restates a rule; a reform's rule set is read the same way.

>>> import insurrules
>>> changes = insurrules.law_changes("kz-osms", "2025-12-31", "2026-01-01")
>>> [c.name for c in changes if c.name.startswith("kz.grace")]
['kz.grace.extended_months', 'kz.grace.extended_after_months']
>>> print(changes[0].line())
2026-01-01  kz.grace.extended_months: — → 6 months
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from dateutil.relativedelta import relativedelta

from insurrules.errors import RulesError
from insurrules.messages import message, term
from insurrules.months import YearMonth
from insurrules.parameters import RuleSet, StateCategory

__all__ = ["Change", "format_value", "law_changes", "recent_changes"]


def format_value(value: Any, unit: str | None = None) -> str:
    """A parameter value as text: ``None`` (no value in law) is an em dash.

    >>> format_value(("D", "E"))
    'D, E'
    >>> format_value(Decimal("0.05"))
    '0.05'
    >>> format_value(6, "months")
    '6 months'
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dt.date | YearMonth | Decimal | int | str):
        text = str(value)
    elif isinstance(value, Iterable):
        text = ", ".join(str(v) for v in value)
    else:  # pragma: no cover - every parameter kind is handled above
        text = repr(value)
    return f"{text} {term(unit)}" if unit else text


Kind = Literal["parameter", "switch", "category"]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ORDER: dict[str, int] = {"parameter": 0, "switch": 1, "category": 2}


@dataclass(frozen=True, slots=True)
class Change:
    """One value of the law that changed on ``effective``: ``old`` until the day before, ``new``
    from that day.

    ``None`` means "not in the law" (a parameter before it existed, a category that ended). For a
    category the value is the budget that pays for it (``republican``, ``local``, ``state``).
    ``source`` is the legal source of the new value (of the ended period when a category ends).
    """

    scheme: str
    kind: Kind
    name: str
    title: str
    effective: dt.date
    old: Any
    new: Any
    source: str
    unit: str | None = None
    unconfirmed: bool = False
    decision: str | None = None  # the D-n label of an interpretation switch

    def values_text(self) -> str:
        """``old → new`` as text (``—`` for "not in law"), in the language being spoken
        (``insurrules.messages.speaking``)."""
        if self.kind == "category":
            old = message("cli.law_changes.budget", budget=self.old) if self.old else "—"
            new = message("cli.law_changes.budget", budget=self.new) if self.new else "—"
            return f"{old} → {new}"
        return f"{format_value(self.old, self.unit)} → {format_value(self.new, self.unit)}"

    def line(self) -> str:
        """One line for people: ``2026-01-01  kz.cap.employer_mzp: 10 × MZP → 40 × MZP``."""
        label = f"{self.decision} " if self.decision else ""
        what = self.name
        if self.kind == "category":
            what = message("cli.law_changes.category", name=self.name)
        return f"{self.effective}  {label}{what}: {self.values_text()}"

    def to_json(self) -> dict[str, Any]:
        """The change as JSON values (decimals, months and dates as text, lists as lists)."""
        return {
            "scheme": self.scheme,
            "kind": self.kind,
            "name": self.name,
            "title": self.title,
            "effective": self.effective.isoformat(),
            "old": _json_value(self.old),
            "new": _json_value(self.new),
            "unit": self.unit,
            "source": self.source,
            "unconfirmed": self.unconfirmed,
            "decision": self.decision,
        }


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    return str(value)  # Decimal, date, YearMonth


def _day(value: dt.date | str, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise RulesError(f"{what}: expected a date, got a date-time")
    if isinstance(value, dt.date):
        return value
    # only the contract's form: fromisoformat would also take 20260101 or 2026-W01
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise RulesError(f"{what}: expected an ISO date YYYY-MM-DD, got {value!r}")


def _rule_set(scheme: str | RuleSet) -> RuleSet:
    if isinstance(scheme, RuleSet):
        return scheme
    from insurrules.schemes import SCHEMES, scheme_module

    if scheme not in SCHEMES:
        raise RulesError(f"unknown scheme {scheme!r}; known: {', '.join(SCHEMES)}")
    rules: RuleSet = scheme_module(scheme).default_rule_set()
    return rules


def law_changes(scheme: str | RuleSet, since: dt.date | str, until: dt.date | str) -> list[Change]:
    """Every change in the law that took effect after ``since`` and on or before ``until``.

    ``scheme`` is a scheme code (``"kz-osms"``, ``"vn-bhyt"``) or a
    [`RuleSet`][insurrules.parameters.RuleSet] (a reform: its own dated values are read the same
    way). A value restated with a new source but the same value is not a change. Changes come in
    date order, then in the order of the data file (parameters, switches, categories).
    """
    rules = _rule_set(scheme)
    first, last = _day(since, "since"), _day(until, "until")
    if last < first:
        raise RulesError(f"until ({last}) is before since ({first})")
    found = [c for c in _all_changes(rules) if first < c.effective <= last]
    return sorted(found, key=lambda c: (c.effective, _ORDER[c.kind]))


#: how far back the "changes" line of a decision's explanation looks, in months
RECENT_MONTHS = 12


def recent_changes(
    scheme: str | RuleSet, as_of: dt.date, months: int = RECENT_MONTHS
) -> list[Change]:
    """The changes that took effect in the ``months`` months up to and including ``as_of``
    (what ``insurrules check --explain`` lists beside a decision)."""
    return law_changes(scheme, as_of - relativedelta(months=months), as_of)


def _all_changes(rules: RuleSet) -> Iterator[Change]:
    for param in rules.parameters.values():
        kind: Kind = "switch" if param.is_switch else "parameter"
        previous: Any = None
        for entry in param.values:
            if entry.value != previous:
                yield Change(
                    scheme=rules.scheme,
                    kind=kind,
                    name=param.name,
                    title=param.description,
                    effective=entry.start,
                    old=previous,
                    new=entry.value,
                    source=entry.source,
                    unit=param.unit,
                    unconfirmed=entry.unconfirmed,
                    decision=param.decision,
                )
            previous = entry.value
    for category in rules.categories:
        yield from _category_changes(rules.scheme, category)


def _category_changes(scheme: str, category: StateCategory) -> Iterator[Change]:
    """The days a category enters or leaves the law, or passes to another budget."""
    boundaries = sorted(
        {p.start for p in category.periods}
        | {p.end + dt.timedelta(days=1) for p in category.periods if p.end is not None}
    )
    for day in boundaries:
        before = category.period_on(day - dt.timedelta(days=1))
        after = category.period_on(day)
        old = before.budget if before else None
        new = after.budget if after else None
        if old == new:
            continue
        told = after or before
        assert told is not None  # a boundary is the start or the day after the end of a period
        yield Change(
            scheme=scheme,
            kind="category",
            name=category.code,
            title=category.title,
            effective=day,
            old=old,
            new=new,
            source=told.source,
            unconfirmed=told.unconfirmed,
        )
