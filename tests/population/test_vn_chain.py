"""The layout of the columnar vn card chain: steps, their lanes, the child card ends by table."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import insurrules
from insurrules.population.vn.chain import Steps, _child_card_ends
from insurrules.population.vn.dayarrays import ARRAYS
from insurrules.vn import cards
from insurrules.vn.dayops import day_number


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 6), max_size=30))
def test_the_lanes_lay_out_each_steps_records_as_one_slice(counts: list[int]) -> None:
    rows = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    steps = Steps.of(rows)
    lanes = steps.lanes()
    assert sorted(lanes.tolist()) == list(range(rows.shape[0]))  # every record once
    parts = steps.parts()
    assert len(parts) == len(steps.reach)
    for (m, records), (m_part, part) in zip(steps, parts, strict=True):
        assert m == m_part
        assert lanes[part].tolist() == records.tolist()
        assert rows[lanes[part]].tolist() == steps.rows[:m].tolist()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.dates(dt.date(1990, 1, 1), dt.date(2026, 12, 31)).map(day_number),
        min_size=1,
        max_size=40,
    ),
    st.booleans(),
)
def test_child_card_ends_by_table_equal_the_rule_on_each_day(days: list[int], wide: bool) -> None:
    rules = insurrules.vn.rules()
    # a wide spread of few births takes the distinct-days path, a dense one the table
    birth = np.array(days if wide else days * 2000, dtype=np.int32)
    got = _child_card_ends(rules, birth)
    want = cards.child_card_end_day(ARRAYS, rules, birth)
    assert np.array_equal(got, want)
