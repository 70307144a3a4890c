"""Many persons on many days in one call: each answer equals decide() on that person's case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import insurrules
from insurrules.kz.reading import BASES
from insurrules.kz.rules import default_rules
from insurrules.population import Population
from insurrules.population.kz.engine import answer
from tests.kz.test_worked_examples import EXAMPLES, _payments
from tests.population.popgen import AS_OF, build, iin, populations
from tests.population.test_evaluate import SWITCHES

_EPOCH = dt.date(1970, 1, 1)
_CONTEXT = {"kz.facts.later_ignored"}


def _queries(draw: st.DrawFn, pop: Population) -> tuple[list[int], list[dt.date]]:
    """Each person asked about on a few days, some the same day twice, in random order."""
    rows: list[int] = []
    days: list[dt.date] = []
    for row in range(pop.persons.height):
        for _ in range(draw(st.integers(0, 3))):
            month = draw(st.sampled_from(AS_OF))
            rows.append(row)
            days.append(month + dt.timedelta(days=draw(st.integers(0, 27))))
    order = draw(st.permutations(range(len(rows))))
    return [rows[i] for i in order], [days[i] for i in order]


@st.composite
def asked(draw: st.DrawFn, max_size: int = 10) -> tuple[Population, list[int], list[dt.date]]:
    pop = draw(populations(max_size=max_size))
    rows, days = _queries(draw, pop)
    return pop, rows, days


def assert_answers_equal_decide(
    pop: Population, rows: list[int], days: list[dt.date], rules: Any
) -> None:
    a = answer(
        pop,
        np.array(rows, dtype=np.int64),
        np.array([(d - _EPOCH).days for d in days], dtype=np.int64),
        rules,
        why=True,
    )
    ids = pop.persons["id"].to_list()
    for q, (row, day) in enumerate(zip(rows, days, strict=True)):
        try:
            case = pop.case(ids[row], day)
        except ValidationError:
            assert not a.valid[q]
            continue
        assert a.valid[q]
        d = insurrules.decide(case, rules)
        assert bool(a.insured[q]) == d.insured, case.model_dump_json()
        assert (BASES[a.basis[q]] if a.basis[q] >= 0 else None) == d.basis
        assert (int(a.grace[q]) if a.grace[q] >= 0 else None) == d.grace_months
        code = a.categories[a.category[q]][0] if a.category[q] >= 0 else None
        assert code == (d.state_funded.category if d.state_funded else None)
        if d.insured:
            assert q not in a.reasons
        else:
            want = [r for r in d.reasons if r.code not in _CONTEXT]
            assert a.reasons[q] == want, case.model_dump_json()


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(asked())
def test_each_query_equals_decide_with_its_reasons(drawn: Any) -> None:
    pop, rows, days = drawn
    assert_answers_equal_decide(pop, rows, days, default_rules())


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(asked(max_size=6), st.sampled_from(SWITCHES))
def test_each_query_equals_decide_under_switches(drawn: Any, changes: dict[str, Any]) -> None:
    pop, rows, days = drawn
    assert_answers_equal_decide(pop, rows, days, default_rules().with_changes(changes))


def test_a_payment_counts_only_from_the_day_it_arrived() -> None:
    from tests.population.test_evaluate import one_person, self_payments

    # June 2025 paid on 10 June and nothing before: on 9 June no payment is known at all, on
    # 10 June June is paid (the months before it are debt on both days)
    pop = build([one_person(payments=self_payments((2025, 6), 1))])
    days = [dt.date(2025, 6, 9), dt.date(2025, 6, 10), dt.date(2025, 6, 9)]
    a = answer(
        pop,
        np.zeros(3, dtype=np.int64),
        np.array([(d - _EPOCH).days for d in days], dtype=np.int64),
        default_rules(),
        why=True,
    )
    assert not a.insured.any()
    codes = [[r.code for r in a.reasons[q]] for q in range(3)]
    assert codes[0] == codes[2]
    assert "kz.contributions.none" in codes[0]
    assert "kz.contributions.none" not in codes[1]
    assert a.reasons[1][0].message.startswith("2025-06 is paid, but months")
    assert_answers_equal_decide(pop, [0, 0, 0], days, default_rules())


def _date(value: Any) -> Any:
    return None if value is None else dt.date.fromisoformat(value)


def _example_population(example: dict[str, Any]) -> Population:
    """The person of a worked example (tests/kz/worked_examples.json) as a population of one."""
    person = example["person"]
    birth = _date(person["birth_date"])
    return build(
        [
            {
                "person": {
                    "id": iin(birth, person["sex"], 4501),
                    "birth_date": birth,
                    "sex": person["sex"],
                    "death_date": _date(person.get("death_date")),
                    "residency": person.get("residency", "citizen"),
                    "region": "ALA",
                },
                "payments": [
                    {**p, "paid_on": _date(p["paid_on"])}
                    for p in _payments(example.get("payments", []))
                ],
                "memberships": [
                    {"code": m["code"], "start": _date(m["start"]), "end": _date(m.get("end"))}
                    for m in person.get("memberships", [])
                ],
                "welfare_levels": [
                    {"level": w["level"], "start": _date(w["start"]), "end": _date(w.get("end"))}
                    for w in person.get("welfare_levels", [])
                ],
                "care_requests": [_date(d) for d in person.get("care_requests", [])],
            }
        ]
    )


@pytest.mark.parametrize(
    "example", [pytest.param(ex, id=ex["id"]) for ex in EXAMPLES if ex.get("checks")]
)
def test_worked_examples_through_the_engine_equal_decide(example: dict[str, Any]) -> None:
    """Every worked example (newborns included) at population scale: each check's day asked
    through the engine, with the reasons of refusals, equals decide() on the same case."""
    pop = _example_population(example)
    days = [dt.date.fromisoformat(c["as_of"]) for c in example["checks"]]
    assert_answers_equal_decide(pop, [0] * len(days), days, default_rules())
    for day in days:
        row = insurrules.population.evaluate(pop, day).row(0, named=True)
        d = insurrules.decide(pop.case(pop.persons["id"][0], day))
        assert (row["status"], row["insured_from"], row["insured_until"]) == (
            d.status,
            d.insured_from,
            d.insured_until,
        )
