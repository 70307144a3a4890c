"""The population engine equals decide() on every row (same law, two backends)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import insurrules
from insurrules.population import Population, PopulationError, evaluate
from insurrules.population.tableset import RESULT_COLUMNS
from tests.population.popgen import AS_OF, PAYERS, RESIDENCIES, build, iin, person, populations


def decided(pop: Population, pid: str, as_of: dt.date, rules: Any = None) -> dict[str, Any] | None:
    try:
        case = pop.case(pid, as_of)
    except ValidationError:
        return None
    d = insurrules.decide(case, rules)
    return {
        "status": d.status,
        "basis": d.basis,
        "state_category": d.state_funded.category if d.state_funded else None,
        "budget": d.state_funded.budget if d.state_funded else None,
        "grace_months": d.grace_months,
        "insured_from": d.insured_from,
        "insured_until": d.insured_until,
        "renew_by": d.renew_by,
    }


def assert_equal_to_decide(pop: Population, as_of: dt.date, rules: Any = None) -> None:
    result = evaluate(pop, as_of, rules)
    assert result.columns == list(RESULT_COLUMNS)
    assert result["id"].to_list() == pop.persons["id"].to_list()
    for row in result.iter_rows(named=True):
        want = decided(pop, row["id"], as_of, rules)
        if want is None:  # decide() refuses the case: the row says why, and is kept
            assert row["status"] is None
            assert row["error"]
            continue
        assert row["error"] is None
        got = {k: row[k] for k in want}
        assert got == want, pop.case(row["id"], as_of).model_dump_json()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(populations(), st.sampled_from(AS_OF))
def test_every_row_equals_decide(pop: Population, as_of: dt.date) -> None:
    assert_equal_to_decide(pop, as_of)


@pytest.mark.parametrize("residency", RESIDENCIES)
def test_generated_persons_take_every_residency(residency: str) -> None:
    find(person(1), lambda p: p["person"]["residency"] == residency)


@pytest.mark.parametrize("payer", PAYERS)
def test_generated_persons_pay_as_every_payer(payer: str) -> None:
    find(person(1), lambda p: any(pay["payer"] == payer for pay in p["payments"]))


SWITCHES: list[dict[str, Any]] = [
    {"kz.interpretation.state_months_in_run": "count"},
    {"kz.interpretation.state_months_in_run": "break"},
    {"kz.interpretation.grace_after_state_category": True},
    {"kz.interpretation.prepaid_old_debt": "cancelled"},
    {"kz.interpretation.de_new_request_each_year": False},
    {"kz.interpretation.work_payments_end_de": False},
    {"kz.interpretation.targeted_social_assistance_after_2025": True},
    {"kz.grace.extended_after_months": {"from 2026-01-01": 36}},
    {"kz.grace.months": {"from 2026-07-01": 4}},
    {"kz.scope.full_participants": {"from 2017-07-01": ["citizen", "kandas"]}},
    {"kz.debt.window_months": 6},
    {"kz.child.age": 16},
]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(populations(max_size=8), st.sampled_from(AS_OF[4:]), st.sampled_from(SWITCHES))
def test_every_row_equals_decide_under_switches_and_reforms(
    pop: Population, as_of: dt.date, change: dict[str, Any]
) -> None:
    rules = insurrules.kz.rules().with_changes(change)
    assert_equal_to_decide(pop, as_of, rules)


def one_person(**person: Any) -> dict[str, Any]:
    birth = person.pop("birth_date", dt.date(1990, 5, 17))
    sex = person.pop("sex", "female")
    return {
        "person": {
            "id": iin(birth, sex, 1),
            "birth_date": birth,
            "sex": sex,
            "death_date": person.pop("death_date", None),
            "residency": "citizen",
            "region": "ALA",
        },
        "payments": person.pop("payments", []),
        "memberships": person.pop("memberships", []),
        "welfare_levels": person.pop("welfare_levels", []),
        "care_requests": person.pop("care_requests", []),
    }


def self_payments(first: tuple[int, int], count: int) -> list[dict[str, Any]]:
    out = []
    year, month = first
    for _ in range(count):
        out.append(
            {
                "month": f"{year}-{month:02d}",
                "paid_on": dt.date(year, month, 10),
                "amount": "4250",
                "payer": "self",
            }
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def test_last_paid_june_loses_status_in_october() -> None:
    pop = build([one_person(payments=self_payments((2024, 7), 12))])
    sept = evaluate(pop, "2025-09-15").row(0, named=True)
    octo = evaluate(pop, "2025-10-01").row(0, named=True)
    assert (sept["status"], sept["basis"], sept["insured_until"]) == (
        "insured",
        "grace_period",
        dt.date(2025, 9, 30),
    )
    assert (octo["status"], octo["basis"], octo["grace_months"]) == ("not_insured", None, 3)


def test_sixty_paid_months_earn_six_months_of_grace_in_2026() -> None:
    pop = build([one_person(payments=self_payments((2020, 11), 61))])  # 2020-11..2025-11
    row = evaluate(pop, "2026-04-10").row(0, named=True)
    assert (row["status"], row["basis"], row["grace_months"]) == ("insured", "grace_period", 6)
    assert row["insured_until"] == dt.date(2026, 5, 31)


def test_child_is_state_funded_to_the_month_of_the_18th_birthday() -> None:
    pop = build([one_person(birth_date=dt.date(2008, 2, 10))])
    row = evaluate(pop, "2026-01-20").row(0, named=True)
    assert (row["basis"], row["state_category"], row["budget"]) == (
        "state_funded",
        "child",
        "republican",
    )
    assert row["insured_until"] == dt.date(2026, 2, 28)


def test_de_request_insures_to_december_from_local_budget() -> None:
    pop = build(
        [
            one_person(
                welfare_levels=[{"level": "D", "start": dt.date(2026, 1, 1), "end": None}],
                care_requests=[dt.date(2026, 3, 2)],
            )
        ]
    )
    row = evaluate(pop, "2026-03-15").row(0, named=True)
    assert (row["status"], row["state_category"], row["budget"]) == (
        "insured",
        "welfare_level_de",
        "local",
    )
    assert row["insured_until"] == dt.date(2026, 12, 31)


def test_the_dead_are_never_insured_after_death() -> None:
    pop = build(
        [
            one_person(
                birth_date=dt.date(1950, 3, 3),
                death_date=dt.date(2026, 2, 3),
                memberships=[
                    {"code": "pension_recipient", "start": dt.date(2015, 3, 3), "end": None}
                ],
            )
        ]
    )
    before = evaluate(pop, "2026-02-02").row(0, named=True)
    after = evaluate(pop, "2026-02-04").row(0, named=True)
    assert (before["status"], before["insured_until"]) == ("insured", dt.date(2026, 2, 3))
    assert (after["status"], after["state_category"], after["grace_months"]) == (
        "not_insured",
        None,
        None,
    )


def test_invalid_rows_are_kept_with_the_field_and_reason() -> None:
    good = one_person()
    bad_iin = one_person(birth_date=dt.date(1980, 1, 1))
    bad_iin["person"]["id"] = bad_iin["person"]["id"][:11] + str(
        (int(bad_iin["person"]["id"][11]) + 1) % 10
    )
    bad_span = one_person(
        birth_date=dt.date(1970, 6, 6),
        memberships=[
            {"code": "disability", "start": dt.date(2021, 5, 1), "end": dt.date(2021, 1, 1)}
        ],
    )
    pop = build([bad_iin, good, bad_span])
    result = evaluate(pop, "2026-03-15")
    assert result["id"].to_list() == pop.persons["id"].to_list()
    statuses = result["status"].to_list()
    errors = result["error"].to_list()
    assert statuses[0] is None and "person.id" in errors[0] and "check digit" in errors[0]
    assert statuses[1] == "not_insured" and errors[1] is None
    assert statuses[2] is None
    assert errors[2] == "person.memberships[0].end: 2021-01-01 is before start 2021-05-01"
    assert "80010" not in errors[0]  # identifiers never appear in errors


def test_structural_problems_are_listed_together_before_any_work() -> None:
    persons = pl.DataFrame(
        {"id": ["870412445016", "870412445016"], "birth_date": ["1987-04-12", "1987-13-01"]}
    )
    with pytest.raises(PopulationError) as info:
        Population.from_frames(persons, payments=pl.DataFrame({"person_id": ["x"]}))
    problems = info.value.problems
    assert any(p.startswith("persons.sex: missing column") for p in problems)
    assert any(p.startswith("payments.month: missing column") for p in problems)
    fixed = persons.with_columns(pl.Series("sex", ["female", "female"]))
    with pytest.raises(PopulationError) as info:
        Population.from_frames(fixed)
    assert "persons.id: 1 id(s) appear more than once" in str(info.value)


def test_a_value_that_is_not_a_date_is_that_persons_error() -> None:
    persons = pl.DataFrame(
        {
            "id": ["870412445016", "800101300016"],
            "birth_date": ["1987-04-12", "1980-13-01"],
            "sex": ["female", "male"],
        }
    )
    result = evaluate(Population.from_frames(persons), "2026-03-15")
    assert result["error"][0] is None
    assert result["error"][1].startswith("person.birth_date: ")
    assert "800101300016" not in result["error"][1]


def test_rows_for_unknown_persons_and_wrong_dtypes_are_errors() -> None:
    persons = pl.DataFrame(
        {"id": ["870412445016"], "birth_date": [dt.date(1987, 4, 12)], "sex": ["female"]}
    )
    payments = pl.DataFrame(
        {
            "person_id": ["999999999999"],
            "month": ["2025-01"],
            "paid_on": [dt.date(2025, 1, 5)],
            "amount": [4250],
            "payer": ["self"],
        }
    )
    with pytest.raises(PopulationError, match=r"payments.person_id: 1 row\(s\) for persons"):
        evaluate(Population.from_frames(persons, payments=payments), "2026-03-15")
    with pytest.raises(PopulationError, match=r"persons\.id: expected text"):
        Population.from_frames(persons.with_columns(pl.col("id").cast(pl.Int64)))


def test_as_of_before_the_scheme_is_refused() -> None:
    pop = build([one_person()])
    with pytest.raises(PopulationError, match="benefits start on 2020-01-01"):
        evaluate(pop, "2019-12-31")


def test_pandas_and_arrow_tables_give_the_same_result() -> None:
    pytest.importorskip("pandas")
    pop = build(
        [
            one_person(payments=self_payments((2025, 1), 14)),
            one_person(birth_date=dt.date(2010, 1, 1)),
        ]
    )
    want = evaluate(pop, "2026-02-01")
    as_pandas = Population.from_frames(*(df.to_pandas() for _, df in pop.tables()))
    as_arrow = Population.from_frames(*(df.to_arrow() for _, df in pop.tables()))
    assert evaluate(as_pandas, "2026-02-01").equals(want)
    assert evaluate(as_arrow, "2026-02-01").equals(want)


def test_parquet_round_trip(tmp_path: Any) -> None:
    pop = build([one_person(payments=self_payments((2025, 1), 14))])
    back = Population.from_parquet(pop.to_parquet(tmp_path / "pop"))
    assert evaluate(back, "2026-02-01").equals(evaluate(pop, "2026-02-01"))


def test_duplicate_payment_records_make_the_row_invalid_wherever_they_are() -> None:
    pays = self_payments((2025, 1), 6)
    twin = one_person(birth_date=dt.date(1981, 3, 3), payments=[*pays, pays[2]])
    shuffled = one_person(birth_date=dt.date(1982, 4, 4), payments=list(reversed(pays)))
    pop = build([shuffled, twin])
    errors = evaluate(pop, "2025-07-01")["error"].to_list()
    assert errors[0] is None
    assert errors[1] == "payments[6]: duplicates payments[2] (same month, date, amount, payer)"


def test_a_population_built_from_persons_alone_evaluates() -> None:
    from insurrules.population import synthetic

    persons = synthetic(60, seed=3).persons
    alone = Population(persons=persons)  # the other tables default to empty, every column there
    result = evaluate(alone, "2026-03-15")
    assert result.height == 60 and result["error"].null_count() == 60
    documents = [alone.case(pid, "2026-03-15") for pid in persons["id"].to_list()[:10]]
    for row, case in zip(result.iter_rows(named=True), documents, strict=False):
        assert row["status"] == insurrules.decide(case).status
    assert evaluate(Population(persons=persons.clear()), "2026-03-15").height == 0


def test_evaluate_names_what_it_takes_when_given_something_else() -> None:
    import pytest

    from insurrules.population import evaluate

    with pytest.raises(TypeError, match="Population or a VnPopulation, not dict"):
        evaluate({"persons": []}, "2026-03-15")  # type: ignore[arg-type]
