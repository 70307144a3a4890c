"""Was the person insured on the service date? The rules' own answer, per claim.

A claim is judged with ``as_of`` = its service date ([the contract][contract]): only facts known
that day count, so a debt paid later never makes a past service insured. Each distinct (person,
service date) pair is asked once. A [`Population`][insurrules.population.kz.tables.Population] is
asked through the population engine
([`insurrules.population.kz.engine.answer`][insurrules.population.kz.engine.answer], the same law as
``decide()``): one call answers every pair, each with the facts known on its own day, and gives the
reasons of each refusal from the same functions ``decide()`` uses
([`status_by_evaluate`][insurrules.claims.insurance.status_by_evaluate]). Any other object with
``case(person_id, as_of)`` is asked through [`insurrules.decide`][insurrules.api.decide] pair by
pair ([`status_by_decide`][insurrules.claims.insurance.status_by_decide], the reference). Property
tests keep both paths equal to ``decide()``.

Interpretation (flagged here, not in the law): a service before the scheme's benefits start
(``kz.scheme.benefits_start``, 2020-01-01) billed to OSMS is refused with the reason
[`not_started`][insurrules.kz.decide.not_started] (code ``kz.scheme.not_started``), since
``decide()`` has no decision before the scheme's benefits started
([kz-osms rules: Time model][kz-rules-time-model], R5.1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from pydantic import ValidationError

from insurrules.api import decide
from insurrules.errors import error_lines
from insurrules.kz.decide import not_started
from insurrules.kz.params import kz_params
from insurrules.kz.rules import default_rules
from insurrules.messages import speaking
from insurrules.models import Decision, Reason
from insurrules.parameters import RuleSet

__all__ = ["Progress", "decision_reason", "insured_status", "status_by_decide"]

#: progress callback: (stage, fraction done in 0..1)
Progress = Callable[[str, float], None]

#: reasons that only describe the facts used, not why the person is (not) insured
_CONTEXT_CODES = frozenset({"kz.facts.later_ignored"})

_EPOCH = dt.date(1970, 1, 1)
_DAY_BITS = 24  # a question's key: person row, then the day in 24 bits (years 1 to 9999 fit)
_DAY_BASE = -(1 << 23)

STATUS_SCHEMA: dict[str, Any] = {
    "person_id": pl.String,
    "service_date": pl.Date,
    "insured": pl.Boolean,
    "code": pl.String,
    "message": pl.String,
    "error": pl.String,
}


def decision_reason(decision: Decision) -> tuple[str, str]:
    """The code and message of the reason that decided a refusal (the first that is not context)."""
    return _first_reason(list(decision.reasons))


def _one(
    population: Any, person_id: str, day: dt.date, rules: RuleSet, lang: str = "en"
) -> tuple[bool | None, str | None, str | None, str | None]:
    if day < kz_params(rules).benefits_start:
        with speaking(lang, "kz-osms"):
            early = not_started(rules)
        return False, early.code, early.message, None
    try:
        decision = decide(population.case(person_id, day), rules, lang=lang)
    except ValidationError as exc:
        return None, None, None, "; ".join(error_lines(exc))
    if decision.insured:
        return True, None, None, None
    code, message = decision_reason(decision)
    return False, code, message, None


def status_by_decide(
    population: Any,
    pairs: pl.DataFrame,
    rules: RuleSet | None = None,
    progress: Progress | None = None,
    *,
    lang: str = "en",
) -> pl.DataFrame:
    """Status of each distinct ``(person_id, service_date)`` pair through
    [`decide`][insurrules.api.decide] (the messages in ``lang``).

    Exact by definition, and the reference the fast path is tested against; about half a
    millisecond per pair. ``error`` holds the population's validation problem for a person whose
    records are invalid (``insured`` null then).
    """
    rules = rules or default_rules()
    rows: list[tuple[Any, ...]] = []
    tell = progress or (lambda stage, done: None)
    total = max(pairs.height, 1)
    step = max(total // 100, 1)
    for i, (person_id, day) in enumerate(pairs.select("person_id", "service_date").iter_rows()):
        rows.append((person_id, day, *_one(population, person_id, day, rules, lang)))
        if i % step == 0:
            tell("insurance", i / total)
    tell("insurance", 1.0)
    return pl.DataFrame(rows, schema=STATUS_SCHEMA, orient="row")


@dataclass(frozen=True)
class Judged:
    """Per question: insured, and for a refusal the code and message of its first reason."""

    insured: npt.NDArray[np.bool_]
    code: pl.Series
    message: pl.Series


def judge(
    population: Any,
    rows: npt.NDArray[np.int64],
    days: npt.NDArray[np.int64],
    rules: RuleSet | None = None,
    progress: Progress | None = None,
    *,
    reasons: bool = True,
    lang: str = "en",
) -> Judged:
    """Was person ``rows[i]`` of ``population`` (a valid one) insured on day ``days[i]`` (day
    numbers)? Each distinct pair is asked once; all in one call of the population engine.

    A day before the scheme's benefits start is a refusal
    ([`not_started`][insurrules.kz.decide.not_started]). ``reasons=False`` leaves ``code`` and
    ``message`` null; ``lang``: the language of the messages.
    """
    from insurrules.population.kz.engine import answer

    tell = progress or (lambda stage, done: None)
    tell("insurance", 0.0)
    rules = rules or default_rules()
    first_day = (kz_params(rules).benefits_start - _EPOCH).days
    with speaking(lang, "kz-osms"):
        early = not_started(rules)
    # one question per distinct (person, day)
    keys, inverse = np.unique((rows << _DAY_BITS) | (days - _DAY_BASE), return_inverse=True)
    asked_rows, asked_days = keys >> _DAY_BITS, (keys & ((1 << _DAY_BITS) - 1)) + _DAY_BASE
    in_scheme = asked_days >= first_day
    insured = np.zeros(keys.size, dtype=np.bool_)
    codes: list[str | None] = [None] * keys.size
    messages: list[str | None] = [None] * keys.size
    for q in np.flatnonzero(~in_scheme).tolist():
        codes[q], messages[q] = early.code, early.message
    inside = np.flatnonzero(in_scheme)

    def report(done: int, total: int) -> None:
        tell("insurance", 0.95 * done / max(total, 1))

    with speaking(lang, "kz-osms"):  # the refusals are worded in the language asked for
        found = answer(
            population, asked_rows[inside], asked_days[inside], rules, why=reasons, progress=report
        )
    insured[inside] = found.insured
    for q, why in found.reasons.items():
        codes[inside[q]], messages[inside[q]] = _first_reason(why)
    tell("insurance", 1.0)
    index = pl.Series(inverse.astype(np.int64))
    return Judged(
        insured=insured[inverse],
        code=pl.Series("code", codes, dtype=pl.String).gather(index),
        message=pl.Series("message", messages, dtype=pl.String).gather(index),
    )


def judge_frame(
    population: Any,
    asked: pl.DataFrame,
    rules: RuleSet | None = None,
    progress: Progress | None = None,
    *,
    reasons: bool = True,
    lang: str = "en",
) -> Judged:
    """[`judge`][insurrules.claims.insurance.judge] for the rows of ``asked``: ``_row`` (person row)
    and ``service_date``."""
    return judge(
        population,
        asked["_row"].to_numpy().astype(np.int64),
        asked["service_date"].cast(pl.Int32).to_numpy().astype(np.int64),
        rules,
        progress,
        reasons=reasons,
        lang=lang,
    )


def status_by_evaluate(
    population: Any,
    pairs: pl.DataFrame,
    rules: RuleSet | None = None,
    progress: Progress | None = None,
    *,
    reasons: bool = True,
    lang: str = "en",
) -> pl.DataFrame:
    """Status of each distinct pair through the population engine
    ([`judge`][insurrules.claims.insurance.judge]).

    ``reasons=False`` skips the reasons of refusals (``code`` and ``message`` null).
    """
    from insurrules.claims.people import claim_people

    people = claim_people(population).select("person_id", "_row", "_error")
    pairs = pairs.select("person_id", "service_date").join(
        people, on="person_id", how="left", maintain_order="left"
    )
    rules = rules or default_rules()
    with speaking(lang, "kz-osms"):
        early = not_started(rules)
    in_scheme = pl.col("service_date") >= kz_params(rules).benefits_start
    asked = pairs.filter(pl.col("_row").is_not_null() & pl.col("_error").is_null())
    found = judge_frame(population, asked, rules, progress, reasons=reasons, lang=lang)
    judged = asked.select(
        "person_id",
        "service_date",
        pl.Series("insured", found.insured, dtype=pl.Boolean),
        found.code,
        found.message,
        pl.lit(None, dtype=pl.String).alias("error"),
    )
    broken = pairs.filter(pl.col("_error").is_not_null()).select(
        "person_id",
        "service_date",
        pl.when(~in_scheme).then(pl.lit(False)).alias("insured"),
        pl.when(~in_scheme).then(pl.lit(early.code)).alias("code"),
        pl.when(~in_scheme).then(pl.lit(early.message)).alias("message"),
        pl.when(in_scheme).then(pl.col("_error")).alias("error"),
    )
    return pl.concat([judged, broken]).cast(STATUS_SCHEMA)  # type: ignore[arg-type]


def _first_reason(reasons: list[Reason]) -> tuple[str, str]:
    for reason in reasons:
        if reason.code not in _CONTEXT_CODES:
            return reason.code, reason.message
    return "kz.status.not_insured", "not insured"  # pragma: no cover - a refusal always says why


def insured_status(
    population: Any,
    pairs: pl.DataFrame,
    rules: RuleSet | None = None,
    progress: Progress | None = None,
    *,
    reasons: bool = True,
    lang: str = "en",
) -> pl.DataFrame:
    """Status of each distinct ``(person_id, service_date)`` pair (columns of ``STATUS_SCHEMA``).

    A [`Population`][insurrules.population.kz.tables.Population] goes through the population engine;
    any other object with a ``case(person_id, as_of)`` method through
    [`decide`][insurrules.api.decide], pair by pair; the messages in ``lang`` (``en``, ``ru``,
    ``kk``). ``reasons=False`` skips the reason codes of
    refusals (``code`` and ``message`` null).
    """
    try:
        from insurrules.population.kz.tables import Population
    except ImportError:  # pragma: no cover - the population extra is missing
        return status_by_decide(population, pairs, rules, progress, lang=lang)
    if isinstance(population, Population):
        return status_by_evaluate(population, pairs, rules, progress, reasons=reasons, lang=lang)
    return status_by_decide(population, pairs, rules, progress, lang=lang)
