"""The vn-bhyt decision document for one case ([vn-bhyt rules: Card
validity][vn-rules-card-validity] and [Reasons][vn-rules-reasons]).

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
from typing import Any, Literal, Protocol

from insurrules._version import __version__
from insurrules.errors import RulesError
from insurrules.messages import message, reason
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
    cover_close,
    cover_start,
    cover_step,
    wait_deadline,
)
from insurrules.vn.case import STATE_GROUPS, VnCase
from insurrules.vn.contributions import contribution
from insurrules.vn.dayops import OPEN, SCALAR, date_of, day_number
from insurrules.vn.rules import (
    SupportNotInForceError,
    rule_source,
    source_of,
    support_share,
    value_on,
)

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
    """A membership period as the chain reads it (a `VnMembership`, or a table row)."""

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
    """[`state_spans`][insurrules.vn.decide.state_spans] from a birth date and memberships
    (validated as in [`VnCase`][insurrules.vn.case.VnCase]); ``child_end``, when given, is
    ``child_card_end(birth_date, rules)`` computed by the caller."""
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
    # in the law's order of the groups (R1), then as the memberships are listed: of two groups
    # whose cards start on the same day, the law's first is read first, whatever the records'
    # order (the population engine orders them so too)
    law = {code: n for n, code in enumerate(rules.category_codes)}
    spans.sort(
        key=lambda s: (law.get(s.category, len(law)), -1 if s.membership is None else s.membership)
    )
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


def _card_values(rules: RuleSet, on: dt.date) -> dict[str, Any]:
    """The card rules in force on ``on`` that reason messages name."""
    return {
        "waiting_days": value_on(rules, "vn.card.waiting_days", on),
        "continuity_months": value_on(rules, "vn.card.continuity_months", on),
        "years": value_on(rules, "vn.card.five_years", on),
    }


def _entry_reasons(card: Card, rules: RuleSet, keeps_clock: bool) -> list[Reason]:
    assert card.paid_on is not None
    assert card.months is not None
    paid, span = card.paid_on, f"{card.valid_from}..{card.valid_to}"
    law = _card_values(rules, paid)
    what = message("vn.card#paid", paid_on=paid, months=card.months)
    out: list[Reason] = []
    if card.entry in ("first", "restart"):
        if card.entry == "first":
            why = message("vn.card#first")
        else:
            assert card.previous_end is not None
            previous = (
                message("vn.card#previous_state", category=card.previous_category)
                if card.previous_kind == "state"
                else message("vn.card#previous")
            )
            why = message(
                "vn.card#restart",
                previous=previous,
                previous_end=card.previous_end,
                deadline=wait_deadline(card.previous_end, paid, rules),
                **law,
            )
        if card.waited:
            out.append(
                reason("vn.card.waiting_period", card.source, what=what, why=why, span=span, **law)
            )
        else:
            out.append(
                reason(
                    "vn.card.from_payment",
                    source_of(rules, "vn.card.waiting_payers", paid),
                    what=what,
                    payer=card.payer,
                    why=why,
                    span=span,
                    **law,
                )
            )
    elif card.entry == "continuous":
        out.append(
            reason(
                "vn.card.continuous_renewal",
                card.source,
                what=what,
                previous_end=card.previous_end,
                span=span,
            )
        )
    else:
        assert card.previous_end is not None
        out.append(
            reason(
                "vn.card.gap_not_covered",
                card.source,
                variant="keeps" if keeps_clock else "restarts",
                what=what,
                days=(paid - card.previous_end).days,
                previous_end=card.previous_end,
                deadline=wait_deadline(card.previous_end, paid, rules),
                span=span,
                gap=f"{card.previous_end + _DAY}..{paid - _DAY}",
                **law,
            )
        )
    if card.previous_kind == "state" and card.entry in ("continuous", "late"):
        out.append(
            reason(
                "vn.card.transfer_from_state",
                source_of(rules, "vn.interpretation.state_card_transfer", paid),
                previous_end=card.previous_end,
            )
        )
    return out


def _state_reason(card: Card, case: VnCase, rules: RuleSet) -> Reason:
    assert card.category is not None
    title = rules.category(card.category).title
    until = card.valid_to or message("vn.state#no_end")
    code = f"vn.state.{card.category}"
    if card.category == "child_under_6":
        september = (
            card.valid_to is not None and card.valid_to.month == 9 and card.valid_to.day == 30
        )
        rule = message(
            "vn.state.child_under_6#" + ("september" if september else "month_end"),
            age_months=value_on(rules, "vn.child.age_months", card.valid_from),
        )
        return reason(
            code,
            card.source,
            born=case.person.birth_date,
            valid_from=card.valid_from,
            until=until,
            rule=rule,
        )
    return reason(code, card.source, valid_from=card.valid_from, until=until, title=title)


def _support(case: VnCase, rules: RuleSet) -> tuple[Reason | None, str | None]:
    membership = case.person.support_on(case.as_of)
    if membership is None:
        return None, None
    group = membership.code
    try:
        share = support_share(rules, group, case.as_of)
        if group == "ethnic_minority_transition":
            _transition_still_running(membership.start, case.as_of, rules)
    except SupportNotInForceError as exc:
        problem = message(f"vn.support.not_in_force#{exc.variant}", **exc.values)
        return (
            reason(
                "vn.support.not_in_force",
                rules[f"vn.support.{group}"].values[0].source,
                group=group,
                as_of=case.as_of,
                problem=problem,
            ),
            group,
        )
    months = 12
    try:
        pays = contribution(case.as_of, months, support=group, rules=rules)
    except RulesError:
        pays = None
    return (
        reason(
            f"vn.support.{group}",
            source_of(rules, f"vn.support.{group}", case.as_of),
            variant=None if pays is None else "cost",
            group=group,
            as_of=case.as_of,
            share=_pct(share),
            months=months,
            cost=pays,
        ),
        group,
    )


def _transition_still_running(start: dt.date, on: dt.date, rules: RuleSet) -> None:
    """The ethnic-minority transition support lasts 36 months from its start (R5, R6)."""
    param = rules["vn.support.ethnic_minority_transition_months"]
    months: int = (param.entry(on) or param.values[0]).value
    end = add_months(start, months) - _DAY
    if on > end:
        raise SupportNotInForceError("transition_ended", months=months, start=start, end=end)


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

    The single reading used by [`decide_vn`][insurrules.vn.decide.decide_vn] and by the population
    engine.
    """
    day = day_number(as_of)
    codes = rules.category_codes
    scan = cover_start(SCALAR, day)
    for i, c in enumerate(chain.cards):
        category = -1 if c.kind == "purchase" else codes.index(c.category or "")
        card_to = OPEN if c.valid_to is None else day_number(c.valid_to)
        scan = cover_step(SCALAR, day, scan, i == 0, day_number(c.valid_from), card_to, category)
    death = OPEN if death_date is None else day_number(death_date)
    dead, insured, state, spell_from, spell_to = cover_close(SCALAR, day, scan, death)
    now = None if dead else _current(chain, as_of, rules)
    pending = None if dead or now is not None else _pending(chain, as_of)
    shown = now if now is not None else pending
    card = None if shown is None else chain.cards[shown]
    state_category = None if state < 0 else codes[state]
    basis = None
    insured_from = insured_until = None
    if insured:
        basis = "card" if state_category is None else "state_funded"
        insured_from = date_of(spell_from)
        insured_until = None if spell_to >= OPEN else date_of(spell_to)
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
    """Decide one vn-bhyt case under ``rules`` ([vn-bhyt rules][vn-bhyt-rules])."""
    chain, ignored = case_chain(case, rules)
    return _decision(case, chain, ignored, rules)


