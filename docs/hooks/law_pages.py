"""Write ``docs/law/*.md`` from the project's spec texts, with anchors and links.

The pages reproduce the spec (the normative rules, the research notes with their sources, the
contract) so that every citation in the code and the docs can be read on the site. Run after
the spec changes::

    .venv/bin/python docs/hooks/law_pages.py ../shared/spec

Each heading gets an id (``kz-rules-time-model``, ``vn-sources-r7``), each rule paragraph
(``**R4.3 ...**``, ``**W1 ...**``) and the first mention of each decision ``**D-n**`` an anchor
(``kz-sources-r4-3``, ``kz-rules-d-1``), so docstrings link to them as
``[kz-osms rules D-1][kz-rules-d-1]``; mentions of the other spec files become links.
``tests/docs/test_law_pages.py`` checks the pages against the spec when it is at hand.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "law"

PAGES = {
    "kz.md": ("kz-osms-rules.md", "kz-rules", "the kz-osms rules"),
    "kz-sources.md": ("kz-osms-sources.md", "kz-sources", "the kz-osms sources"),
    "vn.md": ("vn-bhyt-rules.md", "vn-rules", "the vn-bhyt rules"),
    "vn-sources.md": ("vn-bhyt-sources.md", "vn-sources", "the vn-bhyt sources"),
    "contract.md": ("contract.md", "contract", "the contract"),
}
NOTE = {
    "kz.md": "The normative rules of kz-osms: what the library decides and how, with the "
    "interpretation decisions **D-n** (each a switch with a default: "
    "[Interpretation switches](../concepts/interpretations.md)). Rule numbers R… refer to the "
    "[kz-osms sources](kz-osms-sources.md).",
    "kz-sources.md": "The research behind kz-osms: the law, its amendments and official "
    "restatements, with a source for every point and the worked facts W1… used as test cases. "
    "Where it and the [kz-osms rules](kz-osms-rules.md) differ, the rules decide.",
    "vn.md": "The normative rules of vn-bhyt, with the interpretation decisions **D-n**. Rule "
    "numbers R…, P… and examples E… refer to the [vn-bhyt sources](vn-bhyt-sources.md).",
    "vn-sources.md": "The research behind vn-bhyt: the legal texts and their keys, parameters "
    "P…, rules R…, open questions and worked examples E…. Where it and the "
    "[vn-bhyt rules](vn-bhyt-rules.md) differ, the rules decide.",
    "contract.md": "The public contract: the entry points, the case document and the decision "
    "document, as the library keeps them. The executed, field-by-field description is "
    "[Case and decision documents](../concepts/documents.md).",
}


def slug(text: str) -> str:
    """A heading's id: lower case, parenthesised parts dropped, at most 40 characters."""
    text = re.sub(r"`[^`]*`", lambda m: m.group(0).strip("`"), text)
    text = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")


def links(text: str, here: str) -> str:
    """Mentions of the other spec files become links to their docs pages."""

    def rep(m: re.Match[str]) -> str:
        name = m.group(1)
        page, _, label = PAGES[name]
        return f"[{label}]({page})" if page != here else label

    text = re.sub(r" beside\s+this file", "", text)
    return re.sub(r"`?\b((?:kz|vn)(?:-sources)?\.md|contract\.md)\b`?", rep, text)


def page_text(spec: Path, source: str) -> str:
    """The docs page made from the spec file ``source``."""
    page, prefix, _ = PAGES[source]
    lines = (spec / source).read_text(encoding="utf-8").split("\n")
    out: list[str] = []
    seen_d: set[str] = set()

    def d_anchor(m: re.Match[str]) -> str:
        n = m.group(1)
        if n in seen_d or source not in ("kz.md", "vn.md"):
            return m.group(0)
        seen_d.add(n)
        return f"[](){{#{prefix}-d-{n}}}{m.group(0)}"

    for i, line in enumerate(lines):
        if i == 0:
            out.append(f"{line} {{#{page[:-3]}}}")
            out.append("")
            out.append('!!! info "About this page"')
            out.append(
                f"    {NOTE[source]} This is the project's own text, reproduced as written so "
                "that every reference to it in the code and on this site can be read; "
                "identifiers in it are examples."
            )
            continue
        heading = re.match(r"^(#{2,4}) (.*)$", line)
        if heading:
            title = heading.group(2)
            key = re.match(r"^([RPEW]\d+(?:\.\d+)?)\b", title)
            anchor = (
                f"{prefix}-{key.group(1).lower().replace('.', '-')}"
                if key
                else f"{prefix}-{slug(title)}"
            )
            out.append(f"{heading.group(1)} {title} {{#{anchor}}}")
            continue
        # a list nested in a numbered item needs 4 spaces in Python-Markdown (the spec has 3)
        line = re.sub(r"^   (?=- )|^     (?=\S)", lambda m: m.group(0) + " ", line)
        bold = re.match(r"^\*\*([RW]\d+(?:\.\d+)?)\b", line)
        if bold:
            line = f"[](){{#{prefix}-{bold.group(1).lower().replace('.', '-')}}}" + line
        # Python-Markdown starts a list only after a blank line (the spec often has none)
        previous = out[-1] if out else ""
        if (
            re.match(r"^(- |\d+\. )", line)
            and previous
            and not re.match(r"^(- |\d+\. |\s)", previous)
        ):
            out.append("")
        out.append(re.sub(r"\*\*D-(\d+)\*\*", d_anchor, line))
    return links("\n".join(out), page)


def main(spec: Path) -> None:
    for source, (page, _, _) in PAGES.items():
        (OUT / page).write_text(page_text(spec, source), encoding="utf-8")
        print(OUT / page)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
