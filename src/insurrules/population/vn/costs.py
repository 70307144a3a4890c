"""What the state pays for a vn-bhyt population in the calendar year of ``as_of``.

Read from the card chains `card_table` builds (the facts
known on ``as_of``: memberships with their known ends, the child card to its R9 end, purchases
paid by then), counted in **card-months**: a month of the year counts for a card when the card
is valid on the month's first day (a 12-month card thus counts 12 months, whatever day it
starts), and not after the person's death.

* **Fully state-paid groups** (R4; budget ``state``): every card-month of a state-paid card;
  when two groups' cards cover one month (a child of a poor household...), the month goes to
  the first in the chain's order, as ``state_category`` does. Each month costs
  `insurrules.vn.contributions.state_month` (``vn.state.rate`` × the base salary in force
  on the month's first day).
* **Support groups** (R5; budget ``state``): every card-month of a card bought with payer
  ``supported``, for the support group covering its payment day; each month costs the state's
  share of that card's monthly amount, priced on the payment day
  (`insurrules.vn.contributions.state_share_of`, R3; a share that is not a whole number
  of đồng a month is rounded half-even to the đồng). Provincial top-ups are not in the tables
  and not counted.

Amounts are exact đồng (``Decimal``); a month before the first base salary in the data
(2019-07-01) has no known amount, and its group's cost is null.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.errors import RulesError
from insurrules.parameters import RuleSet
from insurrules.population.vn.chain import Cards, Part, Steps
from insurrules.population.vn.loading import covering
from insurrules.population.vn.schema import MEMBERSHIP_CODES
from insurrules.vn.cards import PAYERS
from insurrules.vn.contributions import state_month, state_share_of
from insurrules.vn.dayops import date_of, day_number
from insurrules.vn.rules import SUPPORT_GROUPS

__all__ = [
    "COST_COLUMNS",
    "UNCONFIRMED_NOTE",
    "CardMonths",
    "StateCosts",
    "cost_rows",
    "joined_costs",
    "state_costs",
]

#: what a vn-bhyt comparison's unconfirmed costs rest on
UNCONFIRMED_NOTE = (
    "costs of fully state-paid groups rest on vn.state.rate (4.5 % of the base salary), "
    "flagged unconfirmed in the rules"
)

Ints = npt.NDArray[np.signedinteger[Any]]
MONEY = pl.Decimal(precision=24, scale=0)
#: per-person columns added by ``evaluate_vn(..., costs=True)``
COST_COLUMNS = ("state_months", "state_cost", "support_group", "support_months", "support_cost")


#: a membership code as read (index in MEMBERSHIP_CODES, -1: other) as an index in
#: SUPPORT_GROUPS (-1: not a support group)
_SUPPORT_INDEX = np.array(
    [SUPPORT_GROUPS.index(c) if c in SUPPORT_GROUPS else -1 for c in MEMBERSHIP_CODES] + [-1],
    dtype=np.int64,
)


def _firsts(year: int) -> Ints:
    return np.array([day_number(dt.date(year, m, 1)) for m in range(1, 13)], dtype=np.int64)


def _month_bits(valid_from: Ints, valid_to: Ints, firsts: Ints) -> Ints:
    """12-bit masks of the months whose first day lies in ``valid_from..valid_to``."""
    lo = np.searchsorted(firsts, valid_from, side="left").astype(np.int64)
    hi = np.searchsorted(firsts, valid_to, side="right").astype(np.int64)
    bits: Ints = np.where(hi > lo, ((1 << hi) - 1) ^ ((1 << lo) - 1), 0)
    return bits


#: the months counted in each 12-bit mask of months (masks are read through it, not bit by bit)
_POPCOUNT: Ints = sum(
    ((np.arange(1 << 12, dtype=np.int64) >> j) & 1 for j in range(12)),
    np.zeros(1 << 12, dtype=np.int64),
)


def _mask_sums(per_month: Ints) -> Ints:
    """For each 12-bit mask of months, the sum of ``per_month`` over its months."""
    masks = np.arange(1 << 12, dtype=np.int64)
    out = np.zeros(1 << 12, dtype=np.int64)
    for j in range(12):
        out += ((masks >> j) & 1) * per_month[j]
    return out


def _sum_by_row(rows: Ints, values: Ints, n: int) -> Ints:
    """``values`` summed per person row (records of a person side by side: one sum per run)."""
    out = np.zeros(n, dtype=np.int64)
    if rows.size:
        starts = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
        np.add.at(out, rows[starts], np.add.reduceat(values, starts))
    return out


def _firsts_and_inverse(keys: Ints) -> tuple[Ints, Ints]:
    """``np.unique(keys, return_index=True, return_inverse=True)[1:]`` for non-negative keys:
    over a table of the key range when it is small (no sort of a million keys)."""
    n = keys.shape[0]
    size = int(keys.max()) + 1 if n else 0
    if size > 2 * n + (1 << 20):  # the tables would outweigh the sort
        _, first, which = np.unique(keys, return_index=True, return_inverse=True)
        return first, np.ravel(which)
    first_of = np.full(size, n, dtype=np.int64)
    np.minimum.at(first_of, keys, np.arange(n, dtype=np.int64))
    present = np.flatnonzero(first_of < n)  # the distinct keys, in order
    index = np.zeros(size, dtype=np.int64)
    index[present] = np.arange(present.shape[0], dtype=np.int64)
    return first_of[present], index[keys]


class StateCosts:
    """Per person and per group: the state-paid card-months of the year and their cost."""

    def __init__(self, per_person: pl.DataFrame, by_group: pl.DataFrame) -> None:
        self.per_person = per_person
        self.by_group = by_group


class CardMonths:
    """The card-months of one population's card chains in the calendar year of ``as_of`` (see
    the module docstring), without amounts.

    They are read from the chains alone, and the amounts from the rules alone: rule sets that
    share the chains (``compare()`` of a reform of support shares or of the base salary) count
    the card-months once and only price them again (`state_costs`).
    """

    def __init__(self, population: Part, as_of: dt.date, cards: Cards, death: Ints):
        n = len(population)
        self.n = n
        self.firsts = firsts = _firsts(as_of.year)
        alive = np.searchsorted(firsts, death, side="right")  # months whose first day is lived
        alive_bits = (1 << alive.astype(np.int64)) - 1

        # fully state-paid cards, in chain order per person: a month goes to the first card on it
        state_cards = np.flatnonzero(cards.category >= 0)
        s_row = cards.row[state_cards]
        s_bits = _month_bits(cards.valid_from[state_cards], cards.valid_to[state_cards], firsts)
        s_bits &= alive_bits[s_row]
        taken = np.zeros(n, dtype=np.int64)
        mine = np.zeros(state_cards.shape[0], dtype=np.int64)
        steps = Steps.of(s_row)
        ranked = np.zeros(len(steps.rows), dtype=np.int64)
        for m, sel in steps:
            mine[sel] = s_bits[sel] & ~ranked[:m]
            ranked[:m] |= s_bits[sel]
        taken[steps.rows] = ranked[: len(steps.rows)]
        #: per person: the mask of the year's months the state pays for as a state-paid group
        self.taken = taken
        self.state_months = _POPCOUNT[taken]
        #: per state-paid category (index in the rules' codes): persons, card-months by month
        self.state_groups: list[tuple[int, int, list[int]]] = []
        s_cat = cards.category[state_cards]
        for c in np.unique(s_cat).tolist():
            bits = mine[s_cat == c]
            per_month = [int(((bits >> j) & 1).sum()) for j in range(12)]
            self.state_groups.append((c, int((bits != 0).sum()), per_month))

        # supported purchases: card-months of each, and what its price depends on
        bought = cards.purchases
        sup = np.flatnonzero(bought.payer == PAYERS.index("supported"))
        self.support_row = p_row = bought.row[sup]
        bits = _month_bits(bought.valid_from[sup], bought.valid_to[sup], firsts)
        bits &= alive_bits[p_row]
        group = (
            _support_group(population, p_row, bought.paid[sup])  # -1: none
            if sup.size
            else np.zeros(0, dtype=np.int64)
        )
        self.group = group
        self.months = months = _POPCOUNT[bits]
        self.support_months = _sum_by_row(p_row, months, n)
        # a price depends on the group, the payment day and the card's length: each distinct
        # triple is priced once per rule set (``first``: its first purchase, in purchase order)
        paid_days, lengths = bought.paid[sup].astype(np.int64), bought.months[sup].astype(np.int64)
        low, high = (int(paid_days.min()), int(paid_days.max())) if sup.size else (0, 0)
        shortest = int(lengths.min()) if sup.size else 0
        # the lengths in use numbered 0, 1...: the keys then span groups x lengths x days only
        used = np.zeros(int(lengths.max()) - shortest + 1 if sup.size else 0, dtype=np.int64)
        used[lengths - shortest] = 1
        number = np.cumsum(used) - 1
        span = (int(number[-1]) + 1 if sup.size else 0) * (high - low + 1)
        triples = (group + 1) * span + number[lengths - shortest] * (high - low + 1)
        triples += paid_days - low
        first, which = _firsts_and_inverse(triples)
        self.which = which
        self.t_group, self.t_paid, self.t_length = group[first], paid_days[first], lengths[first]
        self.t_first = first
        self.t_months = np.zeros(first.shape[0], dtype=np.int64)
        np.add.at(self.t_months, self.which, months)
        counted = np.flatnonzero((months > 0) & (group >= 0))
        last_group = np.full(n, -1, dtype=np.int64)
        last_group[p_row[counted]] = group[counted]  # the last card of the year's group
        if sup.size:
            names = pl.Series([*SUPPORT_GROUPS, None], dtype=pl.String)
            self.support_group = names.gather(
                np.where(last_group >= 0, last_group, len(SUPPORT_GROUPS))
            )
        else:
            self.support_group = pl.repeat(None, n, dtype=pl.String, eager=True)
        #: per support group (index in SUPPORT_GROUPS) with purchases: persons, card-months
        self.support_groups: list[tuple[int, int, int]] = []
        for g in np.flatnonzero(np.bincount(group[group >= 0])).tolist():
            pick = group == g
            self.support_groups.append(
                (g, _distinct(p_row[pick & (months > 0)], n), int(months[pick].sum()))
            )


def state_costs(
    population: Part,
    as_of: dt.date,
    rules: RuleSet,
    cards: Cards,
    death: Ints,
    counted: CardMonths | None = None,
) -> StateCosts:
    """The state's card-months and costs (see the module docstring); ``counted``: the
    card-months of these ``cards``, when already counted for another rule set."""
    if counted is None:
        counted = CardMonths(population, as_of, cards, death)
    n = counted.n
    codes = rules.category_codes
    units: list[Decimal | None] = []
    for first in counted.firsts.tolist():
        try:
            units.append(state_month(date_of(first), rules))
        except RulesError:  # before the first base salary in the data
            units.append(None)
    group_rows: list[dict[str, Any]] = [
        _group_row(codes[c], "state_paid", persons, per_month, units)
        for c, persons, per_month in counted.state_groups
    ]
    month_unit = np.array([0 if u is None else int(u) for u in units], dtype=np.int64)
    state_cost = _mask_sums(month_unit)[counted.taken]
    unknown_bits = sum(1 << j for j, u in enumerate(units) if u is None)
    unknown = (counted.taken & unknown_bits) != 0

    # supported purchases: the state's share of each card-month, priced on the payment day
    support_cost = np.zeros(n, dtype=np.int64)
    if counted.support_row.size:
        # the price is constant while the base salary, the rate and the group's share are: one
        # price per (group, card length, span of days between their changes), on the first day
        # a purchase of them was paid
        changes = sorted(
            {
                day_number(v.start)
                for name in ("vn.base_salary", "vn.household.rate", *_SHARES)
                for v in rules[name].values
            }
        )
        span = np.searchsorted(np.array(changes, dtype=np.int64), counted.t_paid, side="right")
        keys = (counted.t_group + 1) * 2**40 + span.astype(np.int64) * 2**8 + counted.t_length
        # triples by their first purchase: a key's first triple holds its first purchase
        by_first = np.argsort(counted.t_first, kind="stable")
        _, first, which = np.unique(keys[by_first], return_index=True, return_inverse=True)
        prices = np.zeros(first.shape[0], dtype=np.int64)
        for k, i in enumerate(by_first[first].tolist()):
            g, paid, length = (
                int(counted.t_group[i]),
                int(counted.t_paid[i]),
                int(counted.t_length[i]),
            )
            if g < 0:
                continue
            try:
                share = state_share_of(date_of(paid), length, SUPPORT_GROUPS[g], rules=rules)
                prices[k] = int((share / length).quantize(Decimal(1), ROUND_HALF_EVEN))
            except RulesError:  # the group has no share on that day (vn.support.not_in_force)
                prices[k] = 0
        t_unit = np.zeros(keys.shape[0], dtype=np.int64)
        t_unit[by_first] = prices[np.ravel(which)]
        support_cost = _sum_by_row(counted.support_row, counted.months * t_unit[counted.which], n)
        t_cost = counted.t_months * t_unit
        for g, persons, card_months in counted.support_groups:
            group_rows.append(
                {
                    "group": SUPPORT_GROUPS[g],
                    "kind": "support",
                    "budget": "state",
                    "persons": persons,
                    "card_months": card_months,
                    "cost": Decimal(int(t_cost[counted.t_group == g].sum())),
                }
            )
    per_person = pl.DataFrame(
        [
            pl.Series("state_months", counted.state_months, dtype=pl.Int64),
            pl.Series("state_cost", state_cost, dtype=pl.Int64)
            .cast(MONEY)
            .set(pl.Series(unknown), None),
            counted.support_group.alias("support_group"),
            pl.Series("support_months", counted.support_months, dtype=pl.Int64),
            pl.Series("support_cost", support_cost, dtype=pl.Int64).cast(MONEY),
        ]
    )
    return StateCosts(per_person, _group_frame(group_rows))


def _group_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema: dict[str, Any] = {
        "group": pl.String,
        "kind": pl.String,
        "budget": pl.String,
        "persons": pl.Int64,
        "card_months": pl.Int64,
        "cost": MONEY,
    }
    return pl.DataFrame(rows, schema=schema).sort("kind", "group", descending=[True, False])


def joined_costs(parts: list[StateCosts]) -> StateCosts:
    """The costs of a population from those of its parts (`insurrules.population.vn.chain.parts`):
    per person side by side, per group summed (persons of different parts are different persons;
    a cost unknown in one part is unknown)."""
    if len(parts) == 1:
        return parts[0]
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for part in parts:
        for row in part.by_group.iter_rows(named=True):
            got = groups.setdefault(
                (row["group"], row["kind"]),
                {**row, "persons": 0, "card_months": 0, "cost": Decimal(0)},
            )
            got["persons"] += row["persons"]
            got["card_months"] += row["card_months"]
            got["cost"] = (
                None if got["cost"] is None or row["cost"] is None else got["cost"] + row["cost"]
            )
    per_person = pl.concat([part.per_person for part in parts], rechunk=True)
    return StateCosts(per_person, _group_frame(list(groups.values())))


_SHARES = tuple(f"vn.support.{g}" for g in SUPPORT_GROUPS)


def _distinct(rows: Ints, n: int) -> int:
    seen = np.zeros(n, dtype=np.bool_)
    seen[rows] = True
    return int(seen.sum())


def _group_row(
    group: str, kind: str, persons: int, per_month: list[int], units: list[Decimal | None]
) -> dict[str, Any]:
    known = all(u is not None for u, k in zip(units, per_month, strict=True) if k)
    cost = (
        sum((Decimal(k) * u for u, k in zip(units, per_month, strict=True) if u), Decimal(0))
        if known
        else None
    )
    return {
        "group": group,
        "kind": kind,
        "budget": "state",
        "persons": persons,
        "card_months": sum(per_month),
        "cost": cost,
    }


def _support_group(population: Part, rows: Ints, paid: Ints) -> Ints:
    """Index in SUPPORT_GROUPS of the support group covering each purchase's payment day (one
    at a time: VnCase), -1 when none does."""
    mem = population.loaded.memberships
    group = _SUPPORT_INDEX[mem["code"]]
    sel = np.flatnonzero(group >= 0)
    found, span = covering(
        rows.astype(np.int32),
        paid.astype(np.int32),
        mem.rows[sel],
        mem["start"][sel],
        mem["end"][sel],
    )
    out: Ints = np.where(found, group[sel][span], -1).astype(np.int64)
    return out


def cost_rows(
    before: pl.DataFrame | None,
    after: pl.DataFrame | None,
    base_rules: RuleSet,
    reform_rules: RuleSet,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``compare()``'s rows for the costs by group of the two sides: the ``budget`` row
    ``state`` (all groups) and one ``state_group`` row per group (dimension, value,
    ``state_months_*``, ``cost_*``, ``cost_unconfirmed``: a value used is flagged unconfirmed in
    ``parameters.toml``, as ``vn.state.rate`` is)."""
    sides = {"baseline": before, "reform": after}
    rules_of = {"baseline": base_rules, "reform": reform_rules}
    groups = sorted(
        {
            (kind, group)
            for frame in sides.values()
            if frame is not None
            for kind, group in frame.select("kind", "group").iter_rows()
        },
        key=lambda kg: (kg[0] != "state_paid", kg[1]),
    )
    total: dict[str, Any] = {"dimension": "budget", "value": "state", "cost_unconfirmed": False}
    rows: list[dict[str, Any]] = []
    for kind, group in groups:
        row: dict[str, Any] = {"dimension": "state_group", "value": group}
        flagged = False
        for label, frame in sides.items():
            found = (
                None
                if frame is None
                else frame.filter((pl.col("kind") == kind) & (pl.col("group") == group))
            )
            months = 0 if found is None or found.height == 0 else int(found["card_months"][0])
            cost = Decimal(0) if found is None or found.height == 0 else found["cost"][0]
            name = "vn.state.rate" if kind == "state_paid" else f"vn.support.{group}"
            flagged = flagged or (months > 0 and _unconfirmed(rules_of[label], name))
            row[f"state_months_{label}"] = months
            row[f"cost_{label}"] = cost
            total[f"state_months_{label}"] = total.get(f"state_months_{label}", 0) + months
            before_total = total.get(f"cost_{label}", Decimal(0))
            total[f"cost_{label}"] = (
                None if before_total is None or cost is None else before_total + cost
            )
        row["cost_unconfirmed"] = flagged
        total["cost_unconfirmed"] = total["cost_unconfirmed"] or flagged
        rows.append(row)
    for label in sides:
        total.setdefault(f"state_months_{label}", 0)
        total.setdefault(f"cost_{label}", Decimal(0))
    return total, rows


def _unconfirmed(rules: RuleSet, name: str) -> bool:
    return name in rules and any(v.unconfirmed for v in rules[name].values)
