"""What the routes read, pinned where the population engine relies on it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from insurrules.case import parse_case
from insurrules.kz.case import KzCase, KzInput
from insurrules.kz.facts import build_facts
from insurrules.kz.law import routes, state_categories
from insurrules.kz.params import kz_params
from insurrules.kz.reading import owed
from insurrules.kz.rules import default_rules
from insurrules.timeline import BitOps
from tests.builders import kz_case

from .strategies import kz_cases


@settings(max_examples=150, deadline=None)
@given(kz_cases(), st.integers(0, 2**200))
def test_payments_from_work_count_only_against_a_d_e_care_request(
    document: dict[str, Any], noise: int
) -> None:
    """Without a care request at level D/E, the months paid from work change no route: the
    population engine builds ``work_paid`` only for persons who made such a request
    (`PopulationIndex.work_cells`)."""
    case = parse_case(document)
    assert isinstance(case, KzCase)
    rules = default_rules()
    frame = build_facts(KzInput.of(case), rules)
    ops = frame.ops
    without = replace(frame.facts, de_requests=ops.empty())
    scrambled = replace(without, work_paid=noise & ops.full())
    assert routes(without, ops, rules) == routes(scrambled, ops, rules)


class _LookingOps(BitOps):
    """``BitOps`` that never claim a timeline empty and have nothing kept for their frame:
    every rule takes its general path."""

    __slots__ = ()

    def surely_empty(self, x: int) -> bool:
        return False

    def frame_key(self) -> None:
        return None


_REFORMED = default_rules().with_changes({"kz.grace.months": 4, "kz.debt.window_months": 6})


@settings(max_examples=200, deadline=None)
@given(kz_cases())
@example(  # a D/E care request that qualifies: cover to December
    kz_case(
        "2026-05-15",
        welfare_levels=[{"level": "D", "start": "2025-01-01"}],
        care_requests=["2026-03-02"],
    )
)
def test_what_a_rule_skips_on_an_empty_timeline_is_what_it_would_give(
    document: dict[str, Any],
) -> None:
    """A rule may skip work when ``ops.surely_empty`` (no D/E care request: no D/E cover),
    and take the law's months of a frame kept by the rule set (``ops.frame_key``): the routes
    and what is owed are those of the general path, under the shipped rules and a reform."""
    case = parse_case(document)
    assert isinstance(case, KzCase)
    for rules in (default_rules(), _REFORMED):
        frame = build_facts(KzInput.of(case), rules)
        looking = _LookingOps(frame.ops.origin, frame.ops.length)
        r = routes(frame.facts, frame.ops, rules)
        assert r == routes(frame.facts, looking, rules)
        facts, p, month = frame.facts, kz_params(rules), frame.as_of_month
        assert owed(
            facts.paid, r.due, r.prepaid_starts, facts.de_requests, frame.ops, p, month
        ) == (owed(facts.paid, r.due, r.prepaid_starts, facts.de_requests, looking, p, month))


@settings(max_examples=200, deadline=None)
@given(kz_cases())
def test_a_person_without_memberships_is_read_in_the_derived_categories_only(
    document: dict[str, Any],
) -> None:
    """``state_categories`` reads only ``KzParams.derived_categories`` for a person without
    memberships: the categories are those read from every window."""
    case = parse_case(document)
    assert isinstance(case, KzCase)
    rules = default_rules()
    p = kz_params(rules)
    frame = build_facts(KzInput.of(case), rules)
    every = replace(p, derived_categories=p.categories)
    found = state_categories(frame.facts, frame.ops, p)
    assert found == state_categories(frame.facts, frame.ops, every)
    assert found[0].code == "child"


@pytest.mark.parametrize(
    "fields",
    [
        {"memberships": [{"code": "disability", "start": "2090-01-01"}]},
        {"memberships": [{"code": "disability", "start": "2025-01-01", "end": "2090-06-30"}]},
        {"welfare_levels": [{"level": "D", "start": "2090-01-01"}]},
        {"welfare_levels": [{"level": "D", "start": "2025-01-01", "end": "2090-06-30"}]},
    ],
)
def test_the_frame_reaches_past_every_dated_fact(fields: dict[str, Any]) -> None:
    """A run still true at the frame's end is open-ended (insured_until null) only if the frame
    reaches past every finite fact: memberships and welfare levels far ahead too."""
    from insurrules.months import YearMonth
    from tests.builders import kz_case

    case = parse_case(kz_case("2026-01-15", **fields))
    assert isinstance(case, KzCase)
    frame = build_facts(KzInput.of(case), default_rules())
    assert frame.asked.frame_end > YearMonth(2090, 6).index + 12
