"""The vn-bhyt decision document for one case (vn.md "Card validity", "Reasons").

Insured on ``as_of`` ⇔ some card is valid on it. ``insured_from``/``insured_until`` span the
unbroken run of valid days around ``as_of`` (an already paid renewal that continues it extends
``insured_until``), ``renew_by`` equals ``insured_until``; ``grace_months`` is always null (no
grace in BHYT). ``details`` describes the card valid on ``as_of`` (or, when none is, the next one
to start: a purchase still in its 30-day wait, or a known state-paid period not yet begun):

* ``valid_from``, ``valid_to``, ``waiting_period_applied``;
* ``keep_continuity_by``: the latest known card end + 3 months (D-1): renew by then to avoid the
  30-day wait and keep the 5-year clock (computed without the D-2 fiscal-year variant);
* ``continuous_since`` and ``five_years_on``: the start of the current continuous chain of cards
  of any kind (R12) and that date + 5 years; after the last card has ended they stay while the
  chain can still be continued (until ``keep_continuity_by``), then become null;
* ``support_group`` and ``renewal_amount_12_months``: what a 12-month card bought on ``as_of``
  costs this member (household rank, national support share, no provincial top-up), null for a
  member of a fully state-paid group or before the base-salary data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from insurrules._version import __version__
from insurrules.errors import RulesError
from insurrules.models import Decision, Reason, StateFunded
from insurrules.parameters import RuleSet
from insurrules.vn.cards import (
    Card,
    Chain,
    Purchase,
    StateSpan,
    add_months,
    build_chain,
    child_card_end,
    continuity_deadline,
    wait_deadline,
)
from insurrules.vn.case import STATE_GROUPS, VnCase
from insurrules.vn.contributions import contribution
from insurrules.vn.rules import source_of, support_share, value_on

__all__ = [
    "CardTrace",
    "Cover",
    "MembershipLike",
    "case_chain",
    "cover_on",
    "decide_vn",
    "spans_of",
    "state_spans",
    "trace_vn",
]

SCHEME = "vn-bhyt"
_DAY = dt.timedelta(days=1)


class MembershipLike(Protocol):
    """A membership period as the chain reads it (a :class:`VnMembership`, or a table row)."""

    @property
    def code(self) -> str: ...
    @property
    def start(self) -> dt.date: ...
    @property
    def end(self) -> dt.date | None: ...


def state_spans(case: VnCase, rules: RuleSet) -> list[StateSpan]:
    """Periods in fully state-paid groups (R4), clipped to when each group exists in law.

    The child-under-6 span is always derived from the birth date (R9); an explicit
    ``child_under_6`` membership was only checked against it.
    """
    return spans_of(case.person.birth_date, case.person.memberships, rules)


def spans_of(
    birth_date: dt.date,
    memberships: Sequence[MembershipLike],
    rules: RuleSet,
    child_end: dt.date | None = None,
) -> list[StateSpan]:
    """:func:`state_spans` from a birth date and memberships (validated as in :class:`VnCase`);
    ``child_end``, when given, is ``child_card_end(birth_date, rules)`` computed by the caller."""
    spans: list[StateSpan] = []
    child = rules.category("child_under_6")
    end = child_card_end(birth_date, rules) if child_end is None else child_end
    for period in child.periods:
        start = max(birth_date, period.start)
        stop = end if period.end is None else min(end, period.end)
        if start <= stop:
            spans.append(StateSpan("child_under_6", start, stop, period.source))
    for i, m in enumerate(memberships):
        if m.code not in STATE_GROUPS or m.code == "child_under_6":
            continue
        for period in rules.category(m.code).periods:
            start = max(m.start, period.start)
            ends = [e for e in (m.end, period.end) if e is not None]
            last = min(ends) if ends else None
            if last is None or start <= last:
                spans.append(StateSpan(m.code, start, last, period.source, membership=i))
    return spans


def case_chain(case: VnCase, rules: RuleSet) -> tuple[Chain, int]:
    """The card chain from the facts known on ``as_of``, and how many purchases came later."""
    known = [
        Purchase(i, p.paid_on, p.months, p.payer)
        for i, p in enumerate(case.payments)
        if p.paid_on <= case.as_of
    ]
    return build_chain(known, state_spans(case, rules), rules), len(case.payments) - len(known)


def _current(chain: Chain, day: dt.date, rules: RuleSet) -> int | None:
    """Index of the card valid on ``day``: a state-paid card first, in the law's order (R1)."""
    valid = [i for i, c in enumerate(chain.cards) if c.valid_on(day)]
    if len(valid) < 2:
        return valid[0] if valid else None
    order = {code: n for n, code in enumerate(rules.category_codes)}
    return min(
        valid,
        key=lambda i: (chain.cards[i].kind != "state", order.get(chain.cards[i].category or "", 0)),
    )


