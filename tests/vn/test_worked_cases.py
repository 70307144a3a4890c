"""Worked vn-bhyt cases (E7, E8, E9, R4-R9) from ``worked_cases.json``, decided three ways.

Each case's expected fields were derived by hand from vn.md and vn-sources.md (the ``source`` of
each case); the same documents go through :func:`insurrules.decide`, :func:`insurrules.decide_many`
and ``insurrules check --json`` and must give equal decisions.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

import insurrules
from insurrules.cli import main
from insurrules.models import Decision

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "worked_cases.json").read_text(encoding="utf-8")
)
IDS = [c["name"] for c in CASES]
_TOP = ("status", "basis", "state_funded", "insured_from", "insured_until", "renew_by")


def _check(decision: Decision, expect: dict[str, Any]) -> None:
    document = decision.model_dump(mode="json")
    for key in _TOP:
        if key in expect:
            assert document[key] == expect[key], key
    for key, value in expect.get("details", {}).items():
        assert document["details"][key] == value, f"details.{key}"
    if "reasons" in expect:
        assert decision.reason_codes() == expect["reasons"]


@pytest.mark.parametrize("worked", CASES, ids=IDS)
def test_worked_case_through_decide(worked: dict[str, Any]) -> None:
    _check(insurrules.decide(worked["case"]), worked["expect"])


def test_worked_cases_through_decide_many_equal_decide() -> None:
    batch = insurrules.decide_many([c["case"] for c in CASES])
    assert batch == [insurrules.decide(c["case"]) for c in CASES]
    for decision, worked in zip(batch, CASES, strict=True):
        _check(decision, worked["expect"])


@pytest.mark.parametrize("worked", CASES[::4], ids=IDS[::4])
def test_worked_case_through_cli_json_equals_decide(worked: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(worked["case"]), encoding="utf-8")
    out = io.StringIO()
    assert main(["check", str(path), "--json"], out=out) == 0
    from_cli = Decision.model_validate_json(out.getvalue())
    assert from_cli == insurrules.decide(worked["case"])
    _check(from_cli, worked["expect"])


def test_every_worked_case_names_its_source() -> None:
    assert all(c["source"] and c["name"] for c in CASES)
    assert len(set(IDS)) == len(IDS)
