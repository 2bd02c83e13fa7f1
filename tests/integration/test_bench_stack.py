"""``make bench``'s stack section starts what docker-compose.yml runs and reaches it.

The figures come from ``make bench`` (BENCHMARKS.md); this keeps the machinery working: the
compose file's web and worker commands come up on a fresh database and Redis, each with its
container's CPU weight, answer ``/health/`` through the proxy's header, and stop cleanly.
"""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

import pytest

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
        groups = {group.path.name: group for group in stack.groups}
        in_groups = {
            name: Path(f"/proc/{popen.pid}/cgroup").read_text()
            for name, popen, _ in stack.processes
        }
        shares = dict(stack.cpu_shares)
    # Each service in a cpu control group weighted as the compose file weights its
    # container (the worker a quarter of the default), where this machine lets the bench
    # make one; where it does not, the reason is recorded and the machine indeed has none.
    if stack.groups:
        assert shares == {"redis": 1024, "web": 1024, "worker": 256}
        assert compose_services()["worker"]["cpu_shares"] == 256
        assert "/dag-bench-worker-" in in_groups["worker"], in_groups
        assert "/dag-bench-web-" in in_groups["web"]
        assert all(not group.path.exists() for group in groups.values())  # removed after
    else:
        assert all(isinstance(why, str) and why for why in shares.values()), shares
        assert not os.access("/sys/fs/cgroup/cpu", os.W_OK) or os.geteuid() != 0
    assert names == ["redis", "web", "worker"]
    assert (
        argv["web"][: len(compose_services()["web"]["command"])]
        == compose_services()["web"]["command"]
    )
    assert argv["worker"] == compose_services()["worker"]["command"]
    assert status == 200
    assert all(popen.poll() is not None for popen in popens)


def test_the_durable_copy_is_the_same_database_at_postgresql_defaults(stack_base):
    import psycopg

    from bench.stack import durable_copy

    def read(url: str) -> tuple[str, str, str, int]:
        with psycopg.connect(url) as conn:
            settings = [
                conn.execute(f"SHOW {name}").fetchone()[0]
                for name in ("fsync", "synchronous_commit", "full_page_writes")
            ]
            migrations = conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        return (*settings, migrations)

    source = read(stack_base["database_url"])
    with durable_copy(stack_base["database_url"]) as url:
        copy = read(url)
    # The test cluster runs with durability off (scripts/with-postgres); the copy does not.
    assert source[:3] == ("off", "off", "off")
    assert copy[:3] == ("on", "on", "on")
    assert copy[3] == source[3] > 0
    with pytest.raises(psycopg.OperationalError):  # the copy's server is gone
        psycopg.connect(url, connect_timeout=3)


@pytest.mark.parametrize(("shares", "weight"), [(2, 1), (102, 4), (1024, 39), (262144, 10000)])
def test_a_containers_cpu_shares_become_the_cgroup_v2_weight_runtimes_give(shares, weight):
    from bench.cgroups import v2_weight

    assert v2_weight(shares) == weight
