"""``/api/v1/webhooks/``: the PMO registers, reads, changes, tests and removes endpoints;
anyone else is refused (403), reads included; the secret is answered once."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from webhooks.models import Delivery, Endpoint


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def pmo_api(pmo):
    return api_for(pmo)


@pytest.fixture
def member_api(seed):
    from django.contrib.auth import get_user_model

    return api_for(get_user_model().objects.get(username="member"))


NEW = {
    "name": "Programme Jira sync",
    "target_url": "https://jira.example.org/hooks/governance",
    "kinds": ["closed", "decided"],
    "committees": ["DAG"],
}


def test_the_pmo_registers_reads_changes_and_removes_an_endpoint(pmo_api):
    made = pmo_api.post("/api/v1/webhooks/", NEW, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    secret = body["secret"]
    assert len(secret) >= 40
    assert body["target_url"] == NEW["target_url"]
    assert body["kinds"] == ["decided", "closed"]  # in the list's order
    assert body["committees"] == ["DAG"]
    assert body["max_classification"] == "restricted"
    assert body["is_active"] is True
    endpoint = Endpoint.objects.get()
    assert endpoint.secret == secret
    assert body["url"] == f"http://testserver/api/v1/webhooks/{endpoint.pk}/"

    listed = pmo_api.get("/api/v1/webhooks/").json()["results"]
    assert [e["name"] for e in listed] == ["Programme Jira sync"]
    assert "secret" not in listed[0]
    read = pmo_api.get(body["url"])
    assert read.status_code == 200
    assert "secret" not in read.json()

    changed = pmo_api.patch(
        body["url"],
        {"kinds": ["updated"], "committees": [], "max_classification": "confidential"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["kinds"] == ["updated"]
    assert changed.json()["committees"] == []
    stale = pmo_api.patch(body["url"], {"name": "X"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412

    pinged = pmo_api.post(f"{body['url']}ping/")
    assert pinged.status_code == 202
    assert pinged.json()["event"] == "ping"
    log = pmo_api.get(body["deliveries_url"]).json()["results"]
    assert [d["event"] for d in log] == ["ping"]

    assert pmo_api.delete(body["url"]).status_code == 204
    assert not Endpoint.objects.exists()
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target_url": "ftp://example.org/x"}, "target_url"),
        ({"kinds": ["deleted"]}, "kinds"),
        ({"kinds": []}, "kinds"),
        ({"committees": ["NOPE"]}, "committees"),
        ({"secret": "mine"}, "secret"),
    ],
)
def test_bad_input_is_a_field_error(pmo_api, change, field):
    answer = pmo_api.post("/api/v1/webhooks/", {**NEW, **change}, format="json")
    assert answer.status_code == 400
    assert any(key.split(".")[0] == field for key in answer.json()["errors"])
    assert not Endpoint.objects.exists()


def test_a_member_is_refused_everything(pmo_api, member_api):
    url = pmo_api.post("/api/v1/webhooks/", NEW, format="json").json()["url"]
    assert member_api.get("/api/v1/webhooks/").status_code == 403
    assert member_api.post("/api/v1/webhooks/", NEW, format="json").status_code == 403
    assert member_api.get(url).status_code == 403
    assert member_api.patch(url, {"name": "Mine"}, format="json").status_code == 403
    assert member_api.delete(url).status_code == 403
    assert member_api.post(f"{url}ping/").status_code == 403
    assert member_api.get(f"{url}deliveries/").status_code == 403
    assert APIClient().get("/api/v1/webhooks/").status_code == 401
    assert Endpoint.objects.get().name == NEW["name"]


def test_the_schema_documents_the_webhook_operations(pmo_api):
    schema = pmo_api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    assert set(paths["/api/v1/webhooks/"]) >= {"get", "post"}
    assert set(paths["/api/v1/webhooks/{id}/"]) >= {"get", "patch", "delete"}
    assert "post" in paths["/api/v1/webhooks/{id}/ping/"]
    assert "get" in paths["/api/v1/webhooks/{id}/deliveries/"]
