"""The law pages (docs/law/) hold the spec texts the code cites, and every citation resolves.

The pages are made by ``docs/hooks/law_pages.py`` from the project's spec (``shared/spec``
beside the repository, where CI and developers have it); when the spec is at hand, the pages
must be what the script makes of it. Wherever a docstring or page links to a law anchor
(``[kz-osms rules D-1][kz-rules-d-1]``), the anchor must exist — also in docstrings that the
API reference does not render, which ``mkdocs build --strict`` would not see.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAW = ROOT / "docs" / "law"
SPEC = ROOT.parent / "shared" / "spec"
PREFIXES = ("kz-rules", "kz-sources", "vn-rules", "vn-sources", "contract", "kz-osms-", "vn-bhyt-")


def _law_pages() -> object:
    spec = importlib.util.spec_from_file_location("law_pages", ROOT / "docs/hooks/law_pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not SPEC.is_dir(), reason="the spec (shared/spec) is not beside the repo")
def test_the_pages_are_the_spec_as_the_script_makes_them() -> None:
    law_pages: object = _law_pages()
    for source, (page, _, _) in law_pages.PAGES.items():  # type: ignore[attr-defined]
        made = law_pages.page_text(SPEC, source)  # type: ignore[attr-defined]
        assert (LAW / page).read_text(encoding="utf-8") == made, (
            f"docs/law/{page} is out of date: run python docs/hooks/law_pages.py {SPEC}"
        )


def test_every_law_anchor_cited_exists() -> None:
    anchors = {
        a for page in LAW.glob("*.md") for a in re.findall(r"\{#([\w-]+)\}", page.read_text())
    }
    cited: dict[str, Path] = {}
    for path in [*ROOT.glob("src/insurrules/**/*.py"), *ROOT.glob("docs/**/*.md")]:
        for target in re.findall(r"\]\[([\w-]+)\]", path.read_text(encoding="utf-8")):
            if target.startswith(PREFIXES):
                cited.setdefault(target, path.relative_to(ROOT))
    assert cited, "the code cites the law pages"
    missing = {t: str(p) for t, p in cited.items() if t not in anchors}
    assert missing == {}


def test_the_key_rules_have_anchors() -> None:
    text = (LAW / "kz-osms-sources.md").read_text() + (LAW / "kz-osms-rules.md").read_text()
    for anchor in ("kz-sources-r3-1", "kz-sources-r4-3", "kz-sources-r5-3", "kz-sources-w1"):
        assert f"{{#{anchor}}}" in text
    for n in range(1, 7):
        assert f"{{#kz-rules-d-{n}}}" in text
