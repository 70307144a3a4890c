"""Dated, sourced rule parameters and interpretation switches.

Every number, date and list the rules use lives in a TOML data file beside the scheme's code
(``kz/parameters.toml``, ``vn/parameters.toml``), as a history of dated values. Each value carries
its legal source, and an ``unconfirmed`` flag where the research could not confirm it, so that
"which value applied in 2021, and why" is answered from data, never from ``if year >= ...``.

Interpretation switches (the D-n decisions of the spec) are parameters too, with a ``decision``
label and the list of readings they may take; a reform overrides them like any other parameter.

A [`RuleSet`][insurrules.parameters.RuleSet] is an immutable view of one scheme's parameters.
``with_changes`` returns a new rule set with some parameters overridden from a date on, validated
before anything runs.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from insurrules.errors import RulesError
from insurrules.months import YearMonth

__all__ = [
    "CategoryPeriod",
    "DatedValue",
    "Parameter",
    "RuleSet",
    "StateCategory",
    "load_rule_set",
]

_KINDS = ("int", "decimal", "date", "month", "bool", "choice", "list")


@dataclass(frozen=True, slots=True)
class DatedValue:
    """A parameter value in force from ``start`` until the next value's start."""

    start: dt.date
    value: Any
    source: str
    unconfirmed: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Parameter:
    """One named parameter: its meaning, type and history of dated values."""

    name: str
    description: str
    kind: str
    values: tuple[DatedValue, ...]
    unit: str | None = None
    choices: Mapping[str, str] | None = None
    decision: str | None = None  # e.g. "D-2": an interpretation switch, not a number from law
    _starts: tuple[dt.date, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(v.start for v in self.values))

    @property
    def is_switch(self) -> bool:
        return self.decision is not None

    def entry(self, on: dt.date) -> DatedValue | None:
        """The dated value in force on ``on``, or ``None`` before the first one."""
        pos = bisect_right(self._starts, on)
        return self.values[pos - 1] if pos else None

    def at(self, on: dt.date) -> Any:
        """The value in force on ``on``; a [`RulesError`][insurrules.errors.RulesError] before the
        parameter existed."""
        found = self.entry(on)
        if found is None:
            raise RulesError(f"{self.name} has no value before {self.values[0].start}")
        return found.value

    def at_month(self, month: YearMonth | int) -> Any:
        """The value in force for a month (the value on its first day)."""
        if isinstance(month, int):
            month = YearMonth.from_index(month)
        return self.at(month.first_day())


@dataclass(frozen=True, slots=True)
class CategoryPeriod:
    """A span of dates in which a state-paid category exists in law, and who pays."""

    start: dt.date
    end: dt.date | None
    budget: str
    source: str
    unconfirmed: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class StateCategory:
    """A state-paid category (membership code) with its legal history, in the law's order."""

    code: str
    title: str
    article: str
    periods: tuple[CategoryPeriod, ...]
    derived: bool = False  # e.g. kz "child": from the birth date, never given as a membership

    def period_on(self, on: dt.date) -> CategoryPeriod | None:
        for period in self.periods:
            if period.start <= on and (period.end is None or on <= period.end):
                return period
        return None


