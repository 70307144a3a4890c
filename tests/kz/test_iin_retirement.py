"""IIN parsing and the retirement-age schedule (R6.4)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insurrules.kz import parse_iin, retirement_age, retirement_date
from insurrules.kz.iin import check_digit, make_iin


def test_contract_example_iin() -> None:
    info = parse_iin("870412445016")
    assert (info.birth_date, info.sex) == (dt.date(1987, 4, 12), "female")


def test_second_pass_weights_are_used_when_the_first_gives_ten() -> None:
    # find an 11-digit prefix whose first pass gives 10, then check the IIN built on it parses
    for serial in range(10000):
        first11 = f"900101300{serial:04d}"[:11]
        w1 = sum(int(c) * w for c, w in zip(first11, range(1, 12), strict=True)) % 11
        if w1 == 10 and check_digit(first11) is not None:
            assert parse_iin(first11 + str(check_digit(first11))).sex == "male"
            return
    pytest.fail("no prefix needing the second pass")


@pytest.mark.parametrize(
    ("iin", "message"),
    [
        ("870412445017", "invalid check digit"),
        ("87041244501", "12 digits"),
        ("871312445016", "check digit|real birth date"),
    ],
)
def test_bad_iins(iin: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_iin(iin)


@given(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)), st.sampled_from(["male", "female"]))
def test_made_iins_parse_back(born: dt.date, sex: str) -> None:
    info = parse_iin(make_iin(born, sex))  # type: ignore[arg-type]
    assert (info.birth_date, info.sex) == (born, sex)


@pytest.mark.parametrize(
    ("born", "age"),
    [
        ("1959-06-01", (58, 0)),  # reached 2017
        ("1960-01-01", (58, 6)),  # 2018
        ("1961-01-01", (59, 6)),  # 59.5 reached 2020-07
        ("1962-03-01", (60, 6)),  # 2022
        ("1964-08-01", (61, 0)),  # 2025, frozen
        ("1967-03-01", (61, 6)),  # 2028
        ("1968-02-01", (62, 6)),  # 62.5 reached 2030-08
        ("1975-01-01", (63, 0)),
    ],
)
def test_women_retirement_schedule(born: str, age: tuple[int, int]) -> None:
    assert retirement_age("female", dt.date.fromisoformat(born)) == age


def test_men_retire_at_63() -> None:
    assert retirement_age("male", dt.date(1961, 5, 5)) == (63, 0)
    assert retirement_date("male", dt.date(1961, 5, 5)) == dt.date(2024, 5, 5)


def test_bad_sex_is_named() -> None:
    with pytest.raises(ValueError, match="sex"):
        retirement_age("x", dt.date(1960, 1, 1))  # type: ignore[arg-type]
