"""Run one function in a child process bounded in time and memory (a render, say).

A WeasyPrint render of a long report takes tens of seconds and hundreds of MiB, all at
once, inside the worker that runs it; a report larger than the machine can hold would take
the worker down with it (the kernel's out-of-memory killer picks the biggest process). So
the work runs in a forked child: its address space may grow by at most ``memory_mb`` above
what the parent had at the fork (``resource.setrlimit(RLIMIT_AS)``: an allocation past it
fails with MemoryError in the child, not in the worker), and it is killed after
``timeout_s`` seconds. Either way :class:`RenderLimitExceeded` says which bound was hit, in
words for the person who asked; the caller records it (``core.renders`` keeps it on the
row, for a retry).

Fork, not spawn: the child starts with everything the parent imported (WeasyPrint, the
templates, fonts), so the bound costs milliseconds, not a second of imports. The child
touches no database connection it inherited (the caller hands it plain values) and leaves
through ``os._exit``, so the parent's connections are not closed under it. Linux only, as
the stack is.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from typing import Any

MIB = 1024 * 1024


class RenderLimitExceeded(Exception):  # noqa: N818 - named for what the user reads
    """The bounded work used more time or memory than allowed, or its process died."""


def _address_space_now() -> int:
    """This process's virtual memory size in bytes (``/proc/self/statm``, in pages)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _child(write_fd: int, fn: Callable[..., bytes], args: tuple[Any, ...], limit: int) -> None:
    """The forked child: bound, run, send the outcome down the pipe, leave at once."""
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            outcome: tuple[str, Any] = ("ok", fn(*args))
        except MemoryError:
            outcome = ("memory", "")
        except BaseException as exc:  # any failure goes back to the parent, in words
            outcome = ("error", f"{type(exc).__name__}: {exc}")
        data = pickle.dumps(outcome)
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view) :]
    finally:
        # Never back into the parent's code: no atexit, no closing its connections.
        os._exit(0)


def _read_until_eof(read_fd: int, deadline: float) -> bytes | None:
    """All the child writes, or None when ``deadline`` (monotonic) passes first."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if not ready:
            return None
        chunk = os.read(read_fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_bounded(
    fn: Callable[..., bytes], *args: Any, memory_mb: int, timeout_s: float, what: str
) -> bytes:
    """``fn(*args)`` (which returns bytes) run in a child process within the bounds.

    ``what`` names the work in the error ("The headline report"). Raises
    RenderLimitExceeded when the child runs past ``timeout_s`` (it is killed), runs out of
    its ``memory_mb`` (MiB of address space above the parent's at the fork) or dies; an
    exception raised by ``fn`` is raised again as RuntimeError with its text.

    A plain ``os.fork``, not ``multiprocessing``: a Celery prefork worker's processes are
    daemonic, and multiprocessing refuses to start a child from one.
    """
    limit = _address_space_now() + memory_mb * MIB
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(write_fd, fn, args, limit)
    os.close(write_fd)
    try:
        data = _read_until_eof(read_fd, time.monotonic() + timeout_s)
    finally:
        os.close(read_fd)
        if data is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if data is None:
        raise RenderLimitExceeded(
            f"{what} took longer than {timeout_s:g} seconds to render and was stopped. "
            "Retry it; if it fails again, it is too long to render in one go."
        )
    if not data:
        raise RenderLimitExceeded(
            f"{what} could not be rendered: the rendering process stopped "
            f"(exit code {os.waitstatus_to_exitcode(status)}), most likely out of memory "
            f"(the bound is {memory_mb} MiB). Retry it."
        )
    outcome, payload = pickle.loads(data)  # noqa: S301 - our own child's bytes, by a pipe
    if outcome == "memory":
        raise RenderLimitExceeded(
            f"{what} needed more than {memory_mb} MiB of memory to render and was stopped. "
            "Retry it; if it fails again, it is too large to render in one go."
        )
    if outcome == "error":
        raise RuntimeError(payload)
    return payload
