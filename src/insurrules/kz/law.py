"""The kz-osms routes to insured status, written once over monthly timelines.

This module is the law ([kz-osms rules: Routes to insured in month
m][kz-rules-routes-to-insured-in-month-m]); it is the only place it is written. It works on
[`KzFacts`][insurrules.kz.law.KzFacts], monthly timelines built from a case (one person, bit sets)
or from population tables (many persons, arrays), through a
[`TimelineOps`][insurrules.timeline.TimelineOps] backend. Parameters come from the
[`RuleSet`][insurrules.parameters.RuleSet], month by month.

Routes, in order (the first that holds is the basis):

1. ``transition``: 2020-01..2020-06, every full participant (Law 405-V art. 40; R5.1).
2. ``state_funded``: a state category holds (art. 26 p. 1 republican; art. 26-1 local from 2026).
3. ``contributions``: the month is paid and every month of the 12-month window ending with it is
   settled (art. 5 p. 3; R5.3, W7).
4. ``prepaid``: from 2022-09-05, the month lies in 12 months each paid in advance by a self-payer
   (art. 5 as amended 2022; R5.4); D-1 decides what happens to the older debt.
5. ``grace_period``: within G months after the last month where route 3 or 4 holds; G = 3, or 6
   from 2026 after 60 unbroken paid months (art. 5 p. 2; R3.1, R3.2; D-2, D-3).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from insurrules.kz.params import KzParams, kz_params
from insurrules.parameters import RuleSet
from insurrules.quick_init import quick_init
from insurrules.timeline import TimelineBuild

__all__ = [
    "CategoryTimeline",
    "KzFacts",
    "KzRoutes",
    "child_last_month",
    "own_payments",
    "routes",
]

T = TypeVar("T")


@quick_init
@dataclass(frozen=True, slots=True)
class KzFacts(Generic[T]):
    """The facts of a case as timelines (``T``: an ``int`` bit set or a boolean array).

    Person-level values (``birth_month``, ``child_last_month``, ``death_month``) are month
    indices: ``int`` for one person, integer arrays for a population.
    """

    full_participant: T  # citizen, kandas, permanent resident: every month, or none
    eaeu_worker: T
    alive: T  # months up to and including the month of death
    before_death: T  # months strictly before the month of death (death month is never due)
    born: T  # months from the birth month on
    child: T  # birth month .. month of the 18th birthday
    paid: T  # a payment record (any payer) arrived by as_of
    work_paid: T  # a record from employer, employee, entrepreneur or platform
    advance: Any  # backend records for the prepaid route: (month, arrival month) pairs
    memberships: dict[str, T]  # membership code -> months it overlaps
    de_requests: T  # months with a care request made at welfare level D/E (known by as_of)
    de_level: T  # months with welfare level D/E on some day


@quick_init
@dataclass(frozen=True, slots=True)
class CategoryTimeline(Generic[T]):
    code: str
    budget: str
    source: str
    months: T


@quick_init
@dataclass(frozen=True, slots=True)
class KzRoutes(Generic[T]):
    """Every route's timeline, and the intermediate facts the decision explains."""

    transition: T
    categories: tuple[CategoryTimeline[T], ...]  # in the order decisions report them
    state: T
    due: T
    settled: T
    contributions: T  # route 3
    prepaid: T  # route 4 (months covered by a 12-month advance window)
    prepaid_starts: T  # first months P of the advance windows
    hold: T  # route 3 or 4 conditions hold (the months a grace period follows)
    runs: dict[int, T]  # run length n -> months ending n unbroken own-paid months (D-2)
    extended_hold: T  # hold months that earn the extended grace under the law of some month
    grace: T
    insured: T
    #: routes 1-4 before the grace period, kept so that rules differing only in the grace
    #: parameters (a reform of the grace) can reuse them (`routes`, ``like=``)
    before_grace: Any = field(default=None, repr=False, compare=False)


