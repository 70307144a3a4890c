"""Claims screening for auditors: services billed for the dead, the uninsured, the fictitious
and twice (kz-osms).

* [`screen`][insurrules.claims.screen.screen] checks every billed service against the population and
  the rules, and against the other claims; one row per claim comes back with ``flags`` and
  ``reasons``;
* [`summarize`][insurrules.claims.summary.summarize] counts flagged claims and amounts by flag,
  provider and month;
* [`synthetic_claims`][insurrules.claims.synthetic.synthetic_claims] makes a claims table beside a
  synthetic population, with a known share of each anomaly (for docs, tests and benchmarks);
* ``insurrules screen CLAIMS --population DIR [--out FILE]`` does it from the command line.

Needs the ``population`` extra (polars). See ``docs/claims.md`` for an executed example.
"""

from insurrules.claims.schema import CLAIM_COLUMNS, FUNDING, ClaimsTableError
from insurrules.claims.screen import FLAGS, screen
from insurrules.claims.summary import ClaimsSummary, summarize
from insurrules.claims.synthetic import ANOMALIES, SyntheticClaims, synthetic_claims

__all__ = [
    "ANOMALIES",
    "CLAIM_COLUMNS",
    "FLAGS",
    "FUNDING",
    "ClaimsSummary",
    "ClaimsTableError",
    "SyntheticClaims",
    "screen",
    "summarize",
    "synthetic_claims",
]
