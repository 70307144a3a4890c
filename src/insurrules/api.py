"""The public entry points: ``decide``, ``decide_json``, ``decide_many``, ``explain``.

Every one of them raises ``insurrules.errors.InvalidCase`` (a ``ValueError``) for bad
input, naming each field and reason with identifiers masked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, overload

from insurrules.case import Case, parse_case, validate_input, validate_input_json
from insurrules.errors import InvalidCase, RulesError
from insurrules.models import Decision
from insurrules.parameters import RuleSet
from insurrules.schemes import scheme_module

if TYPE_CHECKING:
    from insurrules.changes import Change

__all__ = ["Explanation", "decide", "decide_json", "decide_many", "explain"]


def _rules_for(scheme: str, rules: RuleSet | Mapping[str, RuleSet] | None) -> RuleSet | None:
    if rules is None:
        return None
    chosen = rules if isinstance(rules, RuleSet) else rules.get(scheme)
    if chosen is not None and chosen.scheme != scheme:
        raise RulesError(f"rules are for {chosen.scheme}, but the case is {scheme}")
    return chosen


def _decide(
    validated: Any, rules: RuleSet | Mapping[str, RuleSet] | None, lang: str = "en"
) -> Decision:
    module = scheme_module(validated.scheme)
    if lang == "en":
        decision: Decision = module.decide_case(validated, _rules_for(module.SCHEME, rules))
        return decision
    from insurrules.messages import speaking

    with speaking(lang, module.SCHEME):
        decision = module.decide_case(validated, _rules_for(module.SCHEME, rules))
    return decision


def decide(
    case: Case | Mapping[str, Any], rules: RuleSet | None = None, *, lang: str = "en"
) -> Decision:
    """Validate a case document and decide it.

    ``case`` is a ``Case`` (any scheme's) or a plain mapping of the case document; bad input
    raises ``insurrules.errors.InvalidCase`` naming each field and reason, identifiers
    masked. ``rules`` (optional) replaces the rules in force, e.g. a reform. ``lang`` is the
    language of the reasons' messages: ``en``, ``ru`` or ``kk`` for kz-osms, ``en`` or ``vi``
    for vn-bhyt (codes and sources are the same in every language).

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
    return _decide(validate_input(case), rules, lang)


def decide_json(data: bytes | bytearray | str, rules: RuleSet | None = None) -> Decision:
    """Decide a case document given as JSON text (what a service receives), e.g. request bytes.

    The text is read as ``insurrules.case.load_case_json`` reads it (UTF-8, a byte-order mark
    skipped, duplicate keys refused), then validated and decided as ``decide`` does
    (``insurrules.case.validate_input_json``: a kz-osms document is validated from the text
    itself, with the same result).

    >>> decide_json(b'{"scheme": "kz-osms", "as_of": "2026-03-15", "person": '
    ...             b'{"id": "870412445016", "birth_date": "1987-04-12", "sex": "female"}}').status
    'not_insured'
    """
    return _decide(validate_input_json(data), rules)


@overload
def decide_many(
    cases: Iterable[Case | Mapping[str, Any]],
    rules: RuleSet | Mapping[str, RuleSet] | None = None,
    *,
    errors: Literal["raise"] = "raise",
) -> list[Decision]: ...


@overload
def decide_many(
    cases: Iterable[Case | Mapping[str, Any]],
    rules: RuleSet | Mapping[str, RuleSet] | None = None,
    *,
    errors: Literal["collect"],
) -> list[Decision | InvalidCase]: ...


def decide_many(
    cases: Iterable[Case | Mapping[str, Any]],
    rules: RuleSet | Mapping[str, RuleSet] | None = None,
    *,
    errors: Literal["raise", "collect"] = "raise",
) -> list[Decision] | list[Decision | InvalidCase]:
    """Decide a list of cases at once, in order, through the same rule definitions.

    ``rules`` is one rule set, or a mapping from scheme to rule set.

    ``errors="raise"`` (the default): every case is validated before any is decided; problems in
    several cases are reported together in one ``insurrules.errors.InvalidCase``, each
    path prefixed with the case's index (``[3].person.id``).

    ``errors="collect"``: one bad case never takes the others down; the result has, in order, a
    ``Decision`` or the ``insurrules.errors.InvalidCase`` of each case (paths
    relative to that case).

    >>> good = {"scheme": "kz-osms", "as_of": "2026-03-15", "person": {
    ...     "id": "870412445016", "birth_date": "1987-04-12", "sex": "female"}}
    >>> [type(r).__name__ for r in decide_many([good, {}, good], errors="collect")]
    ['Decision', 'InvalidCase', 'Decision']
    """
    if errors not in ("raise", "collect"):
        raise ValueError(f"errors must be 'raise' or 'collect', got {errors!r}")
    validated: list[Any] = []
    for raw in cases:
        try:
            validated.append(validate_input(raw))
        except InvalidCase as exc:
            validated.append(exc)
    if errors == "collect":
        return [
            item if isinstance(item, InvalidCase) else _decide(item, rules) for item in validated
        ]
    bad = [(i, item) for i, item in enumerate(validated) if isinstance(item, InvalidCase)]
    if bad:
        error = InvalidCase.of(
            ((i, *err["loc"]), err["type"], err["msg"]) for i, exc in bad for err in exc.errors()
        )
        raise error
    return [_decide(item, rules) for item in validated]


@dataclass(frozen=True)
class Explanation:
    """A decision with its month-by-month (kz) or card-by-card (vn) reasoning, and the changes
    in the law that took effect in the 12 months up to ``as_of``
    ([`insurrules.law_changes`][insurrules.changes.law_changes]).
    """

    decision: Decision
    trace: list[Any]
    changes: tuple[Change, ...] = ()

    def __repr__(self) -> str:  # the parts themselves: .decision, .trace, .changes
        d = self.decision
        basis = f" ({d.basis})" if d.basis else ""
        rows = "months" if d.scheme == "kz-osms" else "cards"
        return (
            f"Explanation({d.scheme} on {d.as_of}: {d.status}{basis}; trace of"
            f" {len(self.trace)} {rows}, {len(self.changes)} change"
            f"{'' if len(self.changes) == 1 else 's'} in the law)"
        )


def explain(
    case: Case | Mapping[str, Any], rules: RuleSet | None = None, *, lang: str = "en"
) -> Explanation:
    """The decision and the full reasoning behind it (what ``insurrules check --explain`` shows);
    ``lang`` as for [`decide`][insurrules.api.decide]."""
    from insurrules.changes import recent_changes

    parsed = parse_case(case)
    module = scheme_module(parsed.scheme)
    chosen = _rules_for(parsed.scheme, rules)
    return Explanation(
        decision=_decide(parsed, chosen, lang),
        trace=module.trace_case(parsed, chosen),
        changes=tuple(recent_changes(chosen or module.default_rule_set(), parsed.as_of)),
    )
