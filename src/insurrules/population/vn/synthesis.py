"""A synthetic Vietnamese (vn-bhyt) population for demos, docs and benchmarks — not real people.

Every person is invented: personal numbers have the shape of a citizen ID (3-digit province
code, century-and-sex digit, 2-digit birth year, 6 digits) but belong to no one. The mix has the
right shape for the card rules; it is no statistical model, and the shares are approximations:

* **coverage** (calibrated): 93.9 % of persons hold a valid card on 2025-03-31 — Hà Tĩnh's
  reported coverage on 31 Mar 2025 (provincial VSS, [vn-bhyt sources][vn-bhyt-sources] §3 [HT-Q1]:
  https://vietnam.vn/en/bhxh-trien-khai-nhieu-giai-phap-de-giu-vung-ty-le-bao-phu-bao-hiem-y-te);
  Hà Tĩnh reported 93 % for 2023 (1 159 276 participants, Báo Hà Tĩnh, Jan 2024:
  https://baohatinh.vn/chinh-sach-xa-hoi/nganh-bhxh-tiep-tuc-phan-dau-tang-truong-ben-vung/260377.htm),
  the country 93.35 % at the end of 2023 (VSS via VNA:
  https://vnanet.vn/en/anh/vna-photos-1027/health-insurance-coverage-reaches-9335-of-population-7183588.html)
  and 95.2 % at the end of 2025 ([vn-bhyt sources][vn-bhyt-sources] §3). Generated with the
  defaults (100 000 persons): 93.8 % (seed 2) and 94.0 % (seed 5) insured on 2025-03-31,
  93.7 % on 2026-03-15 (seed 2). The shares of persons with no card (2 % of each age band
  from 7) and of lapsed schedules (`LAPSED`, 3 %) are the two values tuned to that figure;
* **age**: about 8 % children under 6 (state-paid from birth, R9), 2 % who turned 6 in the last
  year, 15 % aged 7-22, 60 % aged 22-62, 15 % over 62 — rounded shares, *unconfirmed* (no
  population-by-age source in [vn-bhyt sources][vn-bhyt-sources]);
* **households**: persons are grouped in households of 1-6 (mean about 3.3, *unconfirmed*; the
  2019 census mean of 3.5 is not in [vn-bhyt sources][vn-bhyt-sources]); the members who buy in
  household form buy together on one day, ranked 1, 2, 3... on the household ladder (R2), amounts
  from [`insurrules.vn.contribution`][insurrules.vn.contributions.contribution] (exact, for the base
  salary on the payment date);
* **groups** (of persons aged 6 and over, illustrative and *unconfirmed*: no published share
  of state-paid, supported or near-poor participants was found for Hà Tĩnh or the country):
  pupils and students with state support (R5, ``student``), employees whose employer buys their
  card (``employer``: the amount shown is the household first-member amount, as employer
  contributions depend on the salary), members of poor households and other fully state-paid
  groups (R4: ``poor_household``, ``ethnic_minority_difficult_area``, ``social_assistance``,
  ``meritorious``), near-poor members with support (``near_poor``, 5 % of adults), former
  poor-household members and children who turned 6 buying their first household card around
  the end of the free card (D-3 transfer, some too late: the Hà Tĩnh report names more than
  5 000 formerly supported people who had not bought a household card by January 2025, about
  0.4 % of its population), and about 2 % with no card at all;
* **renewals** (illustrative, *unconfirmed* apart from the order of magnitude: Hà Tĩnh reports
  nearly 9 000 average-living household members, about 0.7 % of its population, who had not
  renewed in January 2025): 88 % of renewals are paid a few days before the card ends; 5 % are
  1-79 days late and 4 % 84-95 days late, around the 3-month limit (D-1: the gap is not
  covered, or past the limit a new 30-day wait); 3 % come after a gap of 100-420 days (a new
  30-day wait); 3 % of schedules stopped 4 months to 3 years before ``as_of`` (lapsed cards);
* **deaths**: about 0.6 % of persons died in the two years before ``as_of``.

Card histories start no earlier than 2019-07-01 (the first base salary in the rule data, which the
amounts need) and cover about ``history_years`` years up to ``as_of``. Nothing is paid after
``as_of``.

>>> pop = synthetic_vn(1_000, seed=7)
>>> pop.row_errors.null_count() == len(pop)
True
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.parameters import RuleSet
from insurrules.population.synthetic_date import remember
from insurrules.population.vn.tables import VnPopulation
from insurrules.vn.cards import child_card_end
from insurrules.vn.contributions import contribution
from insurrules.vn.rules import default_rules

__all__ = ["PROVINCE_CODES", "synthetic_vn"]

#: Province codes of citizen IDs (the first three digits), illustrative: each is as likely.
PROVINCE_CODES: tuple[str, ...] = tuple(
    f"{c:03d}"
    for c in (
        *(1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33),
        *(34, 35, 36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66),
        *(67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96),
    )
)

#: schedules that stopped 4 months to 3 years before ``as_of`` (lapsed cards), tuned with the
#: shares of persons without any card so that 93.9 % are insured on 2025-03-31 (Hà Tĩnh)
LAPSED = 0.03

_EPOCH = dt.date(1970, 1, 1)
_FIRST_PAYMENT = (dt.date(2019, 7, 1) - _EPOCH).days  # first base salary in the rule data
_YEAR = 365.25

# person kinds
(
    _NONE,
    _CHILD,
    _HOUSEHOLD,
    _EMPLOYER,
    _STUDENT,
    _NEAR_POOR,
    _POOR,
    _ETHNIC,
    _ASSISTANCE,
    _MERITORIOUS,
    _EX_POOR,
    _AGED_OUT,
) = range(12)
_STATE_CODE = {
    _POOR: "poor_household",
    _ETHNIC: "ethnic_minority_difficult_area",
    _ASSISTANCE: "social_assistance",
    _MERITORIOUS: "meritorious",
}
#: kind shares per age band (age 6 and over), each row summing to 1; illustrative, unconfirmed
_MIX: dict[str, dict[int, float]] = {
    "school": {_STUDENT: 0.80, _HOUSEHOLD: 0.10, _POOR: 0.04, _ETHNIC: 0.04, _NONE: 0.02},
    "working": {
        _EMPLOYER: 0.32,
        _HOUSEHOLD: 0.42,
        _POOR: 0.05,
        _ETHNIC: 0.08,
        _NEAR_POOR: 0.05,
        _ASSISTANCE: 0.02,
        _MERITORIOUS: 0.01,
        _EX_POOR: 0.03,
        _NONE: 0.02,
    },
    "older": {
        _HOUSEHOLD: 0.55,
        _ASSISTANCE: 0.20,
        _MERITORIOUS: 0.08,
        _ETHNIC: 0.07,
        _NEAR_POOR: 0.05,
        _EX_POOR: 0.03,
        _NONE: 0.02,
    },
}

Ints = npt.NDArray[np.int64]


def _day(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _pick(rng: np.random.Generator, mix: dict[int, float], size: int) -> Ints:
    kinds = np.array(list(mix), dtype=np.int64)
    return kinds[rng.choice(len(kinds), size=size, p=np.array(list(mix.values())))]


def _schedules(
    rng: np.random.Generator,
    owner: Ints,
    first: Ints,
    months: Ints,
    stop: Ints,
) -> tuple[Ints, Ints, Ints]:
    """Purchase days of each schedule: ``first``, then one card length later give or take a
    renewal delay, until ``stop``. Returns (owner, day, months) of every purchase."""
    owners: list[Ints] = []
    days: list[Ints] = []
    lengths: list[Ints] = []
    cur = first.copy()
    alive = cur <= stop
    while alive.any():
        owners.append(owner[alive])
        days.append(cur[alive])
        lengths.append(months[alive])
        size = cur.size
        roll = rng.random(size)
        delay = np.where(
            roll < 0.88,
            -rng.integers(0, 25, size),  # renewed a few days before the card ends
            np.where(
                roll < 0.93,
                rng.integers(1, 80, size),  # late, well within 3 months
                np.where(
                    roll < 0.97,
                    rng.integers(84, 96, size),  # late, around the 3-month limit (D-1)
                    rng.integers(100, 420, size),  # after a longer gap: a new 30-day wait
                ),
            ),
        )
        cur = cur + np.round(months * (_YEAR / 12)).astype(np.int64) + delay
        alive = cur <= stop
    if not owners:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(owners), np.concatenate(days), np.concatenate(lengths)


def synthetic_vn(
    n: int,
    seed: int = 0,
    as_of: dt.date | str = "2026-03-15",
    *,
    history_years: int = 6,
    rules: RuleSet | None = None,
) -> VnPopulation:
    """``n`` invented persons with card histories up to ``as_of`` (see the module docstring).

    Deterministic for a ``seed``; ``rules`` (default: the rules in force) price the cards.
    """
    rule_set = rules or default_rules()
    rng = np.random.default_rng(seed)
    today = (_day(as_of) - _EPOCH).days
    start = max(_FIRST_PAYMENT, today - round(history_years * _YEAR))

    # ages and kinds
    band = rng.choice(5, size=n, p=[0.08, 0.02, 0.15, 0.60, 0.15])
    lo_age = np.array([0.0, 6.0, 7.0, 22.0, 62.0])[band]
    hi_age = np.array([6.0, 7.0, 22.0, 62.0, 95.0])[band]
    age_days = np.round((lo_age + rng.random(n) * (hi_age - lo_age)) * _YEAR).astype(np.int64)
    birth = today - np.maximum(age_days, 1)
    kind = np.full(n, _CHILD, dtype=np.int64)
    kind[band == 1] = _AGED_OUT
    for b, name in ((2, "school"), (3, "working"), (4, "older")):
        sel = band == b
        kind[sel] = _pick(rng, _MIX[name], int(sel.sum()))
    aged_out_buys = rng.random(n) < 0.8
    kind[(kind == _AGED_OUT) & ~aged_out_buys] = _NONE

    # households: consecutive persons, 1-6 members
    sizes = rng.choice(np.arange(1, 7), size=n // 2 + 1, p=[0.15, 0.20, 0.25, 0.25, 0.10, 0.05])
    household = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)[:n]

    died = rng.random(n) < 0.006
    death = np.where(died, today - rng.integers(0, 730, n), np.int64(2**40))
    death = np.maximum(death, birth)

    # -- card schedules -----------------------------------------------------------------------
    months_of = rng.choice(np.array([12, 6, 3]), size=n, p=[0.80, 0.15, 0.05])
    first = start + rng.integers(0, 400, n)
    lapsed = rng.random(n) < LAPSED
    stop = np.where(lapsed, today - rng.integers(120, 1100, n), today)
    stop = np.minimum(stop, death)

    # household form: one schedule per household, shared by its household-form members
    in_household = kind == _HOUSEHOLD
    hh_first, hh_months, hh_stop = first[household], months_of[household], stop[household]
    # ex-poor and aged-out: the free card ends on ``freed``; the first bought card comes around
    # then (before it, or within 3 months after: a D-3 transfer; some later, with a wait)
    freed = today - rng.integers(30, 1100, n)
    aged = kind == _AGED_OUT
    if aged.any():
        ends = {
            b: (child_card_end(_EPOCH + dt.timedelta(days=int(b)), rule_set) - _EPOCH).days
            for b in np.unique(birth[aged]).tolist()
        }
        freed[aged] = np.array([ends[b] for b in birth[aged].tolist()], dtype=np.int64)
    roll = rng.random(n)
    offset = np.where(
        roll < 0.6,
        -rng.integers(0, 30, n),
        np.where(roll < 0.85, rng.integers(1, 89, n), rng.integers(100, 300, n)),
    )
    transfer = (kind == _EX_POOR) | aged
    own_first = np.maximum(np.where(transfer, np.maximum(freed + offset, start), first), birth)
    own_months = np.where(kind == _EMPLOYER, 12, months_of)
    own_stop = np.where(kind == _EMPLOYER, np.minimum(today, death), stop)
    own = np.flatnonzero(
        np.isin(kind, [_EMPLOYER, _STUDENT, _NEAR_POOR, _EX_POOR, _AGED_OUT])
    ).astype(np.int64)
    heads = np.unique(household[in_household])
    h_owner, h_day, h_months = _schedules(
        rng,
        heads,
        hh_first[np.searchsorted(household, heads)],
        hh_months[np.searchsorted(household, heads)],
        hh_stop[np.searchsorted(household, heads)],
    )
    o_owner, o_day, o_months = _schedules(rng, own, own_first[own], own_months[own], own_stop[own])

    # every household-form member buys on the household's days, ranked in persons order
    members = np.flatnonzero(in_household).astype(np.int64)
    member_hh = household[members]
    rank = np.zeros(n, dtype=np.int64)
    if members.size:
        group_start = np.r_[0, np.flatnonzero(np.diff(member_hh)) + 1]
        counts = np.diff(np.r_[group_start, members.size])
        rank[members] = np.arange(members.size) - np.repeat(group_start, counts) + 1
    order = np.argsort(h_owner, kind="stable")
    h_owner, h_day, h_months = h_owner[order], h_day[order], h_months[order]
    lo = np.searchsorted(h_owner, member_hh, side="left")
    hi = np.searchsorted(h_owner, member_hh, side="right")
    reps = hi - lo
    pick = np.repeat(lo, reps) + (np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps))
    m_person = np.repeat(members, reps)
    m_day, m_months = h_day[pick], h_months[pick]
    keep = (m_day <= death[m_person]) & (m_day >= birth[m_person])
    m_person, m_day, m_months = m_person[keep], m_day[keep], m_months[keep]

    person = np.concatenate([m_person, o_owner])
    day = np.concatenate([m_day, o_day])
    months = np.concatenate([m_months, o_months])
    payer_kind = kind[person]
    payer = np.full(person.size, "household", dtype=object)
    payer[payer_kind == _EMPLOYER] = "employer"
    supported = np.isin(payer_kind, [_STUDENT, _NEAR_POOR])
    payer[supported] = "supported"
    support = np.where(payer_kind == _STUDENT, "student", "near_poor")
    paid_rank = np.where(payer_kind == _HOUSEHOLD, rank[person], 1)

    prices: dict[tuple[int, int, int, str | None], Decimal] = {}
    amounts: list[str] = []
    for d, m, r, s in zip(
        day.tolist(),
        months.tolist(),
        paid_rank.tolist(),
        np.where(supported, support, "").tolist(),
        strict=True,
    ):
        key = (d, m, r, s or None)
        price = prices.get(key)
        if price is None:
            price = prices[key] = contribution(
                _EPOCH + dt.timedelta(days=d), m, r, s or None, rules=rule_set
            )
        amounts.append(str(price))
    sort = np.lexsort((day, person))
    payments = pl.DataFrame(
        {
            "_p": person[sort],
            "paid_on": pl.Series(day[sort], dtype=pl.Int32).cast(pl.Date),
            "months": months[sort],
            "amount": pl.Series(amounts, dtype=pl.String).gather(sort),
            "payer": pl.Series(payer[sort].tolist(), dtype=pl.String),
        }
    )

    # -- memberships ---------------------------------------------------------------------------
    mem_person: list[Ints] = []
    mem_code: list[npt.NDArray[np.str_]] = []
    mem_start: list[Ints] = []
    mem_end: list[Ints] = []
    no_end = np.int64(-(2**40))
    first_paid = np.full(n, today, dtype=np.int64)
    np.minimum.at(first_paid, person, day)
    for k, code in _STATE_CODE.items():
        who = np.flatnonzero(kind == k)
        mem_person.append(who)
        mem_code.append(np.full(who.size, code))
        mem_start.append(np.maximum(birth[who], start - rng.integers(0, 2000, who.size)))
        mem_end.append(np.full(who.size, no_end))
    ex = np.flatnonzero(kind == _EX_POOR)
    mem_person.append(ex)
    mem_code.append(np.full(ex.size, "poor_household"))
    mem_start.append(np.maximum(birth[ex], np.minimum(freed[ex], start) - 1500))
    mem_end.append(freed[ex])
    for k, code in ((_STUDENT, "student"), (_NEAR_POOR, "near_poor")):
        who = np.flatnonzero(kind == k)
        mem_person.append(who)
        mem_code.append(np.full(who.size, code))
        mem_start.append(np.maximum(birth[who], np.minimum(first_paid[who], start) - 30))
        mem_end.append(np.full(who.size, no_end))
    mp = np.concatenate(mem_person)
    ms, me = np.concatenate(mem_start), np.concatenate(mem_end)
    msort = np.argsort(mp, kind="stable")
    memberships = pl.DataFrame(
        {
            "_p": mp[msort],
            "code": pl.Series(np.concatenate(mem_code)[msort].tolist(), dtype=pl.String),
            "start": pl.Series(ms[msort], dtype=pl.Int32).cast(pl.Date),
            "end": pl.Series(me[msort], dtype=pl.Int64)
            .replace(int(no_end), None)
            .cast(pl.Int32)
            .cast(pl.Date),
        }
    )

    # -- persons -------------------------------------------------------------------------------
    female = rng.random(n) < 0.5
    birth_dates = pl.Series(birth, dtype=pl.Int32).cast(pl.Date)
    year = birth_dates.dt.year().to_numpy().astype(np.int64)
    century = np.where(year >= 2000, 2, 0) + female
    serial = np.arange(n, dtype=np.int64)
    offset_p = rng.integers(0, len(PROVINCE_CODES), 10**6)
    province = (offset_p[serial % 10**6] + serial // 10**6) % len(PROVINCE_CODES)
    codes = np.array(PROVINCE_CODES)[province]
    ids = pl.Series(
        [
            f"{c}{g}{y % 100:02d}{s % 10**6:06d}"
            for c, g, y, s in zip(
                codes.tolist(), century.tolist(), year.tolist(), serial.tolist(), strict=True
            )
        ],
        dtype=pl.String,
    )
    persons = pl.DataFrame(
        {
            "id": ids,
            "birth_date": birth_dates,
            "sex": pl.Series(np.where(female, "female", "male").tolist(), dtype=pl.String),
            "death_date": pl.Series(np.where(died, death, 0), dtype=pl.Int32)
            .cast(pl.Date)
            .set(pl.Series(~died), None),
            "household_rank": pl.Series(np.where(rank > 0, rank, 0), dtype=pl.Int64).replace(
                0, None
            ),
            "household_id": pl.Series([f"H{h:07d}" for h in household.tolist()], dtype=pl.String),
            "province": pl.Series(codes.tolist(), dtype=pl.String),
        }
    )

    def with_ids(df: pl.DataFrame) -> pl.DataFrame:
        return df.select(ids.gather(df["_p"]).alias("person_id"), pl.all().exclude("_p"))

    pop = VnPopulation.from_frames(persons, with_ids(payments), with_ids(memberships))
    remember(pop, _day(as_of))
    return pop
