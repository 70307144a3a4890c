"""synthetic(): valid, reproducible, and calibrated to the published figures it cites."""

from __future__ import annotations

import polars as pl

import insurrules
from insurrules.population import evaluate, row_errors, synthetic


def test_every_synthetic_person_is_valid_and_iins_agree_with_birth_and_sex() -> None:
    pop = synthetic(20_000, seed=0)
    assert row_errors(pop).null_count() == len(pop)
    assert pop.persons["id"].n_unique() == len(pop)
    for pid in pop.persons["id"].sample(40, seed=1).to_list():
        case = pop.case(pid, "2026-03-15")  # validates the IIN against birth date and sex
        info = insurrules.kz.parse_iin(pid)
        assert (info.birth_date, info.sex) == (case.person.birth_date, case.person.sex)


def test_same_seed_same_population() -> None:
    a, b = synthetic(2_000, seed=4), synthetic(2_000, seed=4)
    assert all(x.equals(y) for (_, x), (_, y) in zip(a.tables(), b.tables(), strict=True))
    assert not synthetic(2_000, seed=5).persons.equals(a.persons)


def test_calibration_over_90_percent_insured_and_about_5_percent_de() -> None:
    pop = synthetic(40_000, seed=0, as_of="2026-03-15")
    result = evaluate(pop, "2026-03-15")
    insured = (result["status"] == "insured").sum() / result.height
    assert 0.90 < insured < 0.95  # Zakon.kz 30.01.2026: ">90 %"
    de_share = pop.welfare_levels["person_id"].n_unique() / len(pop)
    assert 0.04 < de_share < 0.06  # about 960 000 per 20 million
    bases = set(result["basis"].drop_nulls().to_list())
    assert {"state_funded", "contributions", "prepaid", "grace_period"} <= bases
    assert (result["grace_months"] == 6).sum() > 0
    assert (result["state_category"] == "welfare_level_de").sum() > 0
    under_18 = pop.persons.filter(pl.col("birth_date") > pl.date(2008, 3, 15)).height / len(pop)
    assert 0.29 < under_18 < 0.35
