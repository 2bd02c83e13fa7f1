"""Back-catalogue files that are not what they say: the same meeting in two files of one
name, a damaged archive, a ZIP inside a ZIP, a ``.docx`` that is not a Word document."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from composer.importer.catalogue import CatalogueImportError, catalogue_import
from core.actors import SYSTEM
from meetings.models import Meeting
from tests.composer.catalogue_reports import DAG026

pytestmark = pytest.mark.django_db


def _zip(*members: tuple[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def _problems(files) -> list[str]:
    with pytest.raises(CatalogueImportError) as caught:
        catalogue_import(files, acting_user=SYSTEM)
    assert not Meeting.objects.exists()
    return [p.message for p in caught.value.problems]


def test_the_same_meeting_in_two_files_of_one_name_is_refused_by_position():
    files = [("report.txt", DAG026.encode()), ("report.txt", DAG026.encode())]
    assert "DAG026 is in both report.txt (file 1) and report.txt (file 2)" in _problems(files)


def test_two_zip_members_of_one_name_are_refused():
    with pytest.warns(UserWarning, match="Duplicate name"):
        archive = _zip(("r.txt", DAG026.encode()), ("r.txt", DAG026.encode()))
    assert "DAG026 is in both old.zip/r.txt (file 1) and old.zip/r.txt (file 2)" in _problems(
        [("old.zip", archive)]
    )


def _liar() -> bytes:
    """A stored member whose bytes were changed after the directory was written."""
    data = bytearray(_zip(("DAG026.txt", DAG026.encode()), method=zipfile.ZIP_STORED))
    at = bytes(data).index(b"# MHHS")
    data[at] = ord("X")
    return bytes(data)


def test_a_damaged_archive_is_refused_in_words_by_the_command(tmp_path):
    path = tmp_path / "liar.zip"
    path.write_bytes(_liar())
    err = io.StringIO()
    with pytest.raises(CommandError, match="not imported"):
        call_command("import_headline_report", str(path), stderr=err, stdout=io.StringIO())
    assert f"{path} is damaged: Bad CRC-32" in err.getvalue()
    assert "Traceback" not in err.getvalue()


def test_a_zip_inside_a_zip_and_a_docx_without_a_document_are_named_as_such():
    inner = _zip(("DAG026.txt", DAG026.encode()))
    fake_word = _zip(("word/other.xml", b"<x/>"))
    problems = _problems([("old.zip", _zip(("inner.zip", inner))), ("DAG027.docx", fake_word)])
    assert "old.zip/inner.zip: a ZIP inside a ZIP is not read" in problems
    assert (
        "DAG027.docx: the file is a ZIP archive but not a Word document: it has no "
        "word/document.xml" in problems
    )


def test_the_single_import_page_says_it_takes_pdf_and_word(client, pmo_user):
    from django.urls import reverse

    client.force_login(pmo_user)
    page = client.get(reverse("headline-report-import")).content.decode()
    assert "Headline report (PDF, Word or text file)" in page
    assert "extracted from its PDF (UTF-8)" not in page


def test_more_files_than_the_limit_get_the_limit_in_words(client, pmo_user, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from composer.importer import catalogue

    assert catalogue.MAX_FILES == settings.DATA_UPLOAD_MAX_NUMBER_FILES == 200
    client.force_login(pmo_user)
    uploads = [SimpleUploadedFile(f"r{n}.txt", b"x") for n in range(201)]
    answer = client.post(reverse("catalogue-import"), {"files": uploads})
    assert answer.status_code == 400
    assert "import at most 200 at once" in answer.content.decode()


def test_a_docx_with_only_its_document_part_says_what_is_missing():
    fake_word = _zip(("word/document.xml", b"<w:document/>"))
    assert (
        "DAG027.docx: The Word document cannot be read: There is no item named "
        "'[Content_Types].xml' in the archive." in _problems([("DAG027.docx", fake_word)])
    )
