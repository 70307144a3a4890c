"""Paid cells: what arrived by a day, against a direct reading of the records."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from insurrules.population.arrays import NO_MONTH, ArrayOps
from insurrules.population.kz.cells import Cells, cells_of_records, expand

ORIGIN = 2019 * 12


@st.composite
def records(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, int]]]:
    persons = draw(st.integers(1, 5))
    made = draw(
        st.lists(
            st.tuples(
                st.integers(0, persons - 1),
                st.integers(ORIGIN, ORIGIN + 80),
                st.integers(17_900, 20_400),  # days paid, 2019..2025
            ),
            max_size=40,
        )
    )
    if draw(st.booleans()):
        made.sort()  # the usual layout: by person, month
    return persons, made


@settings(max_examples=150, deadline=None)
@given(records(), st.lists(st.tuples(st.integers(0, 4), st.integers(17_800, 20_500)), max_size=12))
def test_known_cells_and_last_month_match_the_records(
    drawn: tuple[int, list[tuple[int, int, int]]], asked: list[tuple[int, int]]
) -> None:
    persons, made = drawn
    asked = [(r % persons, d) for r, d in asked]
    width = 81
    arr = np.array(made, dtype=np.int64).reshape(-1, 3)
    cells = cells_of_records(
        arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy(), persons, ORIGIN, width
    )
    rows = np.array([r for r, _ in asked], dtype=np.int64)
    days = np.array([d for _, d in asked], dtype=np.int64)
    bits = ArrayOps(ORIGIN, width, len(asked)).to_bool(cells.known(rows, days))
    last = cells.last_known(rows, days)
    for q, (row, day) in enumerate(asked):
        months = {m for r, m, d in made if r == row and d <= day}
        assert {ORIGIN + i for i in np.flatnonzero(bits[q])} == months
        assert last[q] == (max(months) if months else NO_MONTH)


def _by_row(cells: Cells) -> list[tuple[list[int], list[int], list[int]]]:
    """Each row's cells: days, months and last months so far, in the row's order."""
    return [
        (
            cells.day[f:s].tolist(),
            cells.col[f:s].tolist(),
            cells.last_so_far[f:s].tolist(),
        )
        for f, s in zip(cells.first.tolist(), cells.stop.tolist(), strict=True)
    ]


def test_expand_lists_each_range() -> None:
    owner, position = expand(np.array([3, 7, 7]), np.array([5, 7, 9]))
    assert owner.tolist() == [0, 0, 2, 2]
    assert position.tolist() == [3, 4, 7, 8]


def test_build_index_prepares_what_evaluate_reads() -> None:
    from insurrules.population import Population, build_index, evaluate, synthetic

    pop = synthetic(400, seed=2)
    fresh = Population(
        persons=pop.persons,
        payments=pop.payments,
        memberships=pop.memberships,
        welfare_levels=pop.welfare_levels,
        care_requests=pop.care_requests,
    )
    assert build_index(pop) is pop
    built = set(pop.cache["engine_index"].cache)
    assert ("cells", None) in built and any(k[0] == "advance" for k in built)
    assert evaluate(pop, "2026-03-15").equals(evaluate(fresh, "2026-03-15"))
    assert set(pop.cache["engine_index"].cache) == built  # evaluate() needed nothing more


@settings(max_examples=100, deadline=None)
@given(records(), st.integers(1, 7), st.lists(st.booleans(), min_size=40, max_size=40))
def test_cells_built_in_chunks_of_persons_are_the_cells_built_at_once(
    drawn: tuple[int, list[tuple[int, int, int]]], chunk: int, keep: list[bool]
) -> None:
    from unittest import mock

    from insurrules.population.kz import cells as cells_module

    persons, made = drawn
    arr = np.array(made, dtype=np.int64).reshape(-1, 3)
    mask = np.array(keep[: len(made)], dtype=np.bool_)
    # months given from a base month (as payments keep them), records kept by a mask
    args = (arr[:, 0].copy(), arr[:, 1] - 1800 * 12, arr[:, 2].copy(), persons, ORIGIN, 81)
    whole = cells_of_records(*args, month0=1800 * 12, keep=mask)
    with mock.patch.object(cells_module, "_CELL_CHUNK", chunk):
        parts = cells_of_records(*args, month0=1800 * 12, keep=mask)
    assert np.array_equal(whole.rows_bits, parts.rows_bits)
    assert _by_row(whole) == _by_row(parts)
    cells = {(r, m) for (r, m, _), k in zip(made, mask.tolist(), strict=True) if k}
    expected = sorted(cells)
    got = sorted(
        (r, int(whole.col[i]) + ORIGIN)
        for r in range(persons)
        for i in range(int(whole.first[r]), int(whole.stop[r]))
    )
    assert got == expected
    # no two rows share a position (the builders' parts may leave positions unowned between)
    owned = [i for f, s in zip(parts.first, parts.stop, strict=True) for i in range(f, s)]
    assert len(owned) == len(set(owned)) == len(cells)
    # a pickle holds the owned positions only, and reads as the cells it was made of
    back = pickle.loads(pickle.dumps(parts))
    assert back.day.size == back.col.size == back.last_so_far.size == len(cells)
    assert _by_row(back) == _by_row(parts)
    assert np.array_equal(back.rows_bits, parts.rows_bits)


@settings(max_examples=60, deadline=None)
@given(records(), st.lists(st.integers(0, 2), min_size=40, max_size=40))
def test_cells_of_several_payer_sets_built_together_are_each_built_alone(
    drawn: tuple[int, list[tuple[int, int, int]]], payers: list[int]
) -> None:
    from insurrules.population.kz.cells import cell_sets as _cell_sets

    persons, made = drawn
    arr = np.array(made, dtype=np.int64).reshape(-1, 3)
    codes = np.array(payers[: len(made)], dtype=np.int8)
    args = (arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy(), persons, ORIGIN, 81)
    sets: list[frozenset[int] | None] = [None, frozenset({1}), frozenset({0, 2})]
    together = _cell_sets(*args, codes=codes, sets=sets)
    for chosen, cells in zip(sets, together, strict=True):
        (alone,) = _cell_sets(*args, codes=codes, sets=[chosen])
        assert np.array_equal(cells.rows_bits, alone.rows_bits)
        assert _by_row(cells) == _by_row(alone)


def test_payment_records_let_go_after_evaluate_are_read_again_for_other_payers(
    tmp_path: Path,
) -> None:
    """The index lets go of the payment records once the rules' cells are built; a reform
    asking for other payers' cells and advance payments reads them again, from Parquet as from
    frames, and answers as a population evaluated under that reform from the start."""

    import insurrules
    from insurrules.population import Population, evaluate, synthetic
    from insurrules.population.kz.index import population_index

    reform = insurrules.Reform.from_dict(
        {
            "title": "other payers",
            "scheme": "kz-osms",
            "changes": {
                "kz.prepaid.payers": {"from 2022-09-05": ["self", "entrepreneur", "employee"]},
                "kz.welfare.work_payers": {"from 2026-01-01": ["self"]},
            },
        }
    )
    rules = reform.apply()
    other_rules = insurrules.Reform.from_dict(
        {
            "title": "work is any payment",
            "scheme": "kz-osms",
            "changes": {"kz.welfare.work_payers": {"from 2026-01-01": ["self", "esp"]}},
        }
    ).apply()
    pop = synthetic(600, seed=5, text=True)
    pop.to_parquet(tmp_path)
    for source in (pop, Population.from_parquet(tmp_path)):
        baseline = evaluate(source, "2026-03-15")
        index = population_index(source)
        assert index.records is None  # let go once the cells were built
        changed = evaluate(source, "2026-03-15", rules)
        fresh = Population.from_frames(**dict(pop.tables()))
        assert changed.equals(evaluate(fresh, "2026-03-15", rules))
        assert not changed.equals(baseline)  # the other payers change answers
        assert evaluate(source, "2026-03-15").equals(baseline)
        assert index.records is None
        # a copy (pickled) keeps its index and reads the records again from its own tables
        copy = pickle.loads(pickle.dumps(source))
        assert population_index(copy).records is None
        assert evaluate(copy, "2026-03-15", other_rules).equals(
            evaluate(fresh, "2026-03-15", other_rules)
        )
