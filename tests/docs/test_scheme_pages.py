"""Each rule of kz.md and vn.md is on its scheme page, with its source and an executed example.

The lists below mirror the parts of the normative files: a section anchor on the scheme page,
and the legal sources that section must cite. Category codes and D-n switches come from the
parameter data itself, so a new category or switch without documentation fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import insurrules
from tests.docs.doc_examples import ROOT, docs_sybil

SCHEMES = ROOT / "docs" / "schemes"
HEADING = re.compile(r"^(#{2,6}) .*?\{#(?P<anchor>[\w-]+)\}\s*$", re.MULTILINE)

#: kz.md part -> (anchor on docs/schemes/kz-osms.md, sources the section must cite)
KZ_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "time model (R0), later facts, benefits start (R5.1)": (
        "kz-time-model",
        ("Law 405-V art. 5", "R5.1"),
    ),
    "who can be insured (R1), death": ("kz-participants", ("art. 2 p. 2", "art. 18 p. 4", "R8.1")),
    "route 1 transition": ("kz-route-transition", ("art. 40", "R5.1")),
    "route 2 state categories (R4.1)": ("kz-route-state-funded", ("art. 26 p. 1", "R4.1")),
    "child under 18, D-3": ("kz-child", ("R6.1", "D-3")),
    "targeted social assistance and unemployed, D-4": ("kz-tsa-unemployed", ("D-4", "art. 26-1")),
    "D/E welfare route (R4.2, W3), D-5, D-6": (
        "kz-welfare-de",
        ("art. 26-1", "W3", "D-5", "D-6"),
    ),
    "route 3 contributions and the debt window": (
        "kz-route-contributions",
        ("art. 5 p. 3", "R5.3", "R5.2"),
    ),
    "route 4 prepaid, D-1": ("kz-route-prepaid", ("R5.4", "D-1", "05.09.2022")),
    "route 5 grace, D-2": ("kz-route-grace", ("art. 5 p. 2", "R3.1", "R3.2", "D-2", "206-VIII")),
    "derived values": ("kz-derived-values", ("art. 5",)),
    "contributions (R2)": ("kz-contributions", ("arts. 27–29", "R2")),
    "helpers: retirement age (R6.4), IIN": ("kz-helpers", ("R6.4", "IIN")),
    "reasons": ("kz-reasons", ("source",)),
}

VN_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "time model": ("vn-time-model", ("art. 16", "Decree 146/2018")),
    "base salary (P1) and rate (P2)": ("vn-base-salary", ("P1", "P2", "Decree")),
    "household ladder (R2, E1)": ("vn-household-ladder", ("R2", "E1", "46/2014")),
    "state support shares (R5)": ("vn-state-support", ("R5", "Decree 188/2025", "Decree 146/2018")),
    "fully state-paid groups (R4)": ("vn-state-groups", ("R4", "51/2024")),
    "children under 6 (R9)": ("vn-child-under-6", ("R9", "art. 16(3)(d)")),
    "card validity (R7, R8, E7), D-1, D-2": (
        "vn-card-validity",
        ("R7", "R8", "E7", "D-1", "D-2", "46/2014"),
    ),
    "leaving a state-paid group, D-3": ("vn-state-card-transfer", ("D-3", "E7")),
    "derived dates, no grace (R12)": ("vn-derived-values", ("R12", "art. 22")),
    "reasons": ("vn-reasons", ("source",)),
}


def _sections(page: Path) -> dict[str, str]:
    text = page.read_text(encoding="utf-8")
    matches = list(HEADING.finditer(text))
    out: dict[str, str] = {}
    for i, match in enumerate(matches):
        level = len(match.group(1))
        end = len(text)
        for later in matches[i + 1 :]:
            if len(later.group(1)) <= level:
                end = later.start()
                break
        out[match["anchor"]] = text[match.end() : end]
    return out


def _executed_lines(page: Path) -> set[int]:
    """Line numbers where an executed example of the page starts."""
    return {example.line for example in docs_sybil().parse(page)}


def _section_has_example(page: Path, anchor: str) -> bool:
    text = page.read_text(encoding="utf-8")
    start = text.index("{#" + anchor + "}")
    first_line = text.count("\n", 0, start) + 1
    body = _sections(page)[anchor]
    last_line = first_line + body.count("\n")
    return any(first_line <= line <= last_line for line in _executed_lines(page))


@pytest.mark.parametrize(
    ("page", "rule", "anchor", "sources"),
    [("kz-osms.md", rule, *spec) for rule, spec in KZ_RULES.items()]
    + [("vn-bhyt.md", rule, *spec) for rule, spec in VN_RULES.items()],
)
def test_rule_is_on_its_scheme_page_with_source_and_executed_example(
    page: str, rule: str, anchor: str, sources: tuple[str, ...]
) -> None:
    path = SCHEMES / page
    sections = _sections(path)
    assert anchor in sections, f"{rule}: no section {{#{anchor}}} on {page}"
    body = sections[anchor]
    missing = [s for s in sources if s not in body]
    assert not missing, f"{rule}: section {anchor} does not cite {missing}"
    assert _section_has_example(path, anchor), f"{rule}: section {anchor} has no executed example"


@pytest.mark.parametrize(("page", "scheme"), [("kz-osms.md", "kz"), ("vn-bhyt.md", "vn")])
def test_every_category_and_switch_of_the_data_is_documented(page: str, scheme: str) -> None:
    text = (SCHEMES / page).read_text(encoding="utf-8")
    rules = getattr(insurrules, scheme).rules()
    missing = [f"`{code}`" for code in rules.category_codes if f"`{code}`" not in text]
    assert not missing, f"{page} does not mention categories {missing}"
    switches = sorted({p.decision for p in rules.switches().values() if p.decision})
    assert switches
    undocumented = [d for d in switches if f"**{d}**" not in text]
    assert not undocumented, f"{page} does not explain {undocumented}"


def test_seed_facts_are_on_the_scheme_pages() -> None:
    kz = (SCHEMES / "kz-osms.md").read_text(encoding="utf-8")
    vn = (SCHEMES / "vn-bhyt.md").read_text(encoding="utf-8")
    grace = _sections(SCHEMES / "kz-osms.md")["kz-route-grace"]
    assert "status(\"2025-10-01\", june)[0]\n'not_insured'" in grace  # June payer, October
    assert "'kz.grace.extended'" in grace and '("2026-07-01", sixty)' in grace
    assert "'welfare_level_de'" in kz and 'care_requests=["2026-03-02"]' in kz
    assert "[Decimal('1263600'), Decimal('884520'), Decimal('758160')" in vn
    assert "'vn.card.waiting_period'" in vn
