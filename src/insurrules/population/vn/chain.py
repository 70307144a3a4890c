"""The vn-bhyt card chains of a whole population, built by the card rules ``decide()`` uses.

The card chain (`insurrules.vn.cards`) is written once over day operations; here it runs
on `ArrayDayOps`, for every person at once, stepping
purchase by purchase (each card's start depends on the end of the cards before it, R7): step
``k`` judges the ``k``-th purchase of every person who has one (`Steps`). Most people
have a handful of purchases, so a population takes a few dozen vector steps. The result,
`Cards`, holds each person's cards side by side in the chain's order, for the readings
of `engine` (cover on ``as_of``) and
`costs` (what the state pays).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.errors import RulesError, mask_text
from insurrules.parameters import RuleSet
from insurrules.population.values import NO_DAY as READ_NO_DAY
from insurrules.population.vn.dayarrays import ARRAYS
from insurrules.population.vn.loading import Loaded, Persons, Records
from insurrules.population.vn.schema import MEMBERSHIP_CODES
from insurrules.population.vn.schema import PAYERS as TABLE_PAYERS
from insurrules.population.vn.tables import VnPopulation
from insurrules.vn.cards import (
    PAYERS,
    child_card_end_day,
    clip_to_law,
    open_state_card_error,
    previous_end,
    purchase_card,
)
from insurrules.vn.case import STATE_GROUPS
from insurrules.vn.dayops import NO_DAY, OPEN, date_of, day_number

__all__ = ["Cards", "Part", "Purchases", "Steps", "card_table", "days_or", "parts"]

Ints = npt.NDArray[np.signedinteger[Any]]
Bools = npt.NDArray[np.bool_]


#: a payer as read (index in the table's codes, -1: other) as an index in the rules' ``PAYERS``
_RULE_PAYER = np.array(
    [PAYERS.index(p) if p in PAYERS else -1 for p in TABLE_PAYERS] + [-1], dtype=np.int32
)


def days_or(days: Ints, missing: int) -> Ints:
    """Day numbers as read (`insurrules.population.vn.loading`), a missing one as ``missing``."""
    out: Ints = np.where(days == READ_NO_DAY, missing, days).astype(np.int32)
    return out


#: The engine takes the persons in parts of at most this many persons and records (payments,
#: memberships). Why: a part's arrays then stay below glibc's largest mmap threshold (32 MB), so
#: the memory one vector step frees is reused by the next; whole-population arrays are mapped
#: afresh and page-faulted in at every step (at 5 M persons, 6-10 s of system time per
#: ``evaluate()``, more than the work itself: the engine grew faster than the population).
PART_PERSONS = 400_000
PART_RECORDS = 2_000_000


@dataclass(frozen=True)
class Part:
    """Persons ``lo`` .. ``lo + len(part) - 1`` of ``population`` and their records, person rows
    counted from ``lo`` (`parts`): what the chain, cover and cost readings work on."""

    population: VnPopulation
    lo: int
    loaded: Loaded
    #: each payment's position in the population's payments (None: the same positions)
    payment_at: Ints | None

    def __len__(self) -> int:
        return int(self.loaded.persons.birth.shape[0])


def _part_records(records: Records, lo: int, hi: int, grouped: bool) -> tuple[Records, Ints]:
    """The records of persons ``lo``..``hi - 1`` (in their order) and their positions."""
    rows = records.rows
    if grouped:  # records side by side by person row: a slice
        a, b = np.searchsorted(rows, [lo, hi]).tolist()
        at: Ints = np.arange(a, b, dtype=np.int64)
        sel: slice | Ints = slice(a, b)
    else:
        at = sel = np.flatnonzero((rows >= lo) & (rows < hi))
    part = Records(
        rows[sel] - np.int32(lo),
        {name: values[sel] for name, values in records.columns.items()},
        records.ok[sel],
    )
    return part, at


def parts(population: VnPopulation) -> list[Part]:
    """The population in parts of at most ``PART_PERSONS`` persons and about ``PART_RECORDS``
    records of each table (persons cut in equal runs; one part: the population itself)."""
    loaded = population.loaded
    n = len(population)
    pays, mems = loaded.payments, loaded.memberships
    count = max(
        1,
        -(-n // PART_PERSONS),
        -(-pays.rows.shape[0] // PART_RECORDS),
        -(-mems.rows.shape[0] // PART_RECORDS),
    )
    if count == 1:
        return [Part(population, 0, loaded, None)]
    grouped = [bool((r.rows[1:] >= r.rows[:-1]).all()) for r in (pays, mems)]
    out = []
    for k in range(count):
        lo, hi = n * k // count, n * (k + 1) // count
        people = loaded.persons
        persons = Persons(
            people.ids.slice(lo, hi - lo),
            people.birth[lo:hi],
            people.death[lo:hi],
            people.ok[lo:hi],
        )
        p_records, at = _part_records(pays, lo, hi, grouped[0])
        m_records, _ = _part_records(mems, lo, hi, grouped[1])
        part = Loaded(persons, loaded.lookup, p_records, m_records)
        out.append(Part(population, lo, part, at))
    return out


def _positions(rows: Ints) -> Ints:
    """The place of each record among its person's records (records grouped by person)."""
    n = rows.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
    counts = np.diff(np.r_[starts, n])
    places: Ints = np.arange(n, dtype=np.int64) - np.repeat(starts, counts)
    return places


