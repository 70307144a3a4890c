"""Every reason message of every scheme, in one place: a catalogue of templates keyed by code.

A decision's reasons (contract.md) carry a stable ``code``, a human ``message`` and the legal
``source``. The rules decide *which* reasons hold and with *which values*; this module alone
words them. Each template names its values as ``{placeholders}``, filled from the facts of the
case and from the parameter values in force, so that a reform shows its own numbers (a 6-month
debt window says "6-month window", a 90-day wait "90-day wait"); no template writes a value that
the rules read from a parameter.

Keys are reason codes; a code worded in more than one way has one entry per wording,
``code#variant`` (``kz.debt.unsettled_months#paid``). A code that carries a category or group
(``kz.state.child``) uses the family's entry (``kz.state.*``). Fragments that other messages
embed are keyed ``…#fragment`` too. A translation is another catalogue with the same keys and
placeholders.

Codes name the rule, not a value of today's law (``kz.grace.standard``, not
``kz.grace.three_months``). The codes of release 0.1 that named a value are kept as aliases for
one release: `insurrules.codes.LEGACY_CODES` maps each old code to its new one, and
[`insurrules.models.Reason.legacy_code`][insurrules.models.Reason.legacy_code] gives the old code of
a reason, for services that still branch on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from insurrules.models import Reason

__all__ = ["MESSAGES", "message", "reason"]

_MESSAGES: dict[str, str] = {
    # -- kz-osms ---------------------------------------------------------------------------------
    "kz.facts.later_ignored": "{what} dated after {as_of} ignored: not yet known then",
    "kz.facts.later_ignored#payments": "{count} payment record(s)",
    "kz.facts.later_ignored#requests": "{count} care request(s)",
    "kz.facts.later_ignored#and": "{first} and {second}",
    "kz.scope.temporary_resident": "temporarily staying foreigners are not OSMS participants",
    "kz.scope.outside_scheme": "military and special state bodies receive care outside OSMS",
    "kz.scope.eaeu_worker": "EAEU migrant worker: insured only in paid months and their grace",
    "kz.death.deceased": "died on {death_date}: never insured after that date",
    "kz.birth.not_born": "born on {birth_date}: not insured before the day of birth",
    "kz.scheme.not_started": "kz-osms benefits start on {benefits_start}",
    "kz.state.*": "in {month} the state pays for the person: {title} ({budget} budget)",
    "kz.transition.launch": (
        "{month} is in the launch period {first}..{last}: every participant insured"
    ),
    "kz.contributions.paid": "{month} is paid and no month of {window_first}..{month} is in debt",
    "kz.prepaid.advance": (
        "{month} lies in {prepaid_months} future months each paid in advance by a self-payer; "
        "older debt does not bar this route"
    ),
    "kz.grace.standard": (
        "grace period: {month} is within {grace_months} months after {last_paid}, the last month "
        "insured through payments ({grace_first}..{grace_last}); those months remain debt"
    ),
    "kz.grace.extended": (
        "grace period: {month} is within {grace_months} months after {last_paid}, the last month "
        "insured through payments ({grace_first}..{grace_last}), extended after {run} unbroken "
        "paid months; those months remain debt"
    ),
    "kz.grace.available": (
        "paid through {last_paid}: without further payments status holds {grace_months} more "
        "months, to {grace_last}"
    ),
    "kz.grace.available#extended": (
        "paid through {last_paid}: without further payments status holds {grace_months} more "
        "months, to {grace_last} ({run} unbroken paid months)"
    ),
    "kz.debt.unsettled_months#paid": (
        "{month} is paid, but months {debt} are unpaid within the {window}-month window"
    ),
    "kz.debt.unsettled_months#unpaid": (
        "{month} is not paid, and months {debt} are unpaid within the {window}-month window"
    ),
    "kz.grace.expired": (
        "the last month insured through payments was {last_paid}; its {grace_months}-month grace "
        "ended with {grace_last}"
    ),
    "kz.contributions.none": "no contribution or deduction has been paid for this person",
    "kz.state.welfare_level_de_refused": (
        "care requested at welfare level D/E in {months}, but the person was then in an art. 26 "
        "category or had payments from work in the {lookback} months before (D-5)"
    ),
    "kz.status.not_insured": (
        "no route to insured status holds in {month}: pay the debt of the last {window} months "
        "and this month, or (self-payers) the {prepaid_months} months ahead"
    ),
    # -- vn-bhyt ---------------------------------------------------------------------------------
    "vn.facts.later_ignored": "{count} purchase(s) paid after {as_of} ignored: not yet known then",
    "vn.death.deceased": "died on {death_date}: no card is valid after that date",
    "vn.card#paid": "paid on {paid_on} for {months} months",
    "vn.card#first": "the first card",
    "vn.card#restart": (
        "more than {continuity_months} months after {previous} ended on {previous_end} "
        "(continuity needed payment by {deadline}); the {years}-year clock restarts"
    ),
    "vn.card#previous_state": "the {category} state-paid card",
    "vn.card#previous": "the previous card",
    "vn.card#last_state": "the {category} state-paid card",
    "vn.card#last": "the last card",
    "vn.card.waiting_period": "{what}, {why}: valid {span}, from {waiting_days} days after payment",
    "vn.card.from_payment": (
        "{what} by the {payer}, {why}: valid {span}, from the payment date (no {waiting_days}-day "
        "wait for this group)"
    ),
    "vn.card.continuous_renewal": (
        "{what}, on or before the previous card's end {previous_end}: valid {span}, following it "
        "without a gap"
    ),
    "vn.card.gap_not_covered#keeps": (
        "{what}, {days} days after the previous card ended on {previous_end} but within "
        "{continuity_months} months (by {deadline}): valid {span}, from the payment date, no "
        "{waiting_days}-day wait; {gap} is not covered; the {years}-year clock continues"
    ),
    "vn.card.gap_not_covered#restarts": (
        "{what}, {days} days after the previous card ended on {previous_end} but within "
        "{continuity_months} months (by {deadline}): valid {span}, from the payment date, no "
        "{waiting_days}-day wait; {gap} is not covered; the {years}-year clock restarts"
    ),
    "vn.card.transfer_from_state": (
        "the previous card, ending {previous_end}, was state-paid: moving from a fully "
        "state-paid group to a bought card counts as continuous (D-3)"
    ),
    "vn.state.child_under_6": "born {born}: state-paid child card {valid_from}..{until} ({rule})",
    "vn.state.child_under_6#september": (
        "born on or before 30 Sep: to 30 Sep of the year of reaching {age_months} months"
    ),
    "vn.state.child_under_6#month_end": (
        "born after 30 Sep: to the end of the month of reaching {age_months} months"
    ),
    "vn.state.*": "the state pays the card {valid_from}..{until}: {title}",
    "vn.state#no_end": "no known end",
    "vn.support.not_in_force": "member of the support group {group} on {as_of}, but {problem}",
    "vn.support.*": "member of the support group {group} on {as_of}: the state pays {share}",
    "vn.support.*#cost": (
        "member of the support group {group} on {as_of}: the state pays {share}; a {months}-month "
        "card costs the member {cost} VND, off the household ladder"
    ),
    "vn.card.pending": "{what} starts on {valid_from}: not insured on {as_of}, until then",
    "vn.card.pending#state": "the {category} state-paid card",
    "vn.card.pending#bought": "the card paid on {paid_on}",
    "vn.card.renewal_paid": (
        "the card ends {valid_to}, but cover continues without a gap until {until} (renewal or "
        "next card already known)"
    ),
    "vn.card.renew_by": (
        "cover ends {until}; pay the next card by {until} to avoid a gap, and by {keep_by} at the "
        "latest to keep continuity and the {years}-year clock without the {waiting_days}-day wait"
    ),
    "vn.continuity.reached": (
        "continuously insured since {since}: {years} consecutive years reached on {reached_on} "
        "(co-payments above 6 base salaries a year are then waived)"
    ),
    "vn.card.none": (
        "no card is valid on {as_of}: no purchase and no fully state-paid group; a first card "
        "starts {waiting_days} days after payment"
    ),
    "vn.card.expired": (
        "{what} ended on {latest}; a card paid by {keep_by} starts on its payment date (the days "
        "before are not covered) and keeps continuity"
    ),
    "vn.card.continuity_lost": (
        "{what} ended on {latest}, more than {continuity_months} months ago ({keep_by} has "
        "passed): a new card starts {waiting_days} days after payment and the {years}-year clock "
        "restarts"
    ),
}

#: The English catalogue: template key -> template (see the module docstring).
MESSAGES: Mapping[str, str] = MappingProxyType(_MESSAGES)


def _template(key: str) -> str:
    found = _MESSAGES.get(key)
    if found is not None:
        return found
    code, sep, variant = key.partition("#")
    family = code.rsplit(".", 1)[0] + ".*" + sep + variant
    return _MESSAGES[family]


def message(key: str, **values: Any) -> str:
    """The message of template ``key`` (a code, ``code#variant`` or a family's code) with
    ``values`` filled in."""
    return _template(key).format_map(values)


def reason(code: str, source: str, *, variant: str | None = None, **values: Any) -> Reason:
    """A reason with its message from the catalogue (``code``, or ``code#variant``)."""
    key = code if variant is None else f"{code}#{variant}"
    text = _template(key).format_map(values)
    # every field is a str written here: no validation needed (a hot path of decide())
    return Reason._trusted({"code": code, "message": text, "source": source})
