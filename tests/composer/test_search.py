"""Search across everything (``composer.search``): the seed imported once, searched by words
and by ref; the same records found on SQLite (FTS5) and on PostgreSQL (full-text search: this
file run under ``scripts/with-postgres``); only what the reader may see; a fixed number of
queries; the words marked safely; the API.

Expected records are read from the seed report by eye (``seeds/DAG028-headline-report.txt``):
"webhook" is written once, in a CR023 Decision paragraph; "redline" in DAG28-09 and two CR027
Decision paragraphs ("redline", "redlined"); "Explainer document" in DAG28-01 and the first
Minutes and Actions paragraph; "DCUSA" in DAG-DEC69 and one CR027 Decision paragraph;
"workshop dates" in DAG28-06 and the CR023 paragraph that "will issue dates for the associate
development workshops" (not the one on workshops alone).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient

from composer import discussion
from composer.importer import headline_report_import_file
from composer.models import SearchDocument
from composer.search.selectors import marked, search_records, search_terms
from core.actors import SYSTEM
from core.visibility import Classification
from meetings.models import DiscussionItem, Meeting
from tests.conftest import SEED_PATH

User = get_user_model()


@pytest.fixture(scope="class")
def seed_imported(django_db_setup, django_db_blocker):
    """The seed imported once for a class, with the demo logins; rolled back after it."""
    from composer.demo import demo_logins_ensure

    with django_db_blocker.unblock(), transaction.atomic():
        headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
        demo_logins_ensure()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seed(seed_imported, db):
    return seed_imported


def _user(name: str):
    return User.objects.get(username=name)


def _paragraphs(*phrases: str) -> set[tuple[str, str]]:
    """The DAG028 discussion items holding each phrase, as hits are compared."""
    found = set()
    for phrase in phrases:
        item = DiscussionItem.objects.get(meeting__ref="DAG028", text__contains=phrase)
        found.add(("discussion", str(item.pk)))
    return found


def hits(user, text: str, **filters) -> list[tuple[str, str]]:
    """``(kind, ref)`` of each hit, best first (a discussion item's id for its ref)."""
    results = search_records(user=user, text=text, limit=50, **filters)
    return [(h.kind, h.ref or str(h.record_id)) for h in results.hits]


@pytest.mark.usefixtures("seed")
class TestSeedSearch:
    """The same records on both databases: this class runs on each."""

    def test_words_find_the_records_that_hold_them(self):
        member = _user("member")
        assert set(hits(member, "webhook")) == _paragraphs("DIP webhook subscription")
        assert set(hits(member, "redline")) == {("action", "DAG28-09")} | _paragraphs(
            "Actions were taken to confirm whether the new DIP flow",
            "The Programme advised the redlined changes",
        )
        assert set(hits(member, "Explainer document")) == {("action", "DAG28-01")} | (
            _paragraphs("The DAG requested the Related MPAN Explainer document")
        )
        assert set(hits(member, "DCUSA")) == {("decision", "DAG-DEC69")} | _paragraphs(
            "The Programme advised comments had been provided by the Distribution"
        )
        assert set(hits(member, "the workshop dates")) == {("action", "DAG28-06")} | (
            _paragraphs("advised the Programme will issue dates for the associate development")
        )

    def test_an_exact_ref_comes_first(self):
        member = _user("member")
        assert hits(member, "DAG28-14")[0] == ("action", "DAG28-14")
        found = hits(member, "dag-dec69")
        assert found[0] == ("decision", "DAG-DEC69")
        assert ("discussion", str(DiscussionItem.objects.get(text__contains="DAG-DEC69").pk)) in (
            found
        )
        assert hits(member, "CR 27")[0] == ("change_request", "CR027")
        assert hits(member, "DAG 28")[0] == ("meeting", "DAG028")

    def test_filters_by_kind_committee_and_date(self):
        member = _user("member")
        assert hits(member, "redline", kind="action") == [("action", "DAG28-09")]
        assert hits(member, "redline", committee="DAG") == hits(member, "redline")
        assert hits(member, "redline", committee="TMAG") == []
        dag028 = Meeting.objects.get(ref="DAG028")
        assert len(hits(member, "redline", date_from=dag028.date, date_to=dag028.date)) == 3
        assert hits(member, "redline", date_from=dag028.date.replace(year=2024)) == []

    def test_matching_words_are_marked(self):
        member = _user("member")
        [hit] = search_records(user=member, text="webhook").hits
        assert "<mark>webhook</mark>" in hit.snippet

    def test_a_fixed_number_of_queries_whatever_the_hits(self, django_assert_num_queries):
        member = _user("member")
        search_records(user=member, text="warm up")  # the seats, read once per request
        counts = []
        for text in ("webhook", "programme", "DAG28-14 programme"):
            with django_assert_num_queries(1) as captured:
                results = search_records(user=member, text=text)
            counts.append((len(results.hits), len(captured.captured_queries)))
        assert [hit_count for hit_count, _ in counts][:2] == [1, 20]

    def test_the_rebuild_command_finds_the_same(self):
        member = _user("member")
        before = hits(member, "redline")
        SearchDocument.objects.all().delete()
        assert hits(member, "redline") == []
        call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert hits(member, "redline") == before


@pytest.mark.django_db
def test_a_restricted_meeting_is_not_found_by_an_observer():
    from tests.fixtures import build_seedlike

    seed = build_seedlike()
    Meeting.objects.filter(pk=seed.dag029.pk).update(classification=Classification.RESTRICTED)
    item = discussion.discussion_item_create(
        meeting=seed.dag029, text="The quinquennial budget was tabled.", acting_user=SYSTEM
    )
    assert hits(_user("member"), "quinquennial budget") == [("discussion", str(item.pk))]
    assert hits(_user("observer"), "quinquennial budget") == []
    assert hits(_user("observer"), "DAG029") == []
    assert hits(_user("member"), "DAG029")[0] == ("meeting", "DAG029")


@pytest.mark.django_db
def test_edits_and_deletes_follow_into_the_index():
    from tests.fixtures import build_seedlike

    seed = build_seedlike()
    item = discussion.discussion_item_create(
        meeting=seed.dag028, text="A zygomorphic flower.", acting_user=SYSTEM
    )
    pmo = _user("pmo")
    assert hits(pmo, "zygomorphic") == [("discussion", str(item.pk))]
    discussion.discussion_item_update(
        discussion_item=item, text="A radial flower.", acting_user=pmo
    )
    assert hits(pmo, "zygomorphic") == []
    assert hits(pmo, "radial") == [("discussion", str(item.pk))]
    discussion.discussion_item_delete(discussion_item=item, acting_user=pmo)
    assert hits(pmo, "radial") == []


def test_highlighting_escapes_the_records_own_html():
    assert marked("<script>alert(1)</script> \x02word\x03") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; <mark>word</mark>"
    )


