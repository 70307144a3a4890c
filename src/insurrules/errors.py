"""Errors, and the masking of personal identifiers wherever text leaves the library."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails

__all__ = [
    "InsurrulesError",
    "RulesError",
    "error_lines",
    "mask_id",
    "mask_text",
    "sanitize_validation_error",
]

_ID_RUN = re.compile(r"(?<!\d)(\d{4})(\d{4})(\d{4})(?!\d)")


class InsurrulesError(Exception):
    """Base class of the library's own errors (not input validation, which is pydantic's)."""


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
    """Mask every 12-digit run (an IIN or a Vietnamese personal number) in ``text``."""
    return _ID_RUN.sub(lambda m: mask_id(m.group(0)), text)


def _mask_any(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: _mask_any(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_mask_any(v) for v in value)
    return value


_PATH = re.compile(
    r"^([A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])?(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])?)*): (.*)$", re.S
)
_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _split_path(path: str) -> tuple[str | int, ...]:
    return tuple(m.group(1) or int(m.group(2)) for m in _PART.finditer(path))


def sanitize_validation_error(exc: ValidationError, *, drop_loc_prefix: int = 0) -> ValidationError:
    """The same errors, with identifiers masked in messages and inputs.

    A model-level check may report several problems in one ``ValueError``, one per line, each
    as ``relative.path[0].field: reason``; they become separate errors located at that path, so
    every problem names its own field. ``drop_loc_prefix`` removes leading location parts.
    """
    details: list[InitErrorDetails] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])[drop_loc_prefix:]
        ctx = err.get("ctx")
        if err["type"] == "value_error" and ctx is not None and "error" in ctx:
            for line in str(ctx["error"]).split("\n"):
                match = _PATH.match(line)
                sub_loc, text = (
                    (_split_path(match.group(1)), match.group(2)) if match else ((), line)
                )
                details.append(
                    {
                        "type": "value_error",
                        "loc": loc + sub_loc,
                        "input": None,
                        "ctx": {"error": ValueError(mask_text(text))},
                    }
                )
            continue
        detail: dict[str, Any] = {
            "type": err["type"],
            "loc": loc,
            "input": _mask_any(err.get("input")),
        }
        if ctx is not None:
            detail["ctx"] = {k: _mask_any(v) for k, v in ctx.items()}
        details.append(detail)  # type: ignore[arg-type]
    return ValidationError.from_exception_data(exc.title, details, hide_input=True)


def format_loc(loc: Iterable[Any]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(case)"


def error_lines(exc: ValidationError) -> list[str]:
    """One line per problem: ``field.path: reason`` with identifiers masked."""
    lines = []
    for err in exc.errors(include_url=False):
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        lines.append(f"{format_loc(err['loc'])}: {mask_text(msg)}")
    return lines
