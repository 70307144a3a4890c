"""vn-bhyt segments: the card chain built once per state of knowledge, read day by day with
[`insurrules.vn.decide.cover_on`][insurrules.vn.decide.cover_on] (the decision's own reading).

A chain changes only where what is known changes (a purchase is paid); within one chain the
reading changes only where a card starts or ends, or the day after a death.
"""

from __future__ import annotations

import datetime as dt

from insurrules.coverage.model import Epoch, Segment, merge, pieces
from insurrules.parameters import RuleSet
from insurrules.vn.case import VnCase
from insurrules.vn.decide import case_chain, cover_on

__all__ = ["vn_segments"]

_DAY = dt.timedelta(days=1)


def vn_segments(case: VnCase, rules: RuleSet, epochs: list[Epoch]) -> list[Segment]:
    """The segments of the ``epochs`` (in order, covering the timeline)."""
    death = case.person.death_date
    out: list[Segment] = []
    for lo, hi, cutoff in epochs:
        chain, _ = case_chain(case.model_copy(update={"as_of": cutoff}), rules)
        cuts: set[dt.date] = set()
        for card in chain.cards:
            cuts.add(card.valid_from)
            if card.valid_to is not None:
                cuts.add(card.valid_to + _DAY)
        if death is not None:
            cuts.add(death + _DAY)
        for day, end in pieces(cuts, lo, hi):
            cover = cover_on(chain, day, death, rules)
            out.append(
                Segment(
                    start=day,
                    end=end,
                    status="insured" if cover.insured else "not_insured",
                    basis=cover.basis,
                    category=cover.state_category,
                    budget=cover.budget,
                )
            )
    return merge(out)