def test_the_query_is_read_as_words_and_refs():
    terms = search_terms("The DAG28-14 and dag-dec75, CR 23; DIN-620")
    assert terms.words == ("dag28", "14", "dag", "dec75", "cr", "23", "din", "620")
    assert terms.refs == ("DAG28-14", "DAG-DEC75", "CR023", "DIN-620")
    assert not search_terms("the and of")


@pytest.mark.django_db
def test_the_page_and_the_api(client):
    from tests.fixtures import build_seedlike

    build_seedlike()
    member = _user("member")
    client.force_login(member)
    page = client.get("/search/", {"q": "objections <>"})
    assert page.status_code == 200
    assert "<mark>objections</mark>" in page.content.decode()
    assert "objections &lt;&gt;" in page.content.decode()  # the query echoed, escaped
    api = APIClient()
    api.force_authenticate(member)
    answer = api.get("/api/v1/search/", {"q": "DAG28-02"})
    assert answer.status_code == 200
    first = answer.json()["results"][0]
    assert (first["kind"], first["ref"], first["is_exact"]) == ("action", "DAG28-02", True)
    assert first["url"].endswith("/actions/DAG28-02/")
    assert api.get("/api/v1/search/", {"q": "x", "kind": "nope"}).status_code == 400
    assert api.get("/api/v1/search/").status_code == 400


@pytest.mark.django_db
def test_search_is_rate_limited(client, settings):
    from tests.fixtures import build_seedlike

    build_seedlike()
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "search": "2/min"},
    }
    client.force_login(_user("member"))
    codes = [client.get("/search/", {"q": "chair"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.django_db
def test_the_demo_leaves_the_index_filled_and_tmag_hidden_from_the_dag_member():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert hits(_user("member"), "webhook") != []
    assert hits(_user("member"), "cutover rehearsal") == []
    assert [kind for kind, _ in hits(_user("pmo"), "cutover rehearsal")] == ["action"]


@pytest.mark.django_db
def test_an_empty_index_beside_records_is_built_after_migrate():
    from composer.search.index import search_index_fill_if_empty
    from tests.fixtures import build_seedlike

    build_seedlike()
    SearchDocument.objects.all().delete()
    search_index_fill_if_empty()
    assert hits(_user("pmo"), "objections") != []


@pytest.mark.django_db
def test_an_area_renamed_and_a_meeting_moved_follow_into_the_index():
    import datetime as dt

    from meetings import services
    from tests.conftest import london
    from tests.fixtures import build_seedlike

    seed = build_seedlike()
    pmo = _user("pmo")
    area = seed.dag028.agenda_items.get(title="CR023 Decision")
    area.title = "CR023 Go-live"  # as the admin writes it: no service renames an area
    area.save()
    [hit] = search_records(user=pmo, text="objections").hits
    assert hit.title_text == "CR023 Go-live"
    services.meeting_update(
        meeting=seed.dag028,
        start_at=london(2023, 9, 20, 10),
        end_at=london(2023, 9, 20, 13),
        acting_user=pmo,
    )
    dates = set(SearchDocument.objects.filter(meeting=seed.dag028).values_list("date", flat=True))
    assert dates == {dt.date(2023, 9, 20)}


@pytest.mark.django_db
def test_postgresql_searches_through_the_gin_index():
    """With a register's worth of documents (analysed), the planner reads the GIN index for
    an administrator and for a member (whose visibility subqueries filter what it finds)."""
    from django.db import connection

    from composer.demo import demo_logins_ensure
    from composer.search.backends import postgres_ranked
    from composer.search.selectors import search_documents_for

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's GIN index (SQLite searches its FTS5 table)")
    demo_logins_ensure()
    SearchDocument.objects.bulk_create(
        SearchDocument(
            kind=("action", "decision", "discussion")[n % 3],
            object_id=n,
            title=f"Record {n}",
            body=f"Programme to review the design artefacts, batch {n}",
        )
        for n in range(1, 5001)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE composer_searchdocument")
    admin = User.objects.create_superuser("admin", "admin@example.org", "x")
    for user in (admin, _user("member")):
        docs = search_documents_for(user=user)
        plan = postgres_ranked(docs, words=["webhook"], refs=["CR023"]).explain()
        assert "search_document_fts" in plan, plan
