"""The action register, "my actions", the action page, progress updates and closure.

Known values from the seed report: DAG28-01 is owned by Programme (Rob Short) and DAG28-02 by
Large Supplier Representative (Haz Elmamoun), both due 11/10/2023; the next DAG (DAG029) is on
11 October 2023. Dates that matter are frozen with time-machine.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.contrib.auth import get_user_model

from actions.models import Action, ActionOwner, ActionUpdate, action_ref_sort_key
from actions.services import action_create
from core.actors import SYSTEM
from core.list_cache import list_cache_bump
from meetings.models import Meeting, Membership, Organisation, Person
from meetings.services import committee_create, meeting_create
from tests.conftest import london
from tests.fixtures import build_seedlike
from tests.meetings.factories import link_login


@pytest.fixture
def seed(db):
    return build_seedlike()


def login(client, username: str):
    assert client.login(username=username, password=f"{username}-demo")
    return get_user_model().objects.get(username=username)


def refs_listed(html: str) -> list[str]:
    """The action refs of the register's rows, in page order."""
    return re.findall(r'<tr id="r-([A-Z]+[0-9._]+-[0-9]+)"', html)


@pytest.fixture
def frozen():
    """Freeze 'today' at a Europe/London date."""

    def travel(year: int, month: int, day: int):
        return time_machine.travel(london(year, month, day, 12), tick=False)

    return travel


def test_register_lists_actions_and_marks_overdue_rows(client, seed, frozen):
    login(client, "observer")
    with frozen(2023, 10, 1):
        html = client.get("/actions/").content.decode()
    assert refs_listed(html) == ["DAG28-01", "DAG28-02"]
    assert 'class="overdue"' not in html
    with frozen(2023, 10, 12):
        html = client.get("/actions/").content.decode()
    assert '<tr id="r-DAG28-01" class="overdue"' in html
    assert "Overdue" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "MPAN"}, ["DAG28-01"]),
        ({"q": "haz elmamoun"}, ["DAG28-02"]),
        ({"q": "dag28-02"}, ["DAG28-02"]),
        ({"committee": "DAG"}, ["DAG28-01", "DAG28-02", "DAG29-01"]),
        ({"meeting": "DAG029"}, ["DAG29-01"]),
        ({"status": "closed"}, ["DAG29-01"]),
        ({"status": "open"}, ["DAG28-01", "DAG28-02"]),
        ({"owner": "rLarge Supplier Representative"}, ["DAG28-02"]),
        ({"due": "overdue"}, ["DAG28-01", "DAG28-02"]),
        ({"sort": "-ref"}, ["DAG29-01", "DAG28-02", "DAG28-01"]),
    ],
)
def test_register_filters(client, seed, frozen, query, expected):
    action_create(
        meeting=seed.dag029,
        description="Programme to publish the IR5 notes",
        owners=["Programme (Berlinda Kugara)"],
        due_date=dt.date(2023, 12, 1),
        status=Action.Status.CLOSED,
        acting_user=SYSTEM,
    )
    login(client, "member")
    with frozen(2023, 10, 20):
        html = client.get("/actions/", query).content.decode()
    assert refs_listed(html) == expected


def test_register_filters_by_owner_organisation_and_person(client, seed):
    login(client, "member")
    programme = Organisation.objects.get(name="Programme")
    rob = Person.objects.get(name="Rob Short", organisation=programme)
    for owner in (f"o{programme.pk}", f"p{rob.pk}"):
        html = client.get("/actions/", {"owner": owner}).content.decode()
        assert refs_listed(html) == ["DAG28-01"]
    options = client.get("/actions/").content.decode()
    assert f'<option value="p{rob.pk}">Rob Short (Programme)</option>' in options


