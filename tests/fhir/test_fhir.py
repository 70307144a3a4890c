"""FHIR R4: every output validates with ``fhir.resources`` (R4B classes), the examples round-trip
case -> Bundle -> case, responses carry the decision, bad bundles name the place, ids masked."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

import insurrules
from insurrules.cli import main
from tests.builders import kz_case, payments
from tests.kz.strategies import kz_cases

pytest.importorskip("fhir.resources.R4B")

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.coverageeligibilityresponse import (
    CoverageEligibilityResponse,
)

from insurrules import fhir
from insurrules.fhir.codes import EXT, IDENTIFIER_SYSTEMS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
BUNDLES = sorted((ROOT / "examples" / "fhir").glob("*.bundle.json"))
IIN = "870412445016"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def check_response(response: dict[str, Any], decision: insurrules.Decision) -> None:
    """The response validates and says what the decision says."""
    model = CoverageEligibilityResponse.model_validate(response)
    assert model.status == "active" and model.purpose == ["validation"]
    assert model.outcome == "complete" and str(model.servicedDate) == str(decision.as_of)
    (insurance,) = response["insurance"]
    assert insurance["inforce"] is (decision.status == "insured")
    period = {"start": str(decision.insured_from), "end": str(decision.insured_until)}
    if decision.insured_from is None:
        assert "benefitPeriod" not in insurance
    elif decision.insured_until is None:
        assert insurance["benefitPeriod"] == {"start": period["start"]}
    else:
        assert insurance["benefitPeriod"] == period
    reasons = [e for e in response["extension"] if e["url"] == EXT.reason]
    got = [
        (
            r["extension"][0]["valueCoding"]["code"],
            r["extension"][0]["valueCoding"]["display"],
            r["extension"][1]["valueString"],
        )
        for r in reasons
    ]
    assert got == [(r.code, r.message, r.source) for r in decision.reasons]
    basis = [e["valueCoding"]["code"] for e in response["extension"] if e["url"] == EXT.basis]
    assert basis == ([decision.basis] if decision.basis else [])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_round_trip_through_a_valid_bundle(path: Path) -> None:
    case = load(path)
    bundle = fhir.case_to_fhir(case)
    Bundle.model_validate(bundle)
    assert fhir.case_from_fhir(bundle) == insurrules.Case.model_validate(case)
    assert fhir.case_from_fhir(fhir.to_json(bundle)) == insurrules.Case.model_validate(case)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_give_valid_responses_that_carry_the_decision(path: Path) -> None:
    case = load(path)
    decision = insurrules.decide(case)
    check_response(fhir.coverage_eligibility_response(decision, case), decision)


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.name)
def test_example_bundles_are_what_their_case_gives(path: Path) -> None:
    case = load(ROOT / "examples" / path.name.replace(".bundle", ""))
    assert json.loads(fhir.to_json(fhir.case_to_fhir(case))) == load(path)


@settings(max_examples=40, deadline=None)
@given(kz_cases())
def test_any_kz_case_round_trips_and_its_response_validates(case: dict[str, Any]) -> None:
    bundle = fhir.case_to_fhir(case)
    back = fhir.case_from_fhir(fhir.to_json(bundle))
    assert back == insurrules.Case.model_validate(case)
    decision = insurrules.decide(back)
    assert decision == insurrules.decide(case)
    check_response(fhir.coverage_eligibility_response(decision, back), decision)


def test_the_patient_identifier_is_where_fhir_puts_it_and_nowhere_else() -> None:
    case = load(ROOT / "examples" / "kz-welfare-level-de.json")
    bundle = fhir.case_to_fhir(case)
    patient = bundle["entry"][0]["resource"]
    assert patient["identifier"][0]["value"] == case["person"]["id"]
    assert patient["identifier"][0]["system"] == IDENTIFIER_SYSTEMS["kz-osms"]
    response = fhir.coverage_eligibility_response(insurrules.decide(case), case)
    assert response["patient"]["identifier"]["value"] == case["person"]["id"]
    rest = {k: v for k, v in response.items() if k != "patient"}
    assert case["person"]["id"] not in json.dumps(rest, ensure_ascii=False)


def test_a_response_to_a_bundle_refers_to_its_request_and_coverage() -> None:
    case = load(ROOT / "examples" / "vn-near-poor.json")
    bundle = fhir.case_to_fhir(case)
    entry = bundle["entry"][-1]
    entry["resource"]["provider"] = {"display": "Bệnh viện Bạch Mai"}
    entry["resource"]["insurance"][0]["focal"] = True
    decision = insurrules.decide(fhir.case_from_fhir(bundle))
    response = fhir.coverage_eligibility_response(decision, case, request=entry)
    assert response["request"]["reference"] == entry["fullUrl"]
    assert response["insurance"][0]["coverage"] == entry["resource"]["insurance"][0]["coverage"]
    assert response["requestor"] == {"display": "Bệnh viện Bạch Mai"}
    assert response["insurer"] == {"display": "Bảo hiểm xã hội Việt Nam"}
    named = fhir.coverage_eligibility_response(
        decision, case, request=entry["resource"] | {"id": "req-1"}, insurer="BHXH Hà Nội"
    )
    assert named["request"] == {"reference": "CoverageEligibilityRequest/req-1"}
    assert named["insurer"] == {"display": "BHXH Hà Nội"}
    check_response(named, decision)


def test_not_insured_has_no_benefit_period_and_says_why() -> None:
    case = load(ROOT / "examples" / "kz-lapsed-payer-with-debt.json")
    decision = insurrules.decide(case)
    response = fhir.coverage_eligibility_response(decision, case)
    assert response["insurance"][0] == {
        "coverage": response["insurance"][0]["coverage"],
        "inforce": False,
    }
    assert response["disposition"].startswith("not insured: no route to insured status")


def test_a_decision_for_another_case_is_refused() -> None:
    case = kz_case("2025-09-15", payments("2024-07", "2025-06"))
    other = insurrules.decide({**case, "as_of": "2025-10-15"})
    with pytest.raises(fhir.FhirError, match="not about this case"):
        fhir.coverage_eligibility_response(other, case)


def test_an_official_identifier_system_can_replace_ours() -> None:
    case = load(ROOT / "examples" / "kz-child.json")
    systems = {"kz-osms": "urn:oid:1.2.398.0.0"}
    bundle = fhir.case_to_fhir(case, systems=systems)
    assert bundle["entry"][0]["resource"]["identifier"][0]["system"] == "urn:oid:1.2.398.0.0"
    assert fhir.case_from_fhir(bundle, systems=systems) == insurrules.Case.model_validate(case)
    with pytest.raises(fhir.FhirError, match="expected one identifier with system"):
        fhir.case_from_fhir(bundle)


def _bundle(name: str = "kz-welfare-level-de") -> dict[str, Any]:
    return copy.deepcopy(fhir.case_to_fhir(load(ROOT / "examples" / f"{name}.json")))


def _broken(change: Any, name: str = "kz-welfare-level-de") -> dict[str, Any]:
    bundle = _bundle(name)
    change(bundle)
    return bundle


def _set(path: list[Any], value: Any) -> Any:
    def change(bundle: dict[str, Any]) -> None:
        node: Any = bundle
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            _set(["entry", 0, "resource", "identifier", 0, "value"], "870412445017"),
            r"Bundle.entry\[0\].resource\(Patient\).identifier \(person.id: .*8704\*\*\*\*\*\*17",
        ),
        (
            _set(["entry", 0, "resource", "birthDate"], "1987-04-13"),
            r"Patient\).identifier \(person.id: the IIN gives birth date 1987-04-12, but",
        ),
        (
            _set(["entry", 0, "resource", "birthDate"], "1987-13-01"),
            r"invalid FHIR Bundle",
        ),
        (
            _set(["entry", 1, "resource", "servicedDate"], None),
            r"CoverageEligibilityRequest\).servicedDate: the date asked about is required",
        ),
        (
            _set(["entry", 0, "resource", "identifier", 0, "system"], "urn:other"),
            r"expected one identifier with system .*systems present: urn:other",
        ),
        (
            _set(
                ["entry", 0, "resource", "modifierExtension"], [{"url": "urn:x", "valueCode": "y"}]
            ),
            r"modifierExtension: not understood",
        ),
        (
            _set(["entry", 0, "resource", "extension", 1, "extension", 0, "valueCode"], "F"),
            r"Patient\).extension\[1\] \(person.welfare_levels\[0\].level",
        ),
        (_set(["entry"], []), r"expected exactly one Patient entry, found 0"),
        (_set(["resourceType"], "Patient"), r"expected a FHIR Bundle"),
    ],
)
def test_bad_bundles_name_the_place_and_mask_ids(change: Any, message: str) -> None:
    with pytest.raises(fhir.FhirError, match=message) as caught:
        fhir.case_from_fhir(_broken(change))
    assert IIN not in str(caught.value) and "870412445017" not in str(caught.value)


def test_bad_coverages_are_named_not_dropped() -> None:
    def cancelled(bundle: dict[str, Any]) -> None:
        bundle["entry"][1]["resource"]["status"] = "cancelled"

    with pytest.raises(fhir.FhirError, match=r"entry\[1\].*status: only active coverages"):
        fhir.case_from_fhir(_broken(cancelled, "vn-near-poor"))

    def foreign(bundle: dict[str, Any]) -> None:
        bundle["entry"][1]["resource"]["type"]["coding"][0]["system"] = "urn:other"

    with pytest.raises(fhir.FhirError, match=r"entry\[1\].*type: not a vn-bhyt coverage"):
        fhir.case_from_fhir(_broken(foreign, "vn-near-poor"))

    def dollars(bundle: dict[str, Any]) -> None:
        ext = bundle["entry"][2]["resource"]["extension"][0]["extension"][2]
        ext["valueMoney"]["currency"] = "USD"

    with pytest.raises(fhir.FhirError, match=r"amount: expected VND, got 'USD'"):
        fhir.case_from_fhir(_broken(dollars, "vn-near-poor"))

    def withdrawn(bundle: dict[str, Any]) -> None:
        bundle["entry"][1]["resource"]["status"] = "entered-in-error"

    case = fhir.case_from_fhir(_broken(withdrawn, "vn-household-on-time"))
    assert case.payments == ()  # type: ignore[attr-defined]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.name)
def test_cli_response_to_a_bundle_equals_the_api(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["fhir", "response", str(path)], capsys)
    assert code == 0 and err == ""
    bundle = load(path)
    case = fhir.case_from_fhir(bundle)
    request = bundle["entry"][-1]
    expected = fhir.coverage_eligibility_response(insurrules.decide(case), case, request=request)
    assert json.loads(out) == json.loads(fhir.to_json(expected))
    check_response(json.loads(out), insurrules.decide(case))


def test_cli_bundle_and_case_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = ROOT / "examples" / "vn-near-poor.json"
    code, out, _ = run(["fhir", "bundle", str(source)], capsys)
    assert code == 0
    path = tmp_path / "bundle.json"
    path.write_text(out, encoding="utf-8")
    code, out, _ = run(["fhir", "case", str(path)], capsys)
    assert code == 0
    assert insurrules.Case.model_validate(json.loads(out)) == insurrules.Case.model_validate(
        load(source)
    )
    code, out, _ = run(["fhir", "response", str(source), "--created", "2026-03-02"], capsys)
    assert code == 0 and json.loads(out)["created"] == "2026-03-02"


def test_cli_bad_bundle_exits_2_with_masked_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _broken(_set(["entry", 0, "resource", "identifier", 0, "value"], "870412445017"))
    path = tmp_path / "bad.json"
    path.write_text(fhir.to_json(bundle), encoding="utf-8")
    code, out, err = run(["fhir", "response", str(path)], capsys)
    assert code == 2 and out == ""
    assert "Patient).identifier (person.id:" in err and "8704******17" in err
    assert "870412445017" not in err and "Traceback" not in err
    code, _, err = run(["fhir", "case", str(ROOT / "examples" / "kz-child.json")], capsys)
    assert code == 2 and "expected a FHIR Bundle" in err
