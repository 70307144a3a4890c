"""The population's validity is the case model's: bad values of every kind among good rows.

For every person of a generated population, some corrupted with the kinds of bad input the
contract rejects (and hostile values: other scripts' digits, "1e999", months with a day, padded
dates, huge numbers, ids in the wrong field), the columnar screen vouches for a person only when
the case model accepts that person's case, and the row's ``error`` is the model's error lines,
word for word; no row is dropped, no 12-digit run survives in an error.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import insurrules
from insurrules.case import parse_case
from insurrules.errors import error_lines
from insurrules.population import Population, evaluate
from insurrules.population.kz.loading import load
from insurrules.population.model_check import masked

from .popgen import person

AS_OF = dt.date(2026, 3, 15)
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

#: (table, column) -> bad or odd values of that column
BAD: dict[tuple[str, str], list[Any]] = {
    ("persons", "id"): [
        "12345678901",
        "1234567890123",
        "870412445017",
        " 870412445016",
        "870412445016\n",
        "870412445016".translate(ARABIC),
        "８７０４１２４４５０１６",
        None,
    ],
    ("persons", "birth_date"): [
        "1799-12-31",
        "1800-01-01",
        "2100-12-31",
        "1987-4-12",
        "1987-02-30",
        " 1987-04-12",
        "12.04.1987",
        "1987-04-12T00:00",
        "١٩٨٧-٠٤-١٢",
        None,
        "9999-12-31",
        "0001-01-01",
    ],
    ("persons", "sex"): ["x", "MALE", None, "870412445016"],
    ("persons", "residency"): ["mars", "Citizen", "870412445016"],
    ("persons", "death_date"): ["1900-01-01", "2020-13-01", "soon"],
    ("payments", "month"): [
        "2020-03-20",
        "2020-13",
        "2020-3",
        "٢٠٢٠-٠١",
        "1e999",
        "2016-01",
        "2017-06",
        "1900-01",
        None,
        " 2021-01",
    ],
    ("payments", "paid_on"): ["1900-01-01", "2021-1-5", "", None, "2021-01-05 "],
    ("payments", "amount"): [
        "-1",
        "1e999",
        "NaN",
        "inf",
        "abc",
        "1_000",
        "٥",
        "1" * 40,
        "",
        None,
        "870412445016",
        "+5",
        " 5",
        "5.",
        ".5",
        "1e3",
        "1.1234567",
        "1.123456",
        "999999999999999",
        "1000000000000000",
        4250,
        4250.5,
    ],
    ("payments", "payer"): ["boss", "Employer", None, "870412445016"],
    ("memberships", "code"): ["child", "welfare_level_de", "870412445016", None],
    ("memberships", "start"): ["1900-01-01", "2020-02-30", None],
    ("memberships", "end"): ["1900-01-01", "2021-13-01"],
    ("welfare_levels", "level"): ["F", "d", None],
    ("welfare_levels", "start"): ["2000-01-01", "x"],
    ("welfare_levels", "end"): ["1999-01-01", "2019-12-31"],
    ("care_requests", "date"): ["1900-01-01", "2025-02-29", None],
}


def _text(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _tables(people: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows of each table in the contract's text types."""
    out: dict[str, list[dict[str, Any]]] = {
        "persons": [],
        "payments": [],
        "memberships": [],
        "welfare_levels": [],
        "care_requests": [],
    }
    for p in people:
        pid = p["person"]["id"]
        out["persons"].append({k: _text(v) for k, v in p["person"].items()})
        for key in ("payments", "memberships", "welfare_levels"):
            for r in p[key]:
                out[key].append({"person_id": pid, **{k: _text(v) for k, v in r.items()}})
        for d in p["care_requests"]:
            out["care_requests"].append({"person_id": pid, "date": _text(d)})
    return out


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[dict[str, list[dict[str, Any]]], int]:
    size = draw(st.integers(1, 8))
    people = [draw(person(serial=i * 7 + 1)) for i in range(size)]
    tables = _tables(people)
    spoiled = 0
    for _ in range(draw(st.integers(0, 4))):
        (table, column), values = draw(st.sampled_from(sorted(BAD.items(), key=str)))
        rows = tables[table]
        if not rows:
            continue
        at = draw(st.integers(0, len(rows) - 1))
        if table == "persons" and column == "id":
            continue  # an id changed alone would orphan its records: see below
        rows[at] = {**rows[at], column: draw(st.sampled_from(values))}
        spoiled += 1
    if draw(st.booleans()) and tables["persons"]:  # a bad id, records following it
        at = draw(st.integers(0, len(tables["persons"]) - 1))
        old = tables["persons"][at]["id"]
        new = draw(st.sampled_from(BAD[("persons", "id")][:-1]))
        if new not in {p["id"] for p in tables["persons"]}:
            tables["persons"][at]["id"] = new
            for name in ("payments", "memberships", "welfare_levels", "care_requests"):
                for r in tables[name]:
                    if r["person_id"] == old:
                        r["person_id"] = new
    if draw(st.booleans()) and tables["payments"]:  # a record twice
        tables["payments"].append(dict(draw(st.sampled_from(tables["payments"]))))
    return tables, spoiled


