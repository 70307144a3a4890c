"""Reading a table's parts with a memo of the texts already read (months, payers) gives what
reading each part afresh gives, whatever the parts hold."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from insurrules.population.kz.tables import PAYERS
from insurrules.population.values import Memo, read_codes, read_months

_MONTHS = st.one_of(
    st.builds("{:04d}-{:02d}".format, st.integers(1790, 2110), st.integers(0, 13)),
    st.sampled_from(["2025-1", "2025-01-01", "", " 2025-01", "２０２５-01"]),
    st.none(),
)
_PAYERS = st.one_of(st.sampled_from([*PAYERS, "Employer", "", "other"]), st.none())


def _parts(values: st.SearchStrategy[str | None]) -> st.SearchStrategy[list[list[str | None]]]:
    return st.lists(st.lists(values, min_size=1, max_size=40), min_size=1, max_size=4)


def _encoded(part: list[str | None]) -> pa.DictionaryArray:
    found = pa.array(part, type=pa.string()).dictionary_encode()
    assert isinstance(found, pa.DictionaryArray)
    return found


@settings(max_examples=300, deadline=None)
@given(_parts(_MONTHS))
def test_months_read_with_a_memo_are_read_as_afresh(parts: list[list[str | None]]) -> None:
    memo: Memo = {}
    for part in parts:
        fresh, kept = np.empty(len(part), np.int16), np.empty(len(part), np.int16)
        alone = read_months(_encoded(part), fresh, 24_000)
        remembered = read_months(_encoded(part), kept, 24_000, memo)
        if alone is None:
            assert remembered is None
            assert (fresh == kept).all()
        else:
            assert remembered is not None
            assert (alone == remembered).all()
            assert (fresh[~alone] == kept[~alone]).all()


@settings(max_examples=200, deadline=None)
@given(_parts(_PAYERS))
def test_payers_read_with_a_memo_are_read_as_afresh(parts: list[list[str | None]]) -> None:
    memo: Memo = {}
    for part in parts:
        fresh, kept = np.empty(len(part), np.int8), np.empty(len(part), np.int8)
        alone = read_codes(_encoded(part), PAYERS, fresh)
        remembered = read_codes(_encoded(part), PAYERS, kept, memo)
        assert (alone is None) == (remembered is None)
        vouched = np.ones(len(part), np.bool_) if alone is None else ~alone
        if alone is not None and remembered is not None:
            assert (alone == remembered).all()
        assert (fresh[vouched] == kept[vouched]).all()


def test_a_memo_keeps_each_text_once() -> None:
    memo: Memo = {}
    out = np.empty(3, np.int16)
    read_months(_encoded(["2025-01", "2025-13", "2025-01"]), out, 0, memo)
    assert memo == {"2025-01": (2025 * 12, True), "2025-13": (memo["2025-13"][0], False)}