def _pending(chain: Chain, day: dt.date) -> int | None:
    """The next card to start after ``day`` (a purchase in its wait, or a known state period)."""
    later = [i for i, c in enumerate(chain.cards) if c.valid_from > day]
    return later[0] if later else None


def _latest_end(chain: Chain) -> dt.date | None:
    ends = [c.valid_to for c in chain.cards]
    if not ends or any(e is None for e in ends):
        return None
    return max(e for e in ends if e is not None)


def _pct(share: Decimal) -> str:
    return f"{(share * 100).normalize():f} %"


def _entry_reasons(card: Card, rules: RuleSet, keeps_clock: bool) -> list[Reason]:
    assert card.paid_on is not None
    assert card.months is not None
    paid, span = card.paid_on, f"{card.valid_from}..{card.valid_to}"
    what = f"paid on {paid} for {card.months} months"
    out: list[Reason] = []
    if card.entry in ("first", "restart"):
        if card.entry == "first":
            why = "the first card"
        else:
            assert card.previous_end is not None
            deadline = wait_deadline(card.previous_end, paid, rules)
            previous = (
                f"the {card.previous_category} state-paid card"
                if card.previous_kind == "state"
                else "the previous card"
            )
            why = (
                f"more than 3 months after {previous} ended on {card.previous_end} "
                f"(continuity needed payment by {deadline}); the 5-year clock restarts"
            )
        if card.waited:
            out.append(
                Reason(
                    code="vn.card.waiting_30_days",
                    message=f"{what}, {why}: valid {span}, from 30 days after payment",
                    source=card.source,
                )
            )
        else:
            out.append(
                Reason(
                    code="vn.card.from_payment",
                    message=f"{what} by the {card.payer}, {why}: valid {span}, from the payment "
                    "date (no 30-day wait for this group)",
                    source="Law 46/2014/QH13 (L2008 art. 16(3)(a))",
                )
            )
    elif card.entry == "continuous":
        out.append(
            Reason(
                code="vn.card.continuous_renewal",
                message=f"{what}, on or before the previous card's end {card.previous_end}: "
                f"valid {span}, following it without a gap",
                source=card.source,
            )
        )
    else:
        assert card.previous_end is not None
        gap = f"{card.previous_end + _DAY}..{paid - _DAY}"
        out.append(
            Reason(
                code="vn.card.gap_not_covered",
                message=f"{what}, {(paid - card.previous_end).days} days after the previous card "
                f"ended on {card.previous_end} but within 3 months (by "
                f"{wait_deadline(card.previous_end, paid, rules)}): valid {span}, from the "
                f"payment date, no 30-day wait; {gap} is not covered; "
                + ("the 5-year clock continues" if keeps_clock else "the 5-year clock restarts"),
                source=card.source,
            )
        )
    if card.previous_kind == "state" and card.entry in ("continuous", "late"):
        out.append(
            Reason(
                code="vn.card.transfer_from_state",
                message=f"the previous card, ending {card.previous_end}, was state-paid: moving "
                "from a fully state-paid group to a bought card counts as continuous (D-3)",
                source=source_of(rules, "vn.interpretation.state_card_transfer", paid),
            )
        )
    return out


