"""Reason messages show the values in force: a reform's messages show the reformed values."""

from __future__ import annotations

import re
import string
from typing import Any

import pytest

import insurrules
from insurrules import kz
from insurrules.codes import LEGACY_CODES, NEW_CODES
from insurrules.messages import MESSAGES
from insurrules.models import Reason
from tests.builders import kz_case, payments


def reason(decision: insurrules.Decision, code: str) -> Reason:
    found = [r for r in decision.reasons if r.code == code]
    assert found, decision.reason_codes()
    return found[0]


LAPSED = kz_case("2025-11-15", payments("2024-01", "2025-04") + payments("2025-09", "2025-11"))


def test_a_shorter_debt_window_is_named_in_the_refusal() -> None:
    rules = kz.rules().with_changes({"kz.debt.window_months": 6})
    base = insurrules.decide(LAPSED)
    reformed = insurrules.decide(LAPSED, rules)
    assert "12-month window" in reason(base, "kz.debt.unsettled_months").message
    debt = reason(reformed, "kz.debt.unsettled_months").message
    assert "6-month window" in debt and "12" not in debt.split("window")[0].split("months")[-1]
    assert reformed.details["debt_months"] == ["2025-06", "2025-07", "2025-08"]
    assert "the last 6 months" in reason(reformed, "kz.status.not_insured").message
    assert "the last 12 months" in reason(base, "kz.status.not_insured").message


def test_a_paid_month_names_the_reformed_window() -> None:
    case = kz_case("2025-06-25", payments("2024-01", "2025-06"))
    rules = kz.rules().with_changes({"kz.debt.window_months": 6})
    assert (
        "no month of 2024-07..2025-06"
        in reason(insurrules.decide(case), "kz.contributions.paid").message
    )
    assert (
        "no month of 2025-01..2025-06"
        in reason(insurrules.decide(case, rules), "kz.contributions.paid").message
    )


def test_a_shorter_launch_period_is_named() -> None:
    case = kz_case("2020-02-15")
    base = reason(insurrules.decide(case), "kz.transition.launch").message
    rules = kz.rules().with_changes({"kz.transition.last_month": "2020-03"})
    reformed = reason(insurrules.decide(case, rules), "kz.transition.launch").message
    assert "2020-01..2020-06" in base
    assert "2020-01..2020-03" in reformed and "2020-06" not in reformed


def test_a_four_month_grace_says_four_months() -> None:
    rules = kz.rules().with_changes({"kz.grace.months": 4})
    paid = payments("2024-01", "2025-06")
    during = insurrules.decide(kz_case("2025-10-10", paid), rules)
    assert during.grace_months == 4
    grace = reason(during, "kz.grace.standard")
    assert "within 4 months after 2025-06" in grace.message
    assert "(2025-07..2025-10)" in grace.message
    assert grace.source == "reform"
    after = insurrules.decide(kz_case("2025-11-10", paid), rules)
    assert "its 4-month grace ended with 2025-10" in reason(after, "kz.grace.expired").message
    paying = insurrules.decide(kz_case("2025-06-25", paid), rules)
    assert "holds 4 more months, to 2025-10" in reason(paying, "kz.grace.available").message


def test_a_reformed_run_length_is_named_in_the_extended_grace() -> None:
    rules = kz.rules().with_changes({"kz.grace.extended_after_months": {"from 2026-01-01": 36}})
    case = kz_case("2026-02-10", payments("2022-01", "2025-12", "employer", amount="9000"))
    base = insurrules.decide(case)
    assert base.grace_months == 3  # 48 months: not enough for the law in force
    extended = reason(insurrules.decide(case, rules), "kz.grace.extended").message
    assert "within 6 months" in extended and "after 36 unbroken paid months" in extended


def test_a_prepayment_names_the_reformed_number_of_months() -> None:
    rules = kz.rules().with_changes({"kz.prepaid.months": 6})
    pays = payments("2025-03", "2025-08", paid_on="2025-02-20")
    decision = insurrules.decide(kz_case("2025-04-10", pays), rules)
    assert decision.basis == "prepaid"
    assert "lies in 6 future months" in reason(decision, "kz.prepaid.advance").message


def test_a_reformed_vn_wait_says_its_days() -> None:
    rules = insurrules.vn.rules().with_changes({"vn.card.waiting_days": 90})
    case: dict[str, Any] = {
        "scheme": "vn-bhyt",
        "as_of": "2025-03-01",
        "person": {"id": "079123456789", "birth_date": "1990-05-01", "sex": "female"},
        "payments": [
            {"paid_on": "2025-01-10", "months": 12, "amount": "1263600", "payer": "household"}
        ],
    }
    base = insurrules.decide(case)
    reformed = insurrules.decide(case, rules)
    assert "from 30 days after payment" in reason(base, "vn.card.waiting_period").message
    assert "from 90 days after payment" in reason(reformed, "vn.card.waiting_period").message


def test_a_reformed_copay_waiver_is_named_when_five_years_are_reached() -> None:
    case: dict[str, Any] = {
        "scheme": "vn-bhyt",
        "as_of": "2026-05-01",
        "person": {"id": "042220009017", "birth_date": "2020-11-10", "sex": "female"},
    }
    rules = insurrules.vn.rules().with_changes({"vn.card.copay_waiver_base_salaries": 4})
    base = reason(insurrules.decide(case), "vn.continuity.reached").message
    reformed = reason(insurrules.decide(case, rules), "vn.continuity.reached").message
    assert "above 6 months of base salary" in base
    assert "above 4 months of base salary" in reformed