@dataclass(frozen=True)
class Steps:
    """Records stepped through by place: step k = the k-th record of every person who has one.

    Records come with every person's records side by side (in the order they are read).
    Persons are ranked longest history first (``rows``: the person of each rank), so step k's
    persons are the first ``reach[k]`` ranks: per-person state kept by rank is a slice, never
    gathered or scattered, and no sort of the records is needed. `lanes` lays the records out
    step after step, so that each step's records are a slice too.
    """

    rows: Ints  # person row of each rank
    starts: Ints  # first record of each rank
    reach: list[int]

    @classmethod
    def of(cls, rows: Ints) -> Steps:
        n = rows.shape[0]
        if n == 0:
            return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), [])
        starts = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
        counts = np.diff(np.r_[starts, n])
        # small whole numbers sort stably in one radix pass
        small = np.int16 if int(counts.max()) < 2**15 else np.int32
        longest = np.argsort(-counts.astype(small), kind="stable")
        starts, counts = starts[longest], counts[longest]
        reach = np.searchsorted(-counts, -np.arange(1, int(counts[0]) + 1), side="right")
        return cls(rows[starts], starts, reach.tolist())

    def __iter__(self) -> Iterator[tuple[int, Ints]]:
        """``(m, records)``: the ranks ``:m`` and their k-th records, for k = 0, 1..."""
        for k, m in enumerate(self.reach):
            yield m, self.starts[:m] + k

    def lanes(self) -> Ints:
        """Every record, step after step: step k's records (as `__iter__` gives them) are
        ``lanes()[parts()[k]]``."""
        reach = np.asarray(self.reach, dtype=np.int64)
        total = int(reach.sum())
        offsets = np.cumsum(reach) - reach
        step = np.repeat(np.arange(reach.shape[0], dtype=np.int64), reach)
        rank = np.arange(total, dtype=np.int64) - np.repeat(offsets, reach)
        lanes: Ints = self.starts[rank] + step
        return lanes

    def parts(self) -> list[tuple[int, slice]]:
        """``(m, part)`` of each step: its ranks ``:m`` and its slice of `lanes`."""
        out, at = [], 0
        for m in self.reach:
            out.append((m, slice(at, at + m)))
            at += m
        return out


def _sort_order(*keys: Ints) -> Ints:
    """``np.lexsort(reversed(keys))`` (first key most significant) for non-negative keys, as
    one packed int64 key when they fit (a stable sort of pre-sorted runs is then a merge)."""
    widths = [max(1, int(k.max()).bit_length()) if k.size else 1 for k in keys]
    if sum(widths) > 62 or any(k.size and k.min() < 0 for k in keys):
        return np.lexsort(tuple(reversed(keys)))
    packed = np.zeros(keys[0].shape[0], dtype=np.int64)
    for k, w in zip(keys, widths, strict=True):
        packed = (packed << w) | k
    return np.argsort(packed, kind="stable")


def _from_zero(x: Ints) -> Ints:
    return x - x.min() if x.size else x


@dataclass(frozen=True)
class Purchases:
    """The purchases known on ``as_of`` of the valid persons, in order of person and
    ``paid_on``, with their cards (`purchase_card`)."""

    row: Ints
    payment: Ints  # the purchase's row in the part's payments
    paid: Ints
    months: Ints
    payer: Ints  # index in PAYERS
    valid_from: Ints
    valid_to: Ints


@dataclass(frozen=True)
class Cards:
    """Every card of every valid person's chain, each person's cards side by side in the
    chain's order (``valid_from``, state-paid cards first, then as listed: ``build_chain``).

    ``category``: index in ``rules.category_codes`` of a state-paid card, -1 for a purchase;
    ``valid_to`` is ``OPEN`` when unknown. ``failed``: per person, the reason the chain cannot
    be built. ``purchases``: the bought cards alone.
    """

    row: Ints
    valid_from: Ints
    valid_to: Ints
    category: Ints
    failed: dict[int, str]
    purchases: Purchases


