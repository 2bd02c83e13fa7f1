"""My actions in keyset pages (the register's pager, ``actions.register.action_rows_page``):
a seat that owns hundreds of open actions gets pages of 50 by due date, each read in the
same number of queries, and walking them lists every action once."""

from __future__ import annotations

import re
from html import unescape

import pytest

from actions.models import Action
from tests.actions.test_views import _bulk_actions, login
from tests.fixtures import build_seedlike


@pytest.fixture
def seed(db):
    return build_seedlike()


ITEM = re.compile(r'<li class="card mine-item[^"]*" id="([^"]+)"')


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'href="(\?[^"]*)" rel="{rel}"', html)
    return "/actions/mine/" + unescape(found[1]) if found else None


def test_my_actions_pages_list_every_owned_action_once(client, seed, django_assert_max_num_queries):
    _bulk_actions(seed.dag028, 120)  # owned by "Chair": the DAG chair's
    user = login(client, "chair")
    owned = Action.objects.owned_by(user).open().count()
    assert owned > 100
    html = client.get("/actions/mine/").content.decode()
    assert len(ITEM.findall(html)) == 50
    assert _link(html, "prev") is None
    seen = ITEM.findall(html)
    queries = []
    while (href := _link(html, "next")) is not None:
        with django_assert_max_num_queries(9) as captured:
            html = client.get(href).content.decode()
        queries.append(len(captured))
        seen += ITEM.findall(html)
    assert len(seen) == len(set(seen)) == owned
    assert len(set(queries)) == 1  # the last page costs what the second does
    last = client.get("/actions/mine/?cursor=last").content.decode()
    assert ITEM.findall(last) == seen[-len(ITEM.findall(last)) :]
    back = client.get(_link(last, "prev")).content.decode()
    assert len(ITEM.findall(back)) == 50


def test_my_actions_of_one_page_show_no_pager(client, seed):
    login(client, "member")
    html = client.get("/actions/mine/").content.decode()
    assert 'aria-label="Pages"' not in html
