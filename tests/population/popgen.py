"""Random kz-osms populations for property tests, with edge months weighted in."""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import polars as pl
from hypothesis import strategies as st

from insurrules.kz.case import KZ_MEMBERSHIP_CODES, Payer, Residency
from insurrules.kz.iin import check_digit
from insurrules.population import Population

#: months where the law changes: launch, prepaid start, 2026 reform, year ends
EDGE_MONTHS = [
    (2020, 1),
    (2020, 6),
    (2020, 7),
    (2022, 8),
    (2022, 9),
    (2022, 10),
    (2025, 11),
    (2025, 12),
    (2026, 1),
    (2026, 2),
    (2026, 6),
    (2026, 12),
]
#: every residency and payer of the contract (kz/case.py), so each reading of the scope is tried
RESIDENCIES: tuple[str, ...] = get_args(Residency)
PAYERS: tuple[str, ...] = get_args(Payer)

AS_OF = [
    dt.date(2020, 6, 30),
    dt.date(2020, 7, 1),
    dt.date(2022, 9, 4),
    dt.date(2022, 9, 15),
    dt.date(2023, 5, 10),
    dt.date(2025, 12, 31),
    dt.date(2026, 1, 1),
    dt.date(2026, 2, 15),
    dt.date(2026, 7, 20),
]


def iin(birth: dt.date, sex: str, serial: int) -> str:
    """A valid IIN for a birth date and sex (the serial is bumped until a check digit exists)."""
    century = {1800: 1, 1900: 3, 2000: 5}[birth.year // 100 * 100]
    digit7 = century + (0 if sex == "male" else 1)
    while True:
        first = f"{birth:%y%m%d}{digit7}{serial % 10000:04d}"
        check = check_digit(first)
        if check is not None:
            return first + str(check)
        serial += 1


@st.composite
def months(draw: st.DrawFn, lo: int = 2017 * 12 + 6, hi: int = 2027 * 12) -> int:
    if draw(st.booleans()):
        y, m = draw(st.sampled_from(EDGE_MONTHS))
        return y * 12 + m - 1
    return draw(st.integers(lo, hi))


def first_day(m: int) -> dt.date:
    return dt.date(m // 12, m % 12 + 1, 1)


@st.composite
def day_in(draw: st.DrawFn, m: int) -> dt.date:
    return first_day(m) + dt.timedelta(days=draw(st.integers(0, 27)))


@st.composite
def person(draw: st.DrawFn, serial: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["adult", "adult", "child", "turns18", "old"]))
    if kind == "child":
        birth = dt.date(draw(st.integers(2009, 2025)), draw(st.integers(1, 12)), 15)
    elif kind == "turns18":
        birth = dt.date(2007, draw(st.integers(9, 12)), draw(st.integers(1, 28)))
    elif kind == "old":
        birth = dt.date(draw(st.integers(1935, 1965)), draw(st.integers(1, 12)), 3)
    else:
        birth = dt.date(draw(st.integers(1966, 2006)), draw(st.integers(1, 12)), 20)
    sex = draw(st.sampled_from(["male", "female"]))
    born_m = birth.year * 12 + birth.month - 1
    residency = draw(st.sampled_from(["citizen"] * 4 + list(RESIDENCIES)))
    death = None
    if draw(st.integers(0, 9)) == 0:
        death = draw(day_in(max(draw(months()), born_m)))
    pid = iin(birth, sex, serial)
    pays: list[dict[str, Any]] = []
    style = draw(st.sampled_from(["none", "steady", "gappy", "prepay", "work", "long"]))
    if style != "none":
        start = max(draw(months(2017 * 12 + 6, 2026 * 12)), born_m, 2017 * 12 + 6)
        length = draw(st.integers(1, 90))
        if style == "long":  # 60 unbroken months before a 2026 as_of: the six-month grace
            start = max(draw(st.integers(2019 * 12, 2021 * 12)), born_m)
            length = draw(st.integers(55, 80))
        payer = "self" if style in ("gappy", "prepay") else draw(st.sampled_from(PAYERS))
        lag = draw(st.integers(-14 if style == "prepay" else 0, 3))
        lump = style == "prepay" and draw(st.booleans())  # 12 months paid in one go
        for m in range(start, start + length):
            if style == "gappy" and draw(st.integers(0, 4)) == 0:
                continue
            arrival = max(start - 1 if lump else m + lag, born_m)
            paid_on = draw(day_in(arrival))
            if paid_on < birth:
                paid_on = birth
            pays.append(
                {
                    "month": f"{m // 12}-{m % 12 + 1:02d}",
                    "paid_on": paid_on,
                    "amount": "4250",
                    "payer": payer,
                }
            )
    mems: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 2))):
        code = draw(st.sampled_from(KZ_MEMBERSHIP_CODES))
        lo = max(draw(months(2019 * 12, 2027 * 12)), born_m)
        hi = None if draw(st.booleans()) else lo + draw(st.integers(0, 30))
        mems.append(
            {
                "code": code,
                "start": draw(day_in(lo)),
                "end": None if hi is None else first_day(hi) + dt.timedelta(days=27),
            }
        )
        if mems[-1]["start"] < birth:
            mems[-1]["start"] = birth
    levels = []
    reqs = []
    if draw(st.integers(0, 2)) == 0:
        lo = draw(months(2025 * 12, 2027 * 12))
        levels.append(
            {
                "level": draw(st.sampled_from("ABCDE")),
                "start": first_day(lo),
                "end": None
                if draw(st.booleans())
                else first_day(lo + draw(st.integers(1, 14))) - dt.timedelta(days=1),
            }
        )
        for _ in range(draw(st.integers(0, 2))):
            reqs.append(draw(day_in(draw(months(2025 * 12 + 10, 2027 * 12)))))
    return {
        "person": {
            "id": pid,
            "birth_date": birth,
            "sex": sex,
            "death_date": death,
            "residency": residency,
            "region": draw(st.sampled_from(["ALA", "AST"])),
        },
        "payments": pays,
        "memberships": mems,
        "welfare_levels": levels,
        "care_requests": reqs,
    }


def build(people: list[dict[str, Any]]) -> Population:
    persons = pl.DataFrame(
        [p["person"] for p in people],
        schema={
            "id": pl.String,
            "birth_date": pl.Date,
            "sex": pl.String,
            "death_date": pl.Date,
            "residency": pl.String,
            "region": pl.String,
        },
    )

    def table(key: str, schema: dict[str, Any]) -> pl.DataFrame:
        rows = [{"person_id": p["person"]["id"], **r} for p in people for r in p[key]]
        return pl.DataFrame(rows, schema={"person_id": pl.String, **schema})

    return Population.from_frames(
        persons,
        payments=table(
            "payments",
            {"month": pl.String, "paid_on": pl.Date, "amount": pl.String, "payer": pl.String},
        ),
        memberships=table("memberships", {"code": pl.String, "start": pl.Date, "end": pl.Date}),
        welfare_levels=table(
            "welfare_levels", {"level": pl.String, "start": pl.Date, "end": pl.Date}
        ),
        care_requests=pl.DataFrame(
            [
                {"person_id": p["person"]["id"], "date": d}
                for p in people
                for d in p["care_requests"]
            ],
            schema={"person_id": pl.String, "date": pl.Date},
        ),
    )


@st.composite
def populations(draw: st.DrawFn, max_size: int = 12) -> Population:
    size = draw(st.integers(1, max_size))
    return build([draw(person(serial=i * 7 + 1)) for i in range(size)])
