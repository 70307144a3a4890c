"""kz-osms segments: the routes of [`insurrules.kz.law`][insurrules.kz.law], evaluated once per
state of knowledge, read with [`insurrules.kz.reading.read`][insurrules.kz.reading.read] and
[`owed`][insurrules.kz.reading.owed] (the decision's own reading).

One evaluation of the routes gives every month; a new evaluation is needed only where what is
known changes (a payment arrives, a care request is made), so a timeline costs one evaluation
per such day in the window — and one in all when the facts are those known on ``as_of``.
Within a month the reading changes only on those days and the day after a death.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from insurrules.coverage.model import Epoch, Segment, merge, pieces
from insurrules.kz.case import KzCase, KzInput
from insurrules.kz.facts import build_facts
from insurrules.kz.law import routes
from insurrules.kz.params import kz_params
from insurrules.kz.reading import BASES, day_number, owed, read
from insurrules.months import YearMonth, month_index
from insurrules.parameters import RuleSet

__all__ = ["kz_segments"]

_DAY = dt.timedelta(days=1)


def _ym(m: int) -> str:
    return str(YearMonth.from_index(m))


def kz_segments(
    case: KzCase,
    rules: RuleSet,
    epochs: list[Epoch],
) -> list[Segment]:
    """The segments of the ``epochs`` (in order, covering the timeline)."""
    person, rows = case.person, case.rows()
    params = kz_params(rules)
    death_next = person.death_date + _DAY if person.death_date else None
    out: list[Segment] = []
    for lo, hi, cutoff in epochs:
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
        cuts = {
            YearMonth.from_index(m).first_day()
            for m in range(month_index(lo) + 1, month_index(hi) + 1)
        }
        if death_next is not None:
            cuts.add(death_next)
        ops, facts = frame.ops, frame.facts
        for day, end in pieces(cuts, lo, hi):
            m = month_index(day)
            got = read(r, facts, ops, params, replace(frame.asked, month=m, day=day_number(day)))
            basis = BASES[got.basis] if got.basis >= 0 else None
            category = r.categories[got.category] if got.category >= 0 else None
            due = owed(facts.paid, r.due, r.prepaid_starts, facts.de_requests, ops, params, m)
            out.append(
                Segment(
                    start=day,
                    end=end,
                    status="insured" if got.insured else "not_insured",
                    basis=basis,
                    category=None if category is None else category.code,
                    budget=None if category is None else category.budget,
                    grace_months=None if got.grace < 0 else int(got.grace),
                    grace_used=m - got.last_hold if basis == "grace_period" else None,
                    debt_months=tuple(_ym(d) for d in ops.months_in(due.debt)),
                )
            )
    return merge(out)
