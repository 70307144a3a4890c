"""``insurrules schema case`` is a JSON Schema 2020-12 document that a standard validator
(``jsonschema``) applies as the library does: every example passes, every structural bad input
of the contract fails with an error located at the field, and no error echoes the identifier."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from insurrules.cli import main
from tests.builders import kz_case, payments
from tests.test_bad_input import DELETE, mutate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
IIN = "870412445016"


def _schema(which: str) -> dict[str, Any]:
    out = io.StringIO()
    assert main(["schema", which], out=out) == 0
    schema: dict[str, Any] = json.loads(out.getvalue())
    return schema


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = _schema("case")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_the_decision_schema_is_2020_12_too() -> None:
    schema = _schema("decision")
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")
    assert all("description" in p for p in schema["properties"].values())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_is_valid(validator: Draft202012Validator, path: Path) -> None:
    assert list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8")))) == []


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        ("as_of", "2025-02-30", "as_of"),
        ("as_of", "15.03.2025", "as_of"),
        ("as_of", 20250315, "as_of"),
        ("as_of", "9999-12-31", "as_of"),
        ("person.id", "8704124450", "person.id"),
        ("person.id", "８７０４１２４４５０１６", "person.id"),
        ("person.sex", "x", "person.sex"),
        ("person.residency", "tourist", "person.residency"),
        ("person.birth_date", DELETE, "person"),
        ("payments.0.amount", "-1", "payments.0.amount"),
        ("payments.0.amount", "lots", "payments.0.amount"),
        ("payments.0.amount", 4250.5, "payments.0.amount"),
        ("payments.0.amount", "1_000", "payments.0.amount"),
        ("payments.0.month", "2024-13", "payments.0.month"),
        ("payments.0.payer", "boss", "payments.0.payer"),
        ("payments.1", None, "payments.1"),
        ("scheme", "xx-osms", "scheme"),
        ("unknown", 1, ""),
        ("person.nickname", "x", "person"),
        (
            "person.memberships",
            [{"code": "child", "start": "2021-05-01"}],
            "person.memberships.0.code",
        ),
    ],
)
def test_bad_input_fails_at_the_field_without_echoing_the_id(
    validator: Draft202012Validator, path: str, value: Any, where: str
) -> None:
    errors = list(validator.iter_errors(mutate(path, value)))
    assert errors, "the schema refuses what the library refuses"
    located = {".".join(str(p) for p in e.absolute_path) for e in errors}
    assert where in located, located
    for error in errors:
        assert IIN not in error.message


def test_the_vn_shape_applies_to_vn_cases(validator: Draft202012Validator) -> None:
    vn = json.loads((ROOT / "examples" / "vn-household-late.json").read_text(encoding="utf-8"))
    vn["payments"][0]["months"] = 5
    vn["person"]["household"] = {"rank": 0}
    located = {".".join(str(p) for p in e.absolute_path) for e in validator.iter_errors(vn)}
    assert {"payments.0.months", "person.household.rank"} <= located


def test_record_counts_are_bounded_in_the_schema(validator: Draft202012Validator) -> None:
    case = kz_case("2025-03-15", payments("2024-01", "2024-01") * 10_001)
    messages = [e.message for e in validator.iter_errors(case)]
    assert any("is too long" in m or "expected at most" in m for m in messages), messages
