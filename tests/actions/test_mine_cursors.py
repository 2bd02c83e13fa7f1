"""My actions with bad and foreign cursors answers a page, never a 500."""

import base64

import orjson
import pytest

from actions.models import Action
from tests.actions.test_views import _bulk_actions, login
from tests.fixtures import build_seedlike


def _c(payload) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


BAD = [
    "x",
    "%%%",
    "last ",
    "LAST",
    "\u00e9",
    _c({"o": "due_date", "v": ["not-a-date", "a", 1]}),
    _c({"o": "due_date", "v": ["2026-13-40", "a", 1]}),
    _c({"o": "due_date", "v": ["2026-01-01", "a", "x"]}),
    _c({"o": "due_date", "v": ["2026-01-01", "a", 2**62]}),
    _c({"o": "due_date", "v": ["0001-01-01", "", -(2**62)], "r": 1}),
    _c({"o": "due_date", "v": ["9999-12-31", "\uffff", 2**62]}),
    _c({"o": "ref", "v": ["a", 1]}),
    _c({"o": "due_date", "v": [[1], "a", 1]}),
    _c([1, 2, 3]),
]


@pytest.mark.parametrize("cursor", BAD)
def test_bad_cursor(client, db, cursor):
    build_seedlike()
    login(client, "chair")
    for tab in ("", "organisation"):
        response = client.get("/actions/mine/", {"cursor": cursor, "tab": tab})
        assert response.status_code == 200


def test_cursor_after_actions_closed(client, db):
    seed = build_seedlike()
    _bulk_actions(seed.dag028, 120)
    user = login(client, "chair")
    html = client.get("/actions/mine/").content.decode()
    import re
    from html import unescape

    nxt = "/actions/mine/" + unescape(re.search(r'href="(\?[^"]*)" rel="next"', html)[1])
    Action.objects.owned_by(user).open().update(status="closed", closed_date="2026-01-01")
    response = client.get(nxt)
    assert response.status_code == 200
    reg = client.get("/actions/", {"sort": "due_date"}).content.decode()
    m = re.search(r'href="(\?[^"]*)" rel="next"', reg)
    if m:
        assert client.get("/actions/mine/" + unescape(m[1])).status_code == 200