def _state_reason(card: Card, case: VnCase, rules: RuleSet) -> Reason:
    assert card.category is not None
    title = rules.category(card.category).title
    until = card.valid_to or "no known end"
    if card.category == "child_under_6":
        born = case.person.birth_date
        rule = (
            "born on or before 30 Sep: to 30 Sep of the year of reaching 72 months"
            if card.valid_to is not None and card.valid_to.month == 9 and card.valid_to.day == 30
            else "born after 30 Sep: to the end of the month of reaching 72 months"
        )
        message = f"born {born}: state-paid child card {card.valid_from}..{until} ({rule})"
    else:
        message = f"the state pays the card {card.valid_from}..{until}: {title}"
    return Reason(code=f"vn.state.{card.category}", message=message, source=card.source)


def _support(case: VnCase, rules: RuleSet) -> tuple[Reason | None, str | None]:
    membership = case.person.support_on(case.as_of)
    if membership is None:
        return None, None
    group = membership.code
    try:
        share = support_share(rules, group, case.as_of)
        if group == "ethnic_minority_transition":
            _transition_still_running(membership.start, case.as_of, rules)
    except RulesError as exc:
        return (
            Reason(
                code="vn.support.not_in_force",
                message=f"member of the support group {group} on {case.as_of}, but {exc}",
                source=rules[f"vn.support.{group}"].values[0].source,
            ),
            group,
        )
    message = f"member of the support group {group} on {case.as_of}: the state pays {_pct(share)}"
    try:
        pays = contribution(case.as_of, 12, support=group, rules=rules)
        message += f"; a 12-month card costs the member {pays} VND, off the household ladder"
    except RulesError:
        pass
    return (
        Reason(
            code=f"vn.support.{group}",
            message=message,
            source=source_of(rules, f"vn.support.{group}", case.as_of),
        ),
        group,
    )


def _transition_still_running(start: dt.date, on: dt.date, rules: RuleSet) -> None:
    """The ethnic-minority transition support lasts 36 months from its start (R5, R6)."""
    param = rules["vn.support.ethnic_minority_transition_months"]
    months: int = (param.entry(on) or param.values[0]).value
    end = add_months(start, months) - _DAY
    if on > end:
        raise RulesError(f"the transition support runs {months} months from {start}, until {end}")


def _renewal_amount(case: VnCase, rules: RuleSet, group: str | None) -> str | None:
    rank = case.person.household.rank if case.person.household else 1
    try:
        return str(contribution(case.as_of, 12, rank=rank, support=group, rules=rules))
    except RulesError:
        return None


@dataclass(frozen=True, slots=True)
class Cover:
    """What the card chain says on ``as_of``: the fields of the decision that are not text.

    ``now``: index of the card valid on ``as_of`` (None when not insured); ``pending``: the next
    card to start when none is valid; ``card``: the one of the two ``details`` describe.
    """

    dead: bool
    now: int | None
    pending: int | None
    card: Card | None
    insured: bool
    basis: str | None
    state_category: str | None
    budget: Literal["state"] | None
    insured_from: dt.date | None
    insured_until: dt.date | None


def cover_on(chain: Chain, as_of: dt.date, death_date: dt.date | None, rules: RuleSet) -> Cover:
    """Read ``chain`` on ``as_of`` for a person who died on ``death_date`` (None: alive).

    The single reading used by :func:`decide_vn` and by the population engine.
    """
    dead = death_date is not None and as_of > death_date
    now = None if dead else _current(chain, as_of, rules)
    pending = None if dead or now is not None else _pending(chain, as_of)
    shown = now if now is not None else pending
    card = None if shown is None else chain.cards[shown]

    insured = now is not None
    basis = None
    state_category = None
    insured_from = insured_until = None
    if card is not None and insured:
        basis = "state_funded" if card.kind == "state" else "card"
        spell = chain.spell(as_of)
        assert spell is not None
        insured_from, insured_until = spell
        if death_date is not None and (insured_until is None or death_date < insured_until):
            insured_until = death_date
    if not dead:
        state_card = next((c for c in chain.cards if c.kind == "state" and c.valid_on(as_of)), None)
        if state_card is not None:
            assert state_card.category is not None
            state_category = state_card.category
    return Cover(
        dead=dead,
        now=now,
        pending=pending,
        card=card,
        insured=insured,
        basis=basis,
        state_category=state_category,
        budget=None if state_category is None else "state",
        insured_from=insured_from,
        insured_until=insured_until,
    )


