"""mkdocs hook: pages say ``<!-- insurrules:KIND SCHEME [ARGS] -->`` and get tables from the data.

Kinds: ``parameters`` (every parameter with its dated history), ``switches`` (the D-n
interpretation switches), ``categories`` (state-paid categories), ``law-on DATE [PAGE]`` (every
value in force on DATE). The tables are rendered by :mod:`insurrules.docs_tables` from the
scheme's ``parameters.toml`` at build time, so the site can never disagree with the data.

A scheme whose package is not installed yet renders a warning instead of a table; an unknown
kind or scheme fails the build.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from insurrules import docs_tables
from insurrules.case import SCHEMES, scheme_module
from insurrules.parameters import RuleSet

MARKER = re.compile(
    r"^(?P<indent>[ \t]*)<!--\s*insurrules:(?P<kind>[\w-]+)\s+(?P<args>[^>]*?)\s*-->",
    re.MULTILINE,
)


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
    raise ValueError(f"unknown docs marker insurrules:{kind}")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        # inside a content tab or an admonition the table must keep the marker's indentation
        text = _render(match["kind"], match["args"].split())
        indent = match["indent"]
        return "\n".join(indent + line if line else line for line in text.splitlines())

    return MARKER.sub(replace, markdown)
