"""Evaluate a whole vn-bhyt population through the same card rules as ``decide()``.

The card chains come from `insurrules.population.vn.chain.card_table` (the card rules of
`insurrules.vn.cards`, stepped purchase by purchase for all persons at once); each
person's cards are then read in order of ``valid_from`` by the cover steps ``decide()`` uses
(`cover_step`: insured on ``as_of``, the state-paid group, the
unbroken spell around it), again as vector steps.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from insurrules.errors import RulesError
from insurrules.parameters import RuleSet
from insurrules.population.pages import with_engine_memory
from insurrules.population.tableset import PopulationError, as_of_date
from insurrules.population.vn.chain import Bools, Cards, Ints, Part, Steps, card_table, parts
from insurrules.population.vn.costs import CardMonths, StateCosts, joined_costs, state_costs
from insurrules.population.vn.dayarrays import ARRAYS
from insurrules.population.vn.tables import VnPopulation
from insurrules.vn.cards import CoverScan, cover_close, cover_start, cover_step
from insurrules.vn.case import CARD_RULES_START
from insurrules.vn.dayops import OPEN, day_number
from insurrules.vn.rules import default_rules

__all__ = ["CARD_PARAMETERS", "evaluate_each", "evaluate_vn", "evaluate_with_costs"]


def evaluate_vn(
    population: VnPopulation,
    as_of: dt.date | str,
    rules: RuleSet | None = None,
    *,
    costs: bool = False,
) -> pl.DataFrame:
    """Decide every person of a vn-bhyt ``population`` on ``as_of``; one row per person, in
    input order.

    Columns as the kz-osms ``evaluate()``: ``id``, ``status`` (``insured``/``not_insured``),
    ``basis`` (``card`` or ``state_funded``), ``state_category`` (the fully state-paid group
    whose card is valid on ``as_of``), ``budget`` (``state``), ``grace_months`` (always null: no
    grace in BHYT), ``insured_from``, ``insured_until``, ``renew_by``, ``error``. A person whose
    records are invalid keeps a row with ``status`` null and ``error`` naming the field and the
    reason. For every valid row the values equal ``insurrules.decide(population.case(id, as_of),
    rules)`` (property-tested): the chain is built and read by the rules ``decide()`` uses.

    ``costs=True`` adds what the state pays for each person in the calendar year of ``as_of``
    (`insurrules.population.vn.costs`): ``state_months`` and ``state_cost`` (fully
    state-paid card-months and their cost, đồng), ``support_group``, ``support_months`` and
    ``support_cost`` (the state's share of supported cards).

    >>> from insurrules.population.vn.synthesis import synthetic_vn
    >>> result = evaluate_vn(synthetic_vn(500, seed=1), "2026-03-15")
    >>> result.columns[:3], result.height
    (['id', 'status', 'basis'], 500)
    """
    result, _ = evaluate_with_costs(population, as_of, rules, costs=costs)
    return result


def evaluate_with_costs(
    population: VnPopulation,
    as_of: dt.date | str,
    rules: RuleSet | None = None,
    *,
    costs: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """`evaluate_vn` and, with ``costs``, the per-person cost columns and the state's
    card-months and cost by group (`insurrules.population.vn.costs.state_costs`)."""
    return evaluate_each(population, as_of, [rules], costs=costs)[0]


#: the parameters the card chain reads (`insurrules.vn.cards`): rule sets that agree on them
#: and on the state-paid groups build the same chains (a property test checks the reuse)
CARD_PARAMETERS = (
    "vn.child.age_months",
    "vn.child.school_year_end",
    "vn.card.waiting_days",
    "vn.card.waiting_payers",
    "vn.card.continuity_months",
    "vn.interpretation.three_months",
    "vn.interpretation.fiscal_year",
    "vn.interpretation.state_card_transfer",
)


def _same_chains(a: RuleSet, b: RuleSet) -> bool:
    def values(rules: RuleSet, name: str) -> list[tuple[dt.date, object]]:
        return [(v.start, v.value) for v in rules[name].values]

    return a.categories == b.categories and all(
        values(a, n) == values(b, n) for n in CARD_PARAMETERS
    )


@with_engine_memory
def evaluate_each(
    population: VnPopulation,
    as_of: dt.date | str,
    rule_sets: list[RuleSet | None],
    *,
    costs: bool = True,
) -> list[tuple[pl.DataFrame, pl.DataFrame | None]]:
    """`evaluate_with_costs` under each rule set; a rule set that reads the card rules as the
    one before it (a reform of support shares or of the base salary...) reuses its chains.

    The persons are taken part by part (`insurrules.population.vn.chain.parts`: a part's
    arrays are small enough for the allocator to reuse their memory), every rule set on a part
    before the next part."""
    errors = population.row_errors
    valid = errors.is_null().to_numpy()
    checked = [_checked(population, as_of, rules) for rules in rule_sets]
    results: list[list[pl.DataFrame]] = [[] for _ in checked]
    paid: list[list[StateCosts]] = [[] for _ in checked]
    for part in parts(population):
        part_errors = errors.slice(part.lo, len(part))
        part_valid = valid[part.lo : part.lo + len(part)]
        last: tuple[RuleSet, Cards, Ints, pl.DataFrame] | None = None
        counted: CardMonths | None = None  # the card-months of the chains in ``last``
        for i, (day, rule_set) in enumerate(checked):
            if last is not None and _same_chains(last[0], rule_set):
                _, cards, death, result = last
            else:
                cards, death = card_table(part, day, rule_set, part_valid)
                result = _result(part, day, rule_set, cards, death, part_errors)
                counted = None
            last = (rule_set, cards, death, result)
            results[i].append(result)
            if costs:
                if counted is None:  # counted once per chain; only their prices follow the rules
                    counted = CardMonths(part, day, cards, death)
                paid[i].append(state_costs(part, day, rule_set, cards, death, counted))
    out: list[tuple[pl.DataFrame, pl.DataFrame | None]] = []
    for got, costed in zip(results, paid, strict=True):
        # one chunk per column, as from one part: polars reads chunked columns slower (the
        # group-by of compare() took 3x as long on a result in three chunks)
        result = got[0] if len(got) == 1 else pl.concat(got, rechunk=True)
        if not costs:
            out.append((result, None))
            continue
        joined = joined_costs(costed)
        ok = result["status"].is_not_null()
        per_person = joined.per_person.select(
            pl.when(pl.Series(ok)).then(pl.col(c)).alias(c) for c in joined.per_person.columns
        )
        out.append((result.hstack(per_person), joined.by_group))
    return out


def _checked(
    population: VnPopulation, as_of: dt.date | str, rules: RuleSet | None
) -> tuple[dt.date, RuleSet]:
    day = as_of_date(as_of)
    rule_set = rules or default_rules()
    if rule_set.scheme != population.scheme:
        raise RulesError(
            f"rules are for {rule_set.scheme}, but the population is {population.scheme}"
        )
    if day < CARD_RULES_START:
        raise PopulationError(
            [f"as_of: {day} is too early: the card rules modelled start on {CARD_RULES_START}"]
        )
    return day, rule_set


def _result(
    population: Part,
    as_of: dt.date,
    rules: RuleSet,
    cards: Cards,
    death: Ints,
    errors: pl.Series,
) -> pl.DataFrame:
    n = len(population)
    day = day_number(as_of)
    steps = Steps.of(cards.row)
    lanes = steps.lanes()
    l_from, l_to, l_cat = cards.valid_from[lanes], cards.valid_to[lanes], cards.category[lanes]
    state = [np.asarray(x).copy() for x in cover_start(ARRAYS, np.zeros(n, dtype=np.int32))]
    for k, (m, part) in enumerate(steps.parts()):
        step = cover_step(
            ARRAYS,
            day,
            CoverScan(*(x[:m] for x in state)),
            k == 0,
            l_from[part],
            l_to[part],
            l_cat[part],
        )
        for x, new in zip(state, step, strict=True):
            x[:m] = new
    # back from ranks to persons (persons without a card keep the scan's start)
    by_person = [np.asarray(x).copy() for x in cover_start(ARRAYS, np.zeros(n, dtype=np.int32))]
    for x, ranked in zip(by_person, state, strict=True):
        x[steps.rows] = ranked[: len(steps.rows)]
    _, insured, category, spell_from, spell_to = cover_close(
        ARRAYS, day, CoverScan(*by_person), death
    )
    valid = errors.is_null().to_numpy().copy()
    for r in cards.failed:
        valid[r] = False
    funded = valid & insured & (category >= 0)
    names = pl.Series(rules.category_codes, dtype=pl.String)
    state_category = names.gather(np.maximum(category, 0)).set(pl.Series(~funded), None)
    on = valid & insured
    flags = pl.DataFrame({"valid": valid, "on": on, "insured": insured, "funded": funded})
    labels = flags.select(
        pl.when(pl.col("valid"))
        .then(pl.when(pl.col("insured")).then(pl.lit("insured")).otherwise(pl.lit("not_insured")))
        .alias("status"),
        pl.when(pl.col("on"))
        .then(pl.when(pl.col("funded")).then(pl.lit("state_funded")).otherwise(pl.lit("card")))
        .alias("basis"),
        pl.when(pl.col("funded")).then(pl.lit("state")).alias("budget"),
    )

    def dates(values: Ints, keep: Bools) -> pl.Series:
        return (
            pl.Series(np.where(keep, values, 0), dtype=pl.Int64)
            .cast(pl.Int32)
            .cast(pl.Date)
            .set(pl.Series(~keep), None)
        )

    until = dates(spell_to, on & (spell_to < OPEN)).alias("insured_until")
    error = errors
    if cards.failed:
        fail: list[str | None] = [None] * n
        for r, text in cards.failed.items():
            fail[r] = text
        error = pl.Series("error", fail, dtype=pl.String).fill_null(errors)
    return pl.DataFrame(
        [
            population.loaded.persons.ids.alias("id"),
            labels["status"],
            labels["basis"],
            state_category.alias("state_category"),
            labels["budget"],
            pl.repeat(None, n, dtype=pl.Int64, eager=True).alias("grace_months"),
            dates(spell_from, on).alias("insured_from"),
            until,
            until.alias("renew_by"),
            error.alias("error"),
        ]
    )