def test_old_codes_are_documented_aliases_of_the_new() -> None:
    decision = insurrules.decide(kz_case("2025-08-10", payments("2024-01", "2025-06")))
    grace = reason(decision, "kz.grace.standard")
    assert grace.legacy_code == "kz.grace.three_months"
    assert reason(decision, "kz.grace.standard").legacy_code in LEGACY_CODES
    unchanged = Reason(code="kz.debt.unsettled_months", message="m", source="s")
    assert unchanged.legacy_code == "kz.debt.unsettled_months"
    assert {NEW_CODES[new] for new in LEGACY_CODES.values()} == set(LEGACY_CODES)
    for new in LEGACY_CODES.values():
        assert any(key.split("#")[0] == new for key in MESSAGES), new


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_no_template_writes_a_number_of_the_law(key: str) -> None:
    """Values the rules read from parameters are placeholders (a reform changes them)."""
    template = MESSAGES[key]
    literal = "".join(text for text, *_ in string.Formatter().parse(template))
    numbers = set(re.findall(r"\d+", literal))
    # article numbers and labels are not values of the rules: D-5, art. 26, 30 Sep, VND, ...
    allowed = {"26", "3", "5", "30"} if key.startswith(("kz.state", "vn.")) else {"26", "5"}
    assert numbers <= allowed, (key, numbers)


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_a_kept_reason_is_the_reason_worded_afresh(lang: str) -> None:
    """Reasons are kept by their arguments (messages._worded): one kept for equal values of
    another type or another writing (1 and True, Decimal 1.0 and 1) is never given back."""
    import datetime as dt
    from decimal import Decimal

    from insurrules.messages import _reason, reason, speaking

    code, source = "kz.grace.standard", "art. 5"
    values: list[Any] = [1, True, 1.0, -0.0, 0.0, 0, Decimal("1.0"), Decimal("1"), "1"]
    values += [dt.date(2025, 1, 1), dt.datetime(2025, 1, 1), None]
    with speaking(lang, "kz-osms"):
        for _ in range(2):  # the second round reads what the first kept
            for value in values:
                given = {"month": value, "grace_months": value, "last_paid": "2025-01"}
                given |= {"grace_first": "2025-02", "grace_last": "2025-04", "run": 60}
                got = reason(code, source, **given)
                assert got == _reason(code, source, None, given), value
                assert got.message == _reason(code, source, None, given).message


def test_the_kept_basis_and_later_records_reasons_are_those_worded_afresh() -> None:
    """A decision's basis reason and its reason for later records are kept by their values,
    the rules and the language spoken (kz.decide): each is the one worded afresh."""
    import datetime as dt

    from insurrules.kz.decide import GraceAt, _basis_reason, _kept_basis_reason, _later_ignored
    from insurrules.kz.params import kz_params
    from insurrules.kz.reading import BASES
    from insurrules.kz.rules import default_rules
    from insurrules.messages import language_spoken, speaking

    shipped = default_rules()
    reformed = shipped.with_changes({"kz.debt.window_months": 6, "kz.grace.months": 4})
    graces = (None, GraceAt(24_300, 3, False), GraceAt(24_300, 6, True))
    for lang in ("en", "ru", "kk", "en"):
        with speaking(lang, "kz-osms"):
            language = language_spoken()
            for rules in (shipped, reformed, shipped):
                p = kz_params(rules)
                for basis in (*BASES, None):
                    for grace in graces:
                        for m0 in (24_240, 24_301, 24_313):
                            kept = _kept_basis_reason(basis, grace, rules, m0, language)
                            assert kept == _basis_reason(basis, grace, p, rules, m0)
            for payments, requests in ((1, 0), (0, 2), (3, 1)):
                as_of = dt.date(2025, 6, 1)
                kept_later = _later_ignored(payments, requests, as_of, language)
                assert kept_later == _later_ignored.__wrapped__(payments, requests, as_of, language)


def test_kept_basis_reasons_do_not_keep_a_reform_alive() -> None:
    """The basis reasons are kept in the rule set's own cache: a reform no longer used is freed
    (an analyst makes many)."""
    import gc
    import weakref

    import insurrules
    from insurrules.kz.rules import default_rules

    reform = default_rules().with_changes({"kz.grace.months": 4})
    document = {
        "scheme": "kz-osms",
        "as_of": "2025-09-25",
        "person": {"id": "870412445016", "birth_date": "1987-04-12", "sex": "female"},
        "payments": [  # 2024-10..2025-09: no debt in the window
            {"month": f"{y}-{m:02d}", "paid_on": f"{y}-{m:02d}-20", "amount": "1", "payer": "self"}
            for y, m in [(2024, 10), (2024, 11), (2024, 12)] + [(2025, m) for m in range(1, 10)]
        ],
    }
    assert insurrules.decide(document, reform).basis == "contributions"
    assert reform.cache["kz.basis_reasons"]
    gone = weakref.ref(reform)
    del reform
    gc.collect()
    assert gone() is None
