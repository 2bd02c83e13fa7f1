"""``{% load register_pdf %}``: what the register page says about its PDF."""

from __future__ import annotations

from django import template

from actions import register_pdf

register = template.Library()


@register.simple_tag
def register_pdf_max_rows() -> int:
    """The most actions one register PDF lists (``{% register_pdf_max_rows as cap %}``)."""
    return register_pdf.REGISTER_PDF_MAX_ROWS
