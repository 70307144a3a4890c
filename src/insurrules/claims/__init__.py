"""Claims screening for auditors: services billed for the dead, the uninsured, the fictitious
and twice.

>>> from insurrules.claims import screen, summarize  # doctest: +SKIP

* :func:`screen` checks every billed service against the rules and the other claims;
* :func:`summarize` counts flagged claims and amounts by flag, provider and month;
* :func:`synthetic_claims` makes a claims table with a known share of each anomaly;
* ``insurrules screen CLAIMS --population DIR`` does it from the command line.

Needs the ``population`` extra (polars).
"""

from insurrules.claims.schema import CLAIM_COLUMNS, FUNDING, ClaimsTableError
from insurrules.claims.screen import FLAGS, screen

__all__ = ["CLAIM_COLUMNS", "FLAGS", "FUNDING", "ClaimsTableError", "screen"]
