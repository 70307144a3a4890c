"""The case document: one base class, one subclass per scheme, chosen by ``scheme``.

``Case.model_validate(data)`` (and ``insurrules.decide`` given a dict) reads ``scheme`` and
validates the rest with that scheme's model, so errors name the real field paths
(``person.id``, ``payments[3].month``) and an unknown scheme lists the known ones. Every error is
an ``insurrules.errors.InvalidCase``.

Case documents in JSON text are read by ``load_case_json``: UTF-8 only (a byte-order mark is
accepted), duplicate keys refused (``{"id": ..., "id": ...}`` would silently keep one of the
two), at most ``MAX_JSON_BYTES``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from functools import cache
from typing import Annotated, Any, Union

from pydantic import Discriminator, Field, Tag, TypeAdapter, ValidationError

from insurrules.errors import InvalidCase, describe, invalid_case
from insurrules.models import FrozenModel, IsoDate
from insurrules.schemes import SCHEMES, scheme_module

__all__ = [
    "MAX_JSON_BYTES",
    "Case",
    "load_case_json",
    "parse_case",
    "parse_case_json",
    "scheme_module",
    "validate_input",
    "validate_input_json",
]

#: scheme code -> module holding its ``CASE_MODEL``, ``INPUT`` and ``decide_case``; imported on
#: first use so that ``import insurrules`` stays fast.
#: The largest JSON case document read (8 MiB: a lifetime of monthly records is below 1 MiB).
MAX_JSON_BYTES = 8 * 1024 * 1024


class Case(FrozenModel):
    """Base of every scheme's case document: the scheme and the date asked about."""

    scheme: str = Field(description="`kz-osms` or `vn-bhyt`: selects the rules and the shape")
    as_of: IsoDate = Field(description="the date asked about (rules never read a clock)")

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Any:
        if cls is Case:
            return parse_case(obj)
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            error = invalid_case(exc)
        raise error

    @classmethod
    def model_validate_json(cls, data: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if cls is Case:
            return parse_case_json(data)
        return cls.model_validate(load_case_json(data))

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if cls is Case:
            from insurrules.schema import case_json_schema

            return case_json_schema()
        return super().model_json_schema(*args, **kwargs)

    @property
    def as_of_date(self) -> dt.date:
        return self.as_of


def _scheme_tag(value: Any) -> str | None:
    """The document's scheme as the union's tag; only text is a tag (pydantic-core would print
    any other value into its message, which a hostile value can make fail)."""
    scheme = value.get("scheme", _MISSING) if isinstance(value, Mapping) else _MISSING
    if scheme is _MISSING:
        scheme = getattr(value, "scheme", None)
        return scheme if isinstance(scheme, str) else None
    return scheme if isinstance(scheme, str) else "(not text)"


_MISSING = object()


def _union(kind: str) -> Any:
    members = [Annotated[getattr(scheme_module(s), kind), Tag(s)] for s in SCHEMES]
    return Annotated[Union[tuple(members)], Discriminator(_scheme_tag)]  # noqa: UP007


@cache
def _case_adapter() -> TypeAdapter[Any]:
    return TypeAdapter(_union("CASE_MODEL"))


@cache
def _input_adapter() -> TypeAdapter[Any]:
    return TypeAdapter(_union("INPUT"))


@cache
def _input_validator() -> Callable[[Any], Any]:
    # the compiled validator itself: TypeAdapter.validate_python only forwards its defaults
    return _input_adapter().validator.validate_python


def _validated(validate: Callable[[Any], Any], data: Any) -> Any:
    try:
        return validate(data)
    except ValidationError as exc:
        error = invalid_case(exc, tags=SCHEMES)
    except RecursionError:
        error = InvalidCase.of([((), "the document is nested too deeply")])
    raise error  # outside the handler: the pydantic error is not kept as __context__


def parse_case(data: Any) -> Case:
    """Validate a case document (a mapping or a ``Case``) into its scheme's model.

    Raises ``insurrules.errors.InvalidCase`` with field paths relative to the document and
    personal identifiers masked.
    """
    if isinstance(data, Case) and type(data) is not Case:
        return data
    result: Case = _validated(_case_adapter().validate_python, data)
    return result


def validate_input(data: Any) -> Any:
    """What a scheme's ``decide_case`` reads, validated from a case document (decide's input).

    The same field types and checks as ``parse_case`` (a property test holds the errors and
    decisions equal), compiled for the rules' input: kz-osms payment records become rows without
    one model object per record. A plain dict of a scheme whose module reads dicts directly
    (``input_from_dict``) is taken from that reader when it succeeds; anything else, and every
    error, takes the strict validator (a property test holds the two equal).
    """
    if isinstance(data, Case) and type(data) is not Case:
        return data
    if type(data) is dict:
        fast = _fast_dict_input(data)
        if fast is not None:
            return fast
    return _validated(_input_validator(), data)


@cache  # one per scheme: called only with a key of SCHEMES
def _dict_reader(scheme: str) -> Callable[[dict[str, Any]], Any] | None:
    return getattr(scheme_module(scheme), "input_from_dict", None)


def _fast_dict_input(data: dict[str, Any]) -> Any:
    """The input read by the dict reader of the scheme the document names, or None: then the
    strict path decides (and words every problem)."""
    scheme = data.get("scheme")
    if type(scheme) is not str or scheme not in SCHEMES:
        return None
    reader = _dict_reader(scheme)
    if reader is None:
        return None
    try:
        return reader(data)
    except (ValueError, TypeError, RecursionError):  # ValidationError, a record not a dict
        return None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _DuplicateKeyError
    return found


class _DuplicateKeyError(Exception):
    pass


class _Pairs(list[tuple[str, Any]]):
    pass


def _duplicates(node: Any, path: tuple[str | int, ...]) -> list[tuple[Any, str]]:
    out: list[tuple[Any, str]] = []
    stack = [(node, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, _Pairs):
            counts: dict[str, int] = {}
            for key, value in item:
                counts[key] = counts.get(key, 0) + 1
                stack.append((value, (*where, key)))
            out.extend(
                ((*where, key), f"duplicate key: given {n} times (a document names each key once)")
                for key, n in counts.items()
                if n > 1
            )
        elif isinstance(item, list):
            stack.extend((v, (*where, i)) for i, v in enumerate(item))
    return sorted(out, key=lambda p: str(p[0]))


def load_case_json(data: bytes | bytearray | str) -> Any:
    """Read a case document from JSON text, strictly; ``InvalidCase`` says what is wrong.

    UTF-8 only (a leading byte-order mark is skipped), at most ``MAX_JSON_BYTES``, no
    duplicate keys at any depth, no ``NaN``/``Infinity``. Returns the plain document (dicts,
    lists, strings, numbers) for ``insurrules.decide``; this is the parser behind
    ``insurrules.decide_json`` and ``insurrules check``.

    >>> load_case_json(b'\\xef\\xbb\\xbf{"scheme": "kz-osms"}')
    {'scheme': 'kz-osms'}
    >>> load_case_json('{"as_of": "2026-01-01", "as_of": "2026-02-01"}')
    Traceback (most recent call last):
    ...
    insurrules.errors.InvalidCase: invalid case: 1 problem
      as_of: duplicate key: given 2 times (a document names each key once)
    """
    problem = None
    text = ""
    if isinstance(data, bytes | bytearray):
        if len(data) > MAX_JSON_BYTES:
            problem = f"the document is {len(data)} bytes; at most {MAX_JSON_BYTES} are read"
        elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            problem = "the document is UTF-16 text; case documents are UTF-8"
        else:
            try:
                text = bytes(data).decode("utf-8")
            except UnicodeDecodeError as exc:
                problem = (
                    f"the document is not UTF-8 text (byte 0x{data[exc.start]:02x} "
                    f"at offset {exc.start})"
                )
    elif isinstance(data, str):
        text = data
        if len(text) > MAX_JSON_BYTES:
            problem = f"the document is {len(text)} characters; at most {MAX_JSON_BYTES} are read"
    else:
        problem = f"expected JSON text (bytes or str), got {describe(data)}"
    if problem is None:
        return _loads(text.removeprefix("\ufeff"))
    raise InvalidCase.of([((), problem)])


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _loads(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except _DuplicateKeyError:
        tree = json.loads(text, object_pairs_hook=_Pairs)
        problems = _duplicates(tree, ())
    except json.JSONDecodeError as exc:
        problems = [((), f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
    except RecursionError:
        problems = [((), "not read: the JSON is nested too deeply")]
    except ValueError as exc:  # parse_constant
        problems = [((), f"not valid JSON: {describe(str(exc), 80)[1:-1]}")]
    raise InvalidCase.of(problems)


def validate_input_json(data: bytes | bytearray | str) -> Any:
    """``validate_input(load_case_json(data))``: decide_json's input, from JSON text.

    A document of a scheme that reads JSON directly (its module's ``input_from_json``) is first
    validated by pydantic-core from the text itself, without the Python objects of the whole
    document, and taken when that succeeds and shows no duplicate key. Everything else (any
    error, a duplicate key, another scheme) takes the path above, so every error is worded as
    ``load_case_json`` and ``validate_input`` word it (a property test holds the two equal).
    """
    fast = _fast_input(data)
    return fast if fast is not None else validate_input(load_case_json(data))


def _fast_input(data: bytes | bytearray | str) -> Any:
    """The input read by the reader of the scheme the text names, or None: then the strict
    path decides (and words every problem)."""
    body: bytes | bytearray | str
    if isinstance(data, str):
        body = data.removeprefix("\ufeff")
    elif isinstance(data, bytes | bytearray):
        body = data[3:] if data[:3] == b"\xef\xbb\xbf" else data
    else:
        return None
    if len(data) > MAX_JSON_BYTES:
        return None
    for scheme in SCHEMES:
        marker = f'"{scheme}"'
        if marker in body if isinstance(body, str) else marker.encode() in body:
            reader = getattr(scheme_module(scheme), "input_from_json", None)
            if reader is None:
                return None
            try:
                return reader(body)
            except (ValueError, RecursionError):  # ValidationError, Problems, bad text
                return None
    return None


def parse_case_json(data: bytes | bytearray | str) -> Case:
    """``load_case_json`` then ``parse_case``: a validated ``Case`` from JSON text."""
    return parse_case(load_case_json(data))
