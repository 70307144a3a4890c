"""Synthetic claims beside the synthetic population, with a known share of each anomaly.

SYNTHETIC DATA: no real claim, patient or provider is behind these rows. Service codes, prices
and providers are invented; the mix (insured persons billed to OSMS or to the guaranteed
package, uninsured persons to the guaranteed package only) follows the two funding sources.

A clean claim is one that screening must pass: a real person of the population, a service date
in their lifetime, funding ``osms`` only on days the rules say they were insured, at most one
claim per person, service code and day. Anomalies are then injected at the requested rates,
each into claims that are otherwise clean, so that the expected flags of every row are known
exactly (`SyntheticClaims.expected`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import polars as pl

from insurrules.claims.insurance import insured_status
from insurrules.claims.people import person_table
from insurrules.claims.schema import AMOUNT_DTYPE
from insurrules.claims.screen import FLAGS
from insurrules.kz.iin_columns import iin_valid
from insurrules.parameters import RuleSet

__all__ = ["ANOMALIES", "DEFAULT_RATES", "SyntheticClaims", "synthetic_claims"]

#: the anomalies that can be injected, named after the flag they must raise
ANOMALIES: Final[tuple[str, ...]] = FLAGS

#: share of claims carrying each anomaly by default (invented, for demos and benchmarks)
DEFAULT_RATES: Final[dict[str, float]] = {
    "invalid": 0.0005,
    "unknown_person": 0.002,
    "before_birth": 0.0005,
    "deceased": 0.001,
    "not_insured": 0.003,
    "duplicate": 0.003,
    "double_financed": 0.002,
}

#: invented service codes and prices (tenge)
_SERVICES: Final[dict[str, str]] = {
    "A01.001": "2500.00",
    "A01.002": "4200.00",
    "A02.010": "7850.50",
    "B03.016": "1320.00",
    "B03.027": "960.75",
    "C05.100": "15400.00",
    "D11.200": "38900.00",
    "E07.300": "121500.00",
}
_OSMS_SHARE = 0.7  # of the insured's claims; the rest use the guaranteed package


@dataclass(frozen=True)
class SyntheticClaims:
    """A claims table and, row by row, the anomaly injected and the flags screening must raise.

    ``expected`` has one row per claim in the same order: ``anomaly`` (null for a clean claim, or
    the anomaly injected into or copied from this claim) and ``flags`` (sorted like
    [`FLAGS`][insurrules.claims.screen.FLAGS]).
    """

    claims: pl.DataFrame
    expected: pl.DataFrame

    def __repr__(self) -> str:  # the tables themselves: .claims, .expected
        injected = int(self.expected["anomaly"].is_not_null().sum())
        return f"SyntheticClaims({self.claims.height:,} claims, {injected:,} with an anomaly)"

    def counts(self) -> dict[str, int]:
        """How many claims must carry each flag."""
        exploded = self.expected.select(pl.col("flags").explode()).drop_nulls()
        found = exploded.group_by("flags").len()
        out = dict.fromkeys(ANOMALIES, 0)
        out.update({flag: int(n) for flag, n in found.iter_rows()})
        return out


def _dates_between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    span = (hi - lo).astype(np.int64) + 1
    out: np.ndarray = lo + (rng.random(lo.shape[0]) * span).astype(np.int64)
    return out


def synthetic_claims(
    population: Any,
    n: int,
    seed: int = 0,
    *,
    start: dt.date = dt.date(2025, 1, 1),
    end: dt.date = dt.date(2025, 12, 31),
    anomaly_rates: dict[str, float] | None = None,
    providers: int = 500,
    rules: RuleSet | None = None,
) -> SyntheticClaims:
    """About ``n`` claims for services between ``start`` and ``end`` (deterministic for ``seed``).

    ``anomaly_rates`` maps each of [`ANOMALIES`][insurrules.claims.synthetic.ANOMALIES] to the share
    of claims carrying it (default [`DEFAULT_RATES`][insurrules.claims.synthetic.DEFAULT_RATES];
    ``{}`` or zeros give a clean set). A rate that the population cannot supply (no deceased person,
    nobody uninsured) yields fewer anomalies; ``expected`` always tells what was really injected.
    """
    rates = dict(DEFAULT_RATES if anomaly_rates is None else anomaly_rates)
    unknown = set(rates) - set(ANOMALIES)
    if unknown:
        raise ValueError(f"anomaly_rates: unknown anomalies {sorted(unknown)}; known: {ANOMALIES}")
    if any(not 0 <= r <= 1 for r in rates.values()):
        raise ValueError("anomaly_rates: each rate must be between 0 and 1")
    if start > end:
        raise ValueError(f"start: {start} is after end {end}")
    want = {a: round(rates.get(a, 0.0) * n) for a in ANOMALIES}
    rng = np.random.default_rng(seed)

    people = person_table(population).with_columns(iin_valid("person_id").alias("ok"))
    eligible = people.filter(
        pl.col("ok")
        & (pl.col("birth_date") <= end)
        & (pl.col("death_date").is_null() | (pl.col("death_date") >= start))
    )
    if eligible.height == 0:
        raise ValueError("population: nobody with a valid IIN alive between start and end")
    copies = want["duplicate"] // 2 + want["double_financed"] // 2
    n_clean = max(n - copies, 0)
    clean = _clean(rng, eligible, n_clean, start, end, providers)
    status = insured_status(
        population,
        clean.select("person_id", "service_date").unique(),
        rules,
        reasons=False,
    )
    clean = clean.join(
        status.select("person_id", "service_date", "insured"),
        on=["person_id", "service_date"],
        how="left",
        maintain_order="left",
    )
    osms = (pl.col("insured") == True) & (pl.col("draw") < _OSMS_SHARE)  # noqa: E712
    clean = clean.with_columns(
        pl.when(osms).then(pl.lit("osms")).otherwise(pl.lit("guaranteed")).alias("funding"),
        pl.lit(None, dtype=pl.String).alias("anomaly"),
        pl.lit([], dtype=pl.List(pl.String)).alias("flags"),
        pl.lit(None, dtype=pl.Int64).alias("pair"),
    )
    rows = _inject(rng, clean, people, want, start, end)
    return _finish(rng, rows)


def _clean(
    rng: np.random.Generator,
    eligible: pl.DataFrame,
    n: int,
    start: dt.date,
    end: dt.date,
    providers: int,
) -> pl.DataFrame:
    draw = int(n * 1.05) + 16
    pick = rng.integers(0, eligible.height, draw)
    chosen = eligible[pick]
    epoch = np.datetime64("1970-01-01", "D")
    born = chosen["birth_date"].to_numpy().astype("datetime64[D]")
    died = chosen["death_date"].fill_null(end).to_numpy().astype("datetime64[D]")
    lo = np.maximum(born, np.datetime64(start, "D")) - epoch
    hi = np.minimum(died, np.datetime64(end, "D")) - epoch
    days = _dates_between(rng, lo.astype(np.int64), hi.astype(np.int64))
    codes = list(_SERVICES)
    frame = pl.DataFrame(
        {
            "person_id": chosen["person_id"],
            "service_date": pl.Series(days, dtype=pl.Int32).cast(pl.Date),
            "service_code": pl.Series(codes, dtype=pl.String)[rng.integers(0, len(codes), draw)],
            "provider": pl.Series(
                [f"P{int(i):04d}" for i in rng.integers(1, providers + 1, draw)], dtype=pl.String
            ),
            "draw": rng.random(draw),
        }
    )
    # one claim per person, service code and day: no accidental duplicates or double financing
    frame = frame.unique(["person_id", "service_code", "service_date"], maintain_order=True)
    frame = frame.head(n)
    price = pl.col("service_code").replace_strict(_SERVICES, return_dtype=pl.String)
    return frame.with_columns(
        pl.format("C{}", pl.int_range(pl.len()).cast(pl.String).str.zfill(9)).alias("claim_id"),
        price.cast(AMOUNT_DTYPE).alias("amount"),
    )


def _take(pool: list[int], k: int) -> list[int]:
    out = pool[:k]
    del pool[:k]
    return out


def _inject(
    rng: np.random.Generator,
    clean: pl.DataFrame,
    people: pl.DataFrame,
    want: dict[str, int],
    start: dt.date,
    end: dt.date,
) -> pl.DataFrame:
    rows = _Rows(clean)
    funding = clean["funding"].to_list()  # kept current as anomalies move claims
    insured = clean["insured"].to_list()
    order = rng.permutation(clean.height).tolist()
    insured_osms = [i for i in order if funding[i] == "osms"]
    uninsured = [i for i in order if insured[i] is False]
    others = [i for i in order if funding[i] == "guaranteed" and insured[i]]
    used: set[int] = set()

    def pool(candidates: list[int]) -> list[int]:
        return [i for i in candidates if i not in used]

    def mark(indices: list[int], anomaly: str, flags: list[str]) -> None:
        for i in indices:
            used.add(i)
            rows[i]["anomaly"] = anomaly
            rows[i]["flags"] = flags

    # not_insured: an uninsured person's service billed to OSMS
    chosen = _take(pool(uninsured), want["not_insured"])
    for i in chosen:
        rows[i]["funding"] = funding[i] = "osms"
    mark(chosen, "not_insured", ["not_insured"])

    anywhere = pool(others) + pool(insured_osms)
    rng.shuffle(anywhere)

    # invalid: a negative amount
    chosen = _take(anywhere, want["invalid"])
    for i in chosen:
        rows[i]["amount"] = -rows[i]["amount"]
    mark(chosen, "invalid", ["invalid"])

    # before_birth: a service billed for a child born within the period, dated before the
    # birth (a mother's care billed on the newborn's IIN); anyone else when nobody was born
    newborns = people.filter(
        pl.col("ok") & (pl.col("birth_date") > start) & (pl.col("birth_date") <= end)
    )
    if newborns.height == 0:
        newborns = people.filter(pl.col("ok") & (pl.col("birth_date") <= end))
    moved = _move(rng, rows, anywhere, want["before_birth"], newborns, "birth_date", start, end)
    for i in moved:
        funding[i] = "guaranteed"
    mark(moved, "before_birth", ["before_birth"])

    # deceased: a service billed for a person who died before the end, dated after the death
    dead = people.filter(
        pl.col("ok") & pl.col("death_date").is_not_null() & (pl.col("death_date") < end)
    )
    moved = _move(rng, rows, anywhere, want["deceased"], dead, "death_date", start, end)
    for i in moved:
        funding[i] = "guaranteed"
    mark(moved, "deceased", ["deceased"])

    # unknown_person: a broken check digit, or a valid IIN nobody in the population has
    known = set(people["person_id"].to_list())
    chosen = _take(anywhere, want["unknown_person"])
    for k, i in enumerate(chosen):
        rows[i]["person_id"] = _stranger(rng, rows[i]["person_id"], known, broken=k % 2 == 0)
        known.add(rows[i]["person_id"])
    mark(chosen, "unknown_person", ["unknown_person"])

    extra: list[dict[str, Any]] = []
    next_id = len(rows)
    pair = 0

    # duplicate: half as a second claim with the same content, half as a reused claim id
    copies = _take(anywhere, want["duplicate"] // 2)
    for i in copies:
        twin = dict(rows[i], claim_id=f"C{next_id:09d}", anomaly="duplicate", pair=pair)
        rows[i].update(anomaly="duplicate", pair=pair)
        used.add(i)
        extra.append(twin)
        next_id += 1
        pair += 1
    reused = _take(anywhere, 2 * (want["duplicate"] - want["duplicate"] // 2))
    for a, b in zip(reused[::2], reused[1::2], strict=False):
        rows[b]["claim_id"] = rows[a]["claim_id"]
        for i in (a, b):
            rows[i].update(anomaly="duplicate", pair=pair)
            used.add(i)
        pair += 1

    # double_financed: an OSMS claim billed again to the guaranteed package by another provider
    osms_left = [i for i in anywhere if funding[i] == "osms"]
    chosen = osms_left[: want["double_financed"] // 2]
    for i in chosen:
        provider = "P9" + rows[i]["provider"][1:]
        twin = dict(rows[i], claim_id=f"C{next_id:09d}", provider=provider, funding="guaranteed")
        next_id += 1
        extra.append(twin)
    mark(chosen, "double_financed", ["double_financed"])
    for twin in extra[len(extra) - len(chosen) :]:
        twin.update(anomaly="double_financed", flags=["double_financed"])
    return pl.concat([rows.frame(), pl.DataFrame(extra, schema=clean.schema)])


class _Rows:
    """The clean claims as rows, read (and changed) one by one only where an anomaly goes."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame
        self._touched: dict[int, dict[str, Any]] = {}

    def __getitem__(self, i: int) -> dict[str, Any]:
        row = self._touched.get(i)
        if row is None:
            row = self._touched[i] = self._frame.row(i, named=True)
        return row

    def __len__(self) -> int:
        return self._frame.height

    def frame(self) -> pl.DataFrame:
        """The claims with every change made, in their order."""
        if not self._touched:
            return self._frame
        index = sorted(self._touched)
        changed = pl.DataFrame(
            [self._touched[i] for i in index], schema=self._frame.schema
        ).with_columns(pl.Series("_i", index, dtype=pl.UInt32))
        base = self._frame.with_row_index("_i")
        kept = base.filter(~pl.col("_i").is_in(pl.Series(index, dtype=pl.UInt32).implode()))
        return pl.concat([kept, changed.select(base.columns)]).sort("_i").drop("_i")


