"""Errors, and the masking of personal identifiers wherever text leaves the library.

Bad input is an [`InvalidCase`][insurrules.errors.InvalidCase]: one problem per field, each a
path (``payments[3].month``) and a reason, identifiers masked.
[`error_lines`][insurrules.errors.error_lines] prints them one per line, as the CLI does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

__all__ = [
    "InsurrulesError",
    "InvalidCase",
    "Problems",
    "RulesError",
    "describe",
    "error_lines",
    "format_loc",
    "invalid_case",
    "mask_id",
    "mask_text",
]

#: A run of 12 or more digits (an IIN, a Vietnamese personal number, or one hidden in a longer
#: run): masked wherever text leaves the library.
_ID_RUN = re.compile(r"(?<!\d)\d{12,}(?!\d)")

#: At most this many problems are listed for one case; the rest are counted in a last line, so a
#: hostile document cannot make its error cost more than the document.
MAX_PROBLEMS = 100


class InsurrulesError(Exception):
    """Base class of the library's own errors (input validation: see ``InvalidCase``)."""


class RulesError(InsurrulesError, ValueError):
    """A rule set, parameter, reform or rule question that cannot be answered as asked."""


def mask_id(value: str) -> str:
    """Mask a personal identifier, keeping its first four and last two characters.

    >>> mask_id("870412445016")
    '8704******16'
    """
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def mask_text(text: str) -> str:
    """Mask every run of 12 or more digits (an IIN or a Vietnamese personal number) in ``text``.

    >>> mask_text("person 870412445016 and 079082007731")
    'person 8704******16 and 0790******31'
    """
    return _ID_RUN.sub(lambda m: mask_id(m.group(0)), text)


def _clean(text: str) -> str:
    """One printable line: ids masked, newlines and lone surrogates escaped."""
    text = mask_text(text)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def describe(value: Any, limit: int = 40) -> str:
    """A short, masked, one-line view of an input value for an error message.

    Never the whole value (a hostile string may be megabytes), never a 12-digit run, never a
    newline, never a crash (an int of 10 000 digits has no ``repr`` in Python 3.11+).

    >>> describe("870412445016"), describe(4250.5), describe([1, 2])
    ("'8704******16'", '4250.5', 'a list')
    """
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        shown = _clean(repr(mask_text(value)[: limit * 2]))  # masked whole, then cut
        if len(value) > limit * 2 or len(shown) > limit + 2:
            shown = shown[:limit] + f"...' ({len(value)} characters)"
        return shown
    if isinstance(value, int):
        if value.bit_length() > 128:
            return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
        return _clean(str(value))
    if isinstance(value, float):
        return _clean(repr(value))
    if type(value).__name__ == "Decimal":
        text = str(value)
        return _clean(text) if len(text) <= limit else f"a number of {len(text)} characters"
    kind = type(value).__name__
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


