"""Screen billed services against the rules: [`screen`][insurrules.claims.screen.screen].

Each claim is checked on its own against the population (who the person is, when they were born
and died, whether OSMS covered them on the service date) and against the other claims (billed
twice, or to both funding sources). The result keeps every input row and column, in input order,
and adds ``flags`` (a list of [`FLAGS`][insurrules.claims.screen.FLAGS], empty for a clean claim)
and ``reasons`` (one human reason per flag, identifiers masked). ``row`` in a reason is the 0-based
position in the input.

Why these flags: audits of the Social Health Insurance Fund found services billed for deceased
and fictitious patients and procedures financed twice from the OSMS and the guaranteed package
([kz-osms sources][kz-osms-sources], "Claims"); each flag is one such check.
"""

from __future__ import annotations

import string
from typing import Any, Final

import polars as pl

from insurrules.claims.insurance import Progress, insured_status, judge_frame
from insurrules.claims.people import claim_people
from insurrules.claims.schema import check_table, prepare
from insurrules.kz.iin import iin_problem
from insurrules.kz.iin_columns import iin_valid
from insurrules.kz.params import kz_params
from insurrules.kz.rules import default_rules
from insurrules.messages import MESSAGES, message, speaking
from insurrules.parameters import RuleSet

__all__ = ["FLAGS", "screen"]

#: every flag, in the order it appears in ``flags``
FLAGS: Final[tuple[str, ...]] = (
    "invalid",
    "unknown_person",
    "before_birth",
    "deceased",
    "not_insured",
    "duplicate",
    "double_financed",
)

_CONTENT_KEY = ("person_id", "service_code", "provider", "service_date")
_FINANCE_KEY = ("person_id", "service_code", "service_date")


def _first_of(column: str, key: str | list[str]) -> pl.Expr:
    """The value of ``column`` in the first claim (in input order) sharing ``key``."""
    return pl.col(column).first().over(key)


def _unknown_person(work: pl.DataFrame) -> pl.Expr:
    """Reason for ``unknown_person``: the id is no IIN, or no person has it."""
    bad_ids = work.filter(pl.col("person_id").is_not_null() & ~pl.col("iin_ok"))["person_id"]
    problems = {value: iin_problem(value) for value in bad_ids.unique().to_list()}
    problem = (
        pl.col("person_id").replace_strict(
            list(problems),
            [f"not a valid IIN: {p}" for p in problems.values()],
            default=None,
            return_dtype=pl.String,
        )
        if problems
        else pl.lit(None, dtype=pl.String)
    )
    return (
        pl.when(pl.col("person_id").is_null())
        .then(None)
        .when(~pl.col("iin_ok"))
        .then(problem)
        .when(pl.col("birth_date").is_null())
        .then(pl.lit("no person with this IIN in the population"))
        .when(pl.col("population_error").is_not_null())
        .then(
            pl.format(
                "the population's records of this person are invalid: {}",
                pl.col("population_error"),
            )
        )
    )


def _duplicate() -> pl.Expr:
    same_id = pl.col("claim_id").is_not_null() & ~pl.col("claim_id").is_first_distinct()
    key_known = pl.all_horizontal([pl.col(c).is_not_null() for c in _CONTENT_KEY])
    same_content = key_known & ~pl.struct(_CONTENT_KEY).is_first_distinct()
    by_id = pl.when(same_id).then(
        pl.format(
            "claim_id {} was already billed at row {}",
            pl.col("claim_id"),
            _first_of("row", "claim_id"),
        )
    )
    by_content = pl.when(same_content).then(
        pl.format(
            "same person, service code, provider and date as claim {} (row {})",
            _first_of("claim_id", list(_CONTENT_KEY)),
            _first_of("row", list(_CONTENT_KEY)),
        )
    )
    return pl.concat_list(by_id, by_content).list.drop_nulls().list.join("; ").replace("", None)


