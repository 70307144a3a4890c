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
from insurrules.population.vn.chain import Cards, Steps
from insurrules.population.vn.loading import covering
from insurrules.population.vn.schema import MEMBERSHIP_CODES
from insurrules.population.vn.tables import VnPopulation
from insurrules.vn.cards import PAYERS
from insurrules.vn.contributions import state_month, state_share_of
from insurrules.vn.dayops import date_of, day_number
from insurrules.vn.rules import SUPPORT_GROUPS

__all__ = ["COST_COLUMNS", "UNCONFIRMED_NOTE", "StateCosts", "cost_rows", "state_costs"]

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


def _popcount(bits: Ints) -> Ints:
    out = np.zeros(bits.shape[0], dtype=np.int64)
    for j in range(12):
        out += (bits >> j) & 1
    return out


class StateCosts:
    """Per person and per group: the state-paid card-months of the year and their cost."""

    def __init__(self, per_person: pl.DataFrame, by_group: pl.DataFrame) -> None:
        self.per_person = per_person
        self.by_group = by_group


def state_costs(
    population: VnPopulation, as_of: dt.date, rules: RuleSet, cards: Cards, death: Ints
) -> StateCosts:
    """The state's card-months and costs (see the module docstring)."""
    n = len(population)
    firsts = _firsts(as_of.year)
    alive = np.searchsorted(firsts, death, side="right")  # months whose first day is lived
    alive_bits = (1 << alive.astype(np.int64)) - 1
    codes = rules.category_codes
    units: list[Decimal | None] = []
    for first in firsts.tolist():
        try:
            units.append(state_month(date_of(first), rules))
        except RulesError:  # before the first base salary in the data
            units.append(None)

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
    group_rows: list[dict[str, Any]] = []
    s_cat = cards.category[state_cards]
    for c in np.unique(s_cat).tolist():
        bits = mine[s_cat == c]
        per_month = [int(((bits >> j) & 1).sum()) for j in range(12)]
        group_rows.append(
            _group_row(codes[c], "state_paid", int((bits != 0).sum()), per_month, units)
        )
    month_unit = np.array([0 if u is None else int(u) for u in units], dtype=np.int64)
    state_months = _popcount(taken)
    state_cost = np.zeros(n, dtype=np.int64)
    for j in range(12):
        state_cost += ((taken >> j) & 1) * month_unit[j]
    unknown = np.zeros(n, dtype=np.bool_)
    for j, u in enumerate(units):
        if u is None:
            unknown |= ((taken >> j) & 1).astype(np.bool_)

    # supported purchases: the state's share of each card-month, priced on the payment day
    bought = cards.purchases
    sup = np.flatnonzero(bought.payer == PAYERS.index("supported"))
    support_months = np.zeros(n, dtype=np.int64)
    support_cost = np.zeros(n, dtype=np.int64)
    support_group = pl.Series([None] * n, dtype=pl.String)
    if sup.size:
        p_row = bought.row[sup]
        bits = _month_bits(bought.valid_from[sup], bought.valid_to[sup], firsts)
        bits &= alive_bits[p_row]
        group = _support_group(population, p_row, bought.paid[sup])  # index, -1: none
        paid_days, lengths = bought.paid[sup], bought.months[sup]
        # the price is constant while the base salary, the rate and the group's share are: one
        # price per (group, card length, span of days between their changes), on its first day
        changes = sorted(
            {
                day_number(v.start)
                for name in ("vn.base_salary", "vn.household.rate", *_SHARES)
                for v in rules[name].values
            }
        )
        span = np.searchsorted(np.array(changes, dtype=np.int64), paid_days, side="right")
        keys = (group + 1) * 2**40 + span.astype(np.int64) * 2**8 + lengths
        distinct, first, which = np.unique(keys, return_index=True, return_inverse=True)
        prices = np.zeros(distinct.shape[0], dtype=np.int64)
        for k, i in enumerate(first.tolist()):
            g, paid, length = int(group[i]), int(paid_days[i]), int(lengths[i])
            if g < 0:
                continue
            try:
                share = state_share_of(date_of(paid), length, SUPPORT_GROUPS[g], rules=rules)
                prices[k] = int((share / length).quantize(Decimal(1), ROUND_HALF_EVEN))
            except RulesError:  # the group has no share on that day (vn.support.not_in_force)
                prices[k] = 0
        unit = prices[np.ravel(which)]
        months = _popcount(bits)
        np.add.at(support_months, p_row, months)
        np.add.at(support_cost, p_row, months * unit)
        counted = np.flatnonzero((months > 0) & (group >= 0))
        last_group = np.full(n, -1, dtype=np.int64)
        last_group[p_row[counted]] = group[counted]  # the last card of the year's group
        names = pl.Series([*SUPPORT_GROUPS, None], dtype=pl.String)
        support_group = names.gather(np.where(last_group >= 0, last_group, len(SUPPORT_GROUPS)))
        for g in np.unique(group[group >= 0]).tolist():
            pick = group == g
            group_rows.append(
                {
                    "group": SUPPORT_GROUPS[g],
                    "kind": "support",
                    "budget": "state",
                    "persons": _distinct(p_row[pick & (months > 0)], n),
                    "card_months": int(months[pick].sum()),
                    "cost": Decimal(int((months[pick] * unit[pick]).sum())),
                }
            )
    per_person = pl.DataFrame(
        [
            pl.Series("state_months", state_months, dtype=pl.Int64),
            pl.Series("state_cost", state_cost, dtype=pl.Int64)
            .cast(MONEY)
            .set(pl.Series(unknown), None),
            support_group.alias("support_group"),
            pl.Series("support_months", support_months, dtype=pl.Int64),
            pl.Series("support_cost", support_cost, dtype=pl.Int64).cast(MONEY),
        ]
    )
    by_group = pl.DataFrame(
        group_rows,
        schema={
            "group": pl.String,
            "kind": pl.String,
            "budget": pl.String,
            "persons": pl.Int64,
            "card_months": pl.Int64,
            "cost": MONEY,
        },
    ).sort("kind", "group", descending=[True, False])
    return StateCosts(per_person, by_group)


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


def _support_group(population: VnPopulation, rows: Ints, paid: Ints) -> Ints:
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
