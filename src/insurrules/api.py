"""The public entry points: :func:`decide`, :func:`decide_many`, :func:`explain`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from insurrules.case import SCHEMES, Case, parse_case, scheme_module
from insurrules.errors import RulesError
from insurrules.models import Decision
from insurrules.parameters import RuleSet

if TYPE_CHECKING:
    from insurrules.changes import Change

__all__ = ["Explanation", "decide", "decide_many", "explain"]


def _rules_for(scheme: str, rules: RuleSet | Mapping[str, RuleSet] | None) -> RuleSet | None:
    if rules is None:
        return None
    chosen = rules if isinstance(rules, RuleSet) else rules.get(scheme)
    if chosen is not None and chosen.scheme != scheme:
        raise RulesError(f"rules are for {chosen.scheme}, but the case is {scheme}")
    return chosen


def _prepare(case: Case | Mapping[str, Any]) -> tuple[Any, Any]:
    """The scheme module and what its ``decide_case`` takes; raises ``ValidationError``.

    A clean kz-osms document skips building one model per payment record (``prepare``);
    anything else is validated in full, which names every problem.
    """
    if isinstance(case, dict) and case.get("scheme") in SCHEMES:
        module = scheme_module(case["scheme"])
        prepare = getattr(module, "prepare", None)
        if prepare is not None:
            prepared = prepare(case)
            if prepared is not None:
                return module, prepared
    parsed = parse_case(case)
    return scheme_module(parsed.scheme), parsed


def decide(case: Case | Mapping[str, Any], rules: RuleSet | None = None) -> Decision:
    """Validate a case document and decide it.

    ``case`` is a :class:`Case` (any scheme's) or a plain mapping of the case document; bad input
    raises :class:`pydantic.ValidationError` naming each field and reason, identifiers masked.
    ``rules`` (optional) replaces the rules in force, e.g. a reform.

    A self-payer who paid every month 2024-07..2025-06 and then stopped (a single payment for
    June would not do: the months before it would be debt):

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
    module, prepared = _prepare(case)
    decision: Decision = module.decide_case(prepared, _rules_for(module.SCHEME, rules))
    return decision


def decide_many(
    cases: Iterable[Case | Mapping[str, Any]],
    rules: RuleSet | Mapping[str, RuleSet] | None = None,
) -> list[Decision]:
    """Decide a list of cases at once, in order, through the same rule definitions.

    Every case is validated before any is decided; problems in several cases are reported
    together, each path prefixed with the case's index (``[3].person.id``). ``rules`` is one
    rule set, or a mapping from scheme to rule set.
    """
    prepared: list[tuple[Any, Any]] = []
    line_errors: list[Any] = []
    for i, raw in enumerate(cases):
        try:
            prepared.append(_prepare(raw))
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
    return [module.decide_case(case, _rules_for(module.SCHEME, rules)) for module, case in prepared]


@dataclass(frozen=True)
class Explanation:
    """A decision with its month-by-month (kz) or card-by-card (vn) reasoning, and the changes
    in the law that took effect in the 12 months up to ``as_of`` (:func:`insurrules.law_changes`).
    """

    decision: Decision
    trace: list[Any]
    changes: tuple[Change, ...] = ()


def explain(case: Case | Mapping[str, Any], rules: RuleSet | None = None) -> Explanation:
    """The decision and the full reasoning behind it (what ``insurrules check --explain`` shows)."""
    from insurrules.changes import recent_changes

    parsed = parse_case(case)
    module = scheme_module(parsed.scheme)
    chosen = _rules_for(parsed.scheme, rules)
    return Explanation(
        decision=module.decide_case(parsed, chosen),
        trace=module.trace_case(parsed, chosen),
        changes=tuple(recent_changes(chosen or module.default_rule_set(), parsed.as_of)),
    )
