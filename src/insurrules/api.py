"""The public entry points: :func:`decide`, :func:`decide_many`, :func:`explain`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from insurrules.case import Case, parse_case, scheme_module
from insurrules.errors import RulesError
from insurrules.models import Decision
from insurrules.parameters import RuleSet

__all__ = ["Explanation", "decide", "decide_many", "explain"]


def _rules_for(case: Case, rules: RuleSet | Mapping[str, RuleSet] | None) -> RuleSet | None:
    if rules is None:
        return None
    if isinstance(rules, RuleSet):
        chosen = rules
    else:
        chosen = rules.get(case.scheme)  # type: ignore[assignment]
        if chosen is None:
            return None
    if chosen.scheme != case.scheme:
        raise RulesError(f"rules are for {chosen.scheme}, but the case is {case.scheme}")
    return chosen


def decide(case: Case | Mapping[str, Any], rules: RuleSet | None = None) -> Decision:
    """Validate a case document and decide it.

    ``case`` is a :class:`Case` (any scheme's) or a plain mapping of the case document; bad input
    raises :class:`pydantic.ValidationError` naming each field and reason, identifiers masked.
    ``rules`` (optional) replaces the rules in force, e.g. a reform.

    A self-payer who paid every month 2024-07..2025-06 and then stopped:

    >>> months = [f"2024-{m:02d}" for m in range(7, 13)] + [f"2025-{m:02d}" for m in range(1, 7)]
    >>> decision = decide({
    ...     "scheme": "kz-osms", "as_of": "2025-09-15",
    ...     "person": {"id": "870412445016", "birth_date": "1987-04-12", "sex": "female"},
    ...     "payments": [{"month": m, "paid_on": f"{m}-20", "amount": "4250", "payer": "self"}
    ...                  for m in months],
    ... })
    >>> decision.status, decision.basis, str(decision.insured_until)
    ('insured', 'grace_period', '2025-09-30')
    """
    parsed = parse_case(case)
    decision: Decision = scheme_module(parsed.scheme).decide_case(parsed, _rules_for(parsed, rules))
    return decision


def decide_many(
    cases: Iterable[Case | Mapping[str, Any]],
    rules: RuleSet | Mapping[str, RuleSet] | None = None,
) -> list[Decision]:
    """Decide a list of cases at once, in order, through the same rule definitions.

    Every case is validated before any is decided; problems in several cases are reported
    together, each path prefixed with the case's index (``[3].person.id``).
    """
    parsed: list[Case] = []
    line_errors: list[Any] = []
    for i, raw in enumerate(cases):
        try:
            parsed.append(parse_case(raw))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                item: dict[str, Any] = {
                    "type": err["type"],
                    "loc": (i, *err["loc"]),
                    "input": err.get("input"),
                }
                if "ctx" in err:
                    item["ctx"] = err["ctx"]
                line_errors.append(item)
    if line_errors:
        raise ValidationError.from_exception_data("cases", line_errors, hide_input=True)
    out = []
    for case in parsed:
        out.append(scheme_module(case.scheme).decide_case(case, _rules_for(case, rules)))
    return out


@dataclass(frozen=True)
class Explanation:
    """A decision with its month-by-month (kz) or card-by-card (vn) reasoning."""

    decision: Decision
    trace: list[Any]


def explain(case: Case | Mapping[str, Any], rules: RuleSet | None = None) -> Explanation:
    """The decision and the full reasoning behind it (what ``insurrules check --explain`` shows)."""
    parsed = parse_case(case)
    module = scheme_module(parsed.scheme)
    chosen = _rules_for(parsed, rules)
    return Explanation(
        decision=module.decide_case(parsed, chosen), trace=module.trace_case(parsed, chosen)
    )
