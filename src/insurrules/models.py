"""Building blocks shared by every scheme's case and decision documents (contract.md)."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue, PlainSerializer

from insurrules.errors import mask_id

__all__ = [
    "Amount",
    "Decision",
    "FrozenModel",
    "IsoDate",
    "PersonalId",
    "Reason",
    "StateFunded",
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TWELVE_DIGITS = re.compile(r"^\d{12}$")


class FrozenModel(BaseModel):
    """Immutable, strict about unknown fields, and never echoing input values in errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    @classmethod
    def _trusted(cls, values: dict[str, Any]) -> Self:
        """An instance from values already checked field by field (every field given).

        Equivalent to ``model_construct(**values)`` (a test holds them equal) at a third of the
        cost: long payment histories are built on the hot path of ``decide()``.
        """
        obj = _new(cls)
        _set(obj, "__dict__", values)
        _set(obj, "__pydantic_fields_set__", _field_names(cls))
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None)
        return obj


_new = object.__new__
_set = object.__setattr__
_FIELD_NAMES: dict[type, frozenset[str]] = {}


def _field_names(cls: type[BaseModel]) -> set[str]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(cls.model_fields)
    return set(names)


def _iso_date(value: Any) -> dt.date:
    # pydantic's lax date parsing would turn 20260315 into a Unix timestamp; a case document
    # takes ISO dates only, so an unexpected form is an error, never a guess.
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass  # explained below
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date (YYYY-MM-DD), got a date-time")
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError(f"expected an ISO date YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value} is not a real date ({exc})") from None


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def _amount(value: Any) -> Decimal:
    if type(value) is str:
        try:
            amount = Decimal(value)
        except ArithmeticError:
            raise ValueError(f"{value!r} is not a number") from None
        if amount.is_finite() and amount >= 0:
            return amount
    if isinstance(value, bool):
        raise ValueError("expected a decimal amount, got a boolean")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"expected a finite amount, got {value}")
        value = repr(value)  # the shortest text that round-trips: what the sender wrote
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str | Decimal):
        raise ValueError(f"expected a decimal amount as a string, got {type(value).__name__}")
    try:
        amount = Decimal(value)
    except ArithmeticError:
        raise ValueError(f"{value!r} is not a number") from None
    if not amount.is_finite():
        raise ValueError(f"expected a finite amount, got {value!r}")
    if amount < 0:
        raise ValueError(f"an amount cannot be negative, got {value}")
    return amount


Amount = Annotated[
    Decimal,
    BeforeValidator(_amount),
    PlainSerializer(lambda d: str(d), return_type=str, when_used="json"),
]


class PersonalId(str):
    """A national identifier that never shows itself in a repr (``8704******16``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(mask_id(str(self)))

    @property
    def masked(self) -> str:
        return mask_id(str(self))


def personal_id(value: Any) -> PersonalId:
    if not isinstance(value, str):
        raise ValueError(f"expected a 12-digit identifier as a string, got {type(value).__name__}")
    if not _TWELVE_DIGITS.match(value):
        raise ValueError(f"expected 12 digits, got {len(value)} characters ({mask_id(value)})")
    return PersonalId(value)


class Reason(FrozenModel):
    """One fact that decided a decision: a stable code, a human message, and its legal source."""

    code: str
    message: str
    source: str


class StateFunded(FrozenModel):
    """Which state category pays for the person on ``as_of``, and from which budget."""

    category: str
    budget: Literal["republican", "local", "state"]


Status = Literal["insured", "not_insured"]
Basis = Literal["contributions", "grace_period", "prepaid", "state_funded", "transition", "card"]


class Decision(FrozenModel):
    """The decision document (contract.md): the same through the API, the CLI and batches."""

    scheme: Literal["kz-osms", "vn-bhyt"]
    as_of: dt.date
    status: Status
    basis: Basis | None
    state_funded: StateFunded | None
    grace_months: int | None
    insured_from: dt.date | None
    insured_until: dt.date | None
    renew_by: dt.date | None
    reasons: tuple[Reason, ...]
    rules_version: str
    details: dict[str, JsonValue] = Field(default_factory=dict)

    @property
    def insured(self) -> bool:
        return self.status == "insured"

    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    def _repr_html_(self) -> str:  # Jupyter; the rendering lives in insurrules.notebook
        from insurrules.notebook import decision_html

        return decision_html(self)
