"""decide()'s fast readers of a kz-osms document (payment records' unknown keys ignored, then
counted) accept exactly what the strict validator accepts, with the same result, and leave every
other document to it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insurrules.case import _input_validator, _validated, validate_input, validate_input_json
from insurrules.errors import InvalidCase
from insurrules.kz.case import input_from_dict, input_from_json
from tests.kz.strategies import kz_cases

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = ("month", "paid_on", "amount", "payer")


class _Record(Mapping[str, Any]):
    """A record that is a Mapping but not a dict (pydantic-core reads it as a typed dict)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


class _Lying(dict[str, Any]):
    """A dict whose ``len`` hides its extra keys."""

    def __len__(self) -> int:
        return min(dict.__len__(self), len(KEYS))


class _Filling(dict[str, Any]):
    """A dict that fills a missing key when looked up (as ``defaultdict`` does): a reader that
    looks keys up itself sees a complete record, pydantic-core sees the key missing."""

    def __missing__(self, key: str) -> Any:
        self[key] = {"month": "2025-02", "paid_on": "2025-02-20", "amount": "1", "payer": "self"}[
            key
        ]
        return self[key]


class _Renaming(dict[str, Any]):
    """A dict whose look-ups say other than what it holds."""

    def __getitem__(self, key: str) -> Any:
        return "employee" if key == "payer" else dict.__getitem__(self, key)


class _Once:
    """An iterator of records that also says how many it holds (pydantic-core reads it as a
    list): a reader that spends it leaves nothing to the next."""

    def __init__(self, records: list[Any]) -> None:
        self._records = iter(records)
        self._count = len(records)

    def __iter__(self) -> _Once:
        return self

    def __next__(self) -> Any:
        return next(self._records)

    def __len__(self) -> int:
        return self._count


@st.composite
def _record(draw: st.DrawFn, record: dict[str, Any]) -> Any:
    """``record`` with keys added or removed, or not a plain dict at all."""
    kind = draw(
        st.sampled_from(
            [
                *("extra", "missing", "swap", "other", "proxy", "mapping", "lying", "dict"),
                *("filling", "renaming"),
            ]
        )
    )
    if kind == "extra":
        extra = draw(st.sampled_from(["note", "Month", "", "payer ", "paid_on_"]))
        value = draw(st.sampled_from([None, 1, "x", "2024-01", {"a": 1}, [1, 2]]))
        return {**record, extra: value}
    if kind == "missing":
        return {k: v for k, v in record.items() if k != draw(st.sampled_from(KEYS))}
    if kind == "swap":  # four keys, one of them unknown
        gone = draw(st.sampled_from(KEYS))
        return {**{k: v for k, v in record.items() if k != gone}, "note": record[gone]}
    if kind == "other":
        return draw(st.sampled_from([None, "2024-01", 1, [*record.values()], tuple(record)]))
    if kind == "filling":
        return _Filling({k: v for k, v in record.items() if k != draw(st.sampled_from(KEYS))})
    wrap = {
        "proxy": MappingProxyType,
        "mapping": _Record,
        "lying": _Lying,
        "dict": dict,
        "renaming": _Renaming,
    }[kind]
    return wrap({**record, "note": 1} if draw(st.booleans()) else record)


@st.composite
def _documents(draw: st.DrawFn) -> tuple[dict[str, Any], Callable[[], dict[str, Any]]]:
    """A document, and a function giving a fresh copy of it (an iterator of records is spent by
    the first reader)."""
    case = draw(kz_cases())
    payments = list(case["payments"])
    mode = draw(st.sampled_from(["same", "one", "many"]))
    if mode == "one" and payments:
        i = draw(st.integers(0, len(payments) - 1))
        payments[i] = draw(_record(payments[i]))
    elif mode == "many":
        payments = [draw(st.just(r) | _record(r)) for r in payments]
    if draw(st.integers(0, 5)) == 0:  # an unknown key elsewhere: refused by every reader
        where = draw(st.sampled_from([case, case["person"]]))
        where[draw(st.sampled_from(["note", "payment"]))] = draw(st.sampled_from([None, 1, []]))
    shape = draw(st.sampled_from(["list", "list", "tuple", "iterator", "sized", "missing"]))
    del case["payments"]

    def fresh() -> dict[str, Any]:
        if shape == "missing":
            return copy.deepcopy(case)
        containers: dict[str, Callable[[list[Any]], Any]] = {
            "list": list,
            "tuple": tuple,
            "iterator": iter,
            "sized": _Once,
        }
        records = containers[shape](payments)
        return {**copy.deepcopy(case), "payments": records}

    return fresh(), fresh


