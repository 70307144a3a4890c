"""The tables of a vn-bhyt population, their schema, and their validation.

A :class:`VnPopulation` holds three polars DataFrames carrying exactly the facts of a vn-bhyt
case document (:class:`insurrules.vn.case.VnCase`), one row per fact. Required columns are
listed per table; other columns are kept (``persons.province``, ``persons.household_id``...).
Dates are polars ``Date`` values or ISO ``YYYY-MM-DD`` text.

``persons`` (one row per person, in the order results are returned)
    ``id`` (text: the 12-digit personal identification number), ``birth_date`` (date), ``sex``
    (``male``/``female``), ``death_date`` (date, optional column, null = alive),
    ``household_rank`` (whole number, optional column: the member's place on the household
    ladder, 1 = first member; null = not in a household bill), ``household_id`` (optional, any
    text: which household the person belongs to; not read by the rules).
``payments`` (one row per card purchase)
    ``person_id`` (text), ``paid_on`` (date), ``months`` (whole number: 3, 6 or 12),
    ``amount`` (non-negative number or decimal text, đồng), ``payer`` (``household``,
    ``state``, ``supported``, ``employer``, ``student``).
``memberships`` (periods in support groups and fully state-paid groups)
    ``person_id``, ``code`` (a vn membership code: ``near_poor``, ``poor_household``...),
    ``start`` (date), ``end`` (date, optional column, null = open).

Structural problems (missing columns, wrong dtypes, empty required values, duplicate person
ids, records of unknown persons, unparseable dates) raise one
:class:`~insurrules.population.kz.tables.PopulationError` listing all of them before any work.
Problems within a person's records (those :class:`VnCase` rejects: an id that is not 12 digits,
two purchases on one day, a ``supported`` purchase without a support group...) do not stop the
run: :attr:`VnPopulation.row_errors` names them (field and reason, ids masked) and that person's
result row carries the error.

>>> vn = VnPopulation.from_frames(
...     {"id": ["079082007731"], "birth_date": ["1982-08-14"], "sex": ["male"]},
...     {"person_id": ["079082007731"], "paid_on": ["2025-11-10"], "months": [12],
...      "amount": ["1263600"], "payer": ["household"]},
... )
>>> vn
VnPopulation(vn-bhyt: persons=1, payments=1, memberships=0)
>>> vn.case("079082007731", "2026-01-20").payments[0].months
12
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, get_args

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.errors import mask_text
from insurrules.models import _amount
from insurrules.population.tableset import (
    AMOUNT,
    DATE,
    INT,
    TEXT,
    PopulationError,
    TableSet,
    empty_table,
    normalize_table,
    to_polars,
)
from insurrules.vn.cards import child_card_end
from insurrules.vn.case import CARD_RULES_START, STATE_GROUPS, Payer, VnCase, VnMembershipCode
from insurrules.vn.rules import SUPPORT_GROUPS, default_rules

__all__ = ["VN_SCHEMA", "VN_TABLES", "VnPopulation"]

VN_TABLES = ("persons", "payments", "memberships")


#: table -> column -> (kind, required)
VN_SCHEMA: dict[str, dict[str, tuple[str, bool]]] = {
    "persons": {
        "id": (TEXT, True),
        "birth_date": (DATE, True),
        "sex": (TEXT, True),
        "death_date": (DATE, False),
        "household_rank": (INT, False),
    },
    "payments": {
        "person_id": (TEXT, True),
        "paid_on": (DATE, True),
        "months": (INT, True),
        "amount": (AMOUNT, True),
        "payer": (TEXT, True),
    },
    "memberships": {
        "person_id": (TEXT, True),
        "code": (TEXT, True),
        "start": (DATE, True),
        "end": (DATE, False),
    },
}

MEMBERSHIP_CODES: tuple[str, ...] = get_args(VnMembershipCode)
PAYERS: tuple[str, ...] = get_args(Payer)
CARD_MONTHS = (3, 6, 12)  # VnPayment.months (Law 25/2008/QH12 art. 15(6))
#: fully state-paid groups other than the derived child card: a purchase during an open-ended
#: period of one of them is refused (VnCase, R1)
OPEN_STATE_GROUPS: tuple[str, ...] = tuple(c for c in STATE_GROUPS if c != "child_under_6")


def _empty(table: str) -> pl.DataFrame:
    return empty_table(VN_SCHEMA[table])


def _normalize(table: str, df: pl.DataFrame, problems: list[str]) -> pl.DataFrame:
    # a card length or a rank is a whole number: "6" or 6.5 would be a guess (VnPayment)
    return normalize_table(table, df, problems, VN_SCHEMA[table])


def _person_rows(persons: pl.DataFrame, records: pl.DataFrame) -> pl.Series:
    """The row in ``persons`` of each record (null: no such person)."""
    row_of = persons.select(
        pl.col("id").cast(pl.String).alias("person_id"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_r"),
    )
    return (
        records.select(pl.col("person_id").cast(pl.String))
        .join(row_of, on="person_id", how="left", maintain_order="left")["_r"]
        .alias("_row")
    )


@dataclass(frozen=True, repr=False)
class VnPopulation(TableSet):
    """The tables of a vn-bhyt population (see the module docstring for the schema).

    Build it with :meth:`from_frames` or :meth:`from_parquet`; the constructor expects tables
    already checked and normalized.
    """

    persons: pl.DataFrame
    payments: pl.DataFrame = field(default_factory=lambda: _empty("payments"))
    memberships: pl.DataFrame = field(default_factory=lambda: _empty("memberships"))
    scheme: str = "vn-bhyt"
    #: derived data computed once per population (person row of each record...), not compared
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    TABLE_NAMES: ClassVar[tuple[str, ...]] = VN_TABLES

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_frames(
        cls, persons: Any, payments: Any = None, memberships: Any = None
    ) -> VnPopulation:
        """Check and normalize tables given as polars, pandas or Arrow tables (or dicts).

        Raises :class:`~insurrules.population.kz.tables.PopulationError` listing every
        structural problem.
        """
        given = {"persons": persons, "payments": payments, "memberships": memberships}
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
        rows: dict[str, npt.NDArray[np.int64]] = {}
        if not problems:
            for name in VN_TABLES[1:]:
                found = _person_rows(frames["persons"], frames[name])
                if found.null_count():
                    problems.append(
                        f"{name}.person_id: {found.null_count()} row(s) for persons not in persons"
                    )
                rows[name] = found.fill_null(-1).to_numpy().astype(np.int64, copy=False)
        if problems:
            raise PopulationError(problems)
        pop = cls(
            persons=frames["persons"],
            payments=frames["payments"],
            memberships=frames["memberships"],
        )
        pop.cache["rows"] = rows
        return pop

    def record_rows(self) -> dict[str, npt.NDArray[np.int64]]:
        """The person row (position in ``persons``) of every record of each table, cached."""
        rows: dict[str, npt.NDArray[np.int64]] | None = self.cache.get("rows")
        if rows is None:
            rows = {
                name: _person_rows(self.persons, getattr(self, name))
                .fill_null(-1)
                .to_numpy()
                .astype(np.int64, copy=False)
                for name in VN_TABLES[1:]
            }
            self.cache["rows"] = rows
        return rows

    # -- one person ----------------------------------------------------------------------------
    def case_document(self, person_id: str, as_of: dt.date | str) -> dict[str, Any]:
        """The case document (a mapping) of one person, as :func:`insurrules.decide` takes it."""
        rows = self.persons.filter(pl.col("id").cast(pl.String) == person_id)
        if rows.height == 0:
            raise KeyError(mask_text(f"no person {person_id}"))

        def of(table: str) -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = (
                getattr(self, table)
                .filter(pl.col("person_id").cast(pl.String) == person_id)
                .to_dicts()
            )
            return found

        return {
            **vn_case_document(rows.row(0, named=True), of("memberships"), of("payments")),
            "as_of": as_of,
        }

    def case(self, person_id: str, as_of: dt.date | str) -> VnCase:
        """The validated case of one person (raises the case model's validation error)."""
        case = VnCase.model_validate(self.case_document(person_id, as_of))
        assert isinstance(case, VnCase)
        return case

    # -- row-level validation ----------------------------------------------------------------
    @cached_property
    def row_errors(self) -> pl.Series:
        """Per person (in order): null, or the problems in that person's records."""
        return _row_errors(self)


def vn_case_document(
    person_row: Mapping[str, Any],
    memberships: list[dict[str, Any]],
    payments: list[dict[str, Any]],
) -> dict[str, Any]:
    """A person's vn-bhyt case document (without ``as_of``) from their rows of each table."""
    p = person_row
    person: dict[str, Any] = {"id": p["id"], "birth_date": p["birth_date"], "sex": p["sex"]}
    if p.get("death_date") is not None:
        person["death_date"] = p["death_date"]
    if p.get("household_rank") is not None:
        person["household"] = {"rank": p["household_rank"]}
    person["memberships"] = [
        {"code": m["code"], "start": m["start"], "end": m["end"]} for m in memberships
    ]
    document_payments = [
        {"paid_on": x["paid_on"], "months": x["months"], "amount": x["amount"], "payer": x["payer"]}
        for x in payments
    ]
    return {"scheme": "vn-bhyt", "person": person, "payments": document_payments}


def _amount_ok(amount: pl.Series) -> npt.NDArray[np.bool_]:
    """Which amounts the case model accepts: checked by its own validator, once per value."""
    if amount.dtype.is_numeric() and not amount.dtype.is_decimal():
        values = amount.cast(pl.Float64).to_numpy()
        with np.errstate(invalid="ignore"):
            return np.asarray(np.isfinite(values) & (values >= 0))
    distinct = amount.unique()

    def accepted(value: Any) -> bool:
        try:
            _amount(value)
        except ValueError:
            return False
        return True

    good = [v for v in distinct.to_list() if accepted(v)]
    return amount.is_in(pl.Series(good, dtype=amount.dtype).implode()).to_numpy()


def _row_errors(pop: VnPopulation) -> pl.Series:
    rows = pop.record_rows()
    persons = pop.persons.select(
        pl.col("id").cast(pl.String),
        "birth_date",
        pl.col("sex").cast(pl.String),
        "death_date",
        "household_rank",
    ).with_row_index("_row")
    birth = pop.persons["birth_date"]
    found: list[pl.DataFrame] = []

    def check(df: pl.DataFrame, cond: pl.Expr | pl.Series, msg: pl.Expr | str) -> None:
        text = pl.lit(msg) if isinstance(msg, str) else msg
        found.append(df.filter(cond).select(pl.col("_row"), text.alias("msg")))

    check(persons, ~pl.col("id").str.contains(r"^\d{12}$"), "person.id: expected 12 digits")
    check(
        persons,
        ~pl.col("sex").is_in(["male", "female"]),
        pl.format("person.sex: expected male or female, got '{}'", pl.col("sex")),
    )
    check(
        persons,
        pl.col("death_date") < pl.col("birth_date"),
        pl.format("person.death_date: {} is before birth_date", pl.col("death_date")),
    )
    check(
        persons,
        pl.col("household_rank") < 1,
        pl.format(
            "person.household.rank: a place on the household ladder is 1 or more, got {}",
            pl.col("household_rank"),
        ),
    )

    def joined(table: str) -> pl.DataFrame:
        df: pl.DataFrame = getattr(pop, table)
        where = pl.Series("_row", rows[table], dtype=pl.Int64)
        return df.with_columns(
            where.cast(pl.UInt32),
            birth.gather(where.clip(0)).alias("birth_date"),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_rec"),
        )

    mem = joined("memberships").with_columns(pl.col("code").cast(pl.String))
    check(
        mem,
        ~pl.col("code").is_in(list(MEMBERSHIP_CODES)),
        pl.format("person.memberships.code: unknown code '{}'", pl.col("code")),
    )
    check(
        mem,
        pl.col("end") < pl.col("start"),
        pl.format("person.memberships.end: {} is before start {}", pl.col("end"), pl.col("start")),
    )
    check(
        mem,
        pl.col("start") < pl.col("birth_date"),
        pl.format("person.memberships.start: {} is before birth_date", pl.col("start")),
    )
    child = mem.filter(
        (pl.col("code") == "child_under_6") & (pl.col("start") >= pl.col("birth_date"))
    )
    if child.height:
        shipped = default_rules()  # VnPerson checks against the rules as shipped
        ends = {b: child_card_end(b, shipped) for b in child["birth_date"].unique().to_list()}
        child = child.with_columns(
            pl.col("birth_date").replace_strict(ends, return_dtype=pl.Date).alias("_child_end")
        )
        check(
            child,
            (pl.col("start") > pl.col("_child_end")) | (pl.col("end") > pl.col("_child_end")),
            pl.format(
                "person.memberships: child_under_6 is derived from birth_date: the card runs "
                "{}..{} (R9), but this period runs {}..{}",
                pl.col("birth_date"),
                pl.col("_child_end"),
                pl.col("start"),
                pl.col("end").cast(pl.String).fill_null("open"),
            ),
        )
    support = mem.filter(pl.col("code").is_in(list(SUPPORT_GROUPS))).select(
        "_row", "_rec", "code", "start", "end"
    )
    pairs = support.join(support, on="_row", suffix="_b").filter(
        (pl.col("_rec") > pl.col("_rec_b"))
        & (pl.col("end").is_null() | (pl.col("start_b") <= pl.col("end")))
        & (pl.col("end_b").is_null() | (pl.col("start") <= pl.col("end_b")))
    )
    check(
        pairs,
        pl.lit(True),
        pl.format(
            "person.memberships: {} overlaps the support group {}; one support group at a time",
            pl.col("code"),
            pl.col("code_b"),
        ),
    )

    pay = joined("payments").with_columns(pl.col("payer").cast(pl.String))
    check(
        pay,
        ~pl.col("months").is_in(list(CARD_MONTHS)),
        pl.format("payments.months: a card is bought for 3, 6 or 12 months, got {}", "months"),
    )
    check(
        pay,
        pl.Series(~_amount_ok(pop.payments["amount"])),
        "payments.amount: not a non-negative finite number",
    )
    check(
        pay,
        ~pl.col("payer").is_in(list(PAYERS)),
        pl.format(
            "payments.payer: unknown payer '{}' (expected one of " + ", ".join(PAYERS) + ")",
            pl.col("payer"),
        ),
    )
    check(
        pay,
        pl.col("paid_on") < pl.col("birth_date"),
        pl.format("payments.paid_on: {} is before the person's birth", pl.col("paid_on")),
    )
    check(
        pay,
        (pl.col("paid_on") >= pl.col("birth_date")) & (pl.col("paid_on") < CARD_RULES_START),
        pl.format(
            f"payments.paid_on: {{}} is before {CARD_RULES_START}, when the card rules modelled "
            "start (Law 46/2014/QH13)",
            pl.col("paid_on"),
        ),
    )
    check(
        pay,
        pl.struct("_row", "paid_on").is_duplicated(),
        pl.format(
            "payments.paid_on: two purchases paid on {}; their order is ambiguous: merge them "
            "into one record or correct the date",
            pl.col("paid_on"),
        ),
    )
    supported = pay.filter(pl.col("payer") == "supported").select("_row", "_rec", "paid_on")
    covered = (
        supported.join(support, on="_row")
        .filter(
            (pl.col("start") <= pl.col("paid_on"))
            & (pl.col("end").is_null() | (pl.col("paid_on") <= pl.col("end")))
        )
        .select("_rec")
        .unique()
    )
    check(
        supported.join(covered, on="_rec", how="anti"),
        pl.lit(True),
        pl.format(
            "payments.payer: 'supported', but no support-group membership ("
            + ", ".join(SUPPORT_GROUPS)
            + ") covers paid_on {}",
            pl.col("paid_on"),
        ),
    )
    open_state = mem.filter(
        pl.col("code").is_in(list(OPEN_STATE_GROUPS)) & pl.col("end").is_null()
    ).select("_row", "code", "start")
    check(
        pay.select("_row", "paid_on")
        .join(open_state, on="_row")
        .filter(pl.col("start") <= pl.col("paid_on")),
        pl.lit(True),
        pl.format(
            "payments.paid_on: paid on {} while the person is in the fully state-paid group {} "
            "(open-ended); a state-paid person does not buy a card (R1): give the membership's end",
            pl.col("paid_on"),
            pl.col("code"),
        ),
    )

    allmsgs = pl.concat(
        [f.select(pl.col("_row").cast(pl.Int64), pl.col("msg").cast(pl.String)) for f in found]
    ).filter(pl.col("msg").is_not_null())
    if allmsgs.height == 0:
        return pl.Series("error", [None] * persons.height, dtype=pl.String)
    per_row = (
        allmsgs.unique(maintain_order=True)
        .group_by("_row", maintain_order=True)
        .agg(pl.col("msg").str.join("; "))
        .with_columns(pl.col("msg").map_elements(mask_text, return_dtype=pl.String))
    )
    out = persons.select(pl.col("_row").cast(pl.Int64)).join(
        per_row, on="_row", how="left", maintain_order="left"
    )
    return out["msg"].alias("error")
