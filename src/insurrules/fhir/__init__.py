"""FHIR R4 for eligibility: a decision as a ``CoverageEligibilityResponse``, a case from a
``Bundle`` (optional extra ``insurrules[fhir]``, on ``fhir.resources`` 8, R4B classes).

>>> import insurrules
>>> from insurrules import fhir
>>> case = {"scheme": "kz-osms", "as_of": "2026-03-15",
...         "person": {"id": "870412445016", "birth_date": "1987-04-12", "sex": "female",
...                    "welfare_levels": [{"level": "D", "start": "2026-01-01"}],
...                    "care_requests": ["2026-03-02"]}}
>>> bundle = fhir.case_to_fhir(case)
>>> fhir.case_from_fhir(bundle) == insurrules.Case.model_validate(case)
True
>>> response = fhir.coverage_eligibility_response(insurrules.decide(case), case)
>>> response["outcome"], response["insurance"][0]["inforce"]
('complete', True)
>>> response["insurance"][0]["benefitPeriod"]
{'start': '2026-03-01', 'end': '2026-12-31'}

The mapping is documented in [`insurrules.fhir.response`][insurrules.fhir.response] and
[`insurrules.fhir.bundle`][insurrules.fhir.bundle] and, with examples, on the docs page "FHIR"; the
URIs in [`insurrules.fhir.codes`][insurrules.fhir.codes].
"""

from __future__ import annotations

from insurrules.fhir.bundle import case_from_fhir, case_to_fhir
from insurrules.fhir.codes import IDENTIFIER_SYSTEMS
from insurrules.fhir.resources import FhirError, to_json, validate
from insurrules.fhir.response import coverage_eligibility_response

__all__ = [
    "IDENTIFIER_SYSTEMS",
    "FhirError",
    "case_from_fhir",
    "case_to_fhir",
    "coverage_eligibility_response",
    "to_json",
    "validate",
]
