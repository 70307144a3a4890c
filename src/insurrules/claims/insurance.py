"""Was the person insured on the service date? The rules' own answer, per claim.

A claim is judged with ``as_of`` = its service date (contract.md): only facts known that day
count, so a debt paid later never makes a past service insured. Each distinct (person, service
date) pair is asked once. A :class:`~insurrules.population.Population` is asked through
:func:`insurrules.population.evaluate` (the same law as ``decide()``), about one call per month
of service dates (:func:`status_by_evaluate`); any other object with ``case(person_id, as_of)``
through :func:`insurrules.decide` pair by pair (:func:`status_by_decide`, the reference). The
reason code of a refusal is always the decision's own first reason from ``decide()``, never a
second copy of the law. Property tests keep both paths equal to ``decide()``.

Interpretation (flagged here, not in the law): a service before 2020-01-01 billed to OSMS is
refused with the code ``kz.scheme.not_started``, since ``decide()`` has no decision before the
scheme's benefits started (kz.md "Time model", R5.1).
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from functools import cached_property
from typing import Any

import polars as pl
from pydantic import ValidationError

from insurrules.api import decide
from insurrules.errors import error_lines
from insurrules.kz.case import BENEFITS_START
from insurrules.models import Decision
from insurrules.parameters import RuleSet
from insurrules.population.tables import case_document_of

__all__ = ["Progress", "decision_reason", "insured_status", "status_by_decide"]

#: progress callback: (stage, fraction done in 0..1)
Progress = Callable[[str, float], None]

#: reasons that only describe the facts used, not why the person is (not) insured
_CONTEXT_CODES = frozenset({"kz.facts.later_ignored"})

#: at most this many pairs go through decide() one by one instead of an extra evaluate call
_FEW = 2000

NOT_STARTED_CODE = "kz.scheme.not_started"
NOT_STARTED_MESSAGE = (
    f"kz-osms benefits start on {BENEFITS_START.isoformat()} (Law 405-V art. 40; kz.md R5.1)"
)

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
    for reason in decision.reasons:
        if reason.code not in _CONTEXT_CODES:
            return reason.code, reason.message
    return "kz.status.not_insured", "not insured"  # pragma: no cover - a refusal always says why


def _one(
    population: Any, person_id: str, day: dt.date, rules: RuleSet | None
) -> tuple[bool | None, str | None, str | None, str | None]:
    if day < BENEFITS_START:
        return False, NOT_STARTED_CODE, NOT_STARTED_MESSAGE, None
    try:
        decision = decide(population.case(person_id, day), rules)
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
) -> pl.DataFrame:
    """Status of each distinct ``(person_id, service_date)`` pair through :func:`decide`.

    Exact by definition, and the reference the fast path is tested against; about half a
    millisecond per pair. ``error`` holds the population's validation problem for a person whose
    records are invalid (``insured`` null then).
    """
    rows: list[tuple[Any, ...]] = []
    tell = progress or (lambda stage, done: None)
    total = max(pairs.height, 1)
    step = max(total // 100, 1)
    for i, (person_id, day) in enumerate(pairs.select("person_id", "service_date").iter_rows()):
        rows.append((person_id, day, *_one(population, person_id, day, rules)))
        if i % step == 0:
            tell("insurance", i / total)
    tell("insurance", 1.0)
    return pl.DataFrame(rows, schema=STATUS_SCHEMA, orient="row")


_TABLES = ("memberships", "welfare_levels", "care_requests", "payments")


def case_documents(population: Any) -> dict[str, dict[str, Any]]:
    """The case document of every person of a (small) population, without ``as_of``.

    The same documents as ``Population.case_document`` (a test keeps them equal), built with
    one pass over each table instead of one filter per person.
    """
    by_person = {
        name: getattr(population, name).rows_by_key("person_id", named=True) for name in _TABLES
    }
    documents: dict[str, dict[str, Any]] = {}
    for p in population.persons.iter_rows(named=True):
        pid = p["id"]
        documents[pid] = case_document_of(
            population.scheme,
            p,
            *(by_person[name].get(pid, []) for name in _TABLES),
        )
    return documents


class _Documents:
    """``case(person_id, as_of)`` over prepared documents, for :func:`status_by_decide`."""

    def __init__(self, population: Any) -> None:
        self.documents = case_documents(population)

    def case(self, person_id: str, as_of: dt.date) -> dict[str, Any]:
        return {**self.documents[person_id], "as_of": as_of}


def _canonical(population: Any, pairs: pl.DataFrame) -> pl.DataFrame:
    """Each pair with ``known_on``, the earliest day of its month whose decision is the one of
    the service date, and ``as_of``, a day of that month to evaluate that decision on.

    A kz-osms decision reads the month of ``as_of``, the facts that arrived by ``as_of``
    (payments by ``paid_on``, care requests by date) and whether ``as_of`` is after the death
    (kz/facts.py, kz/decide.py). Within a month it can change only on a day a fact arrives or on
    the day after the death, so ``known_on`` is the latest such day up to the service date (else
    the 1st). Given only the facts known on ``known_on``, any later day of the month on which the
    person is equally alive or dead gives that decision: the month's last day, or the death day.
    """
    first = pl.col("service_date").dt.month_start()
    lo, hi = pairs["service_date"].min(), pairs["service_date"].max()
    within = pl.col("day").is_between(lo, hi) if lo is not None else pl.lit(False)
    # only arrivals in the period of the claims can fall between a month's start and a claim
    arrivals = (
        pl.concat(
            [
                population.payments.select("person_id", pl.col("paid_on").alias("day")),
                population.care_requests.select("person_id", pl.col("date").alias("day")),
            ]
        )
        .filter(within)
        .with_columns(pl.col("day").dt.month_start().alias("first"))
    )
    base = pairs.with_columns(first.alias("first"))
    latest = (
        base.join(arrivals, on=["person_id", "first"], how="inner")
        .filter((pl.col("day") > pl.col("first")) & (pl.col("day") <= pl.col("service_date")))
        .group_by("person_id", "service_date")
        .agg(pl.col("day").max().alias("arrived"))
    )
    death = pl.col("death_date")
    died_since = death.is_not_null() & (death >= pl.col("first")) & (death < pl.col("service_date"))
    out = base.join(latest, on=["person_id", "service_date"], how="left").with_columns(
        pl.max_horizontal(
            "first", "arrived", pl.when(died_since).then(death.dt.offset_by("1d"))
        ).alias("known_on")
    )
    last = pl.col("first").dt.month_end()
    dies_later = death.is_not_null() & (pl.col("known_on") <= death) & (death < last)
    out = out.with_columns(last.alias("as_of"))
    dying = out.filter(dies_later)
    if dying.height:
        out = out.update(_shared_days(dying), on=["person_id", "service_date"], how="left")
    return out


def _shared_days(dying: pl.DataFrame) -> pl.DataFrame:
    """``as_of`` for persons who die later in the month: any day from ``known_on`` to the death
    gives their decision, and as few distinct days as possible means as few ``evaluate`` calls
    (greedy interval stabbing: the earliest death of those not yet covered)."""
    rows = dying.select("person_id", "service_date", "known_on", "death_date").sort("death_date")
    chosen: list[dt.date] = []
    points: list[dt.date] = []
    for known_on, died in rows.select("known_on", "death_date").iter_rows():
        fits = [p for p in points[-1:] if known_on <= p <= died]
        if not fits:
            points.append(died)
        chosen.append(points[-1])
    return rows.select("person_id", "service_date").with_columns(
        pl.Series("as_of", chosen, dtype=pl.Date)
    )


def _can_vouch_for_records(population_type: type) -> bool:
    """Whether a sub-population can be told its records are valid (see :func:`_sub_population`)."""
    return isinstance(inspect.getattr_static(population_type, "row_errors", None), cached_property)


def _sub_population(population_type: type, tables: dict[str, pl.DataFrame], vouch: bool) -> Any:
    sub = population_type(**tables)
    if vouch:
        # Only persons whose records are valid in the whole population are asked, and a subset
        # of valid records is valid: the row check (which would also reject the stand-in ids of
        # a person's second and later days in a month) has nothing to find.
        vars(sub)["row_errors"] = pl.Series(
            "error", [None] * tables["persons"].height, dtype=pl.String
        )
    return sub


def _evaluate_groups(
    population: Any,
    asked: pl.DataFrame,
    persons: pl.DataFrame,
    rules: RuleSet | None,
    tell: Progress,
) -> pl.DataFrame:
    """``person_id, known_on, as_of, insured`` for every distinct key of ``asked``.

    One ``evaluate`` call per ``as_of`` (a month, or a death day): a person with several keys
    in it appears once per key, under a stand-in id (``<IIN>~<n>``) with their own facts. Where
    the population type cannot be vouched for, keys are spread over rounds instead (one call per
    month and round, real ids only).
    """
    from insurrules.population.engine import evaluate

    population_type = type(population)
    vouch = _can_vouch_for_records(population_type)
    nth = pl.int_range(pl.len()).over("person_id", "as_of")
    keys = (
        asked.select("person_id", "known_on", "as_of")
        .unique()
        .sort("as_of", "person_id", "known_on")
        .with_columns(nth.alias("round"))
    )
    if vouch:
        keys = keys.with_columns(
            pl.col("as_of").rank("dense").cast(pl.Int64).alias("group"),
            pl.when(pl.col("round") == 0)
            .then(pl.col("person_id"))
            .otherwise(pl.format("{}~{}", "person_id", "round"))
            .alias("stand_in"),
        )
    else:
        keys = keys.with_columns(
            pl.struct("as_of", "round").rank("dense").cast(pl.Int64).alias("group"),
            pl.col("person_id").alias("stand_in"),
        )
    who = keys.select("person_id", "stand_in", "known_on", "group")

    def facts(table: pl.DataFrame) -> pl.DataFrame:
        return who.join(table, on="person_id").drop("person_id").rename({"stand_in": "person_id"})

    tables = {
        "persons": who.join(persons, left_on="person_id", right_on="id"),
        "payments": facts(population.payments).filter(pl.col("paid_on") <= pl.col("known_on")),
        "care_requests": facts(population.care_requests).filter(
            pl.col("date") <= pl.col("known_on")
        ),
        "memberships": facts(population.memberships),
        "welfare_levels": facts(population.welfare_levels),
    }
    parts = {
        name: {key[0]: part for key, part in table.partition_by("group", as_dict=True).items()}
        for name, table in tables.items()
    }
    groups = keys.group_by("group").agg(pl.col("as_of").first()).sort("group")
    answers: list[pl.DataFrame] = []
    total = max(groups.height, 1)
    for i, (group, as_of) in enumerate(groups.iter_rows()):
        people = parts["persons"][group]
        sub_tables = {
            name: parts[name][group].drop("known_on", "group")
            if group in parts[name]
            else getattr(population, name).clear()
            for name in ("payments", "memberships", "welfare_levels", "care_requests")
        }
        sub_tables["persons"] = people.drop("known_on", "group", "person_id").rename(
            {"stand_in": "id"}
        )
        result = evaluate(_sub_population(population_type, sub_tables, vouch), as_of, rules)
        answers.append(
            pl.DataFrame(
                {
                    "person_id": people["person_id"],
                    "known_on": people["known_on"],
                    "as_of": pl.Series([as_of] * people.height, dtype=pl.Date),
                    "insured": result["status"] == "insured",
                }
            )
        )
        tell("insurance", 0.9 * (i + 1) / total)
    schema = {"person_id": pl.String, "known_on": pl.Date, "as_of": pl.Date, "insured": pl.Boolean}
    return pl.concat(answers) if answers else pl.DataFrame(schema=schema)


def status_by_evaluate(
    population: Any,
    pairs: pl.DataFrame,
    rules: RuleSet | None = None,
    progress: Progress | None = None,
    *,
    reasons: bool = True,
) -> pl.DataFrame:
    """Status of each distinct pair through :func:`insurrules.population.evaluate`.

    Pairs that share a decision (same person and month, no new fact in between, see
    :func:`_canonical`) are asked once, and one ``evaluate`` call answers many persons of a month
    at once, each with the facts known on their own day. The refusals (few) are then decided
    again one by one with :func:`insurrules.decide`, which gives their reason code.
    """
    tell = progress or (lambda stage, done: None)
    tell("insurance", 0.0)
    in_scheme = pl.col("service_date") >= BENEFITS_START
    wanted = pairs.filter(in_scheme)["person_id"].unique()
    # the row check of the records runs on the persons asked about only, unless it has run
    # already or most persons are asked anyway
    known = "row_errors" in vars(population)
    scope = population if known or 2 * wanted.len() > len(population) else population.take(wanted)
    # a population is built with unique ids; keeping the first guards the grouping below
    persons = scope.persons.with_columns(scope.row_errors.alias("_error")).unique(
        "id", keep="first", maintain_order=True
    )
    pairs = pairs.select("person_id", "service_date").join(
        persons.select(pl.col("id").alias("person_id"), "death_date", "_error"),
        on="person_id",
        how="left",
    )
    asked = _canonical(scope, pairs.filter(in_scheme & pl.col("_error").is_null()))
    # persons who die later in the month of their claim are few: decide() answers them, which
    # saves an evaluate call per death day
    dying = pl.col("as_of") != pl.col("service_date").dt.month_end()
    by_decide = asked.filter(dying) if asked.filter(dying).height <= _FEW else asked.clear()
    by_evaluate = asked.filter(~dying) if by_decide.height else asked
    answers = _evaluate_groups(scope, by_evaluate, persons.drop("_error"), rules, tell)
    judged = by_evaluate.join(answers, on=["person_id", "known_on", "as_of"], how="left")
    refused = judged.filter(~pl.col("insured")).select("person_id", "service_date")
    if reasons:
        again = pl.concat([refused, by_decide.select("person_id", "service_date")])
        documents = _Documents(scope.take(again["person_id"].unique()))
        codes = status_by_decide(documents, again, rules)
    else:
        codes = refused.select(
            "person_id",
            "service_date",
            pl.lit(False).alias("insured"),
            *(pl.lit(None, dtype=pl.String).alias(c) for c in ("code", "message", "error")),
        )
        if by_decide.height:
            documents = _Documents(scope.take(by_decide["person_id"].unique()))
            codes = pl.concat(
                [codes, status_by_decide(documents, by_decide, rules)], how="vertical_relaxed"
            )
    tell("insurance", 1.0)
    ok = judged.filter(pl.col("insured")).select(
        "person_id",
        "service_date",
        pl.lit(True).alias("insured"),
        *(pl.lit(None, dtype=pl.String).alias(c) for c in ("code", "message", "error")),
    )
    early = pairs.filter(~in_scheme).select(
        "person_id",
        "service_date",
        pl.lit(False).alias("insured"),
        pl.lit(NOT_STARTED_CODE).alias("code"),
        pl.lit(NOT_STARTED_MESSAGE).alias("message"),
        pl.lit(None, dtype=pl.String).alias("error"),
    )
    broken = pairs.filter(in_scheme & pl.col("_error").is_not_null()).select(
        "person_id",
        "service_date",
        pl.lit(None, dtype=pl.Boolean).alias("insured"),
        *(pl.lit(None, dtype=pl.String).alias(c) for c in ("code", "message")),
        pl.col("_error").alias("error"),
    )
    return pl.concat([ok, codes, early, broken]).cast(STATUS_SCHEMA)  # type: ignore[arg-type]


def insured_status(
    population: Any,
    pairs: pl.DataFrame,
    rules: RuleSet | None = None,
    progress: Progress | None = None,
    *,
    reasons: bool = True,
) -> pl.DataFrame:
    """Status of each distinct ``(person_id, service_date)`` pair (columns of ``STATUS_SCHEMA``).

    A :class:`~insurrules.population.Population` goes through the population engine; any other
    object with a ``case(person_id, as_of)`` method through :func:`decide`, pair by pair.
    ``reasons=False`` skips the reason codes of refusals (``code`` and ``message`` null).
    """
    try:
        from insurrules.population.tables import Population
    except ImportError:  # pragma: no cover - the population extra is missing
        return status_by_decide(population, pairs, rules, progress)
    if isinstance(population, Population):
        return status_by_evaluate(population, pairs, rules, progress, reasons=reasons)
    return status_by_decide(population, pairs, rules, progress)