def _verdict(validate: Callable[[Any], Any], given: Any) -> Any:
    """What ``validate`` reads from ``given``, or the lines of its error."""
    try:
        return validate(given)
    except InvalidCase as exc:
        return exc.lines


def _strict(doc: Any) -> Any:
    return _verdict(lambda d: _validated(_input_validator(), d), doc)


def _fast(doc: dict[str, Any]) -> Any:
    try:
        return input_from_dict(doc)
    except (ValueError, TypeError):
        return None


def _plain(doc: dict[str, Any]) -> bool:
    """The records are a list or tuple of plain dicts (what the fast reader must take)."""
    records = doc.get("payments", ())
    return type(records) in (list, tuple) and all(type(r) is dict for r in records)


@SETTINGS
@given(_documents())
def test_fast_dict_reader_accepts_what_the_strict_validator_accepts(
    given_doc: tuple[dict[str, Any], Callable[[], dict[str, Any]]],
) -> None:
    doc, fresh = given_doc
    strict = _strict(fresh())
    fast = _fast(fresh())
    if fast is not None:
        assert fast == strict
    elif _plain(doc):
        assert isinstance(strict, list), "the fast reader refused a valid plain document"
    assert _verdict(validate_input, doc) == strict


_BASE: dict[str, Any] = {
    "scheme": "kz-osms",
    "as_of": "2025-09-15",
    "person": {"id": "870412445016", "birth_date": "1987-04-12", "sex": "female"},
    "payments": [
        {"month": f"2025-{m:02d}", "paid_on": f"2025-{m:02d}-20", "amount": "4250", "payer": "self"}
        for m in range(1, 7)
    ],
}
_ONE_RECORD = [
    {"note": 1},
    {"month": "2025-01", "paid_on": "2025-01-20", "amount": "4250"},
    {"month": "2025-01", "paid_on": "2025-01-20", "amount": "4250", "note": "self"},
    *[
        wrap(_BASE["payments"][0])
        for wrap in (MappingProxyType, _Record, _Lying, dict, _Renaming, _Filling)
    ],
    *[
        wrap({**_BASE["payments"][0], "note": 1})
        for wrap in (MappingProxyType, _Record, _Lying, dict, _Renaming, _Filling)
    ],
    *[_Filling({k: v for k, v in _BASE["payments"][0].items() if k != key}) for key in KEYS],
    None,
    ["2025-01", "2025-01-20", "4250", "self"],
]


@pytest.mark.parametrize("shape", [list, tuple, iter, _Once])
@pytest.mark.parametrize("record", _ONE_RECORD, ids=repr)
def test_each_kind_of_record_is_read_as_the_strict_validator_reads_it(
    record: Any, shape: Callable[[list[Any]], Any]
) -> None:
    """Every kind of record the hypothesis test draws, one at a time, in every container."""

    def fresh() -> dict[str, Any]:
        first = copy.copy(record) if isinstance(record, dict) else record
        return {**_BASE, "payments": shape([first, *_BASE["payments"][1:]])}

    strict = _strict(fresh())
    fast = _fast(fresh())
    if fast is not None:
        assert fast == strict
    assert _verdict(validate_input, fresh()) == strict


@SETTINGS
@given(_documents())
def test_fast_json_reader_accepts_what_the_strict_validator_accepts(
    given_doc: tuple[dict[str, Any], Callable[[], dict[str, Any]]],
) -> None:
    doc = given_doc[0]
    records = doc.get("payments")
    if records is not None and type(records) not in (list, tuple):
        return
    if records is not None:
        plain = [dict(r) if isinstance(r, Mapping) else r for r in records]
        doc = {**doc, "payments": plain}
    text = json.dumps(doc).encode()
    strict = _strict(json.loads(text))
    try:
        fast = input_from_json(text)
    except ValueError:
        fast = None
    if fast is not None:
        assert fast == strict
    else:
        assert isinstance(strict, list), "the fast JSON reader refused a valid document"
    assert _verdict(validate_input_json, text) == strict
