"""The meeting pages: login, visibility, the meeting page, recording on it, reviews.

Expected values come from the seed report (DAG028 on 13 September 2023 10:00-13:00, DAG28-01
owned by Programme (Rob Short) due 11/10/2023, DAG029 planned for 11 October 2023 10am).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from actions.models import Action, ActionReview
from actions.services import action_create, action_review_record
from composer import discussion
from core.actors import SYSTEM
from meetings import services
from meetings.models import AgendaItem, DiscussionItem, Meeting
from tests.conftest import london
from tests.fixtures import build_seedlike

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def seed(db):
    return build_seedlike()


def login(client, username: str):
    assert client.login(username=username, password=f"{username}-demo")
    return get_user_model().objects.get(username=username)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/meetings/",
        "/meetings/DAG028/",
        "/meetings/new/",
        "/actions/",
        "/actions/mine/",
        "/actions/DAG28-01/",
        "/decisions/queue/",
        "/decisions/DAG-DEC68/",
        "/change-requests/CR023/",
    ],
)
def test_every_page_needs_a_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_demo_login_signs_in_and_out(client, seed):
    page = client.get("/accounts/login/")
    assert b'autocomplete="current-password"' in page.content
    response = client.post("/accounts/login/", {"username": "member", "password": "member-demo"})
    assert response.status_code == 302
    home = client.get("/")
    assert "Hello Rob Short" in home.content.decode()
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_meeting_page_shows_header_areas_records_and_next_meeting(client, seed):
    login(client, "member")
    html = client.get("/meetings/DAG028/").content.decode()
    assert "13 September 2023, 10:00–13:00" in html
    assert "Virtual – MS Teams" in html
    # Areas in agenda order with their records.
    assert html.index("Minutes and Actions") < html.index("CR023 Decision")
    assert 'href="/actions/DAG28-01/"' in html
    assert "Programme (Rob Short)" in html
    assert "11/10/2023" in html
    assert 'href="/decisions/DAG-DEC68/"' in html
    # Refs written in the discussion are links to their records; unrecorded ones are text.
    assert '<a class="ref-link" href="/decisions/DAG-DEC68/"' in html
    assert '<a class="ref-link" href="/actions/DAG28-02/"' in html
    assert 'href="/change-requests/CR023/" title="CR023">CR023</a>' in html
    assert "DES196" in html
    assert 'href="/meetings/DES196/' not in html
    # The next meeting and the report's pages.
    assert 'href="/meetings/DAG029/"' in html
    assert "11 October 2023 10:00" in html
    assert 'href="/meetings/DAG028/report/"' in html
    assert 'href="/meetings/DAG028/report.pdf"' in html
    # A member gets no editing controls.
    assert "Add action" not in html
    assert "/actions/DAG28-01/edit/" not in html


def test_meeting_ref_in_any_case_redirects_to_the_canonical_page(client, seed):
    login(client, "member")
    response = client.get("/meetings/dag028/")
    assert response.status_code == 302
    assert response["Location"] == "/meetings/DAG028/"
    assert client.get("/meetings/DAG999/").status_code == 404
    assert client.get("/meetings/not-a-ref/").status_code == 404


def test_observers_do_not_see_restricted_or_confidential_meetings(client, seed):
    restricted = services.meeting_create(
        committee=seed.committee,
        start_at=london(2023, 11, 8),
        classification=Meeting.Classification.RESTRICTED,
        acting_user=SYSTEM,
    )
    action = action_create(
        meeting=restricted, description="Secret thing", owners=["Chair"], acting_user=SYSTEM
    )
    login(client, "observer")
    listing = client.get("/meetings/").content.decode()
    assert "DAG028" in listing
    assert restricted.ref not in listing
    assert client.get(f"/meetings/{restricted.ref}/").status_code == 404
    assert client.get(f"/actions/{action.ref}/").status_code == 404
    assert action.ref not in client.get("/actions/").content.decode()
    client.logout()
    login(client, "member")
    assert client.get(f"/meetings/{restricted.ref}/").status_code == 200


def test_pmo_adds_an_action_in_place_and_it_gets_the_next_ref(client, seed):
    login(client, "pmo")
    response = client.post(
        "/meetings/DAG029/actions/new/",
        {
            "_form_id": "form-anew-action",
            "area": "Minutes and Actions",
            "description": "Programme to circulate the DRG outcome",
            "owners": "Programme (Rob Short)",
            "due_date": "2023-11-08",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#agenda"
    html = response.content.decode()
    assert 'id="r-DAG29-01"' in html
    assert "Programme to circulate the DRG outcome" in html
    assert "Action DAG29-01 added." in html  # the message, swapped out of band
    action = Action.objects.get(ref="DAG29-01")
    assert action.meeting == seed.dag029
    assert action.agenda_item.title == "Minutes and Actions"
    assert action.due_date == dt.date(2023, 11, 8)
    assert action.owner_display() == "Programme (Rob Short)"


def test_pmo_adds_an_action_without_javascript(client, seed):
    login(client, "pmo")
    response = client.post(
        "/meetings/DAG029/actions/new/",
        {"description": "Chair to confirm the date", "owners": "Chair", "due_date": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == "/meetings/DAG029/#r-DAG29-01"
    assert Action.objects.get(ref="DAG29-01").agenda_item is None


def test_an_invalid_action_comes_back_with_errors_and_no_ref_is_used(client, seed):
    login(client, "pmo")
    response = client.post(
        "/meetings/DAG029/actions/new/",
        {"_form_id": "form-anew-action", "description": "", "owners": "((bad"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#form-anew-action"
    html = response.content.decode()
    assert 'id="form-anew-action"' in html
    assert html.count('aria-invalid="true"') == 2
    assert "is not an owner" in html
    assert not Action.objects.filter(meeting=seed.dag029).exists()
    seed.dag029.refresh_from_db()
    assert seed.dag029.last_action_seq == 0


def test_members_and_chairs_cannot_record_on_a_meeting(client, seed):
    for username in ("member", "chair", "observer"):
        login(client, username)
        for url in (
            "/meetings/DAG029/actions/new/",
            "/meetings/DAG029/decisions/new/",
            "/meetings/DAG029/discussion/new/",
            "/meetings/DAG029/areas/new/",
            "/meetings/DAG029/edit/",
            "/meetings/new/",
        ):
            data = {"description": "x", "owners": "Chair", "text": "x", "title": "x"}
            assert client.post(url, data).status_code == 403, (username, url)
        client.logout()
    assert not Action.objects.filter(meeting=seed.dag029).exists()


def test_pmo_adds_area_decision_and_discussion_that_links_the_new_decision(client, seed):
    login(client, "pmo")
    area = client.post(
        "/meetings/DAG029/areas/new/", {"title": "CR023 Decision", "change_request": "CR023"}
    )
    assert area.status_code == 302
    item = AgendaItem.objects.get(meeting=seed.dag029, title="CR023 Decision")
    assert item.change_request == seed.cr023
    decision = client.post(
        "/meetings/DAG029/decisions/new/",
        {
            "_form_id": f"form-a{item.pk}-decision",
            "area": "CR023 Decision",
            "text": "The SRO approved the CR023 workshop dates",
            "change_request": "CR023",
        },
        **HTMX,
    )
    assert 'id="r-DAG-DEC69"' in decision.content.decode()  # continues after DAG-DEC68
    discussion = client.post(
        "/meetings/DAG029/discussion/new/",
        {"area": "CR023 Decision", "text": "Agreed (<b>DECISION DAG-DEC69</b>)."},
        **HTMX,
    )
    html = discussion.content.decode()
    assert '<b>DECISION <a class="ref-link" href="/decisions/DAG-DEC69/"' in html
    # The decision page lists where it was discussed.
    page = client.get("/decisions/DAG-DEC69/").content.decode()
    assert "Agreed (" in page


def test_unknown_change_request_is_a_field_error(client, seed):
    login(client, "pmo")
    response = client.post(
        "/meetings/DAG029/areas/new/", {"title": "CR099 Decision", "change_request": "CR099"}
    )
    assert response.status_code == 200
    assert "CR099 is not recorded yet" in response.content.decode()
    assert not AgendaItem.objects.filter(title="CR099 Decision").exists()


def test_pmo_edits_an_action_in_place(client, seed):
    login(client, "pmo")
    form = client.get("/actions/DAG28-01/edit/?return_to=meeting", **HTMX)
    html = form.content.decode()
    assert html.lstrip().startswith('<tr id="r-DAG28-01"')
    assert "Programme (Rob Short)" in html
    saved = client.post(
        "/actions/DAG28-01/edit/",
        {
            "return_to": "meeting",
            "area": "Minutes and Actions",
            "description": seed.dag28_01.description,
            "owners": "Programme (Rob Short)\nChair",
            "due_date": "2023-10-25",
        },
        follow=True,
        **HTMX,
    )
    assert saved["HX-Retarget"] == "#agenda"
    action = Action.objects.get(ref="DAG28-01")
    assert action.due_date == dt.date(2023, 10, 25)
    assert action.owner_display() == "Programme (Rob Short); Chair"


def test_discussion_item_edit_and_delete_with_confirmation(client, seed):
    login(client, "pmo")
    item = DiscussionItem.objects.get(meeting=seed.dag028)
    url = f"/meetings/DAG028/discussion/{item.pk}/"
    edited = client.post(url + "edit/", {"area": "CR023 Decision", "text": "See CR023."})
    assert edited.status_code == 302
    item.refresh_from_db()
    assert item.text == "See CR023."
    assert list(item.references.values_list("ref", flat=True)) == ["CR023"]
    confirm = client.get(url + "delete/")
    assert "Delete this discussion item?" in confirm.content.decode()
    assert DiscussionItem.objects.filter(pk=item.pk).exists()  # a GET deletes nothing
    assert client.post(url + "delete/").status_code == 302
    assert not DiscussionItem.objects.filter(pk=item.pk).exists()


def test_pmo_creates_and_edits_a_meeting(client, seed):
    login(client, "pmo")
    created = client.post(
        "/meetings/new/",
        {
            "committee": seed.committee.pk,
            "date": "2023-11-08",
            "start_time": "10:00",
            "end_time": "13:00",
            "venue": "Virtual – MS Teams",
            "classification": "public",
            "status": "planned",
        },
    )
    assert created.status_code == 302
    assert created["Location"] == "/meetings/DAG030/"
    meeting = Meeting.objects.get(ref="DAG030")
    assert meeting.start_at == london(2023, 11, 8, 10)
    bad = client.post(
        "/meetings/DAG030/edit/",
        {
            "date": "2023-11-08",
            "start_time": "10:00",
            "end_time": "09:00",
            "classification": "public",
            "status": "planned",
        },
    )
    assert "The meeting must end after it starts." in bad.content.decode()
    moved = client.post(
        "/meetings/DAG030/edit/",
        {
            "date": "2023-11-15",
            "start_time": "14:00",
            "classification": "restricted",
            "status": "planned",
            "venue": "London",
        },
    )
    assert moved.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.start_at, meeting.classification) == (london(2023, 11, 15, 14), "restricted")


def test_pmo_takes_up_earlier_actions_at_the_next_meeting(client, seed):
    login(client, "pmo")
    page = client.get("/meetings/DAG029/reviews/").content.decode()
    assert "DAG28-01" in page
    assert "DAG28-02" in page
    closed = client.post(
        "/meetings/DAG029/reviews/",
        {"action": "DAG28-01", "DAG28-01-outcome": "closed", "DAG28-01-note": "Presented"},
    )
    assert closed.status_code == 302
    redated_bad = client.post(
        "/meetings/DAG029/reviews/", {"action": "DAG28-02", "DAG28-02-outcome": "re_dated"}
    )
    assert "A re-dated action needs its new due date." in redated_bad.content.decode()
    client.post(
        "/meetings/DAG029/reviews/",
        {
            "action": "DAG28-02",
            "DAG28-02-outcome": "re_dated",
            "DAG28-02-new_due_date": "2023-11-08",
        },
    )
    action_01 = Action.objects.get(ref="DAG28-01")
    assert (action_01.status, action_01.closed_date) == ("closed", dt.date(2023, 10, 11))
    assert Action.objects.get(ref="DAG28-02").due_date == dt.date(2023, 11, 8)
    assert ActionReview.objects.filter(meeting=seed.dag029).count() == 2
    meeting_page = client.get("/meetings/DAG029/").content.decode()
    assert "Previous meeting(s)" in meeting_page
    assert "New due date 08/11/2023" in meeting_page
    client.logout()
    login(client, "member")
    refused = client.post(
        "/meetings/DAG029/reviews/", {"action": "DAG28-02", "DAG28-02-outcome": "closed"}
    )
    assert refused.status_code == 403


def _add_actions(meeting: Meeting, count: int, start: int) -> None:
    area = services.agenda_item_get_or_create(
        meeting=meeting, title=f"Area {start}", acting_user=SYSTEM
    )
    for n in range(count):
        action_create(
            meeting=meeting,
            agenda_item=area,
            description=f"Action {start + n}",
            owners=[f"Organisation {n % 3} (Person {n})", "Chair"],
            due_date=dt.date(2023, 10, 11),
            acting_user=SYSTEM,
        )
        discussion.discussion_item_create(
            meeting=meeting,
            agenda_item=area,
            text=f"See DAG28-0{1 + n % 2} and CR023.",
            acting_user=SYSTEM,
        )


# The meeting page's queries: session, the user with their roles and person (core.auth,
# one query; the person for the navigation's "My actions"), then the page's own four: the
# meeting with its agenda items, decisions, report versions and later meetings; the actions
# with their owners; the reviews of earlier actions with theirs; the ids of the discussion
# items and of those mentioning the meeting, then those items with their refs; and the
# header's unread notifications (the bell, one count).
MEETING_PAGE_QUERIES = 8


@pytest.mark.parametrize("username", ["pmo", "member", "observer"])
def test_meeting_page_costs_a_fixed_number_of_queries(
    client, seed, username, django_assert_num_queries
):
    from tests.meetings.factories import HeadlineReportFactory

    login(client, username)
    client.get("/meetings/DAG028/")  # warm the session
    _add_actions(seed.dag028, 3, 100)
    with django_assert_num_queries(MEETING_PAGE_QUERIES):
        assert client.get("/meetings/DAG028/").status_code == 200
    # More of everything the page lists: actions due by a meeting, report versions, reviews
    # of earlier actions, mentions by another meeting.
    _add_actions(seed.dag028, 30, 200)
    Action.objects.filter(meeting=seed.dag028).update(due_meeting=seed.dag029)
    HeadlineReportFactory(meeting=seed.dag028, version=1, requested_by=seed_user("pmo"))
    HeadlineReportFactory(meeting=seed.dag028, version=2)
    discussion.discussion_item_create(
        meeting=seed.dag029, text="Actions from DAG 28 were kept.", acting_user=SYSTEM
    )
    with django_assert_num_queries(MEETING_PAGE_QUERIES):
        html = client.get("/meetings/DAG028/").content.decode()
    assert html.count("by DAG029</span>") == 35
    assert 'href="/meetings/DAG029/#discussion-' in html
    for action in Action.objects.filter(meeting=seed.dag028):
        action_review_record(
            action=action, meeting=seed.dag029, note=f"Taken up {action.ref}", acting_user=SYSTEM
        )
    with django_assert_num_queries(MEETING_PAGE_QUERIES):
        html = client.get("/meetings/DAG029/").content.decode()
    assert "Taken up DAG28-35" in html
    assert html.count("Organisation 2 (Person 29); Chair") == 1


def seed_user(username: str):
    return get_user_model().objects.get(username=username)


def test_meeting_page_rows_show_due_meeting_overdue_closure_and_escape_text(client, seed):
    action_create(
        meeting=seed.dag028,
        description="Check <script>alert(1)</script> & report",
        owners=["Chair"],
        due_date=dt.date(2023, 10, 11),
        acting_user=SYSTEM,
    )
    Action.objects.filter(ref="DAG28-02").update(
        due_meeting=seed.dag029, status=Action.Status.CLOSED, closed_date=dt.date(2023, 10, 1)
    )
    from decisions.models import Decision
    from meetings.models import Person

    Decision.objects.filter(ref="DAG-DEC68").update(
        status=Decision.Status.APPROVED,
        decided_at=london(2023, 9, 13, 12),
        decided_by=Person.objects.get(name="Demo Chair"),
    )
    login(client, "pmo")
    html = client.get("/meetings/DAG028/").content.decode()
    assert (
        '<span class="badge badge-ok">Approved</span> <a class="ref" '
        'href="/change-requests/CR023/">CR023</a> <span class="small muted">Decided 13 Sep 2023 '
        "by Demo Chair</span>"
    ) in html
    # Approved: locked, so no edit on the meeting page (issue #12: re-open it on its page).
    assert "/decisions/DAG-DEC68/edit/" not in html
    # DAG28-01 is open and was due on 11/10/2023: overdue today.
    assert '<tr id="r-DAG28-01" class="overdue">' in html
    assert '<time datetime="2023-10-11">11/10/2023</time>' in html
    assert '<span class="overdue-text small">Overdue</span>' in html
    assert '<tr id="r-DAG28-02" class="">' in html
    assert '<span class="small muted">by DAG029</span>' in html
    assert (
        '<span class="badge badge-muted">Closed</span><br><span class="small muted">01/10/2023'
        in html
    )
    assert "Check &lt;script&gt;alert(1)&lt;/script&gt; &amp; report" in html
    assert "<script>alert(1)" not in html
    assert (
        'href="/actions/DAG28-01/edit/?return_to=meeting" '
        'hx-get="/actions/DAG28-01/edit/?return_to=meeting" hx-target="#r-DAG28-01"'
    ) in html


def test_the_forms_under_an_area_are_fetched_when_opened(client, seed):
    minutes = AgendaItem.objects.get(meeting=seed.dag028, title="Minutes and Actions")
    login(client, "pmo")
    html = client.get("/meetings/DAG028/").content.decode()
    # The page renders no add-record form: each disclosure links its own, meeting-wide or
    # under an area.
    assert 'class="stacked record-form"' not in html
    assert (
        'hx-get="/meetings/DAG028/decisions/new/?form_id=form-anew-decision" '
        'hx-trigger="toggle once"'
    ) in html
    assert '<a href="/meetings/DAG028/decisions/new/">Add a proposed decision to DAG028</a>' in html
    url = (
        "/meetings/DAG028/actions/new/?area=Minutes%20and%20Actions"
        f"&amp;form_id=form-a{minutes.pk}-action"
    )
    assert f'hx-get="{url}" hx-trigger="toggle once"' in html
    assert 'href="/meetings/DAG028/actions/new/?area=Minutes%20and%20Actions">' in html
    fragment = client.get(
        f"/meetings/DAG028/actions/new/?area=Minutes+and+Actions&form_id=form-a{minutes.pk}-action",
        **HTMX,
    ).content.decode()
    assert fragment.lstrip().startswith(f'<form id="form-a{minutes.pk}-action"')
    assert 'hx-post="/meetings/DAG028/actions/new/" hx-target="#agenda"' in fragment
    assert f'id="a{minutes.pk}-action-area"' in fragment
    assert 'value="Minutes and Actions"' in fragment
    assert '<option value="DAG029">DAG029 (11 Oct 2023)</option>' in fragment
    assert "autofocus" in fragment
    # A bad form id falls back to a safe one; members get 403.
    odd = client.get("/meetings/DAG028/decisions/new/?form_id=%22%3E", **HTMX).content.decode()
    assert odd.lstrip().startswith('<form id="form-f-decision"')
    newline = client.get("/meetings/DAG028/decisions/new/?form_id=abc%0A", **HTMX).content
    assert newline.decode().lstrip().startswith('<form id="form-f-decision"')
    client.logout()
    login(client, "member")
    assert client.get("/meetings/DAG028/actions/new/", **HTMX).status_code == 403


def test_meeting_page_of_the_imported_seed_report(
    db, client, seed_path, django_assert_max_num_queries
):
    from composer.demo import demo_logins_ensure
    from composer.importer import headline_report_import_file

    headline_report_import_file(path=seed_path, acting_user=SYSTEM)
    demo_logins_ensure()
    login(client, "pmo")
    with django_assert_max_num_queries(30):
        html = client.get("/meetings/DAG028/").content.decode()
    for ref in ("DAG28-01", "DAG28-15", "DAG-DEC67", "DAG-DEC74", "DAG27-08"):
        assert f'href="/{"decisions" if "DEC" in ref else "actions"}/{ref}/"' in html
    assert '<a class="ref-link" href="/actions/DAG28-07/"' in html
    assert "11 October 2023 10:00" in html
    # The seed was issued on 20/09/2023 outside the tracker: no PDF version is stored yet.
    assert "No version of the headline report has been issued yet." not in html
    assert (
        "The report was issued on 20/09/2023 outside the tracker (imported); no PDF version "
        "is stored here yet." in html
    )
    assert 'href="/meetings/DAG028/report/issue/"' in html


def test_meeting_page_watches_a_report_while_it_renders(client, seed):
    from meetings.models import HeadlineReport
    from tests.meetings.factories import HeadlineReportFactory

    report = HeadlineReportFactory(meeting=seed.dag028, version=1)
    login(client, "pmo")
    page = client.get("/meetings/DAG028/").content.decode()
    assert 'hx-get="/meetings/DAG028/reports/" hx-trigger="every 2s"' in page
    assert "Waiting to render" in page
    assert 'href="/meetings/DAG028/report/issue/"' in page
    report.status = HeadlineReport.Status.FAILED
    report.error = "WeasyPrint could not load a font"
    report.save()
    fragment = client.get("/meetings/DAG028/reports/", **HTMX).content.decode()
    assert fragment.lstrip().startswith('<section class="card" id="reports"')
    assert "hx-trigger" not in fragment  # finished: no more polling
    assert "WeasyPrint could not load a font" in fragment
    assert "Retry rendering v1" in fragment
    assert "/meetings/DAG028/report/v1/retry/" in fragment
    # Opened directly, the fragment URL is the meeting page's report card.
    direct = client.get("/meetings/DAG028/reports/")
    assert direct.status_code == 302
    assert direct["Location"] == "/meetings/DAG028/#reports"


def test_a_meeting_shows_where_other_meetings_mention_it(client, seed):
    discussion.discussion_item_create(
        meeting=seed.dag029, text="Actions from DAG 28 were reviewed.", acting_user=SYSTEM
    )
    login(client, "member")
    html = client.get("/meetings/DAG028/").content.decode()
    assert "Mentioned at" in html
    assert 'href="/meetings/DAG029/#discussion-' in html


# --- wrong methods, discoverability -----------------------------------------------------------


def test_a_get_of_a_post_only_url_is_a_readable_405(client, seed):
    login(client, "pmo")
    response = client.get("/meetings/DAG028/report/v1/retry/")
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    html = response.content.decode()
    assert "<h1>Not a page to open</h1>" in html
    assert "the target of a button or a form" in html
    # The API keeps its own answer; htmx gets the bare one.
    assert client.get("/meetings/DAG028/report/v1/retry/", **HTMX).content == b""


def test_the_user_menu_links_the_api_and_for_staff_the_admin(client, seed):
    login(client, "member")
    html = client.get("/").content.decode()
    assert 'href="/api/token/">API token</a>' in html
    assert 'href="/api/v1/docs/">API docs</a>' in html
    assert 'href="/admin/">Admin</a>' not in html
    client.logout()
    login(client, "pmo")  # the demo PMO is staff
    html = client.get("/").content.decode()
    assert 'href="/admin/">Admin</a>' in html
    assert 'rel="icon" href="/static/favicon.svg"' in html
    admin_page = client.get("/admin/").content.decode()
    assert "Governance tracker administration" in admin_page
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 301
    assert favicon["Location"] == "/static/favicon.svg"


def test_due_by_meeting_lists_later_meetings_or_says_none_is_planned(client, seed):
    login(client, "pmo")
    url = "/meetings/{}/actions/new/?form_id=form-anew-action"
    dag028 = client.get(url.format("DAG028"), **HTMX).content.decode()
    assert '<option value="DAG029">DAG029 (11 Oct 2023)</option>' in dag028
    assert "— none: use the due date —" in dag028
    dag029 = client.get(url.format("DAG029"), **HTMX).content.decode()
    assert "— no later meeting planned —" in dag029
    assert "No later meeting of this committee is recorded yet" in dag029


def test_signing_out_says_so_on_the_login_page(client, seed):
    login(client, "member")
    page = client.post("/accounts/logout/", follow=True).content.decode()
    assert "You have been signed out." in page
    assert 'autocomplete="current-password"' in page


def test_home_says_how_many_more_open_actions_there_are(client, seed):
    for n in range(11):  # with DAG28-01, Rob Short owns 12 open actions
        action_create(
            meeting=seed.dag028,
            description=f"Programme to follow up item {n}",
            owners=["Programme (Rob Short)"],
            due_date=dt.date(2023, 11, 8),
            acting_user=SYSTEM,
        )
    login(client, "member")
    html = client.get("/").content.decode()
    assert '<a href="/actions/mine/">and 2 more</a>' in html
