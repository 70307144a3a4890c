"""The quick ``__init__`` of the rules' frozen records builds what the dataclass's own builds."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest

from insurrules.kz import decide, facts, law, reading
from insurrules.quick_init import quick_init

QUICK = [
    law.KzFacts,
    law.CategoryTimeline,
    law.KzRoutes,
    law._BeforeGrace,
    reading.Asked,
    reading.KzReading,
    reading.KzStatus,
    reading.Owed,
    facts.CaseFrame,
    facts.LaneFrame,
    decide.GraceAt,
]


def _dataclass_twin(cls: type[Any]) -> type[Any]:
    """``cls`` as ``dataclasses`` writes it (its own ``__init__``)."""
    fields = [
        (f.name, Any, dataclasses.field(default=f.default, repr=f.repr, compare=f.compare))
        for f in dataclasses.fields(cls)
    ]
    return dataclasses.make_dataclass(cls.__name__, fields, frozen=True, slots=True)


@pytest.mark.parametrize("cls", QUICK, ids=lambda c: c.__name__)
def test_a_quick_init_sets_what_the_dataclass_init_sets(cls: type[Any]) -> None:
    assert cls.__init__.__code__.co_filename == "<string>" and "_set_" in str(
        cls.__init__.__code__.co_names
    ), "not given a quick __init__"
    twin = _dataclass_twin(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    values = [object() for _ in names]  # distinct values: a field set from another shows
    by_position, by_name = cls(*values), cls(**dict(zip(names, values, strict=True)))
    want = twin(*values)
    for got in (by_position, by_name):
        assert [getattr(got, n) for n in names] == [getattr(want, n) for n in names]
        assert got == cls(*values) and hash(got) == hash(cls(*values))
        with pytest.raises(dataclasses.FrozenInstanceError):
            got.__setattr__(names[0], None)
        assert dataclasses.replace(got, **{names[0]: 1}) == cls(1, *values[1:])
    assert repr(by_position).split("(", 1)[1] == repr(want).split("(", 1)[1]
    with pytest.raises(TypeError):
        cls(*values[:-1]) if not _defaults(cls) else cls(*values[: -1 - len(_defaults(cls))])
    with pytest.raises(TypeError):
        cls(*values, 1)


def _defaults(cls: type[Any]) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING]


def test_a_default_is_the_dataclass_default() -> None:
    values: list[Any] = [1] * (len(dataclasses.fields(law.KzRoutes)) - 1)
    assert law.KzRoutes(*values).before_grace is None


def test_a_quick_record_pickles() -> None:
    record = reading.Owed(debt=1, owed_now=True, paid_now=False, any_paid=True, de_requests=0)
    assert pickle.loads(pickle.dumps(record)) == record


def test_only_plain_frozen_slotted_dataclasses_are_taken() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        x: int

    @dataclasses.dataclass(slots=True)
    class NotFrozen:
        x: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Factory:
        x: list[int] = dataclasses.field(default_factory=list)

    for cls in (NoSlots, NotFrozen, Factory):
        with pytest.raises(TypeError):
            quick_init(cls)


def test_defaults_are_the_fields_defaults() -> None:
    @quick_init
    @dataclasses.dataclass(frozen=True, slots=True)
    class Defaults:
        x: int
        y: int = 7
        z: str = "z"

    assert Defaults(1) == Defaults(1, 7, "z") and Defaults(1, z="a").y == 7
