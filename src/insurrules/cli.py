"""Command line: ``insurrules check CASE.json [--json] [--explain]`` and ``insurrules schema``.

Exit status (contract.md): 0 when a decision was made (insured or not), 2 when the input is
invalid (one line per problem on stderr, naming the field path, identifiers masked, no
traceback), 1 for anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from insurrules.errors import InsurrulesError, error_lines, mask_text

__all__ = ["main"]

EXIT_OK, EXIT_ERROR, EXIT_INVALID = 0, 1, 2


class _InvalidInputError(Exception):
    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # usage errors are invalid input: exit 2
        self.print_usage(sys.stderr)
        raise _InvalidInputError([f"usage: {message}"])


def _read_json(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _InvalidInputError([f"{path}: cannot read ({exc.strerror})"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _InvalidInputError(
            [f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})"]
        ) from None


def _human(decision: Any) -> str:
    lines = [
        f"{decision.scheme} on {decision.as_of}: "
        + ("INSURED" if decision.status == "insured" else "NOT INSURED")
        + (f" ({decision.basis.replace('_', ' ')})" if decision.basis else "")
    ]
    if decision.state_funded:
        sf = decision.state_funded
        lines.append(f"  paid by the state: {sf.category} ({sf.budget} budget)")
    if decision.insured_from:
        until = decision.insured_until or "no known end"
        lines.append(f"  insured from {decision.insured_from} until {until}")
    if decision.renew_by:
        lines.append(f"  renew by: {decision.renew_by}")
    if decision.grace_months is not None:
        lines.append(f"  grace period: {decision.grace_months} months")
    details = decision.details
    if details.get("debt_months"):
        lines.append(f"  debt months: {', '.join(details['debt_months'])}")
    if details.get("amount_due") not in (None, "0"):
        lines.append(f"  to pay (self-payer): {details['amount_due']}")
    for key in (
        "valid_from",
        "valid_to",
        "keep_continuity_by",
        "continuous_since",
        "five_years_on",
    ):
        if details.get(key):
            lines.append(f"  {key.replace('_', ' ')}: {details[key]}")
    lines.append("  because:")
    for reason in decision.reasons:
        lines.append(f"    - [{reason.code}] {reason.message}")
    lines.append(f"  rules: {decision.rules_version}")
    return "\n".join(lines)


def _explain_text(explanation: Any) -> str:
    out = [_human(explanation.decision), "", "  reasoning, with sources:"]
    for reason in explanation.decision.reasons:
        out.append(f"    - {reason.code}: {reason.message}")
        out.append(f"      source: {reason.source}")
    out.extend(_changes_lines(explanation))
    if explanation.trace:
        out.append("")
        first = explanation.trace[0]
        if hasattr(first, "month"):
            out.append("  month     insured  basis           paid  due   state category")
            for row in explanation.trace:
                out.append(
                    f"  {row.month}   {'yes' if row.insured else 'no ':<7}  "
                    f"{(row.basis or '-'):<15} {'yes' if row.paid else '-':<5} "
                    f"{'yes' if row.due else '-':<5} {row.state_category or '-'}"
                )
        else:
            out.append("  cards:")
            for row in explanation.trace:
                out.append(f"    - {row}")
    return "\n".join(out)


def _changes_lines(explanation: Any) -> list[str]:
    from insurrules.changes_cli import changes_text

    changes = getattr(explanation, "changes", ())
    if not changes:
        return []
    head = f"  changes in the law in the 12 months up to {explanation.decision.as_of}:"
    return ["", head, *changes_text(list(changes), "    ", brief=True)]


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from insurrules.api import explain
    from insurrules.case import parse_case

    data = _read_json(args.case)
    case = parse_case(data)
    explanation = explain(case)
    decision = explanation.decision
    if args.json:
        document = decision.model_dump(mode="json")
        if args.explain:
            document = {
                "decision": document,
                "trace": [
                    row.__dict__ if hasattr(row, "__dict__") else _slots_dict(row)
                    for row in explanation.trace
                ],
                "changes": [change.to_json() for change in explanation.changes],
            }
        out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    elif args.explain:
        out.write(_explain_text(explanation) + "\n")
    else:
        out.write(_human(decision) + "\n")
    return EXIT_OK


def _slots_dict(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in getattr(row, "__slots__", ())}


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    from insurrules.schema import case_json_schema, decision_json_schema

    schema = case_json_schema() if args.which == "case" else decision_json_schema()
    out.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


#: extra subcommands registered by optional modules: name -> (setup(parser), run(args, out))
_EXTRA: list[tuple[str, str, str]] = [
    ("simulate", "insurrules.population.cli", "evaluate a population, optionally with a reform"),
    ("screen", "insurrules.claims.cli", "screen billed services against the rules"),
    ("law-changes", "insurrules.changes_cli", "what changed in the law between two dates"),
    ("fhir", "insurrules.fhir.cli", "FHIR R4: eligibility responses, bundles (fhir extra)"),
]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="insurrules", description="Health-insurance eligibility rules as code.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = sub.add_parser("check", help="decide a case document (JSON file, or - for stdin)")
    check.add_argument("case", help="path to CASE.json, or - to read standard input")
    check.add_argument("--json", action="store_true", help="print the decision document as JSON")
    check.add_argument("--explain", action="store_true", help="print the full reasoning")
    check.set_defaults(run=_cmd_check)

    schema = sub.add_parser("schema", help="print the JSON Schema of the case or decision")
    schema.add_argument("which", choices=["case", "decision"])
    schema.set_defaults(run=_cmd_schema)

    import importlib.util

    for name, module, help_text in _EXTRA:
        if importlib.util.find_spec(module.rsplit(".", 1)[0]) is None:
            continue
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        cmd = sub.add_parser(name, help=help_text)
        mod.setup(cmd)
        cmd.set_defaults(run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the CLI; returns the exit status instead of exiting (for tests)."""
    out = out or sys.stdout
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.version:
            from insurrules._version import __version__

            out.write(f"insurrules {__version__}\n")
            return EXIT_OK
        if not getattr(args, "command", None):
            parser.print_help(out)
            return EXIT_INVALID
        run: Callable[[argparse.Namespace, TextIO], int] = args.run
        return run(args, out)
    except _InvalidInputError as exc:
        for line in exc.lines:
            print(mask_text(line), file=sys.stderr)
        return EXIT_INVALID
    except ValidationError as exc:
        for line in error_lines(exc):
            print(line, file=sys.stderr)
        return EXIT_INVALID
    except InsurrulesError as exc:
        print(f"error: {mask_text(str(exc))}", file=sys.stderr)
        return EXIT_INVALID if isinstance(exc, ValueError) else EXIT_ERROR
    except BrokenPipeError:  # pragma: no cover - output closed early (e.g. | head)
        return EXIT_OK
    except Exception as exc:  # the CLI promises no traceback
        print(f"internal error: {type(exc).__name__}: {mask_text(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