def decide_vn(case: VnCase, rules: RuleSet) -> Decision:
    """Decide one vn-bhyt case under ``rules`` (vn.md)."""
    chain, ignored = case_chain(case, rules)
    return _decision(case, chain, ignored, rules)


def _decision(case: VnCase, chain: Chain, ignored: int, rules: RuleSet) -> Decision:
    as_of, person = case.as_of, case.person
    reasons: list[Reason] = []
    if ignored:
        reasons.append(
            Reason(
                code="vn.facts.later_ignored",
                message=f"{ignored} purchase(s) paid after {as_of} ignored: not yet known then",
                source="insurrules contract: decisions use only facts known on as_of",
            )
        )
    dead = person.death_date is not None and as_of > person.death_date
    if dead:
        reasons.append(
            Reason(
                code="vn.death.deceased",
                message=f"died on {person.death_date}: no card is valid after that date",
                source="Law 25/2008/QH12 art. 16(4) (card invalid when the holder no longer "
                "participates)",
            )
        )
    cover = cover_on(chain, as_of, person.death_date, rules)
    now, pending, card = cover.now, cover.pending, cover.card
    shown = now if now is not None else pending
    insured, basis = cover.insured, cover.basis
    insured_from, insured_until = cover.insured_from, cover.insured_until
    state_funded = (
        None
        if cover.state_category is None or cover.budget is None
        else StateFunded(category=cover.state_category, budget=cover.budget)
    )

    if card is not None:
        if card.kind == "state":
            reasons.append(_state_reason(card, case, rules))
        else:
            assert shown is not None
            keeps = chain.chain_start[shown] < card.valid_from
            reasons.extend(_entry_reasons(card, rules, keeps))
    if pending is not None and card is not None:
        what = (
            f"the {card.category} state-paid card"
            if card.kind == "state"
            else f"the card paid on {card.paid_on}"
        )
        reasons.append(
            Reason(
                code="vn.card.pending",
                message=f"{what} starts on {card.valid_from}: not insured on {as_of}, until then",
                source=card.source,
            )
        )
    if (
        insured
        and card is not None
        and card.valid_to is not None
        and (insured_until is None or insured_until > card.valid_to)
    ):
        reasons.append(
            Reason(
                code="vn.card.renewal_paid",
                message=f"the card ends {card.valid_to}, but cover continues without a gap "
                f"until {insured_until or 'no known end'} (renewal or next card already known)",
                source="Law 46/2014/QH13 (L2008 art. 16(3)(b)); Decree 146/2018 art. 13(8)-(9)",
            )
        )

    latest = None if dead else _latest_end(chain)
    keep_by = None if latest is None else continuity_deadline(latest, rules)
    since = None
    if shown is not None:
        since = chain.chain_start[shown]
    elif not dead and latest is not None and keep_by is not None and as_of <= keep_by:
        since = chain.chain_start[max(i for i, c in enumerate(chain.cards) if c.valid_to == latest)]
    five_years: dt.date | None = None
    if since is not None:
        years: int = value_on(rules, "vn.card.five_years", as_of)
        five_years = add_months(since, 12 * years)

    if not insured and not dead and pending is None:
        reasons.append(_not_insured_reason(chain, as_of, latest, keep_by, rules))
    elif insured and keep_by is not None and insured_until is not None:
        reasons.append(
            Reason(
                code="vn.card.renew_by",
                message=f"cover ends {insured_until}; pay the next card by {insured_until} to "
                f"avoid a gap, and by {keep_by} at the latest to keep continuity and the "
                "5-year clock without the 30-day wait",
                source=source_of(rules, "vn.card.continuity_months", as_of),
            )
        )

    support_reason, group = _support(case, rules)
    if support_reason is not None:
        reasons.append(support_reason)
    if insured and five_years is not None and five_years <= as_of:
        reasons.append(
            Reason(
                code="vn.continuity.five_years",
                message=f"continuously insured since {since}: 5 consecutive years reached on "
                f"{five_years} (co-payments above 6 base salaries a year are then waived)",
                source=source_of(rules, "vn.card.five_years", as_of),
            )
        )

    state_now = state_funded is not None
    details: dict[str, object] = {
        "valid_from": None if card is None else card.valid_from.isoformat(),
        "valid_to": None if card is None or card.valid_to is None else card.valid_to.isoformat(),
        "waiting_period_applied": None if card is None else card.waited,
        "keep_continuity_by": None if keep_by is None else keep_by.isoformat(),
        "continuous_since": None if since is None else since.isoformat(),
        "five_years_on": None if five_years is None else five_years.isoformat(),
        "support_group": group,
        "renewal_amount_12_months": None
        if dead or state_now
        else _renewal_amount(
            case,
            rules,
            group if support_reason and support_reason.code != "vn.support.not_in_force" else None,
        ),
    }
    return Decision(
        scheme=SCHEME,
        as_of=as_of,
        status="insured" if insured else "not_insured",
        basis=basis,
        state_funded=state_funded,
        grace_months=None,
        insured_from=insured_from,
        insured_until=insured_until,
        renew_by=insured_until,
        reasons=tuple(reasons),
        rules_version=f"insurrules {__version__} / {rules.version(as_of)}",
        details=details,
    )


