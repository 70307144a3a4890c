"""Command line: ``insurrules check CASE.json [--json] [--explain]`` and ``insurrules schema``.

Exit status ([the contract][contract]): 0 when a decision was made (insured or not), 2 when the
input is invalid (one line per problem on stderr, naming the field path, identifiers masked, no
traceback), 1 for anything else.
"""

from __future__ import annotations

import argparse
import codecs
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from insurrules.cli_inputs import CommandInputError, readable_file, require_extra, text_problem
from insurrules.errors import InsurrulesError, error_lines, mask_text

__all__ = ["main"]

EXIT_OK, EXIT_ERROR, EXIT_INVALID = 0, 1, 2


_InvalidInputError = CommandInputError

_REQUIRED = re.compile(r"the following arguments are required: (?P<names>.+)")
_CHOICE = re.compile(
    r"argument (?P<name>\S+): invalid choice: (?P<given>'[^']*') \(choose from (?P<choices>.*)\)"
)


class _Parser(argparse.ArgumentParser):
    """Usage errors are invalid input (exit 2), worded with the names the user sees."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        raise CommandInputError([f"{self.prog}: {self._reword(message)}"])

    def _reword(self, message: str) -> str:
        if found := _REQUIRED.fullmatch(message):
            names = [n.strip() for n in found["names"].split(",")]
            return "missing " + ", ".join(self._described(n) for n in names)
        if found := _CHOICE.fullmatch(message):
            choices = found["choices"].replace("'", "")
            what = "command" if found["name"] == "COMMAND" else found["name"]
            return f"unknown {what} {found['given']} (choose from {choices})"
        return message

    def _described(self, name: str) -> str:
        for action in self._actions:
            if name in (action.metavar, action.dest, *action.option_strings) and action.help:
                return f"{name} ({action.help})"
        return name


def _read_json(path: str) -> Any:
    """The case document in ``path`` (``-``: standard input), read by the library's strict
    case parser (``load_case_json``: UTF-8, a BOM skipped, duplicate keys refused)."""
    from insurrules.case import load_case_json
    from insurrules.errors import InvalidCase

    if path != "-":
        readable_file(path, path)
    try:
        raw = _stdin_bytes() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise _InvalidInputError([f"{path}: cannot read ({exc.strerror})"]) from None
    problem = text_problem(raw.removeprefix(codecs.BOM_UTF8))
    if problem:
        raise _InvalidInputError([f"{path}: {problem}"])
    try:
        data = load_case_json(raw)
    except InvalidCase as exc:  # the document as a whole: name the file
        raise _InvalidInputError(
            [line.replace("(case): ", f"{path}: ", 1) for line in exc.lines]
        ) from None
    if isinstance(data, list):
        raise _InvalidInputError(
            [
                f"{path}: a JSON list of {len(data)} documents; check decides one case document"
                " (one file per case, or insurrules.decide_many for a list)"
            ]
        )
    return data


def _stdin_bytes() -> bytes:
    buffer = getattr(sys.stdin, "buffer", None)
    return buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8")


def _human(decision: Any) -> str:
    """The decision for people, in the language being spoken (``messages.speaking``)."""
    from insurrules.messages import basis_label, message

    status = message(f"cli.status.{decision.status}")
    head = message("cli.check.head", scheme=decision.scheme, as_of=decision.as_of, status=status)
    if decision.basis:
        head += f" ({basis_label(decision.scheme, decision.basis)})"
    lines = [head]
    if decision.state_funded:
        sf = decision.state_funded
        lines.append("  " + message("cli.check.state_paid", category=sf.category, budget=sf.budget))
    if decision.insured_from:
        until = decision.insured_until or message("cli.check.no_end")
        lines.append(
            "  " + message("cli.check.insured_from", start=decision.insured_from, until=until)
        )
    if decision.renew_by:
        lines.append("  " + message("cli.check.renew_by", day=decision.renew_by))
    if decision.grace_months is not None:
        lines.append("  " + message("cli.check.grace", months=decision.grace_months))
    details = decision.details
    if details.get("debt_months"):
        lines.append("  " + message("cli.check.debt", months=", ".join(details["debt_months"])))
    if details.get("amount_due") not in (None, "0"):
        lines.append("  " + message("cli.check.to_pay", amount=details["amount_due"]))
    for key in (
        "valid_from",
        "valid_to",
        "keep_continuity_by",
        "continuous_since",
        "five_years_on",
    ):
        if details.get(key):
            lines.append(f"  {message(f'vn.label.{key}')}: {details[key]}")
    lines.append("  " + message("cli.check.because"))
    for reason in decision.reasons:
        lines.append(f"    - [{reason.code}] {reason.message}")
    lines.append("  " + message("cli.check.rules", version=decision.rules_version))
    return "\n".join(lines)


def _explain_text(explanation: Any) -> str:
    from insurrules.messages import message

    out = [_human(explanation.decision), "", "  " + message("cli.explain.reasoning")]
    for reason in explanation.decision.reasons:
        out.append(f"    - {reason.code}: {reason.message}")
        out.append("      " + message("cli.source", source=reason.source))
    out.extend(_changes_lines(explanation))
    if explanation.trace:
        out.append("")
        first = explanation.trace[0]
        if hasattr(first, "month"):
            out.extend(_trace_table(explanation.trace))
        else:
            out.append("  " + message("vn.label.cards"))
            for row in explanation.trace:
                out.append(f"    - {row}")
    return "\n".join(out)


def _trace_table(trace: Any) -> list[str]:
    """The kz-osms month-by-month reasoning as a table; columns as wide as their words."""
    from insurrules.messages import message

    yes, no = message("cli.yes"), message("cli.no")
    heads = [message(f"kz.trace.{name}") for name in ("month", "insured", "basis", "paid", "due")]
    rows = [
        [
            row.month,
            yes if row.insured else no,
            row.basis or "-",
            yes if row.paid else "-",
            yes if row.due else "-",
            row.state_category or "-",
        ]
        for row in trace
    ]
    # the English widths, wider where a word or a value needs it
    widths = [10, 9, 16, 6, 6]
    for column in range(5):
        widest = max([len(heads[column]), *(len(r[column]) for r in rows)])
        widths[column] = max(widths[column], widest + 2 if column < 2 else widest + 1)
    head = "".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))
    out = ["  " + head + message("kz.trace.category")]
    for r in rows:
        out.append("  " + "".join(v.ljust(w) for v, w in zip(r, widths, strict=False)) + r[5])
    return out


def _changes_lines(explanation: Any) -> list[str]:
    from insurrules.changes import RECENT_MONTHS
    from insurrules.changes_cli import changes_text
    from insurrules.messages import message

    changes = getattr(explanation, "changes", ())
    if not changes:
        return []
    head = "  " + message(
        "cli.changes.recent", months=RECENT_MONTHS, as_of=explanation.decision.as_of
    )
    return ["", head, *changes_text(list(changes), "    ", brief=True)]


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from insurrules.api import explain
    from insurrules.case import parse_case
    from insurrules.messages import speaking

    data = _read_json(args.case)
    case = parse_case(data)
    explanation = explain(case, lang=args.lang)
    decision = explanation.decision
    with speaking(args.lang, decision.scheme):
        text = _explain_text(explanation) if args.explain else _human(decision)
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
    else:
        out.write(text + "\n")
    return EXIT_OK


def _slots_dict(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in getattr(row, "__slots__", ())}


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    from insurrules.schema import case_json_schema, decision_json_schema

    schema = case_json_schema() if args.which == "case" else decision_json_schema()
    out.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


#: commands whose arguments and run live in their own module: name -> (module, help, extra)
_MODULE_COMMANDS: dict[str, tuple[str, str, str | None]] = {
    "law-changes": ("insurrules.changes_cli", "what changed in the law between two dates", None),
    "fhir": ("insurrules.fhir.cli", "FHIR R4: eligibility responses, bundles", "fhir"),
    "timeline": ("insurrules.coverage.cli", "a person's coverage month by month", None),
}

#: the commands of optional extras: name -> (module with ``run(args, out)``, the extra, its imports)
_EXTRA: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "simulate": ("insurrules.population.cli", "population", ("numpy", "polars", "pyarrow")),
    "screen": ("insurrules.claims.cli", "population", ("numpy", "polars", "pyarrow")),
    "synthesize": (
        "insurrules.population.synthesize_cli",
        "population",
        ("numpy", "polars", "pyarrow"),
    ),
}


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bar (shown only on a terminal)"
    )


def _setup_simulate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--population",
        required=True,
        metavar="POPULATION",
        help="synthetic:N for a synthetic population of N persons, or a Parquet folder",
    )
    parser.add_argument(
        "--as-of", required=True, metavar="DATE", help="the date asked about (YYYY-MM-DD)"
    )
    parser.add_argument("--reform", metavar="FILE", help="a reform TOML file (examples/reform-*)")
    parser.add_argument("--out", metavar="FILE", help="write the per-person result (Parquet)")
    parser.add_argument("--seed", type=int, default=0, help="seed of a synthetic population")
    parser.add_argument(
        "--scheme",
        choices=("kz-osms", "vn-bhyt"),
        help="the population's scheme (default: the reform's, else kz-osms)",
    )
    _add_quiet(parser)


def _setup_screen(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("claims", metavar="CLAIMS", help="claims table: .csv or .parquet")
    parser.add_argument(
        "--population",
        required=True,
        metavar="DIR",
        help="folder of population tables (persons.parquet, payments.parquet, ...)",
    )
    parser.add_argument(
        "--out", metavar="FILE", help="write every claim with flags and reasons (.parquet/.csv)"
    )
    parser.add_argument(
        "--top", type=int, default=10, help="providers shown in the summary (default 10)"
    )
    parser.add_argument(
        "--lang",
        metavar="LANG",
        default="en",
        help="language of the reasons of refusals: en, ru, kk",
    )
    _add_quiet(parser)


def _setup_synthesize(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scheme", metavar="SCHEME", choices=("kz-osms", "vn-bhyt"), help=("kz-osms or vn-bhyt")
    )
    parser.add_argument("persons", metavar="N", type=_count, help="number of persons")
    parser.add_argument("folder", metavar="DIR", help="folder to write the Parquet tables to")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed (the same seed, the same persons)"
    )
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        default="2026-03-15",
        help="the histories run up to this date (default 2026-03-15)",
    )
    parser.add_argument(
        "--force", action="store_true", help="write into a folder that is not empty"
    )
    _add_quiet(parser)


def _count(text: str) -> int:
    digits = text.replace("_", "")
    if not digits.isascii() or not digits.isdigit() or int(digits) <= 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of persons > 0, got {text!r}")
    return int(digits)


_SETUP: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "simulate": ("evaluate a population, optionally with a reform", _setup_simulate),
    "screen": ("screen billed services against the rules", _setup_screen),
    "synthesize": ("write a synthetic population folder (Parquet)", _setup_synthesize),
}


def _run_extra(name: str) -> Callable[[argparse.Namespace, TextIO], int]:
    """The command ``name`` of an optional extra, imported only when it runs."""
    module, extra, imports = _EXTRA[name]

    def run(args: argparse.Namespace, out: TextIO) -> int:
        import importlib

        require_extra(name, extra, imports)
        command: Callable[[argparse.Namespace, TextIO], int] = importlib.import_module(module).run
        return command(args, out)

    return run


def _add_module_command(
    sub: Any, name: str, module: str, help_text: str, extra: str | None
) -> None:
    """Register ``name`` from ``module`` (which imports its extra's packages only when run)."""
    import importlib

    mod = importlib.import_module(module)
    cmd = sub.add_parser(name, help=help_text + (f" (the '{extra}' extra)" if extra else ""))
    mod.setup(cmd)
    cmd.set_defaults(run=mod.run)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="insurrules", description="Health-insurance eligibility rules as code.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="decide a case document (JSON file, or - for stdin)")
    check.add_argument(
        "case", metavar="CASE", help="path to CASE.json, or - to read standard input"
    )
    check.add_argument("--json", action="store_true", help="print the decision document as JSON")
    check.add_argument("--explain", action="store_true", help="print the full reasoning")
    check.add_argument(
        "--lang",
        metavar="LANG",
        default="en",
        help="language of the output: en, ru, kk (kz-osms); en, vi (vn-bhyt)",
    )
    check.set_defaults(run=_cmd_check)

    schema = sub.add_parser("schema", help="print the JSON Schema of the case or decision")
    schema.add_argument(
        "which", metavar="DOCUMENT", choices=["case", "decision"], help=("case or decision")
    )
    schema.set_defaults(run=_cmd_schema)

    for name, (module, help_text, extra) in _MODULE_COMMANDS.items():
        _add_module_command(sub, name, module, help_text, extra)

    for name, (help_text, setup) in _SETUP.items():
        cmd = sub.add_parser(name, help=f"{help_text} (the '{_EXTRA[name][1]}' extra)")
        setup(cmd)
        cmd.set_defaults(run=_run_extra(name))
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
    except CommandInputError as exc:
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
