"""What the routes read, pinned where the population engine relies on it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insurrules.case import parse_case
from insurrules.kz.case import KzCase, KzInput
from insurrules.kz.facts import build_facts
from insurrules.kz.law import routes
from insurrules.kz.rules import default_rules

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