SCHEMAS = {
    "persons": ["id", "birth_date", "sex", "death_date", "residency", "region"],
    "payments": ["person_id", "month", "paid_on", "amount", "payer"],
    "memberships": ["person_id", "code", "start", "end"],
    "welfare_levels": ["person_id", "level", "start", "end"],
    "care_requests": ["person_id", "date"],
}


def _population(tables: dict[str, list[dict[str, Any]]]) -> Population:
    frames = {
        name: pl.DataFrame(rows, schema=dict.fromkeys(SCHEMAS[name], pl.String), orient="row")
        if rows
        else None
        for name, rows in tables.items()
    }
    return Population.from_frames(**frames)


def _model_error(document: dict[str, Any]) -> str | None:
    try:
        parse_case(document)
    except ValidationError as exc:
        return masked("; ".join(error_lines(exc)))
    return None


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(corrupted())
def test_the_screen_vouches_only_for_what_the_model_accepts(
    drawn: tuple[dict[str, list[dict[str, Any]]], int],
) -> None:
    tables, _ = drawn
    pop = _population(tables)
    loaded = load(pop)
    result = evaluate(pop, AS_OF)
    assert result.height == len(tables["persons"])  # no row dropped
    documents = pop.case_documents(range(len(pop)))
    for i, document in enumerate(documents):
        error = _model_error({**document, "as_of": AS_OF})
        if loaded.vouched[i]:
            assert error is None, error
        assert result["error"][i] == error
        assert (result["status"][i] is None) == (error is not None)
        if error is not None:
            assert re.search(r"\d{12}", error) is None  # no unmasked id
        else:
            decision = insurrules.decide({**document, "as_of": AS_OF})
            assert result["status"][i] == decision.status
            assert result["insured_until"][i] == decision.insured_until


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(corrupted(), st.integers(1, 6))
def test_a_parquet_extract_reads_as_the_same_tables_in_memory(
    drawn: tuple[dict[str, list[dict[str, Any]]], int], group: int
) -> None:
    """Parquet keeps text dictionary-encoded, in row groups read on several threads: the same
    verdicts and results, whichever way the records arrive (small row groups: persons whose
    records straddle two groups, a refused person's records replaced in place)."""
    import tempfile

    import pyarrow.parquet as pq

    tables, _ = drawn
    pop = _population(tables)
    expected = evaluate(pop, AS_OF)
    with tempfile.TemporaryDirectory() as tmp:
        for name, source in pop.sources.items():
            pq.write_table(source.frame().to_arrow(), f"{tmp}/{name}.parquet", row_group_size=group)
        read = Population.from_parquet(tmp)
        vouched = load(read).vouched
        # vouched (a part's ends may be judged where in memory they were not) only if valid
        assert all(e is None for e in expected["error"].filter(pl.Series(vouched)))
        assert evaluate(read, AS_OF).equals(expected)


def test_plain_values_are_vouched_for_without_the_model() -> None:
    from insurrules.population import synthetic

    pop = synthetic(300, seed=2, text=True)
    assert bool(load(pop).vouched.all())


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("id", "870412445016".translate(ARABIC)),
        ("id", "8704124450\ud800"),
        ("amount", "1e999"),
        ("month", "2020-03-20"),
        ("paid_on", " 2021-01-05"),
        ("amount", "9" * 5000),
    ],
)
def test_one_hostile_value_is_one_persons_error(column: str, value: str) -> None:
    """One hostile value never takes the others down; that person gets the model's error."""
    from insurrules.population import synthetic

    good = synthetic(40, seed=1, text=True)
    persons = good.sources["persons"].frame()
    payments = good.sources["payments"].frame()
    victim = payments["person_id"][0]
    if column == "id":
        pos = int((persons["id"] == victim).arg_true()[0])
        persons = persons.to_pandas().astype(object)  # text a UTF-8 column could not hold
        persons.loc[pos, "id"] = value
        payments = payments.filter(pl.col("person_id") != victim)
        others = [t for n, t in good.tables() if n not in ("persons", "payments")]
        others = [t.filter(pl.col("person_id") != victim) for t in others]
        pop = Population.from_frames(persons, payments, *others)
    else:
        payments = payments.with_columns(
            pl.when(pl.int_range(pl.len()) == 0)
            .then(pl.lit(value))
            .otherwise(pl.col(column))
            .alias(column)
        )
        pop = Population.from_frames(
            persons, payments, *(t for n, t in good.tables() if n not in ("persons", "payments"))
        )
    result = evaluate(pop, AS_OF)
    assert result.height == 40
    bad = result.filter(pl.col("error").is_not_null())
    assert bad.height <= 1  # the victim only, if the model refuses the value
    assert result.filter(pl.col("error").is_null())["status"].null_count() == 0
    documents = pop.case_documents(range(len(pop)))
    for i, document in enumerate(documents):
        error = _model_error({**document, "as_of": AS_OF})
        assert result["error"][i] == error  # the same answer as decide()
        assert error is None or re.search(r"\d{12}", error) is None


