"""``core.bounded``: work run in a child process within a time and a memory bound."""

from __future__ import annotations

import os
import signal
import time

import pytest

from core.bounded import RenderLimitExceeded, run_bounded


def _allocate(mib: int) -> bytes:
    block = bytearray(mib * 1024 * 1024)
    return bytes(block[:4])


def _sleep(seconds: float) -> bytes:
    time.sleep(seconds)
    return b"late"


def _die() -> bytes:
    os.kill(os.getpid(), signal.SIGKILL)
    return b""


def _fail() -> bytes:
    raise ValueError("bad layout")


def test_the_result_comes_back_within_the_bounds():
    assert run_bounded(_allocate, 10, memory_mb=200, timeout_s=30, what="The test") == bytes(4)


def test_past_the_memory_bound_the_work_stops_with_a_clear_error():
    with pytest.raises(RenderLimitExceeded, match=r"The test needed more than 50 MiB of memory"):
        run_bounded(_allocate, 400, memory_mb=50, timeout_s=30, what="The test")


def test_past_the_time_bound_the_child_is_killed():
    started = time.monotonic()
    with pytest.raises(RenderLimitExceeded, match=r"took longer than 0.5 seconds"):
        run_bounded(_sleep, 30, memory_mb=100, timeout_s=0.5, what="The test")
    assert time.monotonic() - started < 10


def test_a_child_that_dies_is_reported():
    with pytest.raises(RenderLimitExceeded, match=r"stopped \(exit code -9\)"):
        run_bounded(_die, memory_mb=100, timeout_s=30, what="The test")


def test_an_error_of_the_work_comes_back_in_words():
    with pytest.raises(RuntimeError, match="ValueError: bad layout"):
        run_bounded(_fail, memory_mb=100, timeout_s=30, what="The test")


def _bounded_in(pipe) -> None:
    try:
        pipe.send(run_bounded(_allocate, 1, memory_mb=200, timeout_s=30, what="The test"))
    except BaseException as exc:
        pipe.send(f"{type(exc).__name__}: {exc}")


def test_it_runs_from_a_daemonic_process_as_a_celery_prefork_worker_is():
    """Celery's prefork pool runs tasks in daemonic processes, which multiprocessing does
    not let start a child ("daemonic processes are not allowed to have children")."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    worker = context.Process(target=_bounded_in, args=(writer,), daemon=True)
    worker.start()
    assert reader.poll(60)
    assert reader.recv() == bytes(4)
    worker.join(10)
