"""Issue #14: the back catalogue's check lists each report's conflicts, line by line, as the
single report's preview does (the rule is the importer's: ``composer.importer.baseline``).

DAG028 is imported, then DAG28-01 re-dated at DAG029 as a PMO would; a catalogue holding
the DAG028 report again is checked: its row names the field the import will keep as the
tracker has it, with both values.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action
from composer.importer import headline_report_import
from composer.importer.catalogue import catalogue_import
from composer.models import CatalogueImport
from core.actors import SYSTEM
from tests.composer.test_import_conflicts import DUE_CONFLICT, REDATED, SEED_TEXT, redate_at_dag029
from tests.fixtures import demo_logins_ensure

pytestmark = pytest.mark.django_db

LINE = "DAG28-01 due date: keeps the tracker's value (08/11/2023; the report has 11/10/2023)."


@pytest.fixture
def pmo(db):
    demo_logins_ensure()
    return get_user_model().objects.get(username="pmo")


def test_a_catalogue_check_reports_each_files_conflicts(pmo):
    headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    redate_at_dag029(pmo)
    [(_, result)] = catalogue_import(
        [("DAG028.txt", SEED_TEXT.encode())], acting_user=pmo, dry_run=True
    )
    assert result.conflicts == [DUE_CONFLICT]
    assert DUE_CONFLICT.sentence(preview=True) == LINE


def test_the_catalogue_page_lists_the_conflicts_under_their_report(
    client, pmo, django_capture_on_commit_callbacks
):
    headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    redate_at_dag029(pmo)
    client.force_login(pmo)
    upload = SimpleUploadedFile("DAG028.txt", SEED_TEXT.encode())
    with django_capture_on_commit_callbacks(execute=True):  # the check task, run in-process
        response = client.post(reverse("catalogue-import"), {"files": [upload]})
    job = CatalogueImport.objects.get()
    assert job.status == CatalogueImport.Status.CHECKED
    assert job.summary[0]["conflicts"] == [LINE]
    page = client.get(response["Location"]).content.decode()
    assert "DAG028: 1 field changed in the tracker since this report was last imported" in page
    assert "DAG28-01 due date: keeps the tracker&#x27;s value (08/11/2023; the report has " in page
    # Confirmed, the import keeps the tracker's value and says so, in the past tense.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"do": "confirm"})
    job.refresh_from_db()
    assert job.summary[0]["conflicts"] == [LINE.replace("keeps", "kept")]
    assert Action.objects.get(ref="DAG28-01").due_date == REDATED


def test_a_catalogue_with_no_conflicts_lists_none(client, pmo, django_capture_on_commit_callbacks):
    client.force_login(pmo)
    upload = SimpleUploadedFile("DAG028.txt", SEED_TEXT.encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalogue-import"), {"files": [upload]})
    assert CatalogueImport.objects.get().summary[0]["conflicts"] == []
    assert "changed in the tracker since" not in client.get(response["Location"]).content.decode()
