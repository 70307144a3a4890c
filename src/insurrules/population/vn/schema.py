"""The columns of a vn-bhyt population's tables, and the codes they hold (the case model's own).

See [`VnPopulation`][insurrules.population.vn.tables.VnPopulation] for what each table holds.
"""

from __future__ import annotations

from typing import get_args

from insurrules.population.tableset import AMOUNT, DATE, INT, TEXT
from insurrules.vn.case import STATE_GROUPS, VnMembership, VnPayment, VnPerson

__all__ = ["MEMBERSHIP_CODES", "OPEN_STATE_GROUPS", "PAYERS", "SEXES", "VN_SCHEMA", "VN_TABLES"]

VN_TABLES = ("persons", "payments", "memberships")


#: table -> column -> (kind, required)
VN_SCHEMA: dict[str, dict[str, tuple[str, bool]]] = {
    "persons": {
        "id": (TEXT, True),
        "birth_date": (DATE, True),
        "sex": (TEXT, True),
        "death_date": (DATE, False),
        "household_rank": (INT, False),
    },
    "payments": {
        "person_id": (TEXT, True),
        "paid_on": (DATE, True),
        "months": (INT, True),
        "amount": (AMOUNT, True),
        "payer": (TEXT, True),
    },
    "memberships": {
        "person_id": (TEXT, True),
        "code": (TEXT, True),
        "start": (DATE, True),
        "end": (DATE, False),
    },
}

# The enumerations are the case model's own (vn/case.py), never copied.
MEMBERSHIP_CODES: tuple[str, ...] = get_args(VnMembership.model_fields["code"].annotation)
PAYERS: tuple[str, ...] = get_args(VnPayment.model_fields["payer"].annotation)
SEXES: tuple[str, ...] = get_args(VnPerson.model_fields["sex"].annotation)
#: fully state-paid groups other than the derived child card: the model refuses a purchase
#: during an open-ended period of one of them (R1)
OPEN_STATE_GROUPS: tuple[str, ...] = tuple(c for c in STATE_GROUPS if c != "child_under_6")
