"""kz-osms segments: the routes of :mod:`insurrules.kz.law`, evaluated once per state of
knowledge, read with :func:`insurrules.kz.decide.read_kz` (the decision's own reading).

One evaluation of the routes gives every month; a new evaluation is needed only where what is
known changes (a payment arrives, a care request is made), so a timeline costs one evaluation
per such day in the window — and one in all when the facts are those known on ``as_of``.
Within a month the reading changes only on those days and the day after a death.
"""

from __future__ import annotations

import datetime as dt

from insurrules.coverage.model import Segment, merge
from insurrules.kz.case import KzCase, KzInput
from insurrules.kz.decide import read_kz
from insurrules.kz.facts import build_facts
from insurrules.kz.law import routes
from insurrules.months import YearMonth, month_index
from insurrules.parameters import RuleSet

__all__ = ["kz_segments"]

_DAY = dt.timedelta(days=1)


def _ym(m: int) -> str:
    return str(YearMonth.from_index(m))


def kz_segments(
    case: KzCase,
    first: dt.date,
    last: dt.date,
    rules: RuleSet,
    epochs: list[tuple[dt.date, dt.date]],
) -> list[Segment]:
    """Segments of ``first..last``; ``epochs``: (first day, knowledge cutoff) pairs, in order."""
    person, rows = case.person, case.rows()
    death_next = person.death_date + _DAY if person.death_date else None
    out: list[Segment] = []
    for i, (lo, cutoff) in enumerate(epochs):
        hi = epochs[i + 1][0] - _DAY if i + 1 < len(epochs) else last
        # the facts known on ``cutoff``; the frame must reach ``hi``, and a frame ends where
        # the case's facts and the date asked about end (plus the longest window): when it
        # ends before ``hi``, the facts are cut by hand and asked about on ``hi``
        frame = build_facts(KzInput(cutoff, person, rows), rules)
        if frame.ops.origin + frame.ops.length <= month_index(hi):
            known = [row for row in rows if row[1] <= cutoff]
            asked = person.model_copy(
                update={"care_requests": tuple(d for d in person.care_requests if d <= cutoff)}
            )
            frame = build_facts(KzInput(hi, asked, known), rules)
        r = routes(frame.facts, frame.ops, rules)
        cuts = {lo}
        m = month_index(lo) + 1
        while YearMonth.from_index(m).first_day() <= hi:
            cuts.add(YearMonth.from_index(m).first_day())
            m += 1
        if death_next is not None and lo < death_next <= hi:
            cuts.add(death_next)
        ordered = sorted(cuts)
        for k, day in enumerate(ordered):
            end = ordered[k + 1] - _DAY if k + 1 < len(ordered) else hi
            reading = read_kz(frame, r, rules, person, day)
            category = reading.category
            grace = reading.grace
            used = None
            if reading.basis == "grace_period" and grace is not None:
                used = month_index(day) - grace.last
            out.append(
                Segment(
                    start=day,
                    end=end,
                    status="insured" if reading.insured else "not_insured",
                    basis=reading.basis,
                    category=None if category is None else category.code,
                    budget=None if category is None else category.budget,
                    grace_months=None if grace is None else grace.months,
                    grace_used=used,
                    debt_months=tuple(_ym(m) for m in reading.debt),
                )
            )
    return merge(out)
