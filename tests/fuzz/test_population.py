"""Population tables with hostile values among good rows (issue 14 at the population scale).

Every cell a table can hold (text, or a number in a numeric column) is fair game: for every
input, ``evaluate()`` answers every person (no row dropped, none lost to another's value), each
row's ``error`` is the case model's error on that person's case document (the same answer as
``decide()``), no error holds an unmasked id, and the run is bounded in time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from insurrules.errors import InvalidCase, error_lines
from insurrules.population import Population, evaluate, synthetic
from insurrules.population.model_check import masked
from tests.fuzz.checks import assert_no_unmasked_id, bounded_time
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.strategies import NASTY

AS_OF = dt.date(2026, 3, 15)
_GOOD = synthetic(12, seed=7, text=True)
_TABLES = {name: _GOOD.sources[name].frame() for name in _GOOD.TABLE_NAMES}
#: text a column can hold: the hostile strings (a lone surrogate is replaced when read from a
#: pandas column: no Arrow text holds it), and nulls
_STRINGS = [v for v in NASTY if isinstance(v, str) and len(v) < 1000]
_TEXT: list[str | None] = [v for v in _STRINGS if not any(0xD800 <= ord(c) <= 0xDFFF for c in v)]
_TEXT.append(None)
text_values = st.one_of(
    st.sampled_from(_TEXT), st.text(st.characters(blacklist_categories=["Cs"]), max_size=20)
)
number_values = st.one_of(
    st.sampled_from([0, -1, 2**62, 1.5, float("nan"), float("inf"), -0.0]),
    st.integers(-(2**62), 2**62),
    st.floats(),
)
_COLUMNS = [
    (name, column)
    for name, frame in _TABLES.items()
    for column in frame.columns
    if column not in ("region",) and frame.height
]


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.all().cast(pl.String))


@st.composite
def spoiled(draw: st.DrawFn) -> dict[str, pl.DataFrame]:
    """The good tables in the contract's text types with a few cells replaced."""
    tables = {name: _as_text(frame) for name, frame in _TABLES.items()}
    for _ in range(draw(st.integers(1, 4))):
        name, column = draw(st.sampled_from(_COLUMNS))
        if column in ("person_id", "id"):
            continue  # ids follow below, with their records
        frame = tables[name]
        at = draw(st.integers(0, frame.height - 1))
        value = draw(text_values)
        tables[name] = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == at)
            .then(pl.lit(value, dtype=pl.String))
            .otherwise(pl.col(column))
            .alias(column)
        )
    if draw(st.booleans()):  # a hostile id, its records following it
        at = draw(st.integers(0, tables["persons"].height - 1))
        old = tables["persons"]["id"][at]
        new = draw(text_values)
        if new is not None and new not in tables["persons"]["id"].to_list():
            for name, frame in tables.items():
                key = "id" if name == "persons" else "person_id"
                tables[name] = frame.with_columns(
                    pl.when(pl.col(key) == old).then(pl.lit(new)).otherwise(pl.col(key)).alias(key)
                )
    if draw(st.booleans()):  # a numeric amount column with an extreme number
        amounts = pl.Series([draw(number_values) for _ in range(3)], strict=False)
        kind = pl.Int64 if amounts.dtype.is_integer() else pl.Float64
        numeric = _TABLES["payments"]["amount"].cast(pl.Float64).cast(kind, strict=False)
        tables["payments"] = tables["payments"].with_columns(
            numeric.scatter([0, 1, 2], amounts.cast(kind)).alias("amount")
        )
    return tables


def _model_error(document: dict[str, Any]) -> str | None:
    from insurrules.case import parse_case

    try:
        parse_case({**document, "as_of": AS_OF})
    except InvalidCase as exc:
        return masked("; ".join(error_lines(exc)))
    return None


@fuzz_settings(0.3)
@given(spoiled())
def test_every_person_is_answered_with_the_models_verdict(tables: dict[str, pl.DataFrame]) -> None:
    with bounded_time("population"):
        pop = Population.from_frames(**tables)
        result = evaluate(pop, AS_OF)
    assert result.height == tables["persons"].height
    assert_no_unmasked_id(result["error"].drop_nulls().to_list())
    documents = pop.case_documents(range(len(pop)))
    for i, document in enumerate(documents):
        error = _model_error(document)
        assert result["error"][i] == error
        assert (result["status"][i] is None) == (error is not None)
