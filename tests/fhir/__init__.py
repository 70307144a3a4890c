"""Tests of the FHIR R4 mapping (the fhir extra)."""