def test_register_due_windows(client, seed, frozen):
    later = action_create(
        meeting=seed.dag028,
        description="Programme to report back after the next DAG",
        owners=["Programme (Rob Short)"],
        due_date=dt.date(2023, 11, 8),
        acting_user=SYSTEM,
    )
    login(client, "member")
    with frozen(2023, 10, 9):
        within_3 = client.get("/actions/", {"due": "within", "days": "3"}).content.decode()
        within_1 = client.get("/actions/", {"due": "within", "days": "1"}).content.decode()
        before_next = client.get("/actions/", {"due": "next"}).content.decode()
        by_due = client.get("/actions/", {"sort": "-due_date"}).content.decode()
    assert refs_listed(within_3) == ["DAG28-01", "DAG28-02"]
    assert refs_listed(within_1) == []
    assert "No action matches these filters" in within_1
    # DAG029 is on 11 October 2023: due on or before it, not DAG28-03 due 8 November.
    assert refs_listed(before_next) == ["DAG28-01", "DAG28-02"]
    assert refs_listed(by_due)[0] == later.ref


@pytest.mark.parametrize("days", ["", "-3"])
def test_a_missing_or_negative_number_of_days_is_an_error_and_the_rest_still_filters(
    client, seed, days
):
    login(client, "member")
    html = client.get("/actions/", {"due": "within", "days": days, "q": "DAG28-02"}).content
    html = html.decode()
    assert 'aria-invalid="true"' in html
    assert ("Give the number of days" if not days else "greater than or equal to 0") in html
    # Not a silent empty register: the search still applies, the due window is set aside.
    assert refs_listed(html) == ["DAG28-02"]
    assert "match the other filters" not in html  # one action: "matches"
    assert "1 action matches the other filters." in html
    assert "The Due and Within (days) filters were ignored" in html


def test_a_bad_filter_value_says_it_was_ignored(client, seed):
    login(client, "member")
    html = client.get("/actions/", {"status": "bogus"}).content.decode()
    assert "Select a valid choice" in html
    assert "2 actions match the other filters." in html
    assert "The Status filter was ignored: its value is not valid." in html
    assert "match the filters." not in html


def test_register_paginates_and_keeps_filters_in_page_links(client, seed):
    for n in range(55):
        action_create(
            meeting=seed.dag029, description=f"Item {n}", owners=["Chair"], acting_user=SYSTEM
        )
    login(client, "member")
    first = client.get("/actions/", {"status": "open"}).content.decode()
    assert len(refs_listed(first)) == 50
    assert "57 in all" in first
    next_href = unescape(re.search(r'href="(\?[^"]*)" rel="next"', first)[1])
    assert next_href.startswith("?status=open&cursor=")
    second = client.get(f"/actions/{next_href}").content.decode()
    assert refs_listed(second) == [
        "DAG29-49",
        "DAG29-50",
        "DAG29-51",
        "DAG29-52",
        "DAG29-53",
        "DAG29-54",
        "DAG29-55",
    ]


def _bulk_actions(meeting, count: int) -> None:
    """``count`` actions on ``meeting`` with two owners each, written in bulk (fast)."""
    meeting.refresh_from_db()
    start = meeting.last_action_seq
    organisations = [Organisation.objects.get_or_create(name=f"Org {n}")[0] for n in range(5)]
    people = [
        Person.objects.get_or_create(name=f"Person {n}", organisation=organisations[n % 5])[0]
        for n in range(20)
    ]
    actions = Action.objects.bulk_create(
        Action(
            committee=meeting.committee,
            meeting=meeting,
            seq=start + n + 1,
            ref=f"DAG{meeting.number}-{start + n + 1:02d}",
            ref_sort=action_ref_sort_key("DAG", meeting.number, 0, start + n + 1),
            description=f"Bulk action {n}",
            due_date=dt.date(2023, 9, 1) + dt.timedelta(days=n % 90),
        )
        for n in range(count)
    )
    ActionOwner.objects.bulk_create(
        owner
        for n, action in enumerate(actions)
        for owner in (
            ActionOwner(
                action=action,
                organisation=people[n % 20].organisation,
                person=people[n % 20],
                is_lead=True,
            ),
            ActionOwner(action=action, role="Chair", is_lead=False, order=1),
        )
    )
    meeting.last_action_seq = start + count
    meeting.save(update_fields=["last_action_seq"])
    list_cache_bump()  # bulk_create sends no post_save (actions.register_cache)


