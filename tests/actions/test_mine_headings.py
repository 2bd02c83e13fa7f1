"""My actions' section headings say what they count: every open action when the list fits
one page, the page's when it runs to several (the list pages by 50; counting the rest
would be one more query on every view)."""

import re

import pytest

from actions.models import Action
from tests.actions.test_views import _bulk_actions, login
from tests.fixtures import build_seedlike

HEADING = re.compile(r'<h2 id="(?:next|later)-h">[^<]*\((\d+)( on this page)?\)</h2>')


@pytest.fixture
def seed(db):
    return build_seedlike()


def test_headings_count_the_page_and_say_so_when_there_are_several(client, seed):
    _bulk_actions(seed.dag028, 120)
    user = login(client, "chair")
    owned = Action.objects.owned_by(user).open().count()
    assert owned > 50
    html = client.get("/actions/mine/").content.decode()
    headings = HEADING.findall(html)
    assert [suffix for _, suffix in headings] == [" on this page", " on this page"]
    assert sum(int(n) for n, _ in headings) == 50


def test_headings_count_every_open_action_when_one_page_holds_them(client, seed):
    _bulk_actions(seed.dag028, 10)
    user = login(client, "chair")
    owned = Action.objects.owned_by(user).open().count()
    assert 0 < owned <= 50
    html = client.get("/actions/mine/").content.decode()
    headings = HEADING.findall(html)
    assert [suffix for _, suffix in headings] == ["", ""]
    assert sum(int(n) for n, _ in headings) == owned
