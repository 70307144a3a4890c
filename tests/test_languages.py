"""Reasons in the person's language: every message of every scheme in every language that
serves it, with the same placeholders; decisions in another language keep codes and sources."""

from __future__ import annotations

import io
import json
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

import insurrules
from insurrules import RulesError
from insurrules.cli import main
from insurrules.messages import MESSAGES, catalogue, languages, message
from tests.kz.strategies import kz_cases

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
PREFIX = {"kz-osms": "kz.", "vn-bhyt": "vn."}
TRANSLATED = [(s, lang) for s in PREFIX for lang in languages(s) if lang != "en"]


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_each_scheme_speaks_its_languages() -> None:
    assert languages("kz-osms") == ("en", "kk", "ru")
    assert languages("vn-bhyt") == ("en", "vi")


@pytest.mark.parametrize(("scheme", "lang"), TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(scheme: str, lang: str) -> None:
    english = {k: v for k, v in MESSAGES.items() if k.startswith(PREFIX[scheme])}
    translated = catalogue(lang).messages
    assert set(translated) == set(english), f"{lang}: keys differ from en.toml"
    for key, template in english.items():
        assert placeholders(translated[key]) == placeholders(template), (lang, key)
        assert translated[key] != template, (lang, key)


@pytest.mark.parametrize(("scheme", "lang"), TRANSLATED)
def test_every_word_the_rules_put_into_a_message_has_a_translation(scheme: str, lang: str) -> None:
    rules = insurrules.kz.rules() if scheme == "kz-osms" else insurrules.vn.rules()
    terms = catalogue(lang).terms
    words = {c.title for c in rules.categories}
    if scheme == "kz-osms":
        words |= {p.budget for c in rules.categories for p in c.periods}
    else:
        words |= set(rules.category_codes) | set(insurrules.vn.SUPPORT_GROUPS)
        words |= {"household", "state", "supported", "employer", "student"}
    assert words <= set(terms), sorted(words - set(terms))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_a_decision_in_another_language_keeps_its_codes_and_sources(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    english = insurrules.decide(case)
    for lang in languages(case["scheme"])[1:]:
        spoken = insurrules.decide(case, lang=lang)
        assert spoken.model_dump(exclude={"reasons"}) == english.model_dump(exclude={"reasons"})
        assert [(r.code, r.source) for r in spoken.reasons] == [
            (r.code, r.source) for r in english.reasons
        ]
        for theirs, ours in zip(spoken.reasons, english.reasons, strict=True):
            assert theirs.message != ours.message and "{" not in theirs.message, lang
    assert insurrules.decide(case) == english  # the language does not stick


@settings(max_examples=60, deadline=None)
@given(kz_cases())
def test_any_kz_decision_reads_in_russian_and_kazakh(case: dict[str, Any]) -> None:
    english = insurrules.decide(case)
    for lang in ("ru", "kk"):
        spoken = insurrules.decide(case, lang=lang)
        assert [(r.code, r.source) for r in spoken.reasons] == [
            (r.code, r.source) for r in english.reasons
        ]
        assert spoken.status == english.status and spoken.details == english.details


def test_terms_fill_the_placeholders() -> None:
    case = json.loads((ROOT / "examples" / "kz-welfare-level-de.json").read_text())
    (reason,) = insurrules.decide(case, lang="ru").reasons
    assert reason.message == (
        "в 2026-03 взносы за лицо платит государство: неработающие лица с кризисным (D) или "
        "экстренным (E) уровнем благосостояния, обратившиеся за медицинской помощью "
        "(за счёт местного бюджета)"
    )
    assert "жергілікті бюджет есебінен" in insurrules.decide(case, lang="kk").reasons[0].message


def test_a_language_the_scheme_does_not_speak_is_refused() -> None:
    case = json.loads((ROOT / "examples" / "vn-near-poor.json").read_text())
    with pytest.raises(RulesError, match="vn-bhyt messages are in en, vi, not 'kk'"):
        insurrules.decide(case, lang="kk")
    with pytest.raises(RulesError, match="no messages in 'xx'"):
        catalogue("xx")
    assert message("kz.facts.later_ignored#and", first="a", second="b") == "a and b"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_cli_check_lang(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "examples" / "kz-payer-in-grace.json")
    code, out, _ = run(["check", path, "--lang", "ru", "--json"], capsys)
    case = json.loads(Path(path).read_text())
    assert code == 0
    assert json.loads(out) == insurrules.decide(case, lang="ru").model_dump(mode="json")
    code, out, _ = run(["check", path, "--lang", "kk", "--explain"], capsys)
    assert code == 0 and "жеңілдікті кезең" in out
    code, _, err = run(["check", path, "--lang", "vi"], capsys)
    assert code == 2 and "kz-osms messages are in en, kk, ru, not 'vi'" in err
