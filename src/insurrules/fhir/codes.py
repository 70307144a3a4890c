"""The URIs and codes of the FHIR mapping: identifier systems, code systems, extension URLs.

No published implementation guide defines FHIR identifier systems for the Kazakh IIN or the
Vietnamese personal identification number, nor code systems for the schemes' categories, so the
library names its own as URNs (``urn:insurrules:...``): they say plainly that they are not
national registry URIs. A service that has an official system passes it (``systems=`` of
[`case_to_fhir`][insurrules.fhir.bundle.case_to_fhir] and
[`case_from_fhir`][insurrules.fhir.bundle.case_from_fhir]). **Unconfirmed**: the national systems,
if any exist, were not found in the research.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "BASIS_SYSTEM",
    "CATEGORY_SYSTEMS",
    "COVERAGE_TYPE_SYSTEM",
    "EXT",
    "IDENTIFIER_SYSTEMS",
    "IDENTIFIER_TYPE",
    "INSURERS",
    "REASON_SYSTEM",
    "SCHEME_CURRENCY",
]

#: Patient.identifier.system of the national identifier, by scheme (unconfirmed, see above)
IDENTIFIER_SYSTEMS = MappingProxyType(
    {
        "kz-osms": "urn:insurrules:sid:kz-iin",
        "vn-bhyt": "urn:insurrules:sid:vn-personal-id",
    }
)

#: Identifier.type of a national identifier: HL7 v2 table 0203 "NI" (national unique individual
#: identifier), the code FHIR's own examples use for national ids
IDENTIFIER_TYPE = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
            "code": "NI",
            "display": "National unique individual identifier",
        }
    ]
}

#: Coverage.type of a state-paid category (membership), by scheme; codes as in the case document
CATEGORY_SYSTEMS = MappingProxyType(
    {
        "kz-osms": "urn:insurrules:kz-osms:category",
        "vn-bhyt": "urn:insurrules:vn-bhyt:category",
    }
)

#: Coverage.type of the coverage that carries the person's own payments (code = the scheme)
COVERAGE_TYPE_SYSTEM = "urn:insurrules:coverage-type"

#: the decision's reason codes (``kz.grace.three_months``) and bases (``grace_period``)
REASON_SYSTEM = "urn:insurrules:reason"
BASIS_SYSTEM = "urn:insurrules:basis"

SCHEME_CURRENCY = MappingProxyType({"kz-osms": "KZT", "vn-bhyt": "VND"})

#: the default insurer of a response, by scheme (official names)
INSURERS = MappingProxyType(
    {
        "kz-osms": "НАО «Фонд социального медицинского страхования»",
        "vn-bhyt": "Bảo hiểm xã hội Việt Nam",
    }
)

_EXT = "urn:insurrules:fhir:extension:"


class EXT:
    """Extension URLs (complex extensions list their parts' ``url`` in the docs)."""

    reason = _EXT + "reason"  # parts: code (valueCoding), source (valueString)
    basis = _EXT + "basis"  # valueCoding, BASIS_SYSTEM
    state_funded = _EXT + "state-funded"  # parts: category (valueCoding), budget (valueCode)
    grace_months = _EXT + "grace-months"  # valueInteger
    renew_by = _EXT + "renew-by"  # valueDate
    rules_version = _EXT + "rules-version"  # valueString
    scheme = _EXT + "scheme"  # valueCode: kz-osms | vn-bhyt
    payment = _EXT + "payment"  # parts: month / months, paidOn, amount (valueMoney), payer
    residency = _EXT + "residency"  # valueCode (kz)
    welfare_level = _EXT + "welfare-level"  # parts: level (valueCode), period (valuePeriod)
    care_request = _EXT + "care-request"  # valueDate (kz)
    household_rank = _EXT + "household-rank"  # valuePositiveInt (vn)
