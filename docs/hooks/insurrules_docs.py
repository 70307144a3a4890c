"""mkdocs hook: pages say ``<!-- insurrules:KIND SCHEME [ARGS] -->`` and get tables from the data.

Kinds: ``parameters`` (every parameter with its dated history), ``switches`` (the D-n
interpretation switches), ``categories`` (state-paid categories), ``law-on DATE [PAGE]`` (every
value in force on DATE), ``law-changes SINCE UNTIL [PAGE]`` (every change that took effect after
SINCE up to UNTIL). The tables are rendered by :mod:`insurrules.docs_tables` from the
scheme's ``parameters.toml`` at build time, so the site can never disagree with the data.

A scheme whose package is not installed yet renders a warning instead of a table; an unknown
kind or scheme fails the build.

The parameter files cite the project's spec texts (``kz.md D-3``, ``kz-sources R4.1``); in
the generated tables each such mention links to the page of ``docs/law/`` holding it (a rule
number without its own anchor links to the page).

Charts: a Python fence titled ``chart: NAME.png`` is run at build time (in a temporary
directory holding the files the page shows in titled ``json``/``toml`` fences, matplotlib
without a display) and must write ``NAME.png``; the image is added to the
site beside its page, so ``![…](NAME.png)`` shows exactly what the code on the page draws. The
test suite runs the same fence like every other example.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import re
import tempfile
import textwrap
from functools import cache
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

from insurrules import docs_tables
from insurrules.parameters import RuleSet
from insurrules.schemes import SCHEMES, scheme_module

MARKER = re.compile(
    r"^(?P<indent>[ \t]*)<!--\s*insurrules:(?P<kind>[\w-]+)\s+(?P<args>[^>]*?)\s*-->",
    re.MULTILINE,
)


CHART = re.compile(
    r"^(?P<indent>[ \t]*)```python[^\n]*title=\"chart: (?P<name>[\w.-]+\.png)\"[^\n]*\n"
    r"(?P<code>.*?)^(?P=indent)```",
    re.MULTILINE | re.DOTALL,
)


#: files a page shows (```json title="x.json"```, ```toml title="x.toml"```), which its code reads
PAGE_FILE = re.compile(
    r"^(?P<indent>[ \t]*)```(?:json|toml)[^\n]*title=\"(?P<name>[\w.-]+)\"[^\n]*\n"
    r"(?P<body>.*?)^(?P=indent)```",
    re.MULTILINE | re.DOTALL,
)


def _unindent(text: str, indent: str) -> str:
    return "\n".join(line.removeprefix(indent) for line in text.splitlines()) + "\n"


def _draw(code: str, name: str, page: str, files: dict[str, str]) -> bytes:
    os.environ.setdefault("MPLBACKEND", "Agg")
    with tempfile.TemporaryDirectory(prefix="insurrules-chart-") as tmp:
        for file_name, body in files.items():
            (Path(tmp) / file_name).write_text(body, encoding="utf-8")
        with contextlib.chdir(tmp):
            exec(compile(code, f"{page} (chart {name})", "exec"), {"__name__": "__chart__"})
        image = Path(tmp) / name
        if not image.exists():
            raise ValueError(f"{page}: the chart code did not write {name}")
        return image.read_bytes()


def on_files(files: Files, config: Any) -> Files:
    for page in list(files.documentation_pages()):
        text = Path(page.abs_src_path or "").read_text(encoding="utf-8")
        shown = {m["name"]: _unindent(m["body"], m["indent"]) for m in PAGE_FILE.finditer(text)}
        for match in CHART.finditer(text):
            code = textwrap.dedent(_unindent(match["code"], match["indent"]))
            folder = os.path.dirname(page.src_uri)
            uri = f"{folder}/{match['name']}" if folder else match["name"]
            content = _draw(code, match["name"], page.src_uri, shown)
            files.append(File.generated(config, uri, content=content))
    return files


def _rules(scheme: str) -> RuleSet | None:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r} in a docs marker; known: {sorted(SCHEMES)}")
    try:
        module = scheme_module(scheme)
    except ImportError:
        return None
    if hasattr(module, "default_rule_set"):
        rules: RuleSet = module.default_rule_set()
        return rules
    package = SCHEMES[scheme].rsplit(".", 1)[0]
    return importlib.import_module(f"{package}.rules").default_rules()  # type: ignore[no-any-return]


def _render(kind: str, args: list[str]) -> str:
    scheme, rest = args[0], args[1:]
    rules = _rules(scheme)
    if rules is None:
        return (
            f'!!! warning "Not in this build"\n    The `{scheme}` rules are not part of this '
            "build of the package yet, so this table cannot be generated.\n"
        )
    if kind == "parameters":
        return docs_tables.parameter_tables(rules)
    if kind == "switches":
        return docs_tables.switch_table(rules)
    if kind == "categories":
        return docs_tables.category_table(rules)
    if kind == "law-on":
        return docs_tables.law_on(rules, rest[0], rest[1] if len(rest) > 1 else "")
    if kind == "law-changes":
        return docs_tables.changes_table(rules, rest[0], rest[1], rest[2] if len(rest) > 2 else "")
    raise ValueError(f"unknown docs marker insurrules:{kind}")


# -- the spec texts cited in the data, as links to docs/law/ --------------------------------------

LAW = Path(__file__).resolve().parents[1] / "law"


def _law_pages() -> Any:
    """``law_pages.py`` beside this hook: the one list of spec files and their pages."""
    spec = importlib.util.spec_from_file_location(
        "law_pages", Path(__file__).with_name("law_pages.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: spec file -> (page, anchor prefix, label), as law_pages.py writes the pages
PAGES: dict[str, tuple[str, str, str]] = _law_pages().PAGES

MENTION = re.compile(
    r"\b(?P<file>kz\.md|vn\.md|kz-sources(?:\.md)?|vn-sources(?:\.md)?|contract\.md)"
    r"(?:\s+(?P<item>D-\d+|R\d+(?:\.\d+)?|E\d+|P\d+|route \d|open question \d+"
    r"|derived values|time model))?",
    re.IGNORECASE,
)


@cache
def anchors() -> frozenset[str]:
    found: set[str] = set()
    for page in LAW.glob("*.md"):
        found.update(re.findall(r"\{#([\w-]+)\}", page.read_text(encoding="utf-8")))
    return frozenset(found)


def _target(prefix: str, item: str | None) -> str | None:
    if item is None:
        return None
    key = item.lower()
    if key.startswith("route "):
        return f"{prefix}-routes-to-insured-in-month-m"
    if key.startswith("open question"):
        return next(
            (a for a in anchors() if a.startswith(f"{prefix}-") and "open-questions" in a), None
        )
    return f"{prefix}-" + re.sub(r"[^a-z0-9]+", "-", key).strip("-")


def link_spec_mentions(text: str) -> str:
    """Mentions of the spec texts in generated tables as links to the pages holding them.

    ``kz.md D-3`` -> ``[kz-osms rules D-3][kz-rules-d-3]``, and so on for each spec file."""

    def replace(match: re.Match[str]) -> str:
        name = match["file"].lower()
        page, prefix, label = PAGES[name if name.endswith(".md") else f"{name}.md"]
        item = match["item"]
        target = _target(prefix, item)
        if target is None or target not in anchors():
            target = page.removesuffix(".md")
        label = label if name == "contract.md" else label.removeprefix("the ")
        shown = f"{label} {item}" if item else label
        return f"[{shown}][{target}]"

    return MENTION.sub(replace, text)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        # inside a content tab or an admonition the table must keep the marker's indentation
        text = link_spec_mentions(_render(match["kind"], match["args"].split()))
        indent = match["indent"]
        return "\n".join(indent + line if line else line for line in text.splitlines())

    return MARKER.sub(replace, markdown)
