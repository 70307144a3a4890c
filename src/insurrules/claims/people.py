"""What screening needs from a population: who exists, when they were born and died.

Screening reads a :class:`insurrules.population.Population` through this one adapter, so the
claims code depends only on the persons table (``id``, ``birth_date``, ``death_date``) and on the
population's own way of deciding insurance (:mod:`insurrules.claims.insurance`).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from insurrules.claims.schema import ClaimsTableError

__all__ = ["person_table"]

_ID_COLUMNS = ("id", "person_id")


def person_table(population: Any) -> pl.DataFrame:
    """``person_id`` (String), ``birth_date`` and ``death_date`` (Date) of every person."""
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
    ).unique("person_id", keep="first", maintain_order=True)
