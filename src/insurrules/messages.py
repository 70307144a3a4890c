"""Every reason message of every scheme, in one place: catalogues of templates keyed by code.

A decision's reasons ([the contract][contract]) carry a stable ``code``, a human ``message`` and the
legal ``source``. The rules decide *which* reasons hold and with *which values*; this module alone
words them. Each template names its values as ``{placeholders}``, filled from the facts of the case
and from the parameter values in force, so that a reform shows its own numbers (a 6-month debt
window says "6-month window", a 90-day wait "90-day wait"); no template writes a value that the
rules read from a parameter.

Keys are reason codes; a code worded in more than one way has one entry per wording,
``code#variant`` (``kz.debt.unsettled_months#paid``). A code that carries a category or group
(``kz.state.child``) uses the family's entry (``kz.state.*``). Fragments that other messages
embed are keyed ``…#fragment`` too. The labels of the command line and the timeline strip are
keyed ``cli.…`` (every catalogue has them) or ``kz.basis.…``, ``vn.label.…`` (the scheme's).
The catalogues are data, one file per language in
``insurrules/locale/`` (``en.toml``, the source; ``ru.toml``, ``kk.toml`` for kz-osms;
``vi.toml`` for vn-bhyt): each has the keys of the schemes it serves, with the same placeholders
(a test holds them equal), and a ``[terms]`` table translating the words the rules put into
placeholders (budgets, category titles, payer and group codes).

The language of the messages is chosen per decision (``decide(case, lang="ru")``): the
decision is made inside ``speaking()``, which sets it for the messages written meanwhile (a
context variable, so concurrent decisions in other threads or tasks keep their own).

Codes name the rule, not a value of today's law (``kz.grace.standard``, not
``kz.grace.three_months``). The codes of release 0.1 that named a value are kept as aliases for
one release: `insurrules.codes.LEGACY_CODES` maps each old code to its new one, and
[`insurrules.models.Reason.legacy_code`][insurrules.models.Reason.legacy_code] gives the old code of
a reason, for services that still branch on it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from insurrules.errors import RulesError
from insurrules.models import Reason

__all__ = [
    "MESSAGES",
    "Catalogue",
    "basis_label",
    "catalogue",
    "language_spoken",
    "languages",
    "message",
    "reason",
    "speaking",
    "term",
]


@dataclass(frozen=True)
class Catalogue:
    """One language's messages (template key -> template) and terms (word -> its translation)."""

    language: str
    name: str
    schemes: tuple[str, ...]
    messages: Mapping[str, str]
    terms: Mapping[str, str]


@cache
def catalogue(language: str) -> Catalogue:
    """The catalogue of ``language`` (``insurrules/locale/<language>.toml``)."""
    files = _files()
    if language not in files:
        raise RulesError(f"no messages in {language!r}; languages: {', '.join(sorted(files))}")
    data = tomllib.loads(files[language])
    return Catalogue(
        language=data["language"],
        name=data["name"],
        schemes=tuple(data["schemes"]),
        messages=MappingProxyType(dict(data["messages"])),
        terms=MappingProxyType(dict(data.get("terms", {}))),
    )


@cache
def _files() -> dict[str, str]:
    folder = resources.files("insurrules").joinpath("locale")
    return {
        f.name.removesuffix(".toml"): f.read_text(encoding="utf-8")
        for f in folder.iterdir()
        if f.name.endswith(".toml")
    }


def languages(scheme: str) -> tuple[str, ...]:
    """The languages whose catalogue serves ``scheme``, English first."""
    found = [code for code in sorted(_files()) if scheme in catalogue(code).schemes]
    return tuple(sorted(found, key=lambda code: code != "en"))


_SPEAKING: ContextVar[Catalogue | None] = ContextVar("insurrules_messages_language", default=None)


