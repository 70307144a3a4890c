"""Reforms as data: a TOML file that overrides rule parameters by name, with dated values.

A reform file has a ``title``, a ``scheme`` and a ``[changes]`` table mapping parameter names
(``insurrules.kz.rules()`` lists them) to a plain value (in force throughout) or to dated values::

    title = "Six-month grace after 36 paid months"
    scheme = "kz-osms"
    description = "What if the extended grace needed 3 years of payments instead of 5?"

    [changes]
    "kz.grace.extended_after_months" = { "from 2026-01-01" = 36 }
    "kz.grace.months" = 3

Dated values may also be written as an array of tables (``from`` and ``value`` each)::

    [[changes."kz.grace.months"]]
    from = 2026-07-01
    value = 4

>>> import insurrules
>>> reform = insurrules.Reform.from_dict(
...     {"title": "t", "scheme": "kz-osms",
...      "changes": {"kz.grace.extended_after_months": {"from 2026-01-01": 36}}})
>>> reform.apply()["kz.grace.extended_after_months"].values[-1].value
36

Every key, type and date is checked when the reform is read (against the scheme's rules in
force): an unknown parameter, a value of the wrong type, a bad date or a reform that changes
nothing is a [`RulesError`][insurrules.errors.RulesError] naming the file and the key.
"""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insurrules.errors import RulesError, describe, mask_text
from insurrules.parameters import RuleSet

__all__ = ["Reform"]

_KEYS = {"title", "scheme", "description", "changes"}
MAX_TITLE = 200
MAX_REFORM_BYTES = 1024 * 1024


def _rules_in_force(scheme: str) -> RuleSet:
    from insurrules.schemes import SCHEMES

    if scheme not in SCHEMES:
        raise RulesError(f"unknown scheme {describe(scheme)}; known: {', '.join(SCHEMES)}")
    module = importlib.import_module(SCHEMES[scheme])
    rules: RuleSet = module.default_rule_set()
    return rules


@dataclass(frozen=True)
class Reform:
    """A named set of parameter changes for one scheme (see the module docstring)."""

    title: str
    scheme: str
    changes: Mapping[str, Any]
    description: str = ""
    origin: str = field(default="reform", compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, origin: str = "reform") -> Reform:
        """Check a reform given as a mapping (the parsed TOML document)."""
        problems: list[str] = []
        if not isinstance(data, Mapping):
            raise RulesError(f"{origin}: invalid reform: expected a table, got {describe(data)}")
        unknown = sorted(describe(k) for k in set(data) - _KEYS)
        if unknown:
            problems.append(
                f"unknown top-level key(s) {', '.join(unknown)} (expected {sorted(_KEYS)})"
            )
        for key in ("title", "scheme"):
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{key}: required text")
            elif len(value) > MAX_TITLE or not value.isprintable():
                problems.append(f"{key}: one line of at most {MAX_TITLE} printable characters")
        description = data.get("description", "")
        if not isinstance(description, str) or len(description) > 10 * MAX_TITLE:
            problems.append(f"description: text of at most {10 * MAX_TITLE} characters")
        changes = data.get("changes")
        if not isinstance(changes, Mapping) or not changes:
            problems.append("changes: required table of parameter = value")
        if problems:
            raise RulesError(
                f"{origin}: invalid reform:\n" + "\n".join(f"  - {p}" for p in problems)
            )
        assert isinstance(changes, Mapping)
        reform = cls(
            title=data["title"],
            scheme=data["scheme"],
            changes=dict(changes),
            description=str(description),
            origin=origin,
        )
        reform.apply()  # validate every key, type and date now, before anything runs
        return reform

    @classmethod
    def from_file(cls, path: str | Path) -> Reform:
        """Read a reform TOML file; errors name the file and the key."""
        file = Path(path)
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise RulesError(f"{file}: cannot read ({exc.strerror or 'not a file'})") from None
        if len(raw) > MAX_REFORM_BYTES:
            raise RulesError(f"{file}: {len(raw)} bytes; a reform file is at most 1 MiB")
        try:
            data = tomllib.loads(raw.decode("utf-8").removeprefix("\ufeff"))
        except UnicodeDecodeError as exc:
            raise RulesError(f"{file}: not UTF-8 text (at byte {exc.start})") from None
        except tomllib.TOMLDecodeError as exc:
            raise RulesError(f"{file}: not valid TOML ({exc})") from None
        except RecursionError:
            raise RulesError(f"{file}: not read: nested too deeply") from None
        return cls.from_dict(data, origin=str(file))

    def apply(self, rules: RuleSet | None = None) -> RuleSet:
        """The rules with this reform's changes (``rules`` default: the scheme's rules in force)."""
        base = rules if rules is not None else _rules_in_force(self.scheme)
        if base.scheme != self.scheme:
            raise RulesError(
                f"{self.origin}: the reform is for {self.scheme}, the rules are {base.scheme}"
            )
        try:
            return base.with_changes(self.changes, source=self.source)
        except RulesError as exc:
            error = RulesError(f"{self.origin}: {exc}")
        raise error

    @property
    def source(self) -> str:
        """How decisions cite the reform: its title and file name, never a local path.

        >>> Reform("Longer grace", "kz-osms", {}, origin="/home/me/grace.toml").source
        'reform: Longer grace (grace.toml)'
        """
        name = Path(self.origin).name if self.origin != "reform" else ""
        return mask_text(f"reform: {self.title}" + (f" ({name})" if name else ""))
