"""The engines build their arrays on small pages, with glibc keeping freed memory, and put the
process's settings back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from unittest import mock

import pytest

from insurrules.population import pages


@pytest.fixture(autouse=True)
def _no_allocator() -> Iterator[None]:
    with mock.patch.object(pages, "_glibc", return_value=None):
        yield


class _Allocator(pages.Allocator):
    """glibc's allocator as a recording fake."""

    def __init__(self) -> None:
        self.settings: dict[int, int] = {}
        self.trims = 0
        super().__init__(self._set, self._trim)

    def _set(self, param: int, value: int) -> int:
        self.settings[param] = value
        return 1

    def _trim(self, pad: int) -> int:
        self.trims += 1
        return 1


class _Switch:
    """numpy's switch as a recording fake: returns the previous setting, as numpy's does."""

    def __init__(self, on: bool) -> None:
        self.on = on
        self.calls: list[bool] = []

    def __call__(self, on: bool) -> bool:
        before, self.on = self.on, on
        self.calls.append(on)
        return before


def test_huge_page_advice_is_off_within_and_restores_the_previous_setting() -> None:
    for start in (True, False):
        switch = _Switch(start)
        with mock.patch.object(pages, "_numpy_setter", return_value=switch):
            with pages.engine_memory():
                assert switch.on is False
                with pages.engine_memory():  # nested: still off, and not restored early
                    assert switch.on is False
                assert switch.on is False
            assert switch.on is start


def test_engine_memory_restores_after_an_error() -> None:
    switch = _Switch(True)
    with mock.patch.object(pages, "_numpy_setter", return_value=switch):
        with pytest.raises(ZeroDivisionError), pages.engine_memory():
            1 / 0  # noqa: B018
        assert switch.on is True


def test_concurrent_blocks_restore_once_the_last_leaves() -> None:
    switch = _Switch(True)
    entered, leave = threading.Barrier(2), threading.Event()

    def engine() -> None:
        with pages.engine_memory():
            entered.wait()
            leave.wait()

    with mock.patch.object(pages, "_numpy_setter", return_value=switch):
        other = threading.Thread(target=engine)
        other.start()
        with pages.engine_memory():
            entered.wait()
            leave.set()
            other.join()
            assert switch.on is False  # the other left first: still off for this one
        assert switch.on is True


def test_the_engines_run_on_small_pages_keeping_freed_memory() -> None:
    from insurrules.population import evaluate, synthetic, synthetic_vn

    for make in (synthetic, synthetic_vn):
        switch, allocator = _Switch(True), _Allocator()
        with (
            mock.patch.object(pages, "_numpy_setter", return_value=switch),
            mock.patch.object(pages, "_glibc", return_value=allocator),
        ):
            population = make(50, seed=1)  # a vn population reads its tables when made
            if make is synthetic_vn:
                assert switch.calls == [False, True], "vn tables read on large pages"
            trims = allocator.trims
            evaluate(population, "2026-03-15")
        assert switch.calls[:1] == [False], make
        assert switch.on is True
        assert allocator.trims > trims and allocator.settings == dict(pages.AFTER), make


def test_glibc_keeps_freed_memory_within_and_settles_after_the_last_block() -> None:
    allocator = _Allocator()
    with mock.patch.object(pages, "_glibc", return_value=allocator):
        with pages.engine_memory():
            assert allocator.settings == dict(pages.HELD)
            with pages.engine_memory():
                pass
            assert allocator.settings == dict(pages.HELD), "restored by the inner block"
            assert allocator.trims == 0
        assert allocator.settings == dict(pages.AFTER)
        assert allocator.trims == 1
        # after: as glibc's own threshold settles, never the 128 kB that maps every array
        assert allocator.settings[pages.M_MMAP_THRESHOLD] >= 32 << 20
        assert (
            allocator.settings[pages.M_TRIM_THRESHOLD] >= allocator.settings[pages.M_MMAP_THRESHOLD]
        )
        with pytest.raises(ZeroDivisionError), pages.engine_memory():
            1 / 0  # noqa: B018
        assert allocator.settings == dict(pages.AFTER) and allocator.trims == 2


@pytest.mark.parametrize(
    "environ",
    [
        {"MALLOC_TRIM_THRESHOLD_": "131072"},
        {"MALLOC_MMAP_THRESHOLD_": "268435456"},
        {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=1"},
    ],
)
def test_a_process_tuning_its_allocator_itself_is_left_alone(environ: dict[str, str]) -> None:
    assert pages.find_glibc(environ) is None


def test_glibc_is_found_where_it_runs() -> None:
    import os

    try:
        version = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):
        pytest.skip("not a glibc system")
    started = pages.started_with()
    tuned = {name: started[name] for name in pages.OWN_TUNING if name in started}
    if not version or tuned:
        pytest.skip(f"not glibc ({version!r}), or tuned by hand ({tuned})")
    found = pages.find_glibc()
    assert found is not None
    # (mallopt is not called here: any setting stops glibc moving its threshold in this process)
    assert found.trim(0) in (0, 1)


def test_what_a_library_sets_later_is_not_the_processs_own_tuning() -> None:
    """glibc reads its tuning when the process starts: a variable set afterwards (distributed
    sets ``MALLOC_TRIM_THRESHOLD_`` for its workers on import) does not tune this process."""
    import os

    if "MALLOC_TRIM_THRESHOLD_" in pages.started_with():
        pytest.skip("this process was started tuned")
    with mock.patch.dict(os.environ, {"MALLOC_TRIM_THRESHOLD_": "65536"}):
        assert "MALLOC_TRIM_THRESHOLD_" not in pages.started_with()
    assert pages.started_with().get("PATH") == os.environ.get("PATH")
