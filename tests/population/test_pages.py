"""The engines build their arrays on small pages and put numpy's setting back."""

from __future__ import annotations

import threading
from unittest import mock

import pytest

from insurrules.population import pages


class _Switch:
    """numpy's switch as a recording fake: returns the previous setting, as numpy's does."""

    def __init__(self, on: bool) -> None:
        self.on = on
        self.calls: list[bool] = []

    def __call__(self, on: bool) -> bool:
        before, self.on = self.on, on
        self.calls.append(on)
        return before


def test_small_pages_is_off_within_and_restores_the_previous_setting() -> None:
    for start in (True, False):
        switch = _Switch(start)
        with mock.patch.object(pages, "_numpy_setter", return_value=switch):
            with pages.small_pages():
                assert switch.on is False
                with pages.small_pages():  # nested: still off, and not restored early
                    assert switch.on is False
                assert switch.on is False
            assert switch.on is start


def test_small_pages_restores_after_an_error() -> None:
    switch = _Switch(True)
    with mock.patch.object(pages, "_numpy_setter", return_value=switch):
        with pytest.raises(ZeroDivisionError), pages.small_pages():
            1 / 0  # noqa: B018
        assert switch.on is True


def test_concurrent_blocks_restore_once_the_last_leaves() -> None:
    switch = _Switch(True)
    entered, leave = threading.Barrier(2), threading.Event()

    def engine() -> None:
        with pages.small_pages():
            entered.wait()
            leave.wait()

    with mock.patch.object(pages, "_numpy_setter", return_value=switch):
        other = threading.Thread(target=engine)
        other.start()
        with pages.small_pages():
            entered.wait()
            leave.set()
            other.join()
            assert switch.on is False  # the other left first: still off for this one
        assert switch.on is True


def test_the_engines_run_on_small_pages() -> None:
    from insurrules.population import evaluate, synthetic, synthetic_vn

    for make in (synthetic, synthetic_vn):
        switch = _Switch(True)
        with mock.patch.object(pages, "_numpy_setter", return_value=switch):
            population = make(50, seed=1)  # a vn population reads its tables when made
            if make is synthetic_vn:
                assert switch.calls == [False, True], "vn tables read on large pages"
            evaluate(population, "2026-03-15")
        assert switch.calls[:1] == [False], make
        assert switch.on is True