@quick_init
@dataclass(frozen=True, slots=True)
class _BeforeGrace:
    key: tuple[Any, ...]
    alive: Any
    transition: Any  # route 1, within ``alive``
    categories: tuple[CategoryTimeline[Any], ...]
    state: Any
    due: Any
    settled: Any
    contributions: Any  # route 3, before ``alive``
    prepaid: Any
    starts: Any


@quick_init
@dataclass(frozen=True, slots=True)
class _LawMonths:
    """The timelines of a frame that depend on the law's dates only (the same for every person
    of the frame): the launch transition, the months from the first due month and from the
    first prepaid month on, and the months of each grace segment with its ``(G, G_ext, run)``."""

    transition: Any
    from_debt_first: Any
    from_prepaid_first: Any
    grace_segments: tuple[tuple[Any, int, int, int], ...]

    @classmethod
    def of(cls, ops: TimelineBuild, p: KzParams) -> _LawMonths:
        segments = p.grace_segments(ops.origin, ops.origin + ops.length - 1)
        return cls(
            ops.months(p.transition_first, p.transition_last),
            ops.since(p.debt_first),
            ops.since(p.prepaid_first_month),
            tuple((ops.months(lo, hi), g, ge, n) for lo, hi, g, ge, n in segments),
        )


#: frames whose law months a rule set keeps (a bound: the cache is emptied past it)
_KEPT_FRAMES = 512


def _law_months(ops: TimelineBuild, p: KzParams, rules: RuleSet) -> _LawMonths:
    """``_LawMonths.of(ops, p)``, kept by the rule set (``p`` is its parameters) for the
    backends whose timelines are immutable values of their frame (``frame_key``): a decision's
    frame is one of a few, and its law months a dozen spans."""
    frame = ops.frame_key()
    if frame is None:
        return _LawMonths.of(ops, p)
    kept: dict[Hashable, _LawMonths] | None = rules.cache.get("kz.law_months")
    if kept is None:
        kept = rules.cache["kz.law_months"] = {}
    found = kept.get(frame)
    if found is None:
        if len(kept) >= _KEPT_FRAMES:
            kept.clear()
        found = kept[frame] = _LawMonths.of(ops, p)
    return found


#: parameters routes 1-4 do not read: the grace period's (route 5, D-2, D-3) and the frame's
_GRACE_ONLY = frozenset(
    {"run_mode", "grace_after_state", "grace_changes", "reach", "law_last_month"}
)


def _before_grace_key(p: KzParams) -> tuple[Any, ...]:
    return tuple(getattr(p, f) for f in p.__dataclass_fields__ if f not in _GRACE_ONLY)


def child_last_month(birth_month: Any, p: KzParams) -> Any:
    """The last month of the child category: the month of the 18th birthday (``kz.child.age``;
    R6.1, W6), for a month index or an array of them."""
    return birth_month + 12 * p.child_age


def state_categories(
    facts: KzFacts[Any], ops: TimelineBuild, p: KzParams, within: Any = None
) -> tuple[CategoryTimeline[Any], ...]:
    """Art. 26 p. 1 and art. 26-1 categories, each cut to the periods it exists in law, and to
    the months of ``within`` when given."""
    out: list[CategoryTimeline[Any]] = []
    # the art. 26 p. 1 categories so far, by period: (months in law, months held of each)
    art26: dict[tuple[int | None, int | None], tuple[Any, list[Any]]] = {}
    # categories of one period (most share one) share its months cut to ``within``: one ``&``
    # for each category rather than two
    cuts: dict[tuple[int | None, int | None], tuple[Any, Any]] = {}
    memberships = facts.memberships
    # without memberships (most persons) every other window would be skipped below
    for window in p.categories if memberships else p.derived_categories:
        if window.code == "child":
            held = facts.child
        elif window.code == "welfare_level_de":
            held = welfare_level_de(facts, ops, p, list(art26.values()))
        else:
            held = memberships.get(window.code)
            if held is None:
                continue
        period = (window.first, window.last)
        found = cuts.get(period)
        if found is None:
            in_law = ops.months(window.first, window.last)
            found = cuts[period] = (in_law, in_law if within is None else in_law & within)
        in_law, cut = found
        if window.budget == "republican":
            art26.setdefault(period, (in_law, []))[1].append(held)
        out.append(CategoryTimeline(window.code, window.budget, window.source, held & cut))
    return tuple(out)


