"""A CPU weight for a process started by the bench, as a container's ``cpu_shares`` gives it.

In the compose stack each service is a container, and so a control group of its own, whose
CPU weight (``cpu_shares``, default 1024) decides its part of a busy host against the other
containers. The bench starts the same commands without containers; the kernel then shares
the CPU between sessions (``sched_autogroup``), and a ``nice`` value orders processes only
within one. To measure what the compose file deploys, each service is started in a cpu
control group of its own with the compose file's weight, where the machine lets the bench
make one (root, and a cgroup v1 ``cpu`` hierarchy or a v2 one with the ``cpu`` controller);
elsewhere the service runs as before and :func:`cpu_group` says why.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SHARES = 1024
_V1 = Path("/sys/fs/cgroup/cpu")
_V2 = Path("/sys/fs/cgroup")


@dataclass
class CpuGroup:
    """A control group made for one service: its folder, and the weight written to it."""

    path: Path
    shares: int

    def enter(self) -> Callable[[], None]:
        """A ``preexec_fn`` that moves the starting process (before it runs the command, so
        every process it forks after is inside) into the group."""
        procs = str(self.path / "cgroup.procs")

        def move() -> None:
            with open(procs, "w") as f:
                f.write(str(os.getpid()))

        return move

    def remove(self) -> None:
        """Remove the group (once its processes have exited); a group still in use stays."""
        with contextlib.suppress(OSError):
            self.path.rmdir()


def v2_weight(shares: int) -> int:
    """cgroup v2's ``cpu.weight`` (1–10,000, default 100) for a v1 ``cpu.shares`` (2–262,144,
    default 1024), by the conversion container runtimes use."""
    return 1 + ((shares - 2) * 9999) // 262142


def cpu_group(name: str, shares: int) -> tuple[CpuGroup | None, str]:
    """A new cpu control group for service ``name`` weighted ``shares``, or None and why not."""
    leaf = f"dag-bench-{name}-{secrets.token_hex(4)}"
    try:
        if (_V1 / "cpu.shares").exists() or (_V1 / "tasks").exists():
            path = _V1 / leaf
            path.mkdir()
            (path / "cpu.shares").write_text(str(shares))
            return CpuGroup(path, shares), ""
        controllers = (_V2 / "cgroup.controllers").read_text().split()
        if "cpu" not in controllers:
            return None, "cgroup v2 without the cpu controller"
        if "cpu" not in (_V2 / "cgroup.subtree_control").read_text().split():
            (_V2 / "cgroup.subtree_control").write_text("+cpu")
        path = _V2 / leaf
        path.mkdir()
        (path / "cpu.weight").write_text(str(v2_weight(shares)))
        return CpuGroup(path, shares), ""
    except OSError as exc:
        return None, f"no cpu control group could be made ({exc.strerror or exc})"
