"""The tables of a population (kz-osms), their schema, and each person's case document.

A [`Population`][insurrules.population.kz.tables.Population] holds five tables. Required columns are
listed per table; other columns are kept (``persons.region``, for example, is used by
[`compare`][insurrules.population.comparison.compare]). Dates are dates (or midnight timestamps) or
ISO ``YYYY-MM-DD`` text; months are ``YYYY-MM`` text or dates; amounts numbers or decimal text.

``persons`` (one row per person, in the order results are returned)
    ``id`` (text, IIN: 12 digits), ``birth_date`` (date), ``sex`` (``male``/``female``),
    ``death_date`` (date, optional column, null = alive), ``residency`` (optional column, null
    or absent = ``citizen``; the values of
    [`insurrules.kz.case.KzPerson`][insurrules.kz.case.KzPerson]), ``region`` (optional, any text).
``payments`` (one row per payment record)
    ``person_id`` (text), ``month`` (the month paid for), ``paid_on`` (date it arrived),
    ``amount`` (non-negative number or decimal text), ``payer`` (the payers of
    [`insurrules.kz.case.KzPayment`][insurrules.kz.case.KzPayment]).
``memberships`` (periods in state-paid categories)
    ``person_id``, ``code`` (kz membership code), ``start`` (date), ``end`` (date, null = open).
``welfare_levels`` (Digital Family Card levels)
    ``person_id``, ``level`` (``A``..``E``), ``start`` (date), ``end`` (date, null = open).
``care_requests`` (days the person applied for care)
    ``person_id``, ``date`` (date).

Structural problems (missing columns, types no value of which could be right, duplicate person
ids) raise one [`PopulationError`][insurrules.population.problems.PopulationError] listing all of
them; records of persons not in ``persons`` are such a problem too, found when the records are first
read ([`build_index`][insurrules.population.kz.index.build_index] or the first evaluation). What is
valid in a person's records is decided by the case model
([`insurrules.kz.case.KzCase`][insurrules.kz.case.KzCase]), the one definition ``decide()`` uses: a
person whose records it rejects keeps a result row whose ``error`` is the model's error (see
[`insurrules.population.kz.index`][insurrules.population.kz.index]).

The tables are kept as given (`Population.sources`): a Parquet extract is not read into
memory whole; its columns are read in batches when the engine's index is built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any, ClassVar, get_args

import polars as pl

from insurrules.kz.case import (
    KZ_MEMBERSHIP_CODES,
    KzCase,
    KzPayment,
    KzPerson,
    WelfareLevel,
)
from insurrules.population.sources import TableSource, source_of
from insurrules.population.tableset import (
    AMOUNT,
    DATE,
    MONTH,
    TEXT,
    PersonRows,
    PopulationError,
    TableSet,
    check_columns,
    empty_table,
    given_value,
    normalize_table,
)

__all__ = [
    "LEVELS",
    "PAYERS",
    "RESIDENCIES",
    "SCHEMA",
    "SEXES",
    "TABLES",
    "Population",
    "PopulationError",
    "case_document_of",
]

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

# The enumerations are the case model's own (kz/case.py), never copied.
RESIDENCIES: tuple[str, ...] = get_args(KzPerson.model_fields["residency"].annotation)
DEFAULT_RESIDENCY: str = KzPerson.model_fields["residency"].default
SEXES: tuple[str, ...] = get_args(KzPerson.model_fields["sex"].annotation)
PAYERS: tuple[str, ...] = get_args(KzPayment.model_fields["payer"].annotation)
LEVELS: tuple[str, ...] = get_args(WelfareLevel.model_fields["level"].annotation)
MEMBERSHIP_CODES: tuple[str, ...] = KZ_MEMBERSHIP_CODES
_DEFAULTS = {"residency": DEFAULT_RESIDENCY}


def _read(table: str, source: TableSource, problems: list[str]) -> pl.DataFrame:
    columns = [c for c in SCHEMA[table] if c in source.schema]
    extra = [c for c in source.schema if c not in SCHEMA[table]] if table == "persons" else []
    frame = source.frame([*columns, *extra])
    return normalize_table(table, frame, problems, SCHEMA[table], _DEFAULTS)


class Population(TableSet):
    """The tables of a kz-osms population (see the module docstring for the schema).

    Build it with `from_frames` or `from_parquet` (or the constructor, which takes
    the same tables).
    """

    TABLE_NAMES: ClassVar[tuple[str, ...]] = TABLES

    def __init__(
        self,
        persons: Any,
        payments: Any = None,
        memberships: Any = None,
        welfare_levels: Any = None,
        care_requests: Any = None,
        scheme: str = "kz-osms",
    ) -> None:
        given = {
            "persons": persons,
            "payments": payments,
            "memberships": memberships,
            "welfare_levels": welfare_levels,
            "care_requests": care_requests,
        }
        self.scheme = scheme
        self.sources = {
            name: source_of(name, empty_table(SCHEMA[name]) if data is None else data)
            for name, data in given.items()
        }
        problems: list[str] = []
        for name, source in self.sources.items():
            check_columns(name, source.schema, problems, SCHEMA[name])
        if problems:
            raise PopulationError(problems)
        #: derived data computed once per population (the engine's index...)
        self.cache: dict[str, Any] = {}
        ids = self.ids
        rows = self.person_rows()
        if rows.by_number:  # ids as numbers, sorted once for the lookups anyway
            n = rows.repeated()
        else:
            dup = ids.is_duplicated()
            n = int(ids.filter(dup).n_unique()) if dup.any() else 0
        if n:
            raise PopulationError([f"persons.id: {n} id(s) appear more than once"])

    def person_rows(self) -> PersonRows:
        """The lookup of a person's row by id (built once)."""
        found = self.cache.get("person_rows")
        if not isinstance(found, PersonRows):
            found = self.cache["person_rows"] = PersonRows(self.ids)
        return found

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
        """The tables given as polars, pandas or Arrow tables, dicts of columns, or paths to
        Parquet files or folders (see
        `insurrules.population.sources`).

        Raises [`PopulationError`][insurrules.population.problems.PopulationError] listing every
        structural problem.
        """
        return cls(persons, payments, memberships, welfare_levels, care_requests)

    # -- the tables in the schema's types ------------------------------------------------------
    @cached_property
    def ids(self) -> pl.Series:
        """The persons' ids as text, in row order: only this column is read (the engine reads
        the others itself; the whole table waits until `persons` is asked for)."""
        if "persons" in self.__dict__:
            return self.persons["id"]
        return self.sources["persons"].frame(["id"])["id"].cast(pl.String)

    @cached_property
    def persons(self) -> pl.DataFrame:
        """``persons`` in the schema's types (a date that cannot be read is null; the case
        model words the error), other columns kept."""
        return _read("persons", self.sources["persons"], [])

    @cached_property
    def payments(self) -> pl.DataFrame:
        """``payments`` in the schema's types, read into memory (the engine does not need it)."""
        return _read("payments", self.sources["payments"], [])

    @cached_property
    def memberships(self) -> pl.DataFrame:
        return _read("memberships", self.sources["memberships"], [])

    @cached_property
    def welfare_levels(self) -> pl.DataFrame:
        return _read("welfare_levels", self.sources["welfare_levels"], [])

    @cached_property
    def care_requests(self) -> pl.DataFrame:
        return _read("care_requests", self.sources["care_requests"], [])

    # -- one person ----------------------------------------------------------------------------
    def document_of(
        self, person: dict[str, Any], records: dict[str, list[dict[str, Any]]]
    ) -> dict[str, Any]:
        return case_document_of(
            self.scheme,
            person,
            records["memberships"],
            records["welfare_levels"],
            records["care_requests"],
            records["payments"],
        )

    def case(self, person_id: str, as_of: dt.date | str) -> KzCase:
        """The validated case of one person (raises the case model's validation error)."""
        from insurrules.case import parse_case

        case = parse_case(self.case_document(person_id, as_of))
        assert isinstance(case, KzCase)
        return case


