"""A household's renewal priced for a date: ranks derived from the household table (R2, E1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

import insurrules
from insurrules.population.vn.households import household_renewal
from insurrules.population.vn.tables import VnPopulation


def _population() -> VnPopulation:
    persons = pl.DataFrame(
        {
            "id": ["079082007731", "079182004412", "001219000023", "079160000001", "079170000002"],
            "birth_date": ["1982-08-14", "1984-02-02", "2021-06-10", "1960-01-01", "1970-05-05"],
            "sex": ["male", "female", "female", "male", "female"],
            "household_id": ["H1", "H1", "H1", "H1", None],
        }
    )
    memberships = pl.DataFrame(
        {
            "person_id": ["079182004412"],
            "code": ["near_poor"],
            "start": [dt.date(2025, 1, 1)],
            "end": [None],
        },
        schema={"person_id": pl.String, "code": pl.String, "start": pl.Date, "end": pl.Date},
    )
    return VnPopulation.from_frames(persons, None, memberships)


def test_members_are_ranked_in_order_after_state_paid_and_supported_members_step_off() -> None:
    view = household_renewal(_population(), "2025-11-10", 12)
    rows = {r["id"]: r for r in view.iter_rows(named=True)}
    father, mother, child, grandfather = (
        rows[i] for i in ("079082007731", "079182004412", "001219000023", "079160000001")
    )
    assert (father["form"], father["rank"], father["amount"]) == ("household", 1, Decimal(1263600))
    # near-poor: 70 % from the state, off the ladder (E6)
    assert (mother["form"], mother["rank"], mother["amount"]) == (
        "supported",
        None,
        Decimal(379080),
    )
    assert (child["form"], child["state_group"], child["amount"]) == (
        "state_paid",
        "child_under_6",
        Decimal(0),
    )
    # the grandfather is the second member in household form: 70 % (E1)
    assert (grandfather["rank"], grandfather["amount"]) == (2, Decimal(884520))
    bill = view.group_by("household_id").agg(pl.col("amount").sum())
    assert bill.filter(household_id="H1")["amount"].item() == Decimal(1263600 + 379080 + 884520)
    alone = rows["079170000002"]  # no household given: a household of one
    assert (alone["household_id"], alone["rank"], alone["amount"]) == (None, 1, Decimal(1263600))


def test_each_amount_is_what_decide_prices_for_that_rank() -> None:
    pop = _population()
    view = household_renewal(pop, "2025-11-10", 12)
    for row in view.filter(pl.col("form") != "state_paid").iter_rows(named=True):
        document = pop.case_document(row["id"], "2025-11-10")
        if row["rank"] is not None:
            document["person"]["household"] = {"rank": row["rank"]}
        decision = insurrules.decide(document)
        assert decision.details["renewal_amount_12_months"] == str(row["amount"])


def test_after_the_near_poor_list_the_mother_takes_a_rank() -> None:
    pop = _population()
    ended = pop.memberships.with_columns(end=pl.lit(dt.date(2025, 12, 31)))
    later = VnPopulation.from_frames(pop.persons, None, ended)
    view = household_renewal(later, "2026-02-01", 12)
    ranks = dict(zip(view["id"].to_list(), view["rank"].to_list(), strict=True))
    assert [ranks["079082007731"], ranks["079182004412"], ranks["079160000001"]] == [1, 2, 3]
