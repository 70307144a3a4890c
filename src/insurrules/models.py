"""Building blocks shared by every scheme's case and decision documents ([the contract][contract]).

The field types of a case document are compiled pydantic-core schemas (validated in Rust, no
Python call on the common path), each with a documented grammar and bounds:

* ``IsoDate``: ``YYYY-MM-DD`` in ASCII digits (or a ``datetime.date`` from Python), a real
  date between ``EARLIEST_DATE`` and ``HORIZON``;
* ``Amount``: decimal text (``"19126.02"``: ASCII digits, an optional fraction of up to 6
  digits, below 10^15) or a whole JSON number; never a float (floats are inexact);
* ``PersonalId``: exactly 12 ASCII digits, masked in reprs.

An error's reason is worded from the rejected value only when one is reported (the error path),
so the accepted path stays compiled.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    JsonValue,
    TypeAdapter,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema as cs

from insurrules.codes import NEW_CODES
from insurrules.errors import PATTERN_REASONS, REASONS, describe, mask_id

__all__ = [
    "EARLIEST_DATE",
    "HORIZON",
    "MAX_AMOUNT",
    "Amount",
    "Compiled",
    "Decision",
    "FrozenModel",
    "IsoDate",
    "PersonalId",
    "Reason",
    "StateFunded",
]

#: The earliest date a case document may carry (birth dates: the IIN's century digits start
#: with the 1800s).
EARLIEST_DATE = dt.date(1800, 1, 1)
#: The latest date a case document may carry. Rules are decided month by month; a date far in
#: the future (a ``9999-12-31`` "open end" sentinel) would only cost time: give ``null`` instead.
HORIZON = dt.date(2100, 12, 31)
#: Amounts are below 10^15 (a quadrillion in the scheme's currency) with at most 6 decimals.
MAX_AMOUNT = Decimal(10) ** 15

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: the JSON Schema's pattern: the shape and the years EARLIEST_DATE..HORIZON
DATE_BOUNDS_PATTERN = r"^(1[89][0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
AMOUNT_PATTERN = r"^[0-9]{1,15}(\.[0-9]{1,6})?$"
ID_PATTERN = r"^[0-9]{12}$"


_REPR_ITEMS = 3  # records shown in a model's repr before the rest are counted


class _Elided:
    """A long tuple of records in a repr: the first two, how many more, and the last."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[Any, ...]) -> None:
        self.items = items

    def __repr__(self) -> str:
        first, last = self.items[:2], self.items[-1]
        shown = ", ".join(repr(item) for item in first)
        return f"({shown}, ... {len(self.items) - 3} more ..., {last!r})"


class FrozenModel(BaseModel):
    """Immutable, strict about unknown fields, and never echoing input values in errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # a case with 72 payments stays a few lines in a notebook: long records are elided
        for name, value in super().__repr_args__():
            if isinstance(value, tuple) and len(value) > _REPR_ITEMS:
                yield name, _Elided(value)
            else:
                yield name, value

    @classmethod
    def _trusted(cls, values: dict[str, Any]) -> Self:
        """An instance from values already checked field by field (every field given).

        Equivalent to ``model_construct(**values)`` (a test holds them equal) at a third of the
        cost: the rules build their reasons this way.
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


