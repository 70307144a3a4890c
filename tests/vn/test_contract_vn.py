"""vn-bhyt decisions satisfy the contract invariants (contract.md "Decision document")."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import insurrules
from insurrules.models import Decision

HERE = Path(__file__).parent
EXAMPLES = HERE.parents[1] / "examples"
DOCUMENTS: list[dict[str, Any]] = [
    c["case"] for c in json.loads((HERE / "worked_cases.json").read_text(encoding="utf-8"))
] + [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("vn-*.json"))]
DETAIL_KEYS = {
    "valid_from",
    "valid_to",
    "waiting_period_applied",
    "keep_continuity_by",
    "continuous_since",
    "five_years_on",
}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_decision_contract(document: dict[str, Any]) -> None:
    decision = insurrules.decide(document)
    assert decision.scheme == "vn-bhyt"
    assert decision.grace_months is None
    assert decision.renew_by == decision.insured_until
    if decision.status == "insured":
        assert decision.basis in ("card", "state_funded")
        assert decision.insured_from is not None
        assert decision.insured_from <= decision.as_of
        assert decision.insured_until is None or decision.as_of <= decision.insured_until
    else:
        assert decision.basis is None
        assert decision.insured_from is None
        assert decision.insured_until is None
    if decision.basis == "state_funded":
        assert decision.state_funded is not None
    if decision.state_funded is not None:
        assert decision.state_funded.budget == "state"
    assert set(decision.details) >= DETAIL_KEYS
    for key in DETAIL_KEYS - {"waiting_period_applied"}:
        value = decision.details[key]
        assert value is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value))
    assert decision.reasons
    for reason in decision.reasons:
        assert reason.code.startswith("vn.")
        assert reason.message
        assert reason.source
    assert re.fullmatch(r"insurrules \S+ / vn-bhyt \d{4}-\d{2}-\d{2}", decision.rules_version)
    text = decision.model_dump_json()
    assert Decision.model_validate_json(text) == decision
    assert document["person"]["id"] not in text
    assert insurrules.decide(document) == decision  # deterministic