def welfare_level_de(
    facts: KzFacts[Any],
    ops: TimelineBuild,
    p: KzParams,
    art26: Sequence[tuple[Any, Sequence[Any]]],
) -> Any:
    """Art. 26-1 p. 1 subp. 2: D/E persons who apply for care, insured to December (W3).

    A care request at level D/E qualifies when the person is not in an art. 26 p. 1 category in
    its month (``art26``: such categories by period, as the months of the period in law and the
    months each category is held; local categories do not bar it) and (D-5) no payment from
    work exists for the ``kz.welfare.work_lookback_months`` months before it. Cover runs from
    the request's month to December (D-6), or on while the level stays D/E under the
    alternative reading.
    """
    if ops.surely_empty(facts.de_requests):
        # no request, nothing to carry (most persons make none): what the rest would give
        return ops.empty()
    barred = _union(ops, [in_law & _union(ops, held) for in_law, held in art26])
    qualifying = facts.de_requests & ops.not_(barred)
    # payments from work count only against such a request: the population engine builds
    # ``work_paid`` only for persons who made one (tests/kz/test_law_reads.py pins this)
    if p.de_work_check:
        recent_work = ops.shift(ops.window_any(facts.work_paid, p.de_lookback), 1)
        qualifying = qualifying & ops.not_(recent_work)
    if p.de_new_request_each_year:
        return ops.carry(qualifying, ops.year_starts(), 11)
    return ops.carry(qualifying, ops.not_(facts.de_level), ops.length)


def own_payments(
    facts: KzFacts[Any], state: Any, ops: TimelineBuild, p: KzParams
) -> tuple[Any, Any]:
    """The months that count towards the 60-month run, and the months skipped (D-2)."""
    if p.run_mode == "count":
        return facts.paid | state, ops.empty()
    if p.run_mode == "skip":
        return facts.paid, state
    return facts.paid, ops.empty()


def routes(
    facts: KzFacts[Any], ops: TimelineBuild, rules: RuleSet, *, like: KzRoutes[Any] | None = None
) -> KzRoutes[Any]:
    """Evaluate every route for every month of the frame.

    ``like``: the routes of the same facts under other rules; when those rules differ from
    ``rules`` only in the grace parameters, routes 1-4 are taken from them instead of being
    evaluated again (a reform of the grace period compared with the baseline).
    """
    p = kz_params(rules)
    key = rules.cache.get("kz.before_grace_key")
    if key is None:
        key = rules.cache["kz.before_grace_key"] = _before_grace_key(p)
    law = _law_months(ops, p, rules)
    before = like.before_grace if like is not None else None
    if not isinstance(before, _BeforeGrace) or before.key != key:
        before = _routes_before_grace(facts, ops, p, key, law)
    return _with_grace(facts, ops, p, before, law)


