"""Docstrings link with mkdocstrings cross-references, never raw Sphinx roles.

The API reference renders docstrings as Markdown: a Sphinx role (``:class:`Case```) would show
as literal text. Cross-references are written ``[`Case`][insurrules.case.Case]``; ``mkdocs build
--strict`` (``make docs``) fails on a target that is not rendered.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "insurrules"
ROLE = re.compile(r":(class|func|mod|meth|attr|data|exc|obj|py:\w+):`")


def test_no_sphinx_roles_in_the_package() -> None:
    found = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ROLE.search(line)
    ]
    assert found == []