def _child_card_ends(rules: RuleSet, birth: Ints) -> Ints:
    """`child_card_end_day` of each birth day, computed once per distinct day (births span a
    few tens of thousands of days: a table over their range, else the distinct days)."""
    if birth.size == 0:
        return birth.copy()
    low, high = int(birth.min()), int(birth.max())
    if high - low < 4 * birth.size:
        ends = child_card_end_day(ARRAYS, rules, np.arange(low, high + 1, dtype=np.int32))
        found: Ints = np.asarray(ends)[birth - low]
        return found
    births, which = np.unique(birth, return_inverse=True)
    found = np.asarray(child_card_end_day(ARRAYS, rules, births))[which]
    return found


def _state_spans(
    population: Part, valid: Bools, birth: Ints, rules: RuleSet
) -> tuple[Ints, Ints, Ints, Ints, Ints]:
    """State-paid periods (R4) cut to the law (``clip_to_law``): row, from, to, category, and an
    order key (the groups in the law's order, each group's memberships in order), as
    ``spans_of`` lists them."""
    codes = rules.category_codes
    rows_all = np.flatnonzero(valid).astype(np.int64)
    parts: list[tuple[Ints, Ints, Ints, Ints, Ints]] = []
    mem = population.loaded.memberships
    mem_row, code = mem.rows, mem["code"]
    # order keys: the group's place in the law, then the record (the child card's: none), then
    # the period of the group
    group_key = (int(mem_row.shape[0]) + 1) * 100
    child_end = _child_card_ends(rules, birth[rows_all])
    for p, period in enumerate(rules.category("child_under_6").periods):
        law_end = OPEN if period.end is None else day_number(period.end)
        start, end, kept = clip_to_law(
            ARRAYS, birth[rows_all], child_end, day_number(period.start), law_end
        )
        parts.append(
            (
                rows_all[kept],
                start[kept],
                end[kept],
                np.full(int(kept.sum()), codes.index("child_under_6"), dtype=np.int32),
                np.full(
                    int(kept.sum()), codes.index("child_under_6") * group_key + p, dtype=np.int64
                ),
            )
        )

    m_start, m_end = days_or(mem["start"], 0), days_or(mem["end"], OPEN)
    ok = (mem_row >= 0) & valid[np.maximum(mem_row, 0)]
    for group in STATE_GROUPS:
        if group == "child_under_6":
            continue
        sel = np.flatnonzero(ok & (code == MEMBERSHIP_CODES.index(group)))
        if sel.size == 0:
            continue
        for p, period in enumerate(rules.category(group).periods):
            law_end = OPEN if period.end is None else day_number(period.end)
            start, end, kept = clip_to_law(
                ARRAYS, m_start[sel], m_end[sel], day_number(period.start), law_end
            )
            parts.append(
                (
                    mem_row[sel][kept],
                    start[kept],
                    end[kept],
                    np.full(int(kept.sum()), codes.index(group), dtype=np.int32),
                    codes.index(group) * group_key + (sel[kept] + 1) * 100 + p,
                )
            )
    cols = [np.concatenate([part[i] for part in parts]) for i in range(5)]
    order = np.lexsort((cols[4], cols[0]))
    return cols[0][order], cols[1][order], cols[2][order], cols[3][order], cols[4][order]


