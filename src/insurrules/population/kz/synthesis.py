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
* among adults below pension age: about 64 % employees (monthly employer deductions; the
  employee's own contribution is not generated, it changes no status), 6 % individual
  entrepreneurs, 6 % self-payers (some paying with gaps, some stopped, some paying 12 months in
  advance after a gap), 14 % in a state-paid category (students, parents of a child under 3,
  disability, registered unemployed...), 10 % paying nothing (half with old debt); a few percent
  are in a grace period on ``as_of`` (payments for the current month arriving later in it, or
  stopped 1-3 months before);
* 98.5 % citizens; a few kandas, permanent residents, EAEU workers and temporary residents;
  0.6 % died in the two years before ``as_of``.

Histories cover ``history_months`` months (72 by default) up to the month of ``as_of``.
Amounts are whole tenge; regions are an illustrative split by population share.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.population.kz.tables import PAYERS, Population
from insurrules.population.synthetic_date import remember

__all__ = ["REGIONS", "synthetic"]

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

_W1 = np.arange(1, 12)
_W2 = np.array([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])
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
    century = np.where(year >= 2000, 5, 3) - np.where(year < 1900, 2, 0)
    d7 = century + np.where(male, 0, 1)
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
    # weighted digit sums of the two passes: date and century/sex digits, then the serial's
    head = (yy // 10, yy % 10, month // 10, month % 10, day // 10, day % 10, d7)
    head1 = sum(int(w) * d for w, d in zip(_W1[:7], head, strict=True))
    head2 = sum(int(w) * d for w, d in zip(_W2[:7], head, strict=True))
    check = np.full(n, -1, dtype=np.int64)
    todo = np.arange(n)
    while todo.size:
        s = serial[todo]
        tail = (s // 1000, s // 100 % 10, s // 10 % 10, s % 10)
        r1 = (head1[todo] + sum(int(w) * d for w, d in zip(_W1[7:], tail, strict=True))) % 11
        r2 = (head2[todo] + sum(int(w) * d for w, d in zip(_W2[7:], tail, strict=True))) % 11
        c = np.where(r1 != 10, r1, np.where(r2 != 10, r2, -1))
        check[todo] = c
        todo = todo[c < 0]
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
    ids: pl.Series,
    start: Ints,
    end: Ints,
    has_pay: npt.NDArray[np.bool_],
    pattern: Ints,
    payer_code: Ints,
    prepay: npt.NDArray[np.bool_],
    birth: npt.NDArray[np.datetime64],
    m0: int,
) -> tuple[pl.DataFrame, Ints]:
    """One row per month paid for, from each payer's ``start`` to ``end`` month.

    Payment tables are some 30 times the persons, so every column is built once as a compact
    integer array (days since 1970 for dates), temporaries are dropped as soon as they are
    used, and per-person values are looked up by row; random draws are those of whole-table
    calls, in the same order, so a seed gives the same tables as ever.
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
    del months
    # all prepaid months arrived in one payment, five days before the first of them
    paid_on[prepaid] = first_day[np.maximum(m0 - 5, start[rows[prepaid]]) - lo] - 5
    del prepaid
    birth_day = (birth - _EPOCH).astype(np.int32)
    np.maximum(paid_on, birth_day[rows], out=paid_on)
    payer_of_role = np.array(
        [PAYERS.index(p) for p in ("employer", "entrepreneur", "self")], dtype=np.uint8
    )
    payer_of_person = payer_of_role[payer_code]
    payer = payer_of_person[rows]
    amount = rng.integers(850, 9000, size)
    amount *= 3
    amount[payer == PAYERS.index("entrepreneur")] = 5950
    amount[(payer != PAYERS.index("employer")) & (payer != PAYERS.index("entrepreneur"))] = 4250

    # numeric columns share the arrays' memory; the id column (the largest) comes last
    month = pl.Series("month", month_day).cast(pl.Date)
    del month_day
    paid = pl.Series("paid_on", paid_on).cast(pl.Date)
    del paid_on
    del payer
    # person id and payer of each record: one gather of a per-person frame by record row
    kinds = pl.Series(PAYERS, dtype=pl.Enum(PAYERS)).gather(payer_of_person)
    per_person = pl.DataFrame({"person_id": ids, "payer": kinds})
    index = pl.Series(rows.astype(np.uint32))  # polars gathers by UInt32 row numbers
    gathered = per_person.select(pl.all().gather(index))
    del index
    payments = pl.DataFrame(
        [gathered["person_id"], month, paid, pl.Series("amount", amount), gathered["payer"]]
    )
    return payments, rows


def synthetic(
    n: int,
    seed: int = 0,
    as_of: dt.date | str = "2026-03-15",
    history_months: int = 72,
) -> Population:
    """A synthetic kz-osms population of ``n`` persons (see the module docstring).

    Deterministic for a given ``seed``; vectorised (a million persons in a few seconds).
    """
    day = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(as_of)
    rng = np.random.default_rng(seed)
    today = np.datetime64(day, "D")
    m0 = day.year * 12 + day.month - 1
    first_m = max(m0 - history_months + 1, 2017 * 12 + 6)

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
    payments, rows = _payments(
        rng, ids, start, end, has_pay, pattern, payer_code, prepay, birth, m0
    )

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
    # pensions from the general retirement age (R6.4: 63 men; 61 women, simplified)
    old = np.flatnonzero((band == 2) & (rng.random(n) < 0.97))
    ret_age = np.where(male[old], 63, 61)
    pension_start = birth[old] + (ret_age * 365.25).astype(np.int64).astype("timedelta64[D]")
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
    pop = Population(
        persons=persons,
        payments=payments,
        memberships=memberships,
        welfare_levels=welfare_levels,
        care_requests=care_requests,
    )
    pop.cache["rows"] = {
        "payments": rows,
        "memberships": mem_rows,
        "welfare_levels": de_rows,
        "care_requests": applies,
    }
    remember(pop, day)
    return pop
