"""Random vn-bhyt populations for property tests, with the edges of the card rules weighted in.

Renewals are drawn around the card's end and around the 3-month limit (D-1) after it, also when
the first card waited 30 days; children around their 6th birthday and the 30 Sep cut-off (R9);
support and state-paid periods that start, end or are open around purchases; deaths around
``as_of``. With ``invalid=True`` some persons carry one of the problems the case model refuses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from insurrules.population.vn.tables import VnPopulation
from insurrules.vn.cards import PAYERS, add_months
from insurrules.vn.case import STATE_GROUPS
from insurrules.vn.rules import SUPPORT_GROUPS

#: every support group and every fully state-paid group, and every payer
SUPPORT = list(SUPPORT_GROUPS)
STATE = list(STATE_GROUPS)
#: days after "paid_on + months": before/at the end, late, around the 3-month limit (also when
#: the first card waited 30 days), long gaps
OFFSETS = [-20, -1, 0, 1, 2, 30, 31, 60, 88, 89, 90, 91, 92, 93, 118, 119, 120, 121, 122, 123]
PROBLEMS = [
    "bad_id",
    "same_day",
    "unsupported",
    "months",
    "amount",
    "end_before_start",
    "open_state",
    "child_membership",
    "support_overlap",
    "payer",
]


@st.composite
def renewal_days(draw: st.DrawFn, first: dt.date, count: int) -> list[tuple[dt.date, int]]:
    out = []
    day = first
    for _ in range(count):
        months = draw(st.sampled_from([3, 6, 12]))
        out.append((day, months))
        if draw(st.booleans()):
            offset = draw(st.sampled_from(OFFSETS))
        else:
            offset = draw(st.integers(-40, 500))
        day = add_months(day, months) + dt.timedelta(days=offset)
        if day <= out[-1][0]:
            day = out[-1][0] + dt.timedelta(days=1)
    return out


@st.composite
def person(draw: st.DrawFn, serial: int, as_of: dt.date, invalid: bool) -> dict[str, Any]:
    kind = draw(st.sampled_from(["adult", "adult", "child", "turning_6", "old"]))
    if kind == "child":
        birth = as_of - dt.timedelta(days=draw(st.integers(0, 6 * 365)))
    elif kind == "turning_6":
        # the 72-month birthday around as_of, births around the 30 Sep cut-off
        sixth = dt.date(as_of.year - 6, draw(st.sampled_from([9, 10, as_of.month])), 1)
        birth = sixth + dt.timedelta(days=draw(st.integers(-40, 40)))
    elif kind == "old":
        birth = dt.date(draw(st.integers(1935, 1960)), draw(st.integers(1, 12)), 28)
    else:
        birth = dt.date(draw(st.integers(1965, 2008)), draw(st.integers(1, 12)), 14)
    pid = f"0790{serial:08d}"
    death = None
    if draw(st.integers(0, 9)) == 0:
        death = max(birth, as_of + dt.timedelta(days=draw(st.integers(-400, 30))))
    memberships: list[dict[str, Any]] = []
    anchor = max(birth, dt.date(2015, 1, 1), as_of - dt.timedelta(days=draw(st.integers(0, 2500))))
    payments: list[dict[str, Any]] = []
    n_pay = draw(st.integers(0, 5))
    # a child aging out buys around the end of the free card; others from a random anchor
    first = anchor if kind != "turning_6" else as_of + dt.timedelta(days=draw(st.integers(-200, 0)))
    first = max(first, birth, dt.date(2015, 1, 1))
    for day, months in draw(renewal_days(first, n_pay)):
        payments.append(
            {"paid_on": day, "months": months, "amount": "1263600", "payer": "household"}
        )
    support = draw(st.sampled_from([None, None, *SUPPORT]))
    if support is not None:
        start = max(birth, anchor - dt.timedelta(days=draw(st.integers(0, 400))))
        end = None if draw(st.booleans()) else start + dt.timedelta(days=draw(st.integers(0, 2500)))
        memberships.append({"code": support, "start": start, "end": end})
        for p in payments:
            if p["paid_on"] >= start and (end is None or p["paid_on"] <= end):
                p["payer"] = draw(st.sampled_from(["supported", "household", "student", "state"]))
    for state in draw(st.lists(st.sampled_from([None, None, None, *STATE]), max_size=2)):
        _state_membership(draw, state, birth, payments, memberships)
    for p in payments:
        if draw(st.integers(0, 6)) == 0:
            p["payer"] = draw(st.sampled_from([x for x in PAYERS if x != "supported"]))
    row = {
        "id": pid,
        "birth_date": birth,
        "sex": draw(st.sampled_from(["male", "female"])),
        "death_date": death,
        "household_rank": draw(st.sampled_from([None, 1, 2, 5])),
    }
    if invalid:
        problem = draw(st.sampled_from(PROBLEMS))
        _spoil(problem, row, payments, memberships, birth)
    return {"person": row, "payments": payments, "memberships": memberships}


def _state_membership(
    draw: st.DrawFn,
    state: str | None,
    birth: dt.date,
    payments: list[dict[str, Any]],
    memberships: list[dict[str, Any]],
) -> None:
    if state is not None and state != "child_under_6":
        start = max(birth, dt.date(2015, 1, 1)) + dt.timedelta(days=draw(st.integers(0, 4000)))
        end = start + dt.timedelta(days=draw(st.integers(0, 1500)))
        last_paid = max((p["paid_on"] for p in payments), default=None)
        open_ok = last_paid is None or last_paid < start
        memberships.append(
            {"code": state, "start": start, "end": None if open_ok and draw(st.booleans()) else end}
        )
    elif state == "child_under_6":
        memberships.append({"code": state, "start": birth, "end": None})


def _spoil(
    problem: str,
    row: dict[str, Any],
    payments: list[dict[str, Any]],
    memberships: list[dict[str, Any]],
    birth: dt.date,
) -> None:
    day = max(birth, dt.date(2016, 3, 1))
    if problem == "bad_id":
        row["id"] = row["id"][:4] + "x" + row["id"][5:]
    elif problem == "same_day":
        payments += [{"paid_on": day, "months": 12, "amount": "1", "payer": "household"}] * 2
    elif problem == "unsupported":
        payments.append({"paid_on": day, "months": 3, "amount": "1", "payer": "supported"})
        memberships.clear()
    elif problem == "months":
        payments.append({"paid_on": day, "months": 5, "amount": "1", "payer": "household"})
    elif problem == "amount":
        payments.append({"paid_on": day, "months": 6, "amount": "-3", "payer": "household"})
    elif problem == "end_before_start":
        memberships.append({"code": "near_poor", "start": day, "end": day - dt.timedelta(1)})
    elif problem == "open_state":
        memberships.append({"code": "meritorious", "start": birth, "end": None})
        payments.append({"paid_on": day, "months": 3, "amount": "1", "payer": "household"})
    elif problem == "child_membership":
        memberships.append({"code": "child_under_6", "start": birth, "end": dt.date(2099, 1, 1)})
    elif problem == "support_overlap":
        memberships += [
            {"code": "student", "start": day, "end": None},
            {"code": "agri_average", "start": day, "end": day},
        ]
    else:
        payments.append({"paid_on": day, "months": 6, "amount": "1", "payer": "nobody"})


def build(people: list[dict[str, Any]]) -> VnPopulation:
    persons = [p["person"] for p in people]
    payments = [{"person_id": p["person"]["id"], **x} for p in people for x in p["payments"]]
    memberships = [{"person_id": p["person"]["id"], **m} for p in people for m in p["memberships"]]
    import polars as pl

    def frame(rows: list[dict[str, Any]], schema: dict[str, Any]) -> pl.DataFrame:
        return (
            pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
        )

    return VnPopulation.from_frames(
        frame(
            persons,
            {
                "id": pl.String,
                "birth_date": pl.Date,
                "sex": pl.String,
                "death_date": pl.Date,
                "household_rank": pl.Int64,
            },
        ),
        frame(
            payments,
            {
                "person_id": pl.String,
                "paid_on": pl.Date,
                "months": pl.Int64,
                "amount": pl.String,
                "payer": pl.String,
            },
        ),
        frame(
            memberships,
            {"person_id": pl.String, "code": pl.String, "start": pl.Date, "end": pl.Date},
        ),
    )


AS_OF = [
    dt.date(2016, 2, 1),
    dt.date(2019, 12, 31),
    dt.date(2023, 7, 1),
    dt.date(2025, 6, 30),
    dt.date(2025, 7, 1),
    dt.date(2026, 1, 1),
    dt.date(2026, 3, 15),
    dt.date(2026, 10, 1),
]


@st.composite
def populations(
    draw: st.DrawFn, max_size: int = 6, invalid: bool = True
) -> tuple[VnPopulation, dt.date]:
    as_of = draw(st.sampled_from(AS_OF))
    size = draw(st.integers(1, max_size))
    people = [draw(person(i, as_of, invalid and draw(st.integers(0, 4)) == 0)) for i in range(size)]
    pop = build(people)
    # as_of also right at a purchase's edges: the payment day, 30 days later (end of the wait)
    days = pop.payments["paid_on"].to_list()
    if len(days) > 0 and draw(st.booleans()):
        as_of = draw(st.sampled_from(days)) + dt.timedelta(
            days=draw(st.sampled_from([-1, 0, 29, 30, 31]))
        )
        as_of = max(as_of, dt.date(2015, 1, 1))
    return pop, as_of