@dataclass(frozen=True)
class RuleSet:
    """An immutable set of one scheme's parameters, switches and categories."""

    scheme: str
    title: str
    parameters: Mapping[str, Parameter]
    categories: tuple[StateCategory, ...] = ()
    changed: tuple[str, ...] = ()
    #: derived, read-only views computed once per rule set by the schemes (e.g. month indices)
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # -- reading ---------------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise RulesError(_unknown_key(name, self.parameters)) from None

    def __contains__(self, name: object) -> bool:
        return name in self.parameters

    def __iter__(self) -> Iterator[str]:
        return iter(self.parameters)

    def value(self, name: str, on: dt.date) -> Any:
        return self[name].at(on)

    def category(self, code: str) -> StateCategory:
        for cat in self.categories:
            if cat.code == code:
                return cat
        raise RulesError(f"unknown category {code!r} for {self.scheme}")

    @property
    def category_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories)

    def switches(self) -> dict[str, Parameter]:
        return {n: p for n, p in self.parameters.items() if p.is_switch}

    def __repr__(self) -> str:  # the parameters themselves: rules[name], rules.parameters
        changed = f", changed: {', '.join(self.changed)}" if self.changed else ""
        return (
            f"RuleSet({self.scheme}: {len(self.parameters)} parameters, "
            f"{len(self.categories)} state categories{changed})"
        )

    def version(self, on: dt.date) -> str:
        """The date of the latest change in force on ``on``: "kz-osms 2026-01-01"."""
        changes, versions = self._versions()
        return versions[bisect_right(changes, on)]

    def _versions(self) -> tuple[list[dt.date], list[str]]:
        """The dates of the changes, and the version in force from each (the first: before
        any), worked out once (``version`` is written in every decision)."""
        found: tuple[list[dt.date], list[str]] | None = self.cache.get("_versions")
        if found is None:
            changes = self._change_dates()
            suffix = " (reformed: " + ", ".join(self.changed) + ")" if self.changed else ""
            labels = ["initial", *(day.isoformat() for day in changes)]
            found = changes, [f"{self.scheme} {label}{suffix}" for label in labels]
            self.cache["_versions"] = found
        return found

    def _change_dates(self) -> list[dt.date]:
        dates: set[dt.date] = set()
        for param in self.parameters.values():
            dates.update(v.start for v in param.values)
        for cat in self.categories:
            for p in cat.periods:
                dates.add(p.start)
                if p.end is not None:
                    dates.add(p.end + dt.timedelta(days=1))
        return sorted(dates)

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    # -- changing -------------------------------------------------------------------------------
    def with_changes(self, changes: Mapping[str, Any], *, source: str = "reform") -> RuleSet:
        """A new rule set with parameters overridden.

        ``changes`` maps a parameter name to either a plain value (in force from the parameter's
        first date) or dated values: ``{"from 2026-07-01": 9}`` or
        ``[{"from": "2026-07-01", "value": 9}]``. From each given date on, the new value replaces
        whatever the history said. Every key, type and date is checked first; an unknown key or a
        change that changes nothing is a [`RulesError`][insurrules.errors.RulesError].
        """
        if not changes:
            raise RulesError("a reform must change at least one parameter")
        problems: list[str] = []
        new_params = dict(self.parameters)
        for name, raw in changes.items():
            if name not in self.parameters:
                problems.append(_unknown_key(name, self.parameters))
                continue
            param = self.parameters[name]
            try:
                dated = _parse_change(param, raw)
            except RulesError as exc:
                problems.append(f"{name}: {exc}")
                continue
            except RecursionError:
                problems.append(f"{name}: the value is nested too deeply")
                continue
            values = list(param.values)
            for start, value in dated:
                values = [v for v in values if v.start < start]
                values.append(DatedValue(start=start, value=value, source=source))
            updated = replace(param, values=tuple(values))
            if _history_equal(updated, param):
                problems.append(f"{name}: the change equals the rules in force (nothing changes)")
                continue
            new_params[name] = updated
        if problems:
            raise RulesError("invalid reform:\n" + "\n".join(f"  - {p}" for p in problems))
        return RuleSet(
            scheme=self.scheme,
            title=self.title,
            parameters=new_params,
            categories=self.categories,
            changed=tuple(dict.fromkeys((*self.changed, *changes))),
        )


def _history_equal(a: Parameter, b: Parameter) -> bool:
    def value(param: Parameter, on: dt.date) -> Any:
        found = param.entry(on)
        return None if found is None else found.value

    points = sorted({v.start for v in a.values} | {v.start for v in b.values})
    return all(value(a, p) == value(b, p) for p in points)


def _unknown_key(name: object, known: Iterable[str]) -> str:
    if not isinstance(name, str) or len(name) > 100:
        return f"unknown parameter {_shown(name)}"
    prefix = name.rsplit(".", 1)[0]
    near = sorted(k for k in known if k.startswith(prefix))
    hint = f"; parameters under {_shown(prefix)}: {', '.join(near)}" if near else ""
    return f"unknown parameter {_shown(name)}{hint}"


def _parse_change(param: Parameter, raw: Any) -> list[tuple[dt.date, Any]]:
    if isinstance(raw, Mapping | list) and len(raw) > MAX_LIST:
        raise RulesError(f"at most {MAX_LIST} dated values, got {len(raw)}")
    if (
        isinstance(raw, Mapping)
        and raw
        and all(isinstance(k, str) and k.startswith("from ") for k in raw)
    ):
        pairs: list[tuple[Any, Any]] = [(k[5:].strip(), v) for k, v in raw.items()]
    elif isinstance(raw, list) and not (
        param.kind == "list" and not any(isinstance(item, Mapping) for item in raw)
    ):
        pairs = []
        for item in raw:
            if not isinstance(item, Mapping) or set(item) != {"from", "value"}:
                raise RulesError("each dated change needs exactly 'from' and 'value'")
            pairs.append((item["from"], item["value"]))
    else:
        pairs = [(param.values[0].start, raw)]
    out: list[tuple[dt.date, Any]] = []
    may_be_empty = any(v.value is None for v in param.values)
    for when, value in pairs:
        start = _parse_date(when)
        if value is None and not may_be_empty:
            raise RulesError("a value is required (this parameter is never empty)")
        out.append((start, coerce_value(param, value)))
    out.sort(key=lambda p: p[0])
    return out


