"""The API's discussion references follow the access rule (``core.visibility``): a ref to a
record the reader may not open is listed as the text shows it, with no URL, exactly as a ref
that resolved to nothing (the scene of tests/access/test_rule.py)."""

from __future__ import annotations

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from composer import discussion
from core.actors import SYSTEM

TEXT = "ACTION DAG28-01, ACTION DAG30-01, ACTION DAG31-01, ACTION TMAG1-01 and CR999 noted."


def _references(user, pk: int, *, listed: bool) -> dict[str, str | None]:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    if listed:
        rows = client.get("/api/v1/discussion-items/?limit=100").json()["results"]
        body = next(row for row in rows if row["id"] == pk)
    else:
        body = client.get(f"/api/v1/discussion-items/{pk}/").json()
    return {r["ref"]: r["url"] for r in body["references"]}


def test_references_link_only_the_records_the_reader_may_open(two):
    item = discussion.discussion_item_create(meeting=two.dag032, text=TEXT, acting_user=SYSTEM)
    expected_linked = {
        "pmo": {"DAG28-01", "DAG30-01", "DAG31-01", "TMAG1-01"},
        "chair": {"DAG28-01", "DAG30-01", "DAG31-01"},
        "member": {"DAG28-01", "DAG30-01"},
        "tmag": {"DAG28-01", "TMAG1-01"},
        "outsider": {"DAG28-01"},
    }
    for username, linked in expected_linked.items():
        for listed in (True, False):
            refs = _references(two.users[username], item.pk, listed=listed)
            # Every ref written in the text is listed; a hidden one is as one never recorded.
            assert set(refs) == {"DAG28-01", "DAG30-01", "DAG31-01", "TMAG1-01", "CR999"}
            assert {ref for ref, url in refs.items() if url} == linked, (username, listed)
            assert refs["CR999"] is None
