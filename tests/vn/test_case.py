"""Bad vn-bhyt input: a clear error naming the field, through decide() and the CLI (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import insurrules
from insurrules.case import Case
from insurrules.cli import main
from insurrules.vn.case import VnCase
from tests.vn.builders import PERSON_ID, purchase, vn_case

MASKED = PERSON_ID[:4] + "******" + PERSON_ID[-2:]

BAD: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "card of 4 months",
        vn_case("2025-01-01", [purchase("2024-01-01", months=4)]),
        "payments[0].months",
        "3, 6 or 12 months",
    ),
    (
        "months as text",
        vn_case("2025-01-01", [purchase("2024-01-01", months="6")]),  # type: ignore[arg-type]
        "payments[0].months",
        "3, 6 or 12 months",
    ),
    (
        "amount not a number",
        vn_case("2025-01-01", [purchase("2024-01-01", amount="abc")]),
        "payments[0].amount",
        "not a number",
    ),
    (
        "negative amount",
        vn_case("2025-01-01", [purchase("2024-01-01", amount="-5")]),
        "payments[0].amount",
        "negative",
    ),
    (
        "two purchases on one day",
        vn_case("2025-01-01", [purchase("2024-01-01"), purchase("2024-01-01", months=6)]),
        "payments[1].paid_on",
        "same day as payments[0]",
    ),
    (
        "child-under-6 membership for an adult",
        vn_case("2025-01-01", memberships=[{"code": "child_under_6", "start": "2024-01-01"}]),
        "person.memberships[0]",
        "child_under_6 is derived from birth_date",
    ),
    (
        "child-under-6 membership running past the R9 end",
        vn_case(
            "2025-01-01",
            birth_date="2020-03-15",
            memberships=[{"code": "child_under_6", "start": "2020-03-15", "end": "2026-12-31"}],
        ),
        "person.memberships[0]",
        "2020-03-15..2026-09-30",
    ),
    (
        "unknown membership code",
        vn_case("2025-01-01", memberships=[{"code": "rich", "start": "2024-01-01"}]),
        "person.memberships[0].code",
        "near_poor",
    ),
    (
        "unknown payer",
        vn_case("2025-01-01", [purchase("2024-01-01", payer="neighbour")]),
        "payments[0].payer",
        "household",
    ),
    (
        "supported purchase without a support group",
        vn_case("2025-01-01", [purchase("2024-01-01", payer="supported")]),
        "payments[0].payer",
        "no support-group membership",
    ),
    (
        "purchase during an open-ended state-paid membership",
        vn_case(
            "2025-01-01",
            [purchase("2024-01-01")],
            memberships=[{"code": "poor_household", "start": "2023-01-01"}],
        ),
        "payments[0]",
        "state-paid group poor_household",
    ),
    (
        "two support groups at once",
        vn_case(
            "2025-01-01",
            memberships=[
                {"code": "near_poor", "start": "2024-01-01"},
                {"code": "student", "start": "2024-09-01", "end": "2025-06-30"},
            ],
        ),
        "person.memberships[1]",
        "one support group at a time",
    ),
    (
        "membership ending before it starts",
        vn_case(
            "2025-01-01",
            memberships=[{"code": "near_poor", "start": "2024-01-01", "end": "2023-01-01"}],
        ),
        "person.memberships[0].end",
        "before start",
    ),
    (
        "purchase before birth",
        vn_case("2025-01-01", [purchase("2019-12-31")], birth_date="2020-01-01"),
        "payments[0].paid_on",
        "before the person's birth",
    ),
    (
        "purchase before the modelled card rules",
        vn_case("2025-01-01", [purchase("2014-06-01")]),
        "payments[0].paid_on",
        "2015-01-01",
    ),
    ("as_of too early", vn_case("2014-12-31"), "as_of", "too early"),
    ("impossible date", vn_case("2025-02-30"), "as_of", "not a real date"),
    ("rank 0", vn_case("2025-01-01", household={"rank": 0}), "person.household.rank", "1"),
    (
        "rank as text",
        vn_case("2025-01-01", household={"rank": "2"}),
        "person.household.rank",
        "integer",
    ),
    (
        "death before birth",
        vn_case("2025-01-01", death_date="1979-01-01"),
        "person.death_date",
        "before birth_date",
    ),
    (
        "unknown field",
        vn_case("2025-01-01", [{**purchase("2024-01-01"), "card_no": "X"}]),
        "payments[0].card_no",
        "xtra",
    ),
]


def _loc(err: Any) -> str:
    out = ""
    for part in err["loc"]:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


@pytest.mark.parametrize(("what", "document", "field", "text"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_through_decide_names_the_field(
    what: str, document: dict[str, Any], field: str, text: str
) -> None:
    with pytest.raises(ValidationError) as info:
        insurrules.decide(document)
    errors = info.value.errors()
    assert [_loc(e) for e in errors] == [field]
    assert text in errors[0]["msg"]


@pytest.mark.parametrize(
    ("what", "document", "field", "text"), BAD[::3], ids=[b[0] for b in BAD[::3]]
)
def test_bad_input_through_the_cli_exits_2_with_one_line(
    what: str,
    document: dict[str, Any],
    field: str,
    text: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"{field}: ")
    assert text in err[0]
    assert "Traceback" not in err[0]


def test_several_problems_give_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = vn_case(
        "2025-01-01",
        [
            purchase("2024-01-01", months=5),
            purchase("2024-02-01", amount="x"),
            purchase("2024-03-01"),
        ],
        memberships=[{"code": "child_under_6", "start": "2024-01-01"}],
    )
    path = tmp_path / "case.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert sorted(line.split(": ")[0] for line in lines) == [
        "payments[0].months",
        "payments[1].amount",
        "person.memberships[0]",
    ]


def test_personal_id_is_masked_in_errors_and_reprs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = vn_case("2025-01-01", [purchase("2024-01-01", months=4)])
    path = tmp_path / "case.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    assert PERSON_ID not in capsys.readouterr().err
    bad_id = {**document, "person": {**document["person"], "id": PERSON_ID + "0"}}
    with pytest.raises(ValidationError) as info:
        insurrules.decide(bad_id)
    assert PERSON_ID not in str(info.value)
    case = Case.model_validate(vn_case("2025-01-01"))
    assert isinstance(case, VnCase)
    assert PERSON_ID not in repr(case)
    assert MASKED in repr(case)


def test_any_twelve_digits_are_a_valid_vn_id() -> None:
    for pid in ("000000000000", "999999999999", "012345678901"):
        document = vn_case("2025-01-01")
        document["person"]["id"] = pid
        assert insurrules.decide(document).scheme == "vn-bhyt"


def test_child_under_6_given_within_the_r9_period_is_allowed() -> None:
    document = vn_case(
        "2025-01-01",
        birth_date="2020-03-15",
        memberships=[{"code": "child_under_6", "start": "2020-03-15", "end": "2026-09-30"}],
    )
    decision = insurrules.decide(document)
    assert decision.state_funded is not None
    assert decision.state_funded.category == "child_under_6"


def test_purchase_while_a_card_is_pending_is_not_ambiguous() -> None:
    document = vn_case(
        "2025-04-01", [purchase("2025-03-01", months=3), purchase("2025-03-02", months=3)]
    )
    decision = insurrules.decide(document)
    assert (decision.insured_from, str(decision.insured_until)) == (
        decision.insured_from,
        "2025-09-29",
    )


def test_schema_covers_vn_cases(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "case"]) == 0
    schema = json.loads(capsys.readouterr().out)
    text = json.dumps(schema)
    assert "vn-bhyt" in text
    assert "VnPayment" in text
    assert "child_under_6" in text
