"""``insurrules timeline CASE.json [--from YYYY-MM] [--to YYYY-MM] [--known then|as-of] [--json]
[--lang LANG]``.

A person's coverage month by month: a text strip (a letter per month) and the spans (maximal
runs with the same status and basis), or the timeline as JSON (day-exact segments and spans).
By default the 24 months up to the month of ``as_of`` (from the birth date, for kz-osms from
2020-01 at the earliest), each day read from the facts known on that day (``--known as-of``:
from the facts known on ``as_of``); ``--lang``: the language of the strip and the spans. Exit
status 2 for invalid input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from insurrules.errors import RulesError

__all__ = ["run", "setup", "timeline_text"]


def setup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", help="path to CASE.json, or - to read standard input")
    parser.add_argument(
        "--from", dest="first", metavar="YYYY-MM", help="first month (default: 23 before --to)"
    )
    parser.add_argument(
        "--to", dest="last", metavar="YYYY-MM", help="last month (default: the month of as_of)"
    )
    parser.add_argument(
        "--known",
        choices=("then", "as-of"),
        default="then",
        help="read each day from the facts known then (default) or on as_of",
    )
    parser.add_argument("--json", action="store_true", help="print the timeline as JSON")
    parser.add_argument(
        "--lang",
        metavar="LANG",
        default="en",
        help="language of the strip and spans: en, ru, kk (kz-osms); en, vi (vn-bhyt)",
    )


def _read(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RulesError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None


def timeline_text(timeline: Any, lang: str = "en") -> str:
    """The strip, then one line per span, in ``lang``."""
    from insurrules.messages import basis_label, message, speaking

    with speaking(lang, timeline.scheme):
        known = "then" if timeline.known == "then" else "as_of"
        head = message(
            f"cli.timeline.head#{known}",
            scheme=timeline.scheme,
            start=timeline.start,
            end=timeline.end,
        )
        lines = [head, timeline.strip(lang), message("cli.timeline.spans")]
        for span in timeline.spans:
            status = message(f"cli.span.{span.status}")
            basis = f"  {basis_label(timeline.scheme, span.basis)}" if span.basis else ""
            lines.append(f"  {span.start} .. {span.end}  {status}{basis}")
    return "\n".join(lines)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from insurrules.case import parse_case
    from insurrules.coverage import timeline
    from insurrules.months import YearMonth

    case: Any = parse_case(_read(args.case))
    last: Any = args.last or YearMonth.of(case.as_of)
    first: Any = args.first
    if first is None:
        end = YearMonth.parse(last) if isinstance(last, str) else last
        floor = YearMonth(2020, 1) if case.scheme == "kz-osms" else YearMonth(1, 1)
        first = max(end - 23, floor, YearMonth.of(case.person.birth_date))
    result = timeline(case, first, last, known="then" if args.known == "then" else "as_of")
    if args.json:
        out.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(timeline_text(result, args.lang) + "\n")
    return 0
