"""Each flag on its own and in combination (issue 6), on a small hand-made population."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

import insurrules
from insurrules.claims import FLAGS, screen
from tests.builders import payments, person
from tests.claims.helpers import claims, population_of

ANNA: dict[str, Any] = {
    "person": person("1987-04-12", "female"),
    "payments": payments("2023-01", "2026-06"),
}
BORIS: dict[str, Any] = {
    "person": person("1990-01-01", "male", death_date="2025-06-01"),
    "payments": payments("2023-01", "2025-05"),
}
# paid on time until 2024-12; 2025-01..2025-06 all arrive together on 2025-06-25
LATE: dict[str, Any] = {
    "person": person("1985-05-05", "male", serial=77),
    "payments": payments("2023-01", "2024-12")
    + payments("2025-01", "2025-06", paid_on="2025-06-25"),
}
NEVER_PAID: dict[str, Any] = {"person": person("1980-02-29", "female", serial=12), "payments": []}
POP = population_of(ANNA, BORIS, LATE, NEVER_PAID)
A, B, L, N = (p["person"]["id"] for p in (ANNA, BORIS, LATE, NEVER_PAID))


def flags_of(*rows: dict[str, Any]) -> list[list[str]]:
    return screen(claims(*rows), POP)["flags"].to_list()


def test_clean_claims_have_empty_flag_lists() -> None:
    result = screen(
        claims(
            {"person_id": A, "service_date": "2025-03-10", "funding": "osms"},
            {"person_id": N, "service_date": "2025-03-10", "funding": "guaranteed"},
        ),
        POP,
    )
    assert result["flags"].to_list() == [[], []]
    assert result["reasons"].to_list() == [[], []]


def test_result_keeps_every_input_column_and_row_in_order() -> None:
    table = claims(
        {"person_id": A, "service_date": "2025-03-10"},
        {"person_id": "bad", "service_date": "not a date"},
        {"person_id": A, "service_date": "2025-03-11"},
    ).with_columns(pl.lit("x").alias("extra"))
    result = screen(table, POP)
    assert result.drop("flags", "reasons").equals(table)
    assert result.columns[-2:] == ["flags", "reasons"]


@pytest.mark.parametrize(
    ("person_id", "why"),
    [
        ("870412445017", "invalid check digit"),
        ("87041244501", "12 digits"),
        ("abcdefghijkl", "12 digits"),
    ],
)
def test_an_id_that_is_no_iin_is_an_unknown_person(person_id: str, why: str) -> None:
    result = screen(claims({"person_id": person_id, "service_date": "2025-03-10"}), POP)
    assert result["flags"].to_list() == [["unknown_person"]]
    reason = result["reasons"].to_list()[0][0]
    assert why in reason
    assert person_id not in reason  # identifiers are masked


def test_a_valid_iin_nobody_in_the_population_has_is_an_unknown_person() -> None:
    stranger = person("1999-09-09", "male", serial=4242)["id"]
    result = screen(
        claims({"person_id": stranger, "service_date": "2025-03-10", "funding": "osms"}), POP
    )
    assert result["flags"].to_list() == [["unknown_person"]]
    assert result["reasons"].to_list()[0] == ["no person with this IIN in the population"]


def test_service_after_death_is_deceased_and_on_the_death_day_is_not() -> None:
    got = flags_of(
        {"person_id": B, "service_date": "2025-06-02"},
        {"person_id": B, "service_date": "2025-06-01"},
    )
    assert got == [["deceased"], []]


def test_service_before_birth() -> None:
    got = flags_of(
        {"person_id": A, "service_date": "1987-04-11"},
        {"person_id": A, "service_date": "1987-04-12"},
    )
    assert got == [["before_birth"], []]


def test_osms_claim_for_a_person_who_never_paid_is_not_insured_with_the_decision_code() -> None:
    result = screen(
        claims(
            {"person_id": N, "service_date": "2025-03-10", "funding": "osms"},
            {
                "person_id": N,
                "service_date": "2025-03-10",
                "funding": "guaranteed",
                "service_code": "B03.016",
            },
        ),
        POP,
    )
    assert result["flags"].to_list() == [["not_insured"], []]
    decision = insurrules.decide(POP.case(N, "2025-03-10"))
    assert decision.status == "not_insured"
    code = next(c for c in decision.reason_codes() if c != "kz.facts.later_ignored")
    assert f"({code})" in result["reasons"].to_list()[0][0]


def test_payments_that_arrived_later_never_make_a_past_service_insured() -> None:
    # LATE: grace after 2024-12 covers 2025-01..03; April and early June are uninsured on the
    # day; the debt is settled by the payments that arrive on 2025-06-25.
    rows = [
        {"person_id": L, "service_date": day, "funding": "osms", "service_code": code}
        for day, code in [
            ("2025-03-31", "A"),
            ("2025-04-10", "B"),
            ("2025-06-24", "C"),
            ("2025-06-25", "D"),
            ("2025-06-30", "E"),
        ]
    ]
    assert flags_of(*rows) == [[], ["not_insured"], ["not_insured"], [], []]
    for row, flagged in zip(rows, flags_of(*rows), strict=True):
        decision = insurrules.decide(POP.case(L, row["service_date"]))
        assert (decision.status == "not_insured") == (flagged == ["not_insured"])


def test_guaranteed_package_claims_are_never_judged_for_insurance() -> None:
    assert flags_of({"person_id": N, "service_date": "2025-03-10", "funding": "guaranteed"}) == [[]]


def test_osms_service_before_the_scheme_started_is_not_insured() -> None:
    result = screen(claims({"person_id": A, "service_date": "2019-12-31", "funding": "osms"}), POP)
    assert result["flags"].to_list() == [["not_insured"]]
    assert "kz.scheme.not_started" in result["reasons"].to_list()[0][0]


def test_the_same_claim_id_twice_flags_the_repeat_only() -> None:
    result = screen(
        claims(
            {"claim_id": "X1", "person_id": A, "service_date": "2025-03-10"},
            {"claim_id": "X2", "person_id": A, "service_date": "2025-03-11"},
            {"claim_id": "X1", "person_id": A, "service_date": "2025-03-12"},
        ),
        POP,
    )
    assert result["flags"].to_list() == [[], [], ["duplicate"]]
    assert result["reasons"].to_list()[2] == ["claim_id X1 was already billed at row 0"]


def test_the_same_service_billed_twice_under_new_ids_flags_the_repeat() -> None:
    same = {"person_id": A, "service_date": "2025-03-10", "provider": "P7"}
    result = screen(claims(same, {**same, "provider": "P8"}, same, same), POP)
    assert result["flags"].to_list() == [[], [], ["duplicate"], ["duplicate"]]
    assert result["reasons"].to_list()[3] == [
        "same person, service code, provider and date as claim c0 (row 0)"
    ]


def test_billing_both_funding_sources_flags_both_claims() -> None:
    base = {"person_id": A, "service_date": "2025-03-10"}
    result = screen(
        claims(
            {**base, "funding": "osms", "provider": "P1"},
            {**base, "funding": "guaranteed", "provider": "P2"},
            {**base, "funding": "guaranteed", "provider": "P2", "service_code": "OTHER"},
        ),
        POP,
    )
    assert result["flags"].to_list() == [["double_financed"], ["double_financed"], []]
    assert result["reasons"].to_list()[0] == [
        "also billed to the guaranteed package as claim c1 (row 1)"
    ]
    assert result["reasons"].to_list()[1] == ["also billed to OSMS as claim c0 (row 0)"]


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("service_date", "2025-02-30", "service_date: 2025-02-30 is not a date"),
        ("service_date", "10.03.2025", "service_date: 10.03.2025 is not a date"),
        ("service_date", None, "service_date: missing"),
        ("amount", "-100", "amount: -100 is negative"),
        ("amount", "12.345", "amount: 12.345 is not an amount"),
        ("amount", "ten", "amount: ten is not an amount"),
        ("funding", "OSMS", "funding: OSMS is not one of osms, guaranteed"),
        ("provider", None, "provider: missing"),
        ("claim_id", None, "claim_id: missing"),
    ],
)
def test_a_bad_field_is_an_invalid_flag_naming_it_never_a_dropped_row(
    field: str, value: str | None, said: str
) -> None:
    row = {"person_id": A, "service_date": "2025-03-10", field: value}
    result = screen(claims(row, {"person_id": A, "service_date": "2025-03-11"}), POP)
    assert result.height == 2
    assert result["flags"].to_list() == [["invalid"], []]
    assert result["reasons"].to_list()[0][0].startswith(said)


def test_invalid_values_that_look_like_ids_are_masked() -> None:
    result = screen(claims({"person_id": A, "service_date": A}), POP)
    assert result["flags"].to_list()[0] == ["invalid"]
    assert A not in result["reasons"].to_list()[0][0]


def test_flags_combine_in_a_fixed_order() -> None:
    result = screen(
        claims(
            {"claim_id": "D", "person_id": B, "service_date": "2025-07-01", "funding": "osms"},
            {
                "claim_id": "D",
                "person_id": B,
                "service_date": "2025-07-01",
                "funding": "guaranteed",
                "amount": "-1",
            },
        ),
        POP,
    )
    assert result["flags"].to_list() == [
        ["deceased", "not_insured", "double_financed"],
        ["invalid", "deceased", "duplicate", "double_financed"],
    ]
    assert "(kz.death.deceased)" in result["reasons"].to_list()[0][1]
    for flags, reasons in zip(result["flags"], result["reasons"], strict=True):
        assert len(flags) == len(reasons)
        assert list(flags) == [f for f in FLAGS if f in flags]


def test_a_person_whose_population_records_are_invalid_is_not_guessed() -> None:
    broken = population_of(
        ANNA,
        {"person": {**person("1970-01-01", "male", serial=5), "sex": "female"}, "payments": []},
    )
    pid = person("1970-01-01", "male", serial=5)["id"]
    result = screen(
        claims(
            {"person_id": pid, "service_date": "2025-03-10", "funding": "osms"},
            {
                "person_id": pid,
                "service_date": "2025-03-10",
                "funding": "guaranteed",
                "service_code": "Z",
            },
        ),
        broken,
    )
    assert result["flags"].to_list() == [["unknown_person"], []]
    assert "records of this person are invalid" in result["reasons"].to_list()[0][0]


def test_typed_columns_are_accepted() -> None:
    import datetime as dt
    from decimal import Decimal

    table = pl.DataFrame(
        {
            "claim_id": [1, 2],
            "person_id": [A, A],
            "service_date": [dt.date(2025, 3, 10), dt.date(2025, 3, 11)],
            "service_code": ["A", "A"],
            "provider": [10, 10],
            "amount": [Decimal("10.50"), Decimal("-1.00")],
            "funding": ["osms", "osms"],
        }
    )
    result = screen(table, POP)
    assert result["flags"].to_list() == [[], ["invalid"]]


def test_an_empty_table_screens_to_an_empty_result() -> None:
    result = screen(claims(), POP)
    assert result.height == 0
    assert result.columns[-2:] == ["flags", "reasons"]
