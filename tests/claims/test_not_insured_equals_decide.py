"""``not_insured`` equals ``decide()`` with ``as_of`` = the service date, claim by claim.

Random small populations (late and early payments, deaths, state categories, D/E care
requests) and claims on random days, weighted towards the days facts arrive and the death day,
where a decision changes within a month.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import insurrules
from insurrules.claims import screen
from insurrules.kz.iin import make_iin
from insurrules.months import YearMonth
from tests.claims.helpers import claims, population_of

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIRST, LAST = YearMonth(2024, 1).index, YearMonth(2026, 6).index


def _day(draw: st.DrawFn, month: int) -> dt.date:
    ym = YearMonth.from_index(month)
    return ym.first_day() + dt.timedelta(days=draw(st.integers(0, ym.last_day().day - 1)))


@st.composite
def person(draw: st.DrawFn, serial: int) -> dict[str, Any]:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=draw(st.integers(0, 365 * 45)))
    sex: Literal["male", "female"] = draw(st.sampled_from(["male", "female"]))
    doc: dict[str, Any] = {
        "id": make_iin(born, sex, serial),
        "birth_date": born.isoformat(),
        "sex": sex,
    }
    if draw(st.booleans()) and draw(st.booleans()):
        doc["death_date"] = _day(draw, draw(st.integers(FIRST, LAST))).isoformat()
    if draw(st.integers(0, 4)) == 0:
        start = _day(draw, draw(st.integers(FIRST, LAST)))
        doc["memberships"] = [
            {"code": "registered_unemployed", "start": start.isoformat(), "end": None}
        ]
    if draw(st.integers(0, 4)) == 0:
        doc["welfare_levels"] = [{"level": "D", "start": "2025-06-01", "end": None}]
        doc["care_requests"] = [_day(draw, draw(st.integers(FIRST + 24, LAST))).isoformat()]
    months = sorted(draw(st.sets(st.integers(FIRST - 18, LAST), max_size=30)))
    pays = []
    for m in months:
        late = draw(st.sampled_from([0, 0, 0, 1, 2, 5]))
        paid_on = _day(draw, m + late)
        if paid_on < born or YearMonth.from_index(m).last_day() < born:
            continue
        pays.append(
            {
                "month": str(YearMonth.from_index(m)),
                "paid_on": paid_on.isoformat(),
                "amount": "4250",
                "payer": draw(st.sampled_from(["self", "employer"])),
            }
        )
    return {"person": doc, "payments": pays}


@st.composite
def scenario(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[tuple[str, dt.date]]]:
    people = [draw(person(10 * serial)) for serial in range(draw(st.integers(1, 4)))]
    # make_iin moves to the next serial when a check digit cannot be made: keep ids distinct
    assume(len({p["person"]["id"] for p in people}) == len(people))
    asked: list[tuple[str, dt.date]] = []
    for doc in people:
        pid = doc["person"]["id"]
        special = [dt.date.fromisoformat(p["paid_on"]) for p in doc["payments"]]
        special += [dt.date.fromisoformat(d) for d in doc["person"].get("care_requests", [])]
        if "death_date" in doc["person"]:
            special.append(dt.date.fromisoformat(doc["person"]["death_date"]))
        for _ in range(draw(st.integers(1, 6))):
            near_a_fact = draw(st.booleans())
            if special and near_a_fact:
                day = draw(st.sampled_from(special)) + dt.timedelta(days=draw(st.integers(-1, 1)))
            else:
                day = _day(draw, draw(st.integers(FIRST, LAST)))
            asked.append((pid, day))
    return people, asked


@SETTINGS
@given(scenario())
def test_not_insured_is_decide_on_the_service_date(
    data: tuple[list[dict[str, Any]], list[tuple[str, dt.date]]],
) -> None:
    people, asked = data
    population = population_of(*people)
    rows = [
        {
            "person_id": pid,
            "service_date": day.isoformat(),
            "funding": "osms",
            "service_code": f"S{i}",
        }
        for i, (pid, day) in enumerate(asked)
    ]
    result = screen(claims(*rows), population)
    for (pid, day), flags, reasons in zip(
        asked, result["flags"].to_list(), result["reasons"].to_list(), strict=True
    ):
        decision = insurrules.decide(population.case(pid, day))
        flagged = "not_insured" in flags
        assert flagged == (decision.status == "not_insured"), (day, decision.reason_codes())
        if flagged:
            code = next(c for c in decision.reason_codes() if c != "kz.facts.later_ignored")
            assert f"({code})" in reasons[flags.index("not_insured")]


def test_the_engine_and_decide_give_the_same_status_code_and_message() -> None:
    from insurrules.claims.insurance import status_by_decide, status_by_evaluate
    from insurrules.claims.synthetic import synthetic_claims
    from insurrules.population import synthetic

    population = synthetic(400, seed=5, as_of="2026-03-15")
    made = synthetic_claims(population, 600, 9, start=dt.date(2025, 1, 1), end=dt.date(2026, 3, 15))
    pairs = made.claims.select("person_id", "service_date").drop_nulls().unique()
    pairs = pairs.filter(pl.col("person_id").is_in(population.persons["id"].implode()))
    by_engine = status_by_evaluate(population, pairs).sort("person_id", "service_date")
    by_decide = status_by_decide(population, pairs).sort("person_id", "service_date")
    assert by_engine.height == pairs.height
    assert by_engine.equals(by_decide)
    assert by_engine["insured"].sum() < pairs.height  # refusals were compared too
    assert by_engine["code"].null_count() < pairs.height


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_refusals_are_worded_in_the_language_asked_with_the_same_codes(lang: str) -> None:
    """The population engine's refusals in Russian or Kazakh: what ``decide(lang=...)`` says,
    with the codes of the English refusals; the screening's reasons quote them."""
    from insurrules.claims.insurance import status_by_decide, status_by_evaluate
    from insurrules.claims.synthetic import synthetic_claims
    from insurrules.population import synthetic

    population = synthetic(150, seed=7, as_of="2026-03-15")
    made = synthetic_claims(population, 200, 3, start=dt.date(2019, 6, 1), end=dt.date(2026, 3, 15))
    pairs = made.claims.select("person_id", "service_date").drop_nulls().unique()
    pairs = pairs.filter(pl.col("person_id").is_in(population.persons["id"].implode()))
    spoken = status_by_evaluate(population, pairs, lang=lang).sort("person_id", "service_date")
    assert spoken.equals(
        status_by_decide(population, pairs, lang=lang).sort("person_id", "service_date")
    )
    english = status_by_evaluate(population, pairs).sort("person_id", "service_date")
    assert spoken["code"].to_list() == english["code"].to_list()
    refused = english["message"].is_not_null()
    assert refused.sum() > 0 and (english["service_date"] < dt.date(2020, 1, 1)).any()
    ours, theirs = spoken["message"].filter(refused), english["message"].filter(refused)
    for mine, english_text in zip(ours, theirs, strict=True):
        assert mine != english_text and "{" not in mine
    screened = screen(made.claims, population, lang=lang)
    reasons = [r for rs in screened["reasons"].to_list() for r in rs]
    billed = {"ru": "предъявлено к оплате за счёт ОСМС", "kk": "МӘМС есебінен төлеуге"}[lang]
    assert any(r.startswith(billed) for r in reasons)
    assert not any(r.startswith("billed to OSMS") for r in reasons)
