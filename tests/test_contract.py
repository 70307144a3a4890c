"""The shared contract test: every scheme's example cases through the API, the CLI and batches.

Each case in ``examples/*.json`` is decided by ``insurrules.decide``, by ``decide_many`` and by
``insurrules check --json``; the three must agree, satisfy the contract's invariants, and equal
the golden decision in ``tests/golden/`` (a changed decision shows up as a diff). A missing
golden file fails the test; golden files are written only when asked for explicitly, with
``INSURRULES_UPDATE_GOLDEN=1 pytest tests/test_contract.py`` after checking the change is meant
(README.md, "Set-up").
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

import insurrules
from insurrules.cli import main
from insurrules.models import Decision

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
GOLDEN = Path(__file__).parent / "golden"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_every_scheme_has_examples() -> None:
    schemes = {load(p)["scheme"] for p in EXAMPLES}
    assert schemes == {"kz-osms", "vn-bhyt"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_api_cli_and_batch_agree_with_the_golden_decision(path: Path) -> None:
    case = load(path)
    decision = insurrules.decide(case)
    assert insurrules.decide_many([case]) == [decision]

    out = io.StringIO()
    assert main(["check", str(path), "--json"], out=out) == 0
    assert Decision.model_validate_json(out.getvalue()) == decision

    document = decision.model_dump(mode="json")
    golden = GOLDEN / f"{path.stem}.json"
    if os.environ.get("INSURRULES_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    if not golden.exists():
        pytest.fail(
            f"no golden decision {golden.relative_to(ROOT)} for {path.name}: check the decision "
            "and write it with INSURRULES_UPDATE_GOLDEN=1 pytest tests/test_contract.py"
        )
    assert document == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_contract_invariants(path: Path) -> None:
    case = load(path)
    d = insurrules.decide(case)
    assert d.scheme == case["scheme"]
    assert d.as_of.isoformat() == case["as_of"]
    assert d.renew_by == d.insured_until
    assert d.reasons
    for reason in d.reasons:
        assert reason.code.startswith(("kz.", "vn.")) and reason.message and reason.source
    assert d.rules_version.startswith(f"insurrules {insurrules.__version__} / {d.scheme} ")
    if d.status == "not_insured":
        assert (d.basis, d.insured_from, d.insured_until) == (None, None, None)
    else:
        assert d.basis is not None and d.insured_from is not None
    if d.scheme == "vn-bhyt":
        assert d.grace_months is None
    # the person's identifier never leaks through a repr
    assert case["person"]["id"] not in repr(insurrules.Case.model_validate(case))
    assert Decision.model_validate_json(d.model_dump_json()) == d


def test_case_schema_covers_both_schemes() -> None:
    schema = insurrules.Case.model_json_schema()
    text = json.dumps(schema)
    assert "kz-osms" in text and "vn-bhyt" in text
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert [b["if"]["properties"]["scheme"]["const"] for b in schema["allOf"]] == [
        "kz-osms",
        "vn-bhyt",
    ]
