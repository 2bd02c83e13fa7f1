"""A password-protected PDF offered as a meeting paper is refused as encrypted, not as
damaged (the meeting pack, which merges the PDF papers, cannot open it)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from meetings.paper_files import paper_file_check


def _pdf(password: str | None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if password:
        writer.encrypt(user_password=password, owner_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_encrypted_pdf_is_refused_as_encrypted():
    upload = SimpleUploadedFile("paper.pdf", _pdf("secret"), "application/pdf")
    with pytest.raises(ValidationError) as caught:
        paper_file_check(upload)
    [message] = caught.value.message_dict["file"]
    assert "encrypted" in message
    assert "damaged" not in message


def test_a_plain_pdf_is_taken():
    upload = SimpleUploadedFile("paper.pdf", _pdf(None), "application/pdf")
    assert paper_file_check(upload)