def _routes_before_grace(
    facts: KzFacts[Any],
    ops: TimelineBuild,
    p: KzParams,
    key: tuple[Any, ...],
    law: _LawMonths,
) -> _BeforeGrace:
    """Routes 1-4 (every route but the grace period)."""
    participant = facts.full_participant | facts.eaeu_worker
    alive = facts.alive & facts.born & participant

    # 1. transition (R5.1): full participants only, never EAEU workers
    transition = facts.full_participant & law.transition & alive

    # 2. state categories (R4.1, R4.2): full participants only
    categories = state_categories(facts, ops, p, facts.full_participant)
    state = _union(ops, [c.months for c in categories])

    # 3. contributions (R5.2, R5.3): a month is due for a full participant outside any state
    # category, from 2020-01, from the month of birth (a month before it is never due) and
    # before the month of death; it is settled when paid or not due.
    due = (
        facts.full_participant
        & law.from_debt_first
        & facts.born
        & facts.before_death
        & ops.not_(state)
    )
    settled = facts.paid | ops.not_(due)

    # 4. prepaid (R5.4): windows P..P+11 each paid in advance before P
    starts = ops.advance_windows(facts.advance, p.prepaid_months) & law.from_prepaid_first
    prepaid = ops.window_any(starts, p.prepaid_months)

    # D-1: "bypassed" keeps older debt in the window after the prepaid months; "cancelled"
    # forgets debt from before the start of a prepaid window.
    blockers = starts if p.prepaid_cancels_debt else ops.empty()
    debt_in_window = ops.carry(ops.not_(settled), blockers, p.debt_window - 1)
    contributions = facts.paid & ops.not_(debt_in_window)
    return _BeforeGrace(
        key, alive, transition, categories, state, due, settled, contributions, prepaid, starts
    )


def _with_grace(
    facts: KzFacts[Any], ops: TimelineBuild, p: KzParams, b: _BeforeGrace, law: _LawMonths
) -> KzRoutes[Any]:
    """Route 5, the grace period, after routes 1-4; and the routes together."""
    alive = b.alive
    hold = b.contributions | b.prepaid
    if p.grace_after_state:
        hold = hold | b.state  # D-3 alternative: grace also follows a state category
    grace, runs, extended_hold = _grace(facts, ops, p, b.state, hold, alive, law)

    # insured = alive & (transition | state | contributions | prepaid | grace), from the
    # routes cut to ``alive`` that the decision reads
    cut = [b.transition, b.state & alive, b.contributions & alive, b.prepaid & alive, grace]
    return KzRoutes(
        transition=cut[0],
        categories=b.categories,
        state=cut[1],
        due=b.due,
        settled=b.settled,
        contributions=cut[2],
        prepaid=cut[3],
        prepaid_starts=b.starts,
        hold=hold,
        runs=runs,
        extended_hold=extended_hold,
        grace=cut[4],
        insured=_union(ops, cut),
        before_grace=b,
    )


def _grace(
    facts: KzFacts[Any],
    ops: TimelineBuild,
    p: KzParams,
    state: Any,
    hold: Any,
    alive: Any,
    law: _LawMonths,
) -> tuple[Any, dict[int, Any], Any]:
    """5. grace (R3.1, R3.2): the grace months while ``alive``, the runs of paid months read
    (D-2) and the hold months that earn the extended grace.

    A function of its own so that the timelines built on the way are freed before the routes
    are put together (for arrays, the most memory a chunk holds at once).
    """
    own, skip = own_payments(facts, state, ops, p)
    covered: list[Any] = []  # per segment: its months within the grace of a hold month
    extended: list[Any] = []
    runs: dict[int, Any] = {}
    within: dict[int, Any] = {}  # G -> months within G after a hold month (G repeats in law)
    for seg, g, ge, n in law.grace_segments:
        if not g and not (ge and n):
            continue  # no grace in this segment
        if g not in within:
            within[g] = ops.shift(ops.window_any(hold, g), 1) if g else ops.empty()
        reach = within[g]
        if ge and n:
            if n not in runs:
                runs[n] = ops.runs_reaching(own, skip, n)
            ext = hold & runs[n]
            extended.append(ext)
            reach = reach | ops.shift(ops.carry(ext, hold, ge - 1), 1)
        covered.append(seg & reach)
    if not covered:
        return ops.empty(), runs, _union(ops, extended)
    grace = _union(ops, covered) & ops.not_(hold) & alive
    return grace, runs, _union(ops, extended)


def _union(ops: TimelineBuild, timelines: Sequence[Any]) -> Any:
    """The months where some of ``timelines`` holds (a ``|`` less than folding from empty)."""
    if not timelines:
        return ops.empty()
    out = timelines[0]
    for x in timelines[1:]:
        out = out | x
    return out
