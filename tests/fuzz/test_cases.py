"""decide, decide_json, decide_many, explain and ``insurrules check`` on hostile documents."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given

import insurrules
from insurrules.case import load_case_json, parse_case, validate_input
from insurrules.cli import main
from insurrules.errors import InvalidCase
from tests.fuzz.checks import (
    assert_clean_error,
    assert_no_unmasked_id,
    bounded_time,
    decision_or_clean_error,
)
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.strategies import EXAMPLES, documents, hostile_documents, json_texts

GOOD = EXAMPLES[0]


@fuzz_settings()
@given(hostile_documents)
def test_decide_gives_a_decision_or_a_clean_error(document: Any) -> None:
    result = decision_or_clean_error(lambda: insurrules.decide(document))
    # decide_many never loses the others, and agrees with decide case by case
    many = insurrules.decide_many([GOOD, document, GOOD], errors="collect")
    assert isinstance(many[0], insurrules.Decision) and many[2] == many[0]
    if isinstance(result, InvalidCase):
        assert isinstance(many[1], InvalidCase) and many[1].lines == result.lines
    else:
        assert many[1] == result


@fuzz_settings(0.5)
@given(hostile_documents)
def test_both_validation_forms_agree(document: Any) -> None:
    """decide()'s compiled input and the case models accept and refuse the same documents, with
    the same problems, and explain() decides as decide() does."""
    outcomes: list[list[str] | None] = []
    for validate in (validate_input, parse_case):
        try:
            validate(document)
            outcomes.append(None)
        except InvalidCase as exc:
            assert_clean_error(exc)
            outcomes.append(exc.lines)
    assert outcomes[0] == outcomes[1]
    if outcomes[0] is None:
        with bounded_time():
            assert insurrules.explain(document).decision == insurrules.decide(document)


@fuzz_settings()
@given(json_texts())
def test_decide_json_gives_a_decision_or_a_clean_error(data: bytes | str) -> None:
    decision_or_clean_error(lambda: insurrules.decide_json(data))


def _outcome(run: Any) -> Any:
    try:
        return run()
    except InvalidCase as exc:
        return exc.lines


@fuzz_settings()
@given(json_texts())
def test_decide_json_is_load_case_json_then_decide(data: bytes | str) -> None:
    """decide_json's direct reading of the text (insurrules.case.validate_input_json) gives what
    the strict reader and decide() give: the same decision or the same problems."""
    assert _outcome(lambda: insurrules.decide_json(data)) == _outcome(
        lambda: insurrules.decide(load_case_json(data))
    )


@fuzz_settings(0.2)
@given(documents)
def test_generated_documents_are_decided(document: dict[str, Any]) -> None:
    decision = insurrules.decide(document)
    assert decision == insurrules.decide(insurrules.Case.model_validate(document))
    assert decision == insurrules.decide_json(json.dumps(document).encode())
    assert_no_unmasked_id(decision.model_dump_json())


@fuzz_settings(0.3)
@given(hostile_documents)
def test_cli_check_exits_0_or_2_with_clean_lines(document: Any) -> None:
    try:
        text = json.dumps(document, ensure_ascii=False)
    except (ValueError, TypeError, RecursionError):
        return  # not JSON: decide_json's test covers damaged text
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.json"
        try:
            path.write_text(text, encoding="utf-8")
        except UnicodeEncodeError:
            return  # a lone surrogate is not UTF-8: decide_json's test covers such text
        out, err = io.StringIO(), io.StringIO()
        import contextlib

        with bounded_time("insurrules check"), contextlib.redirect_stderr(err):
            status = main(["check", str(path)], out=out)
    assert status in (0, 2), err.getvalue()
    assert_no_unmasked_id(out.getvalue(), err.getvalue())
    if status == 2:
        lines = err.getvalue().splitlines()
        assert lines and all(": " in line and line.split(": ", 1)[1].strip() for line in lines)
