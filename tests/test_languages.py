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
SHARED = "cli."
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
    ours = {k for k in translated if k.startswith(PREFIX[scheme])}
    assert ours == set(english), f"{lang}: keys differ from en.toml"
    for key, template in english.items():
        assert placeholders(translated[key]) == placeholders(template), (lang, key)
        assert translated[key] != template, (lang, key)


@pytest.mark.parametrize("lang", ["ru", "kk", "vi"])
def test_every_catalogue_has_the_shared_labels_and_only_keys_of_its_schemes(lang: str) -> None:
    """``cli.…`` labels (command line, timeline strip) are in every catalogue, with the same
    placeholders; no catalogue has a key English lacks."""
    shared = {k: v for k, v in MESSAGES.items() if k.startswith(SHARED)}
    assert shared, "no shared labels in en.toml"
    translated = catalogue(lang).messages
    assert {k for k in translated if k.startswith(SHARED)} == set(shared), lang
    for key, template in shared.items():
        assert placeholders(translated[key]) == placeholders(template), (lang, key)
        assert translated[key] != template, (lang, key)
    prefixes = (SHARED, *(PREFIX[s] for s in catalogue(lang).schemes))
    assert all(k.startswith(prefixes) for k in translated), lang
    assert set(translated) <= set(MESSAGES), sorted(set(translated) - set(MESSAGES))
    assert len(translated["cli.strip.months"].split()) == 12


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
    words |= {p.unit for p in rules.parameters.values() if p.unit}  # insurrules law-changes
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


def test_cli_check_timeline_and_law_changes_speak_the_language_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    kz = str(ROOT / "examples" / "kz-payer-in-grace.json")
    vn = str(ROOT / "examples" / "vn-near-poor.json")
    code, out, _ = run(["check", kz, "--lang", "ru"], capsys)
    assert code == 0
    assert ": ЗАСТРАХОВАН (льготный период)" in out and "основания:" in out and "правила:" in out
    code, out, _ = run(["check", kz, "--lang", "kk", "--explain"], capsys)
    assert code == 0 and "негіздеме, дереккөздерімен:" in out and "дереккөз: " in out
    assert "  ай        сақтандырылған" in out  # the trace's heads, as wide as their words
    code, out, _ = run(["check", vn, "--lang", "vi"], capsys)
    assert code == 0 and ": CÓ BHYT (thẻ BHYT)" in out and "tham gia liên tục từ: " in out
    code, out, _ = run(["timeline", kz, "--lang", "ru"], capsys)
    assert code == 0
    assert "по сведениям, известным на каждый день" in out and "Я Ф М А М И И А С О Н Д" in out
    assert "застрахован  льготный период" in out and "G льготный период" in out
    code, out, _ = run(["timeline", vn, "--lang", "vi", "--known", "as-of"], capsys)
    assert code == 0 and "1  2  3  4  5  6  7  8  9  10 11 12" in out and "các giai đoạn:" in out
    code, out, _ = run(
        ["law-changes", "kz-osms", "2025-12-31", "2026-01-01", "--lang", "kk"], capsys
    )
    assert code == 0 and "күшіне енген 14 өзгеріс" in out and "60 ай" in out
    assert "республикалық бюджет есебінен" in out or "жергілікті бюджет есебінен" in out
    code, out, _ = run(
        ["law-changes", "kz-osms", "2025-12-31", "2026-01-01", "--lang", "ru"], capsys
    )
    assert code == 0 and "категория " in out and "источник: " in out
    code, _, err = run(
        ["law-changes", "vn-bhyt", "2025-06-30", "2025-07-01", "--lang", "ru"], capsys
    )
    assert code == 2 and "vn-bhyt messages are in en, vi, not 'ru'" in err
    code, _, err = run(["timeline", vn, "--lang", "kk"], capsys)
    assert code == 2 and "not 'kk'" in err


def test_english_output_is_the_default_and_reads_as_before(
    capsys: pytest.CaptureFixture[str],
) -> None:
    kz = str(ROOT / "examples" / "kz-payer-in-grace.json")
    _, default, _ = run(["check", kz, "--explain"], capsys)
    _, english, _ = run(["check", kz, "--explain", "--lang", "en"], capsys)
    assert default == english
    assert ": INSURED (grace period)" in english and "  because:" in english
    assert "  month     insured  basis           paid  due   state category" in english


def test_a_support_group_not_in_force_says_why_in_the_persons_language() -> None:
    case = {
        "scheme": "vn-bhyt",
        "as_of": "2025-03-01",
        "person": {
            "id": "001085012345",
            "birth_date": "1985-05-05",
            "sex": "female",
            "memberships": [
                {"code": "ethnic_minority_transition", "start": "2025-01-01", "end": None}
            ],
        },
        "payments": [],
    }
    english = insurrules.decide(case)
    vietnamese = insurrules.decide(case, lang="vi")
    (en,) = [r for r in english.reasons if r.code == "vn.support.not_in_force"]
    (vi,) = [r for r in vietnamese.reasons if r.code == "vn.support.not_in_force"]
    assert "is not a support group on 2025-03-01" in en.message
    assert (
        "không thuộc nhóm được ngân sách nhà nước hỗ trợ mức đóng vào ngày 2025-03-01" in vi.message
    )
    assert "support group" not in vi.message and en.source == vi.source