def _move(
    rng: np.random.Generator,
    rows: _Rows,
    pool: list[int],
    k: int,
    who: pl.DataFrame,
    edge: str,
    start: dt.date,
    end: dt.date,
) -> list[int]:
    """Move up to ``k`` claims of ``pool`` to persons of ``who``, on the wrong side of ``edge``.

    ``birth_date``: a day in the year before the birth (within the period when possible);
    ``death_date``: a day in the 180 days after the death, not after ``end``. Billed to the
    guaranteed package, so that no other flag is raised.
    """
    if who.height == 0:
        return []
    ids, edges = who["person_id"].to_list(), who[edge].to_list()
    one = dt.timedelta(days=1)
    moved: list[int] = []
    seen: set[tuple[Any, ...]] = set()
    for _ in range(4 * k):
        if len(moved) == k or not pool:
            break
        j = int(rng.integers(0, len(ids)))
        if edge == "birth_date":
            hi = edges[j] - one
            lo = min(max(start, edges[j] - 365 * one), hi)
        else:
            lo = edges[j] + one
            hi = max(min(end, edges[j] + 180 * one), lo)
        day = lo + int(rng.integers(0, (hi - lo).days + 1)) * one
        key = (ids[j], rows[pool[-1]]["service_code"], day)
        if key in seen:
            continue
        seen.add(key)
        i = pool.pop()
        rows[i].update(person_id=ids[j], service_date=day, funding="guaranteed")
        moved.append(i)
    return moved


