"""kz-osms segments: the routes of [`insurrules.kz.law`][insurrules.kz.law], evaluated once for
every state of knowledge at once, read with
[`insurrules.kz.reading.status`][insurrules.kz.reading.status] and
[`debt`][insurrules.kz.reading.debt] (the decision's own reading).

What is known changes only on the days a payment arrives or a care request is made; each such
day starts a state of knowledge, and [`build_lane_facts`][insurrules.kz.facts.build_lane_facts]
puts the facts of every state side by side, one lane each
([`LaneOps`][insurrules.timeline.LaneOps]), so that one evaluation of the routes gives every
state's routes (one state in all when the facts are those known on ``as_of``). Within a state the
reading changes only at the start of a month and the day after a death: each such piece is read
once, on its state's lane. With numpy (the ``population`` extra) all pieces are read at once,
piece ``p`` as person ``p`` of [`ArrayOps`][insurrules.population.arrays.ArrayOps]; without it,
one by one with [`BitOps`][insurrules.timeline.BitOps]. The reading never looks at a month after
the one asked about, so the longer frame of the lanes changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from operator import itemgetter
from typing import Any

from insurrules.coverage.model import Epoch, Segment
from insurrules.kz.case import KzCase
from insurrules.kz.facts import LaneFrame, build_lane_facts
from insurrules.kz.law import KzFacts, KzRoutes, routes
from insurrules.kz.params import KzParams, kz_params
from insurrules.kz.reading import BASES, Asked, day_number, debt, status
from insurrules.months import YearMonth, month_index
from insurrules.parameters import RuleSet

__all__ = ["kz_segments"]

_DAY = dt.timedelta(days=1)


#: what a piece reads as: insured, basis, category, grace, last hold month, debt months
_Reading = tuple[bool, int, int, int, int, list[int]]


def _numpy() -> bool:
    """Is numpy installed (the ``population`` extra): read all pieces at once."""
    try:
        import numpy  # noqa: F401
    except ImportError:  # pragma: no cover - the extras are installed where tests run
        return False
    return True


def kz_segments(case: KzCase, rules: RuleSet, epochs: list[Epoch]) -> list[Segment]:
    """The segments of the ``epochs`` (in order, covering the timeline)."""
    person = case.person
    params = kz_params(rules)
    death_next = person.death_date + _DAY if person.death_date else None
    frame = build_lane_facts(
        person, case.rows(), [cutoff for _, _, cutoff in epochs], epochs[-1][1], rules
    )
    r = routes(frame.facts, frame.ops, rules)
    parts, ends = _pieces(epochs, death_next)
    read = _read_together if _numpy() else _read_one_by_one
    # adjacent pieces that read the same are one segment (as ``merge`` joins them)
    runs: list[tuple[dt.date, dt.date, tuple[Any, ...]]] = []
    categories = r.categories
    for (_, day), end, (insured, b, c, g, last_hold, owes) in zip(
        parts, ends, read(frame, r, params, parts), strict=True
    ):
        basis = BASES[b] if b >= 0 else None
        category = categories[c] if c >= 0 else None
        reading = (
            "insured" if insured else "not_insured",
            basis,
            None if category is None else category.code,
            None if category is None else category.budget,
            None if g < 0 else g,
            month_index(day) - last_hold if basis == "grace_period" else None,
            tuple(str(YearMonth.from_index(d)) for d in owes) if owes else (),
        )
        if runs and runs[-1][2] == reading:
            runs[-1] = (runs[-1][0], end, reading)
        else:
            runs.append((day, end, reading))
    return [Segment(start, end, *reading) for start, end, reading in runs]


def _read_one_by_one(
    frame: LaneFrame, lanes: KzRoutes[int], params: KzParams, parts: list[tuple[int, dt.date]]
) -> list[_Reading]:
    """Each piece on its own lane, with ``BitOps``."""
    states = _states(frame, lanes)
    ops = frame.ops.single
    a = frame.asked
    out: list[_Reading] = []
    for k, day in parts:
        r, facts = states[k]
        m = month_index(day)
        q = Asked(m, day_number(day), a.birth_day, a.death_day, a.outside, a.frame_end)
        got = status(r, facts, ops, params, q)
        owes = debt(facts.paid, r.due, r.prepaid_starts, ops, params, m)
        out.append(
            (
                bool(got.insured),
                int(got.basis),
                int(got.category),
                int(got.grace),
                int(got.last_hold),
                ops.months_in(owes) if owes else [],
            )
        )
    return out


def _pieces(
    epochs: list[Epoch], death_next: dt.date | None
) -> tuple[list[tuple[int, dt.date]], list[dt.date]]:
    """The epochs cut at each first of a month and the day after a death: each piece's state of
    knowledge and first day, and each piece's last day."""
    first, last = epochs[0][0], epochs[-1][1]
    cuts = {lo for lo, _, _ in epochs}
    y, m = first.year, first.month
    while True:
        y, m = (y, m + 1) if m < 12 else (y + 1, 1)
        day = dt.date(y, m, 1)
        if day > last:
            break
        cuts.add(day)
    if death_next is not None and first < death_next <= last:
        cuts.add(death_next)
    days = sorted(cuts)
    parts: list[tuple[int, dt.date]] = []
    k = 0
    for day in days:
        while epochs[k][1] < day:
            k += 1
        parts.append((k, day))
    return parts, [d - _DAY for d in days[1:]] + [last]


#: the facts learnt on a day (a payment or a care request arriving): one value per lane; every
#: other fact is the same in all lanes
_LEARNT = ("paid", "work_paid", "de_requests")


