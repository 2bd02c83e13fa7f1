"""The register's keyset pages, its cached filter choices and total (issue #17).

A data set of about 120 actions with many ties in every sort key (five due dates, undated
ones, three statuses) on the seed's DAG028 and a Restricted DAG027 that the demo observer
(no seat) may not see. Expected values come from plain readings of the same data in
Python, not from the code under test.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model

from actions.models import Action, ActionOwner, action_ref_sort_key
from actions.register import REGISTER_KEYS, ActionRegisterFilters, action_register_page
from actions.register_choices import action_register_choices
from actions.services import action_create
from core.actors import SYSTEM
from core.visibility import meeting_is_visible
from meetings.models import Meeting, Organisation, Person
from meetings.services import meeting_create
from tests.conftest import london
from tests.fixtures import build_seedlike

ROLES = ("pmo", "chair", "member", "observer")
TODAY = dt.date(2023, 10, 1)


def _bulk(meeting: Meeting, count: int, start: int = 0) -> None:
    """``count`` actions on ``meeting`` with ties in every sort key, owners varied."""
    organisations = [Organisation.objects.get_or_create(name=f"Org {n}")[0] for n in range(3)]
    people = [
        Person.objects.get_or_create(name=f"Person {meeting.number}-{n}")[0] for n in range(4)
    ]
    statuses = [Action.Status.OPEN, Action.Status.CLOSED, Action.Status.PROPOSED_CLOSURE]
    actions = Action.objects.bulk_create(
        Action(
            committee=meeting.committee,
            meeting=meeting,
            seq=start + n + 1,
            ref=f"DAG{meeting.number}-{start + n + 1:02d}",
            ref_sort=action_ref_sort_key("DAG", meeting.number, 0, start + n + 1),
            description=f"Tied action {n}",
            due_date=None if n % 7 == 0 else dt.date(2023, 9, 1) + dt.timedelta(days=n % 5),
            status=statuses[n % 3],
            closed_date=dt.date(2023, 9, 30) if statuses[n % 3] == Action.Status.CLOSED else None,
        )
        for n in range(count)
    )
    ActionOwner.objects.bulk_create(
        ActionOwner(
            action=action,
            organisation=organisations[n % 3],
            person=people[n % 4] if n % 2 else None,
            role="" if n % 2 else "Chair",
            is_lead=True,
        )
        for n, action in enumerate(actions)
    )
    meeting.last_action_seq = start + count
    meeting.save(update_fields=["last_action_seq"])  # a signalled write: the cache's version


@pytest.fixture
def tied(db):
    seed = build_seedlike()
    dag027 = meeting_create(
        committee=seed.committee,
        number=27,
        start_at=london(2023, 7, 12),
        classification=Meeting.Classification.RESTRICTED,
        acting_user=SYSTEM,
    )
    _bulk(seed.dag028, 100, start=2)
    _bulk(dag027, 20)
    return seed


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _walk(user, sort: str, *, backwards: bool = False) -> list[str]:
    """Every ref of the register in ``sort``, page by page (Next from the first page, or
    Previous from the last)."""
    filters = ActionRegisterFilters(sort=sort)
    page = action_register_page(user=user, filters=filters, today=TODAY, from_end=backwards)
    pages = [[row.ref for row in page.rows]]
    cursor = page.previous_cursor if backwards else page.next_cursor
    while cursor:
        page = action_register_page(user=user, filters=filters, today=TODAY, cursor=cursor)
        pages.append([row.ref for row in page.rows])
        cursor = page.previous_cursor if backwards else page.next_cursor
        assert len(pages) < 10
    if backwards:
        pages.reverse()
    return [ref for refs in pages for ref in refs]


def _expected(user, sort: str) -> list[str]:
    """The register in ``sort`` read in Python: undated last going up, ties by ref order
    then id, every column reversed for ``-``."""
    undated = dt.date.max
    key_of = {
        "ref": lambda a: (a.ref_sort, a.pk),
        "due_date": lambda a: (a.due_date or undated, a.ref_sort, a.pk),
        "status": lambda a: (a.status, a.due_date or undated, a.ref_sort, a.pk),
    }
    visible = list(Action.objects.visible_to(user))
    ordered = sorted(visible, key=key_of[sort.lstrip("-")], reverse=sort.startswith("-"))
    return [a.ref for a in ordered]


@pytest.mark.parametrize("sort", sorted(REGISTER_KEYS))
def test_walking_the_pages_returns_every_row_once_in_order(tied, sort):
    pmo, observer = _user("pmo"), _user("observer")
    assert Action.objects.count() == 122
    expected = _expected(pmo, sort)
    assert len(expected) == 122
    assert _walk(pmo, sort) == expected
    assert _walk(pmo, sort, backwards=True) == expected
    # The observer sees DAG028's only (DAG027 is Restricted): fewer pages, the same rule.
    seen = _expected(observer, sort)
    assert len(seen) == 102
    assert _walk(observer, sort) == seen


def _next_href(html: str, rel: str = "next") -> str:
    return "/actions/" + unescape(re.search(rf'href="(\?[^"]*)" rel="{rel}"', html)[1])


def _refs(html: str) -> list[str]:
    return re.findall(r'<tr id="r-([A-Z]+[0-9._]+-[0-9]+)"', html)


@pytest.mark.parametrize("username", ROLES)
def test_first_and_deep_pages_cost_the_same_queries_for_each_role(
    client, tied, username, django_assert_num_queries
):
    assert client.login(username=username, password=f"{username}-demo")
    client.get("/actions/?sort=due_date")  # the session, and the cache filled
    # Session, user (core.auth), meeting choices, the page, its owners, the bell; the
    # other choices and the total come from the cache.
    with django_assert_num_queries(6):
        first = client.get("/actions/?sort=due_date").content.decode()
    assert "First</a>" not in first
    with django_assert_num_queries(6):
        second = client.get(_next_href(first)).content.decode()
    with django_assert_num_queries(6):
        last = client.get("/actions/?sort=due_date&cursor=last").content.decode()
    assert 'rel="next"' not in last
    assert "First</a>" in last
    with django_assert_num_queries(6):
        before_last = client.get(_next_href(last, "prev")).content.decode()
    refs = _refs(first) + _refs(second)
    assert len(set(refs)) == len(refs) == 100
    assert _refs(before_last)[-1] != _refs(last)[0]


def test_a_numbered_page_bookmark_is_redirected_and_a_bad_cursor_shows_the_first_page(client, tied):
    assert client.login(username="member", password="member-demo")
    response = client.get("/actions/?status=open&page=40")
    assert response.status_code == 302
    assert response["Location"] == "/actions/?status=open"
    assert client.get("/actions/?page=2")["Location"] == "/actions/"
    first = client.get("/actions/").content.decode()
    for cursor in ("garbage", "eyJvIjoicmVmIiwidiI6WzFdfQ", "last"):
        html = client.get("/actions/", {"cursor": cursor}).content.decode()
        assert len(_refs(html)) == 50
    assert _refs(client.get("/actions/", {"cursor": "garbage"}).content.decode()) == _refs(first)
    # A sort link drops the page's cursor (another sort's cursor is no position in it).
    page_two = client.get(_next_href(first)).content.decode()
    assert 'href="?sort=-ref"' in page_two


def _plain_choices(user) -> dict:
    """The filter choices read in Python: the owners of every action of a meeting ``user``
    may see (meeting_is_visible, the rule for one meeting), the meetings with an action."""
    actions = [
        a for a in Action.objects.select_related("meeting") if meeting_is_visible(user, a.meeting)
    ]
    shown = {a.pk for a in actions}
    owners = [
        o
        for o in ActionOwner.objects.select_related("person__organisation")
        if o.action_id in shown
    ]
    meetings = sorted({a.meeting for a in actions}, key=lambda m: (-m.number, -(m.sub_number or 0)))
    return {
        "meetings": [m.ref for m in meetings],
        "Organisations": sorted(
            {(f"o{o.organisation_id}", o.organisation.name) for o in owners if o.organisation},
            key=lambda c: (c[1].casefold(), c[0]),
        ),
        "Roles": sorted({(f"r{o.role}", o.role) for o in owners if o.role}),
        "People and teams": sorted(
            {
                (
                    f"p{o.person_id}",
                    f"{o.person.name} ({o.person.organisation.name})"
                    if o.person.organisation
                    else o.person.name,
                )
                for o in owners
                if o.person
            },
            key=lambda c: c[1].casefold(),
        ),
    }


@pytest.mark.parametrize("username", ROLES)
def test_filter_choices_are_the_plain_reading_for_each_role(tied, username):
    user = _user(username)
    expected = _plain_choices(user)
    for _ in range(2):  # computed, then from the cache
        choices = action_register_choices(user=user)
        assert choices.committees == ["DAG"]
        assert choices.meetings == expected["meetings"]
        for group in ("Organisations", "Roles", "People and teams"):
            assert choices.owners[group] == expected[group], group
    if username == "observer":
        assert choices.meetings == ["DAG028"]
        assert not [c for c in choices.owners["People and teams"] if "Person 27-" in c[1]]
    else:
        assert choices.meetings == ["DAG028", "DAG027"]


def test_a_write_replaces_the_cached_choices_and_total(client, tied):
    member = _user("member")
    before = action_register_choices(user=member)
    assert "Newcomer" not in str(before.owners)
    assert client.login(username="member", password="member-demo")
    assert "122 actions" in client.get("/actions/").content.decode()
    action_create(
        meeting=tied.dag028,
        description="Someone new",
        owners=["Newcomers Ltd (Nia Newcomer)"],
        acting_user=SYSTEM,
    )
    after = action_register_choices(user=member)
    assert ("Newcomers Ltd",) in [c[1:] for c in after.owners["Organisations"]]
    assert any(
        label == "Nia Newcomer (Newcomers Ltd)" for _, label in after.owners["People and teams"]
    )
    assert "123 actions" in client.get("/actions/").content.decode()
    # An update of an action changes neither: the cache stays.
    Person.objects.filter(name="Nia Newcomer").update(name="Nia Renamed")  # no signal
    action = Action.objects.get(description="Someone new")
    action.description = "Someone new, reworded"
    action.save()
    assert action_register_choices(user=member) == after
    # A rename through save() is a signalled write: the new name shows.
    nia = Person.objects.get(name="Nia Renamed")
    nia.save()
    renamed = action_register_choices(user=member).owners["People and teams"]
    assert any(label.startswith("Nia Renamed") for _, label in renamed)


def test_a_filters_count_stops_at_the_cap(client, tied, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr("actions.register_cache.COUNT_CAP", 10)
    assert client.login(username="pmo", password="pmo-demo")
    html = client.get("/actions/", {"status": "open"}).content.decode()  # 82, two pages
    assert "More than 10 actions match the filters." in html
    assert "more than 10 in all" in html
    narrow = client.get("/actions/", {"status": "closed", "meeting": "DAG027"}).content.decode()
    assert "7 actions match the filters." in narrow  # n % 3 == 1 of 20: 1, 4, …, 19
    assert "122 actions." in client.get("/actions/").content.decode()  # the total: no cap