@dataclass(frozen=True, eq=False)
class Compiled:
    """``Annotated`` metadata: a field type given by a pydantic-core schema and a JSON Schema."""

    core: Callable[[], cs.CoreSchema]
    json: Mapping[str, Any]

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return self.core()

    def __get_pydantic_json_schema__(
        self, schema: cs.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(self.json)


# -- dates ----------------------------------------------------------------------------------------
def date_reason(value: Any) -> str:
    """Why ``value`` is not a date a case document accepts (the error path only)."""
    if isinstance(value, dt.datetime):
        return "expected a date (YYYY-MM-DD), got a date-time"
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and _DATE_SHAPE.fullmatch(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError as exc:
            return f"{value} is not a real date ({exc})"
    else:
        return f"expected an ISO date YYYY-MM-DD, got {describe(value)}"
    return (
        f"{day} is outside the dates a case may carry ({EARLIEST_DATE}..{HORIZON}); "
        "an open end is null"
    )


def _date_core() -> cs.CoreSchema:
    text = cs.chain_schema(
        [cs.str_schema(pattern=DATE_PATTERN), cs.date_schema(ge=EARLIEST_DATE, le=HORIZON)]
    )
    instance = cs.date_schema(strict=True, ge=EARLIEST_DATE, le=HORIZON)
    return cs.custom_error_schema(
        cs.json_or_python_schema(
            json_schema=text,
            python_schema=cs.union_schema([text, instance], mode="left_to_right"),
            serialization=cs.plain_serializer_function_ser_schema(
                dt.date.isoformat, when_used="json"
            ),
        ),
        custom_error_type="iso_date",
        custom_error_message="expected an ISO date YYYY-MM-DD",
    )


#: An ISO date (see the module docstring); ``datetime.date`` values are taken as they are.
IsoDate = Annotated[
    dt.date,
    Compiled(
        _date_core,
        {
            "type": "string",
            "format": "date",
            "pattern": DATE_BOUNDS_PATTERN,
            "description": f"ISO date YYYY-MM-DD between {EARLIEST_DATE} and {HORIZON}",
        },
    ),
]
REASONS["iso_date"] = date_reason


# -- amounts --------------------------------------------------------------------------------------
def amount_reason(value: Any) -> str:
    """Why ``value`` is not an amount a case document accepts (the error path only)."""
    if isinstance(value, bool):
        return "expected a decimal amount, got a boolean"
    if isinstance(value, float):
        return (
            f'expected a decimal amount as text ("{value!r}" if that is what was meant), '
            f"got the number {describe(value)}: amounts are exact, never floats"
        )
    if isinstance(value, int | Decimal):
        if isinstance(value, Decimal) and not value.is_finite():
            return f"expected a finite amount, got {value}"
        if value < 0:
            return f"an amount cannot be negative, got {describe(value)}"
        return f"an amount must be below 10^15, got {describe(value)}"
    if not isinstance(value, str):
        return f"expected a decimal amount as a string, got {describe(value)}"
    shown = describe(value)
    text = value.strip()
    if text[:1] == "-" and text[1:].replace(".", "", 1).isdigit():
        return f"an amount cannot be negative, got {shown[1:-1]}"
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity", "snan"):
        return f"expected a finite amount, got {shown}"
    try:
        Decimal(value)
    except (InvalidOperation, ValueError):
        return f"{shown} is not a number"
    return (
        f"expected a decimal amount as ASCII digits with an optional fraction of up to 6 "
        f'digits, below 10^15 ("19126.02"), got {shown}'
    )


#: Decimal of amount text the pattern accepted, kept for the texts last seen: a history repeats
#: its amounts month after month, and a hit (a C call from compiled code) costs a fraction of
#: building the Decimal again. Exact: a Decimal made from text never depends on the context.
_decimal_of_text = lru_cache(maxsize=4096)(Decimal)


def amount_text() -> cs.CoreSchema:
    """The schema of an amount given as text (``Amount``'s text branch, before the text is made
    a ``Decimal``): whatever it accepts, ``Decimal`` reads exactly."""
    return cs.str_schema(pattern=AMOUNT_PATTERN)


def _amount_core() -> cs.CoreSchema:
    text = cs.no_info_after_validator_function(_decimal_of_text, amount_text())
    whole = cs.no_info_after_validator_function(
        Decimal, cs.int_schema(strict=True, ge=0, lt=10**15)
    )
    exact = cs.decimal_schema(strict=True, ge=Decimal(0), lt=MAX_AMOUNT, allow_inf_nan=False)
    return cs.custom_error_schema(
        cs.json_or_python_schema(
            json_schema=cs.union_schema([text, whole], mode="left_to_right"),
            python_schema=cs.union_schema([text, whole, exact], mode="left_to_right"),
            serialization=cs.plain_serializer_function_ser_schema(str, when_used="json"),
        ),
        custom_error_type="amount",
        custom_error_message="expected a decimal amount",
    )


#: A non-negative exact amount (see the module docstring).
Amount = Annotated[
    Decimal,
    Compiled(
        _amount_core,
        {
            "anyOf": [
                {"type": "string", "pattern": AMOUNT_PATTERN},
                {"type": "integer", "minimum": 0, "exclusiveMaximum": 10**15},
            ],
            "description": (
                'decimal amount as text ("19126.02"), or a whole number; floats are refused. '
                'Any amount, even "1", marks the month paid'
            ),
        },
    ),
]
REASONS["amount"] = amount_reason


@cache
def _amount_adapter() -> TypeAdapter[Decimal]:
    return TypeAdapter(Amount)


def _amount(value: Any) -> Decimal:
    """The amount ``value`` stands for, or ``ValueError`` (the same check as ``Amount``)."""
    try:
        return _amount_adapter().validate_python(value)
    except ValidationError:
        reason = amount_reason(value)
    raise ValueError(reason)


# -- identifiers ----------------------------------------------------------------------------------
class PersonalId(str):
    """A national identifier that never shows itself in a repr (``8704******16``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(mask_id(str(self)))

    @property
    def masked(self) -> str:
        return mask_id(str(self))


def id_reason(value: Any) -> str:
    if not isinstance(value, str):
        return f"expected a 12-digit identifier as a string, got {describe(value)}"
    if len(value) == 12 and value.isdigit():
        return "expected 12 ASCII digits (0-9), got other digit characters"
    return f"expected 12 digits, got {len(value)} characters ({mask_id(value[:40])})"


PATTERN_REASONS[ID_PATTERN] = "expected a 12-digit identifier"
REASONS["personal_id"] = id_reason


def personal_id_core(check: Any = None) -> cs.CoreSchema:
    """12 ASCII digits as a ``PersonalId``; ``check`` (a function) may refuse it further."""
    text = cs.custom_error_schema(
        cs.str_schema(pattern=ID_PATTERN),
        custom_error_type="personal_id",
        custom_error_message="expected a 12-digit identifier",
    )
    return cs.no_info_after_validator_function(
        check or PersonalId,
        text,
        serialization=cs.plain_serializer_function_ser_schema(str),
    )


def personal_id(value: Any) -> PersonalId:
    """``value`` as a ``PersonalId``, or ``ValueError`` saying why not."""
    if isinstance(value, str) and len(value) == 12 and value.isascii() and value.isdigit():
        return PersonalId(value)
    raise ValueError(id_reason(value))


# -- the decision document ------------------------------------------------------------------------
class Reason(FrozenModel):
    """One fact that decided a decision: a stable code, a human message, and its legal source."""

    code: str = Field(description="stable code, e.g. `kz.grace.standard`")
    message: str = Field(description="what the fact was, in words, with the months or dates")
    source: str = Field(description="the legal source of the rule applied")

    @property
    def legacy_code(self) -> str:
        """The code release 0.1 gave this reason (``kz.grace.three_months`` for
        ``kz.grace.standard``); the code itself where it did not change. Kept for one release
        ([`insurrules.codes`][insurrules.codes])."""
        return NEW_CODES.get(self.code, self.code)


class StateFunded(FrozenModel):
    """Which state category pays for the person on ``as_of``, and from which budget."""

    category: str = Field(description="the state-paid category code")
    budget: Literal["republican", "local", "state"] = Field(description="the budget that pays")


Status = Literal["insured", "not_insured"]
Basis = Literal["contributions", "grace_period", "prepaid", "state_funded", "transition", "card"]


class Decision(FrozenModel):
    """The decision document ([the contract][contract]): the same through the API, the CLI and
    batches."""

    scheme: Literal["kz-osms", "vn-bhyt"] = Field(description="the scheme decided")
    as_of: dt.date = Field(description="the date asked about")
    status: Status = Field(description="`insured` or `not_insured` on `as_of`")
    basis: Basis | None = Field(
        description=(
            "why insured: `contributions`, `grace_period`, `prepaid`, `state_funded`, "
            "`transition` (kz) or `card` (vn); null when not insured"
        )
    )
    state_funded: StateFunded | None = Field(
        description="the state category paying on `as_of` and its budget, else null"
    )
    grace_months: int | None = Field(
        description=(
            "the grace length protecting the person after their last month insured through "
            "their own payments, under the law in force in the month of `as_of` (kz); null "
            "when there is no such month, always null for vn"
        )
    )
    insured_from: dt.date | None = Field(
        description="first day of the insured spell containing `as_of`; null if not insured"
    )
    insured_until: dt.date | None = Field(
        description="last day of that spell from the facts in the case; null = no known end"
    )
    renew_by: dt.date | None = Field(
        description="the last day cover holds without a new payment or fact (= `insured_until`)"
    )
    reasons: tuple[Reason, ...] = Field(
        description="the facts that decided, in order, each with a code, message and source"
    )
    rules_version: str = Field(
        description="the package version and the rule set in force on `as_of`"
    )
    details: dict[str, JsonValue] = Field(
        default_factory=dict,
        description=(
            "scheme-specific detail: kz `debt_months`, `amount_due`; vn `valid_from`, "
            "`valid_to`, `waiting_period_applied`, `continuous_since`, ..."
        ),
    )

    @property
    def insured(self) -> bool:
        return self.status == "insured"

    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    def _repr_html_(self) -> str:  # Jupyter; the rendering lives in insurrules.notebook
        from insurrules.notebook import decision_html

        return decision_html(self)
