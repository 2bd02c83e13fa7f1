"""The action register as a PDF: requested in the browser, rendered in the background, kept.

A request (:func:`register_pdf_request`) stores what the register showed its user (the
filters and sort, in words too, and the London date that decides what is overdue) as a
:class:`~actions.models.RegisterPdf` and queues the Celery task ``actions.register_pdf_render``
after commit; the task's body (:func:`register_pdf_render`) lays the register out with
WeasyPrint (one document, or parts numbered as one when it is long) and stores the file; a
failure is kept on the row for :func:`register_pdf_retry`. Only the requester gets the
file. Rendering is off the web request because a long register takes longer than a web
worker may; with no broker configured Celery runs the task in-process, so a single process
still works.

The document is one table, A4 landscape: the header row repeats on every page
(``thead { display: table-header-group }``) and each page says "Page N of M" through CSS
page counters, so a row is printed once wherever the pages fall. A register of more than
``REGISTER_PDF_PART_ROWS`` rows is laid out in parts of that many rows (so WeasyPrint holds
one part's pages at a time), and a layer of page numbers from the same counters is laid
over them; a part's last page may end short of the foot.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core import roles
from core.actors import is_system
from core.renders import BackgroundRender, render_queue
from core.services import validated_save

from .models import RegisterPdf
from .register import ActionRegisterFilters, action_register
from .register_pdf_parts import register_pdf_merge, weasyprint_render
from .rows import action_rows

logger = logging.getLogger(__name__)

# The most actions one PDF lists: a single document's layout grows with every row it holds,
# and a worker's task is stopped after CELERY_TASK_TIME_LIMIT. Anyone who wants more narrows
# the filters (the PDF, the register page and the status page say so).
REGISTER_PDF_MAX_ROWS = 3000

# A register longer than this is rendered in parts of this many rows, numbered as one
# document (``actions.register_pdf_parts``: WeasyPrint holds every page's layout of a
# document until it writes it; BENCHMARKS.md "Register PDF in parts" has the figures). Even,
# so the light band of every other row carries on across parts.
REGISTER_PDF_PART_ROWS = 500


SORT_LABELS = {
    "ref": "ref",
    "-ref": "ref, newest first",
    "due_date": "due date, soonest first",
    "-due_date": "due date, latest first",
    "status": "status",
    "-status": "status, reversed",
}


@dataclass(frozen=True)
class RenderedRegister:
    """A rendered register: the PDF, how many actions it lists (``shown``) of how many the
    filters matched (``total``), and its page count."""

    pdf: bytes
    shown: int
    total: int
    pages: int

    @property
    def is_capped(self) -> bool:
        return self.total > self.shown


def register_pdf_html(
    *,
    user: Any,
    filters: ActionRegisterFilters,
    today: dt.date,
    filters_text: str = "none",
    generated_at: dt.datetime | None = None,
    max_rows: int | None = None,
) -> tuple[str, int, int]:
    """The register ``user`` sees with ``filters`` as the PDF's HTML; (html, shown, total).

    One document with every row (what WeasyPrint alone renders for the bench's floor). See
    :func:`register_pdf_document` for how it is listed.
    """
    html, context = register_pdf_document(
        user=user,
        filters=filters,
        today=today,
        filters_text=filters_text,
        generated_at=generated_at,
        max_rows=max_rows,
    )
    return html, context["shown"], context["total"]


def register_pdf_document(
    *,
    user: Any,
    filters: ActionRegisterFilters,
    today: dt.date,
    filters_text: str = "none",
    generated_at: dt.datetime | None = None,
    max_rows: int | None = None,
) -> tuple[str, dict[str, Any]]:
    """The register ``user`` sees with ``filters`` as one HTML document, and its context.

    Visibility is the register page's own (``actions.register.action_register``): an
    Observer gets only actions raised at Public meetings. At most ``max_rows`` (default
    :data:`REGISTER_PDF_MAX_ROWS`) actions, in the register's order; the HTML says when the
    filters match more. Costs a fixed number of queries (the rows and their owners'
    names, ``actions.rows``, and a count when there are more than ``max_rows``).
    """
    if max_rows is None:
        max_rows = REGISTER_PDF_MAX_ROWS
    qs = action_register(user=user, filters=filters, today=today)
    rows = action_rows(qs[: max_rows + 1], today=today, area_titles=True, user=user)
    total = len(rows)
    if total > max_rows:
        rows = rows[:max_rows]
        total = qs.count()
    generated = timezone.localtime(generated_at or timezone.now())
    context = {
        "rows": rows,
        "filters_text": filters_text,
        "sort_text": SORT_LABELS.get(filters.sort, SORT_LABELS["ref"]),
        "generated_at": generated,
        "footer": f"Action register, generated {generated:%d/%m/%Y %H:%M}",
        "shown": len(rows),
        "total": total,
        "capped": total > len(rows),
        "max_rows": max_rows,
        "first": True,
        "numbered": True,
    }
    return render_to_string("actions/register_pdf.html", context), context


def register_pdf_parts_html(context: dict[str, Any], *, part_rows: int) -> list[str]:
    """The register's HTML in parts of ``part_rows`` rows: the title, filters and counts in
    the first, no page numbers in any (``actions.register_pdf_parts`` lays them over)."""
    rows = context["rows"]
    return [
        render_to_string(
            "actions/register_pdf.html",
            {
                **context,
                "rows": rows[start : start + part_rows],
                "first": start == 0,
                "numbered": False,
            },
        )
        for start in range(0, len(rows), part_rows)
    ]


def action_register_pdf(
    *,
    user: Any,
    filters: ActionRegisterFilters,
    today: dt.date,
    filters_text: str = "none",
    generated_at: dt.datetime | None = None,
    max_rows: int | None = None,
) -> RenderedRegister:
    """The register ``user`` sees with ``filters`` (as ``/actions/`` lists it) as a PDF.

    ``today`` is the London date that decides what is overdue; ``filters_text`` says in words
    which filters were applied; ``generated_at`` (aware, default now) is printed in
    Europe/London time. See :func:`register_pdf_document` for what is listed. Up to
    :data:`REGISTER_PDF_PART_ROWS` rows, one WeasyPrint document; a longer register in parts
    of that many rows, numbered "Page N of M" as one (``actions.register_pdf_parts``).
    """
    html, context = register_pdf_document(
        user=user,
        filters=filters,
        today=today,
        filters_text=filters_text,
        generated_at=generated_at,
        max_rows=max_rows,
    )
    shown, total = context["shown"], context["total"]
    # WeasyPrint logs each rendering step (and its import) at INFO: too chatty for our log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    if shown <= REGISTER_PDF_PART_ROWS:
        document = weasyprint_render(html)
        pages = len(document.pages)
        return RenderedRegister(pdf=document.write_pdf(), shown=shown, total=total, pages=pages)
    parts = register_pdf_parts_html(context, part_rows=REGISTER_PDF_PART_ROWS)
    pdf, pages = register_pdf_merge(parts, footer=context["footer"])
    return RenderedRegister(pdf=pdf, shown=shown, total=total, pages=pages)


# --- The stored request: services ----------------------------------------------------------


def register_filters_json(filters: ActionRegisterFilters, *, user: Any) -> dict[str, Any]:
    """``filters`` as stored on a request, with the visibility they were asked with."""
    data: dict[str, Any] = dataclasses.asdict(filters)
    data["visibility"] = "public" if roles.is_observer_only(user) else "all"
    return data


def register_filters_from_json(data: dict[str, Any]) -> ActionRegisterFilters:
    """The filters a request stored (unknown keys, such as ``visibility``, are left out)."""
    names = {f.name for f in dataclasses.fields(ActionRegisterFilters)}
    return ActionRegisterFilters(**{k: v for k, v in data.items() if k in names})


# The claim, store, failure and retry of a request: the kernel's background render, shared
# with the headline report's versions.
REGISTER_PDF_RENDER = BackgroundRender(
    model=RegisterPdf,
    done=RegisterPdf.Status.READY,
    changed_at=lambda request: request.updated_at,
    label="Register PDF",
    describe=lambda request: "This register PDF",
)

# A request still waiting or rendering this long after its last change was lost (a worker
# died with it): it may be retried, and asking again makes a new one.
REGISTER_PDF_STALE_AFTER = REGISTER_PDF_RENDER.stale_after


def register_pdf_is_lost(request: RegisterPdf) -> bool:
    """True for a request still waiting or rendering long after its last change: the worker
    that had it died, and it may be retried (:data:`REGISTER_PDF_STALE_AFTER`)."""
    return REGISTER_PDF_RENDER.is_lost(request)


def _register_pdf_queue(request: RegisterPdf) -> None:
    # The task module imports this one (the task calls the service): imported here to break
    # that cycle, as Celery's own documentation does for tasks queued by services.
    from actions.tasks import register_pdf_render_task

    render_queue(register_pdf_render_task, request)


def _require_person(acting_user: Any) -> None:
    # A register is what one person may see: the system has no register of its own.
    if not getattr(acting_user, "is_authenticated", False):
        raise PermissionDenied("Only a signed-in user can ask for the register as a PDF.")


@transaction.atomic
def register_pdf_request(
    *,
    filters: ActionRegisterFilters,
    filters_text: str,
    today: dt.date,
    acting_user: Any,
) -> RegisterPdf:
    """Ask for the register ``acting_user`` sees with ``filters`` as a PDF, rendered later.

    Stores the request (pending) and queues ``actions.register_pdf_render`` after commit.
    ``today`` (a London date) decides what the PDF marks overdue. The same user asking for
    the same filters while one is still waiting or rendering gets that one back, so a double
    click renders once. Raises PermissionDenied unless ``acting_user`` is a signed-in user.
    """
    _require_person(acting_user)
    stored = register_filters_json(filters, user=acting_user)
    in_flight = RegisterPdf.objects.select_for_update().filter(
        requested_by=acting_user,
        status__in=[RegisterPdf.Status.PENDING, RegisterPdf.Status.RENDERING],
        today=today,
    )
    for earlier in in_flight:
        if earlier.filters == stored and not register_pdf_is_lost(earlier):
            return earlier
    request = validated_save(
        RegisterPdf(
            requested_by=acting_user,
            filters=stored,
            filters_text=filters_text,
            today=today,
            status=RegisterPdf.Status.PENDING,
        ),
        acting_user=acting_user,
    )
    _register_pdf_queue(request)
    return request


def register_pdf_render(*, request_id: int, acting_user: Any) -> RegisterPdf:
    """Render and store register PDF request ``request_id``: the task's body.

    Safe to run twice: a ready request, and one another worker is rendering, are left as
    they are. Otherwise it is marked rendering, rendered with the register its requester may
    see now (never wider than when they asked) and stored. A failure (rendering or storing)
    marks it failed with the error, for :func:`register_pdf_retry`, and is not raised.
    ``acting_user`` is the system (the task) or the requester. Raises
    RegisterPdf.DoesNotExist for an unknown id.
    """

    def guard(request: RegisterPdf) -> None:
        by_requester = getattr(acting_user, "pk", None) == request.requested_by_id
        if not (is_system(acting_user) or by_requester):
            raise PermissionDenied("Only the system or the requester renders a register PDF.")

    def render(request: RegisterPdf) -> RenderedRegister:
        return action_register_pdf(
            user=request.requested_by,
            filters=register_filters_from_json(request.filters),
            today=request.today,
            filters_text=request.filters_text or "none",
        )

    def store(request: RegisterPdf, result: RenderedRegister) -> None:
        name = f"action-register-{request.today:%Y-%m-%d}.pdf"
        request.file.save(name, ContentFile(result.pdf), save=False)
        request.rows, request.total, request.pages = result.shown, result.total, result.pages
        request.rendered_at = timezone.now()
        request.status = RegisterPdf.Status.READY

    return REGISTER_PDF_RENDER.run(
        request_id,
        acting_user=acting_user,
        render=render,
        store=store,
        related=("requested_by",),
        guard=guard,
    )


@transaction.atomic
def register_pdf_retry(*, request: RegisterPdf, acting_user: Any) -> RegisterPdf:
    """Render a failed request again (or one lost while waiting or rendering).

    It goes back to pending and the task is queued after commit. Raises PermissionDenied
    unless ``acting_user`` asked for it, ValidationError for a ready request or one still in
    progress.
    """

    def guard(locked: RegisterPdf) -> None:
        if getattr(acting_user, "pk", None) != locked.requested_by_id:
            raise PermissionDenied("Only the user who asked for this PDF can retry it.")

    return REGISTER_PDF_RENDER.retry(
        request, acting_user=acting_user, queue=_register_pdf_queue, guard=guard
    )


def register_pdf_get_for_user(*, request_id: int, user: Any) -> RegisterPdf:
    """Request ``request_id`` if ``user`` asked for it; RegisterPdf.DoesNotExist otherwise
    (someone else's request is not found, not forbidden: its existence is not shown)."""
    if not getattr(user, "is_authenticated", False):
        raise RegisterPdf.DoesNotExist
    return RegisterPdf.objects.get(pk=request_id, requested_by=user)
