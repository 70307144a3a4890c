"""A decision as a FHIR R4 ``CoverageEligibilityResponse``
([`coverage_eligibility_response`][insurrules.fhir.response.coverage_eligibility_response]).

Mapping (documented with examples on the docs page "FHIR"):

========================================  ====================================================
``CoverageEligibilityResponse``           from
========================================  ====================================================
``status``                                ``active``
``purpose``                               ``[validation]``: is the coverage in force
``patient``                               the national identifier (``Reference.identifier``)
``servicedDate``                          ``as_of``
``created``                               ``created=`` (default ``as_of``: rules read no clock)
``request``                               the request's reference, or a display text
``requestor``                             the request's ``provider``, if any
``outcome``                               ``complete``: the rules decided
``disposition``                           status, basis and dates in words
``insurer``                               ``insurer=``, the request's insurer, or the Fund / VSS
``insurance[0].coverage``                 the request's (focal) coverage, or a display text
``insurance[0].inforce``                  ``status == "insured"``
``insurance[0].benefitPeriod``            ``insured_from`` .. ``insured_until`` (no end: open)
extension ``scheme``, ``basis``,          the decision's fields of the same names
``state-funded``, ``grace-months``,
``renew-by``, ``rules-version``
extension ``reason`` (one per reason)     ``code`` (valueCoding: code, message as display),
                                          ``source`` (valueString)
========================================  ====================================================

``error`` is left out: in FHIR it reports errors in processing the request, and a refusal is
not one (a bad request is an input error, raised before any response is made).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from insurrules.case import Case, parse_case
from insurrules.fhir.bundle import _systems
from insurrules.fhir.codes import (
    BASIS_SYSTEM,
    CATEGORY_SYSTEMS,
    EXT,
    IDENTIFIER_TYPE,
    INSURERS,
    REASON_SYSTEM,
)
from insurrules.fhir.resources import FhirError, validate
from insurrules.models import Decision

__all__ = ["coverage_eligibility_response", "disposition"]


def disposition(decision: Decision) -> str:
    """The decision in one sentence: ``insured (grace period) from 2025-06-01 to 2025-09-30``."""
    if decision.status != "insured":
        first = next((r for r in decision.reasons if r.code.endswith("not_insured")), None)
        first = first or (decision.reasons[-1] if decision.reasons else None)
        return "not insured" + (f": {first.message}" if first else "")
    basis = f" ({decision.basis.replace('_', ' ')})" if decision.basis else ""
    until = f" to {decision.insured_until}" if decision.insured_until else " (no known end)"
    return f"insured{basis} from {decision.insured_from}{until}"


def _reference_to(request: Mapping[str, Any]) -> dict[str, Any]:
    if "resource" in request:  # a Bundle entry: its fullUrl names it
        url = request.get("fullUrl")
        if url:
            return {"reference": url, "type": "CoverageEligibilityRequest"}
        request = request["resource"]
    if request.get("id"):
        return {"reference": f"CoverageEligibilityRequest/{request['id']}"}
    if request.get("identifier"):
        return {"identifier": request["identifier"][0], "type": "CoverageEligibilityRequest"}
    return {
        "display": "CoverageEligibilityRequest without id",
        "type": "CoverageEligibilityRequest",
    }


def _coverage_of(request: Mapping[str, Any] | None, scheme: str) -> dict[str, Any]:
    resource = (request or {}).get("resource", request) or {}
    insurance = resource.get("insurance") or ()
    focal = [i for i in insurance if i.get("focal")] or list(insurance)
    if focal and focal[0].get("coverage"):
        return dict(focal[0]["coverage"])
    return {"display": f"{scheme}: {INSURERS[scheme]}", "type": "Coverage"}


def _insurer(insurer: str | Mapping[str, Any] | None, request: Any, scheme: str) -> Any:
    if isinstance(insurer, str):
        return {"display": insurer}
    if isinstance(insurer, Mapping):
        return dict(insurer)
    resource = (request or {}).get("resource", request) or {}
    return dict(resource.get("insurer") or {"display": INSURERS[scheme]})


def coverage_eligibility_response(
    decision: Decision,
    case: Case | Mapping[str, Any],
    *,
    insurer: str | Mapping[str, Any] | None = None,
    request: Mapping[str, Any] | None = None,
    created: dt.date | dt.datetime | None = None,
    systems: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The decision as a valid FHIR R4 ``CoverageEligibilityResponse`` (a dict).

    ``case`` is the case the decision decided (the patient's identifier comes from it);
    ``insurer`` a display name or a ``Reference`` (default: the request's insurer, else the
    scheme's Fund); ``request`` the ``CoverageEligibilityRequest`` answered, as a resource or
    a Bundle entry (its reference, coverage and provider are used); ``created`` the response's
    creation time (default ``as_of``). The result is validated with ``fhir.resources``.
    """
    parsed: Any = parse_case(case)
    if parsed.scheme != decision.scheme or parsed.as_of != decision.as_of:
        raise FhirError(
            f"the decision ({decision.scheme} on {decision.as_of}) is not about this case "
            f"({parsed.scheme} on {parsed.as_of})"
        )
    scheme = decision.scheme
    extensions: list[dict[str, Any]] = [{"url": EXT.scheme, "valueCode": scheme}]
    if decision.basis:
        extensions.append(
            {"url": EXT.basis, "valueCoding": {"system": BASIS_SYSTEM, "code": decision.basis}}
        )
    if decision.state_funded:
        sf = decision.state_funded
        extensions.append(
            {
                "url": EXT.state_funded,
                "extension": [
                    {
                        "url": "category",
                        "valueCoding": {"system": CATEGORY_SYSTEMS[scheme], "code": sf.category},
                    },
                    {"url": "budget", "valueCode": sf.budget},
                ],
            }
        )
    if decision.grace_months is not None:
        extensions.append({"url": EXT.grace_months, "valueInteger": decision.grace_months})
    if decision.renew_by is not None:
        extensions.append({"url": EXT.renew_by, "valueDate": decision.renew_by.isoformat()})
    extensions.append({"url": EXT.rules_version, "valueString": decision.rules_version})
    for reason in decision.reasons:
        extensions.append(
            {
                "url": EXT.reason,
                "extension": [
                    {
                        "url": "code",
                        "valueCoding": {
                            "system": REASON_SYSTEM,
                            "code": reason.code,
                            "display": reason.message,
                        },
                    },
                    {"url": "source", "valueString": reason.source},
                ],
            }
        )
    insurance: dict[str, Any] = {
        "coverage": _coverage_of(request, scheme),
        "inforce": decision.status == "insured",
    }
    if decision.insured_from is not None:
        period = {"start": decision.insured_from.isoformat()}
        if decision.insured_until is not None:
            period["end"] = decision.insured_until.isoformat()
        insurance["benefitPeriod"] = period
    when = created if created is not None else decision.as_of
    response: dict[str, Any] = {
        "resourceType": "CoverageEligibilityResponse",
        "extension": extensions,
        "status": "active",
        "purpose": ["validation"],
        "patient": {
            "type": "Patient",
            "identifier": {
                "use": "official",
                "type": IDENTIFIER_TYPE,
                "system": _systems(systems)[scheme],
                "value": str(parsed.person.id),
            },
        },
        "servicedDate": decision.as_of.isoformat(),
        "created": when.isoformat(),
        "request": _reference_to(request)
        if request is not None
        else {"display": f"insurrules case document, {scheme} on {decision.as_of}"},
        "outcome": "complete",
        "disposition": disposition(decision),
        "insurer": _insurer(insurer, request, scheme),
        "insurance": [insurance],
    }
    resource = (request or {}).get("resource", request) or {}
    if resource.get("provider"):
        response["requestor"] = dict(resource["provider"])
    validate(response, "CoverageEligibilityResponse")
    return response
