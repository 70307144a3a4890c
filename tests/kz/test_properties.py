"""Invariants of the kz-osms rules (style.md §6), over generated cases."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import insurrules
from insurrules.models import Decision
from insurrules.months import YearMonth
from tests.kz.strategies import FULL, kz_cases

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(kz_cases(), st.randoms(use_true_random=False))
def test_payment_order_never_changes_the_decision(case: dict[str, Any], rnd: random.Random) -> None:
    shuffled = {**case, "payments": rnd.sample(case["payments"], len(case["payments"]))}
    assert insurrules.decide(case) == insurrules.decide(shuffled)


@SETTINGS
@given(kz_cases(residencies=FULL), st.data())
def test_an_extra_self_paid_month_never_removes_cover(case: dict[str, Any], data: Any) -> None:
    born = YearMonth.parse(case["person"]["birth_date"][:7])
    month = data.draw(
        st.integers(max(born.index, YearMonth(2019, 1).index), YearMonth(2027, 12).index)
    )
    ym = YearMonth.from_index(month)
    paid_on = max(ym.first_day(), dt.date.fromisoformat(case["person"]["birth_date"]))
    extra = {"month": str(ym), "paid_on": paid_on.isoformat(), "amount": "4250", "payer": "self"}
    if any(p == extra for p in case["payments"]):
        return
    richer = {**case, "payments": [*case["payments"], extra]}
    for offset in range(0, 30):
        as_of = YearMonth.parse(case["as_of"][:7]) + offset - 10
        if as_of < YearMonth(2020, 1):
            continue
        for day in (as_of.first_day(), as_of.last_day()):
            before = insurrules.decide({**case, "as_of": day.isoformat()})
            after = insurrules.decide({**richer, "as_of": day.isoformat()})
            if before.status == "insured":
                assert after.status == "insured", (day, before.reasons, after.reasons)


@SETTINGS
@given(st.lists(kz_cases(), min_size=1, max_size=5))
def test_batch_equals_decide(cases: list[dict[str, Any]]) -> None:
    assert insurrules.decide_many(cases) == [insurrules.decide(c) for c in cases]


@SETTINGS
@given(kz_cases())
def test_decisions_are_deterministic_and_round_trip_json(case: dict[str, Any]) -> None:
    first = insurrules.decide(case)
    assert insurrules.decide(case) == first
    assert Decision.model_validate_json(first.model_dump_json()) == first
    parsed = insurrules.Case.model_validate(case)
    assert insurrules.Case.model_validate_json(parsed.model_dump_json()) == parsed


@SETTINGS
@given(kz_cases())
def test_contract_invariants(case: dict[str, Any]) -> None:
    d = insurrules.decide(case)
    assert d.renew_by == d.insured_until
    if d.status == "not_insured":
        assert d.basis is None and d.insured_from is None and d.insured_until is None
    else:
        assert d.basis is not None and d.insured_from is not None
        assert d.insured_from <= d.as_of
        assert d.insured_until is None or d.as_of <= d.insured_until
    if d.basis == "state_funded":
        assert d.state_funded is not None
    death = case["person"]["death_date"]
    if death and case["as_of"] > death:
        assert d.status == "not_insured"
    assert d.reasons, "every decision gives reasons"


@SETTINGS
@given(kz_cases())
def test_insured_until_is_the_last_insured_day(case: dict[str, Any]) -> None:
    # with every fact already known on as_of, later dates are decided on the same facts
    known = [p for p in case["payments"] if p["paid_on"] <= case["as_of"]]
    requests = [d for d in case["person"]["care_requests"] if d <= case["as_of"]]
    case = {**case, "payments": known, "person": {**case["person"], "care_requests": requests}}
    d = insurrules.decide(case)
    if d.insured_until is None:
        return
    last = insurrules.decide({**case, "as_of": d.insured_until.isoformat()})
    assert last.status == "insured" and last.insured_until == d.insured_until
    after = d.insured_until + dt.timedelta(days=1)
    assert insurrules.decide({**case, "as_of": after.isoformat()}).status == "not_insured"


@SETTINGS
@given(kz_cases())
def test_decide_input_equals_the_case_model(case: dict[str, Any]) -> None:
    """decide()'s compiled input (rows, no model per record) is what the case model gives."""
    from insurrules.case import validate_input
    from insurrules.kz.case import KzCase, KzInput
    from insurrules.kz.decide import decide_kz
    from insurrules.kz.rules import default_rules

    full = KzCase.model_validate(case)
    assert validate_input(case) == KzInput.of(full)
    assert decide_kz(full, default_rules()) == insurrules.decide(case)
