"""Small populations and claims tables for the claims tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from insurrules.population.kz.tables import Population

CLAIM_DEFAULTS: dict[str, Any] = {
    "service_code": "A01.001",
    "provider": "P0001",
    "amount": "2500.00",
    "funding": "guaranteed",
}


def population_of(*people: dict[str, Any]) -> Population:
    """A population from case-like documents ``{"person": {...}, "payments": [...]}``."""
    persons, pays, members, levels, requests = [], [], [], [], []
    for doc in people:
        p = doc["person"]
        persons.append(
            {
                "id": p["id"],
                "birth_date": dt.date.fromisoformat(p["birth_date"]),
                "sex": p["sex"],
                "death_date": dt.date.fromisoformat(p["death_date"])
                if p.get("death_date")
                else None,
                "residency": p.get("residency", "citizen"),
            }
        )
        for x in doc.get("payments", []):
            pays.append(
                {
                    "person_id": p["id"],
                    "month": x["month"],
                    "paid_on": x["paid_on"],
                    "amount": x["amount"],
                    "payer": x["payer"],
                }
            )
        for m in p.get("memberships", []):
            members.append({"person_id": p["id"], **m})
        for w in p.get("welfare_levels", []):
            levels.append({"person_id": p["id"], **w})
        for d in p.get("care_requests", []):
            requests.append({"person_id": p["id"], "date": d})

    def table(rows: list[dict[str, Any]], schema: dict[str, Any]) -> pl.DataFrame:
        return (
            pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
        )

    text = pl.String
    return Population.from_frames(
        persons=pl.DataFrame(
            persons,
            schema={
                "id": text,
                "birth_date": pl.Date,
                "sex": text,
                "death_date": pl.Date,
                "residency": text,
            },
        ),
        payments=table(
            pays,
            {"person_id": text, "month": text, "paid_on": text, "amount": text, "payer": text},
        ),
        memberships=table(members, {"person_id": text, "code": text, "start": text, "end": text}),
        welfare_levels=table(
            levels, {"person_id": text, "level": text, "start": text, "end": text}
        ),
        care_requests=table(requests, {"person_id": text, "date": text}),
    )


def claims(*rows: dict[str, Any]) -> pl.DataFrame:
    """A claims table as text cells (as read from CSV); ``claim_id`` defaults to ``c<i>``."""
    full = [{"claim_id": f"c{i}", **CLAIM_DEFAULTS, **row} for i, row in enumerate(rows)]
    columns = [
        "claim_id",
        "person_id",
        "service_date",
        "service_code",
        "provider",
        "amount",
        "funding",
    ]
    return pl.DataFrame(
        {c: [r.get(c) for r in full] for c in columns}, schema=dict.fromkeys(columns, pl.String)
    )
