"""A person's coverage timeline equals ``decide()`` on every day of it (hypothesis, both
schemes, both readings of what is known), and its views read its segments."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import insurrules
from insurrules import RulesError
from insurrules.cli import main
from insurrules.coverage import Segment, Timeline
from insurrules.coverage import kz as coverage_kz
from insurrules.months import YearMonth
from tests.builders import kz_case, payments
from tests.kz.strategies import dates, kz_cases
from tests.vn.builders import purchase, vn_case

ROOT = Path(__file__).resolve().parents[1]
DAY = dt.timedelta(days=1)
SETTINGS = settings(max_examples=40, deadline=None)


def read_decision(decision: insurrules.Decision) -> tuple[Any, ...]:
    sf = decision.state_funded
    return (
        decision.status,
        decision.basis,
        None if sf is None else sf.category,
        None if sf is None else sf.budget,
        decision.grace_months,
        tuple(decision.details.get("debt_months") or ()),  # type: ignore[arg-type]
    )


def read_segment(seg: Segment) -> tuple[Any, ...]:
    return (seg.status, seg.basis, seg.category, seg.budget, seg.grace_months, seg.debt_months)


def days_to_check(t: Timeline, data: st.DataObject, case: dict[str, Any]) -> list[dt.date]:
    """Both ends of (up to 25) segments, (up to 25) days on which what is known changes and the
    day before each, and random days."""
    segs = list(t.segments)
    if len(segs) > 25:
        segs = data.draw(st.lists(st.sampled_from(segs), min_size=25, max_size=25))
    days = {d for s in segs for d in (s.start, s.end)}
    arrivals = sorted(
        {dt.date.fromisoformat(p["paid_on"]) for p in case["payments"] if "paid_on" in p}
        | {dt.date.fromisoformat(d) for d in case["person"].get("care_requests", ())}
    )
    arrivals = [d for d in arrivals if t.start <= d <= t.end]
    if len(arrivals) > 25:
        arrivals = data.draw(st.lists(st.sampled_from(arrivals), min_size=25, max_size=25))
    days |= {d for a in arrivals for d in (a, a - DAY) if t.start <= d}
    days |= set(data.draw(st.lists(st.dates(t.start, t.end), min_size=1, max_size=5)))
    return sorted(days)


def check_shape(t: Timeline) -> None:
    assert t.segments[0].start == t.start and t.segments[-1].end == t.end
    for a, b in zip(t.segments, t.segments[1:], strict=False):
        assert a.end + DAY == b.start and not a.reads_as(b)


def known_on(case: dict[str, Any], day: str) -> dict[str, Any]:
    """The case with only the facts known on ``day`` (payments arrived, care requests made)."""
    person = dict(case["person"])
    if "care_requests" in person:
        person["care_requests"] = [d for d in person["care_requests"] if d <= day]
    pays = [p for p in case["payments"] if p["paid_on"] <= day]
    return {**case, "person": person, "payments": pays}


@st.composite
def windows(draw: st.DrawFn, case: dict[str, Any], floor: dt.date) -> tuple[dt.date, dt.date]:
    born = dt.date.fromisoformat(case["person"]["birth_date"])
    start = draw(dates(max(floor, born), dt.date(2027, 12, 31)))
    months = draw(st.integers(0, 40))
    end = (YearMonth.of(start) + months).last_day()
    return start, end


@st.composite
def vn_cases(draw: st.DrawFn) -> dict[str, Any]:
    born = draw(st.dates(dt.date(1950, 1, 1), dt.date(2025, 6, 30)))
    day = draw(st.dates(max(born, dt.date(2015, 1, 1)), dt.date(2026, 12, 31)))
    bought = []
    for _ in range(draw(st.integers(0, 5))):
        payer = draw(st.sampled_from(["household", "household", "employer", "state"]))
        bought.append(purchase(day.isoformat(), draw(st.sampled_from([3, 6, 12])), payer))
        day += dt.timedelta(days=draw(st.integers(1, 500)))
    memberships = []
    if draw(st.booleans()):
        start = draw(st.dates(max(born, dt.date(2015, 1, 1)), dt.date(2027, 1, 1)))
        end = draw(st.none() | st.dates(start, dt.date(2028, 1, 1)))
        code = draw(st.sampled_from(["poor_household", "meritorious", "social_assistance"]))
        memberships.append(
            {"code": code, "start": start.isoformat(), "end": end and end.isoformat()}
        )
    extra: dict[str, Any] = {"memberships": memberships}
    if draw(st.integers(0, 4)) == 0:
        extra["death_date"] = draw(st.dates(born, dt.date(2028, 1, 1))).isoformat()
    as_of = draw(st.dates(max(born, dt.date(2016, 1, 1)), dt.date(2027, 12, 31)))
    case = vn_case(as_of.isoformat(), bought, birth_date=born.isoformat(), **extra)
    try:  # a state-paid person buying a card, a death before a purchase...: not a case
        insurrules.Case.model_validate(case)
    except ValueError:
        assume(False)
    return case


#: each scheme's cases, and the first day a timeline may start
SCHEMES = {
    "kz-osms": (kz_cases(), dt.date(2020, 1, 1)),
    "vn-bhyt": (vn_cases(), dt.date(2015, 1, 1)),
}


def drawn(scheme: str, data: st.DataObject, known: str) -> tuple[dict[str, Any], Timeline]:
    cases, floor = SCHEMES[scheme]
    case = data.draw(cases)
    start, end = data.draw(windows(case, floor))
    t = insurrules.timeline(case, start, end, known=known)  # type: ignore[arg-type]
    check_shape(t)
    return case, t


#: kz-osms pieces are read all at once (numpy, the default where it is installed) or one by one
READINGS = [("kz-osms", True), ("kz-osms", False), ("vn-bhyt", True)]


def drawn_reading(
    scheme: str, together: bool, data: st.DataObject, known: str
) -> tuple[dict[str, Any], Timeline]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(coverage_kz, "_numpy", lambda: together)
        return drawn(scheme, data, known)


@pytest.mark.parametrize(("scheme", "together"), READINGS)
@SETTINGS
@given(data=st.data())
def test_every_day_reads_as_decide_on_that_day(
    scheme: str, together: bool, data: st.DataObject
) -> None:
    case, t = drawn_reading(scheme, together, data, "then")
    for day in days_to_check(t, data, case):
        decision = insurrules.decide({**case, "as_of": day.isoformat()})
        assert read_segment(t.on(day)) == read_decision(decision), day


@pytest.mark.parametrize(("scheme", "together"), READINGS)
@SETTINGS
@given(data=st.data())
def test_known_as_of_reads_from_as_of_on_as_decide_with_the_facts_of_as_of(
    scheme: str, together: bool, data: st.DataObject
) -> None:
    case, t = drawn_reading(scheme, together, data, "as_of")
    facts = known_on(case, case["as_of"])
    for day in days_to_check(t, data, case):
        if day >= dt.date.fromisoformat(case["as_of"]):
            decision = insurrules.decide({**facts, "as_of": day.isoformat()})
            assert read_segment(t.on(day)) == read_decision(decision), day


@SETTINGS
@given(data=st.data())
def test_kz_known_as_of_reads_before_as_of_as_the_reasoning_of_the_decision_on_as_of(
    data: st.DataObject,
) -> None:
    """Before ``as_of``, each month reads as the month-by-month reasoning of the decision on
    ``as_of`` (``explain``)."""
    case, t = drawn("kz-osms", data, "as_of")
    death = case["person"]["death_date"]
    for row in insurrules.explain(case).trace:
        month = YearMonth.parse(row.month)
        day = max(month.first_day(), t.start)
        if not month.contains(day) or day > t.end:
            continue
        if death and day > dt.date.fromisoformat(death):
            continue
        seg = t.on(day)
        assert (seg.status == "insured", seg.basis) == (row.insured, row.basis), row.month


#: readings of the law other than the default (kz.md D-1..D-6): other routes, other lanes
KZ_READINGS = [
    {"kz.interpretation.prepaid_old_debt": "cancelled"},
    {"kz.interpretation.state_months_in_run": "count"},
    {"kz.interpretation.state_months_in_run": "break"},
    {"kz.interpretation.grace_after_state_category": True},
    {"kz.interpretation.de_new_request_each_year": False},
]


@pytest.mark.parametrize("changes", KZ_READINGS, ids=lambda c: "=".join(map(str, *c.items())))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_day_reads_as_decide_under_other_readings_of_the_law(
    changes: dict[str, Any], data: st.DataObject
) -> None:
    rules = insurrules.kz.rules().with_changes(changes)
    case = data.draw(kz_cases())
    start, end = data.draw(windows(case, dt.date(2020, 1, 1)))
    t = insurrules.timeline(case, start, end, rules)
    check_shape(t)
    for day in days_to_check(t, data, case):
        decision = insurrules.decide({**case, "as_of": day.isoformat()}, rules)
        assert read_segment(t.on(day)) == read_decision(decision), day


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_each_lane_holds_the_facts_known_in_its_state(data: st.DataObject) -> None:
    """Lane k of build_lane_facts is what build_facts gives on the k-th cutoff (within that
    frame; the lanes' frame reaches further)."""
    from insurrules.case import parse_case
    from insurrules.kz.case import KzInput
    from insurrules.kz.facts import build_facts, build_lane_facts

    parsed: Any = parse_case(data.draw(kz_cases()))
    cutoffs = sorted(
        data.draw(
            st.sets(dates(dt.date(2020, 1, 1), dt.date(2027, 12, 31)), min_size=1, max_size=6)
        )
    )
    until = cutoffs[-1] + dt.timedelta(days=data.draw(st.integers(0, 900)))
    rules = insurrules.kz.rules()
    lanes = build_lane_facts(parsed.person, parsed.rows(), cutoffs, until, rules)
    for k, cutoff in enumerate(cutoffs):
        one = build_facts(KzInput(cutoff, parsed.person, parsed.rows()), rules)
        assert one.ops.origin == lanes.ops.origin and one.ops.length <= lanes.ops.length
        mask = one.ops.full()
        for name in one.facts.__dataclass_fields__:
            want, got = getattr(one.facts, name), getattr(lanes.facts, name)
            if name == "advance":
                assert sorted(r for new in got[: k + 1] for r in new) == sorted(want)
            elif name == "memberships":
                assert {c: lanes.ops.lane(x, k) & mask for c, x in got.items()} == want
            else:
                assert lanes.ops.lane(got, k) & mask == want, name


# -- exact days inside a month -----------------------------------------------------------------


def test_a_payment_arriving_on_the_20th_splits_the_month_when_facts_are_those_known_then() -> None:
    case = kz_case("2025-09-15", payments("2024-01", "2025-06"))
    then = insurrules.timeline(case, "2025-06", "2025-06")
    assert [(str(s.start), s.basis, s.grace_used) for s in then.segments] == [
        ("2025-06-01", "grace_period", 1),
        ("2025-06-20", "contributions", None),
    ]
    retro = insurrules.timeline(case, "2025-06", "2025-06", known="as_of")
    assert [(str(s.start), s.basis) for s in retro.segments] == [("2025-06-01", "contributions")]


def test_grace_months_used_count_up_and_debt_grows() -> None:
    t = insurrules.timeline(
        kz_case("2025-12-31", payments("2024-07", "2025-06")), "2025-07", "2025-10"
    )
    rows = [
        (str(r.month), r.parts[0].basis, r.parts[0].grace_used, r.parts[0].debt_months)
        for r in t.months()
    ]
    assert rows == [
        ("2025-07", "grace_period", 1, ()),
        ("2025-08", "grace_period", 2, ("2025-07",)),
        ("2025-09", "grace_period", 3, ("2025-07", "2025-08")),
        ("2025-10", None, None, ("2025-07", "2025-08", "2025-09")),
    ]


def test_a_newborns_timeline_begins_on_the_birth_date_and_a_death_ends_cover_next_day() -> None:
    case = kz_case("2026-01-10", [], birth_date="2025-03-10", death_date="2025-08-14")
    t = insurrules.timeline(case, "2025-01", "2025-09")
    assert t.start == dt.date(2025, 3, 10)
    assert [(str(s.start), str(s.end), s.basis) for s in t.spans] == [
        ("2025-03-10", "2025-08-14", "state_funded"),
        ("2025-08-15", "2025-09-30", None),
    ]
    assert t.on(dt.date(2025, 5, 1)).category == "child"
    assert [r.mixed for r in t.months()] == [False] * 5 + [True, False]


def test_a_care_request_at_level_d_starts_cover_on_its_day() -> None:
    case = json.loads((ROOT / "examples" / "kz-welfare-level-de.json").read_text())
    t = insurrules.timeline(case, "2026-03", "2026-12")
    assert [(str(s.start), str(s.end), s.basis) for s in t.spans] == [
        ("2026-03-01", "2026-03-01", None),
        ("2026-03-02", "2026-12-31", "state_funded"),
    ]
    assert (t.on(dt.date(2026, 3, 2)).category, t.on(dt.date(2026, 3, 2)).budget) == (
        "welfare_level_de",
        "local",
    )
    # the debt of the 12-month window shrinks month by month while the state pays
    assert len(t.on(dt.date(2026, 3, 2)).debt_months) == 11
    assert t.on(dt.date(2026, 12, 31)).debt_months == ("2026-01", "2026-02")


def test_a_vn_card_after_a_long_gap_starts_30_days_after_payment() -> None:
    case = vn_case("2026-06-01", [purchase("2024-01-10"), purchase("2025-06-20")])
    t = insurrules.timeline(case, "2025-01", "2025-09")
    spans = [(str(s.start), str(s.end), s.basis) for s in t.spans]
    assert spans == [
        ("2025-01-01", "2025-02-08", "card"),
        ("2025-02-09", "2025-07-19", None),
        ("2025-07-20", "2025-09-30", "card"),
    ]


# -- views ----------------------------------------------------------------------------------------


def test_views_read_the_segments() -> None:
    on_the_first = [{**p, "paid_on": f"{p['month']}-01"} for p in payments("2024-01", "2025-06")]
    case = kz_case("2025-12-31", on_the_first)
    t = insurrules.timeline(case, "2025-01", "2025-12")
    assert t.strip().splitlines()[1] == "2025  C C C C C C G G G · · ·"
    frame = t.to_polars()
    assert frame["days"].sum() == 365 and frame.height == 12
    assert frame["basis"].to_list()[5:7] == ["contributions", "grace_period"]
    assert t.to_json()["spans"] == [s.to_json() for s in t.spans]
    html = t._repr_html_()
    assert "grace_period" in html and "2025-07-01" in html and "<script" not in html
    fig = t.plot()
    assert fig.axes[0].get_title() == "kz-osms: cover 2025-01-01 .. 2025-12-31"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2019-06", "2020-06"), "kz-osms benefits start on 2020-01-01"),
        (("2025-06", "2025-01"), "ends .* before it starts"),
        (("2025-13", "2026-01"), "start: expected a month YYYY-MM"),
        (("2025-01", "20260101"), "end: expected a month YYYY-MM"),
    ],
)
def test_bad_windows_are_refused(args: tuple[str, str], message: str) -> None:
    with pytest.raises(RulesError, match=message):
        insurrules.timeline(kz_case("2025-12-31"), *args)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_cli_timeline_prints_the_strip_and_spans(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "examples" / "kz-six-month-grace.json")
    code, out, err = run(["timeline", path, "--from", "2025-10", "--known", "as-of"], capsys)
    assert code == 0 and err == ""
    assert out.splitlines() == [
        "kz-osms 2025-10-01..2026-04-30 (facts known on as_of)",
        "      J F M A M J J A S O N D",
        "2025                    C C C",
        "2026  G G G G",
        "C contributions  G grace period  ' changes within the month",
        "spans:",
        "  2025-10-01 .. 2025-12-31  insured  contributions",
        "  2026-01-01 .. 2026-04-30  insured  grace period",
    ]


def test_cli_timeline_json_equals_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / "examples" / "vn-household-late.json"
    code, out, _ = run(
        ["timeline", str(path), "--from", "2025-01", "--to", "2026-06", "--json"], capsys
    )
    assert code == 0
    case = json.loads(path.read_text())
    assert json.loads(out) == insurrules.timeline(case, "2025-01", "2026-06").to_json()


def test_cli_timeline_bad_input_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "examples" / "kz-child.json")
    code, _, err = run(["timeline", path, "--from", "2019-01"], capsys)
    assert code == 2 and "benefits start on 2020-01-01" in err
    code, _, err = run(["timeline", path, "--known", "later"], capsys)
    assert code == 2 and "unknown --known 'later' (choose from then, as-of)" in err
