"""Every kind of bad input in contract.md gets an error naming the field, with the IIN masked."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

import insurrules
from insurrules.errors import error_lines
from tests.builders import kz_case, payments

IIN = "870412445016"


def good() -> dict[str, Any]:
    case = kz_case("2025-03-15", payments("2024-01", "2024-03"))
    assert case["person"]["id"] == IIN
    return case


def problems(case: Any) -> list[str]:
    with pytest.raises(ValidationError) as info:
        insurrules.decide(case)
    lines = error_lines(info.value)
    text = "\n".join(lines) + str(info.value) + repr(info.value.errors())
    assert IIN not in text, "the IIN must never appear in an error"
    return lines


#: ``mutate(path, DELETE)`` removes the field
DELETE: Any = object()


def mutate(path: str, value: Any) -> dict[str, Any]:
    """The good case with the field at ``path`` (``payments.0.amount``) set to ``value``."""
    case = copy.deepcopy(good())
    target: Any = case
    keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split(".")]
    for key in keys[:-1]:
        target = target[key]
    if value is DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return case


@pytest.mark.parametrize(
    ("path", "value", "where", "why"),
    [
        ("as_of", "2025-02-30", "as_of", "not a real date"),
        ("as_of", "15.03.2025", "as_of", "ISO date"),
        ("as_of", 20250315, "as_of", "ISO date"),
        ("as_of", "2019-06-01", "as_of", "benefits start on 2020-01-01"),
        ("person.id", "870412445017", "person.id", "invalid check digit"),
        ("person.id", "8704124450", "person.id", "12 digits"),
        ("person.birth_date", "1987-04-13", "person.id", "gives birth date 1987-04-12"),
        ("person.sex", "male", "person.id", "says female"),
        ("person.sex", "x", "person.sex", "'male' or 'female'"),
        ("person.death_date", "1980-01-01", "person.death_date", "before birth_date"),
        ("person.residency", "tourist", "person.residency", "citizen"),
        ("payments.0.amount", "-1", "payments[0].amount", "cannot be negative"),
        ("payments.0.amount", "lots", "payments[0].amount", "not a number"),
        ("payments.0.amount", "NaN", "payments[0].amount", "finite"),
        ("payments.0.month", "2024-13", "payments[0].month", "month must be 1..12"),
        ("payments.0.month", "2016-05", "payments[0].month", "start with 2017-07"),
        ("payments.0.payer", "boss", "payments[0].payer", "employer"),
        ("payments.0.paid_on", "1987-01-01", "payments[0].paid_on", "before the person's birth"),
        ("payments.1", None, "payments[1]", "expected an object"),
        ("scheme", "xx-osms", "scheme", "kz-osms"),
        ("unknown", 1, "unknown", "Extra inputs are not permitted"),
        ("person.nickname", "x", "person.nickname", "Extra inputs are not permitted"),
    ],
)
def test_bad_field_is_named_with_its_reason(path: str, value: Any, where: str, why: str) -> None:
    lines = problems(mutate(path, value))
    assert any(line.startswith(f"{where or '(case)'}:") and why in line for line in lines), lines


def test_membership_end_before_start() -> None:
    case = good()
    case["person"]["memberships"] = [
        {"code": "disability", "start": "2021-05-01", "end": "2021-01-01"}
    ]
    assert problems(case) == ["person.memberships[0].end: 2021-01-01 is before start 2021-05-01"]


def test_unknown_membership_code_and_derived_child_code() -> None:
    case = good()
    case["person"]["memberships"] = [{"code": "child", "start": "2021-05-01"}]
    lines = problems(case)
    assert lines[0].startswith("person.memberships[0].code:")


def test_duplicate_identical_payment_records() -> None:
    case = good()
    case["payments"].append(dict(case["payments"][0]))
    assert problems(case) == [
        "payments[3]: duplicates payments[0] (same month, date, amount, payer)"
    ]


def test_overlapping_welfare_levels() -> None:
    case = good()
    case["person"]["welfare_levels"] = [
        {"level": "D", "start": "2026-01-01"},
        {"level": "C", "start": "2026-03-01", "end": "2026-04-01"},
    ]
    assert problems(case) == [
        "person.welfare_levels[1]: overlaps welfare_levels[0] (one level at a time)"
    ]


def test_several_problems_are_all_reported_one_line_each() -> None:
    case = good()
    case["payments"][0]["amount"] = "-3"
    case["payments"][1]["payer"] = "nobody"
    case["person"]["death_date"] = "1970-01-01"
    lines = problems(case)
    assert len(lines) >= 2
    assert all(": " in line for line in lines)


def test_case_repr_masks_the_iin() -> None:
    case = insurrules.Case.model_validate(good())
    assert IIN not in repr(case)
    assert "8704******16" in repr(case)
    assert case.model_dump()["person"]["id"] == IIN  # the document itself keeps the real id


def test_decide_many_prefixes_errors_with_the_case_index() -> None:
    bad = mutate("payments.0.amount", "-1")
    with pytest.raises(ValidationError) as info:
        insurrules.decide_many([good(), bad])
    assert error_lines(info.value) == [
        "[1].payments[0].amount: an amount cannot be negative, got -1"
    ]


# -- hostile input (issue 14): every class is a clean error naming the field -------------------
def _clean_error(case: Any) -> insurrules.InvalidCase:
    with pytest.raises(insurrules.InvalidCase) as info:
        insurrules.decide(case)
    exc = info.value
    assert exc.__cause__ is None and exc.__context__ is None
    assert all(err["input"] is None for err in exc.errors())
    text = str(exc) + repr(exc) + repr(exc.errors()) + repr(exc.problems)
    assert IIN not in text
    for problem in exc.problems:
        assert problem["reason"].strip() and "\n" not in problem["reason"]
    return exc


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        ("scheme", [], "scheme"),
        ("scheme", {"a": 1}, "scheme"),
        ("payments.0.payer", ["self"], "payments[0].payer"),
        ("person.sex", {"x": 1}, "person.sex"),
        ("as_of", "9999-12-31", "as_of"),
        ("as_of", "2101-01-01", "as_of"),
        ("person.birth_date", "0001-01-01", "person.birth_date"),
        ("person.id", "8704124450\ud800", "person.id"),
        ("person.id", "٨٧٠٤١٢٤٤٥٠١٦", "person.id"),
        ("person.id", "８７０４１２４４５０１６", "person.id"),
        ("person.id", IIN + "\n", "person.id"),
        ("person.id", int(IIN), "person.id"),
        ("payments.0.amount", "1" * 5000, "payments[0].amount"),
        ("payments.0.amount", 10**5000, "payments[0].amount"),
        ("payments.0.amount", "٥", "payments[0].amount"),
        ("payments.0.amount", "1_000", "payments[0].amount"),
        ("payments.0.amount", "1e999", "payments[0].amount"),
        ("payments.0.amount", 4250.5, "payments[0].amount"),
        ("payments.0.month", "٢٠٢٤-01", "payments[0].month"),
        ("payments.0.month", "2024-01\n", "payments[0].month"),
        ("payments.0.month", "2024-01-20", "payments[0].month"),
        ("payments.0.paid_on", " 2024-01-20", "payments[0].paid_on"),
        ("payments.0.paid_on", "2024-01-20\n", "payments[0].paid_on"),
        ("payments.0.paid_on", [[[[[[[[[[[]]]]]]]]]]], "payments[0].paid_on"),
    ],
    ids=lambda v: f"int{v.bit_length()}" if isinstance(v, int) else None,
)
def test_hostile_values_are_clean_errors_at_the_field(path: str, value: Any, where: str) -> None:
    exc = _clean_error(mutate(path, value))
    assert where in [p["path"] for p in exc.problems], exc.lines


def test_a_far_future_open_end_is_refused_quickly() -> None:
    case = good()
    case["person"]["memberships"] = [
        {"code": "disability", "start": "2021-01-01", "end": "9999-12-31"}
    ]
    exc = _clean_error(case)
    assert exc.lines == [
        "person.memberships[0].end: 9999-12-31 is outside the dates a case may carry "
        "(1800-01-01..2100-12-31); an open end is null"
    ]


def test_deep_nesting_and_unknown_keys_with_ids_or_newlines() -> None:
    deep: Any = 0
    for _ in range(100_000):
        deep = [deep]
    case = good()
    case["person"]["care_requests"] = deep
    case[IIN] = 1
    case["a\nb"] = 2
    exc = _clean_error(case)
    paths = [p["path"] for p in exc.problems]
    assert "person.care_requests[0]" in paths
    assert len(exc.problems) == 3  # a key with a newline is one problem, never two


def test_a_thousand_identical_open_levels_cost_a_sort_not_a_square() -> None:
    case = good()
    case["person"]["welfare_levels"] = [{"level": "D", "start": "2026-01-01"}] * 1000
    exc = _clean_error(case)
    assert len(exc.problems) == 101  # 100 listed, then a count of the rest
    assert exc.lines[-1] == "(case): and 899 more problems"
    assert (
        exc.lines[0] == "person.welfare_levels[1]: overlaps welfare_levels[0] (one level at a time)"
    )


def test_counts_of_records_are_bounded() -> None:
    case = good()
    case["payments"] = case["payments"] * 3334  # 10 002 records
    exc = _clean_error(case)
    assert exc.lines == ["payments: at most 10000 items, got 10002"]


def test_decide_many_collects_a_decision_or_the_error_of_each_case_in_order() -> None:
    bad = mutate("payments.0.amount", "-1")
    results = insurrules.decide_many([good(), bad, {"scheme": []}, good()], errors="collect")
    assert [type(r).__name__ for r in results] == [
        "Decision",
        "InvalidCase",
        "InvalidCase",
        "Decision",
    ]
    assert results[1].lines == ["payments[0].amount: an amount cannot be negative, got -1"]  # type: ignore[union-attr]
    assert results[0] == results[3] == insurrules.decide(good())


def test_decide_json_rejects_duplicate_keys_at_any_depth_and_bad_text() -> None:
    import json

    text = json.dumps(good())
    dup = text.replace('"sex": "female"', '"sex": "female", "sex": "male"')
    with pytest.raises(insurrules.InvalidCase) as info:
        insurrules.decide_json(dup)
    assert info.value.lines == [
        "person.sex: duplicate key: given 2 times (a document names each key once)"
    ]
    assert insurrules.decide_json(b"\xef\xbb\xbf" + text.encode()) == insurrules.decide(good())
    # a key named twice is refused at every depth, also where both values would be valid
    case = good()
    case["person"]["memberships"] = [{"code": "disability", "start": "2024-01-01"}]
    case["person"]["welfare_levels"] = [{"level": "A", "start": "2024-01-01"}]
    text = json.dumps(case)
    assert insurrules.decide_json(text) == insurrules.decide(case)
    for given, twice, where in [
        ('"scheme": "kz-osms"', '"scheme": "kz-osms", "scheme": "kz-osms"', "scheme"),
        ('"payer": "self"', '"payer": "self", "payer": "self"', "payments[0].payer"),
        (
            '"code": "disability"',
            '"code": "disability", "code": "disability"',
            "person.memberships[0].code",
        ),
        ('"level": "A"', '"level": "A", "level": "A"', "person.welfare_levels[0].level"),
        ('"payments": [', '"payments": [], "payments": [', "payments"),
    ]:
        with pytest.raises(insurrules.InvalidCase) as info:
            insurrules.decide_json(text.replace(given, twice, 1).encode())
        assert info.value.lines == [
            f"{where}: duplicate key: given 2 times (a document names each key once)"
        ]
    cases: list[tuple[bytes | str, str]] = [
        (text.encode("utf-16"), "UTF-16"),
        (text.encode()[:-1] + b"\xff", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (text.replace('"4250"', "NaN"), "NaN is not a JSON number"),
        (b"", "not valid JSON"),
    ]
    for data, reason in cases:
        with pytest.raises(insurrules.InvalidCase, match=reason):
            insurrules.decide_json(data)
