"""Webhook deliveries end to end: a record change → a delivery row in the same transaction
→ after commit the Celery task (eager under test) POSTs the signed body to a receiver on
127.0.0.1, logging each attempt. Values from the seed: DAG28-01 of DAG028 (Public)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from actions.services import action_close, action_update_post
from core.actors import SYSTEM
from webhooks import services
from webhooks.models import Delivery, Endpoint
from webhooks.services import delivery_send, endpoint_create
from webhooks.tasks import delivery_send_task


def hmac_of(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_an_action_update_reaches_the_receiver_signed(
    seed, pmo, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_create(acting_user=pmo, name="Jira", url=receiver.url, kinds=["updated"])
    secret = endpoint.secret
    with django_capture_on_commit_callbacks(execute=True):
        action_update_post(
            action=seed.dag28_01, text="Explainer sent to the DRG chair", acting_user=pmo
        )
    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    assert got.path == "/hooks/governance"
    # The receiver checks the signature with the secret it was given.
    assert hmac.compare_digest(got.headers["X-Signature-SHA256"], hmac_of(secret, got.body))
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-Event"] == "action.update_posted"
    payload = json.loads(got.body)
    delivery = Delivery.objects.get()
    assert got.headers["X-Delivery-Id"] == payload["delivery_id"] == str(delivery.delivery_id)
    assert payload["event"] == "action.update_posted"
    assert payload["kind"] == "updated"
    assert payload["actor"] == "pmo"
    record = payload["record"]
    assert record["type"] == "action"
    assert record["ref"] == "DAG28-01"
    assert record["url"] == f"{settings.SITE_URL}/actions/DAG28-01/"
    assert record["owners"] == "Programme (Rob Short)"
    assert record["due_date"] == "2023-10-11"
    assert record["meeting"] == "DAG028"
    assert payload["data"]["update"] == {
        "text": "Explainer sent to the DRG chair",
        "proposes_closure": False,
    }
    assert delivery.status == Delivery.Status.DELIVERED
    assert [(a.number, a.status_code, a.is_success) for a in delivery.log.all()] == [(1, 200, True)]


def test_a_wrong_secret_does_not_verify(seed, pmo, receiver, django_capture_on_commit_callbacks):
    endpoint = endpoint_create(acting_user=pmo, name="Jira", url=receiver.url, kinds=["closed"])
    with django_capture_on_commit_callbacks(execute=True):
        action_close(action=seed.dag28_01, acting_user=pmo, note="Done")
    got = receiver.requests[0]
    assert got.headers["X-Signature-SHA256"] == hmac_of(endpoint.secret, got.body)
    assert got.headers["X-Signature-SHA256"] != hmac_of(endpoint.secret + "x", got.body)
    assert json.loads(got.body)["event"] == "action.closed"


def test_only_the_kinds_chosen_are_sent(seed, pmo, receiver, django_capture_on_commit_callbacks):
    endpoint_create(acting_user=pmo, name="Closures", url=receiver.url, kinds=["closed"])
    with django_capture_on_commit_callbacks(execute=True):
        action_update_post(action=seed.dag28_01, text="Half done", acting_user=pmo)
    assert receiver.requests == []
    assert not Delivery.objects.exists()


def test_a_failing_receiver_gets_retries_with_backoff_in_the_log(
    seed, pmo, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 500
    endpoint = endpoint_create(acting_user=pmo, name="Down", url=receiver.url, kinds=["updated"])
    with django_capture_on_commit_callbacks(execute=True):
        action_update_post(action=seed.dag28_01, text="Half done", acting_user=pmo)
    delivery = Delivery.objects.get()
    log = list(delivery.log.all())
    # Every attempt was made (Celery's retries run at once under test) and logged with the
    # wait scheduled before the next: 60 s doubling, at most 6 hours; none after the last.
    assert len(receiver.requests) == services.MAX_ATTEMPTS == len(log)
    assert [a.status_code for a in log] == [500] * services.MAX_ATTEMPTS
    assert [a.retry_in_s for a in log] == [
        60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600, 21600, 21600, None
    ]  # fmt: skip
    assert all(a.error == "HTTP 500" and not a.is_success for a in log)
    # The same bytes, signature and delivery id every time.
    assert len({(r.body, r.headers["X-Signature-SHA256"]) for r in receiver.requests}) == 1
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS
    endpoint.refresh_from_db()
    assert endpoint.is_active  # all within a second: not failing for a day
    assert endpoint.failing_since is not None


def test_a_redirect_is_not_followed(
    seed, pmo, receiver, other_receiver, django_capture_on_commit_callbacks
):
    receiver.status = 302
    receiver.location = other_receiver.url
    endpoint_create(acting_user=pmo, name="Moved", url=receiver.url, kinds=["closed"])
    with django_capture_on_commit_callbacks(execute=True):
        action_close(action=seed.dag28_01, acting_user=pmo)
    assert other_receiver.requests == []  # the body never went where the redirect pointed
    first = Delivery.objects.get().log.first()
    assert first.status_code == 302
    assert not first.is_success
    assert first.error == f"Redirect to {other_receiver.url} not followed"


def test_a_refused_connection_is_a_logged_failure(seed, pmo, django_capture_on_commit_callbacks):
    endpoint_create(acting_user=pmo, name="Gone", url="http://127.0.0.1:9/", kinds=["closed"])
    with django_capture_on_commit_callbacks(execute=True):
        action_close(action=seed.dag28_01, acting_user=pmo)
    first = Delivery.objects.get().log.first()
    assert first.status_code is None
    assert "ConnectionError" in first.error


def test_the_task_run_twice_sends_once(seed, pmo, receiver, django_capture_on_commit_callbacks):
    endpoint_create(acting_user=pmo, name="Jira", url=receiver.url, kinds=["closed"])
    with django_capture_on_commit_callbacks(execute=True):
        action_close(action=seed.dag28_01, acting_user=pmo)
    delivery = Delivery.objects.get()
    assert delivery_send_task.apply(args=[delivery.pk]).get() == "delivered"
    assert len(receiver.requests) == 1
    assert delivery.log.count() == 1


START = dt.datetime(2023, 10, 2, 9, 0, tzinfo=dt.UTC)


def _pending_delivery(seed, pmo, url, capture):
    endpoint = endpoint_create(acting_user=pmo, name="Flaky", url=url, kinds=["updated"])
    with capture(execute=False):  # the test sends it, at the times it chooses
        action_update_post(action=seed.dag28_01, text="Half done", acting_user=pmo)
    return endpoint, Delivery.objects.get()


def _send_at(when, delivery, capture):
    with time_machine.travel(when, tick=False), capture(execute=True):
        return delivery_send(delivery_id=delivery.pk, acting_user=SYSTEM)


def test_an_endpoint_failing_for_a_day_is_disabled_with_a_notice(
    seed, pmo, receiver, client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    receiver.status = 503
    endpoint, delivery = _pending_delivery(seed, pmo, receiver.url, capture)
    assert _send_at(START, delivery, capture).retry_in == 60
    later = _send_at(START + dt.timedelta(hours=23, minutes=59), delivery, capture)
    assert later.retry_in == 120
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert mail.outbox == []

    last = _send_at(START + dt.timedelta(hours=24, minutes=1), delivery, capture)
    assert last.retry_in is None  # disabled: the rest of the attempts are not made
    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert not endpoint.is_active
    assert "since 02/10/2023 10:00" in endpoint.disabled_reason  # Europe/London (BST)
    assert delivery.status == Delivery.Status.FAILED
    # The PMO who registered it is told, once.
    assert [m.to for m in mail.outbox] == [["pmo@example.org"]]
    assert "Flaky" in mail.outbox[0].subject
    assert f"/webhooks/{endpoint.pk}/" in mail.outbox[0].body
    # The notice is on its page; no more deliveries are written for it.
    client.force_login(pmo)
    page = client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "Disabled automatically" in page
    with capture(execute=True):
        action_update_post(action=seed.dag28_01, text="More", acting_user=pmo)
    assert Delivery.objects.count() == 1


def test_a_success_within_the_day_starts_the_count_again(
    seed, pmo, receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    receiver.status = 500
    endpoint, first = _pending_delivery(seed, pmo, receiver.url, capture)
    _send_at(START, first, capture)
    receiver.status = 200
    with capture(execute=False):
        action_update_post(action=seed.dag28_01, text="Again", acting_user=pmo)
    second = Delivery.objects.exclude(pk=first.pk).get()
    _send_at(START + dt.timedelta(hours=23), second, capture)
    receiver.status = 500
    _send_at(START + dt.timedelta(hours=25), first, capture)
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert endpoint.failing_since == START + dt.timedelta(hours=25)


def test_a_ping_is_sent_once_even_when_it_fails(
    seed, pmo, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 500
    endpoint = endpoint_create(acting_user=pmo, name="Jira", url=receiver.url, kinds=["updated"])
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_ping(endpoint=endpoint, acting_user=pmo)
    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    assert json.loads(got.body)["event"] == "ping"
    assert got.headers["X-Signature-SHA256"] == hmac_of(endpoint.secret, got.body)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None  # a test does not count towards disabling


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "127.0.0.1:80/x"])
def test_only_http_and_https_urls_are_taken(seed, pmo, url):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        endpoint_create(acting_user=pmo, name="Bad", url=url, kinds=["updated"])
    assert "url" in caught.value.error_dict
    assert not Endpoint.objects.exists()


def test_a_receiver_that_trickles_its_answer_is_cut_off_and_fails():
    """One byte a second never trips a per-read timeout; the whole exchange is bounded."""
    import socket
    import threading
    import time

    from webhooks import sender

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    stop = threading.Event()

    def trickle():
        conn, _ = server.accept()
        conn.recv(65536)
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 60:
            if stop.is_set():
                break
            try:
                conn.send(bytes([byte]))
            except OSError:
                break
            time.sleep(0.5)
        conn.close()

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    started = time.monotonic()
    result = sender.post(
        url=f"http://127.0.0.1:{server.getsockname()[1]}/hook",
        body=b"{}",
        secret="s",
        headers={},
    )
    took = time.monotonic() - started
    stop.set()
    server.close()
    assert not result.ok
    assert result.error == f"No complete answer within {sender.TOTAL_S} s"
    assert sender.TOTAL_S <= took < sender.TOTAL_S + 2
