"""Celery tasks of the actions app: thin wrappers over its services.

Arguments are ids; each task calls one service and returns. Names are explicit and stable
(a message queued by an older release is still understood after the code moves).
"""

from __future__ import annotations

from celery import shared_task

from core.actors import SYSTEM

from .register_pdf import register_pdf_render


@shared_task(name="actions.register_pdf_render")
def register_pdf_render_task(request_id: int) -> None:
    """Render and store register PDF request ``request_id`` (safe to run twice).

    See ``actions.register_pdf.register_pdf_render``: a failure is recorded on the request
    (status failed, with the error) for a retry from its status page.
    """
    register_pdf_render(request_id=request_id, acting_user=SYSTEM)