def _month(value: Any) -> Any:
    """A month as ``YYYY-MM`` text: a date (or a midnight timestamp) names its month."""
    value = given_value(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value.year:04d}-{value.month:02d}"
    return value


def case_document_of(
    scheme: str,
    person_row: Mapping[str, Any],
    memberships: Iterable[Mapping[str, Any]],
    welfare_levels: Iterable[Mapping[str, Any]],
    care_requests: Iterable[Mapping[str, Any]],
    payments: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """A person's case document (without ``as_of``) from their rows of each table, as given."""
    p = person_row
    person: dict[str, Any] = {
        "id": p["id"],
        "birth_date": given_value(p["birth_date"]),
        "sex": p["sex"],
    }
    if p.get("residency") is not None:
        person["residency"] = p["residency"]
    if p.get("death_date") is not None:
        person["death_date"] = given_value(p["death_date"])

    def period(row: Mapping[str, Any], key: str) -> dict[str, Any]:
        return {
            key: row[key],
            "start": given_value(row["start"]),
            "end": given_value(row.get("end")),
        }

    person["memberships"] = [period(m, "code") for m in memberships]
    person["welfare_levels"] = [period(w, "level") for w in welfare_levels]
    person["care_requests"] = [given_value(r["date"]) for r in care_requests]
    document_payments = [
        {
            "month": _month(x["month"]),
            "paid_on": given_value(x["paid_on"]),
            "amount": x["amount"],
            "payer": x["payer"],
        }
        for x in payments
    ]
    return {"scheme": scheme, "person": person, "payments": document_payments}
