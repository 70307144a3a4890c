"""A synthetic Kazakhstan population for demos, docs and benchmarks — not real people.

Every person is invented (IINs are valid and agree with the invented birth date and sex, but
belong to no one). The mix is calibrated, roughly, to published figures, so that results have
the right shape; it is no statistical model:

* over 90 % of the population insured in early 2026 (Zakon.kz 30.01.2026, ">90 % insured",
  kz-sources R4.2); with the defaults the generator lands near 91 % on 2026-03-15;
* about 4.8 % of persons at welfare levels D/E (about 960 000 per 20 million; consistent with
  Almaty's 95 000 D/E residents of about 2.3 million, W12), of whom about 36 % apply for care
  in the year (Almaty: 34 000 active care users of 95 000, W12);
* age structure: about 32 % under 18 and 8 % aged 63 or more (Bureau of National Statistics,
  population by age at 01.01.2025 — approximate, unconfirmed here);
* among adults below pension age: about 64 % employees (a monthly employer deduction and the
  employee's own contribution, both on a drawn monthly income), 6 % individual
  entrepreneurs, 6 % self-payers (some paying with gaps, some stopped, some paying 12 months in
  advance after a gap), 14 % in a state-paid category (students, parents of a child under 3,
  disability, registered unemployed...), 10 % paying nothing (half with old debt); a few percent
  are in a grace period on ``as_of`` (payments for the current month arriving later in it, or
  stopped 1-3 months before);
* 98.5 % citizens; a few kandas, permanent residents, EAEU workers and temporary residents;
  0.6 % died in the two years before ``as_of``.

Histories cover ``history_months`` months (72 by default) up to the month of ``as_of``.
Amounts are those of [`insurrules.kz.contribution`][insurrules.kz.contributions.contribution] for
the payer, the month and (employer and employee) the income, in tenge with tiyn; pensions start at
[`insurrules.kz.retirement_age`][insurrules.kz.retirement.retirement_age]. Regions are an
illustrative split by population share.

[`write_extract`][insurrules.population.kz.synthesis.write_extract] writes such a population as
Parquet in the contract's own types (months ``"2025-06"``, amounts ``"19126.02"``, payers and ids as
text, dates as dates), as a fund's extract would come, persons in chunks so that millions fit in
little memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.errors import RulesError
from insurrules.kz.contributions import contribution
from insurrules.kz.iin import CENTURY_SEX
from insurrules.kz.iin_columns import check_digits
from insurrules.kz.params import kz_params
from insurrules.kz.retirement import retirement_age
from insurrules.kz.rules import default_rules
from insurrules.population.kz.tables import PAYERS, Population
from insurrules.population.synthetic_date import remember

__all__ = ["REGIONS", "synthetic", "write_extract"]

#: Regions with their approximate share of the population (illustrative).
REGIONS: dict[str, float] = {
    "Almaty city": 0.117,
    "Astana": 0.073,
    "Shymkent": 0.061,
    "Turkistan": 0.107,
    "Almaty region": 0.077,
    "Zhetisu": 0.035,
    "Zhambyl": 0.060,
    "Kyzylorda": 0.041,
    "Aktobe": 0.047,
    "Atyrau": 0.035,
    "Mangystau": 0.039,
    "West Kazakhstan": 0.035,
    "Karaganda": 0.055,
    "Ulytau": 0.011,
    "Kostanay": 0.041,
    "North Kazakhstan": 0.027,
    "Akmola": 0.038,
    "Pavlodar": 0.037,
    "East Kazakhstan": 0.036,
    "Abai": 0.030,
    "unknown": 0.058,
}

#: the IIN's 7th digit of (century, sex) (kz/iin.py)
_DIGIT7 = {(c, sex): int(d) for d, (c, sex) in CENTURY_SEX.items()}
_EPOCH = np.datetime64("1970-01-01", "D")
_SLICE = 1 << 20  # random draws per slice

Ints = npt.NDArray[np.int64]
Signed = npt.NDArray[np.signedinteger[Any]]
Floats = list[float] | npt.NDArray[np.float64]


def _month_of(days: npt.NDArray[np.datetime64]) -> Ints:
    m = days.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    return m + 1970 * 12


def _first_day(month: Ints) -> npt.NDArray[np.datetime64]:
    return (month - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")


def _iins(birth: npt.NDArray[np.datetime64], male: npt.NDArray[np.bool_]) -> pl.Series:
    """Valid IINs: YYMMDD, century/sex digit, a serial, and the two-pass mod-11 check digit."""
    n = birth.shape[0]
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    month = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    century = year // 100 * 100
    d7 = np.zeros(n, dtype=np.int64)
    for (start, sex), digit in _DIGIT7.items():
        d7[(century == start) & (male == (sex == "male"))] = digit
    # serials: distinct within each (birth date, sex), so that every IIN is unique
    key = (birth - _EPOCH).astype(np.int64) * 2 + male
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    first = np.searchsorted(sorted_key, sorted_key, side="left")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - first
    offset = (key * 2654435761) % 997  # a little variety in the serials, one per group
    serial = (2 * rank + 2 * offset) % 10_000
    yy = year % 100
    head = np.stack(
        [yy // 10, yy % 10, month // 10, month % 10, day // 10, day % 10, d7], axis=1
    ).astype(np.int64)
    check = np.full(n, -1, dtype=np.int64)
    todo = np.arange(n)
    while todo.size:
        s = serial[todo]
        tail = np.stack([s // 1000, s // 100 % 10, s // 10 % 10, s % 10], axis=1)
        check[todo] = check_digits(np.concatenate([head[todo], tail], axis=1))
        todo = todo[check[todo] < 0]
        # no valid number with this serial: take the odd one next to it (never another's)
        serial[todo] = (serial[todo] + 1) % 10_000
    number = ((yy * 100 + month) * 100 + day) * 1_000_000 + d7 * 100_000 + serial * 10 + check
    if pl.Series(number).is_duplicated().any():  # pragma: no cover - > 5 000 per birth day
        raise ValueError("synthetic: too many persons per birth date and sex for unique IINs")
    ids = pl.Series("id", number).cast(pl.String).str.zfill(12)
    return ids


def _dates(days: npt.NDArray[np.datetime64]) -> pl.Series:
    missing = np.isnat(days)
    values = np.where(missing, 0, (days - _EPOCH).astype(np.int64)).astype(np.int32)
    out = pl.Series(values).cast(pl.Date)
    return out.scatter(np.flatnonzero(missing), None) if missing.any() else out


def _pick(rng: np.random.Generator, labels: list[str], size: int, p: Floats) -> pl.Series:
    """``rng.choice(labels, size, p=p)`` (the same draws) as a text column, without numpy text."""
    return pl.Series(labels, dtype=pl.String).gather(rng.choice(len(labels), size=size, p=p))


def _below(rng: np.random.Generator, size: int, p: float) -> npt.NDArray[np.bool_]:
    """``rng.random(size) < p`` without the whole float array: the same draws, in slices."""
    out = np.empty(size, dtype=np.bool_)
    buf = np.empty(min(size, _SLICE))
    for lo in range(0, size, _SLICE):
        part = buf[: min(_SLICE, size - lo)]
        rng.random(out=part)
        np.less(part, p, out=out[lo : lo + part.size])
    return out


def _payments(
    rng: np.random.Generator,
    income: Ints,
    start: Ints,
    end: Ints,
    has_pay: npt.NDArray[np.bool_],
    pattern: Ints,
    payer_code: Ints,
    prepay: npt.NDArray[np.bool_],
    birth: npt.NDArray[np.datetime64],
    m0: int,
) -> dict[str, npt.NDArray[Any]]:
    """One record per month paid for, from each payer's ``start`` to ``end`` month (employees:
    the employer's and their own), as columns: person row, month index, day paid, payer code,
    amount in tiyn.

    Payment tables are some 50 times the persons, so every column is built once as a compact
    integer array (days since 1970 for dates), temporaries are dropped as soon as they are
    used, and per-person values are looked up by row; random draws are those of whole-table
    calls, in the same order, so a seed gives the same tables.
    """
    who = np.flatnonzero(has_pay)
    counts = end[who] - start[who] + 1
    total = int(counts.sum())
    small: type[np.signedinteger[Any]] = np.int32 if total < 2**31 - 2**24 else np.int64
    rows_all: Signed = np.repeat(who.astype(small), counts)
    # the month of a record is its person's start plus its position in the person's run
    months_all: Signed = np.arange(total, dtype=small)
    months_all += np.repeat((start[who] - (np.cumsum(counts) - counts)).astype(small), counts)
    del who, counts
    gappy = _below(rng, total, 0.2)
    gappy &= ((pattern == 3) & (payer_code == 2))[rows_all]
    # prepayers left a gap (debt) before paying 12 months ahead: the prepaid route covers them
    gappy |= prepay[rows_all] & (months_all >= m0 - 14) & (months_all <= m0 - 6)
    keep = ~gappy
    del gappy
    rows = rows_all[keep].astype(np.int64)
    months = months_all[keep]
    del rows_all, months_all, keep
    size = rows.size

    # most payments for a month arrive early in that month; some later in it
    early = _below(rng, size, 0.85)
    arrive = rng.integers(0, 10, size).astype(np.int32)
    np.copyto(arrive, rng.integers(10, 28, size), where=~early, casting="unsafe")
    del early
    lo = min(int(start.min(initial=m0)), m0 - 5)
    hi = max(int(months.max(initial=m0)), m0)
    first_day = (_first_day(np.arange(lo, hi + 1)) - _EPOCH).astype(np.int32)
    month_day = first_day[months - lo]
    paid_on = arrive
    paid_on += month_day
    prepaid = np.flatnonzero(prepay[rows] & (months >= m0 - 5))
    # all prepaid months arrived in one payment, five days before the first of them
    paid_on[prepaid] = first_day[np.maximum(m0 - 5, start[rows[prepaid]]) - lo] - 5
    del prepaid, month_day
    birth_day = (birth - _EPOCH).astype(np.int32)
    np.maximum(paid_on, birth_day[rows], out=paid_on)
    payer_of_role = np.array(
        [PAYERS.index(p) for p in ("employer", "entrepreneur", "self")], dtype=np.int8
    )
    payer = payer_of_role[payer_code][rows]
    month_of = months.astype(np.int64)
    del months
    # employees: the employer's deduction and the employee's own contribution, month by month
    employed = np.flatnonzero(payer == PAYERS.index("employer"))
    rows = np.concatenate([rows, rows[employed]])
    month_of = np.concatenate([month_of, month_of[employed]])
    paid_on = np.concatenate([paid_on, paid_on[employed]])
    payer = np.concatenate([payer, np.full(employed.size, PAYERS.index("employee"), np.int8)])
    # records by person, then month, then payer (the usual layout of an extract)
    order = np.lexsort((payer, month_of, rows))
    rows, month_of, paid_on, payer = rows[order], month_of[order], paid_on[order], payer[order]
    cents = _amounts(month_of, payer, income[rows])
    return {"rows": rows, "month": month_of, "paid_on": paid_on, "payer": payer, "cents": cents}


#: kz.contribution's payer of each payer code that pays on income or a fixed amount
_CONTRIBUTOR = {"employer": "employer", "employee": "employee", "self": "self"}
_CONTRIBUTOR["entrepreneur"] = "entrepreneur"


def _month_amounts(months: Ints) -> dict[str, tuple[npt.NDArray[np.float64], Ints]]:
    """Per payer, per month of ``months``: the rate on income (or 0) and the cap or fixed amount
    in tiyn, from [`insurrules.kz.contribution`][insurrules.kz.contributions.contribution] (a month
    without data takes the nearest month's)."""
    distinct = np.unique(months)
    out: dict[str, tuple[npt.NDArray[np.float64], Ints]] = {}
    for payer in _CONTRIBUTOR:
        rate = np.full(distinct.size, np.nan)
        fixed = np.zeros(distinct.size, dtype=np.int64)
        for i, m in enumerate(distinct.tolist()):
            month = f"{m // 12:04d}-{m % 12 + 1:02d}"
            try:
                if payer in ("employer", "employee"):
                    r = contribution(payer, month, income=1)  # type: ignore[arg-type]
                    top = contribution(payer, month, income=10**12)  # type: ignore[arg-type]
                    rate[i] = float(r)
                    fixed[i] = int(top / r * 100) if r else 0  # the cap on income, in tiyn
                else:
                    fixed[i] = int(contribution(payer, month) * 100)  # type: ignore[arg-type]
                    rate[i] = 0.0
            except (RulesError, AssertionError):
                continue  # no data for the month: filled from the nearest month below
        known = np.flatnonzero(~np.isnan(rate))
        if known.size == 0:  # pragma: no cover - the parameters cover the scheme's years
            raise ValueError(f"synthetic: no contribution amounts for {payer}")
        nearest = known[
            np.clip(np.searchsorted(known, np.arange(distinct.size)), 0, known.size - 1)
        ]
        out[payer] = (rate[nearest], fixed[nearest])
    return {p: (r, f) for p, (r, f) in out.items()} | {
        "_months": (distinct.astype(float), distinct)
    }


def _amounts(months: Ints, payer: npt.NDArray[np.int8], income: Ints) -> Ints:
    """Each record's amount in tiyn: the payer's contribution for the month (on the income)."""
    table = _month_amounts(months)
    at = np.searchsorted(table["_months"][1], months)
    cents = np.zeros(months.size, dtype=np.int64)
    for name in _CONTRIBUTOR:
        mine = np.flatnonzero(payer == PAYERS.index(name))
        rate, fixed = table[name]
        if name in ("employer", "employee"):
            base = np.minimum(income[mine] * 100, fixed[at[mine]])  # income capped, in tiyn
            cents[mine] = np.rint(base * rate[at[mine]]).astype(np.int64)
        else:
            cents[mine] = fixed[at[mine]]
    return cents


def _payment_frame(
    columns: dict[str, npt.NDArray[Any]], ids: pl.Series, text: bool
) -> pl.DataFrame:
    """The payments table, in native types (dates, decimals, a payer enum) or the contract's
    text (``"2025-06"``, ``"19126.02"``, payer names)."""
    rows = pl.Series(columns["rows"].astype(np.uint32))
    month = columns["month"]
    paid = pl.Series("paid_on", columns["paid_on"].astype(np.int32)).cast(pl.Date)
    cents = pl.Series(columns["cents"])
    if text:
        lo = int(month.min()) if month.size else 0
        names = pl.Series(
            [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(lo, int(month.max(initial=lo)) + 1)]
        )
        month_col = names.gather(pl.Series((month - lo).astype(np.uint32))).alias("month")
        amount = pl.select(
            pl.concat_str(
                [
                    (cents // 100).cast(pl.String),
                    pl.lit("."),
                    (cents % 100).cast(pl.String).str.zfill(2),
                ]
            ).alias("amount")
        ).to_series()
        payer = pl.Series(PAYERS, dtype=pl.String).gather(
            pl.Series(columns["payer"].astype(np.uint32))
        )
    else:
        first = (month - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")
        month_col = pl.Series("month", (first - _EPOCH).astype(np.int32)).cast(pl.Date)
        amount = (cents.cast(pl.Decimal(14, 2)) / 100).cast(pl.Decimal(14, 2)).alias("amount")
        payer = pl.Series(PAYERS, dtype=pl.Enum(PAYERS)).gather(
            pl.Series(columns["payer"].astype(np.uint32))
        )
    return pl.DataFrame(
        [ids.gather(rows).alias("person_id"), month_col, paid, amount, payer.alias("payer")]
    )


def _draw(n: int, seed: int, as_of: dt.date | str, history_months: int) -> _Drawn:
    """Everything but the payment records, and what the payment records are drawn from."""
    day = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(as_of)
    rng = np.random.default_rng(seed)
    today = np.datetime64(day, "D")
    m0 = day.year * 12 + day.month - 1
    first_m = max(m0 - history_months + 1, kz_params(default_rules()).first_contribution_month)

    # -- persons ---------------------------------------------------------------------------
    band = rng.choice(3, size=n, p=[0.32, 0.60, 0.08])
    lo_age = np.array([0.0, 18.0, 63.0])[band]
    hi_age = np.array([18.0, 63.0, 90.0])[band]
    age_years = lo_age + rng.random(n) * (hi_age - lo_age)
    birth = today - (age_years * 365.25).astype(np.int64).astype("timedelta64[D]") - 1
    birth = np.maximum(birth, np.datetime64("1925-01-01"))
    male = rng.random(n) < 0.49
    birth_m = _month_of(birth)
    adult_m = birth_m + 18 * 12
    residency = _pick(
        rng,
        ["citizen", "kandas", "permanent_resident", "eaeu_worker", "temporary_resident"],
        n,
        [0.985, 0.007, 0.004, 0.002, 0.002],
    )
    dies = (rng.random(n) < 0.006 * (1 + 4 * (band == 2))) & (band > 0)
    death = np.where(
        dies, today - rng.integers(1, 730, n).astype("timedelta64[D]"), np.datetime64("NaT")
    )
    death = np.where(dies & (death < birth), birth, death)
    region = _pick(rng, list(REGIONS), n, np.array(list(REGIONS.values())) / sum(REGIONS.values()))

    # -- roles of adults below pension age --------------------------------------------------
    working_age = band == 1
    role = np.where(
        working_age,
        rng.choice(5, size=n, p=[0.64, 0.06, 0.06, 0.14, 0.10]),
        -1,
    )  # 0 employee, 1 entrepreneur, 2 self-payer, 3 state category, 4 pays nothing
    pattern = rng.choice(5, size=n, p=[0.84, 0.05, 0.04, 0.04, 0.03])
    # 0 steady, 1 stopped 1-3 months ago (grace), 2 stopped 4-30 months ago, 3 gaps, 4 prepaid
    start = np.maximum(first_m, adult_m)
    late_start = rng.random(n) < 0.08
    start = np.where(late_start, start + rng.integers(0, history_months, n), start)
    end = np.full(n, m0, dtype=np.int64)
    end = np.where(pattern == 1, m0 - rng.integers(1, 4, n), end)
    end = np.where(pattern == 2, m0 - rng.integers(4, 31, n), end)
    pays = (role >= 0) & (role <= 2)
    # some who pay nothing now paid once and left debt behind
    old_payer = (role == 4) & (rng.random(n) < 0.5)
    end = np.where(old_payer, m0 - rng.integers(7, 60, n), end)
    start = np.where(old_payer, np.minimum(start, end - rng.integers(1, 24, n)), start)
    start = np.maximum(start, np.maximum(first_m, adult_m))
    prepay = pays & (role >= 1) & (pattern == 4)
    end = np.where(prepay, m0 + rng.integers(6, 12, n), end)
    has_pay = (pays | old_payer) & (end >= start)
    payer_code = np.where(old_payer, 2, np.clip(role, 0, 2))

    ids = _iins(birth, male)
    # a monthly income for employees (tenge; the employer's and employee's base)
    income = np.exp(rng.normal(np.log(350_000), 0.6, n)).astype(np.int64)

    # -- state categories ------------------------------------------------------------------
    codes: list[npt.NDArray[np.str_]] = []
    m_rows: list[Ints] = []
    m_start: list[npt.NDArray[np.datetime64]] = []
    m_end: list[npt.NDArray[np.datetime64]] = []
    state = np.flatnonzero(role == 3)
    age = age_years[state]
    female = ~male[state]
    pick = np.where(
        age < 23,
        rng.choice(["full_time_student", "disability"], size=state.size, p=[0.9, 0.1]),
        np.where(
            female & (age < 42),
            rng.choice(
                [
                    "parent_of_child_under_3",
                    "maternity_or_childcare_leave",
                    "pregnant_non_working",
                    "disability",
                ],
                size=state.size,
                p=[0.55, 0.25, 0.1, 0.1],
            ),
            rng.choice(
                [
                    "disability",
                    "registered_unemployed",
                    "carer_of_group1_disabled",
                    "mother_heroine_award",
                ],
                size=state.size,
                p=[0.5, 0.3, 0.1, 0.1],
            ),
        ),
    )
    pick = np.where((pick == "mother_heroine_award") & ~female, "disability", pick)
    st_start = np.maximum(
        today - rng.integers(30, 2000, state.size).astype("timedelta64[D]"),
        birth[state] + np.timedelta64(18 * 366, "D"),
    )
    st_start = np.minimum(st_start, today)
    open_end = np.isin(pick, ["disability", "mother_heroine_award", "carer_of_group1_disabled"])
    st_end = np.where(
        open_end,
        np.datetime64("NaT"),
        today + rng.integers(-60, 900, state.size).astype("timedelta64[D]"),
    )
    st_end = np.where(~open_end & (st_end < st_start), st_start + np.timedelta64(180, "D"), st_end)
    codes.append(pick)
    m_rows.append(state)
    m_start.append(st_start)
    m_end.append(st_end)
    # pensions from the general retirement age (R6.4, kz.retirement_age)
    old = np.flatnonzero((band == 2) & (rng.random(n) < 0.97))
    pension_start = _retirement_days(birth[old], male[old])
    codes.append(np.full(old.size, "pension_recipient"))
    m_rows.append(old)
    m_start.append(np.minimum(pension_start, today))
    m_end.append(np.full(old.size, np.datetime64("NaT"), dtype="datetime64[D]"))
    mem_rows = np.concatenate(m_rows)
    memberships = pl.DataFrame(
        {
            "person_id": ids.gather(mem_rows),
            "code": pl.Series(np.concatenate(codes), dtype=pl.String),
            "start": _dates(np.concatenate(m_start)),
            "end": _dates(np.concatenate(m_end).astype("datetime64[D]")),
        }
    )

    # -- welfare levels D/E and care requests -------------------------------------------------
    # D/E falls mostly on people without work income: those paying nothing are most likely
    p_de = np.where(role == 4, 0.20, np.where(role == 3, 0.06, 0.035))
    p_de = np.where(band == 1, p_de, 0.045)
    de = rng.random(n) < p_de * 0.93
    de_rows = np.flatnonzero(de)
    level_start = np.maximum(
        np.datetime64("2025-01-01") + rng.integers(0, 420, de_rows.size).astype("timedelta64[D]"),
        birth[de_rows],
    )
    level_start = np.minimum(level_start, today)
    welfare_levels = pl.DataFrame(
        {
            "person_id": ids.gather(de_rows),
            "level": pl.Series(
                rng.choice(["D", "E"], size=de_rows.size, p=[0.8, 0.2]), dtype=pl.String
            ),
            "start": _dates(level_start),
            "end": pl.Series([None] * de_rows.size, dtype=pl.Date),
        }
    )
    applies = de_rows[rng.random(de_rows.size) < 0.36]
    year_start = np.datetime64(dt.date(day.year, 1, 1), "D")
    span = max(int((today - year_start).astype(np.int64)), 1)
    request = year_start + rng.integers(0, span, applies.size).astype("timedelta64[D]")
    request = np.maximum(request, level_start[np.searchsorted(de_rows, applies)])
    care_requests = pl.DataFrame({"person_id": ids.gather(applies), "date": _dates(request)})

    persons = pl.DataFrame(
        {
            "id": ids,
            "birth_date": _dates(birth),
            "sex": pl.Series(["female", "male"]).gather(male.astype(np.uint32)),
            "death_date": _dates(death.astype("datetime64[D]")),
            "residency": residency,
            "region": region,
        }
    )
    return _Drawn(
        persons=persons,
        memberships=memberships,
        welfare_levels=welfare_levels,
        care_requests=care_requests,
        rng=rng,
        ids=ids,
        income=income,
        start=start,
        end=end,
        has_pay=has_pay,
        pattern=pattern,
        payer_code=payer_code,
        prepay=prepay,
        birth=birth,
        m0=m0,
    )


def _retirement_days(
    birth: npt.NDArray[np.datetime64], male: npt.NDArray[np.bool_]
) -> npt.NDArray[np.datetime64]:
    """The day each person reaches the general retirement age (kz.retirement_age, R6.4)."""
    months = np.empty(birth.size, dtype=np.int64)
    key = birth.astype("datetime64[M]").astype(np.int64) * 2 + male
    for k in np.unique(key).tolist():
        m = k // 2
        day = dt.date(1970 + m // 12, m % 12 + 1, 1)
        age = retirement_age("male" if k % 2 else "female", day)
        months[key == k] = age.years * 12 + age.months
    born_m = birth.astype("datetime64[M]")
    offset = birth - born_m.astype("datetime64[D]")
    reached: npt.NDArray[np.datetime64] = (born_m + months.astype("timedelta64[M]")).astype(
        "datetime64[D]"
    ) + offset
    return reached


@dataclass
class _Drawn:
    persons: pl.DataFrame
    memberships: pl.DataFrame
    welfare_levels: pl.DataFrame
    care_requests: pl.DataFrame
    rng: np.random.Generator
    ids: pl.Series
    income: Ints
    start: Ints
    end: Ints
    has_pay: npt.NDArray[np.bool_]
    pattern: Ints
    payer_code: Ints
    prepay: npt.NDArray[np.bool_]
    birth: npt.NDArray[np.datetime64]
    m0: int

    def payments(self, lo: int = 0, hi: int | None = None, text: bool = False) -> pl.DataFrame:
        """The payment records of persons ``lo:hi`` (drawn now, from the same generator)."""
        part = slice(lo, hi)
        columns = _payments(
            self.rng,
            self.income[part],
            self.start[part],
            self.end[part],
            self.has_pay[part],
            self.pattern[part],
            self.payer_code[part],
            self.prepay[part],
            self.birth[part],
            self.m0,
        )
        return _payment_frame(columns, self.ids[part], text)


def synthetic(
    n: int,
    seed: int = 0,
    as_of: dt.date | str = "2026-03-15",
    history_months: int = 72,
    *,
    text: bool = False,
) -> Population:
    """A synthetic kz-osms population of ``n`` persons (see the module docstring).

    Deterministic for a given ``seed``; vectorised (a million persons in a few seconds).
    ``text``: payments in the contract's text types (months ``"2025-06"``, amounts
    ``"19126.02"``, payer names) instead of dates, decimals and an enum.
    """
    drawn = _draw(n, seed, as_of, history_months)
    pop = Population(
        persons=drawn.persons,
        payments=drawn.payments(text=text),
        memberships=drawn.memberships,
        welfare_levels=drawn.welfare_levels,
        care_requests=drawn.care_requests,
    )
    remember(pop, as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(as_of))
    return pop


def write_extract(
    directory: str | Path,
    n: int,
    seed: int = 0,
    as_of: dt.date | str = "2026-03-15",
    history_months: int = 72,
    *,
    text: bool = True,
    chunk: int = 250_000,
) -> Path:
    """Write a synthetic population of ``n`` persons as a Parquet extract in ``directory``
    (``persons.parquet``, ``payments.parquet``...), in the contract's text types unless
    ``text=False``. Payments are drawn and written ``chunk`` persons at a time (a row group
    each), so that millions of persons need little memory.

    >>> import tempfile
    >>> from insurrules.population import Population, evaluate
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     pop = Population.from_parquet(write_extract(tmp, 300, seed=1))
    ...     print(pop.sources["payments"].schema["month"], evaluate(pop, "2026-03-15").height)
    String 300
    """
    import pyarrow.parquet as pq

    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    drawn = _draw(n, seed, as_of, history_months)
    for name in ("persons", "memberships", "welfare_levels", "care_requests"):
        getattr(drawn, name).write_parquet(root / f"{name}.parquet")
    writer: Any = None
    try:
        for lo in range(0, max(n, 1), chunk):
            table = drawn.payments(lo, min(lo + chunk, n), text=text).to_arrow()
            if text:
                table = table.cast(_plain_strings(table.schema))
            if writer is None:
                writer = pq.ParquetWriter(root / "payments.parquet", table.schema)
            writer.write_table(table, row_group_size=1 << 20)
    finally:
        if writer is not None:
            writer.close()
    return root


def _plain_strings(schema: Any) -> Any:
    """The schema with text as plain Arrow strings (what most tools write)."""
    import pyarrow as pa

    return pa.schema(
        [
            pa.field(f.name, pa.string())
            if pa.types.is_large_string(f.type) or pa.types.is_string_view(f.type)
            else f
            for f in schema
        ]
    )