# The register's queries: session, the user with their roles and person (core.auth, one),
# the meeting choices, the page, its owners' names, and the header's unread notifications
# (the bell, one count); the other choices and the unfiltered total come from the cache
# (actions.register_cache), which a write refills with two more; a filter's count is one.
REGISTER_QUERIES = 6


def _next_href(page_html: str) -> str:
    return "/actions/" + unescape(re.search(r'href="(\?[^"]*)" rel="next"', page_html)[1])


def test_register_of_500_actions_costs_a_fixed_number_of_queries(
    client, seed, django_assert_num_queries
):
    login(client, "member")
    client.get("/actions/")  # warm the session and the cache
    with django_assert_num_queries(REGISTER_QUERIES):
        client.get("/actions/")
    _bulk_actions(seed.dag028, 500)
    assert Action.objects.count() == 502
    # The write replaced the cache: the choices (the roles named, then one query) and the
    # total are read again, once.
    with django_assert_num_queries(REGISTER_QUERIES + 3):
        client.get("/actions/")
    with django_assert_num_queries(REGISTER_QUERIES):
        html = client.get("/actions/").content.decode()
    assert "502 actions" in html
    assert len(refs_listed(html)) == 50
    filtered = {"q": "bulk", "owner": "rChair", "due": "overdue", "sort": "due_date"}
    with django_assert_num_queries(REGISTER_QUERIES + 1):
        html = client.get("/actions/", filtered).content.decode()
    assert "500 actions match" in html
    for _ in range(2):
        with django_assert_num_queries(REGISTER_QUERIES + 1):
            html = client.get(_next_href(html)).content.decode()
    # Bulk action n (DAG28-<n + 3>) is due n % 90 days after 1 September 2023: six a day for
    # the first 50 days. Rows 101-102 are the last two of day 16 (n 376, 466), then day 17,
    # each day's in ref order (DAG28-20 after DAG28-469: by number, not as text).
    assert refs_listed(html)[:4] == ["DAG28-379", "DAG28-469", "DAG28-20", "DAG28-110"]


def test_my_actions_shows_own_and_organisation_actions_due_by_next_meeting(client, seed):
    action_create(
        meeting=seed.dag028,
        description="Programme to follow up in November",
        owners=["Programme (Fraser Mathieson)"],
        due_date=dt.date(2023, 11, 8),
        acting_user=SYSTEM,
    )
    login(client, "member")
    html = client.get("/actions/mine/").content.decode()
    assert "Rob Short" in html
    due_next, _later = html.split('id="later-h"')
    assert "DAG28-01" in due_next  # Rob Short's own, due 11/10/2023 = DAG029's date
    # Programme's (Fraser Mathieson's) is in the organisation's tab, not among Rob's own
    # (issue #13: "My actions" is mine, the same set as the reminder email).
    assert "DAG28-03" not in html
    assert "DAG28-02" not in html  # Large Supplier Representative's
    assert "DAG029" in html
    theirs = client.get("/actions/mine/?tab=organisation").content.decode()
    assert "DAG28-03" in theirs.split('id="later-h"')[1]  # due after DAG029
    assert "DAG28-01" not in theirs


def test_my_actions_include_those_owned_by_a_seat_the_person_holds(client, seed):
    from composer.demo import demo_logins_ensure

    # The seed's DAG28-14 is owned by "Chair"; DAG28-02 by the Large Supplier Representative.
    action_create(
        meeting=seed.dag028,
        seq=14,
        description="Programme to review and address DAG comments on draft ToR and release "
        "updated version to DAG",
        owners=["Chair"],
        due_date=dt.date(2023, 10, 11),
        acting_user=SYSTEM,
    )
    demo_logins_ensure()  # now that DAG exists: the demo chair chairs it, the member sits on it
    login(client, "chair")
    html = client.get("/actions/mine/").content.decode()
    assert "or by your seat: Chair of DAG." in html
    due_next = html.split('id="later-h"')[0]
    assert 'href="/actions/DAG28-14/"' in due_next
    assert "DAG28-02" not in html
    client.logout()
    login(client, "member")
    assert "DAG28-14" not in client.get("/actions/mine/").content.decode()
    # A constituency is a seat too, by the rule of role owners' reminders.

    # Not the seed's Haz Elmamoun (who owns DAG28-02 by name): a namesake at a supplier.
    supplier = Organisation.objects.create(name="Octopus Energy")
    haz = Person.objects.create(name="Haz Elmamoun", organisation=supplier)
    Membership.objects.create(
        committee=seed.committee,
        person=haz,
        role=Membership.Role.MEMBER,
        constituency="Large Supplier Representative",
    )
    from actions.selectors import action_list_for_owner

    user = get_user_model().objects.create_user("haz", password="x")
    link_login(haz, user)
    assert "DAG28-02" not in [a.ref for a in action_list_for_owner(user=user)]  # named: Haz's
    action_create(
        meeting=seed.dag028,
        description="Seat only",
        owners=["Large Supplier Representative"],
        acting_user=SYSTEM,
    )
    assert [a.description for a in action_list_for_owner(user=user)] == ["Seat only"]