def _stranger(rng: np.random.Generator, iin: str, known: set[str], *, broken: bool) -> str:
    from insurrules.kz.iin import check_digit, make_iin

    if broken:
        good = check_digit(iin[:11])
        bad = (int(iin[11]) + 1 + int(rng.integers(0, 8))) % 10
        if bad == good:
            bad = (bad + 1) % 10
        return iin[:11] + str(bad)
    while True:
        born = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 70)))
        sex: Literal["male", "female"] = "male" if rng.random() < 0.5 else "female"
        candidate = make_iin(born, sex, int(rng.integers(0, 10_000)))
        if candidate not in known:
            return candidate


def _finish(rng: np.random.Generator, rows: pl.DataFrame) -> SyntheticClaims:
    shuffled = rows[rng.permutation(rows.height)].with_row_index("position")
    # of two duplicate claims, the later one in the table is the repeat that is flagged
    later = pl.col("position") == pl.col("position").max().over("pair")
    shuffled = shuffled.with_columns(
        pl.when(pl.col("pair").is_null())
        .then(pl.col("flags"))
        .when(later)
        .then(pl.lit(["duplicate"], dtype=pl.List(pl.String)))
        .otherwise(pl.lit([], dtype=pl.List(pl.String)))
        .alias("flags"),
    )
    claims = shuffled.select(
        "claim_id",
        "person_id",
        "service_date",
        "service_code",
        "provider",
        "amount",
        "funding",
    )
    expected = shuffled.select("anomaly", "flags")
    return SyntheticClaims(claims=claims, expected=expected)
