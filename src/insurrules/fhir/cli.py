"""``insurrules fhir``: decisions as FHIR R4 documents (the ``fhir`` extra).

::

    insurrules fhir response INPUT.json [--insurer NAME] [--created DATE]
    insurrules fhir bundle CASE.json
    insurrules fhir case BUNDLE.json

``response`` decides a case document, or the case in a FHIR ``Bundle`` (then the Bundle's
CoverageEligibilityRequest is the request answered), and prints the
``CoverageEligibilityResponse``. ``bundle`` prints a case document as a ``Bundle``; ``case``
prints the case document a ``Bundle`` holds. ``-`` reads standard input. Invalid input exits 2
with one line per problem, naming the place in the bundle; identifiers masked.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from insurrules.fhir.resources import FhirError

__all__ = ["run", "setup"]


def setup(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="fhir_action", required=True, metavar="ACTION")
    response = actions.add_parser(
        "response", help="decide a case document or a FHIR Bundle: CoverageEligibilityResponse"
    )
    response.add_argument("input", help="a case document or a FHIR Bundle (JSON), - for stdin")
    response.add_argument("--insurer", help="the insurer's display name (default: the Fund)")
    response.add_argument("--created", help="the response's creation date (default: as_of)")
    bundle = actions.add_parser("bundle", help="a case document as a FHIR Bundle")
    bundle.add_argument("input", help="a case document (JSON), - for stdin")
    case = actions.add_parser("case", help="the case document held in a FHIR Bundle")
    case.add_argument("input", help="a FHIR Bundle (JSON), - for stdin")


def _read(path: str) -> tuple[str, Any]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FhirError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return text, json.loads(text)
    except json.JSONDecodeError as exc:
        raise FhirError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None


def _is_bundle(data: Any) -> bool:
    return isinstance(data, dict) and data.get("resourceType") == "Bundle"


def run(args: argparse.Namespace, out: TextIO) -> int:
    from insurrules.api import decide
    from insurrules.fhir import case_from_fhir, case_to_fhir, coverage_eligibility_response
    from insurrules.fhir.resources import to_json

    text, data = _read(args.input)
    if args.fhir_action == "bundle":
        out.write(to_json(case_to_fhir(data)) + "\n")
        return 0
    if args.fhir_action == "case":
        if not _is_bundle(data):
            raise FhirError(f"{args.input}: expected a FHIR Bundle (resourceType 'Bundle')")
        document = case_from_fhir(text).model_dump(mode="json", exclude_defaults=True)
        out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return 0
    request = None
    if _is_bundle(data):
        case: Any = case_from_fhir(text)
        request = next(
            e
            for e in data.get("entry", ())
            if (e.get("resource") or {}).get("resourceType") == "CoverageEligibilityRequest"
        )
    else:
        case = data
    created = None
    if args.created:
        try:
            created = dt.date.fromisoformat(args.created)
        except ValueError:
            raise FhirError(
                f"--created: expected a date YYYY-MM-DD, got {args.created!r}"
            ) from None
    response = coverage_eligibility_response(
        decide(case), case, insurer=args.insurer, request=request, created=created
    )
    out.write(to_json(response) + "\n")
    return 0
