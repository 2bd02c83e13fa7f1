"""The kernel's background render (``core.renders``): its guards, on a real render row.

The rows are register PDF requests (``actions.models.RegisterPdf``), the simpler of the two
models that use it; the render is a callable, so each guard is seen without WeasyPrint. The
headline report's and the register's own tests cover the same lifecycle end to end.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from actions.models import RegisterPdf
from actions.register_pdf import REGISTER_PDF_RENDER
from core.actors import SYSTEM
from core.renders import FAILED, RENDERING
from tests.fixtures import run_concurrently

TODAY = dt.date(2023, 9, 20)


@pytest.fixture
def asked(role_user):
    return RegisterPdf.objects.create(
        requested_by=role_user("Member"), today=TODAY, filters={"sort": "ref"}
    )


def _store(row: RegisterPdf, result: bytes) -> None:
    """What a store does, without a file: the ready constraint wants a file name and rows."""
    row.file.name = f"register-pdfs/{row.pk}/test.pdf"
    row.rows = len(result)
    row.status = RegisterPdf.Status.READY


def test_a_failed_render_is_kept_with_its_error_and_can_be_retried(asked):
    def broken(row: RegisterPdf) -> bytes:
        raise OSError("disk full")

    failed = REGISTER_PDF_RENDER.run(asked.pk, acting_user=SYSTEM, render=broken, store=_store)
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == (FAILED, "OSError: disk full", 1)
    # A failed row waits for a retry: running the task again does not render it.
    calls: list[int] = []
    REGISTER_PDF_RENDER.run(
        asked.pk, acting_user=SYSTEM, render=lambda r: calls.append(1) or b"x", store=_store
    )
    assert calls == []
    queued: list[int] = []
    with transaction.atomic():
        REGISTER_PDF_RENDER.retry(failed, acting_user=SYSTEM, queue=lambda r: queued.append(r.pk))
    failed.refresh_from_db()
    assert (failed.status, failed.error, queued) == ("pending", "", [asked.pk])
    done = REGISTER_PDF_RENDER.run(
        asked.pk, acting_user=SYSTEM, render=lambda r: b"%PDF", store=_store
    )
    assert (done.status, done.rows, done.attempts) == ("ready", 4, 2)
    with pytest.raises(ValidationError, match="This register PDF is ready; only a failed one"):
        REGISTER_PDF_RENDER.retry(done, acting_user=SYSTEM, queue=queued.append)


def test_a_row_being_rendered_is_not_claimed_again_until_it_is_lost(asked):
    row, claimed = REGISTER_PDF_RENDER.claim(asked.pk, acting_user=SYSTEM)
    assert (claimed, row.status, row.attempts) == (True, RENDERING, 1)
    again, claimed_again = REGISTER_PDF_RENDER.claim(asked.pk, acting_user=SYSTEM)
    assert (claimed_again, again.attempts) == (False, 1)
    with pytest.raises(ValidationError, match="is rendering"):
        REGISTER_PDF_RENDER.retry(again, acting_user=SYSTEM, queue=lambda r: None)
    # Past the stale limit the worker that had it is taken for dead: it may be claimed.
    later = row.updated_at + REGISTER_PDF_RENDER.stale_after + dt.timedelta(seconds=1)
    assert REGISTER_PDF_RENDER.is_lost(again, now=later)
    RegisterPdf.objects.filter(pk=asked.pk).update(
        updated_at=row.updated_at - REGISTER_PDF_RENDER.stale_after - dt.timedelta(seconds=1)
    )
    _, claimed_lost = REGISTER_PDF_RENDER.claim(asked.pk, acting_user=SYSTEM)
    assert claimed_lost


@pytest.mark.django_db(transaction=True)
def test_two_workers_given_the_same_row_render_it_once(role_user):
    asked = RegisterPdf.objects.create(
        requested_by=role_user("Member"), today=TODAY, filters={"sort": "ref"}
    )
    renders: list[str] = []
    lock = threading.Lock()

    def render(row: RegisterPdf) -> bytes:
        with lock:
            renders.append(threading.current_thread().name)
        time.sleep(0.5)  # long enough for the other worker to find the row claimed
        return b"%PDF-1.7"

    results = run_concurrently(
        2,
        lambda i: REGISTER_PDF_RENDER.run(
            asked.pk, acting_user=SYSTEM, render=render, store=_store
        ),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(renders) == 1
    asked.refresh_from_db()
    assert (asked.status, asked.attempts, asked.rows) == ("ready", 1, 8)
