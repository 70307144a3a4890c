"""The tables of a population (kz-osms), their schema, and their validation.

A :class:`Population` holds five polars DataFrames. Required columns are listed per table; other
columns are kept (``persons.region``, for example, is used by
:func:`~insurrules.population.compare`).
Dates are polars ``Date`` values or ISO ``YYYY-MM-DD`` text; months are ``YYYY-MM`` text or dates.

``persons`` (one row per person, in the order results are returned)
    ``id`` (text, IIN: 12 digits), ``birth_date`` (date), ``sex`` (``male``/``female``),
    ``death_date`` (date, optional column, null = alive), ``residency`` (optional column,
    default ``citizen``: ``citizen``, ``kandas``, ``permanent_resident``, ``eaeu_worker``,
    ``temporary_resident``, ``outside_scheme``), ``region`` (optional, any text).
``payments`` (one row per payment record)
    ``person_id`` (text), ``month`` (the month paid for), ``paid_on`` (date it arrived),
    ``amount`` (non-negative number or decimal text), ``payer`` (``employer``, ``employee``,
    ``self``, ``entrepreneur``, ``platform``, ``esp``).
``memberships`` (periods in state-paid categories)
    ``person_id``, ``code`` (kz membership code), ``start`` (date), ``end`` (date, null = open).
``welfare_levels`` (Digital Family Card levels)
    ``person_id``, ``level`` (``A``..``E``), ``start`` (date), ``end`` (date, null = open).
``care_requests`` (days the person applied for care)
    ``person_id``, ``date`` (date).

Structural problems (missing columns, wrong dtypes, duplicate person ids, rows for unknown
persons, unparseable dates) raise one :class:`PopulationError` listing all of them before any
work. Problems within a person's records (a bad IIN, an end before a start...) do not stop the
run: :meth:`Population.row_errors` names them and that person's result row carries the error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.errors import mask_text
from insurrules.kz.case import KZ_MEMBERSHIP_CODES, KzCase
from insurrules.parameters import RuleSet
from insurrules.population.tableset import (
    AMOUNT,
    DATE,
    MONTH,
    TEXT,
    PopulationError,
    TableSet,
    day_numbers,
    empty_table,
    month_numbers,
    normalize_table,
    to_polars,
)

__all__ = ["SCHEMA", "TABLES", "Population", "PopulationError"]

TABLES = ("persons", "payments", "memberships", "welfare_levels", "care_requests")


#: table -> column -> (kind, required)
SCHEMA: dict[str, dict[str, tuple[str, bool]]] = {
    "persons": {
        "id": (TEXT, True),
        "birth_date": (DATE, True),
        "sex": (TEXT, True),
        "death_date": (DATE, False),
        "residency": (TEXT, False),
    },
    "payments": {
        "person_id": (TEXT, True),
        "month": (MONTH, True),
        "paid_on": (DATE, True),
        "amount": (AMOUNT, True),
        "payer": (TEXT, True),
    },
    "memberships": {
        "person_id": (TEXT, True),
        "code": (TEXT, True),
        "start": (DATE, True),
        "end": (DATE, False),
    },
    "welfare_levels": {
        "person_id": (TEXT, True),
        "level": (TEXT, True),
        "start": (DATE, True),
        "end": (DATE, False),
    },
    "care_requests": {"person_id": (TEXT, True), "date": (DATE, True)},
}

RESIDENCIES = (
    "citizen",
    "kandas",
    "permanent_resident",
    "eaeu_worker",
    "temporary_resident",
    "outside_scheme",
)
PAYERS = ("employer", "employee", "self", "entrepreneur", "platform", "esp")
LEVELS = ("A", "B", "C", "D", "E")
FIRST_PAYMENT_MONTH = 2017 * 12 + 6  # 2017-07: OSMS contributions start (KzPayment)


def _empty(table: str) -> pl.DataFrame:
    return empty_table(SCHEMA[table])


def _normalize(table: str, df: pl.DataFrame, problems: list[str]) -> pl.DataFrame:
    return normalize_table(table, df, problems, SCHEMA[table], {"residency": "citizen"})


@dataclass(frozen=True, repr=False)
class Population(TableSet):
    """The tables of a kz-osms population (see the module docstring for the schema).

    Build it with :meth:`from_frames` or :meth:`from_parquet`; the constructor expects tables
    already checked and normalized.
    """

    persons: pl.DataFrame
    payments: pl.DataFrame = field(default_factory=lambda: _empty("payments"))
    memberships: pl.DataFrame = field(default_factory=lambda: _empty("memberships"))
    welfare_levels: pl.DataFrame = field(default_factory=lambda: _empty("welfare_levels"))
    care_requests: pl.DataFrame = field(default_factory=lambda: _empty("care_requests"))
    scheme: str = "kz-osms"
    #: derived data computed once per population (person row of each record...), not compared
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    TABLE_NAMES: ClassVar[tuple[str, ...]] = TABLES

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_frames(
        cls,
        persons: Any,
        payments: Any = None,
        memberships: Any = None,
        welfare_levels: Any = None,
        care_requests: Any = None,
    ) -> Population:
        """Check and normalize tables given as polars, pandas or Arrow tables.

        Raises :class:`PopulationError` listing every structural problem.
        """
        given = {
            "persons": persons,
            "payments": payments,
            "memberships": memberships,
            "welfare_levels": welfare_levels,
            "care_requests": care_requests,
        }
        problems: list[str] = []
        frames: dict[str, pl.DataFrame] = {}
        for name, data in given.items():
            df = _empty(name) if data is None else to_polars(name, data)
            frames[name] = _normalize(name, df, problems)
        if problems:
            raise PopulationError(problems)
        ids = frames["persons"]["id"]
        dup = ids.is_duplicated()
        if dup.any():
            n = int(ids.filter(dup).n_unique())
            problems.append(f"persons.id: {n} id(s) appear more than once")
        rows: dict[str, Any] = {}
        if not problems:
            row_of = _row_of(frames["persons"])
            for name in TABLES[1:]:
                found = _person_rows(frames[name]["person_id"], row_of)
                if found.null_count():
                    problems.append(
                        f"{name}.person_id: {found.null_count()} row(s) for persons not in persons"
                    )
                rows[name] = found.to_numpy()
        if problems:
            raise PopulationError(problems)
        pop = cls(**frames)  # type: ignore[arg-type]
        pop.cache["rows"] = rows
        return pop

    # -- one person ----------------------------------------------------------------------------
    def case_document(self, person_id: str, as_of: dt.date | str) -> dict[str, Any]:
        """The case document (a mapping) of one person, as :func:`insurrules.decide` takes it."""
        rows = self.persons.filter(pl.col("id") == person_id)
        if rows.height == 0:
            raise KeyError(mask_text(f"no person {person_id}"))
        p = rows.row(0, named=True)

        def of(table: str) -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = (
                getattr(self, table).filter(pl.col("person_id") == person_id).to_dicts()
            )
            return rows

        document = case_document_of(
            self.scheme,
            p,
            of("memberships"),
            of("welfare_levels"),
            of("care_requests"),
            of("payments"),
        )
        return {**document, "as_of": as_of}

    def case(self, person_id: str, as_of: dt.date | str) -> KzCase:
        """The validated case of one person (raises the case model's validation error)."""
        from insurrules.case import parse_case

        case = parse_case(self.case_document(person_id, as_of))
        assert isinstance(case, KzCase)
        return case

    def build_index(self, rules: RuleSet | None = None) -> Population:
        """Check the records and build the engine's index now (part of loading a population a
        service keeps), instead of during the first evaluation or screening. Returns ``self``.

        >>> from insurrules.population import synthetic
        >>> pop = synthetic(500, seed=1).build_index()
        >>> "engine_index" in pop.cache
        True
        """
        from insurrules.population.kz.index import build_index

        build_index(self, rules)
        return self

    # -- row-level validation ----------------------------------------------------------------
    @cached_property
    def row_errors(self) -> pl.Series:
        """Per person (in order): null, or the problems in that person's records."""
        return _row_errors(self)


def _iin_problems(persons: pl.DataFrame) -> pl.DataFrame:
    """IIN checks (kz.iin rules) in numpy: format, check digit, birth date and sex digit."""
    ids = persons["id"]
    n = ids.len()
    well_formed = ids.str.contains(r"^\d{12}$").fill_null(False).to_numpy()
    raw = np.array(ids.fill_null("").to_list(), dtype="S12")
    digits = (
        (raw.view(np.uint8).reshape(n, 12).astype(np.int64) - 48)
        if n
        else np.zeros((0, 12), dtype=np.int64)
    )
    digits = np.where(well_formed[:, None], digits, 0)
    w1 = np.arange(1, 12)
    w2 = np.array([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])
    r1 = (digits[:, :11] @ w1) % 11
    r2 = (digits[:, :11] @ w2) % 11
    check = np.where(r1 != 10, r1, np.where(r2 != 10, r2, -1))
    d7 = digits[:, 6]
    century = np.where(d7 <= 2, 1800, np.where(d7 <= 4, 1900, 2000))
    year = century + digits[:, 0] * 10 + digits[:, 1]
    month = digits[:, 2] * 10 + digits[:, 3]
    day = digits[:, 4] * 10 + digits[:, 5]
    month_ok = (month >= 1) & (month <= 12)
    first = ((year - 1970) * 12 + np.where(month_ok, month, 1) - 1).astype("datetime64[M]")
    born = first.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    real = month_ok & (day >= 1) & (born.astype("datetime64[M]") == first)
    born_days = (born - np.datetime64("1970-01-01", "D")).astype(np.int64)
    given = day_numbers(persons["birth_date"])
    male = d7 % 2 == 1
    sex = persons["sex"].to_numpy()
    problems = [
        (~well_formed, "person.id: an IIN is 12 digits"),
        (well_formed & (check != digits[:, 11]), "person.id: the IIN has an invalid check digit"),
        ((d7 < 1) | (d7 > 6), "person.id: the IIN's 7th digit must be 1-6 (century and sex)"),
        (~real, "person.id: the IIN does not start with a real birth date (YYMMDD)"),
        (
            real & (born_days != given),
            "person.id: the IIN's birth date (YYMMDD) differs from birth_date",
        ),
        (
            np.where(male, sex != "male", sex != "female"),
            "person.id: the IIN's 7th digit gives another sex than sex",
        ),
    ]
    taken = np.zeros(n, dtype=np.bool_)
    rows: list[npt.NDArray[np.int64]] = []
    msgs: list[str] = []
    for bad, message in problems:  # the first problem of each IIN is the one reported
        new = bad & ~taken
        taken |= new
        idx = np.flatnonzero(new)
        rows.append(idx)
        msgs.extend([message] * idx.size)
    return pl.DataFrame(
        {"_row": np.concatenate(rows).astype(np.int64), "msg": pl.Series(msgs, dtype=pl.String)}
    )


def payer_codes(series: pl.Series) -> npt.NDArray[np.int8]:
    """Payer as an index into :data:`PAYERS` (-1: unknown)."""
    if isinstance(series.dtype, pl.Enum):
        cats = list(series.dtype.categories)
        lookup = np.array(
            [PAYERS.index(c) if c in PAYERS else -1 for c in cats] + [-1], dtype=np.int8
        )
        phys = series.to_physical().fill_null(len(cats)).to_numpy().astype(np.int64)
        found: npt.NDArray[np.int8] = lookup[phys]
        return found
    codes = series.cast(pl.String).replace_strict(
        list(PAYERS), list(range(len(PAYERS))), default=-1, return_dtype=pl.Int8
    )
    return codes.to_numpy().astype(np.int8)


def _payment_problems(pop: Population, rows: npt.NDArray[np.int64]) -> pl.DataFrame:
    """Per-record checks of payments in numpy; messages are built for the few bad records.

    Each check is reduced to the records it finds at once, so that only one full-length mask
    lives at a time (tens of millions of records).
    """
    pay = pop.payments
    known = rows >= 0
    found: list[tuple[npt.NDArray[np.int64], str]] = []

    def check(bad: npt.NDArray[np.bool_], message: str) -> None:
        bad &= known
        if bad.any():
            found.append((np.flatnonzero(bad), message))

    day = day_numbers(pay["paid_on"]).astype(np.int32)
    month = month_numbers(day_numbers(pay["month"])).astype(np.int32)
    # the engine's index needs the same numbers: computed once
    pop.cache["payment_numbers"] = (day, month)
    check(payer_codes(pay["payer"]) < 0, _UNKNOWN_PAYER)
    check(month < FIRST_PAYMENT_MONTH, "payments.month: OSMS contributions start with 2017-07")
    birth = day_numbers(pop.persons["birth_date"])
    born = birth[np.maximum(rows, 0)].astype(np.int32)
    check(day < born, "payments.paid_on: before the person's birth")
    after_birth = day >= born
    born = month_numbers(born.astype(np.int64)).astype(np.int32)  # the month of birth
    after_birth &= month < born
    del born
    check(after_birth, "payments.month: before the person's birth")
    del after_birth
    amount = pay["amount"]
    if amount.dtype == pl.String:
        number = amount.str.strip_chars().cast(pl.Float64, strict=False)
    else:
        number = amount.cast(pl.Float64, strict=False)
    values = number.fill_null(np.nan).to_numpy()
    del number
    check(~np.isfinite(values), "payments.amount: not a finite number")
    check(values < 0, "payments.amount: an amount cannot be negative")
    del values
    # identical records: a cheap integer key first, the full comparison on candidates only
    key = rows << 12  # (row, month, day) in one integer, in place (tens of millions of rows)
    key += month & 4095
    key <<= 16
    key += day & 65535
    if key.size < 2 or bool((key[1:] > key[:-1]).all()):  # grouped, ordered tables: no ties
        candidates = np.zeros(0, dtype=np.int64)
    else:
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        tie = ordered[1:] == ordered[:-1]
        same = np.zeros(key.size, dtype=np.bool_)
        same[1:] |= tie
        same[:-1] |= tie
        candidates = np.sort(order[same])
    del key
    if candidates.size:
        sub = pay[candidates].with_columns(pl.Series("_row", rows[candidates]))
        same = (
            sub.select(pl.struct("_row", "month", "paid_on", "amount", "payer").is_duplicated())
            .to_series()
            .to_numpy()
        )
        dup = np.zeros(rows.size, dtype=np.bool_)
        dup[candidates[same]] = True
        check(dup, "payments: duplicate records (same month, date, amount, payer)")
    frames = [pl.DataFrame({"_row": rows[bad], "msg": message}) for bad, message in found]
    if not frames:
        return pl.DataFrame(schema={"_row": pl.Int64, "msg": pl.String})
    return pl.concat(frames)


_UNKNOWN_PAYER = "payments.payer: unknown payer (expected one of " + ", ".join(PAYERS) + ")"


def _row_of(persons: pl.DataFrame) -> pl.DataFrame:
    return persons.select(
        pl.col("id").alias("person_id"), pl.int_range(pl.len(), dtype=pl.Int64).alias("_r")
    )


def _person_rows(ids: pl.Series, row_of: pl.DataFrame) -> pl.Series:
    """The person row of each record (null: no such person), by the record's ``person_id``.

    Records usually come grouped by person: only the first of each run of equal ids is looked
    up (a join of a million ids instead of tens of millions), the rest repeat it.
    """
    heads = ids.ne_missing(ids.shift(1)).fill_null(True)
    if heads.len() == 0 or heads.sum() * 4 > heads.len():  # not grouped: look each one up
        return ids.to_frame("person_id").join(
            row_of, on="person_id", how="left", maintain_order="left"
        )["_r"]
    starts = heads.to_numpy()
    run = np.cumsum(starts, dtype=np.int64)
    run -= 1
    looked_up = (
        ids.filter(heads)
        .to_frame("person_id")
        .join(row_of, on="person_id", how="left", maintain_order="left")["_r"]
    )
    return looked_up.gather(run).alias("_r")


def record_rows(pop: Population) -> dict[str, Any]:
    """The person row (position in ``persons``) of every record of each table, computed once."""
    rows = pop.cache.get("rows")
    if rows is None:
        row_of = _row_of(pop.persons)
        rows = {
            name: _person_rows(getattr(pop, name)["person_id"], row_of).fill_null(-1).to_numpy()
            for name in TABLES[1:]
        }
        pop.cache["rows"] = rows
    return rows


def _row_errors(pop: Population) -> pl.Series:
    persons = pop.persons.select(
        "id", "birth_date", "sex", "death_date", "residency"
    ).with_row_index("_row")
    rows = record_rows(pop)
    birth = pop.persons["birth_date"]
    # the payment records are by far the most: checked on a second core meanwhile (numpy and
    # polars release the GIL in their passes)
    pool = ThreadPoolExecutor(max_workers=1)
    payment_problems = pool.submit(_payment_problems, pop, rows["payments"])
    found: list[pl.DataFrame] = [_iin_problems(persons)]

    def check(df: pl.DataFrame, cond: pl.Expr, msg: pl.Expr | str) -> None:
        text = pl.lit(msg) if isinstance(msg, str) else msg
        found.append(df.filter(cond).select(pl.col("_row"), text.alias("msg")))

    check(
        persons,
        ~pl.col("sex").is_in(["male", "female"]),
        pl.format("person.sex: expected male or female, got '{}'", pl.col("sex")),
    )
    check(
        persons,
        ~pl.col("residency").is_in(list(RESIDENCIES)),
        pl.format("person.residency: unknown residency '{}'", pl.col("residency")),
    )
    check(
        persons,
        pl.col("death_date") < pl.col("birth_date"),
        pl.format("person.death_date: {} is before birth_date", pl.col("death_date")),
    )

    def joined(table: str) -> pl.DataFrame:
        df: pl.DataFrame = getattr(pop, table)
        where = pl.Series("_row", rows[table], dtype=pl.Int64)
        return df.with_columns(
            where.cast(pl.UInt32), birth.gather(where.clip(0)).alias("birth_date")
        )

    for table, code_col, codes in (
        ("memberships", "code", KZ_MEMBERSHIP_CODES),
        ("welfare_levels", "level", LEVELS),
    ):
        df = joined(table)
        check(
            df,
            ~pl.col(code_col).cast(pl.String).is_in(list(codes)),
            pl.format(f"person.{table}.{code_col}: unknown code '{{}}'", pl.col(code_col)),
        )
        check(
            df,
            pl.col("end") < pl.col("start"),
            pl.format(
                f"person.{table}.end: {{}} is before start {{}}", pl.col("end"), pl.col("start")
            ),
        )
        if table == "memberships":
            check(
                df,
                pl.col("start") < pl.col("birth_date"),
                pl.format("person.memberships.start: {} is before birth_date", pl.col("start")),
            )
        else:
            w = df.select("_row", "start", "end").with_row_index("_w")
            pairs = w.join(w, on="_row", suffix="_b").filter(
                (pl.col("_w") > pl.col("_w_b"))
                & (pl.col("end").is_null() | (pl.col("start_b") <= pl.col("end")))
                & (pl.col("end_b").is_null() | (pl.col("start") <= pl.col("end_b")))
            )
            check(
                pairs, pl.lit(True), "person.welfare_levels: periods overlap (one level at a time)"
            )
    requests = joined("care_requests")
    check(
        requests,
        pl.col("date") < pl.col("birth_date"),
        pl.format("person.care_requests: {} is before birth_date", pl.col("date")),
    )
    found.append(payment_problems.result())
    pool.shutdown()
    allmsgs = pl.concat(
        [f.select(pl.col("_row").cast(pl.Int64), pl.col("msg").cast(pl.String)) for f in found]
    ).filter(pl.col("msg").is_not_null())
    if allmsgs.height == 0:
        return pl.Series("error", [None] * persons.height, dtype=pl.String)
    per_row = allmsgs.unique(maintain_order=True).group_by("_row").agg(pl.col("msg").str.join("; "))
    out = persons.select(pl.col("_row").cast(pl.Int64)).join(
        per_row, on="_row", how="left", maintain_order="left"
    )
    return out["msg"].alias("error")


def case_document_of(
    scheme: str,
    person_row: Mapping[str, Any],
    memberships: Iterable[Mapping[str, Any]],
    welfare_levels: Iterable[Mapping[str, Any]],
    care_requests: Iterable[Mapping[str, Any]],
    payments: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """A person's case document (without ``as_of``) from their rows of each table."""
    p = person_row
    person: dict[str, Any] = {
        "id": p["id"],
        "birth_date": p["birth_date"],
        "sex": p["sex"],
        "residency": p["residency"],
    }
    if p["death_date"] is not None:
        person["death_date"] = p["death_date"]
    person["memberships"] = [
        {"code": m["code"], "start": m["start"], "end": m["end"]} for m in memberships
    ]
    person["welfare_levels"] = [
        {"level": w["level"], "start": w["start"], "end": w["end"]} for w in welfare_levels
    ]
    person["care_requests"] = [r["date"] for r in care_requests]
    document_payments = [
        {
            "month": f"{x['month'].year:04d}-{x['month'].month:02d}",
            "paid_on": x["paid_on"],
            "amount": x["amount"],
            "payer": x["payer"],
        }
        for x in payments
    ]
    return {"scheme": scheme, "person": person, "payments": document_payments}
