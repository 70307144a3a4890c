"""Validation and JSON text of FHIR resources through ``fhir.resources`` (the ``fhir`` extra).

FHIR R4 is what the documents follow. ``fhir.resources`` 8 ships R5 as its default package and
R4B (4.3.0) as the sub-package ``fhir.resources.R4B``, and no R4 package (its README: from 7.0.0
"there is no FHIR R4 instead of R4B"). R4B changed only the medication-definition, evidence and
subscription resources; HL7's explanation of R4B says implementers not using those "can continue
to use either R4 or R4B without any functional difference". None of the resources used here
(Patient, Coverage, CoverageEligibilityRequest, CoverageEligibilityResponse, Bundle) changed, so
the R4B classes validate R4 documents. The default R5 classes would not: R5 changed these
resources (e.g. ``CoverageEligibilityResponse.event``, ``Coverage.kind``, required in R5).
"""

from __future__ import annotations

import importlib
from typing import Any

from insurrules.errors import InsurrulesError, mask_text

__all__ = ["FhirError", "model_class", "to_json", "validate"]

_PACKAGE = "fhir.resources.R4B"


class FhirError(InsurrulesError, ValueError):
    """A FHIR document that cannot be read or written as asked (identifiers masked)."""


def model_class(resource_type: str) -> Any:
    """The ``fhir.resources`` R4B class of a resource type; a clear error without the extra."""
    try:
        package = importlib.import_module(_PACKAGE)
    except ImportError:
        raise FhirError(
            "FHIR support needs the fhir extra: pip install 'insurrules[fhir]'"
        ) from None
    try:
        return package.get_fhir_model_class(resource_type)
    except (KeyError, ValueError, AttributeError):
        raise FhirError(f"unknown FHIR resource type {resource_type!r}") from None


def validate(resource: dict[str, Any], where: str = "") -> Any:
    """Validate a resource (a dict with ``resourceType``) and return the ``fhir.resources``
    model; problems become one [`FhirError`][insurrules.fhir.resources.FhirError], one line per
    problem, ids masked."""
    from pydantic import ValidationError

    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    if not isinstance(kind, str):
        raise FhirError(f"{where or 'resource'}: expected a FHIR resource with a resourceType")
    cls = model_class(kind)
    try:
        return cls.model_validate(resource)
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in err["loc"])
            lines.append(f"{where or kind}{'.' + loc if loc else ''}: {err['msg']}")
        raise FhirError(mask_text("invalid FHIR " + kind + ":\n" + "\n".join(lines))) from None


def to_json(resource: dict[str, Any], indent: int | None = 2) -> str:
    """The JSON text of a resource, validated first; decimals keep their exact digits."""
    text: str = validate(resource).model_dump_json(indent=indent)
    return text
