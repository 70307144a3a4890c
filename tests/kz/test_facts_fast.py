"""The single-frame reading of a payment history equals the record-by-record pass it stands for."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insurrules.kz.case import PaymentRow
from insurrules.kz.facts import _FIRST_MONTH, _LAST_MONTH, _frame_payments, _lane_payments
from insurrules.kz.params import KzParams, kz_params
from insurrules.kz.rules import default_rules
from insurrules.months import YearMonth

from .strategies import PAYERS

_AMOUNT = Decimal("4250")


@st.composite
def histories(draw: st.DrawFn) -> list[PaymentRow]:
    """Mostly what services send (runs of consecutive months paid in arrears by one payer, in
    order), broken in every way the fast reading checks: gaps, several payers, records paid in
    advance, late records in the middle, repeated months, records out of order, months at the
    bounds and past them (the record-by-record pass reads any month)."""
    rows: list[PaymentRow] = []
    payer = draw(st.sampled_from(PAYERS))
    start = draw(
        st.sampled_from([_FIRST_MONTH, YearMonth(2022, 8).index, _LAST_MONTH - 5])
        | st.integers(_FIRST_MONTH, _LAST_MONTH + 10)
    )
    for _ in range(draw(st.integers(0, 12))):
        length = draw(st.integers(1, 40))
        for m in range(start, start + length):
            lag = draw(st.sampled_from([20, 20, 20, 0, 40, -1, -40, 400]))
            first = YearMonth.from_index(m).first_day()
            other = draw(st.integers(0, 30)) == 0
            rows.append(
                (
                    m,
                    first + dt.timedelta(days=lag),
                    _AMOUNT,
                    draw(st.sampled_from(PAYERS)) if other else payer,
                )
            )
        start = max(start + length + draw(st.sampled_from([0, 1, 1, 2, 5, -3])), _FIRST_MONTH)
    if rows and draw(st.integers(0, 5)) == 0:
        i, j = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(rows) - 1))
        rows[i], rows[j] = rows[j], rows[i]
    if rows and draw(st.integers(0, 8)) == 0:
        rows.append(draw(st.sampled_from(rows)))
    return rows


_RULES = default_rules()


@st.composite
def params(draw: st.DrawFn) -> KzParams:
    p = kz_params(_RULES)
    if draw(st.booleans()):
        return p
    return replace(
        p,
        prepaid_payers=frozenset(draw(st.sets(st.sampled_from(PAYERS)))),
        de_work_payers=frozenset(draw(st.sets(st.sampled_from(PAYERS)))),
    )


@settings(max_examples=800, deadline=None)
@given(histories(), st.data(), params())
def test_the_frame_reading_equals_the_record_by_record_pass(
    rows: list[PaymentRow], data: st.DataObject, p: KzParams
) -> None:
    days = [d for _, d, _, _ in rows]
    last = data.draw(
        st.sampled_from(days) | st.dates(dt.date(2016, 1, 1), dt.date(2102, 1, 1))
        if days
        else st.dates(dt.date(2016, 1, 1), dt.date(2102, 1, 1))
    )
    origin = p.first_contribution_month
    assert _frame_payments(rows, last, origin, p) == _lane_payments(rows, (last,), origin, p)
    assert _frame_payments(tuple(rows), last, origin, p) == _lane_payments(rows, (last,), origin, p)


def test_a_history_paid_in_arrears_is_read_without_the_record_by_record_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fast reading serves what services send (one payer; in order; a gap; late records)."""
    from insurrules.kz import facts

    monkeypatch.setattr(facts, "_lane_payments", None)  # any call fails
    p = kz_params(_RULES)
    first = YearMonth(2020, 1).index
    rows: list[PaymentRow] = [
        (m, YearMonth.from_index(m).first_day() + dt.timedelta(days=20), _AMOUNT, "self")
        for m in range(first, first + 72)
        if m != first + 30
    ]
    paid, work_paid, advance, hi, known = _frame_payments(rows, dt.date(2025, 3, 1), first - 30, p)
    assert known == 61 and hi == first + 61 and advance == [[]] and work_paid == [0]
    assert paid == [((1 << 62) - 1 ^ 1 << 30) << 30]
