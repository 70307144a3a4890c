"""A person's coverage timeline: day-exact segments, month rows, spans, and their views.

A [`Timeline`][insurrules.coverage.model.Timeline] is a sequence of
[`Segment`][insurrules.coverage.model.Segment] s, maximal runs of days on which the decision reads
the same (status, basis, category and budget, grace, debt); the views (month rows,
[`Timeline.spans`][insurrules.coverage.model.Timeline.spans],
[`Timeline.strip`][insurrules.coverage.model.Timeline.strip],
[`Timeline.to_polars`][insurrules.coverage.model.Timeline.to_polars],
[`Timeline.plot`][insurrules.coverage.model.Timeline.plot], the HTML of a notebook) are read from
them, never computed anew.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, fields, replace
from typing import Any

from insurrules.coverage.legend import COLOURS, SYMBOLS
from insurrules.messages import basis_label
from insurrules.months import YearMonth

__all__ = ["Epoch", "MonthRow", "Segment", "Span", "Timeline", "merge", "pieces"]

_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Segment:
    """Days ``start..end`` (inclusive) on which the decision reads the same.

    ``grace_months``: the grace length that protects or would protect the person (the
    decision's ``grace_months``); ``grace_used``: in a grace period, which of its months this is
    (1 = the first month after the last insured-by-payment month); ``debt_months``: the
    decision's ``details.debt_months`` (kz).
    """

    start: dt.date
    end: dt.date
    status: str
    basis: str | None
    category: str | None
    budget: str | None
    grace_months: int | None = None
    grace_used: int | None = None
    debt_months: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def reading(self) -> tuple[object, ...]:
        """Everything but the dates."""
        return (
            self.status,
            self.basis,
            self.category,
            self.budget,
            self.grace_months,
            self.grace_used,
            self.debt_months,
        )

    def reads_as(self, other: Segment) -> bool:
        return self.reading == other.reading

    def to_json(self) -> dict[str, Any]:
        return _as_json(self)


@dataclass(frozen=True, slots=True)
class Span:
    """A maximal run of days with the same status and basis."""

    start: dt.date
    end: dt.date
    status: str
    basis: str | None

    def to_json(self) -> dict[str, Any]:
        return _as_json(self)


def _as_json(record: Segment | Span) -> dict[str, Any]:
    """A segment or span as JSON values: dates as ISO text, tuples as lists."""
    out: dict[str, Any] = {}
    for field in fields(record):
        value = getattr(record, field.name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[field.name] = value
    return out


@dataclass(frozen=True, slots=True)
class MonthRow:
    """One calendar month: its parts, the segments cut to the month (one part for most)."""

    month: YearMonth
    parts: tuple[Segment, ...]

    @property
    def mixed(self) -> bool:
        return len(self.parts) > 1


#: a state of knowledge: its first and last day, and the day whose facts it knows
Epoch = tuple[dt.date, dt.date, dt.date]


def pieces(cuts: set[dt.date], lo: dt.date, hi: dt.date) -> list[tuple[dt.date, dt.date]]:
    """``lo..hi`` cut before each day of ``cuts`` inside it: ``(first, last)`` pairs."""
    days = sorted({lo} | {d for d in cuts if lo < d <= hi})
    return [(d, days[k + 1] - _DAY if k + 1 < len(days) else hi) for k, d in enumerate(days)]


def merge(segments: list[Segment]) -> list[Segment]:
    """Adjacent segments that read the same become one."""
    out: list[Segment] = []
    for seg in segments:
        if out and out[-1].reads_as(seg) and out[-1].end + _DAY == seg.start:
            out[-1] = replace(out[-1], end=seg.end)
        else:
            out.append(seg)
    return out


@dataclass(frozen=True)
class Timeline:
    """A person's coverage, day by day, from ``start`` to ``end`` (see
    [`insurrules.timeline`][insurrules.coverage.timeline]).

    ``known`` says which facts each day uses: ``"then"``, those known on that day (every day
    reads as ``decide()`` asked on it), or ``"as_of"``, those known on the case's ``as_of``.
    """

    scheme: str
    start: dt.date
    end: dt.date
    known: str
    segments: tuple[Segment, ...]

    def __repr__(self) -> str:  # the segments themselves: .segments, .spans, .to_polars()
        return (
            f"Timeline({self.scheme} {self.start}..{self.end}, known={self.known!r}:"
            f" {len(self.segments)} segments)"
        )

    def on(self, day: dt.date) -> Segment:
        """The segment holding ``day``; a ``ValueError`` outside the timeline."""
        if not self.start <= day <= self.end:
            raise ValueError(f"{day} is outside the timeline {self.start}..{self.end}")
        starts = [s.start for s in self.segments]
        return self.segments[bisect_right(starts, day) - 1]

    @property
    def spans(self) -> list[Span]:
        """Maximal runs with the same status and basis (category, grace, debt may change)."""
        out: list[Span] = []
        for seg in self.segments:
            if out and (out[-1].status, out[-1].basis) == (seg.status, seg.basis):
                out[-1] = Span(out[-1].start, seg.end, seg.status, seg.basis)
            else:
                out.append(Span(seg.start, seg.end, seg.status, seg.basis))
        return out

    def months(self) -> list[MonthRow]:
        """Month by month: each month's parts (several where cover changes inside a month)."""
        rows: list[MonthRow] = []
        first, last = YearMonth.of(self.start), YearMonth.of(self.end)
        i = 0
        for k in range(last - first + 1):
            month = first + k
            lo, hi = max(month.first_day(), self.start), min(month.last_day(), self.end)
            parts = []
            while i < len(self.segments) and self.segments[i].end < lo:
                i += 1
            j = i
            while j < len(self.segments) and self.segments[j].start <= hi:
                seg = self.segments[j]
                parts.append(replace(seg, start=max(seg.start, lo), end=min(seg.end, hi)))
                j += 1
            rows.append(MonthRow(month, tuple(parts)))
        return rows

    # -- views ------------------------------------------------------------------------------
    def label(self, basis: str | None) -> str:
        """The name of ``basis`` (None: not insured) from the message catalogue, in the language
        being spoken (English by default)."""
        return basis_label(self.scheme, basis)

    def strip(self, lang: str = "en") -> str:
        """A compact text strip for terminals: a row per year, a letter per month.

        The letter is the basis at the month's end (``·`` not insured); ``'`` after it marks a
        month in which the reading changes. ``lang``: the language of the month heads and the
        legend (``en``, ``ru``, ``kk`` for kz-osms; ``en``, ``vi`` for vn-bhyt).
        """
        from insurrules.messages import message, speaking

        used: dict[str | None, None] = {}
        rows = self.months()
        for row in rows:
            used.setdefault(row.parts[-1].basis, None)
        with speaking(lang, self.scheme):
            heads = message("cli.strip.months").split()
            names = {b: basis_label(self.scheme, b) for b in used}
            changes = message("cli.strip.changes")
        width = max(2, *(len(h) + 1 for h in heads))  # a month's column: its head and a space
        by_year: dict[int, list[str]] = {}
        for row in rows:
            last = row.parts[-1]
            cell = SYMBOLS.get(last.basis, "?") + ("'" if row.mixed else " ")
            by_year.setdefault(row.month.year, [" " * width] * 12)[row.month.month - 1] = (
                cell.ljust(width)
            )
        lines = ["      " + "".join(h.ljust(width) for h in heads).rstrip()]
        lines += [f"{year}  {''.join(cells).rstrip()}" for year, cells in by_year.items()]
        legend = "  ".join(f"{SYMBOLS[b]} {names[b]}" for b in SYMBOLS if b in used)
        lines.append(f"{legend}  ' {changes}")
        return "\n".join(lines)

    def to_polars(self) -> Any:
        """One row per month part: ``month``, ``start``, ``end``, ``days``, the reading.

        Needs the ``population`` extra (polars).
        """
        import polars as pl

        rows = [
            {"month": str(row.month), **part.to_json(), "days": part.days}
            for row in self.months()
            for part in row.parts
        ]
        schema: dict[str, Any] = {
            "month": pl.Utf8,
            "start": pl.Utf8,
            "end": pl.Utf8,
            "days": pl.Int32,
            "status": pl.Utf8,
            "basis": pl.Utf8,
            "category": pl.Utf8,
            "budget": pl.Utf8,
            "grace_months": pl.Int32,
            "grace_used": pl.Int32,
            "debt_months": pl.List(pl.Utf8),
        }
        frame = pl.DataFrame(rows, schema=schema)
        return frame.with_columns(pl.col("start").str.to_date(), pl.col("end").str.to_date())

    def to_json(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "known": self.known,
            "segments": [s.to_json() for s in self.segments],
            "spans": [s.to_json() for s in self.spans],
        }

    def plot(self) -> Any:
        """A matplotlib ``Figure``: the spans as coloured bars over time (the ``plot`` extra)."""
        try:
            from matplotlib.figure import Figure
            from matplotlib.patches import Patch
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError(
                "Timeline.plot() needs matplotlib: pip install insurrules[plot]"
            ) from None
        fig = Figure(figsize=(10, 1.9), layout="constrained")
        ax = fig.subplots()
        shown: dict[str | None, None] = {}
        for span in self.spans:
            width = span.end + _DAY - span.start
            colour = COLOURS.get(span.basis, "#999")
            # matplotlib converts dates and time spans itself; its stubs only say floats
            ax.broken_barh([(span.start, width)], (0, 1), color=colour)  # type: ignore[list-item]
            shown.setdefault(span.basis, None)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.set_title(f"{self.scheme}: cover {self.start} .. {self.end}")
        ax.legend(
            handles=[
                Patch(color=COLOURS.get(b, "#999"), label=basis_label(self.scheme, b))
                for b in shown
            ],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.35),
            ncol=len(shown),
            frameon=False,
        )
        return fig

    def _repr_html_(self) -> str:  # Jupyter; the rendering lives in insurrules.notebook
        from insurrules.notebook import timeline_html

        return timeline_html(self)
