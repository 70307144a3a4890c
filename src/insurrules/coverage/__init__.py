"""A person's coverage timeline: [`timeline`][insurrules.coverage.timeline], with
[`Timeline`][insurrules.coverage.model.Timeline] and its views.

>>> import insurrules
>>> months = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)][:18]
>>> case = {"scheme": "kz-osms", "as_of": "2025-12-31",
...         "person": {"id": "870412445016", "birth_date": "1987-04-12", "sex": "female"},
...         "payments": [{"month": m, "paid_on": f"{m}-01", "amount": "4250", "payer": "self"}
...                      for m in months]}
>>> t = insurrules.timeline(case, "2025-01", "2025-12")
>>> for span in t.spans:
...     print(span.start, span.end, span.status, span.basis)
2025-01-01 2025-06-30 insured contributions
2025-07-01 2025-09-30 insured grace_period
2025-10-01 2025-12-31 not_insured None
>>> print(t.strip())
      J F M A M J J A S O N D
2025  C C C C C C G G G · · ·
C contributions  G grace period  · not insured  ' changes within the month
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from insurrules.coverage.model import MonthRow, Segment, Span, Timeline
from insurrules.errors import RulesError
from insurrules.months import YearMonth
from insurrules.parameters import RuleSet

__all__ = ["MonthRow", "Segment", "Span", "Timeline", "timeline"]

Known = Literal["then", "as_of"]


def _bound(value: Any, what: str, end: bool) -> dt.date:
    if isinstance(value, dt.datetime):
        raise RulesError(f"{what}: expected a month YYYY-MM or a date, got a date-time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, YearMonth):
        return value.last_day() if end else value.first_day()
    if isinstance(value, str):
        try:
            if len(value) == 7:
                month = YearMonth.parse(value)
                return month.last_day() if end else month.first_day()
            if len(value) == 10 and value[4] == "-" and value[7] == "-":
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise RulesError(f"{what}: expected a month YYYY-MM or a date YYYY-MM-DD, got {value!r}")


def timeline(
    case: Any,
    start: YearMonth | dt.date | str,
    end: YearMonth | dt.date | str,
    rules: RuleSet | Mapping[str, RuleSet] | None = None,
    *,
    known: Known = "then",
) -> Timeline:
    """The person's coverage from ``start`` to ``end``, day-exact, in segments.

    ``start`` / ``end``: months (``"2025-01"``: from its first day / to its last day) or dates.
    The timeline begins on the birth date when the person was born later. Each day reads as
    ``decide()`` on that day: with ``known="then"`` (the default) from the facts known on that
    day, exactly what ``decide(case | {"as_of": day})`` says; with ``known="as_of"`` from the
    facts known on the case's ``as_of`` (what a decision on ``as_of`` knows about every day).
    What is known changes only on the days a payment arrives or a care request is made; the
    rules are evaluated once for all those states of knowledge together (kz-osms: one lane each
    of one evaluation; vn-bhyt: one card chain each), not once per month.
    """
    from insurrules.api import _rules_for
    from insurrules.case import parse_case
    from insurrules.schemes import scheme_module

    parsed: Any = parse_case(case)
    scheme: str = parsed.scheme
    module = scheme_module(scheme)
    chosen = _rules_for(scheme, rules) or module.default_rule_set()
    first = max(_bound(start, "start", end=False), parsed.person.birth_date)
    last = _bound(end, "end", end=True)
    if last < first:
        raise RulesError(f"the timeline ends ({last}) before it starts ({first})")
    if known not in ("then", "as_of"):
        raise RulesError(f"known: expected 'then' or 'as_of', got {known!r}")
    if scheme == "kz-osms":
        benefits = chosen.value("kz.scheme.benefits_start", first)
        if first < benefits:
            raise RulesError(f"start: {first} is too early: kz-osms benefits start on {benefits}")
    if known == "as_of":
        epochs = [(first, last, parsed.as_of)]
    else:  # a new state of knowledge on each day a payment arrives or care is requested
        arrivals = {p.paid_on for p in parsed.payments}
        arrivals |= set(getattr(parsed.person, "care_requests", ()))
        starts = [first, *sorted(d for d in arrivals if first < d <= last)]
        ends = [d - dt.timedelta(days=1) for d in starts[1:]] + [last]
        epochs = [(a, b, a) for a, b in zip(starts, ends, strict=True)]
    if scheme == "kz-osms":
        from insurrules.coverage.kz import kz_segments

        segments = kz_segments(parsed, chosen, epochs)
    else:
        from insurrules.coverage.vn import vn_segments

        segments = vn_segments(parsed, chosen, epochs)
    return Timeline(scheme, first, last, known, tuple(segments))