def test_observers_have_no_my_actions_tab(client, seed):
    login(client, "observer")
    assert 'href="/actions/mine/"' not in client.get("/actions/").content.decode()
    client.logout()
    login(client, "member")
    assert 'href="/actions/mine/"' in client.get("/actions/").content.decode()


def test_member_posts_an_update_and_proposes_closure_then_pmo_confirms(client, seed):
    member = login(client, "member")
    response = client.post(
        "/actions/DAG28-01/updates/",
        {"text": "Overview given at DRG on 4 October.", "proposes_closure": "on"},
    )
    assert response.status_code == 302
    action = Action.objects.get(ref="DAG28-01")
    assert action.status == Action.Status.PROPOSED_CLOSURE
    update = ActionUpdate.objects.get(action=action)
    assert (update.author, update.proposes_closure) == (member, True)
    page = client.get("/actions/DAG28-01/").content.decode()
    assert "Overview given at DRG on 4 October." in page
    assert "Proposed for closure" in page
    assert client.post("/actions/DAG28-01/close/", {"note": "x"}).status_code == 403
    client.logout()
    login(client, "pmo")
    assert "Confirm closure" in client.get("/actions/DAG28-01/").content.decode()
    closed = client.post("/actions/DAG28-01/close/", {"closed_date": "2023-10-11", "note": "Done"})
    assert closed.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.closed_date, action.closure_note) == (
        "closed",
        dt.date(2023, 10, 11),
        "Done",
    )
    history = client.get("/actions/DAG28-01/").content.decode()
    assert "Proposed for closure → Closed" in history


def test_changes_made_in_the_browser_record_who_made_them(client, seed):
    # No request middleware tells the history who acted: the services record their actor.
    member = login(client, "member")
    client.post("/actions/DAG28-01/updates/", {"text": "Done.", "proposes_closure": "on"})
    client.logout()
    pmo = login(client, "pmo")
    client.post("/actions/DAG28-01/close/", {"closed_date": "2023-10-11"})
    action = Action.objects.get(ref="DAG28-01")
    rows = action.history.order_by("history_date", "history_id")
    assert [(r.status, r.history_user) for r in rows] == [
        (Action.Status.OPEN, None),  # the seed, written by the system
        (Action.Status.PROPOSED_CLOSURE, member),
        (Action.Status.CLOSED, pmo),
    ]


def test_pmo_declines_a_proposed_closure(client, seed):
    login(client, "member")
    client.post("/actions/DAG28-01/updates/", {"text": "Done", "proposes_closure": "on"})
    client.logout()
    login(client, "pmo")
    missing = client.post("/actions/DAG28-01/decline-closure/", {"note": ""})
    assert "This field is required." in missing.content.decode()
    client.post("/actions/DAG28-01/decline-closure/", {"note": "The DRG has not met yet."})
    action = Action.objects.get(ref="DAG28-01")
    assert action.status == Action.Status.OPEN
    assert action.updates.last().text == "Closure declined: The DRG has not met yet."


