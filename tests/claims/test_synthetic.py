"""Synthetic claims: a clean set raises no flag; every injected anomaly is found, rightly."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insurrules.claims import screen
from insurrules.claims.synthetic import ANOMALIES, synthetic_claims
from insurrules.population import synthetic

SETTINGS = settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
START, END = dt.date(2025, 12, 1), dt.date(2026, 2, 28)
POPULATION = synthetic(400, seed=11, as_of="2026-03-15")


@SETTINGS
@given(st.integers(0, 2**32 - 1))
def test_a_clean_synthetic_set_yields_no_flags(seed: int) -> None:
    made = synthetic_claims(POPULATION, 300, seed, start=START, end=END, anomaly_rates={})
    assert made.expected["anomaly"].null_count() == made.claims.height
    result = screen(made.claims, POPULATION)
    assert result["flags"].list.len().sum() == 0
    assert set(result["funding"]) == {"osms", "guaranteed"}


@SETTINGS
@given(st.integers(0, 2**32 - 1))
def test_every_injected_anomaly_is_found_with_the_right_flag(seed: int) -> None:
    rates = dict.fromkeys(ANOMALIES, 0.02)
    made = synthetic_claims(POPULATION, 300, seed, start=START, end=END, anomaly_rates=rates)
    counts = made.counts()
    assert all(counts[a] > 0 for a in ANOMALIES), counts
    result = screen(made.claims, POPULATION)
    assert result["flags"].to_list() == made.expected["flags"].to_list()
    clean = made.expected["anomaly"].is_null()
    assert result.filter(clean)["flags"].list.len().sum() == 0


def test_the_generator_is_deterministic_and_rejects_unknown_anomalies() -> None:
    one = synthetic_claims(POPULATION, 50, 3, start=START, end=END)
    two = synthetic_claims(POPULATION, 50, 3, start=START, end=END)
    assert one.claims.equals(two.claims)
    assert one.claims.schema["amount"] == pl.Decimal(38, 2)
    with pytest.raises(ValueError, match="unknown anomalies"):
        synthetic_claims(POPULATION, 10, 0, anomaly_rates={"fraud": 0.1})