@contextmanager
def speaking(language: str, scheme: str | None = None) -> Iterator[Catalogue]:
    """Write the messages of the decisions made inside in ``language`` (checked for ``scheme``)."""
    if scheme is not None and language not in languages(scheme):
        raise RulesError(
            f"lang: {scheme} messages are in {', '.join(languages(scheme))}, not {language!r}"
        )
    chosen = catalogue(language)
    token = _SPEAKING.set(None if language == "en" else chosen)
    try:
        yield chosen
    finally:
        _SPEAKING.reset(token)


#: The English catalogue: template key -> template (see the module docstring).
MESSAGES: Mapping[str, str] = catalogue("en").messages


def language_spoken() -> str | None:
    """The language of the messages being written (``speaking()``), None for English: what a
    reason kept by its values is also kept by."""
    speaking_now = _SPEAKING.get()
    return None if speaking_now is None else speaking_now.language


def _lookup(templates: Mapping[str, str], key: str) -> str | None:
    found = templates.get(key)
    if found is not None:
        return found
    code, sep, variant = key.partition("#")
    return templates.get(code.rsplit(".", 1)[0] + ".*" + sep + variant)


def _render(key: str, values: dict[str, Any]) -> str:
    speaking_now = _SPEAKING.get()
    if speaking_now is not None:
        template = _lookup(speaking_now.messages, key)
        if template is not None:
            terms = speaking_now.terms
            return template.format_map(
                {k: terms.get(v, v) if isinstance(v, str) else v for k, v in values.items()}
            )
    template = _lookup(MESSAGES, key)
    if template is None:
        raise KeyError(f"no message for {key!r}")
    return template.format_map(values)


def basis_label(scheme: str, basis: str | None) -> str:
    """The name of a decision's ``basis`` (None: not insured) in the language being spoken:
    ``kz.basis.…`` / ``vn.basis.…`` (``cli.span.not_insured``)."""
    if basis is None:
        return message("cli.span.not_insured")
    return message(f"{'vn' if scheme == 'vn-bhyt' else 'kz'}.basis.{basis}")


def term(word: str) -> str:
    """``word`` (a unit, a budget, a code the rules write) in the language being spoken: its
    entry in the catalogue's ``[terms]``, or the word itself (English)."""
    speaking_now = _SPEAKING.get()
    if speaking_now is None:
        return word
    return speaking_now.terms.get(word, word)


def message(key: str, **values: Any) -> str:
    """The message of template ``key`` (a code, ``code#variant`` or a family's code) with
    ``values`` filled in, in the language being spoken (``speaking()``; English otherwise)."""
    return _render(key, values)


def reason(code: str, source: str, *, variant: str | None = None, **values: Any) -> Reason:
    """A reason with its message from the catalogue (``code``, or ``code#variant``)."""
    if all(map(_SAME_WORDS.__contains__, map(type, values.values()))):
        speaking_now = _SPEAKING.get()
        language = None if speaking_now is None else speaking_now.language
        return _worded(code, source, variant, language, *values.items())
    return _reason(code, source, variant, values)


def _reason(code: str, source: str, variant: str | None, values: dict[str, Any]) -> Reason:
    text = _render(code if variant is None else f"{code}#{variant}", values)
    # every field is a str written here: no validation needed (a hot path of decide())
    return Reason._trusted({"code": code, "message": text, "source": source})


#: Types whose equal values are written the same (Decimal("1.0") == Decimal("1"), 1 == True and
#: 0.0 == -0.0 are not): only reasons of such values are kept by ``_worded``.
_SAME_WORDS = frozenset({str, int, dt.date, type(None)})


# A decision words a few reasons, mostly with the months around the day asked about, so the
# same reasons are worded again and again. A reason is immutable and depends on nothing but
# these arguments (the language's catalogue is read once), so a kept one is exact.
@lru_cache(maxsize=4096)
def _worded(
    code: str, source: str, variant: str | None, language: str | None, *values: tuple[str, Any]
) -> Reason:
    return _reason(code, source, variant, dict(values))
