"""Kazakhstan compulsory social health insurance (ОСМС / OSMS), Law No. 405-V of 16.11.2015.

Sources (see ``parameters.toml`` for every value with its own source and date, and
[kz-osms sources][kz-osms-sources] for the research):

* Law RK No. 405-V "On compulsory social health insurance" of 16.11.2015: art. 2 (participants),
  art. 5 (right to care, grace period, arrears; 2022 prepaid route; 2026 six-month grace),
  art. 26 (state contributions, republican budget), art. 26-1 (local budgets, from 2026-01-01),
  arts. 27-29 (rates, bases, caps), art. 40 (launch transition 2020-01..2020-06).
* Law No. 206-VIII of 14.07.2025 (2026 changes: 6-month grace, art. 26-1, caps 20/40 MZP).
* MoH orders No. 478 of 30.06.2017 (as amended 25.02.2022 and 13.10.2025) and ҚР ДСМ-333/2020.
* Republican budget laws (minimum monthly wage, MZP).

Public helpers: [`contribution`][insurrules.kz.contributions.contribution],
[`retirement_age`][insurrules.kz.retirement.retirement_age],
[`parse_iin`][insurrules.kz.iin.parse_iin], [`rules`][insurrules.kz.rules.rules].
"""

from insurrules.kz.contributions import contribution, contribution_explained
from insurrules.kz.iin import parse_iin
from insurrules.kz.retirement import retirement_age, retirement_date
from insurrules.kz.rules import rules

__all__ = [
    "contribution",
    "contribution_explained",
    "parse_iin",
    "retirement_age",
    "retirement_date",
    "rules",
]
