"""A long register PDF rendered in parts, numbered as one document (``actions.register_pdf``).

WeasyPrint keeps the layout of every page of a document until it writes the PDF, so a
register's peak memory grows with its rows: 2,000 rows laid out as one document peaked
near 360 MiB with WeasyPrint alone (BENCHMARKS.md, "Register PDF in parts"). Rendered a
part at a time, only one part's layout is held at once. The parts carry no page numbers;
a second, empty document of as many pages carries the footer and "Page N of M" from the
same CSS page counters and margin boxes, and each of its pages is laid over the part's page
with pypdf's public API (``PdfWriter.add_page``, then ``PageObject.merge_page``).
"""

from __future__ import annotations

import gc
from io import BytesIO
from typing import Any

from django.template.loader import render_to_string

from core.pdf import INTERNAL_BASE_URL, font_config, pdf_url_fetcher


def weasyprint_render(html: str) -> Any:
    """``html`` laid out by WeasyPrint (a ``Document``), through the kernel's fetcher (our
    static files only) and this thread's fonts."""
    # Imported on first render: loading WeasyPrint (Pango, fonts) is not for every process
    # that imports the actions app (migrations, the API workers).
    from weasyprint import HTML

    return HTML(string=html, base_url=INTERNAL_BASE_URL, url_fetcher=pdf_url_fetcher()).render(
        font_config=font_config()
    )


def register_pdf_merge(parts_html: list[str], *, footer: str) -> tuple[bytes, int]:
    """The parts' HTML rendered one at a time and merged, numbered "Page N of M"; (pdf, pages).

    Each part is laid out, written and let go before the next (``gc.collect``: WeasyPrint's
    boxes refer to each other, so only the collector frees them).
    """
    from pypdf import PdfReader, PdfWriter

    parts: list[bytes] = []
    for html in parts_html:
        document = weasyprint_render(html)
        parts.append(document.write_pdf())
        del document
        gc.collect()
    readers = [PdfReader(BytesIO(part)) for part in parts]
    pages = sum(len(reader.pages) for reader in readers)
    numbers_html = render_to_string(
        "actions/register_pdf_pages.html", {"pages": range(pages), "footer": footer}
    )
    numbers = PdfReader(BytesIO(weasyprint_render(numbers_html).write_pdf()))
    writer = PdfWriter()
    index = 0
    for reader in readers:
        for page in reader.pages:
            merged = writer.add_page(page)
            merged.merge_page(numbers.pages[index])
            # pypdf writes a merged page's content uncompressed: ten times the bytes.
            merged.compress_content_streams()
            index += 1
    writer.add_metadata({"/Title": "Action register"})
    out = BytesIO()
    writer.write(out)
    return out.getvalue(), pages