def _not_insured_reason(
    chain: Chain, as_of: dt.date, latest: dt.date | None, keep_by: dt.date | None, rules: RuleSet
) -> Reason:
    source = source_of(rules, "vn.card.continuity_months", as_of)
    ended = [c for c in chain.cards if c.valid_to is not None and c.valid_to < as_of]
    if not ended or latest is None or keep_by is None:
        return Reason(
            code="vn.card.none",
            message=f"no card is valid on {as_of}: no purchase and no fully state-paid group; a "
            "first card starts 30 days after payment",
            source=source_of(rules, "vn.card.waiting_days", as_of),
        )
    last = max(ended, key=lambda c: c.valid_to or dt.date.min)
    what = f"the {last.category} state-paid card" if last.kind == "state" else "the last card"
    if as_of <= keep_by:
        return Reason(
            code="vn.card.expired",
            message=f"{what} ended on {latest}; a card paid by {keep_by} starts on its payment "
            "date (the days before are not covered) and keeps continuity",
            source=source,
        )
    return Reason(
        code="vn.card.continuity_lost",
        message=f"{what} ended on {latest}, more than 3 months ago ({keep_by} has passed): a new "
        "card starts 30 days after payment and the 5-year clock restarts",
        source=source,
    )


@dataclass(frozen=True, slots=True)
class CardTrace:
    """One card of the chain, for ``insurrules check --explain`` (dates as ISO text)."""

    kind: str
    valid_from: str
    valid_to: str | None
    entry: str
    paid_on: str | None
    months: int | None
    payer: str | None
    category: str | None
    waiting_period_applied: bool
    continuous_since: str
    valid_on_as_of: bool

    def __str__(self) -> str:
        if self.kind == "state":
            what = f"state-paid: {self.category}"
        else:
            wait = ", 30-day wait" if self.waiting_period_applied else ""
            what = f"bought {self.paid_on} ({self.months} months, {self.payer}): {self.entry}{wait}"
        mark = "  <- valid on as_of" if self.valid_on_as_of else ""
        until = self.valid_to or "open"
        return f"{self.valid_from}..{until}  {what}; continuous since {self.continuous_since}{mark}"


def trace_vn(case: VnCase, rules: RuleSet) -> list[CardTrace]:
    """The card chain, one entry per card, in order of ``valid_from``."""
    chain, _ = case_chain(case, rules)
    return [
        CardTrace(
            kind=c.kind,
            valid_from=c.valid_from.isoformat(),
            valid_to=None if c.valid_to is None else c.valid_to.isoformat(),
            entry=c.entry,
            paid_on=None if c.paid_on is None else c.paid_on.isoformat(),
            months=c.months,
            payer=c.payer,
            category=c.category,
            waiting_period_applied=c.waited,
            continuous_since=since.isoformat(),
            valid_on_as_of=c.valid_on(case.as_of),
        )
        for c, since in zip(chain.cards, chain.chain_start, strict=True)
    ]
