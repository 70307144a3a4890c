"""vn-bhyt plugged into the shared contract: its case model and its decision function."""

from __future__ import annotations

from typing import Any

from insurrules.models import Decision
from insurrules.parameters import RuleSet
from insurrules.vn.case import VnCase
from insurrules.vn.decide import decide_vn, trace_vn
from insurrules.vn.rules import default_rules

CASE_MODEL = VnCase
#: what `insurrules.decide` validates a document into: the case model itself
INPUT = VnCase
SCHEME = "vn-bhyt"


def decide_case(case: VnCase, rules: RuleSet | None = None) -> Decision:
    return decide_vn(case, rules or default_rules())


def trace_case(case: VnCase, rules: RuleSet | None = None) -> list[Any]:
    return list(trace_vn(case, rules or default_rules()))


def default_rule_set() -> RuleSet:
    return default_rules()