#: Reform values are bounded to what a law could say, so that a typo (``1000000`` months) is an
#: error, not minutes of work or an impossible allocation. Whole numbers by unit:
INT_BOUNDS: dict[str | None, int] = {"months": 240, "days": 3660, "years": 120, None: 10_000}
#: Decimals by unit: shares and rates (no unit) are fractions of one; multiples of the minimum
#: wage at most 1000; money below 10^15 in its currency. At most 6 decimals, always.
DECIMAL_BOUNDS: dict[str | None, Decimal] = {None: Decimal(1), "× MZP": Decimal(1000)}
MONEY_BOUND = Decimal(10) ** 15
#: Dated values and date parameters lie within the dates a case may carry.
DATE_RANGE = (dt.date(1800, 1, 1), dt.date(2100, 12, 31))
MAX_LIST = 100


def _shown(value: Any) -> str:
    from insurrules.errors import describe

    return describe(value)


def _parse_date(text: Any) -> dt.date:
    if isinstance(text, dt.datetime):
        raise RulesError(f"expected a date (YYYY-MM-DD), got a date-time {_shown(str(text))}")
    if isinstance(text, dt.date):
        day = text
    else:
        raw = str(text) if isinstance(text, str | int) and not isinstance(text, bool) else None
        if raw is None or len(raw) != 10 or not raw.isascii():
            raise RulesError(f"{_shown(text)} is not an ISO date (YYYY-MM-DD)")
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise RulesError(f"{_shown(text)} is not an ISO date (YYYY-MM-DD)") from None
    if not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
        raise RulesError(f"{day} is outside {DATE_RANGE[0]}..{DATE_RANGE[1]}")
    return day


def _decimal(param: Parameter, value: Any) -> Decimal:
    if isinstance(value, float | bool) or not isinstance(value, str | int | Decimal):
        raise RulesError(f"expected a decimal string or integer (no floats), got {_shown(value)}")
    if isinstance(value, int) and value.bit_length() > 64:
        raise RulesError(f"expected a decimal number in range, got {_shown(value)}")
    text = str(value)
    if len(text) > 40 or not text.isascii():
        raise RulesError(f"expected a decimal number, got {_shown(value)}")
    try:
        number = Decimal(text.replace("_", "!"))  # no digit separators: "1_000" is refused
    except InvalidOperation:
        raise RulesError(f"expected a decimal number, got {_shown(value)}") from None
    bound = DECIMAL_BOUNDS.get(param.unit, MONEY_BOUND)
    if not number.is_finite() or number < 0 or number > bound:
        shown = "10^15" if bound == MONEY_BOUND else str(bound)
        raise RulesError(f"expected a number from 0 to {shown}, got {_shown(value)}")
    if number.as_tuple().exponent < -6:  # type: ignore[operator]
        raise RulesError(f"at most 6 decimals, got {_shown(value)}")
    return number


def coerce_value(param: Parameter, value: Any) -> Any:
    """Check and convert a value for a parameter of kind ``param.kind``, within its bounds."""
    kind = param.kind
    if value is None:
        return None
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise RulesError(f"expected a whole number, got {_shown(value)}")
        bound = INT_BOUNDS.get(param.unit, INT_BOUNDS[None])
        if not 0 <= value <= bound:
            unit = f" {param.unit}" if param.unit else ""
            raise RulesError(
                f"expected a whole number from 0 to {bound}{unit}, got {_shown(value)}"
            )
        return value
    if kind == "decimal":
        return _decimal(param, value)
    if kind == "date":
        return _parse_date(value)
    if kind == "month":
        if isinstance(value, YearMonth):
            month = value
        else:
            try:
                month = YearMonth.parse(value if isinstance(value, str) else "")
            except ValueError:
                raise RulesError(f"expected a month as YYYY-MM, got {_shown(value)}") from None
        if not DATE_RANGE[0] <= month.first_day() <= DATE_RANGE[1]:
            raise RulesError(f"{month} is outside {DATE_RANGE[0]:%Y-%m}..{DATE_RANGE[1]:%Y-%m}")
        return month
    if kind == "bool":
        if not isinstance(value, bool):
            raise RulesError(f"expected true or false, got {_shown(value)}")
        return value
    if kind == "choice":
        assert param.choices is not None
        if not isinstance(value, str) or value not in param.choices:
            raise RulesError(f"expected one of {', '.join(param.choices)}, got {_shown(value)}")
        return value
    if kind == "list":
        return _code_list(param, value)
    raise RulesError(f"unknown parameter kind {kind!r}")  # pragma: no cover - data error


