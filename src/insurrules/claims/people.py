"""What screening needs from a population: who exists, when they were born and died.

Screening reads a [`insurrules.population.Population`][insurrules.population.kz.tables.Population]
through this one adapter, so the claims code depends only on the persons table (``id``,
``birth_date``, ``death_date``) and on the population's own way of deciding insurance
([`insurrules.claims.insurance`][insurrules.claims.insurance]).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from insurrules.claims.schema import ClaimsTableError

__all__ = ["claim_people", "person_table"]

_ID_COLUMNS = ("id", "person_id")


def person_table(population: Any, extra: list[pl.Expr] | None = None) -> pl.DataFrame:
    """``person_id`` (String), ``birth_date`` and ``death_date`` (Date) of every person (the
    first row of an id), and the ``extra`` columns computed over the persons table."""
    persons = getattr(population, "persons", population)
    if isinstance(persons, pl.LazyFrame):
        persons = persons.collect()
    if not isinstance(persons, pl.DataFrame):
        raise ClaimsTableError(
            [
                "population: expected a Population or a persons table, "
                f"got {type(population).__name__}"
            ]
        )
    problems = []
    id_column = next((c for c in _ID_COLUMNS if c in persons.columns), None)
    if id_column is None:
        problems.append("population.persons: missing column id")
    for name in ("birth_date", "death_date"):
        if name not in persons.columns:
            if name == "birth_date":
                problems.append(f"population.persons: missing column {name}")
        elif persons.schema[name] != pl.Date:
            problems.append(
                f"population.persons.{name}: column of type {persons.schema[name]}, expected Date"
            )
    if problems:
        raise ClaimsTableError(problems)
    assert id_column is not None
    death = pl.col("death_date") if "death_date" in persons.columns else pl.lit(None, dtype=pl.Date)
    return persons.select(
        pl.col(id_column).cast(pl.String).alias("person_id"),
        pl.col("birth_date"),
        death.alias("death_date"),
        *(extra or []),
    ).unique("person_id", keep="first", maintain_order=True)


def _row_errors(population: Any) -> pl.Series | None:
    """The population's row errors (the case model's), or None for a bare persons table."""
    from insurrules.population.kz.tables import Population

    if isinstance(population, Population):
        from insurrules.population.kz.index import row_errors

        return row_errors(population)
    errors = getattr(population, "row_errors", None)
    return errors if isinstance(errors, pl.Series) else None


def claim_people(population: Any) -> pl.DataFrame:
    """[`person_table`][insurrules.claims.people.person_table] with ``_row`` (the person's position
    in ``population.persons``) and ``_error`` (the population's row check of the person's records),
    kept for reuse.

    For a bare persons table both are null: nothing is known about its records.
    """
    cache = getattr(population, "cache", None)
    found = cache.get("claims_people") if isinstance(cache, dict) else None
    if isinstance(found, pl.DataFrame):
        return found
    errors = _row_errors(population)
    row = pl.int_range(pl.len(), dtype=pl.Int64).alias("_row")
    extra: list[pl.Expr]
    if isinstance(errors, pl.Series):
        extra = [row, pl.lit(errors).alias("_error")]
    else:
        extra = [
            pl.lit(None, dtype=pl.Int64).alias("_row"),
            pl.lit(None, dtype=pl.String).alias("_error"),
        ]
    people = person_table(population, extra)
    if isinstance(cache, dict):
        cache["claims_people"] = people
    return people
