"""The vn examples in ``examples/`` decide through the CLI as the issue describes them."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

import insurrules
from insurrules.cli import main
from insurrules.models import Decision

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: example -> (status, basis, reason codes that must be present, details subset)
EXPECTED: dict[str, tuple[str, str | None, set[str], dict[str, Any]]] = {
    "vn-household-on-time.json": (
        "insured",
        "card",
        {"vn.card.continuous_renewal"},
        {"valid_from": "2025-11-21", "continuous_since": "2023-11-21"},
    ),
    "vn-household-late.json": (
        "insured",
        "card",
        {"vn.card.gap_not_covered"},
        {"valid_from": "2026-01-15", "continuous_since": "2023-11-21"},
    ),
    "vn-household-long-gap.json": (
        "not_insured",
        None,
        {"vn.card.waiting_period", "vn.card.pending"},
        {"valid_from": "2026-04-09", "waiting_period_applied": True},
    ),
    "vn-near-poor.json": (
        "insured",
        "card",
        {"vn.support.near_poor"},
        {"support_group": "near_poor", "renewal_amount_12_months": "379080"},
    ),
    "vn-child-under-6.json": (
        "insured",
        "state_funded",
        {"vn.state.child_under_6"},
        {"valid_to": "2026-11-30"},
    ),
}


def test_all_five_examples_exist() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("vn-*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_decides_through_the_cli(name: str) -> None:
    status, basis, codes, details = EXPECTED[name]
    out = io.StringIO()
    assert main(["check", str(EXAMPLES / name), "--json"], out=out) == 0
    decision = Decision.model_validate_json(out.getvalue())
    assert (decision.status, decision.basis) == (status, basis)
    assert codes <= set(decision.reason_codes())
    for key, value in details.items():
        assert decision.details[key] == value
    document = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    assert insurrules.decide(document) == decision


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_explains_its_cards(name: str) -> None:
    out = io.StringIO()
    assert main(["check", str(EXAMPLES / name), "--explain"], out=out) == 0
    assert "cards:" in out.getvalue()
    assert "source:" in out.getvalue()