class Problems(ValueError):  # noqa: N818 - several problems, not one error
    """Several problems found by one model-level check, each ``(path, reason)``.

    ``path`` is relative to the model that raised it; ``invalid_case`` makes each a problem of its
    own, located at that path. The reasons are the library's own text.
    """

    def __init__(self, problems: Sequence[tuple[tuple[str | int, ...], str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{format_loc(p)}: {r}" for p, r in self.problems))


def format_loc(loc: Iterable[Any]) -> str:
    """``("payments", 3, "month")`` -> ``payments[3].month``; ``()`` -> ``(case)``."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            text = _safe_loc(item)
            if not (isinstance(text, str) and text.isidentifier()):
                text = f"'{text}'"  # an unknown key given by the sender: shown, quoted
            parts.append(("." if parts else "") + text)
    return "".join(parts) or "(case)"


# Reasons for pydantic-core's own checks where its message would be a regular expression or a
# type name the sender never wrote (registered by the field types in insurrules.models):
# error type -> reason from the rejected value; pattern -> reason.
REASONS: dict[str, Callable[[Any], str]] = {}
PATTERN_REASONS: dict[str, str] = {}


def _reason(err: Any, tags: Collection[str] = ()) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind in REASONS:
        text = REASONS[kind](err.get("input"))
    elif kind == "value_error" and "error" in ctx:
        text = str(ctx["error"])
    elif kind == "string_pattern_mismatch" and ctx.get("pattern") in PATTERN_REASONS:
        text = PATTERN_REASONS[ctx["pattern"]]
        if isinstance(err.get("input"), str):
            text += f", got {describe(err['input'])}"
    elif kind == "union_tag_invalid":
        scheme = err["input"].get("scheme") if isinstance(err.get("input"), dict) else None
        text = f"unknown scheme {describe(scheme)}; known: {ctx.get('expected_tags', '')}"
    elif kind == "union_tag_not_found" and not isinstance(err.get("input"), Mapping):
        text = f"expected a case document (a JSON object), got {describe(err.get('input'))}"
    elif kind == "union_tag_not_found":
        known = ", ".join(repr(t) for t in tags)
        text = f"Field required (the scheme: one of {known})" if known else "Field required"
    elif kind in ("list_type", "tuple_type", "iterable_type"):
        text = f"expected a list (a JSON array), got {describe(err.get('input'))}"
    elif kind == "too_long":
        text = f"at most {ctx.get('max_length')} items, got {ctx.get('actual_length')}"
    elif kind in ("model_type", "dict_type", "model_attributes_type", "typed_dict_type"):
        text = f"expected an object (a JSON mapping), got {describe(err.get('input'))}"
    else:
        text = str(err["msg"])
        if isinstance(err.get("input"), str | int | float) and kind.endswith(
            ("_type", "_parsing", "literal_error", "enum")
        ):
            text += f", got {describe(err['input'])}"
    text = _clean(text.strip())
    return text or "invalid value"


def _problems(
    exc: ValidationError, prefix: tuple[str | int, ...], tags: Collection[str] = ()
) -> list[tuple[Any, str, str]]:
    out: list[tuple[Any, str, str]] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        if loc and loc[0] in tags:  # a scheme's union member: not a field of the document
            loc = loc[1:]
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = ("scheme",) if isinstance(err.get("input"), Mapping) else ()
        loc = (*prefix, *loc)
        ctx = err.get("ctx") or {}
        error = ctx.get("error") if err["type"] == "value_error" else None
        if isinstance(error, Problems):
            for sub, reason in error.problems:
                out.append(((*loc, *sub), "value_error", _clean(reason) or "invalid value"))
        elif isinstance(error, ValidationError):  # a nested check that validated on its own
            out.extend(_problems(error, loc))
        else:
            out.append((loc, err["type"], _reason(err, tags)))
    return out


class InvalidCase(ValidationError):  # noqa: N818 - the public name (issue 15)
    """The case document (or a list of them) is invalid: every problem, with its field.

    A ``ValueError`` (and, for code written against earlier releases, a
    ``pydantic.ValidationError``) raised by [`decide`][insurrules.decide],
    [`decide_json`][insurrules.decide_json], [`decide_many`][insurrules.decide_many] and
    [`explain`][insurrules.explain].

    * ``lines``: one line per problem, ``field.path: reason`` (what ``insurrules check``
      prints);
    * ``problems``: the same as data, ``[{"path": "payments[3].month", "reason": "..."}]``;
    * ``errors()``: pydantic's structure, with ``loc`` tuples and ``msg`` = the reason; its
      ``input`` is always ``None`` (the input is the sender's, possibly an identifier).

    Identifiers are masked everywhere, and the exception never chains the original pydantic
    error (``__cause__`` and ``__context__`` are empty).
    """

    @property
    def lines(self) -> list[str]:
        return [f"{p['path']}: {p['reason']}" for p in self.problems]

    @property
    def problems(self) -> list[dict[str, str]]:
        return [
            {"path": format_loc(err["loc"]), "reason": err["msg"]}
            for err in self.errors(include_url=False)
        ]

    def __str__(self) -> str:
        lines = self.lines
        head = (
            "invalid case: 1 problem" if len(lines) == 1 else f"invalid case: {len(lines)} problems"
        )
        return head + "".join(f"\n  {line}" for line in lines)

    def __repr__(self) -> str:
        return f"InvalidCase({self.lines!r})"

    @classmethod
    def of(cls, problems: Iterable[tuple[Any, str, str] | tuple[Any, str]]) -> InvalidCase:
        """From ``(loc, reason)`` or ``(loc, type, reason)`` triples; at most MAX_PROBLEMS."""
        details: list[InitErrorDetails] = []
        items = list(problems)
        for item in items[:MAX_PROBLEMS]:
            loc, kind, reason = item if len(item) == 3 else (item[0], "value_error", item[1])
            details.append(
                {
                    "type": PydanticCustomError(str(kind), "{reason}", {"reason": reason}),
                    "loc": tuple(_safe_loc(part) for part in loc),
                    "input": None,
                }
            )
        if len(items) > MAX_PROBLEMS:
            more = len(items) - MAX_PROBLEMS
            details.append(
                {
                    "type": PydanticCustomError(
                        "too_many_errors", "{reason}", {"reason": f"and {more} more problems"}
                    ),
                    "loc": (),
                    "input": None,
                }
            )
        return cls.from_exception_data("case", details)


def _safe_loc(part: Any) -> str | int:
    """A location part as the sender may not see it echoed: masked, one line, at most 40."""
    if isinstance(part, int) and not isinstance(part, bool):
        return part
    text = str(part)
    if text.isidentifier() and len(text) <= 40:
        return text
    short = _clean(mask_text(text)[:80])  # masked whole, then cut: never half an id left
    return short if len(short) <= 40 else short[:40] + "..."


def invalid_case(
    exc: ValidationError, prefix: tuple[str | int, ...] = (), *, tags: Collection[str] = ()
) -> InvalidCase:
    """A pydantic ``ValidationError`` as an [`InvalidCase`][insurrules.errors.InvalidCase]: clean
    reasons, ids masked.

    A model-level check that found several problems (``Problems``) becomes one problem per
    path. ``prefix`` is put before every path (``decide_many`` adds the case's index).
    """
    if isinstance(exc, InvalidCase):
        if not prefix:
            return exc
        return InvalidCase.of(
            ((*prefix, *err["loc"]), err["type"], err["msg"]) for err in exc.errors()
        )
    return InvalidCase.of(_problems(exc, prefix, tags))


def error_lines(exc: ValidationError) -> list[str]:
    """One line per problem, ``field.path: reason``, identifiers masked.

    >>> import insurrules
    >>> try:
    ...     insurrules.decide({"scheme": "kz-osms", "as_of": "2026-02-30"})
    ... except insurrules.InvalidCase as exc:
    ...     print("\\n".join(error_lines(exc)))
    as_of: 2026-02-30 is not a real date (day is out of range for month)
    person: Field required
    """
    return invalid_case(exc).lines
