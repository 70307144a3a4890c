"""Invariants of the vn-bhyt card rules over random purchase histories (hypothesis).

* a card spans exactly the months paid: ``valid_from + months == valid_to + 1 day`` (R8);
* paying earlier never shortens cover: with the history before it fixed, a purchase moved to an
  earlier day starts no later and ends no later, and every day up to the end of the earlier card
  that the later payment covers, the earlier payment covers too; renewing any time before the old
  card ends gives the same card (no days lost by renewing early);
* continuity never survives a gap of more than 3 months (R12): within one continuous chain every
  card starts no later than 3 months after the latest end before it;
* buying one more card never removes cover, and the order of the payment records never matters;
* the batch function and the CLI-facing JSON give the same decisions as ``decide``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

import insurrules
from insurrules.models import Decision
from insurrules.vn.cards import Chain, Purchase, StateSpan, add_months, build_chain
from insurrules.vn.rules import default_rules
from tests.vn.builders import purchase, vn_case

RULES = default_rules()
SETTINGS = settings(max_examples=60, deadline=None)
DAY = dt.timedelta(days=1)

first_days = st.dates(dt.date(2015, 1, 1), dt.date(2026, 6, 30))
gaps = st.integers(min_value=1, max_value=500)
lengths = st.sampled_from([3, 6, 12])


@st.composite
def histories(draw: st.DrawFn, min_size: int = 1) -> list[tuple[dt.date, int]]:
    day = draw(first_days)
    out = []
    for _ in range(draw(st.integers(min_value=min_size, max_value=6))):
        out.append((day, draw(lengths)))
        day += dt.timedelta(days=draw(gaps))
    return out


@st.composite
def state_spans(draw: st.DrawFn) -> list[StateSpan]:
    if not draw(st.booleans()):
        return []
    start = draw(st.dates(dt.date(2015, 1, 1), dt.date(2026, 1, 1)))
    end = start + dt.timedelta(days=draw(st.integers(min_value=0, max_value=900)))
    return [StateSpan("poor_household", start, end, "test")]


def _chain(history: list[tuple[dt.date, int]], spans: list[StateSpan] | None = None) -> Chain:
    bought = [Purchase(i, day, months, "household") for i, (day, months) in enumerate(history)]
    return build_chain(bought, spans or [], RULES)


def _case(as_of: dt.date, history: list[tuple[dt.date, int]]) -> dict[str, Any]:
    return vn_case(
        as_of.isoformat(), [purchase(day.isoformat(), months) for day, months in history]
    )


@SETTINGS
@given(histories(), state_spans())
def test_every_card_spans_exactly_the_months_paid(
    history: list[tuple[dt.date, int]], spans: list[StateSpan]
) -> None:
    for card in _chain(history, spans).cards:
        if card.kind == "purchase":
            assert card.months is not None
            assert card.valid_to is not None
            assert add_months(card.valid_from, card.months) == card.valid_to + DAY


@SETTINGS
@given(histories(), st.data())
def test_paying_earlier_never_shortens_cover(
    history: list[tuple[dt.date, int]], data: st.DataObject
) -> None:
    *before, (paid, months) = history
    floor = before[-1][0] + DAY if before else paid - dt.timedelta(days=400)
    earlier = data.draw(st.dates(max(floor, dt.date(2015, 1, 1)), paid))
    late = _chain(history).cards[-1] if not before else _last_purchase(_chain(history))
    early = _last_purchase(_chain([*before, (earlier, months)]))
    assert early.valid_from <= late.valid_from
    assert early.valid_to is not None
    assert late.valid_to is not None
    assert early.valid_to <= late.valid_to
    days = [earlier, early.valid_from, late.valid_from, early.valid_to]
    days.append(data.draw(st.dates(earlier, early.valid_to)))
    for day in (d for d in days if d <= early.valid_to):
        later_decision = insurrules.decide(_case(day, history))
        if later_decision.status == "insured":
            assert insurrules.decide(_case(day, [*before, (earlier, months)])).status == "insured"


def _last_purchase(chain: Chain) -> Any:
    return max(
        (c for c in chain.cards if c.kind == "purchase"), key=lambda c: c.paid_on or dt.date.min
    )


@SETTINGS
@given(histories(min_size=2), st.data())
def test_renewing_any_day_before_the_old_card_ends_gives_the_same_card(
    history: list[tuple[dt.date, int]], data: st.DataObject
) -> None:
    *before, (_, months) = history
    previous = _last_purchase(_chain(before))
    assert previous.valid_to is not None
    low = before[-1][0] + DAY
    if low > previous.valid_to:
        return
    a, b = data.draw(st.dates(low, previous.valid_to)), data.draw(st.dates(low, previous.valid_to))
    first = _last_purchase(_chain([*before, (a, months)]))
    second = _last_purchase(_chain([*before, (b, months)]))
    assert (first.valid_from, first.valid_to) == (second.valid_from, second.valid_to)
    assert first.valid_from == previous.valid_to + DAY


@SETTINGS
@given(histories(), state_spans())
def test_continuity_never_survives_a_gap_of_more_than_three_months(
    history: list[tuple[dt.date, int]], spans: list[StateSpan]
) -> None:
    chain = _chain(history, spans)
    latest_end: dt.date | None = None
    for i, card in enumerate(chain.cards):
        if i and chain.chain_start[i] == chain.chain_start[i - 1]:
            assert latest_end is not None
            assert card.valid_from <= max(add_months(latest_end, 3), latest_end + DAY)
        elif i:
            assert chain.chain_start[i] == card.valid_from
            assert latest_end is not None
            assert card.valid_from > add_months(latest_end, 3)
        if card.valid_to is not None and (latest_end is None or card.valid_to > latest_end):
            latest_end = card.valid_to
        if card.entry == "late":
            assert card.previous_end is not None
            assert card.paid_on is not None
            assert card.paid_on <= add_months(card.previous_end, 3)
        if card.entry == "restart":
            assert card.previous_end is not None
            assert card.paid_on is not None
            assert card.paid_on > add_months(card.previous_end, 3)


@SETTINGS
@given(histories(), gaps, lengths, st.data())
def test_buying_one_more_card_never_removes_cover(
    history: list[tuple[dt.date, int]], gap: int, months: int, data: st.DataObject
) -> None:
    # The new purchase comes after the others (a person pays today). Inserting one in the middle
    # of a history can legally move later prepaid cards *earlier* (it may spare a later purchase
    # the 30-day wait), so their tail moves too: that is the law, not a loss of cover.
    more = [*history, (history[-1][0] + dt.timedelta(days=gap), months)]
    before, after = _chain(history), _chain(more)
    ends = [c.valid_to for c in before.cards if c.valid_to is not None]
    for _ in range(5):
        day = data.draw(st.dates(dt.date(2015, 1, 1), max(ends) + dt.timedelta(days=60)))
        if before.spell(day) is not None:
            assert after.spell(day) is not None
            assert insurrules.decide(_case(day, more)).status == "insured"


@SETTINGS
@given(histories(), st.dates(dt.date(2015, 1, 1), dt.date(2028, 12, 31)), st.randoms())
def test_order_of_payment_records_never_matters(
    history: list[tuple[dt.date, int]], as_of: dt.date, rnd: Any
) -> None:
    shuffled = list(history)
    rnd.shuffle(shuffled)
    assert insurrules.decide(_case(as_of, shuffled)) == insurrules.decide(_case(as_of, history))


@SETTINGS
@given(histories(), st.dates(dt.date(2015, 1, 1), dt.date(2028, 12, 31)))
def test_decision_invariants_and_batch_equal_decide(
    history: list[tuple[dt.date, int]], as_of: dt.date
) -> None:
    case = _case(as_of, history)
    decision = insurrules.decide(case)
    assert insurrules.decide_many([case]) == [decision]
    assert Decision.model_validate_json(decision.model_dump_json()) == decision
    assert decision.grace_months is None
    assert decision.renew_by == decision.insured_until
    if decision.status == "insured":
        assert decision.insured_from is not None
        assert decision.insured_from <= as_of
        assert decision.insured_until is None or as_of <= decision.insured_until
        assert decision.details["valid_from"] is not None
    else:
        assert decision.insured_from is None
        assert decision.insured_until is None
    since = decision.details["continuous_since"]
    five = decision.details["five_years_on"]
    assert (since is None) == (five is None)
    if isinstance(since, str) and isinstance(five, str):
        start = dt.date.fromisoformat(since)
        assert dt.date(start.year + 5, start.month, 1) <= dt.date.fromisoformat(five)


@settings(max_examples=300, deadline=None)
@given(st.dates(dt.date(1950, 1, 1), dt.date(2090, 12, 31)), st.integers(0, 120))
def test_add_months_is_relativedelta(day: dt.date, months: int) -> None:
    assert add_months(day, months) == day + relativedelta(months=months)
