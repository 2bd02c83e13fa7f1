"""The PMO's webhook pages: register (the secret shown once), the page with its log, send a
test, a new secret, edit, remove; everyone else 403."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from webhooks.models import Delivery, Endpoint


@pytest.fixture
def pmo_client(client, pmo):
    client.force_login(pmo)
    return client


def test_the_pmo_registers_an_endpoint_and_sees_its_secret_once(
    pmo_client, seed, receiver, django_capture_on_commit_callbacks
):
    form = {
        "name": "Jira",
        "url": receiver.url,
        "kinds": ["updated", "closed"],
        "committees": [seed.committee.pk],
        "max_classification": "public",
        "is_active": "on",
    }
    saved = pmo_client.post("/webhooks/new/", form)
    endpoint = Endpoint.objects.get()
    # Post, redirect, get: a reload registers nothing again.
    assert saved.status_code == 302
    assert saved["Location"] == f"/webhooks/{endpoint.pk}/secret/shown/"
    answer = pmo_client.get(saved["Location"])
    assert answer.status_code == 200
    page = answer.content.decode()
    assert endpoint.secret in page
    assert "no-store" in answer["Cache-Control"]
    reloaded = pmo_client.get(saved["Location"], follow=True)
    assert endpoint.secret not in reloaded.content.decode()
    assert "The secret was shown once" in reloaded.content.decode()
    assert Endpoint.objects.count() == 1
    assert endpoint.kinds == ["updated", "closed"]
    assert list(endpoint.committees.all()) == [seed.committee]
    detail = pmo_client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert endpoint.secret not in detail
    assert endpoint.secret not in pmo_client.get("/webhooks/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        sent = pmo_client.post(f"/webhooks/{endpoint.pk}/test/", follow=True)
    assert len(receiver.requests) == 1
    assert "ping" in sent.content.decode()
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED

    old = endpoint.secret
    rotated = pmo_client.post(f"/webhooks/{endpoint.pk}/secret/", follow=True)
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in rotated.content.decode()


def test_bad_input_keeps_the_form(pmo_client, seed):
    form = {"name": "Bad", "url": "file:///etc/passwd", "kinds": ["updated"]}
    answer = pmo_client.post("/webhooks/new/", {**form, "max_classification": "public"})
    assert answer.status_code == 200
    assert "file:///etc/passwd" in answer.content.decode()
    assert answer.context["form"].errors["url"]
    assert not Endpoint.objects.exists()


def test_made_active_again_the_notice_goes(pmo_client, pmo):
    from webhooks.services import endpoint_create

    endpoint = endpoint_create(
        acting_user=pmo, name="Jira", url="https://example.org/h", kinds=["updated"]
    )
    Endpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, disabled_reason="Disabled automatically: failing."
    )
    assert "Disabled automatically" in pmo_client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    form = {
        "name": "Jira",
        "url": "https://example.org/h",
        "kinds": ["updated"],
        "max_classification": "restricted",
        "is_active": "on",
    }
    assert pmo_client.post(f"/webhooks/{endpoint.pk}/edit/", form).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert endpoint.disabled_reason == ""
    assert pmo_client.post(f"/webhooks/{endpoint.pk}/delete/").status_code == 302
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize("username", ["member", "chair", "observer"])
def test_everyone_else_is_refused(client, seed, pmo, username):
    from webhooks.services import endpoint_create

    endpoint = endpoint_create(
        acting_user=pmo, name="Jira", url="https://example.org/h", kinds=["updated"]
    )
    client.force_login(get_user_model().objects.get(username=username))
    for url in ("/webhooks/", "/webhooks/new/", f"/webhooks/{endpoint.pk}/"):
        assert client.get(url).status_code == 403
    for url in ("test", "secret", "delete", "edit"):
        assert client.post(f"/webhooks/{endpoint.pk}/{url}/").status_code == 403
    assert Endpoint.objects.count() == 1
