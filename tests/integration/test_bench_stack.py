"""``make bench``'s stack section starts what docker-compose.yml runs and reaches it.

The figures come from ``make bench`` (BENCHMARKS.md); this keeps the machinery working: the
compose file's web and worker commands come up on a fresh database and Redis, answer
``/health/`` through the proxy's header, and stop cleanly.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

from bench.stack import PROXY_HEADERS, compose_services, compose_stack


def test_the_bench_stack_runs_the_compose_commands_and_answers(stack_base, tmp_path):
    static_root = Path(stack_base["env"]["STATIC_ROOT"])  # collected by the fixture
    with compose_stack(stack_base["database_url"], tmp_path, static_root=static_root) as stack:
        names = [name for name, _, _ in stack.processes]
        argv = {name: popen.args for name, popen, _ in stack.processes}
        request = urllib.request.Request(stack.base + "/health/", headers=PROXY_HEADERS)  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            status = response.status
        popens = [popen for _, popen, _ in stack.processes]
    assert names == ["redis", "web", "worker"]
    assert (
        argv["web"][: len(compose_services()["web"]["command"])]
        == compose_services()["web"]["command"]
    )
    assert argv["worker"] == compose_services()["worker"]["command"]
    assert status == 200
    assert all(popen.poll() is not None for popen in popens)
