"""A case document as a FHIR R4 ``Bundle``, and back
([`case_to_fhir`][insurrules.fhir.bundle.case_to_fhir],
[`case_from_fhir`][insurrules.fhir.bundle.case_from_fhir]).

The bundle (type ``collection``) holds:

* a ``Patient``: the national identifier in ``identifier`` (system by scheme, type ``NI``),
  ``gender``, ``birthDate``, ``deceasedDateTime``; the kz residency, welfare levels and care
  requests and the vn household rank as extensions;
* one ``Coverage`` per state-paid category (membership): ``type`` = the category code,
  ``period`` = the membership's dates, ``payor`` = the state budget;
* one ``Coverage`` of type = the scheme carrying the person's own payments as ``payment``
  extensions (FHIR has no element for premium payments): kz ``month``, vn ``months``; ``paidOn``,
  ``amount`` (``valueMoney`` in KZT / VND, exact decimal) and ``payer``;
* a ``CoverageEligibilityRequest`` whose ``servicedDate`` is the date asked about (``as_of``).

Entries are named by fixed ``urn:uuid`` values (no personal data in them), so the same case
always gives the same bundle.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from insurrules.case import Case, parse_case
from insurrules.errors import error_lines, mask_text
from insurrules.fhir.codes import (
    CATEGORY_SYSTEMS,
    COVERAGE_TYPE_SYSTEM,
    EXT,
    IDENTIFIER_SYSTEMS,
    IDENTIFIER_TYPE,
    INSURERS,
    SCHEME_CURRENCY,
)
from insurrules.fhir.resources import FhirError, validate

__all__ = ["case_from_fhir", "case_to_fhir", "entry_url"]

_NAMESPACE = uuid.UUID("6f1c3a52-3d0e-4b8e-9a57-1c2f8e0b7d10")


def entry_url(role: str, index: int = 0) -> str:
    """The fixed ``fullUrl`` of an entry of a bundle made by
    [`case_to_fhir`][insurrules.fhir.bundle.case_to_fhir]."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{role}:{index}')}"


def _systems(systems: Mapping[str, str] | None) -> dict[str, str]:
    chosen = dict(IDENTIFIER_SYSTEMS)
    if systems:
        unknown = set(systems) - set(chosen)
        if unknown:
            raise FhirError(f"systems: unknown scheme(s) {sorted(unknown)}; known: {list(chosen)}")
        chosen.update(systems)
    return chosen


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _period(start: dt.date, end: dt.date | None) -> dict[str, str]:
    period = {"start": start.isoformat()}
    if end is not None:
        period["end"] = end.isoformat()
    return period


