"""The kz-osms parameters in the form the rules read them: month indices, sets, switches.

Derived once per [`RuleSet`][insurrules.parameters.RuleSet] (kept in its ``cache``), so deciding a
case never walks the parameter histories. Nothing here is a new value: every field is read from
``parameters.toml`` (or a reform of it).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from importlib import resources
from operator import itemgetter

from insurrules.months import YearMonth, month_index
from insurrules.parameters import Parameter, RuleSet

__all__ = ["CategoryWindow", "KzParams", "kz_params", "rule_source", "source_at"]


@dataclass(frozen=True, slots=True)
class CategoryWindow:
    """A state category in one period of its legal history, as month indices."""

    code: str
    budget: str
    source: str
    first: int
    last: int | None


@dataclass(frozen=True, slots=True)
class KzParams:
    benefits_start: dt.date
    first_contribution_month: int
    #: the latest month a frame of months may start: the debt window before the first due month
    #: lies inside every frame (frames start earlier when payments do)
    frame_origin: int
    full_residencies: frozenset[str]  # every route (R1.1)
    paid_only_residencies: frozenset[str]  # own payments and their grace only (EAEU workers)
    outside_residencies: frozenset[str]  # never insured (R1.1, R1.2)
    transition_first: int
    transition_last: int
    debt_first: int
    debt_window: int
    prepaid_from: dt.date
    prepaid_first_month: int
    prepaid_months: int
    prepaid_payers: frozenset[str]
    prepaid_cancels_debt: bool  # D-1
    run_mode: str  # D-2: skip | break | count
    grace_after_state: bool  # D-3
    de_levels: frozenset[str]
    de_lookback: int
    de_work_payers: frozenset[str]
    de_work_check: bool  # D-5
    de_new_request_each_year: bool  # D-6
    child_age: int
    categories: tuple[CategoryWindow, ...]
    #: the windows of the categories the rules derive (``StateCategory.derived``: never given
    #: as a membership), in the same order: all a person without memberships can be in
    derived_categories: tuple[CategoryWindow, ...]
    #: month indices where any grace parameter changes, with (G, G_ext, run) from there on
    grace_changes: tuple[tuple[int, int, int, int], ...]
    #: months a frame must reach past the last fact (longest grace + prepaid + window + margin)
    reach: int
    #: the last month in which a category's legal period ends (frames reach past it too, so an
    #: open membership of a category that ends in law is not read as open-ended cover)
    law_last_month: int

    def grace_segments(self, first: int, last: int) -> list[tuple[int, int, int, int, int]]:
        """Months ``first..last`` split by the grace law in force: ``(lo, hi, G, G_ext, run)``.

        Zeros where a value is not in force (e.g. no extended grace before 2026).
        """
        changes = self.grace_changes
        out: list[tuple[int, int, int, int, int]] = []
        if changes and first < changes[0][0]:
            out.append((first, min(last, changes[0][0] - 1), 0, 0, 0))
        for i, (start, g, ge, n) in enumerate(changes):
            end = changes[i + 1][0] - 1 if i + 1 < len(changes) else last
            lo, hi = max(start, first), min(end, last)
            if lo <= hi:
                out.append((lo, hi, g, ge, n))
        return out

    def grace_at(self, month: int) -> tuple[int, int, int]:
        """``(G, G_ext, run)`` in force in ``month`` (0 where not in force)."""
        pos = bisect_right(self.grace_changes, month, key=_START) - 1
        if pos < 0:
            return 0, 0, 0
        _, g, ge, n = self.grace_changes[pos]
        return g, ge, n


_START = itemgetter(0)


def _last(param: Parameter) -> object:
    return param.values[-1].value


def _month_start(day: dt.date) -> int:
    # a value in force from a mid-month date governs the months after it
    return month_index(day) + (0 if day.day == 1 else 1)


def _grace_changes(rules: RuleSet) -> tuple[tuple[int, int, int, int], ...]:
    names = ("kz.grace.months", "kz.grace.extended_months", "kz.grace.extended_after_months")
    points = sorted({_month_start(v.start) for n in names for v in rules[n].values})
    out = []
    for m in points:
        on = YearMonth.from_index(m).first_day()
        values = []
        for n in names:
            entry = rules[n].entry(on)
            values.append(int(entry.value or 0) if entry is not None else 0)
        out.append((m, values[0], values[1], values[2]))
    return tuple(out)


def _max(param: Parameter) -> int:
    return max(int(v.value or 0) for v in param.values)


def _build(rules: RuleSet) -> KzParams:
    tsa_continues = bool(_last(rules["kz.interpretation.targeted_social_assistance_after_2025"]))
    windows = []
    derived = []
    for cat in rules.categories:
        for period in cat.periods:
            end = period.end
            if cat.code == "targeted_social_assistance" and tsa_continues:
                end = None  # D-4 alternative reading: АСП stays a republican category
            window = CategoryWindow(
                code=cat.code,
                budget=period.budget,
                source=period.source,
                first=month_index(period.start),
                last=month_index(end) if end else None,
            )
            windows.append(window)
            if cat.derived:
                derived.append(window)
    prepaid_from = _last(rules["kz.prepaid.start"])
    assert isinstance(prepaid_from, dt.date)
    benefits_start = _last(rules["kz.scheme.benefits_start"])
    assert isinstance(benefits_start, dt.date)

    def month(name: str) -> int:
        value = _last(rules[name])
        assert isinstance(value, YearMonth)
        return value.index

    reach = (
        max(_max(rules["kz.grace.months"]), _max(rules["kz.grace.extended_months"]))
        + _max(rules["kz.prepaid.months"])
        + _max(rules["kz.debt.window_months"])
        + 13
    )
    debt_first = month("kz.debt.first_month")
    debt_window = int(_last(rules["kz.debt.window_months"]))  # type: ignore[call-overload]
    return KzParams(
        benefits_start=benefits_start,
        first_contribution_month=month("kz.contributions.first_month"),
        frame_origin=debt_first - debt_window,
        full_residencies=frozenset(_last(rules["kz.scope.full_participants"])),  # type: ignore[call-overload]
        paid_only_residencies=frozenset(_last(rules["kz.scope.paid_months_only"])),  # type: ignore[call-overload]
        outside_residencies=frozenset(_last(rules["kz.scope.outside"])),  # type: ignore[call-overload]
        transition_first=month("kz.transition.first_month"),
        transition_last=month("kz.transition.last_month"),
        debt_first=debt_first,
        debt_window=debt_window,
        prepaid_from=prepaid_from,
        prepaid_first_month=month_index(prepaid_from),
        prepaid_months=int(_last(rules["kz.prepaid.months"])),  # type: ignore[call-overload]
        prepaid_payers=frozenset(_last(rules["kz.prepaid.payers"])),  # type: ignore[call-overload]
        prepaid_cancels_debt=_last(rules["kz.interpretation.prepaid_old_debt"]) == "cancelled",
        run_mode=str(_last(rules["kz.interpretation.state_months_in_run"])),
        grace_after_state=bool(_last(rules["kz.interpretation.grace_after_state_category"])),
        de_levels=frozenset(_last(rules["kz.welfare.levels_covered"])),  # type: ignore[call-overload]
        de_lookback=int(_last(rules["kz.welfare.work_lookback_months"])),  # type: ignore[call-overload]
        de_work_payers=frozenset(_last(rules["kz.welfare.work_payers"])),  # type: ignore[call-overload]
        de_work_check=bool(_last(rules["kz.interpretation.work_payments_end_de"])),
        de_new_request_each_year=bool(_last(rules["kz.interpretation.de_new_request_each_year"])),
        child_age=int(_last(rules["kz.child.age"])),  # type: ignore[call-overload]
        categories=tuple(windows),
        derived_categories=tuple(derived),
        grace_changes=_grace_changes(rules),
        reach=reach,
        law_last_month=max((w.last for w in windows if w.last is not None), default=0),
    )


def kz_params(rules: RuleSet) -> KzParams:
    """The derived parameters of ``rules`` (computed on first use, then kept)."""
    found = rules.cache.get("kz")
    if found is None:
        found = _build(rules)
        rules.cache["kz"] = found
    assert isinstance(found, KzParams)
    return found


def source_at(rules: RuleSet, name: str, month: int) -> str:
    """The source of parameter ``name``'s value in force in ``month``, flagged when unconfirmed."""
    key = f"kz.source {name} {month}"
    found = rules.cache.get(key)
    if found is None:
        entry = rules[name].entry(YearMonth.from_index(month).first_day())
        if entry is None:
            found = name
        else:
            found = entry.source + (" (unconfirmed)" if entry.unconfirmed else "")
        rules.cache[key] = found
    assert isinstance(found, str)
    return found


@cache
def _rule_sources() -> dict[str, str]:
    text = resources.files("insurrules.kz").joinpath("parameters.toml").read_text("utf-8")
    return {s["rule"]: s["source"] for s in tomllib.loads(text).get("source", [])}


def rule_source(code: str) -> str:
    """The source of a rule without a parameter of its own (``[[source]]`` in parameters.toml)."""
    return _rule_sources()[code]
