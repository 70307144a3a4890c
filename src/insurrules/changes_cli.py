"""``insurrules law-changes SCHEME SINCE UNTIL [--json] [--lang LANG]``: what changed in the law.

Every parameter, interpretation switch default and state-paid category whose value changed on a
day after ``SINCE`` up to and including ``UNTIL``
([`insurrules.law_changes`][insurrules.changes.law_changes]), each with its old and new value, the
date it took effect and its source; ``--lang``: the language of the labels (the parameters' own
titles and units are data, in English). Exit status 2 for a bad date, an unknown scheme or a
language the scheme's messages are not in.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from insurrules.changes import Change, law_changes
from insurrules.messages import message, speaking
from insurrules.schemes import SCHEMES

__all__ = ["changes_text", "run", "setup"]


def setup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scheme", choices=tuple(SCHEMES), help="the scheme")
    parser.add_argument("since", help="changes that took effect after this date (YYYY-MM-DD)")
    parser.add_argument("until", help="... up to and including this date (YYYY-MM-DD)")
    parser.add_argument("--json", action="store_true", help="print the changes as a JSON list")
    parser.add_argument(
        "--lang",
        metavar="LANG",
        default="en",
        help="language of the labels: en, ru, kk (kz-osms); en, vi (vn-bhyt)",
    )


def changes_text(changes: list[Change], indent: str = "", *, brief: bool = False) -> list[str]:
    """Each change as a line, then (unless ``brief``) its meaning and source, indented; a
    source is flagged when unconfirmed."""
    out: list[str] = []
    for change in changes:
        flag = f" ({message('cli.unconfirmed')})" if change.unconfirmed else ""
        if brief:
            out.append(f"{indent}- {change.line()} [{change.source}{flag}]")
            continue
        out.append(f"{indent}{change.line()}")
        out.append(f"{indent}    {change.title}")
        out.append(f"{indent}    {message('cli.source', source=change.source)}{flag}")
    return out


def run(args: argparse.Namespace, out: TextIO) -> int:
    changes = law_changes(args.scheme, args.since, args.until)
    if args.json:
        out.write(json.dumps([c.to_json() for c in changes], ensure_ascii=False, indent=2) + "\n")
        return 0
    with speaking(args.lang, args.scheme):
        count = message(
            f"cli.law_changes.count#{'one' if len(changes) == 1 else 'other'}", count=len(changes)
        )
        lines = [
            message(
                "cli.law_changes.head",
                scheme=args.scheme,
                count=count,
                since=args.since,
                until=args.until,
            ),
            *changes_text(changes, "  "),
        ]
    out.write("".join(line + "\n" for line in lines))
    return 0
