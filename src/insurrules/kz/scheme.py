"""kz-osms plugged into the shared contract: its case model and its decision function."""

from __future__ import annotations

from typing import Any

from insurrules.kz.case import INPUT, KzCase, KzInput, input_from_dict, input_from_json
from insurrules.kz.decide import decide_kz, trace_kz
from insurrules.kz.rules import default_rules
from insurrules.models import Decision
from insurrules.parameters import RuleSet

CASE_MODEL = KzCase
SCHEME = "kz-osms"

__all__ = [
    "CASE_MODEL",
    "INPUT",
    "SCHEME",
    "decide_case",
    "default_rule_set",
    "input_from_dict",
    "input_from_json",
    "trace_case",
]


def decide_case(case: KzCase | KzInput, rules: RuleSet | None = None) -> Decision:
    return decide_kz(case, rules or default_rules())


def trace_case(case: KzCase, rules: RuleSet | None = None) -> list[Any]:
    return list(trace_kz(case, rules or default_rules()))


def default_rule_set() -> RuleSet:
    return default_rules()