def _decision(case: VnCase, chain: Chain, ignored: int, rules: RuleSet) -> Decision:
    as_of, person = case.as_of, case.person
    reasons: list[Reason] = []
    if ignored:
        reasons.append(
            reason(
                "vn.facts.later_ignored",
                "insurrules contract: decisions use only facts known on as_of",
                count=ignored,
                as_of=as_of,
            )
        )
    dead = person.death_date is not None and as_of > person.death_date
    if dead:
        reasons.append(
            reason(
                "vn.death.deceased",
                rule_source("vn.card.after_death"),
                death_date=person.death_date,
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
            message("vn.card.pending#state", category=card.category)
            if card.kind == "state"
            else message("vn.card.pending#bought", paid_on=card.paid_on)
        )
        reasons.append(
            reason(
                "vn.card.pending", card.source, what=what, valid_from=card.valid_from, as_of=as_of
            )
        )
    if (
        insured
        and card is not None
        and card.valid_to is not None
        and (insured_until is None or insured_until > card.valid_to)
    ):
        reasons.append(
            reason(
                "vn.card.renewal_paid",
                rule_source("vn.card.renewal_paid"),
                valid_to=card.valid_to,
                until=insured_until or message("vn.state#no_end"),
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
            reason(
                "vn.card.renew_by",
                source_of(rules, "vn.card.continuity_months", as_of),
                until=insured_until,
                keep_by=keep_by,
                **_card_values(rules, as_of),
            )
        )

    support_reason, group = _support(case, rules)
    if support_reason is not None:
        reasons.append(support_reason)
    if insured and five_years is not None and five_years <= as_of:
        reasons.append(
            reason(
                "vn.continuity.reached",
                source_of(rules, "vn.card.five_years", as_of),
                since=since,
                reached_on=five_years,
                years=value_on(rules, "vn.card.five_years", as_of),
                waiver=value_on(rules, "vn.card.copay_waiver_base_salaries", as_of),
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
    law = _card_values(rules, as_of)
    ended = [c for c in chain.cards if c.valid_to is not None and c.valid_to < as_of]
    if not ended or latest is None or keep_by is None:
        return reason(
            "vn.card.none", source_of(rules, "vn.card.waiting_days", as_of), as_of=as_of, **law
        )
    last = max(ended, key=lambda c: c.valid_to or dt.date.min)
    what = (
        message("vn.card#last_state", category=last.category)
        if last.kind == "state"
        else message("vn.card#last")
    )
    if as_of <= keep_by:
        return reason("vn.card.expired", source, what=what, latest=latest, keep_by=keep_by)
    return reason(
        "vn.card.continuity_lost", source, what=what, latest=latest, keep_by=keep_by, **law
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