def card_table(
    population: Part, as_of: dt.date, rules: RuleSet, valid: Bools
) -> tuple[Cards, Ints]:
    """The card chains of the ``valid`` persons of a part from the facts known on ``as_of``
    (`insurrules.vn.cards.purchase_card` stepped purchase by purchase), and each
    person's death day (``OPEN``: alive); rows, and ``failed``'s keys, counted in the part."""
    day = day_number(as_of)
    people = population.loaded.persons
    n = people.birth.shape[0]
    birth = days_or(people.birth, 0)
    death = days_or(people.death, OPEN)
    s_row, s_from, s_to, s_cat, _ = _state_spans(population, valid, birth, rules)

    pays = population.loaded.payments
    pay_row = pays.rows
    paid_all = days_or(pays["paid_on"], OPEN)
    known = np.flatnonzero((pay_row >= 0) & valid[np.maximum(pay_row, 0)] & (paid_all <= day))
    # in order of paid_on per person (one day per purchase: VnCase refuses two)
    order, row, paid = known, pay_row[known], paid_all[known]
    step_up = np.diff(row)
    if not ((step_up > 0) | ((step_up == 0) & (np.diff(paid) > 0))).all():
        sort = _sort_order(row, _from_zero(paid))
        order, row, paid = order[sort], row[sort], paid[sort]
    months = pays["months"][order].astype(np.int32)
    payer = _RULE_PAYER[pays["payer"][order]]

    # the latest end of the state-paid cards begun by each purchase's payment day (D-3)
    state_end = np.full(row.shape[0], NO_DAY, dtype=np.int32)
    has_spans = np.zeros(n, dtype=np.bool_)
    has_spans[s_row] = True
    with_spans = np.flatnonzero(has_spans[row])
    if with_spans.size:
        # each purchase against each of its person's spans (both sorted by person)
        lo = np.searchsorted(s_row, row[with_spans], side="left")
        reps = np.searchsorted(s_row, row[with_spans], side="right") - lo
        who = np.repeat(with_spans, reps)
        span = np.repeat(lo - np.cumsum(reps) + reps, reps) + np.arange(int(reps.sum()))
        ends = np.where(s_from[span] <= paid[who], s_to[span], NO_DAY)
        # every purchase here has a span: its pairs are one non-empty run of ``who``
        state_end[with_spans] = np.maximum.reduceat(ends, np.cumsum(reps) - reps)

    steps = Steps.of(row)
    lanes = steps.lanes()
    # each step reads and writes a slice of these (laid out step after step)
    l_paid, l_months, l_payer, l_state = paid[lanes], months[lanes], payer[lanes], state_end[lanes]
    l_from = np.zeros(row.shape[0], dtype=np.int32)
    l_to = np.zeros(row.shape[0], dtype=np.int32)
    latest = np.full(len(steps.rows), NO_DAY, dtype=np.int32)  # by rank
    failed: dict[int, str] = {}
    for m, part in steps.parts():
        prev, refused, _ = previous_end(ARRAYS, rules, l_paid[part], latest[:m], l_state[part])
        _, start, end, _ = purchase_card(
            ARRAYS, rules, l_paid[part], l_months[part], l_payer[part], prev
        )
        l_from[part], l_to[part] = start, end
        np.maximum(latest[:m], end, out=latest[:m])
        if refused.any():
            for k in np.flatnonzero(refused).tolist():
                r, i = int(steps.rows[k]), int(lanes[part][k])
                if r not in failed:
                    at = population.payment_at
                    payment = int(order[i]) if at is None else int(at[order[i]])
                    failed[r] = _refusal(
                        population.population, population.lo + r, payment, int(paid[i]), rules
                    )
    c_from = np.empty(row.shape[0], dtype=np.int32)
    c_to = np.empty(row.shape[0], dtype=np.int32)
    c_from[lanes], c_to[lanes] = l_from, l_to
    bought = Purchases(row, order, paid, months, payer, c_from, c_to)

    # The chain's order. A person's purchases are already in it (each card starts after the
    # latest earlier end); only persons with state-paid cards need theirs merged in.
    alone = ~has_spans[row]
    mixed_p = np.flatnonzero(~alone)
    m_row = np.concatenate([s_row, row[mixed_p]])
    m_from = np.concatenate([s_from, c_from[mixed_p]])
    kind = np.r_[np.zeros(s_row.shape[0], np.int64), np.ones(mixed_p.shape[0], np.int64)]
    listed = np.concatenate([_positions(s_row), _positions(row[mixed_p])])
    merged = _sort_order(m_row, _from_zero(m_from), kind, listed)
    m_to = np.concatenate([s_to, c_to[mixed_p]])
    m_cat = np.r_[s_cat, np.full(mixed_p.shape[0], -1, dtype=np.int32)]
    keep = np.flatnonzero(alone)
    cards = Cards(
        row=np.concatenate([row[keep], m_row[merged]]),
        valid_from=np.concatenate([c_from[keep], m_from[merged]]),
        valid_to=np.concatenate([c_to[keep], m_to[merged]]),
        category=np.concatenate([np.full(keep.shape[0], -1, dtype=np.int32), m_cat[merged]]),
        failed=failed,
        purchases=bought,
    )
    return cards, death


def _refusal(population: VnPopulation, r: int, payment: int, paid: int, rules: RuleSet) -> str:
    """The chain's own error for a purchase during an open-ended state-paid period."""
    pay_row = population.record_rows()["payments"]
    index = int(np.count_nonzero(pay_row[:payment] == r))  # its place in the case document
    person_id = population.persons["id"][r]
    mem = population.memberships.filter(pl.col("person_id").cast(pl.String) == person_id)
    category = next(
        (
            c
            for c, s, e in mem.select("code", "start", "end").iter_rows()
            if c in STATE_GROUPS and e is None and s <= date_of(paid)
        ),
        "",
    )
    try:
        raise RulesError(open_state_card_error(index, date_of(paid), str(category)))
    except RulesError as exc:
        return mask_text(str(exc))