def _same_advance(pop: Population) -> None:
    """The prepaid route's records from the records found early when read (and those of persons
    the model judged, as the model read them) equal a search of every record."""
    from dataclasses import replace

    from insurrules.kz.params import kz_params
    from insurrules.kz.rules import default_rules
    from insurrules.population.kz.index import population_index
    from insurrules.population.kz.tables import PAYERS

    index = population_index(pop)
    p = kz_params(default_rules())
    asked = [
        (frozenset(PAYERS.index(name) for name in payers), since)
        for payers in (p.prepaid_payers, frozenset(PAYERS))
        for since in (p.prepaid_from, dt.date(2017, 7, 1))
    ]
    found_all = [index.advance(codes, since) for codes, since in asked]  # from what was kept
    # every record (read again, when only some were kept), each searched
    everything = replace(index, records=replace(index.payments(), early=None), cache={})
    for (codes, since), found in zip(asked, found_all, strict=True):
        expected = everything.advance(codes, since)
        assert np.array_equal(found.starts, expected.starts)
        for name, column in expected.columns.items():
            assert np.array_equal(found.columns[name], column), name


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(corrupted())
def test_the_early_records_found_when_read_are_all_that_arrived_early(
    drawn: tuple[dict[str, list[dict[str, Any]]], int],
) -> None:
    tables, _ = drawn
    _same_advance(_population(tables))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),  # person
            st.integers(2018 * 12, 2026 * 12),  # month paid for
            st.sampled_from([-400, -32, -31, -2, -1, 0, 1, 27, 40]),  # paid, from its 1st day
            st.sampled_from(["self", "employer", "entrepreneur"]),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 7),
)
def test_records_paid_around_the_first_of_their_month_are_found_in_any_row_group(
    made: list[tuple[int, int, int, str]], group: int
) -> None:
    """Records paid just before, on and after the first day of the month they pay for, read
    from Parquet row groups of every size on two threads: the early ones are all found."""
    import tempfile

    born = [dt.date(1987, 4, 12), dt.date(1990, 1, 1), dt.date(1975, 12, 31), dt.date(2002, 2, 2)]
    sexes = ["female", "male", "male", "female"]
    paid = [(who, month, offset, payer, "1") for who, month, offset, payer in made]
    pop = _population(_paying(born, sexes, paid))
    _same_advance(pop)
    with tempfile.TemporaryDirectory() as tmp:
        _same_advance(_written(pop, tmp, group))


