"""The tables of a vn-bhyt population, their schema, and each person's case document.

A [`VnPopulation`][insurrules.population.vn.tables.VnPopulation] holds three tables carrying exactly
the facts of a vn-bhyt case document ([`insurrules.vn.case.VnCase`][insurrules.vn.case.VnCase]), one
row per fact. Required columns are listed per table; other columns are kept (``persons.province``,
``persons.household_id``...). Dates are dates (or midnight timestamps) or ISO ``YYYY-MM-DD`` text.

``persons`` (one row per person, in the order results are returned)
    ``id`` (text: the 12-digit personal identification number), ``birth_date`` (date), ``sex``
    (``male``/``female``), ``death_date`` (date, optional column, null = alive),
    ``household_rank`` (whole number, optional column: the member's place on the household
    ladder, 1 = first member; null = not in a household bill), ``household_id`` (optional, any
    text: which household the person belongs to; not read by the rules).
``payments`` (one row per card purchase)
    ``person_id`` (text), ``paid_on`` (date), ``months`` (whole number: 3, 6 or 12),
    ``amount`` (non-negative number or decimal text, đồng), ``payer`` (the payers of
    [`insurrules.vn.case.VnPayment`][insurrules.vn.case.VnPayment]).
``memberships`` (periods in support groups and fully state-paid groups)
    ``person_id``, ``code`` (a vn membership code: ``near_poor``, ``poor_household``...),
    ``start`` (date), ``end`` (date, optional column, null = open).

Structural problems (missing columns, impossible types, duplicate person ids, records of unknown
persons) raise one [`PopulationError`][insurrules.population.problems.PopulationError] listing all
of them before any work. What is valid in a person's records is decided by the case model
([`VnCase`][insurrules.vn.case.VnCase]): a columnar screen vouches for the persons whose values are
plain and whose records pass the checks that relate them; every other person is judged by the model,
and [`VnPopulation.row_errors`][insurrules.population.vn.tables.VnPopulation.row_errors] carries the
model's error lines (ids masked), so a row error reads as ``decide()``'s error on the same case.

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
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.population.model_check import judge
from insurrules.population.sources import source_of
from insurrules.population.tableset import (
    PopulationError,
    TableSet,
    check_columns,
    empty_table,
    given_value,
    normalize_table,
)
from insurrules.population.vn.loading import load, screen
from insurrules.population.vn.schema import VN_SCHEMA, VN_TABLES
from insurrules.vn.case import CARD_RULES_START, VnCase

__all__ = ["VN_SCHEMA", "VN_TABLES", "VnPopulation", "vn_case_document"]


def _empty(table: str) -> pl.DataFrame:
    return empty_table(VN_SCHEMA[table])


class VnPopulation(TableSet):
    """The tables of a vn-bhyt population (see the module docstring for the schema).

    Build it with `from_frames` or `from_parquet` (or the constructor, which takes
    the same tables).
    """

    TABLE_NAMES: ClassVar[tuple[str, ...]] = VN_TABLES

    def __init__(
        self, persons: Any, payments: Any = None, memberships: Any = None, scheme: str = "vn-bhyt"
    ) -> None:
        given = {"persons": persons, "payments": payments, "memberships": memberships}
        self.scheme = scheme
        self.sources = {
            name: source_of(name, _empty(name) if data is None else data)
            for name, data in given.items()
        }
        problems: list[str] = []
        for name, source in self.sources.items():
            check_columns(name, source.schema, problems, VN_SCHEMA[name])
        if problems:
            raise PopulationError(problems)
        #: derived data computed once per population (cards of a rule set...)
        self.cache: dict[str, Any] = {}
        loaded = load(self.sources, problems)
        if loaded is None:
            raise PopulationError(problems)
        #: every table read once into arrays (`insurrules.population.vn.loading`)
        self.loaded = loaded

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_frames(
        cls, persons: Any, payments: Any = None, memberships: Any = None
    ) -> VnPopulation:
        """The tables given as polars, pandas or Arrow tables, dicts of columns, or paths to
        Parquet files or folders.

        Raises [`PopulationError`][insurrules.population.problems.PopulationError] listing every
        structural problem.
        """
        return cls(persons, payments, memberships)

    # -- the tables in the schema's types ------------------------------------------------------
    def _read(self, table: str) -> pl.DataFrame:
        source = self.sources[table]
        return normalize_table(table, source.frame(), [], VN_SCHEMA[table])

    @cached_property
    def persons(self) -> pl.DataFrame:
        """``persons`` in the schema's types (a value that cannot be read is null)."""
        return self._read("persons")

    @cached_property
    def payments(self) -> pl.DataFrame:
        return self._read("payments")

    @cached_property
    def memberships(self) -> pl.DataFrame:
        return self._read("memberships")

    def record_rows(self) -> dict[str, npt.NDArray[np.int32]]:
        """The person row (position in ``persons``) of every record of each table."""
        return {"payments": self.loaded.payments.rows, "memberships": self.loaded.memberships.rows}

    # -- one person ----------------------------------------------------------------------------
    def document_of(
        self, person: dict[str, Any], records: dict[str, list[dict[str, Any]]]
    ) -> dict[str, Any]:
        return vn_case_document(person, records["memberships"], records["payments"])

    def case(self, person_id: str, as_of: dt.date | str) -> VnCase:
        """The validated case of one person (raises the case model's validation error)."""
        from insurrules.case import parse_case

        case = parse_case(self.case_document(person_id, as_of))
        assert isinstance(case, VnCase)
        return case

    # -- row-level validation ----------------------------------------------------------------
    @cached_property
    def row_errors(self) -> pl.Series:
        """Per person (in order): null, or the case model's error on that person's records."""
        vouched = _screen(self)
        # nulls made as one column, the judged persons' lines written into it (a Python list
        # of a null per person costs 0.1 s per million)
        errors = pl.repeat(None, vouched.size, dtype=pl.String, eager=True).alias("error")
        judged = np.flatnonzero(~vouched)
        if judged.size:
            documents = self.case_documents(judged.tolist())
            as_of = CARD_RULES_START  # the row check does not depend on the day asked about
            verdicts = judge({**d, "as_of": as_of} for d in documents)
            lines = pl.Series([error for _, error in verdicts], dtype=pl.String)
            errors = errors.scatter(judged, lines)
        return errors


