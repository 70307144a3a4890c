"""HTML for Jupyter: what ``Decision``, ``Timeline`` and ``Comparison`` show in a notebook.

Each object's ``_repr_html_`` calls a function here, so the models stay data and the rendering
lives in one place. The HTML is small and self-contained (inline styles only, every text
escaped); it shows what the object holds, nothing computed anew.

>>> import insurrules
>>> decision = insurrules.decide({
...     "scheme": "kz-osms", "as_of": "2026-03-15",
...     "person": {"id": "870412445016", "birth_date": "1987-04-12", "sex": "female",
...                "welfare_levels": [{"level": "D", "start": "2026-01-01"}],
...                "care_requests": ["2026-03-02"]}})
>>> html = decision._repr_html_()
>>> "INSURED" in html and "kz.state.welfare_level_de" in html and "Law 405-V art. 26-1" in html
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

__all__ = ["comparison_html", "decision_html", "table", "timeline_html"]

_TABLE = 'style="border-collapse:collapse;font-size:0.9em;text-align:left"'
_CELL = 'style="border:1px solid #ccc;padding:2px 8px;vertical-align:top;text-align:left"'
_HEAD = 'style="border:1px solid #ccc;padding:2px 8px;background:#f3f3f3;text-align:left"'
_STATUS = {"insured": ("#1b7f4c", "INSURED"), "not_insured": ("#b3261e", "NOT INSURED")}


def _text(value: Any) -> str:
    return "—" if value is None or value == "" else escape(str(value))


def table(header: Sequence[str] | None, rows: Iterable[Sequence[Any]], *, raw: bool = False) -> str:
    """An HTML table; cells are escaped unless ``raw`` (cells already HTML)."""
    out = [f"<table {_TABLE}>"]
    if header:
        out.append("<tr>" + "".join(f"<th {_HEAD}>{escape(h)}</th>" for h in header) + "</tr>")
    for row in rows:
        cells = (str(c) if raw else _text(c) for c in row)
        out.append("<tr>" + "".join(f"<td {_CELL}>{c}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def status_badge(status: str) -> str:
    color, label = _STATUS.get(status, ("#555", status))
    return f'<b style="color:{color}">{escape(label)}</b>'


def decision_html(decision: Any) -> str:
    """A decision: status, basis, dates and details, then its reasons with their sources."""
    sf = decision.state_funded
    facts: list[tuple[str, Any]] = [
        ("status", status_badge(decision.status)),
        ("basis", _text(decision.basis)),
        ("paid by the state", _text(sf and f"{sf.category} ({sf.budget} budget)")),
        ("insured from", _text(decision.insured_from)),
        (
            "insured until",
            _text(decision.insured_until or ("no known end" if decision.insured_from else None)),
        ),
        ("renew by", _text(decision.renew_by)),
        ("grace months", _text(decision.grace_months)),
    ]
    for key, value in decision.details.items():
        if value in (None, [], "", "0"):
            continue
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else value
        facts.append((key.replace("_", " "), _text(shown)))
    title = (
        f"<div><b>{escape(decision.scheme)}</b> on <b>{escape(str(decision.as_of))}</b> "
        f'&middot; <span style="color:#666">{escape(decision.rules_version)}</span></div>'
    )
    reasons = table(
        ("reason", "message", "source"),
        ((r.code, r.message, r.source) for r in decision.reasons),
    )
    facts_table = table(None, ((f"<b>{escape(k)}</b>", v) for k, v in facts), raw=True)
    return f'<div>{title}{facts_table}<div style="margin-top:4px">{reasons}</div></div>'


def comparison_html(comparison: Any) -> str:
    """A population comparison: what the reform changes, and the total and budget rows."""
    import polars as pl

    changed = ", ".join(comparison.reform_rules.changed) or "—"
    summary = comparison.summary.combined
    shown = summary.filter(pl.col("dimension").is_in(["total", "budget"]))
    columns = [c for c in shown.columns if not shown[c].is_null().all()]
    rows = [[row[c] for c in columns] for row in shown.select(columns).iter_rows(named=True)]
    head = (
        f"<div><b>Comparison on {escape(str(comparison.as_of))}</b>: "
        f"{comparison.reform_rules.scheme}, parameters changed: {escape(changed)}; "
        f"{comparison.per_person.height} person(s) with a different result</div>"
    )
    return f"<div>{head}{table(columns, rows)}</div>"


def timeline_html(timeline: Any) -> str:
    """A timeline: a coloured cell per month (its basis at the month's end), then the spans."""
    from insurrules.coverage.legend import COLOURS, SYMBOLS

    cells = []
    for row in timeline.months():
        last = row.parts[-1]
        symbol = SYMBOLS.get(last.basis, "?")
        title = f"{row.month}: " + "; ".join(
            f"{p.start}..{p.end} {timeline.label(p.basis)}" for p in row.parts
        )
        mark = "\u2032" if row.mixed else ""  # a prime: the reading changes within the month
        colour = COLOURS.get(last.basis, "#999")
        cells.append(
            f'<span title="{escape(title)}" style="display:inline-block;width:1.6em;'
            f'text-align:center;color:white;background:{colour};margin:0 1px 1px 0">'
            f"{escape(symbol)}{mark}</span>"
        )
    head = (
        f"<div><b>{escape(timeline.scheme)}</b> {timeline.start} .. {timeline.end} "
        f'<span style="color:#666">(facts known {escape(timeline.known)})</span></div>'
    )
    spans = table(
        ("from", "to", "status", "basis"),
        ((s.start, s.end, s.status.replace("_", " "), s.basis) for s in timeline.spans),
    )
    return f"<div>{head}<div>{''.join(cells)}</div>{spans}</div>"