def case_to_fhir(
    case: Case | Mapping[str, Any], *, systems: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The case document as a FHIR R4 ``Bundle`` (a dict; amounts are exact ``Decimal``).

    ``systems`` replaces the identifier system of a scheme (``{"kz-osms": "urn:oid:..."}``).
    The bundle is validated with ``fhir.resources`` before it is returned; write it with
    [`insurrules.fhir.to_json`][insurrules.fhir.resources.to_json], which keeps the decimals exact.
    """
    parsed: Any = parse_case(case)
    scheme: str = parsed.scheme
    person = parsed.person
    patient_url = entry_url("patient")
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [
            {
                "use": "official",
                "type": IDENTIFIER_TYPE,
                "system": _systems(systems)[scheme],
                "value": str(person.id),
            }
        ],
        "gender": person.sex,
        "birthDate": person.birth_date.isoformat(),
    }
    if person.death_date is not None:
        patient["deceasedDateTime"] = person.death_date.isoformat()
    extensions: list[dict[str, Any]] = []
    if scheme == "kz-osms":
        extensions.append({"url": EXT.residency, "valueCode": person.residency})
        for level in person.welfare_levels:
            extensions.append(
                {
                    "url": EXT.welfare_level,
                    "extension": [
                        {"url": "level", "valueCode": level.level},
                        {"url": "period", "valuePeriod": _period(level.start, level.end)},
                    ],
                }
            )
        for day in person.care_requests:
            extensions.append({"url": EXT.care_request, "valueDate": day.isoformat()})
    elif person.household is not None:
        extensions.append({"url": EXT.household_rank, "valuePositiveInt": person.household.rank})
    if extensions:
        patient["extension"] = extensions

    from insurrules.schemes import scheme_module

    rules = scheme_module(scheme).default_rule_set()
    coverages: list[tuple[str, dict[str, Any]]] = []
    for i, membership in enumerate(person.memberships):
        category = next((c for c in rules.categories if c.code == membership.code), None)
        if category is not None:
            period = category.period_on(membership.start) or category.periods[-1]
            title = category.title
            payor = f"state, {period.budget} budget ({category.article})"
        else:  # vn support groups: the member pays, the state pays a share (vn.support.<code>)
            title = f"state-supported group {membership.code}"
            payor = f"the member, with a state share (vn.support.{membership.code})"
        coverages.append(
            (
                entry_url("membership", i),
                {
                    "resourceType": "Coverage",
                    "status": "active",
                    "type": {
                        "coding": [
                            {
                                "system": CATEGORY_SYSTEMS[scheme],
                                "code": membership.code,
                                "display": title,
                            }
                        ]
                    },
                    "beneficiary": {"reference": patient_url},
                    "period": _period(membership.start, membership.end),
                    "payor": [{"display": payor}],
                },
            )
        )
    if parsed.payments:
        currency = SCHEME_CURRENCY[scheme]
        payments = []
        for pay in parsed.payments:
            parts: list[dict[str, Any]] = []
            if scheme == "kz-osms":
                parts.append({"url": "month", "valueString": str(pay.month)})
            else:
                parts.append({"url": "months", "valuePositiveInt": pay.months})
            parts += [
                {"url": "paidOn", "valueDate": pay.paid_on.isoformat()},
                {"url": "amount", "valueMoney": {"value": pay.amount, "currency": currency}},
                {"url": "payer", "valueCode": pay.payer},
            ]
            payments.append({"url": EXT.payment, "extension": parts})
        coverages.append(
            (
                entry_url("contributions"),
                {
                    "resourceType": "Coverage",
                    "extension": payments,
                    "status": "active",
                    "type": {"coding": [{"system": COVERAGE_TYPE_SYSTEM, "code": scheme}]},
                    "beneficiary": {"reference": patient_url},
                    "payor": [{"display": INSURERS[scheme]}],
                },
            )
        )
    request = {
        "resourceType": "CoverageEligibilityRequest",
        "status": "active",
        "purpose": ["validation"],
        "patient": {"reference": patient_url},
        "servicedDate": parsed.as_of.isoformat(),
        "created": parsed.as_of.isoformat(),
        "insurer": {"display": INSURERS[scheme]},
        "insurance": [{"coverage": {"reference": url}} for url, _ in coverages],
    }
    if not request["insurance"]:
        del request["insurance"]
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": patient_url, "resource": patient},
            *({"fullUrl": url, "resource": cov} for url, cov in coverages),
            {"fullUrl": entry_url("request"), "resource": request},
        ],
    }
    validate(bundle, "Bundle")
    return bundle


# -- reading ---------------------------------------------------------------------------------


class _Reader:
    """Collects the case document and, for each of its paths, where in the bundle it came from."""

    def __init__(self) -> None:
        self.where: dict[tuple[Any, ...], str] = {}
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(mask_text(f"{where}: {message}"))

    def located(self, exc: ValidationError) -> list[str]:
        lines = []
        for line, err in zip(error_lines(exc), exc.errors(include_url=False), strict=True):
            loc = tuple(err["loc"])
            for cut in range(len(loc), -1, -1):
                if loc[:cut] in self.where:
                    lines.append(f"{self.where[loc[:cut]]} ({line})")
                    break
            else:  # pragma: no cover - every path of the case document is recorded
                lines.append(line)
        return lines


def _load(bundle: Any) -> dict[str, Any]:
    if isinstance(bundle, bytes | str):
        try:
            data = json.loads(bundle, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise FhirError(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    else:
        data = bundle
    if not isinstance(data, Mapping) or data.get("resourceType") != "Bundle":
        raise FhirError("expected a FHIR Bundle (resourceType 'Bundle')")
    validate(dict(data), "Bundle")
    return dict(data)


def _resources(data: dict[str, Any], kind: str) -> list[tuple[int, str | None, dict[str, Any]]]:
    out = []
    for i, entry in enumerate(data.get("entry") or ()):
        resource = entry.get("resource") or {}
        if resource.get("resourceType") == kind:
            out.append((i, entry.get("fullUrl"), resource))
    return out


def _one(data: dict[str, Any], kind: str) -> tuple[int, str | None, dict[str, Any]]:
    found = _resources(data, kind)
    if len(found) != 1:
        raise FhirError(f"Bundle: expected exactly one {kind} entry, found {len(found)}")
    return found[0]


def _refers_to(reference: Any, url: str | None, resource: dict[str, Any], kind: str) -> bool:
    target = (reference or {}).get("reference")
    if target is None:
        return True  # a reference by identifier or display only: nothing to check
    names = {url, f"{kind}/{resource.get('id')}" if resource.get("id") else None} - {None}
    return target in names


def _parts(ext: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for part in ext.get("extension") or ():
        values = [v for k, v in part.items() if k.startswith("value")]
        out[part.get("url")] = values[0] if values else None
    return out


def case_from_fhir(
    bundle: Mapping[str, Any] | str | bytes, *, systems: Mapping[str, str] | None = None
) -> Case:
    """The case document in a FHIR R4 ``Bundle`` (a dict, or its JSON text).

    The Patient's identifier system picks the scheme (``systems`` as in
    [`case_to_fhir`][insurrules.fhir.bundle.case_to_fhir]); the CoverageEligibilityRequest's
    ``servicedDate`` is ``as_of``; the Coverage resources give the memberships and payments
    (``entered-in-error`` ones are skipped, as FHIR requires). A bundle that cannot be read raises
    [`FhirError`][insurrules.fhir.resources.FhirError] naming the place in the bundle and, for a bad
    value, the case field it fills; identifiers are masked.
    """
    data = _load(bundle)
    known = _systems(systems)
    reader = _Reader()
    pi, patient_url, patient = _one(data, "Patient")
    where_patient = f"Bundle.entry[{pi}].resource(Patient)"
    matches = [
        (scheme, ident)
        for ident in patient.get("identifier") or ()
        for scheme, system in known.items()
        if ident.get("system") == system
    ]
    if len(matches) != 1:
        seen = sorted({str(i.get("system")) for i in patient.get("identifier") or ()})
        raise FhirError(
            f"{where_patient}.identifier: expected one identifier with system "
            f"{' or '.join(known.values())}, found {len(matches)} (systems present: "
            f"{', '.join(seen) or 'none'})"
        )
    scheme, identifier = matches[0]
    if patient.get("modifierExtension"):
        raise FhirError(f"{where_patient}.modifierExtension: not understood, cannot be ignored")
    person: dict[str, Any] = {
        "id": identifier.get("value"),
        "birth_date": patient.get("birthDate"),
        "sex": patient.get("gender"),
    }
    reader.where[("person",)] = where_patient
    reader.where[("person", "id")] = f"{where_patient}.identifier"
    reader.where[("person", "birth_date")] = f"{where_patient}.birthDate"
    reader.where[("person", "sex")] = f"{where_patient}.gender"
    if patient.get("deceasedBoolean"):
        reader.fail(f"{where_patient}.deceasedBoolean", "a death needs its date (deceasedDateTime)")
    if patient.get("deceasedDateTime") is not None:
        person["death_date"] = patient["deceasedDateTime"]
        reader.where[("person", "death_date")] = f"{where_patient}.deceasedDateTime"
    _patient_extensions(patient, scheme, person, reader, where_patient)

    payments: list[dict[str, Any]] = []
    memberships: list[dict[str, Any]] = []
    for ci, _url, coverage in _resources(data, "Coverage"):
        where = f"Bundle.entry[{ci}].resource(Coverage)"
        status = coverage.get("status")
        if status == "entered-in-error":
            continue
        if status != "active":
            reader.fail(f"{where}.status", f"only active coverages are read, got {status!r}")
            continue
        if not _refers_to(coverage.get("beneficiary"), patient_url, patient, "Patient"):
            reader.fail(f"{where}.beneficiary", "refers to another patient")
            continue
        codings = (coverage.get("type") or {}).get("coding") or ()
        category = [c for c in codings if c.get("system") == CATEGORY_SYSTEMS[scheme]]
        own = [c for c in codings if c.get("system") == COVERAGE_TYPE_SYSTEM]
        if category:
            period = coverage.get("period") or {}
            reader.where[("person", "memberships", len(memberships))] = where
            memberships.append(
                {
                    "code": category[0].get("code"),
                    "start": period.get("start"),
                    "end": period.get("end"),
                }
            )
        elif own and own[0].get("code") == scheme:
            _payments(coverage, scheme, payments, reader, where)
        else:
            reader.fail(
                f"{where}.type",
                f"not a {scheme} coverage: expected a coding of {CATEGORY_SYSTEMS[scheme]} "
                f"(a state-paid category) or {COVERAGE_TYPE_SYSTEM}#{scheme} (own payments)",
            )
    if memberships:
        person["memberships"] = memberships

    ri, _rurl, request = _one(data, "CoverageEligibilityRequest")
    where_request = f"Bundle.entry[{ri}].resource(CoverageEligibilityRequest)"
    if not _refers_to(request.get("patient"), patient_url, patient, "Patient"):
        reader.fail(f"{where_request}.patient", "refers to another patient than the bundle's")
    if request.get("servicedDate") is None:
        reader.fail(f"{where_request}.servicedDate", "the date asked about is required")
    reader.where[("as_of",)] = f"{where_request}.servicedDate"
    if reader.problems:
        raise FhirError("cannot read the bundle:\n" + "\n".join(reader.problems))
    document = {
        "scheme": scheme,
        "as_of": request.get("servicedDate"),
        "person": person,
        "payments": payments,
    }
    try:
        return parse_case(document)
    except ValidationError as exc:
        raise FhirError("invalid case in the bundle:\n" + "\n".join(reader.located(exc))) from None


def _patient_extensions(
    patient: dict[str, Any], scheme: str, person: dict[str, Any], reader: _Reader, where: str
) -> None:
    levels: list[dict[str, Any]] = []
    requests: list[Any] = []
    ours = (
        {EXT.residency, EXT.welfare_level, EXT.care_request}
        if scheme == "kz-osms"
        else {EXT.household_rank}
    )
    for k, ext in enumerate(patient.get("extension") or ()):
        url = ext.get("url")
        here = f"{where}.extension[{k}]"
        if url not in ours:
            if str(url).startswith("urn:insurrules:"):
                reader.fail(here, f"extension {url} is not used by {scheme}")
            continue  # another system's extension: FHIR lets a reader ignore it
        if url == EXT.residency:
            person["residency"] = ext.get("valueCode")
            reader.where[("person", "residency")] = here
        elif url == EXT.welfare_level:
            parts = _parts(ext)
            period = parts.get("period") or {}
            reader.where[("person", "welfare_levels", len(levels))] = here
            levels.append(
                {
                    "level": parts.get("level"),
                    "start": period.get("start"),
                    "end": period.get("end"),
                }
            )
        elif url == EXT.care_request:
            reader.where[("person", "care_requests", len(requests))] = here
            requests.append(ext.get("valueDate"))
        else:
            person["household"] = {"rank": ext.get("valuePositiveInt")}
            reader.where[("person", "household")] = here
    if levels:
        person["welfare_levels"] = levels
    if requests:
        person["care_requests"] = requests


def _payments(
    coverage: dict[str, Any],
    scheme: str,
    payments: list[dict[str, Any]],
    reader: _Reader,
    where: str,
) -> None:
    currency = SCHEME_CURRENCY[scheme]
    for k, ext in enumerate(coverage.get("extension") or ()):
        if ext.get("url") != EXT.payment:
            continue
        here = f"{where}.extension[{k}]"
        parts = _parts(ext)
        money = parts.get("amount") or {}
        if money.get("currency") not in (None, currency):
            reader.fail(f"{here}.amount", f"expected {currency}, got {money.get('currency')!r}")
        amount = money.get("value")
        payment: dict[str, Any] = {
            "paid_on": parts.get("paidOn"),
            "amount": str(amount) if isinstance(amount, Decimal) else amount,
            "payer": parts.get("payer"),
        }
        if scheme == "kz-osms":
            payment = {"month": parts.get("month"), **payment}
        else:
            payment = {**payment, "months": parts.get("months")}
        reader.where[("payments", len(payments))] = here
        payments.append(payment)
