"""A real Celery worker on a real Redis runs the reminder task and the report-rendering task.

The worker is started with docker-compose.yml's own command and environment (production
settings); the work is queued the way the application queues it (``.delay()`` after commit,
through Redis) by a separate process (``tests.integration.scenario``). Expected values come
from the seed report: the owners of its actions and their refs.
"""

from __future__ import annotations

import hashlib
import re

import psycopg
import pytest

from .conftest import emails_in, text_of, wait_for

pytestmark = pytest.mark.integration

# From the seed report: each owner's actions, given email addresses by the scenario.
SEED_OWNERS = {
    "rob.short@example.org": {"DAG28-01"},
    "haz.elmamoun@example.org": {"DAG28-02"},
    "fraser.mathieson@example.org": {"DAG28-03", "DAG28-05", "DAG28-08"},
    "berlinda.kugara@example.org": {"DAG28-04", "DAG28-06"},
    "testing.team@example.org": {"DAG28-07"},
    "design.team@example.org": {"DAG28-09", "DAG28-10"},
    "paul.pettitt@example.org": {"DAG28-11", "DAG28-12"},
    "pmo@example.org": {"DAG28-13", "DAG28-15"},
    "dag.chair@example.org": {"DAG28-14"},  # owner "Chair": the committee's chair
    "matt.mckeon@example.org": {"DAG27-08"},
}
TASK_DONE = re.compile(r"Task actions\.reminders_send\[[^\]]+\] succeeded")


def _query(stack, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(stack.database_url) as conn:
        return conn.execute(sql, params).fetchall()


def test_worker_sends_reminders_once_and_renders_the_headline_report(stack):
    worker = stack.start("worker")
    wait_for(lambda: "ready." in worker.log(), timeout=45, what="the worker", logs=stack.logs)

    report_id = stack.scenario("dag028")["report_id"]

    def emails_sent():
        messages = emails_in(stack.mail_dir)
        return messages if len(messages) >= len(SEED_OWNERS) else None

    messages = wait_for(emails_sent, timeout=45, what="10 reminder emails", logs=stack.logs)
    by_address = {}
    for message in messages:
        address = re.search(r"<(.+)>", message["To"])[1]
        assert address not in by_address, f"two emails to {address}"
        by_address[address] = message
    assert set(by_address) == set(SEED_OWNERS)
    for address, refs in SEED_OWNERS.items():
        message = by_address[address]
        assert set(re.findall(r"DAG\d+-\d\d", text_of(message))) == refs
        assert message["Subject"].startswith("Before DAG029 on 11 October 2023")
        assert message["List-Unsubscribe"].strip().startswith("<https://tracker.example.org/")

    def report_issued():
        rows = _query(
            stack,
            "SELECT status, checksum, file, error FROM meetings_headlinereport WHERE id = %s",
            (report_id,),
        )
        return rows[0] if rows and rows[0][0] in ("issued", "failed") else None

    status, checksum, file_name, error = wait_for(
        report_issued, timeout=60, what="the headline report to render", logs=stack.logs
    )
    assert (status, error) == ("issued", "")
    pdf = (stack.media_root / file_name).read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == checksum

    # The same task again, through the worker: every reminder is already sent.
    stack.scenario("remind", "2023-10-08")
    wait_for(
        lambda: len(TASK_DONE.findall(worker.log())) >= 2,
        timeout=30,
        what="the second reminder task",
        logs=stack.logs,
    )
    assert len(emails_in(stack.mail_dir)) == len(SEED_OWNERS)
    statuses = _query(stack, "SELECT status, count(*) FROM actions_reminderlog GROUP BY status")
    # 10 digests; 13 due soon on 11/10, DAG28-05 due soon on 10/10, DAG28-04 and DAG27-08 overdue.
    assert dict(statuses) == {"sent": 10 + 16}