def _paying(
    born: list[dt.date],
    sexes: list[str],
    made: list[tuple[int, int, int, str, str]],
    asking: list[int] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Tables of persons (by birth date and sex) and their payments (person, month number paid
    for, days from its first day paid, payer, amount; paid no earlier than birth), and care
    requests of the persons ``asking``."""
    from insurrules.kz.iin import make_iin

    ids = [make_iin(b, s, 7) for b, s in zip(born, sexes, strict=True)]  # type: ignore[arg-type]
    rows = []
    for who, month, offset, payer, amount in sorted(made):
        first = dt.date(month // 12, month % 12 + 1, 1)
        paid_on = max(first + dt.timedelta(days=offset), born[who])
        rows.append(
            {
                "person_id": ids[who],
                "month": f"{first:%Y-%m}",
                "paid_on": str(paid_on),
                "amount": amount,
                "payer": payer,
            }
        )
    return {
        "persons": [
            {"id": i, "birth_date": str(b), "sex": s}
            for i, b, s in zip(ids, born, sexes, strict=True)
        ],
        "payments": rows,
        "memberships": [],
        "welfare_levels": [],
        "care_requests": [
            {"person_id": ids[who], "date": "2026-03-02"} for who in sorted(set(asking or []))
        ],
    }


def _written(pop: Population, tmp: str, group: int) -> Population:
    """``pop`` written to Parquet in row groups of ``group`` rows, and read back."""
    import pyarrow.parquet as pq

    for name, source in pop.sources.items():
        pq.write_table(source.frame().to_arrow(), f"{tmp}/{name}.parquet", row_group_size=group)
    return Population.from_parquet(tmp)


def _cells_by_row(cells: Any, persons: int) -> list[list[tuple[int, int, int]]]:
    """Each row's cells as (month, day arrived, last month so far), in the order kept."""
    return [
        [
            (
                int(cells.col[i]) + cells.origin,
                int(cells.day[i]),
                int(cells.last_so_far[i]) + cells.origin,
            )
            for i in range(int(cells.first[r]), int(cells.stop[r]))
        ]
        for r in range(persons)
    ]


def _same_cells_while_reading(pop: Population) -> bool:
    """The cells built part by part while the payments are read (persons straddling parts,
    persons the model judged made again) are those built from every record afterwards; the
    records kept are all those of the persons kept, as every record read has them. Whether
    the cells were built while reading (records grouped by person)."""
    from insurrules.kz.params import kz_params
    from insurrules.kz.rules import default_rules
    from insurrules.population.kz.cells import cell_sets
    from insurrules.population.kz.loading import NO_PAYER, PAY_MONTH0
    from insurrules.population.kz.tables import PAYERS

    persons = len(pop)
    latest = kz_params(default_rules()).frame_origin
    part, full = load(pop, frame_origin=latest), load(pop)
    assert full.paid_cells is None
    assert np.array_equal(part.valid, full.valid)
    assert part.errors.equals(full.errors)
    if part.paid_cells is None:  # records not together by person: all were kept instead
        assert part.complete is None
        return False
    pay = full.payments
    month, day, payer = (pay.columns[k] for k in ("month", "day", "payer"))
    counted = payer != NO_PAYER
    if counted.any():
        origin = min(latest, int(month[counted].min()) + PAY_MONTH0)
        width = int(month[counted].max()) + PAY_MONTH0 - origin + 1
    else:
        origin, width = latest, 1
    (expected,) = cell_sets(
        pay.rows,
        month,
        day,
        persons,
        origin,
        width,
        month0=PAY_MONTH0,
        codes=payer,
        sets=[frozenset(range(len(PAYERS)))],
    )
    got = part.paid_cells
    assert (got.origin, got.width) == (expected.origin, expected.width)
    assert _cells_by_row(got, persons) == _cells_by_row(expected, persons)
    assert np.array_equal(got.rows_bits, expected.rows_bits)
    # the records kept: every record of each person kept (care requests, judged), as read
    assert part.complete is not None
    for row in np.flatnonzero(part.complete & part.valid).tolist():
        mine = part.payments.rows == row
        theirs = (pay.rows == row) & counted
        for name in ("month", "day", "payer"):
            assert sorted(part.payments.columns[name][mine].tolist()) == sorted(
                pay.columns[name][theirs].tolist()
            ), name
    return True


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(corrupted(), st.integers(1, 7), st.booleans())
def test_cells_built_while_reading_are_the_cells_of_every_record(
    drawn: tuple[dict[str, list[dict[str, Any]]], int], group: int, parquet: bool
) -> None:
    import tempfile

    tables, _ = drawn
    pop = _population(tables)
    with tempfile.TemporaryDirectory() as tmp:
        _same_cells_while_reading(_written(pop, tmp, group) if parquet else pop)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5),  # person
            st.integers(2018 * 12, 2026 * 12),  # month paid for
            st.sampled_from([-40, -1, 0, 3, 27]),  # paid, from its 1st day
            st.sampled_from(["self", "employer", "employee"]),
            st.sampled_from(["19126.02", "1", "1", "1", "-5"]),  # (-5: refused)
        ),
        min_size=1,
        max_size=40,
    ),
    st.lists(st.integers(0, 5), max_size=4),  # persons with a care request
    st.integers(1, 12),
)
@example(  # a person asking for care, their records wholly inside a row group
    [(who, (2020 + k) * 12, 3, "employer", "19126.02") for who in (0, 1, 2) for k in range(3)],
    [1],
    9,
)
def test_cells_of_persons_straddling_row_groups_are_made_from_all_their_records(
    made: list[tuple[int, int, int, str, str]], asking: list[int], group: int
) -> None:
    """Persons with many records, read from Parquet row groups of every size (most persons'
    records straddle groups), some asking for care (all their records kept), some refused."""
    import tempfile

    born = [dt.date(1980 + 3 * i, 1 + i, 1 + 2 * i) for i in range(6)]
    tables = _paying(born, ["female", "male"] * 3, made, asking)
    with tempfile.TemporaryDirectory() as tmp:
        assert _same_cells_while_reading(_written(_population(tables), tmp, group))