def _states(frame: LaneFrame, r: KzRoutes[int]) -> list[tuple[KzRoutes[int], KzFacts[int]]]:
    """Each lane's routes and facts: those of the facts known in its state."""
    split = frame.ops.split
    f = frame.facts
    route_lanes = _map_routes(r, split)
    learnt: dict[str, Any] = {name: split(getattr(f, name)) for name in _LEARNT}
    full = frame.ops.single.full()
    same = _map_facts(f, lambda x: x & full)  # lane 0's
    out = []
    advance: list[tuple[int, int]] = []
    for k in range(frame.ops.lanes):
        if f.advance[k]:
            advance = [*advance, *f.advance[k]]
        lane_routes: KzRoutes[int] = _map_routes(route_lanes, itemgetter(k))
        lane_facts: KzFacts[int] = replace(
            same, advance=advance, **{name: lanes[k] for name, lanes in learnt.items()}
        )
        out.append((lane_routes, lane_facts))
    return out


def _read_together(
    frame: LaneFrame, lanes: KzRoutes[int], params: KzParams, parts: list[tuple[int, dt.date]]
) -> list[_Reading]:
    """Every piece at once: piece ``p`` is person ``p`` of ``ArrayOps``, its timelines the words
    of its lane."""
    import numpy as np

    from insurrules.population.arrays import AdvanceRecords, ArrayOps

    lane_ops = frame.ops
    ops = ArrayOps(lane_ops.origin, lane_ops.length, len(parts))
    of_piece = np.array([k for k, _ in parts], dtype=np.int64)
    size = lane_ops.lanes * lane_ops.stride // 8

    def words(x: int) -> Any:
        raw = np.frombuffer(x.to_bytes(size, "little"), dtype="<u8").astype(np.uint64)
        return np.ascontiguousarray(raw.reshape(lane_ops.lanes, lane_ops.words).T[:, of_piece])

    lane0 = lane_ops.single.full()

    def same(x: int) -> Any:  # a fact not learnt on a day: lane 0, the same in every lane
        raw = np.frombuffer((x & lane0).to_bytes(lane_ops.stride // 8, "little"), dtype="<u8")
        return np.broadcast_to(raw.astype(np.uint64)[:, None], ops.shape)

    r = _map_routes(lanes, words)
    f = frame.facts
    known: list[list[tuple[int, int]]] = []  # the advance records each lane knows
    for new in f.advance:
        known.append([*known[-1], *new] if known else list(new))
    records = [(p, month, arrival) for p, (k, _) in enumerate(parts) for month, arrival in known[k]]
    facts: KzFacts[Any] = replace(
        _map_facts(f, same),
        advance=AdvanceRecords(*(list(c) for c in zip(*records, strict=True)))
        if records
        else AdvanceRecords([], [], []),
        **{name: words(getattr(f, name)) for name in _LEARNT},
    )
    month = np.array([month_index(day) for _, day in parts], dtype=np.int64)
    a = frame.asked
    n = len(parts)
    q = Asked(
        month=month,
        day=np.array([day_number(day) for _, day in parts], dtype=np.int64),
        birth_day=np.full(n, a.birth_day, dtype=np.int64),
        death_day=np.full(n, a.death_day, dtype=np.int64),
        outside=np.full(n, a.outside, dtype=np.bool_),
        frame_end=np.full(n, a.frame_end, dtype=np.int64),
    )
    seen = status(r, facts, ops, params, q)
    owes = debt(facts.paid, r.due, r.prepaid_starts, ops, params, month)
    debts: list[list[int]] = [[] for _ in parts]
    pieces_in, months_in = np.nonzero(ops.to_bool(owes))
    for p, i in zip(pieces_in.tolist(), months_in.tolist(), strict=True):
        debts[p].append(ops.origin + i)
    return list(
        zip(
            np.asarray(seen.insured, dtype=np.bool_).tolist(),
            np.asarray(seen.basis).tolist(),
            np.asarray(seen.category).tolist(),
            np.asarray(seen.grace).tolist(),
            np.asarray(seen.last_hold).tolist(),
            debts,
            strict=True,
        )
    )


def _map_facts(f: KzFacts[Any], each: Callable[[Any], Any]) -> KzFacts[Any]:
    """``f`` with ``each`` applied to every timeline (the ``advance`` records kept as they are)."""
    return KzFacts(
        full_participant=each(f.full_participant),
        eaeu_worker=each(f.eaeu_worker),
        alive=each(f.alive),
        before_death=each(f.before_death),
        born=each(f.born),
        child=each(f.child),
        paid=each(f.paid),
        work_paid=each(f.work_paid),
        advance=f.advance,
        memberships={code: each(x) for code, x in f.memberships.items()},
        de_requests=each(f.de_requests),
        de_level=each(f.de_level),
    )


def _map_routes(r: KzRoutes[Any], lane: Callable[[Any], Any]) -> KzRoutes[Any]:
    return KzRoutes(
        transition=lane(r.transition),
        categories=tuple(replace(c, months=lane(c.months)) for c in r.categories),
        state=lane(r.state),
        due=lane(r.due),
        settled=lane(r.settled),
        contributions=lane(r.contributions),
        prepaid=lane(r.prepaid),
        prepaid_starts=lane(r.prepaid_starts),
        hold=lane(r.hold),
        runs={n: lane(x) for n, x in r.runs.items()},
        extended_hold=lane(r.extended_hold),
        grace=lane(r.grace),
        insured=lane(r.insured),
    )
