"""What decisions and comparisons show in Jupyter (``_repr_html_``): the record, escaped."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pytest

import insurrules
from insurrules.models import Reason

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.json")), ids=lambda p: p.stem)
def test_decision_html_shows_status_basis_dates_and_every_reason_with_its_source(
    path: Path,
) -> None:
    decision = insurrules.decide(json.loads(path.read_text(encoding="utf-8")))
    html = decision._repr_html_()
    assert ("NOT INSURED" in html) is (decision.status == "not_insured")
    assert escape(decision.rules_version) in html and str(decision.as_of) in html
    for value in (decision.basis, decision.insured_from, decision.insured_until):
        if value is not None:
            assert escape(str(value)) in html
    position = 0
    for reason in decision.reasons:
        for text in (reason.code, reason.message, reason.source):
            found = html.find(escape(text), position)
            assert found >= 0, text
        position = html.find(escape(reason.code), position)


def test_decision_html_escapes_every_text() -> None:
    case = json.loads((ROOT / "examples" / "kz-child.json").read_text(encoding="utf-8"))
    decision = insurrules.decide(case)
    hostile = Reason(code="x.y", message="<script>alert(1)</script>", source="a & b")
    tampered = decision.model_copy(update={"reasons": (hostile,)})
    html = tampered._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "a &amp; b" in html


def test_comparison_html_shows_the_reform_and_the_total_row() -> None:
    pytest.importorskip("polars")
    from insurrules.population import compare, synthetic

    pop = synthetic(500, seed=3, as_of="2026-03-15")
    reform = insurrules.Reform.from_dict(
        {
            "title": "36 months",
            "scheme": "kz-osms",
            "changes": {"kz.grace.extended_after_months": {"from 2026-01-01": 36}},
        }
    )
    result = compare(pop, "2026-03-15", None, reform)
    html = result._repr_html_()
    assert "kz.grace.extended_after_months" in html
    assert f"{result.per_person.height} person(s) with a different result" in html
    total = result.summary.combined.filter(dimension="total").row(0, named=True)
    assert f">{total['persons']}<" in html
