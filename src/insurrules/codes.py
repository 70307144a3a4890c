"""Reason codes renamed since release 0.1, kept as documented aliases for one release.

The codes of release 0.1 that named a value of today's law (``kz.grace.three_months``) were
renamed after the rule they report (``kz.grace.standard``): under a reform the value changes and
the code stays true. `LEGACY_CODES` maps each old code to its new one; a reason's old code
is [`insurrules.models.Reason.legacy_code`][insurrules.models.Reason.legacy_code]. The aliases are
removed in the release after next (CHANGELOG).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["LEGACY_CODES", "NEW_CODES"]

#: old code (release 0.1) -> the code that replaces it
LEGACY_CODES: Mapping[str, str] = MappingProxyType(
    {
        "kz.grace.three_months": "kz.grace.standard",
        "kz.grace.six_months": "kz.grace.extended",
        "kz.prepaid.twelve_months": "kz.prepaid.advance",
        "vn.card.waiting_30_days": "vn.card.waiting_period",
        "vn.continuity.five_years": "vn.continuity.reached",
    }
)

#: new code -> the old code it replaces
NEW_CODES: Mapping[str, str] = MappingProxyType({new: old for old, new in LEGACY_CODES.items()})