def test_only_owners_and_the_pmo_post_updates(client, seed):
    login(client, "member")
    # DAG28-02 belongs to the Large Supplier Representative, not to Rob Short or Programme.
    assert client.post("/actions/DAG28-02/updates/", {"text": "Hi"}).status_code == 403
    assert "Post an update" not in client.get("/actions/DAG28-02/").content.decode()
    client.logout()
    login(client, "observer")
    assert client.post("/actions/DAG28-01/updates/", {"text": "Hi"}).status_code == 403
    assert not ActionUpdate.objects.exists()


def test_empty_update_is_refused_with_a_message(client, seed):
    login(client, "member")
    response = client.post("/actions/DAG28-01/updates/", {"text": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ActionUpdate.objects.exists()


def test_action_page_shows_where_raised_and_discussed(client, seed):
    login(client, "observer")
    html = client.get("/actions/DAG28-02/").content.decode()
    assert "Large Supplier Representative (Haz Elmamoun)" in html
    assert "Raised under “<bdi>Minutes and Actions</bdi>”, 13 September 2023" in html
    assert 'href="/meetings/DAG028/#discussion-' in html  # the discussion naming it
    assert "Recorded" in html  # history
    assert "Edit action" not in html


def test_pmo_reopens_a_closed_action_and_members_cannot(client, seed):
    login(client, "pmo")
    client.post("/actions/DAG28-01/close/", {"closed_date": "2023-10-11"})
    client.logout()
    login(client, "member")
    assert client.post("/actions/DAG28-01/reopen/").status_code == 403
    client.logout()
    login(client, "pmo")
    # Reopening asks why: without a reason nothing changes.
    no_reason = client.post("/actions/DAG28-01/reopen/")
    assert no_reason.status_code == 200
    assert "This field is required." in no_reason.content.decode()
    assert Action.objects.get(ref="DAG28-01").status == Action.Status.CLOSED
    reason = {"reason": "The DRG asked for a second overview"}
    assert client.post("/actions/DAG28-01/reopen/", reason).status_code == 302
    action = Action.objects.get(ref="DAG28-01")
    assert action.status == Action.Status.OPEN
    assert action.updates.get().text == "Reopened: The DRG asked for a second overview"
    # A second reopen (another PMO's tab) says so and changes nothing.
    page = client.post("/actions/DAG28-01/reopen/", reason, follow=True)
    assert "DAG28-01 is open, not closed." in page.content.decode()
    assert Action.objects.get(ref="DAG28-01").history.count() == 3  # created, closed, reopened


def test_my_actions_and_the_action_page_cost_a_fixed_number_of_queries(
    client, seed, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, "member")
    client.post("/actions/DAG28-01/updates/", {"text": "First"})
    client.get("/actions/mine/")  # warm the session
    counts = {}
    for url in ("/actions/mine/", "/actions/DAG28-01/"):
        with CaptureQueriesContext(connection) as before:
            client.get(url)
        counts[url] = len(before)
    _bulk_actions(seed.dag028, 40)
    Action.objects.filter(description__startswith="Bulk").update(due_date=None)
    ActionOwner.objects.filter(action__description__startswith="Bulk", is_lead=True).update(
        organisation=Organisation.objects.get(name="Programme")
    )
    for n in range(5):
        client.post("/actions/DAG28-01/updates/", {"text": f"Update {n}"})
    for url, count in counts.items():
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
    # Session, the user with their roles, person and organisation (core.auth, one), their
    # memberships, the actions, their owners' names, the next meetings, the impact
    # assessments awaiting their organisation, and the header's unread notifications.
    assert counts["/actions/mine/"] == 8
    # The bulk actions are Programme's (the organisation named alone): Rob's organisation's
    # tab lists them, in the same number of queries; his own tab does not.
    with django_assert_num_queries(counts["/actions/mine/"]):
        theirs = client.get("/actions/mine/?tab=organisation").content.decode()
    assert theirs.count("Bulk action") == 40
    assert "Post an update" not in theirs  # to follow, not to update
    html = client.get("/actions/mine/").content.decode()
    assert "Bulk action" not in html
    # Each item's progress form has its own ids (the form is rendered once for all).
    assert 'id="u-r-DAG28-01-text"' in html
    assert html.count('id="u-r-DAG28-01-text"') == 1


def test_ref_order_is_by_committee_meeting_and_number_not_text(client, seed):
    """The register's ref order (``ref_sort``): committees by code, then meeting number,
    extraordinary meetings after theirs, then action number: DAG28-100 after DAG28-02 and
    DAG100 after DAG29, where text order puts them first."""
    ab = meeting_create(
        committee=committee_create(code="AB", name="A Board", acting_user=SYSTEM),
        start_at=london(2023, 9, 1),
        acting_user=SYSTEM,
    )
    dag028_1 = meeting_create(
        committee=seed.committee,
        number=28,
        sub_number=1,
        start_at=london(2023, 9, 20),
        acting_user=SYSTEM,
    )
    dag100 = meeting_create(
        committee=seed.committee, number=100, start_at=london(2027, 1, 6), acting_user=SYSTEM
    )
    for meeting, seq in ((dag100, 1), (seed.dag028, 100), (dag028_1, 1), (ab, 1)):
        action_create(
            meeting=meeting, seq=seq, description="Sort me", owners=["Chair"], acting_user=SYSTEM
        )
    login(client, "member")
    expected = ["AB1-01", "DAG28-01", "DAG28-02", "DAG28-100", "DAG28.1-01", "DAG100-01"]
    assert refs_listed(client.get("/actions/").content.decode()) == [
        ref.replace(".", "_") for ref in expected
    ]
    newest_first = client.get("/actions/", {"sort": "-ref"}).content.decode()
    assert refs_listed(newest_first) == [ref.replace(".", "_") for ref in reversed(expected)]
    assert action_ref_sort_key("DAG", 28, 1, 100) == "DAG-0028.01-0100"


def test_register_filter_choices(client, seed):
    """Committees: all of them. Meetings: those the user may see at which an action was
    raised, newest first. Owners: grouped, the chosen one selected."""
    dag027 = meeting_create(
        committee=seed.committee,
        number=27,
        start_at=london(2023, 7, 12),
        classification=Meeting.Classification.RESTRICTED,
        acting_user=SYSTEM,
    )
    action_create(
        meeting=dag027, seq=8, description="Restricted", owners=["Chair"], acting_user=SYSTEM
    )
    committee_create(code="PSG", name="Programme Steering Group", acting_user=SYSTEM)
    rob = Person.objects.get(name="Rob Short")
    login(client, "member")
    form = client.get("/actions/", {"owner": f"p{rob.pk}"}).context["form"]
    assert form.fields["committee"].choices == [
        ("", "All committees"),
        ("DAG", "DAG"),
        ("PSG", "PSG"),
    ]
    # DAG029 (planned, no action yet) is not offered.
    assert form.fields["meeting"].choices == [
        ("", "Any meeting"),
        ("DAG028", "DAG028"),
        ("DAG027", "DAG027"),
    ]
    html = str(form["owner"])
    assert f'<option value="p{rob.pk}" selected>Rob Short (Programme)</option>' in html
    assert '<optgroup label="Roles">\n  <option value="rChair">Chair</option>' in html
    client.logout()
    login(client, "observer")
    form = client.get("/actions/").context["form"]
    assert form.fields["meeting"].choices == [("", "Any meeting"), ("DAG028", "DAG028")]
    assert ("rChair", "Chair") not in dict(form.fields["owner"].choices[1:])["Roles"]


def test_the_status_filter_tells_not_closed_from_open(client, seed):
    # "Not closed" and "Open" were both value "open": choosing Open listed the actions
    # proposed for closure too, and the form came back showing "Not closed".
    login(client, "member")
    client.post("/actions/DAG28-01/updates/", {"text": "Done", "proposes_closure": "on"})
    assert Action.objects.get(ref="DAG28-01").status == Action.Status.PROPOSED_CLOSURE
    assert Action.objects.get(ref="DAG28-02").status == Action.Status.OPEN
    login(client, "pmo")
    not_closed = client.get("/actions/?status=open").content.decode()
    open_only = client.get("/actions/?status=open_only").content.decode()
    assert "DAG28-01" in not_closed
    assert "DAG28-02" in not_closed
    assert "DAG28-01" not in open_only
    assert "DAG28-02" in open_only
    assert '<option value="open_only" selected>' in open_only
