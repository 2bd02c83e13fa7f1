"""What an adversarial user tried against the meeting pages and services, and the clear
error each now gets instead of a 500 or a record no URL can reach.

Records are the seed's (DAG028 held 13 September 2023, DAG029 planned 11 October 2023).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from actions.services import action_create
from composer import discussion
from core.actors import SYSTEM
from meetings import services
from meetings.models import Committee, HeadlineReport, Meeting, Person
from tests.conftest import london
from tests.fixtures import build_seedlike, run_concurrently


@pytest.fixture
def seed(db):
    return build_seedlike()


def login(client, username: str):
    assert client.login(username=username, password=f"{username}-demo")
    return get_user_model().objects.get(username=username)


def meeting_form(number: str) -> dict[str, str]:
    return {
        "committee": str(Committee.objects.get(code="DAG").pk),
        "number": number,
        "date": "2023-11-08",
        "start_time": "10:00",
        "classification": "public",
        "status": "planned",
    }


@pytest.mark.parametrize("number", ["10000", str(2**31), str(2**63), "9" * 30])
def test_a_meeting_number_no_ref_can_name_is_a_form_error(client, seed, number):
    # DAG10000 would be unreachable (refs are DAG + up to 4 digits); 2**31 and beyond
    # overflowed the column: a 500 on PostgreSQL (and on SQLite past 2**63).
    login(client, "pmo")
    response = client.post("/meetings/new/", meeting_form(number))
    assert response.status_code == 200
    assert response.context["form"].errors["number"]
    assert Meeting.objects.count() == 2
    assert Committee.objects.get(code="DAG").last_meeting_number == 29
    assert client.post("/meetings/new/", meeting_form("")).url == "/meetings/DAG030/"


@pytest.mark.parametrize(("number", "sub_number"), [(10000, 0), (2**63, 0), (28, 100)])
def test_meeting_create_refuses_numbers_beyond_the_ref_grammar(seed, number, sub_number):
    with pytest.raises(ValidationError) as caught:
        services.meeting_create(
            committee=seed.committee,
            number=number,
            sub_number=sub_number,
            start_at=london(2023, 11, 8),
            acting_user=SYSTEM,
        )
    assert set(caught.value.message_dict) == {"sub_number" if sub_number else "number"}
    assert Committee.objects.get(code="DAG").last_meeting_number == 29


@pytest.mark.parametrize(
    "owners",
    ["Programme (" + "R" * 201 + ")", "P" * 201 + " (Rob Short)"],
    ids=["person", "organisation"],
)
def test_an_owner_name_longer_than_its_column_is_an_error_on_owners(client, seed, owners):
    # PostgreSQL refused the insert (a 500); SQLite stored the overlong name.
    login(client, "pmo")
    response = client.post(
        "/actions/DAG28-01/edit/",
        {"description": "d", "owners": owners, "due_date": "2023-10-11"},
    )
    assert response.status_code == 200
    assert "at most 200" in str(response.context["form"].errors["owners"])
    assert [o.display for o in seed.dag28_01.owners.all()] == ["Programme (Rob Short)"]


def test_a_nul_in_the_committee_of_the_new_meeting_page_is_ignored(client, seed):
    login(client, "pmo")
    assert client.get("/meetings/new/?committee=DA%00G").status_code == 200
    page = client.get("/meetings/new/?committee=DAG")
    assert page.context["form"].initial["committee"] == seed.committee.pk


def test_a_review_of_a_malformed_action_ref_is_a_404(client, seed):
    login(client, "pmo")
    for ref in ["DAG28-01\x00", "", "x" * 5000]:
        response = client.post("/meetings/DAG029/reviews/", {"action": ref})
        assert response.status_code == 404


def test_an_uploaded_report_holding_a_nul_is_refused_with_its_line(client, seed, seed_path):
    login(client, "pmo")
    text = seed_path.read_text(encoding="utf-8").replace("Virtual – MS Teams", "Virt\x00ual")
    response = client.post(
        "/reports/import/", {"file": SimpleUploadedFile("report.txt", text.encode())}
    )
    assert response.status_code == 400
    assert [str(p) for p in response.context["problems"]] == [
        "line 7: the file holds a NUL character: it is not a text file"
    ]


def test_an_uploaded_report_with_an_overlong_owner_is_refused_with_its_line(
    client, seed, seed_path
):
    login(client, "pmo")
    text = seed_path.read_text(encoding="utf-8")
    text = text.replace("Programme (Rob Short)", "Programme (" + "R" * 201 + ")")
    response = client.post(
        "/reports/import/", {"file": SimpleUploadedFile("report.txt", text.encode())}
    )
    assert response.status_code == 400
    problems = [str(p) for p in response.context["problems"]]
    assert len(problems) == 1
    assert problems[0].startswith("line 13: “RRRR")
    assert problems[0].endswith("person names are at most 200.")


@pytest.mark.django_db(transaction=True)
def test_two_records_filed_at_once_under_one_new_area_share_it():
    # Two PMOs add records under the same new area title at the same moment. On PostgreSQL
    # the second failed on the unique title ("conflicts with an existing record: duplicate
    # key value…" shown on the form); it must use the first one's area instead.
    seed = build_seedlike()

    def add_under_new_area(i: int) -> int:
        with transaction.atomic():  # as the meeting page's views do
            return services.agenda_item_get_or_create(
                meeting=seed.dag029, title="DAG ToR", acting_user=SYSTEM
            ).pk

    results = run_concurrently(6, add_under_new_area)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(set(results)) == 1
    assert list(seed.dag029.agenda_items.values_list("title", flat=True)) == ["DAG ToR"]


def test_a_role_owners_person_cannot_be_added_twice(seed):
    # "Large Supplier Representative (Haz Elmamoun)" (DAG28-02) has no organisation, so the
    # unique name within an organisation does not hold; a race left a second row and get()
    # then failed with MultipleObjectsReturned (a 500) for every action naming him.
    haz = Person.objects.get(name="Haz Elmamoun", organisation=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="Haz Elmamoun", organisation=None)
    action = action_create(
        meeting=seed.dag028,
        description="Report which Large Suppliers use the CR023 solution",
        owners=["Large Supplier Representative (Haz Elmamoun)"],
        acting_user=SYSTEM,
    )
    assert action.owners.get().person == haz


@pytest.mark.django_db(transaction=True)
def test_a_role_owners_person_named_at_once_by_two_requests_is_never_an_error():
    # Records at different meetings (no shared counter row) naming one new role owner.
    seed = build_seedlike()

    def name_owner(i: int) -> int:
        with transaction.atomic():  # as the meeting page's views do
            return services.person_get_or_create(
                name="Jane Doe", organisation=None, acting_user=SYSTEM
            ).pk

    results = run_concurrently(6, name_owner)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(set(results)) == 1
    assert Person.objects.filter(name="Jane Doe").count() == 1
    action = action_create(
        meeting=seed.dag029, description="d", owners=["Chair (Jane Doe)"], acting_user=SYSTEM
    )
    assert action.owners.get().person.pk == results[0]


def test_a_failed_versions_internal_error_is_shown_to_the_pmo_only(client, seed):
    # The error is an exception's text (paths, hosts): Observers and members saw it too.
    HeadlineReport.objects.create(
        meeting=seed.dag028,
        version=1,
        status=HeadlineReport.Status.FAILED,
        error="PermissionError: [Errno 13] Permission denied: '/srv/dag/media/x.pdf'",
    )
    both = ["/meetings/DAG028/", "/meetings/DAG028/report/"]
    pages = {"observer": ["/meetings/DAG028/"], "member": both, "pmo": both}
    for username, urls in pages.items():
        login(client, username)
        for url in urls:
            html = client.get(url).content.decode()
            assert "Failed" in html
            assert ("/srv/dag/media" in html) is (username == "pmo"), (username, url)


def test_report_pdfs_are_not_served_by_path_even_with_debug(client, seed, settings, tmp_path):
    # With DEBUG (make run's default) /media/ was served to anyone, logged in or not: the
    # issued PDF of a Confidential meeting sat at a guessable path, past every visibility check.
    import importlib

    from django.urls import clear_url_caches

    import dag.urls

    stored = tmp_path / "headline-reports" / "DAG029" / "DAG029-headline-report-v1.pdf"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"%PDF-1.7 CONFIDENTIAL")
    settings.MEDIA_ROOT = str(tmp_path)
    settings.DEBUG = True
    try:
        importlib.reload(dag.urls)
        clear_url_caches()
        response = client.get("/media/headline-reports/DAG029/DAG029-headline-report-v1.pdf")
        assert response.status_code == 404
        login(client, "observer")
        response = client.get("/media/headline-reports/DAG029/DAG029-headline-report-v1.pdf")
        assert response.status_code == 404
    finally:
        settings.DEBUG = False
        importlib.reload(dag.urls)
        clear_url_caches()


def test_emphasis_nested_hundreds_deep_is_flattened_and_the_report_still_renders(seed):
    # 600 nested <b> (kept by the sanitiser, as b is allowed) made WeasyPrint recurse past
    # Python's limit: the meeting's PDF could not be rendered or issued (a 500).
    from composer.report import headline_report_data
    from composer.report_render import headline_report_pdf
    from meetings.models import DiscussionItem

    deep = "<b>" * 600 + "Deeply bold" + "</b>" * 600
    item = discussion.discussion_item_create(meeting=seed.dag028, text=deep, acting_user=SYSTEM)
    assert item.text == "<b>" * 8 + "Deeply bold" + "</b>" * 8
    # Written around the services (an old row, the admin): the report flattens it too.
    DiscussionItem.objects.create(meeting=seed.dag028, order=99, text=deep)
    pdf = headline_report_pdf(data=headline_report_data(meeting=seed.dag028))
    assert pdf.startswith(b"%PDF")
