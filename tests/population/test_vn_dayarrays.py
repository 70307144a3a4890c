"""The two backends of the vn day operations agree: scalar (decide()) and numpy (populations)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import insurrules
from insurrules.population.vn.dayarrays import ARRAYS
from insurrules.vn import cards, dayops
from insurrules.vn.dayops import NO_DAY, OPEN, SCALAR, day_number

DAYS = st.one_of(
    st.integers(day_number(dt.date(1900, 1, 1)), day_number(dt.date(2100, 12, 31))),
    st.sampled_from(
        [NO_DAY, OPEN, day_number(dt.date(2024, 2, 29)), day_number(dt.date(2025, 1, 31))]
    ),
)
RULES = [
    insurrules.vn.rules(),
    insurrules.vn.rules().with_changes(
        {
            "vn.interpretation.fiscal_year": {"from 2020-06-01": "within_year"},
            "vn.interpretation.three_months": {"from 2022-01-01": "same_day_exclusive"},
            "vn.card.continuity_months": {"from 2024-01-01": 6},
            "vn.card.waiting_payers": {"from 2021-01-01": ["household"]},
        }
    ),
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(DAYS, st.integers(-30, 30)), min_size=1, max_size=40))
def test_calendar_operations_agree(values: list[tuple[int, int]]) -> None:
    days = np.array([d for d, _ in values], dtype=np.int32)
    months = np.array([m for _, m in values], dtype=np.int32)
    got = dayops.add_months(ARRAYS, days, months)
    assert got.tolist() == [dayops.add_months(SCALAR, int(d), int(m)) for d, m in values]
    y, m, d = dayops.civil(ARRAYS, days)
    assert list(zip(y.tolist(), m.tolist(), d.tolist(), strict=True)) == [
        dayops.civil(SCALAR, int(x)) for x in days
    ]
    assert dayops.day_of(ARRAYS, y, m, d).tolist() == days.tolist()


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(RULES),
    st.lists(
        st.tuples(DAYS, DAYS, st.sampled_from([3, 6, 12]), st.integers(0, 4), DAYS),
        min_size=1,
        max_size=30,
    ),
)
def test_card_rules_give_the_same_answers_on_both_backends(
    rules: insurrules.RuleSet, values: list[tuple[int, int, int, int, int]]
) -> None:
    paid, previous, months, payer, state_end = (
        np.array(c, dtype=np.int32) for c in zip(*values, strict=True)
    )
    vector = cards.previous_end(ARRAYS, rules, paid, previous, state_end)
    card = cards.purchase_card(ARRAYS, rules, paid, months, payer, vector[0])
    child = cards.child_card_end_day(ARRAYS, rules, paid)
    for i, (p, prev, mo, who, st_end) in enumerate(values):
        one = cards.previous_end(SCALAR, rules, p, prev, st_end)
        assert [bool(one[1]), int(one[0])] == [bool(vector[1][i]), int(vector[0][i])]
        bought = cards.purchase_card(SCALAR, rules, p, mo, who, one[0])
        assert [int(x) for x in bought] == [int(x[i]) for x in card]
        assert cards.child_card_end_day(SCALAR, rules, p) == int(child[i])