def _screen(pop: VnPopulation) -> npt.NDArray[np.bool_]:
    """Persons whose records the case model surely accepts (vectorised, only ever vouching)."""
    return screen(pop.loaded)


def _whole(value: Any) -> Any:
    """A whole float (pandas stores integers with gaps as floats) as the integer it is."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**31:
        return int(value)
    return value


def vn_case_document(
    person_row: Mapping[str, Any],
    memberships: list[dict[str, Any]],
    payments: list[dict[str, Any]],
) -> dict[str, Any]:
    """A person's vn-bhyt case document (without ``as_of``) from their rows, as given."""
    p = person_row
    person: dict[str, Any] = {
        "id": p["id"],
        "birth_date": given_value(p["birth_date"]),
        "sex": p["sex"],
    }
    if p.get("death_date") is not None:
        person["death_date"] = given_value(p["death_date"])
    if p.get("household_rank") is not None:
        person["household"] = {"rank": _whole(p["household_rank"])}
    person["memberships"] = [
        {"code": m["code"], "start": given_value(m["start"]), "end": given_value(m.get("end"))}
        for m in memberships
    ]
    document_payments = [
        {
            "paid_on": given_value(x["paid_on"]),
            "months": _whole(x["months"]),
            "amount": x["amount"],
            "payer": x["payer"],
        }
        for x in payments
    ]
    return {"scheme": "vn-bhyt", "person": person, "payments": document_payments}
