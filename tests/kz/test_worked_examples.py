"""The worked examples of kz-sources.md (W1-W13) that state an outcome, as data."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import insurrules
from insurrules import kz
from insurrules.months import YearMonth
from tests.builders import kz_case, payments

EXAMPLES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "worked_examples.json").read_text(encoding="utf-8")
)


def _payments(spec: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in spec:
        first, last = item["range"]
        out += payments(
            first,
            last,
            item.get("payer", "self"),
            paid_on=item.get("paid_on"),
            amount=item.get("amount", "4250"),
            skip=tuple(item.get("skip", ())),
        )
    return out


def decision_checks() -> list[Any]:
    params = []
    for ex in EXAMPLES:
        for check in ex.get("checks", []):
            params.append(pytest.param(ex, check, id=f"{ex['id']}-{check['as_of']}"))
    return params


def contribution_checks() -> list[Any]:
    return [
        pytest.param(item, id=f"{ex['id']}-{item['payer']}-{item['on']}")
        for ex in EXAMPLES
        for item in ex.get("contributions", [])
    ]


def build(example: dict[str, Any], as_of: str) -> dict[str, Any]:
    fields = dict(example["person"])
    return kz_case(as_of, _payments(example.get("payments", [])), **fields)


@pytest.mark.parametrize(("example", "check"), decision_checks())
def test_worked_example(example: dict[str, Any], check: dict[str, Any]) -> None:
    decision = insurrules.decide(build(example, check["as_of"]))
    document = decision.model_dump(mode="json")
    for key, expected in check.items():
        if key in ("as_of",):
            continue
        if key == "reason":
            assert expected in decision.reason_codes(), decision.reasons
        elif key in ("debt_months", "amount_due"):
            assert document["details"][key] == expected
        else:
            assert document[key] == expected, (key, document)


@pytest.mark.parametrize("item", contribution_checks())
def test_worked_contribution(item: dict[str, Any]) -> None:
    on = YearMonth.parse(item["on"][:7])
    count = item.get("months", 1)
    total = sum(
        (kz.contribution(item["payer"], on + i, item.get("income")) for i in range(count)),
        Decimal(0),
    )
    assert total == Decimal(item["total"])
