"""Reform files and dictionaries: a clear ``RulesError`` or a reform that runs, never a crash."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import insurrules
from insurrules.errors import RulesError
from insurrules.reform import Reform
from tests.fuzz.checks import assert_no_unmasked_id, bounded_time
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.strategies import EXAMPLES, ROOT, hostile_values, mutated

REFORMS = [
    tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.toml"))
]
CASES = {
    scheme: next(e for e in EXAMPLES if e["scheme"] == scheme) for scheme in ("kz-osms", "vn-bhyt")
}


@st.composite
def hostile_reforms(draw: st.DrawFn) -> Any:
    reform = copy.deepcopy(draw(st.sampled_from(REFORMS)))
    if draw(st.booleans()):
        # a real parameter with a hostile value: the bounds of every kind are exercised
        rules = insurrules.kz.rules() if reform["scheme"] == "kz-osms" else insurrules.vn.rules()
        name = draw(st.sampled_from(sorted(rules.parameters)))
        value = draw(hostile_values | st.integers(-(10**20), 10**20))
        dated = draw(st.booleans())
        return {**reform, "changes": {name: {"from 2026-01-01": value} if dated else value}}
    return draw(mutated(reform))


@fuzz_settings(0.5)
@given(hostile_reforms())
def test_a_reform_is_refused_clearly_or_runs(data: Any) -> None:
    with bounded_time("reform"):
        reform = None
        try:
            reform = Reform.from_dict(data, origin="/home/someone/reform.toml")
        except RulesError as exc:
            message = str(exc)
        else:
            message = ""
        if message:
            assert message.strip()
            assert_no_unmasked_id(message)
            return
        assert reform is not None
        decision = insurrules.decide(CASES[reform.scheme], reform.apply())
    text = decision.model_dump_json()
    assert "/home/someone" not in text
    assert_no_unmasked_id(text)


@fuzz_settings(0.2)
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace")))
def test_any_reform_file_is_refused_clearly_or_read(content: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.toml"
        path.write_bytes(content)
        message = "read"
        try:
            Reform.from_file(path)
        except RulesError as exc:
            message = str(exc)
        assert message.strip()
