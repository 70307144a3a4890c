"""The names the README shows are typed for ``mypy --strict`` when reached through the lazy
``insurrules`` attributes (``insurrules.kz.contribution``, ``insurrules.vn.*``,
``insurrules.Reform``). ``typing.assert_type`` is checked by mypy in ``make typecheck``: were any
of these ``Any``, mypy would report it; at run time the same calls must work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import assert_type

import pytest

import insurrules
from insurrules.parameters import RuleSet


def test_lazy_scheme_attributes_are_typed() -> None:
    due = insurrules.kz.contribution("self", dt.date(2026, 3, 1))
    assert_type(due, Decimal)
    assert due > 0
    card = insurrules.vn.contribution(dt.date(2026, 1, 15), 12, rank=2)
    assert_type(card, Decimal)
    assert card > 0
    assert_type(insurrules.vn.child_card_end(dt.date(2020, 3, 15), insurrules.vn.rules()), dt.date)
    assert_type(insurrules.kz.rules(), RuleSet)


def test_reform_is_typed() -> None:
    reform = insurrules.Reform.from_dict(
        {"title": "t", "scheme": "kz-osms", "changes": {"kz.grace.months": 4}}
    )
    assert_type(reform, insurrules.Reform)
    assert_type(reform.apply(), RuleSet)
    assert reform.apply()["kz.grace.months"].values[-1].value == 4


def test_decide_json_and_invalid_case_are_typed() -> None:
    with pytest.raises(insurrules.InvalidCase) as info:
        insurrules.decide_json(b"{}")
    assert_type(info.value.problems, list[dict[str, str]])
    assert_type(info.value.lines, list[str])
    assert info.value.lines == ["scheme: Field required (the scheme: one of 'kz-osms', 'vn-bhyt')"]
