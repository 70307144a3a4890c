"""vn-bhyt population tables: inputs, round trips, table-level and row-level problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from random import Random

import numpy as np
import numpy.typing as npt
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import insurrules
from insurrules.errors import error_lines
from insurrules.population.kz.tables import PopulationError
from insurrules.population.vn.engine import evaluate_vn
from insurrules.population.vn.synthesis import synthetic_vn
from insurrules.population.vn.tables import VN_SCHEMA, VnPopulation

from .vn_popgen import populations as vn_populations

PID = "079082007731"
OTHER = "001190000042"


def frames() -> dict[str, pl.DataFrame]:
    return {
        "persons": pl.DataFrame(
            {
                "id": [PID, OTHER],
                "birth_date": ["1982-08-14", "2021-02-03"],
                "sex": ["male", "female"],
                "household_rank": [2, None],
                "province": ["079", "001"],
            }
        ),
        "payments": pl.DataFrame(
            {
                "person_id": [PID, PID],
                "paid_on": ["2024-11-10", "2025-11-02"],
                "months": [12, 12],
                "amount": ["884520", "884520"],
                "payer": ["household", "household"],
            }
        ),
        "memberships": pl.DataFrame(
            {
                "person_id": [PID],
                "code": ["near_poor"],
                "start": ["2026-01-01"],
                "end": [None],
            }
        ),
    }


def test_polars_pandas_and_arrow_inputs_give_the_same_population() -> None:
    given = frames()
    from_polars = VnPopulation.from_frames(**given)
    from_pandas = VnPopulation.from_frames(**{k: v.to_pandas() for k, v in given.items()})
    from_arrow = VnPopulation.from_frames(**{k: v.to_arrow() for k, v in given.items()})
    expected = evaluate_vn(from_polars, "2026-02-01")
    assert expected["status"].to_list() == ["insured", "insured"]
    for other in (from_pandas, from_arrow):
        assert evaluate_vn(other, "2026-02-01").equals(expected)
    assert from_polars.persons["province"].to_list() == ["079", "001"]  # extra columns kept


def test_pandas_timestamps_are_dates() -> None:
    persons = pl.DataFrame(
        {"id": [PID], "birth_date": [dt.datetime(1982, 8, 14)], "sex": ["male"]}
    ).to_pandas()
    pop = VnPopulation.from_frames(persons)
    assert pop.persons["birth_date"].to_list() == [dt.date(1982, 8, 14)]
    timed = persons.assign(birth_date=[dt.datetime(1982, 8, 14, 10)])
    error = VnPopulation.from_frames(timed).row_errors[0]
    assert error == "person.birth_date: expected a date (YYYY-MM-DD), got a date-time"


def test_whole_floats_are_whole_numbers_but_fractions_and_text_are_not() -> None:
    given = frames()
    ranks = given["persons"].with_columns(pl.col("household_rank").cast(pl.Float64))
    pop = VnPopulation.from_frames(ranks)
    assert pop.persons["household_rank"].to_list() == [2, None]
    halves = given["payments"].with_columns(months=pl.Series([12.0, 6.5]))
    errors = VnPopulation.from_frames(given["persons"], halves).row_errors.to_list()
    assert errors == ["payments[1].months: a card is bought for 3, 6 or 12 months, got 6.5", None]


def test_parquet_round_trip(tmp_path: Path) -> None:
    pop = synthetic_vn(300, seed=4, as_of="2026-01-15")
    back = VnPopulation.from_parquet(pop.to_parquet(tmp_path / "pop"))
    for name, df in pop.tables():
        assert getattr(back, name).equals(df), name
    assert evaluate_vn(back, "2026-01-15").equals(evaluate_vn(pop, "2026-01-15"))
    with pytest.raises(PopulationError, match=r"no persons\.parquet"):
        VnPopulation.from_parquet(tmp_path / "nowhere")


def test_case_of_a_row_is_the_case_document() -> None:
    pop = VnPopulation.from_frames(**frames())
    case = pop.case(PID, "2026-02-01")
    assert case.person.household is not None and case.person.household.rank == 2
    assert [m.code for m in case.person.memberships] == ["near_poor"]
    assert [p.paid_on for p in case.payments] == [dt.date(2024, 11, 10), dt.date(2025, 11, 2)]
    decision = insurrules.decide(case)
    assert decision.details["renewal_amount_12_months"] == "379080"  # near_poor: off the ladder
    with pytest.raises(KeyError) as missing:
        pop.case("079000000000", "2026-02-01")
    assert "079000000000" not in str(missing.value)


def test_every_table_level_problem_is_listed_before_any_work() -> None:
    given = frames()
    given["persons"] = given["persons"].drop("sex").with_columns(birth_date=pl.lit("14.08.1982"))
    given["payments"] = given["payments"].with_columns(pl.col("months").cast(pl.String))
    given["memberships"] = given["memberships"].drop("start")
    with pytest.raises(PopulationError) as raised:
        VnPopulation.from_frames(**given)
    problems = raised.value.problems
    assert problems == [
        "persons.sex: missing column",
        "payments.months: expected whole numbers, got String",
        "memberships.start: missing column",
    ]


def test_duplicate_ids_and_records_of_unknown_persons() -> None:
    given = frames()
    twice = pl.concat([given["persons"], given["persons"].head(1)])
    with pytest.raises(PopulationError, match=r"persons.id: 1 id\(s\) appear more than once"):
        VnPopulation.from_frames(twice)
    stray = given["payments"].with_columns(person_id=pl.lit("079999999999"))
    with pytest.raises(PopulationError) as raised:
        VnPopulation.from_frames(given["persons"], stray)
    assert raised.value.problems == ["payments.person_id: 2 row(s) for persons not in persons"]
    empty_required = given["payments"].with_columns(payer=pl.lit(None, dtype=pl.String))
    errors = VnPopulation.from_frames(given["persons"], empty_required).row_errors.to_list()
    assert errors[0] is not None and errors[0].startswith("payments[0].payer: Input should be")
    assert errors[1] is None


def test_row_problems_keep_the_row_and_match_the_case_model() -> None:
    given = frames()
    payments = pl.concat(
        [
            given["payments"],
            pl.DataFrame(
                {
                    "person_id": [OTHER, OTHER, OTHER],
                    "paid_on": ["2024-05-05", "2024-05-05", "2014-12-01"],
                    "months": [12, 5, 12],
                    "amount": ["1", "1e400", "NaN"],
                    "payer": ["supported", "household", "household"],
                }
            ),
        ]
    )
    pop = VnPopulation.from_frames(given["persons"], payments, given["memberships"])
    errors = pop.row_errors.to_list()
    assert errors[0] is None
    assert errors[1] is not None
    with pytest.raises(ValidationError) as raised:
        pop.case(OTHER, "2026-01-01")
    assert errors[1] == "; ".join(error_lines(raised.value))  # the model's words, as decide()
    result = evaluate_vn(pop, "2026-01-01")
    assert result.height == 2 and result["status"].to_list() == ["insured", None]


def test_ids_are_masked_in_row_errors() -> None:
    persons = pl.DataFrame(
        {"id": [PID], "birth_date": ["1982-08-14"], "sex": [f"is {PID}"]},
    )
    error = VnPopulation.from_frames(persons).row_errors[0]
    assert error is not None and "person.sex" in error and PID not in error


def test_take_keeps_the_order_and_the_records() -> None:
    pop = synthetic_vn(200, seed=5)
    ids = pop.persons["id"].to_list()[50:60]
    part = pop.take(reversed(ids))
    assert part.persons["id"].to_list() == ids
    assert set(part.payments["person_id"].to_list()) <= set(ids)
    assert evaluate_vn(part, "2026-03-15").equals(
        evaluate_vn(pop, "2026-03-15").filter(pl.col("id").is_in(ids))
    )


def test_schema_names_every_column_of_the_case() -> None:
    assert set(VN_SCHEMA) == {"persons", "payments", "memberships"}
    assert [c for c, (_, required) in VN_SCHEMA["payments"].items() if required] == [
        "person_id",
        "paid_on",
        "months",
        "amount",
        "payer",
    ]


def test_a_vn_population_built_from_persons_alone_evaluates() -> None:
    import insurrules
    from insurrules.population import VnPopulation, evaluate, synthetic_vn

    persons = synthetic_vn(40, seed=1).persons
    alone = VnPopulation(persons=persons)  # omitted tables are empty, with every column
    result = evaluate(alone, "2026-03-15")
    assert result.height == 40 and result["error"].null_count() == 40
    for pid, status in result.select("id", "status").head(8).iter_rows():
        assert insurrules.decide(alone.case(pid, "2026-03-15")).status == status


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(vn_populations(max_size=6, invalid=True))
def test_the_vn_screen_vouches_only_for_what_the_model_accepts(
    drawn: tuple[VnPopulation, dt.date],
) -> None:
    from insurrules.case import parse_case
    from insurrules.population.model_check import masked
    from insurrules.population.vn.tables import _screen
    from insurrules.vn.case import CARD_RULES_START

    pop, _ = drawn
    vouched = _screen(pop)
    errors = pop.row_errors.to_list()
    for i, document in enumerate(pop.case_documents(range(len(pop)))):
        try:
            parse_case({**document, "as_of": CARD_RULES_START})
            want = None
        except ValidationError as exc:
            want = masked("; ".join(error_lines(exc)))
        if vouched[i]:
            assert want is None, want
        assert errors[i] == want


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(vn_populations(max_size=6, invalid=True), st.integers(1, 3), st.randoms())
def test_the_vn_screen_slice_by_slice_vouches_as_at_once(
    drawn: tuple[VnPopulation, dt.date], size: int, rnd: Random
) -> None:
    from unittest import mock

    from insurrules.population.vn import loading

    pop, _ = drawn
    # payments of persons interleaved too: a day twice across two slices must still be seen
    shuffled = VnPopulation(
        pop.persons,
        pop.payments.sample(fraction=1.0, shuffle=True, seed=rnd.randrange(2**32)),
        pop.memberships,
    )
    for population in (pop, shuffled):
        at_once = loading.screen(population.loaded)
        with mock.patch.object(loading, "_SLICE", size):
            sliced = loading.screen(population.loaded)
        assert (sliced == at_once).all()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(vn_populations(max_size=6, invalid=True))
def test_the_arrays_read_once_hold_the_values_of_the_typed_tables(
    drawn: tuple[VnPopulation, dt.date],
) -> None:
    from insurrules.population.values import NO_DAY
    from insurrules.population.vn.schema import MEMBERSHIP_CODES, PAYERS

    pop, _ = drawn
    loaded = pop.loaded

    def day_list(values: npt.NDArray[np.int32]) -> list[dt.date | None]:
        epoch = dt.date(1970, 1, 1)
        return [None if d == NO_DAY else epoch + dt.timedelta(d) for d in values.tolist()]

    def code_list(values: npt.NDArray[np.int8], names: tuple[str, ...]) -> list[str | None]:
        return [names[c] if c >= 0 else None for c in values.tolist()]

    assert loaded.persons.ids.to_list() == pop.persons["id"].to_list()
    assert day_list(loaded.persons.birth) == pop.persons["birth_date"].to_list()
    assert day_list(loaded.persons.death) == pop.persons["death_date"].to_list()
    pay, mem = loaded.payments, loaded.memberships
    ids = pop.persons["id"].to_list()
    assert [ids[r] for r in pay.rows] == pop.payments["person_id"].to_list()
    assert day_list(pay["paid_on"]) == pop.payments["paid_on"].to_list()
    assert [m if m >= 0 else None for m in pay["months"].tolist()] == pop.payments[
        "months"
    ].to_list()
    assert code_list(pay["payer"], PAYERS) == [
        p if p in PAYERS else None for p in pop.payments["payer"].to_list()
    ]
    assert [ids[r] for r in mem.rows] == pop.memberships["person_id"].to_list()
    assert code_list(mem["code"], MEMBERSHIP_CODES) == pop.memberships["code"].to_list()
    assert day_list(mem["start"]) == pop.memberships["start"].to_list()
    assert day_list(mem["end"]) == pop.memberships["end"].to_list()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(vn_populations(max_size=6, invalid=True), st.randoms(use_true_random=False))
def test_the_order_of_the_records_never_matters_to_who_is_valid_and_the_answers(
    drawn: tuple[VnPopulation, dt.date], random: Random
) -> None:
    pop, as_of = drawn
    tables = dict(pop.tables())

    def shuffled(df: pl.DataFrame) -> pl.DataFrame:
        order = list(range(df.height))
        random.shuffle(order)
        return df[order]

    mixed = VnPopulation.from_frames(
        tables["persons"], shuffled(tables["payments"]), shuffled(tables["memberships"])
    )
    # an error names the record by its place in the case, which the order changes
    assert mixed.row_errors.is_null().equals(pop.row_errors.is_null())
    assert evaluate_vn(mixed, as_of).drop("error").equals(evaluate_vn(pop, as_of).drop("error"))
