"""What a paper's file is, decided by its content (magic bytes), never by its name.

A PDF starts ``%PDF-``; a PNG and a JPEG with their signatures; a Word document and an Excel
workbook are ZIP archives whose ``[Content_Types].xml`` part names the main document's
content type. The name's extension must agree with the content: a file called ``.pdf``
that is not a PDF is refused, in words, on the form's file field.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from meetings.models import PaperVersion

Kind = PaperVersion.Kind

# The largest paper accepted (bytes) when the settings name none (``PAPER_MAX_BYTES``).
DEFAULT_PAPER_MAX_BYTES = 15 * 1024 * 1024
# The most a ``[Content_Types].xml`` part may hold when unpacked: a real one is a few KiB.
_CONTENT_TYPES_MAX = 256 * 1024

_SIGNATURES = (
    (b"%PDF-", Kind.PDF),
    (b"\x89PNG\r\n\x1a\n", Kind.PNG),
    (b"\xff\xd8\xff", Kind.JPEG),
)
_OOXML_MAIN = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        Kind.DOCX
    ),
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": Kind.XLSX,
}
EXTENSIONS = {
    Kind.PDF: {".pdf"},
    Kind.DOCX: {".docx"},
    Kind.XLSX: {".xlsx"},
    Kind.PNG: {".png"},
    Kind.JPEG: {".jpg", ".jpeg"},
}
CONTENT_TYPES = {
    Kind.PDF: "application/pdf",
    Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Kind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Kind.PNG: "image/png",
    Kind.JPEG: "image/jpeg",
}
ACCEPTED = "a PDF, a Word document (.docx), an Excel workbook (.xlsx), a PNG or a JPEG image"


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: its kind by content, size, SHA-256 and the name to keep."""

    kind: str
    size: int
    sha256: str
    filename: str


def paper_max_bytes() -> int:
    return int(getattr(settings, "PAPER_MAX_BYTES", DEFAULT_PAPER_MAX_BYTES))


def _ooxml_kind(upload: Any) -> str | None:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                return None
            content_types = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    return next((kind for key, kind in _OOXML_MAIN.items() if key in content_types), None)


def file_kind(upload: Any) -> str | None:
    """The kind of ``upload`` (a file object) by its content, None when it is none we take."""
    upload.seek(0)
    head = upload.read(16)
    kind = next((k for signature, k in _SIGNATURES if head.startswith(signature)), None)
    if kind is None and head.startswith(b"PK\x03\x04"):
        kind = _ooxml_kind(upload)
    upload.seek(0)
    return kind


def safe_filename(name: str) -> str:
    """The uploaded name's last part, without characters a file system or a header minds."""
    base = PurePath(name.replace("\\", "/")).name or "paper"
    cleaned = "".join(c if c.isalnum() or c in "-_. " else "_" for c in base).strip(" .")
    return (cleaned or "paper")[-150:]


def _pdf_check(upload: Any) -> None:
    """A file that starts as a PDF must read as one (its pages counted with pypdf), or the
    meeting pack, which merges the PDF papers, would fail on it later."""
    upload.seek(0)
    try:
        pages = len(PdfReader(upload).pages)
    except FileNotDecryptedError as exc:  # a PDF that opens only with a password
        raise ValidationError(
            {
                "file": "This PDF is encrypted (it opens only with a password), so the meeting "
                "pack cannot include it. Save it without the password and upload that."
            }
        ) from exc
    except Exception as exc:  # pypdf raises many kinds for a damaged file
        raise ValidationError(
            {
                "file": "This file starts like a PDF but cannot be read as one (damaged or "
                "not a PDF). Save it as a PDF again and upload that."
            }
        ) from exc
    finally:
        upload.seek(0)
    if pages == 0:
        raise ValidationError({"file": "This PDF has no pages."})


def paper_file_check(upload: Any) -> CheckedFile:
    """Check ``upload`` (a Django ``UploadedFile``) and say what it is.

    Raises ValidationError on ``file`` for an empty or too large file, content that is not
    one we take, or a name whose extension says another kind than the content.
    """
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    limit = paper_max_bytes()
    if size > limit:
        raise ValidationError(
            {
                "file": f"The file is {size / 1048576:.1f} MB; a paper may be at most "
                f"{limit / 1048576:.0f} MB."
            }
        )
    filename = safe_filename(upload.name or "")
    suffix = PurePath(filename).suffix.lower()
    kind = file_kind(upload)
    named = next((k for k, exts in EXTENSIONS.items() if suffix in exts), None)
    if kind is None:
        if named is not None:
            raise ValidationError(
                {
                    "file": f"This file is named {suffix} but its content is not a "
                    f"{Kind(named).label}. Upload {ACCEPTED}."
                }
            )
        raise ValidationError({"file": f"This kind of file is not accepted. Upload {ACCEPTED}."})
    if named != kind:
        named_as = f"named {suffix}" if suffix else "named without an extension"
        raise ValidationError(
            {
                "file": f"This file is a {Kind(kind).label} but is {named_as}: rename it to "
                f"{sorted(EXTENSIONS[kind])[0]} and upload it again."
            }
        )
    if kind == Kind.PDF:
        _pdf_check(upload)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(kind=kind, size=size, sha256=digest.hexdigest(), filename=filename)
