"""Markdown tables rendered from a [`RuleSet`][insurrules.parameters.RuleSet], for the docs site.

The parameter pages of the documentation are not written by hand: the mkdocs hook
(``docs/hooks/insurrules_docs.py``) calls these functions at build time, so every value, date,
source and "unconfirmed" flag on the site is the one in the scheme's ``parameters.toml``.

>>> from insurrules.kz import rules
>>> print(law_on(rules(), "2026-03-15").splitlines()[2])
| [`kz.scheme.benefits_start`](#kz-scheme-benefits-start) | 2020-01-01 | 2017-07-01 | ...
"""

from __future__ import annotations

import datetime as dt

from insurrules.changes import format_value, law_changes
from insurrules.parameters import DatedValue, Parameter, RuleSet

__all__ = [
    "anchor",
    "category_table",
    "changes_table",
    "format_value",
    "law_on",
    "parameter_tables",
    "switch_table",
]

_UNCONFIRMED = "**unconfirmed**"


def anchor(name: str) -> str:
    """The page anchor of a parameter's section: ``kz.grace.months`` -> ``kz-grace-months``."""
    return name.replace(".", "-").replace("_", "-")


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ").strip()


def _flag(entry: DatedValue) -> str:
    parts = [_UNCONFIRMED] if entry.unconfirmed else []
    if entry.note:
        parts.append(_cell(entry.note))
    return "; ".join(parts)


def _history(param: Parameter) -> list[str]:
    rows = ["| from | value | source | flags and notes |", "| --- | --- | --- | --- |"]
    for entry in param.values:
        rows.append(
            f"| {entry.start} | {_cell(format_value(entry.value, param.unit))} "
            f"| {_cell(entry.source)} | {_flag(entry)} |"
        )
    return rows


def _group(name: str) -> str:
    return name.rsplit(".", 1)[0]


def parameter_tables(rules: RuleSet, heading: str = "####") -> str:
    """Every parameter of ``rules`` with its full dated history, grouped by name prefix.

    Groups get a heading one level above ``heading``; parameters get ``heading``.
    """
    out: list[str] = []
    current = None
    for name, param in rules.parameters.items():
        group = _group(name)
        if group != current:
            out.append(f"{heading[:-1]} `{group}` {{#{anchor(group)}-group}}\n")
            current = group
        out.append(f"{heading} `{name}` {{#{anchor(name)}}}\n")
        kind = f"`{param.kind}`" + (f", in {param.unit}" if param.unit else "")
        switch = f" Interpretation switch **{param.decision}**." if param.is_switch else ""
        out.append(f"{param.description}\n\nType {kind}.{switch}\n")
        if param.choices:
            for key, meaning in param.choices.items():
                out.append(f"- `{key}`: {meaning}")
            out.append("")
        out.extend(_history(param))
        out.append("")
    return "\n".join(out)


def switch_table(rules: RuleSet) -> str:
    """The interpretation switches (D-n) with their default reading and the alternatives."""
    rows = [
        "| decision | parameter | question | default (in force now) | other readings | source |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, param in rules.switches().items():
        latest = param.values[-1]
        default = format_value(latest.value)
        choices = param.choices or {}
        meaning = choices.get(default, "")
        others = "<br>".join(f"`{k}`: {_cell(v)}" for k, v in choices.items() if k != default)
        rows.append(
            f"| **{param.decision}** | [`{name}`](../parameters/{rules.scheme}.md#{anchor(name)}) "
            f"| {_cell(param.description)} | `{default}`: {_cell(meaning)} | {others} "
            f"| {_cell(latest.source)} |"
        )
    return "\n".join(rows)


def category_table(rules: RuleSet) -> str:
    """The state-paid categories in the order decisions report them, with their periods."""
    rows = [
        "| code | who | article | in law | budget | source |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for cat in rules.categories:
        for period in cat.periods:
            span = f"{period.start} – {period.end or 'open'}"
            flag = f" {_UNCONFIRMED}" if period.unconfirmed else ""
            derived = " (derived from the birth date)" if cat.derived else ""
            rows.append(
                f"| `{cat.code}` | {_cell(cat.title)}{derived} | {_cell(cat.article)} | {span} "
                f"| {period.budget} | {_cell(period.source)}{flag} |"
            )
    return "\n".join(rows)


def law_on(rules: RuleSet, on: dt.date | str, page: str = "") -> str:
    """Every parameter's value in force on one date: "the law on a date".

    ``page`` is the page holding the parameter histories (links point to ``page#parameter``).
    """
    day = on if isinstance(on, dt.date) else dt.date.fromisoformat(on)
    rows = [
        "| parameter | value | since | source |",
        "| --- | --- | --- | --- |",
    ]
    for name, param in rules.parameters.items():
        entry = param.entry(day)
        link = f"[`{name}`]({page}#{anchor(name)})"
        if entry is None:
            rows.append(f"| {link} | not yet in law | — | — |")
            continue
        flag = f" {_UNCONFIRMED}" if entry.unconfirmed else ""
        rows.append(
            f"| {link} | {_cell(format_value(entry.value, param.unit))} | {entry.start} "
            f"| {_cell(entry.source)}{flag} |"
        )
    return "\n".join(rows)


def changes_table(
    rules: RuleSet, since: dt.date | str, until: dt.date | str, page: str = ""
) -> str:
    """The changes in the law after ``since`` up to ``until``
    ([`insurrules.law_changes`][insurrules.changes.law_changes]).

    ``page`` is the page holding the parameter histories (parameter names link to it; categories
    link to its category table).
    """
    rows = [
        "| in force from | what changed | before | from then on | source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for change in law_changes(rules, since, until):
        if change.kind == "category":
            what = (
                f"category [`{change.name}`]({page}#state-paid-categories): {_cell(change.title)}"
            )
            old = f"{change.old} budget" if change.old else "not in law"
            new = f"{change.new} budget" if change.new else "not in law"
        else:
            label = f"**{change.decision}** " if change.decision else ""
            what = f"{label}[`{change.name}`]({page}#{anchor(change.name)})"
            old = "not in law" if change.old is None else format_value(change.old, change.unit)
            new = "not in law" if change.new is None else format_value(change.new, change.unit)
        flag = f" {_UNCONFIRMED}" if change.unconfirmed else ""
        rows.append(
            f"| {change.effective} | {what} | {_cell(old)} | {_cell(new)} "
            f"| {_cell(change.source)}{flag} |"
        )
    if len(rows) == 2:
        rows.append("| — | no change in this interval | | | |")
    return "\n".join(rows)
