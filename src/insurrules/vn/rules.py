"""The vn-bhyt rule set in force: parameters, D-n switches and groups from ``parameters.toml``."""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

from insurrules.errors import RulesError
from insurrules.parameters import RuleSet, load_rule_set

__all__ = [
    "SUPPORT_GROUPS",
    "SupportGroup",
    "SupportNotInForceError",
    "card_months",
    "card_months_problem",
    "default_rules",
    "rule_source",
    "rules",
    "source_of",
    "support_share",
    "value_on",
]

#: State-support groups (R5): the member pays the rest of the amount, off the ladder; each has a
#: parameter ``vn.support.<code>`` with its dated share (a test holds the two lists equal).
SupportGroup = Literal[
    "near_poor",
    "near_poor_poor_area",
    "near_poor_poor_commune",
    "student",
    "agri_average",
    "ethnic_minority_transition",
]
SUPPORT_GROUPS: tuple[str, ...] = get_args(SupportGroup)


@cache
def default_rules() -> RuleSet:
    """The rules as shipped (loaded once; a [`RuleSet`][insurrules.parameters.RuleSet] is
    immutable)."""
    return load_rule_set("insurrules.vn")


def rules() -> RuleSet:
    """The vn-bhyt rules in force, to read or to change with
    [`RuleSet.with_changes`][insurrules.parameters.RuleSet.with_changes]."""
    return default_rules()


def value_on(rule_set: RuleSet, name: str, on: dt.date) -> Any:
    """The value of ``name`` in force on ``on``; before its first date, its first value.

    Card rules are applied to every card in a history, including children's cards from before
    2015 (R9); the earliest rule in the data stands for them rather than failing.
    """
    param = rule_set[name]
    return (param.entry(on) or param.values[0]).value


def source_of(rule_set: RuleSet, name: str, on: dt.date) -> str:
    """The legal source of parameter ``name`` as in force on ``on``, flagged if unconfirmed."""
    entry = rule_set[name].entry(on) or rule_set[name].values[0]
    return entry.source + (" (unconfirmed)" if entry.unconfirmed else "")


@cache
def _rule_sources() -> dict[str, str]:
    text = resources.files("insurrules.vn").joinpath("parameters.toml").read_text("utf-8")
    return {s["rule"]: s["source"] for s in tomllib.loads(text).get("source", [])}


def rule_source(name: str) -> str:
    """The source of a rule without a parameter of its own (``[[source]]`` in
    ``parameters.toml``)."""
    try:
        return _rule_sources()[name]
    except KeyError:
        raise RulesError(f"no source for the vn rule {name!r} in parameters.toml") from None


def card_months(rule_set: RuleSet, on: dt.date) -> tuple[int, ...]:
    """The card lengths (months) one may buy on ``on`` (``vn.household.periods``, P2)."""
    return tuple(int(m) for m in value_on(rule_set, "vn.household.periods", on))


def card_months_problem(allowed: tuple[int, ...], shown: str) -> str:
    """The reason a card length is refused: "a card is bought for 3, 6 or 12 months, got 5"
    (``shown``: the value as the message shows it)."""
    listed = ", ".join(map(str, allowed[:-1])) + f" or {allowed[-1]}"
    return f"a card is bought for {listed} months, got {shown}"


class SupportNotInForceError(RulesError):
    """A support group without a share on the day asked about: the English text of the
    catalogue's ``vn.support.not_in_force#<variant>``, whose ``variant`` and ``values`` let a
    decision word it in its own language."""

    def __init__(self, variant: str, **values: Any) -> None:
        from insurrules.messages import MESSAGES

        self.variant = variant
        self.values = values
        super().__init__(MESSAGES[f"vn.support.not_in_force#{variant}"].format_map(values))


def support_share(rule_set: RuleSet, group: str, on: dt.date) -> Decimal:
    """The state's share for support group ``group`` on ``on`` (R5); a clear error otherwise."""
    if group not in SUPPORT_GROUPS:
        raise RulesError(
            f"support: unknown support group {group!r}; known: {', '.join(SUPPORT_GROUPS)}"
        )
    param = rule_set[f"vn.support.{group}"]
    entry = param.entry(on)
    if entry is None or entry.value is None:
        spans = []
        for i, v in enumerate(param.values):
            if v.value is None:
                continue
            nxt = param.values[i + 1].start if i + 1 < len(param.values) else None
            spans.append(f"{v.start}.." + (f"{nxt - dt.timedelta(days=1)}" if nxt else ""))
        raise SupportNotInForceError(
            "not_a_group", group=group, on=on.isoformat(), spans=", ".join(spans)
        )
    share: Decimal = entry.value
    return share
