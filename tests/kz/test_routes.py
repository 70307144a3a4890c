"""Each kz-osms route on both sides of its effective dates (kz.md "Routes to insured")."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

import insurrules
from insurrules import kz
from insurrules.models import Decision
from tests.builders import kz_case, payments


def decide(case: dict[str, Any], **changes: Any) -> Decision:
    rules = kz.rules().with_changes(changes) if changes else None
    return insurrules.decide(case, rules)


# -- scheme start and transition (R5.1) ---------------------------------------------------------
def test_as_of_before_2020_is_an_error_naming_the_start() -> None:
    with pytest.raises(ValidationError, match="benefits start on 2020-01-01"):
        decide(kz_case("2019-12-31"))


def test_the_first_day_of_benefits_is_accepted() -> None:
    assert decide(kz_case("2020-01-01")).basis == "transition"


def test_payments_start_with_july_2017() -> None:
    accepted = decide(kz_case("2020-01-15", payments("2017-07", "2017-07", paid_on="2017-07-20")))
    assert accepted.scheme == "kz-osms"
    with pytest.raises(ValidationError, match="OSMS contributions start with 2017-07"):
        decide(kz_case("2020-01-15", payments("2017-06", "2017-06", paid_on="2017-07-20")))


def test_transition_covers_non_payers_until_june_2020_only() -> None:
    assert decide(kz_case("2020-06-30")).basis == "transition"
    assert decide(kz_case("2020-07-01")).status == "not_insured"


def test_eaeu_worker_gets_no_transition_and_no_debt_window() -> None:
    assert decide(kz_case("2020-03-01", residency="eaeu_worker")).status == "not_insured"
    # paid months insure an EAEU worker even with unpaid months before (no debt window)
    case = kz_case("2024-05-25", payments("2024-05", "2024-05"), residency="eaeu_worker")
    decision = decide(case)
    assert (decision.status, decision.basis) == ("insured", "contributions")
    assert decide({**case, "as_of": "2024-08-31"}).basis == "grace_period"
    assert decide({**case, "as_of": "2024-09-01"}).status == "not_insured"


@pytest.mark.parametrize("residency", ["temporary_resident", "outside_scheme"])
def test_outside_participants_are_never_insured(residency: str) -> None:
    case = kz_case("2024-05-25", payments("2023-01", "2024-05"), residency=residency)
    decision = decide(case)
    assert decision.status == "not_insured"
    assert decision.grace_months is None
    assert f"kz.scope.{residency}" in decision.reason_codes()


# -- state categories (R4.1, R4.2) -------------------------------------------------------------
def test_child_is_covered_through_the_month_of_the_18th_birthday() -> None:
    case = kz_case("2024-07-31", birth_date="2006-07-31")
    assert decide(case).state_funded is not None
    assert decide({**case, "as_of": "2024-08-01"}).status == "not_insured"


def test_house_arrest_exists_from_march_2022() -> None:
    member = {"memberships": [{"code": "house_arrest", "start": "2021-10-01", "end": "2022-05-31"}]}
    before = decide(kz_case("2022-02-15", **member))
    after = decide(kz_case("2022-03-15", **member))
    assert before.status == "not_insured"
    assert after.state_funded is not None and after.state_funded.category == "house_arrest"


def test_registered_unemployed_moves_from_republican_to_local_budget_in_2026() -> None:
    member = {"memberships": [{"code": "registered_unemployed", "start": "2025-06-01"}]}
    dec_2025 = decide(kz_case("2025-12-31", **member))
    dec_2026 = decide(kz_case("2026-01-01", **member))
    assert dec_2025.state_funded is not None and dec_2025.state_funded.budget == "republican"
    assert dec_2026.state_funded is not None and dec_2026.state_funded.budget == "local"
    assert dec_2026.insured_from is not None and dec_2026.insured_from.isoformat() == "2025-06-01"


def test_targeted_social_assistance_ends_with_2025_unless_d4_says_otherwise() -> None:
    member = {"memberships": [{"code": "targeted_social_assistance", "start": "2024-01-01"}]}
    assert decide(kz_case("2025-12-31", **member)).basis == "state_funded"
    assert decide(kz_case("2026-01-01", **member)).status == "not_insured"
    alt = {"kz.interpretation.targeted_social_assistance_after_2025": True}
    assert decide(kz_case("2026-01-01", **member), **alt).basis == "state_funded"


def test_open_membership_of_a_category_ending_in_law_is_not_open_ended_cover() -> None:
    member = {"memberships": [{"code": "targeted_social_assistance", "start": "2020-01-01"}]}
    decision = decide(kz_case("2020-08-15", **member))
    assert decision.insured_until is not None
    assert decision.insured_until.isoformat() == "2025-12-31"


def test_first_category_in_law_order_is_reported() -> None:
    member = {
        "memberships": [
            {"code": "full_time_student", "start": "2020-09-01"},
            {"code": "disability", "start": "2020-01-01"},
        ]
    }
    decision = decide(kz_case("2023-01-10", birth_date="2001-01-01", **member))
    assert decision.state_funded is not None
    assert decision.state_funded.category == "disability"  # disability precedes students


def test_de_route_does_not_exist_before_2026() -> None:
    person: dict[str, Any] = {"welfare_levels": [{"level": "D", "start": "2025-01-01"}]}
    assert decide(kz_case("2025-12-20", care_requests=["2025-12-10"], **person)).status == (
        "not_insured"
    )
    dec = decide(kz_case("2026-01-20", care_requests=["2026-01-10"], **person))
    assert dec.state_funded is not None and dec.state_funded.category == "welfare_level_de"


def test_de_route_needs_level_d_or_e_on_the_request_date() -> None:
    person: dict[str, Any] = {"welfare_levels": [{"level": "C", "start": "2025-01-01"}]}
    assert decide(kz_case("2026-03-20", care_requests=["2026-03-10"], **person)).status == (
        "not_insured"
    )


def test_de_person_already_in_art26_category_is_reported_under_it() -> None:
    person: dict[str, Any] = {
        "welfare_levels": [{"level": "E", "start": "2025-01-01"}],
        "memberships": [{"code": "pension_recipient", "start": "2024-01-01"}],
        "care_requests": ["2026-03-10"],
    }
    dec = decide(kz_case("2026-03-20", birth_date="1960-05-05", sex="male", **person))
    assert dec.state_funded is not None and dec.state_funded.category == "pension_recipient"


def test_d6_new_year_needs_new_request_unless_switched() -> None:
    person: dict[str, Any] = {
        "welfare_levels": [{"level": "E", "start": "2026-01-01"}],
        "care_requests": ["2026-11-10"],
    }
    assert decide(kz_case("2027-01-05", **person)).status == "not_insured"
    alt = {"kz.interpretation.de_new_request_each_year": False}
    assert decide(kz_case("2027-01-05", **person), **alt).basis == "state_funded"


def test_d5_work_payment_bars_de_unless_switched() -> None:
    person: dict[str, Any] = {"welfare_levels": [{"level": "D", "start": "2026-01-01"}]}
    case = kz_case(
        "2026-04-20",
        payments("2026-01", "2026-01", "employer"),
        care_requests=["2026-04-10"],
        **person,
    )
    assert decide(case).status == "not_insured"
    assert decide(case, **{"kz.interpretation.work_payments_end_de": False}).basis == (
        "state_funded"
    )
    # a work payment four months before is outside the look-back
    case_ok = kz_case(
        "2026-05-20",
        payments("2026-01", "2026-01", "employer"),
        care_requests=["2026-05-10"],
        **person,
    )
    assert decide(case_ok).basis == "state_funded"


# -- contributions and the debt window (R5.2, R5.3) --------------------------------------------
def test_paid_month_with_debt_in_window_does_not_insure() -> None:
    pays = payments("2023-01", "2024-06", skip=("2023-09",))
    assert decide(kz_case("2024-06-25", pays)).status == "not_insured"
    assert decide(
        kz_case("2024-09-25", payments("2023-01", "2024-09", skip=("2023-09",)))
    ).basis == ("contributions")


def test_debt_never_reaches_before_2020() -> None:
    # first payment for 2020-07 after the transition: the months 2020-01..06 are debt
    case = kz_case("2020-12-25", payments("2020-07", "2020-12"))
    decision = decide(case)
    assert decision.status == "not_insured"
    assert decision.details["debt_months"] == [f"2020-0{i}" for i in range(1, 7)]


def test_state_months_are_not_debt() -> None:
    member = {
        "memberships": [
            {"code": "maternity_or_childcare_leave", "start": "2023-01-01", "end": "2024-02-29"}
        ]
    }
    decision = decide(kz_case("2024-03-25", payments("2024-03", "2024-03"), **member))
    assert decision.basis == "contributions"


# -- prepaid route (R5.4) ----------------------------------------------------------------------
def test_prepaid_route_counts_only_payments_from_5_september_2022() -> None:
    early = payments("2022-10", "2023-09", paid_on="2022-09-04", amount="3000")
    on_time = payments("2022-10", "2023-09", paid_on="2022-09-05", amount="3000")
    assert decide(kz_case("2022-11-15", early)).status == "not_insured"
    assert decide(kz_case("2022-11-15", on_time)).basis == "prepaid"


def test_prepaid_needs_all_twelve_months_paid_before_the_first() -> None:
    eleven = payments("2023-02", "2023-12", paid_on="2023-01-10")
    assert decide(kz_case("2023-03-15", eleven)).status == "not_insured"


def test_employer_advance_payments_do_not_make_the_prepaid_route() -> None:
    pays = payments("2023-02", "2024-01", "employer", paid_on="2023-01-10")
    assert decide(kz_case("2023-03-15", pays)).status == "not_insured"


def test_d1_cancelled_forgets_debt_from_before_the_prepaid_year() -> None:
    # never paid 2022-01..09 (debt), then prepays 2022-10..2023-09 on 2022-09-20
    prepaid = payments("2022-10", "2023-09", paid_on="2022-09-20", amount="3000")
    case = kz_case("2022-11-15", prepaid, birth_date="1990-06-01", sex="male")
    bypassed = decide(case)
    assert bypassed.basis == "prepaid"
    assert bypassed.details["debt_months"] == ["2021-12"] + [f"2022-0{i}" for i in range(1, 10)]
    cancelled = decide(case, **{"kz.interpretation.prepaid_old_debt": "cancelled"})
    assert cancelled.basis == "contributions"
    assert cancelled.details["debt_months"] == []


# -- grace (R3.1, R3.2, D-2, D-3) --------------------------------------------------------------
def test_six_month_grace_applies_from_january_2026_even_after_a_gap() -> None:
    # kz.md: last paid 2025-08 with 60 months behind: uncovered in 2025-12, covered 2026-01..02
    case = kz_case("2025-12-15", payments("2020-09", "2025-08", "employer", amount="9000"))
    assert decide(case).status == "not_insured"
    jan = decide({**case, "as_of": "2026-01-15"})
    assert (jan.status, jan.basis, jan.grace_months) == ("insured", "grace_period", 6)
    assert decide({**case, "as_of": "2026-03-01"}).status == "not_insured"


def test_d2_state_months_skip_the_sixty_month_run() -> None:
    member = {
        "memberships": [
            {"code": "maternity_or_childcare_leave", "start": "2022-01-01", "end": "2022-12-31"}
        ]
    }
    pays = payments("2020-01", "2021-12", "employer", amount="9000") + payments(
        "2023-01", "2025-12", "employer", amount="9000"
    )
    case = kz_case("2026-05-10", pays, **member)
    assert decide(case).grace_months == 6  # 24 + 36 paid months, the leave year skipped
    assert decide(case, **{"kz.interpretation.state_months_in_run": "break"}).grace_months == 3


def test_d3_no_grace_after_state_category_unless_switched() -> None:
    member = {
        "memberships": [{"code": "full_time_student", "start": "2020-09-01", "end": "2024-06-30"}]
    }
    case = kz_case("2024-08-10", birth_date="2000-02-02", **member)
    assert decide(case).status == "not_insured"
    alt = decide(case, **{"kz.interpretation.grace_after_state_category": True})
    assert alt.basis == "grace_period"


def test_reform_of_the_sixty_month_threshold_changes_the_grace() -> None:
    case = kz_case("2026-05-10", payments("2023-01", "2025-12", "employer", amount="9000"))
    assert decide(case).status == "not_insured"
    reformed = decide(case, **{"kz.grace.extended_after_months": 36})
    assert (reformed.status, reformed.grace_months) == ("insured", 6)


# -- death (R8.1) ------------------------------------------------------------------------------
def test_death_ends_status_at_day_precision() -> None:
    case = kz_case("2024-06-10", payments("2023-01", "2024-06"), death_date="2024-06-12")
    alive = decide(case)
    assert alive.status == "insured"
    assert alive.insured_until is not None and alive.insured_until.isoformat() == "2024-06-12"
    dead = decide({**case, "as_of": "2024-06-13"})
    assert dead.status == "not_insured" and "kz.death.deceased" in dead.reason_codes()


def test_month_of_death_is_never_debt() -> None:
    # asked two months after the death: the window 2023-08..2024-07 holds the month of death
    alive = kz_case("2024-08-15", payments("2023-01", "2024-05"))
    assert decide(alive).details == {
        "debt_months": ["2024-06", "2024-07"],
        "amount_due": "12750",  # 2024-06..08 at 4 250
    }
    died = kz_case("2024-08-15", payments("2023-01", "2024-05"), death_date="2024-06-12")
    decision = decide(died)
    assert decision.details == {"debt_months": [], "amount_due": "0"}
    assert decision.reason_codes() == ["kz.death.deceased"]
    # the months before the month of death stay debt
    earlier = kz_case("2024-08-15", payments("2023-01", "2024-03"), death_date="2024-06-12")
    assert decide(earlier).details == {"debt_months": ["2024-04", "2024-05"], "amount_due": "8500"}