def _code_list(param: Parameter, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"expected a list of codes, got {_shown(value)}")
    if len(value) > MAX_LIST or any(len(v) > 64 or not v.isascii() for v in value):
        raise RulesError(f"expected at most {MAX_LIST} short ASCII codes, got {_shown(value)}")
    history = [tuple(dated.value) for dated in param.values if dated.value]
    known = [v for values in history for v in values]
    if known and all(_is_number(v) for v in known):  # a list of numbers written as text
        _number_list(param, value, history)
    return tuple(value)


def _number_list(param: Parameter, value: Any, history: list[tuple[str, ...]]) -> None:
    """The shape of the history holds: a (month, day) pair stays a real one; whole numbers
    stay whole and in range; shares stay fractions of one; never empty."""
    bad = next((v for v in value if not _is_number(v)), None)
    if bad is not None or not value:
        raise RulesError(f"expected numbers written as text, got {_shown(value)}")
    whole = all("." not in v for values in history for v in values)
    if whole and param.unit is None and {len(values) for values in history} == {2}:
        if len(value) != 2:
            raise RulesError(f"expected a month and a day, got {_shown(value)}")
        try:
            dt.date(2000, int(value[0]), int(value[1]))
        except ValueError:
            raise RulesError(f"expected a real month and day, got {_shown(value)}") from None
        return
    for v in value:
        if whole:
            bound = INT_BOUNDS.get(param.unit, INT_BOUNDS[None])
            if not (v.isdigit() and 1 <= int(v) <= bound):
                unit = f" {param.unit}" if param.unit else ""
                raise RulesError(f"expected whole{unit} 1..{bound}, got {_shown(v)}")
        elif not Decimal(v) <= 1:
            raise RulesError(f"expected shares from 0 to 1, got {_shown(v)}")


def _is_number(text: str) -> bool:
    head, _, tail = text.partition(".")
    return head.isdigit() and head.isascii() and (not tail or (tail.isdigit() and tail.isascii()))


def load_rule_set(package: str, filename: str = "parameters.toml") -> RuleSet:
    """Load a scheme's rule set from the TOML data file shipped in ``package``."""
    text = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    params: dict[str, Parameter] = {}
    for raw in data.get("parameter", []):
        kind = raw["type"]
        if kind not in _KINDS:
            raise RulesError(f"{raw['name']}: unknown type {kind!r}")
        stub = Parameter(
            name=raw["name"],
            description=raw["description"].strip(),
            kind=kind,
            values=(),
            unit=raw.get("unit"),
            choices=raw.get("choices"),
            decision=raw.get("decision"),
        )
        values = tuple(
            DatedValue(
                start=v["from"],
                value=coerce_value(stub, v.get("value")),
                source=v["source"],
                unconfirmed=bool(v.get("unconfirmed", False)),
                note=v.get("note"),
            )
            for v in raw["values"]
        )
        if list(values) != sorted(values, key=lambda v: v.start):
            raise RulesError(f"{raw['name']}: values must be in date order")
        if raw["name"] in params:
            raise RulesError(f"{raw['name']}: defined twice")
        params[raw["name"]] = replace(stub, values=values)
    categories = tuple(
        StateCategory(
            code=c["code"],
            title=c["title"],
            article=c["article"],
            derived=bool(c.get("derived", False)),
            periods=tuple(
                CategoryPeriod(
                    start=p["from"],
                    end=p.get("until"),
                    budget=p["budget"],
                    source=p["source"],
                    unconfirmed=bool(p.get("unconfirmed", False)),
                    note=p.get("note"),
                )
                for p in c["periods"]
            ),
        )
        for c in data.get("category", [])
    )
    return RuleSet(
        scheme=data["scheme"], title=data["title"], parameters=params, categories=categories
    )