def _double_financed() -> pl.Expr:
    key = list(_FINANCE_KEY)
    known = pl.all_horizontal([pl.col(c).is_not_null() for c in _FINANCE_KEY])
    osms = pl.col("funding") == "osms"
    guaranteed = pl.col("funding") == "guaranteed"
    both = known & osms.any().over(key) & guaranteed.any().over(key)
    return (
        pl.when(both & osms)
        .then(
            pl.format(
                "also billed to the guaranteed package as claim {} (row {})",
                pl.col("claim_id").filter(guaranteed).first().over(key),
                pl.col("row").filter(guaranteed).first().over(key),
            )
        )
        .when(both & guaranteed)
        .then(
            pl.format(
                "also billed to OSMS as claim {} (row {})",
                pl.col("claim_id").filter(osms).first().over(key),
                pl.col("row").filter(osms).first().over(key),
            )
        )
    )


#: the flags whose reasons are catalogue messages (``kz.claims.<flag>``), with claim columns as
#: their placeholders
_WORDED = ("before_birth", "deceased", "not_insured")


def _worded(key: str) -> pl.Expr:
    """The message ``key`` in the language being spoken, each placeholder a column of the claim."""
    template = message(key, **{name: f"{{{name}}}" for name in _placeholders(MESSAGES[key])})
    literal, columns = [], []
    for text, name, _, _ in string.Formatter().parse(template):
        literal.append(text)  # no catalogue text has braces of its own
        if name:
            literal.append("{}")
            columns.append(pl.col(name))
    return pl.format("".join(literal), *columns)


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def screen(
    claims: Any,
    population: Any,
    rules: RuleSet | None = None,
    *,
    progress: Progress | None = None,
    lang: str = "en",
) -> pl.DataFrame:
    """Screen every claim; one row per claim, in input order, with ``flags`` and ``reasons``.

    ``claims``: a polars DataFrame with the columns of
    [`CLAIM_COLUMNS`][insurrules.claims.schema.CLAIM_COLUMNS] (a table that cannot be screened
    raises [`ClaimsTableError`][insurrules.claims.schema.ClaimsTableError] listing every problem
    first). ``population``: an
    [`insurrules.population.Population`][insurrules.population.kz.tables.Population]. ``rules``: the
    kz-osms rules to judge insurance by (default: in force). ``progress(stage, fraction)`` is told
    how far it got. ``lang``: the language of the reasons of ``before_birth``, ``deceased`` and
    ``not_insured`` and of the refusal they quote (``en``, ``ru``, ``kk``; the other flags'
    reasons name fields and rows, in English).

    Flags ([`FLAGS`][insurrules.claims.screen.FLAGS]): ``invalid`` (a field is missing or malformed;
    the reason names it), ``unknown_person`` (not a valid IIN, or not in the population),
    ``before_birth`` (service before the birth date), ``deceased`` (service after the death date),
    ``not_insured`` (billed to ``osms`` on a day the person was not insured, judged with ``as_of`` =
    the service date; the reason carries the decision's reason code), ``duplicate`` (a claim id seen
    before, or the same person, service code, provider and date seen before: the first is not
    flagged, the repeats are), ``double_financed`` (the same person, service code and date billed to
    both ``osms`` and ``guaranteed``: every claim of the pair is flagged, since either may be
    wrong).
    """
    source = check_table(claims)
    tell = progress or (lambda stage, done: None)
    tell("checking", 0.0)
    work = prepare(source)
    work = work.join(claim_people(population), on="person_id", how="left", maintain_order="left")
    # a person of the population whose records passed its row check has a valid IIN (the check
    # includes the IIN's): only the other ids need the IIN test
    checked = pl.col("_row").is_not_null() & pl.col("_error").is_null()
    unsure = work.filter(pl.col("person_id").is_not_null() & ~checked).select(
        pl.col("person_id").unique()
    )
    ids = unsure.with_columns(iin_valid("person_id").alias("_iin_ok"))
    work = work.join(ids, on="person_id", how="left", maintain_order="left").with_columns(
        (checked | pl.col("_iin_ok").fill_null(False)).alias("iin_ok")
    )
    tell("checking", 1.0)

    known = pl.col("iin_ok") & pl.col("birth_date").is_not_null()
    osms = (pl.col("funding") == "osms") & known & pl.col("service_date").is_not_null()
    in_scheme = pl.col("service_date") >= kz_params(rules or default_rules()).benefits_start
    work = work.with_columns(
        (osms & checked).alias("_ask"),
        pl.when(osms & in_scheme).then(pl.col("_error")).alias("population_error"),
    )
    asks = work.filter("_ask")
    if asks.height and asks["_row"].null_count() == 0 and hasattr(population, "cache"):
        judged = judge_frame(population, asks, rules, tell, lang=lang)
        status = asks.select(
            "row",
            pl.Series("insured", judged.insured, dtype=pl.Boolean),
            judged.code,
            judged.message,
        )
    else:  # a bare persons table, or another kind of population: decide() pair by pair
        pairs = work.filter(osms).select("person_id", "service_date").unique()
        by_pair = insured_status(population, pairs, rules, progress=tell, lang=lang)
        status = (
            work.filter(osms)
            .select("row", "person_id", "service_date")
            .join(by_pair, on=["person_id", "service_date"], how="left", maintain_order="left")
            .select("row", "insured", "code", "message", pl.col("error").alias("_pair_error"))
        )
    work = work.join(status, on="row", how="left", maintain_order="left")
    if "_pair_error" in work.columns:
        work = work.with_columns(
            pl.when(osms).then(pl.col("_pair_error")).alias("population_error")
        )
    tell("flags", 0.0)

    osms_refused = (pl.col("funding") == "osms") & known & (pl.col("insured") == False)  # noqa: E712
    # candidates only (compared exactly below): equal keys have equal hashes, so every claim
    # that repeats or doubles another is among them; a rare hash collision only adds one
    key_shared = pl.struct(_FINANCE_KEY).hash().is_duplicated() & pl.all_horizontal(
        [pl.col(c).is_not_null() for c in _FINANCE_KEY]
    )
    id_shared = pl.col("claim_id").hash().is_duplicated() & pl.col("claim_id").is_not_null()
    marked = work.with_columns(
        pl.any_horizontal(
            pl.col("invalid").is_not_null(),
            pl.col("person_id").is_not_null() & ~known,
            pl.col("population_error").is_not_null(),
            pl.col("service_date") < pl.col("birth_date"),
            pl.col("service_date") > pl.col("death_date"),
            osms_refused,
        )
        .fill_null(False)
        .alias("alone"),
        (key_shared | id_shared).alias("shared"),
    )
    # claims that may repeat or double another: only they are compared with each other, and
    # reasons are written only for claims with a flag, not formatted for every clean claim
    pairs = marked.filter(pl.col("shared")).select(
        "row", _duplicate().alias("duplicate"), _double_financed().alias("double_financed")
    )
    picked = marked.filter(pl.col("alone") | pl.col("shared")).join(
        pairs, on="row", how="left", maintain_order="left"
    )
    with speaking(lang, "kz-osms"):
        worded = {flag: _worded(f"kz.claims.{flag}") for flag in _WORDED}
    reasons: dict[str, pl.Expr] = {
        "invalid": pl.col("invalid"),
        "unknown_person": _unknown_person(picked),
        "before_birth": pl.when(pl.col("service_date") < pl.col("birth_date")).then(
            worded["before_birth"]
        ),
        "deceased": pl.when(pl.col("service_date") > pl.col("death_date")).then(worded["deceased"]),
        "not_insured": pl.when(osms_refused).then(worded["not_insured"]),
        "duplicate": pl.col("duplicate"),
        "double_financed": pl.col("double_financed"),
    }
    found = picked.select(
        "row",
        pl.concat_list([pl.when(r.is_not_null()).then(pl.lit(name)) for name, r in reasons.items()])
        .list.drop_nulls()
        .alias("flags"),
        pl.concat_list(list(reasons.values())).list.drop_nulls().alias("reasons"),
    )
    empty = pl.lit([], dtype=pl.List(pl.String))
    flagged = (
        work.select("row")
        .join(found, on="row", how="left", maintain_order="left")
        .select(pl.col("flags").fill_null(empty), pl.col("reasons").fill_null(empty))
    )
    tell("flags", 1.0)
    return source.with_columns(flagged)
