"""Vietnam health insurance (BHYT, bảo hiểm y tế): households and state-supported groups.

Sources (see ``parameters.toml`` for every value with its own source and date, and
[vn-bhyt sources][vn-bhyt-sources] for the research; [vn-bhyt rules][vn-bhyt-rules] holds the
normative decisions D-1..D-3):

* Law on Health Insurance 25/2008/QH12 (from 2009-07-01): art. 12 (groups), art. 13 (rates,
  ceiling), art. 15(6) (payment every 3, 6 or 12 months), art. 16 (card validity; 16(3)(d)
  children under 6), art. 22 (benefits, 5-year rule).
* Law 46/2014/QH13 (from 2015-01-01): household ladder, 30-day wait, 5 consecutive years.
* Law on Residence 68/2020/QH14 art. 38(2) (household = same legal residence, 2021-07-01).
* Law 51/2024/QH15 (from 2025-07-01; consolidated 22/VBHN-VPQH of 2025-02-26): new state-paid
  groups, art. 12(5)(a)-(d) self-paying groups; Law on Social Insurance 41/2024/QH15 (social
  pension).
* Decrees 105/2014 (2015-2018), 146/2018 (2018-12-01 .. 2025-08-14; arts. 7, 8, 10, 12(5), 13)
  and 188/2025 (from 2025-07-01 / 2025-08-15; arts. 6, 13, 18): rates, support shares, card dates.
* Base salary decrees 38/2019, 24/2023, 73/2024, 161/2026; VSS collection procedure QĐ 595/2017
  art. 47 (consolidated 2089/VBHN-BHXH); VSS HCMC card-date example of Nov 2025 (E7).

Public helpers: [`contribution`][insurrules.vn.contributions.contribution],
[`household_contributions`][insurrules.vn.household.household_contributions],
[`child_card_end`][insurrules.vn.cards.child_card_end], [`rules`][insurrules.vn.rules.rules]. Cases
go through the shared contract:

>>> import insurrules
>>> decision = insurrules.decide({
...     "scheme": "vn-bhyt", "as_of": "2026-01-20",
...     "person": {"id": "079082007731", "birth_date": "1982-08-14", "sex": "male"},
...     "payments": [
...         {"paid_on": "2024-11-10", "months": 12, "amount": "1263600", "payer": "household"},
...         {"paid_on": "2026-01-15", "months": 12, "amount": "1263600", "payer": "household"},
...     ],
... })
>>> decision.status, str(decision.insured_from), decision.details["keep_continuity_by"]
('insured', '2026-01-15', '2027-04-14')
>>> decision.reason_codes()[0]
'vn.card.gap_not_covered'
"""

from insurrules.vn.cards import child_card_end
from insurrules.vn.contributions import contribution
from insurrules.vn.household import HouseholdBill, Member, MemberAmount, household_contributions
from insurrules.vn.rules import SUPPORT_GROUPS, rules

__all__ = [
    "SUPPORT_GROUPS",
    "HouseholdBill",
    "Member",
    "MemberAmount",
    "child_card_end",
    "contribution",
    "household_contributions",
    "rules",
]
