"""Background renders: a stored row that a Celery task claims, renders, stores or marks failed.

The headline report's versions (``composer.headline_report``) and the register PDF
(``actions.register_pdf``) are the same thing twice: a row with a status (waiting,
rendering, done, failed), an attempt count and the last error; a task that claims the row,
renders outside any lock (a render takes seconds to minutes), then stores the file in a
second short transaction; a failure kept on the row for a retry; a status page that polls
while it waits. :class:`BackgroundRender` is that once, parameterised by the model, its
"done" status and how to tell when the row last changed. The kernel knows no model: each
app passes its own.

Guards, each tested (``tests/core/test_renders.py``):

- claimed once: only a waiting row (or one lost while rendering) is claimed, under
  ``select_for_update``; a second worker finds it rendering and leaves it, and a done row
  is never rendered again;
- stored once: a render that finishes after another stored the file leaves that file;
- a failure is recorded (status failed, the error text) and not raised, so the task ends
  and the page shows it with a Retry;
- retried only when failed or lost: anything else is a ValidationError.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.services import validated_save
from core.views import is_htmx

logger = logging.getLogger(__name__)

RowT = TypeVar("RowT", bound=models.Model)
ResultT = TypeVar("ResultT")

PENDING, RENDERING, FAILED = "pending", "rendering", "failed"
IN_PROGRESS = frozenset({PENDING, RENDERING})

# A row still waiting or rendering this long after its last change was lost (a worker died
# with it): it may be retried, and a second worker may claim it.
STALE_AFTER = dt.timedelta(minutes=15)

# The error kept on a failed row: enough to tell what went wrong, never a whole traceback.
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class BackgroundRender(Generic[RowT]):
    """The render lifecycle of ``model``, whose rows have ``status`` (``pending``,
    ``rendering``, ``failed`` and ``done``), ``attempts`` and ``error``.

    ``changed_at(row)`` is when the row last changed (None if unknown: counted as lost);
    ``label`` names a row in the log; ``describe(row)`` names it to a user ("Version 2 of
    the DAG028 headline report") and ``noun`` says what only a failed one of may be retried.
    """

    model: type[RowT]
    done: str
    changed_at: Callable[[RowT], dt.datetime | None]
    label: str
    describe: Callable[[RowT], str] = str
    noun: str = "one"
    stale_after: dt.timedelta = STALE_AFTER

    def is_lost(self, row: RowT, *, now: dt.datetime | None = None) -> bool:
        """True for a row still waiting or rendering long after its last change."""
        if row.status not in IN_PROGRESS:  # type: ignore[attr-defined]
            return False
        changed = self.changed_at(row)
        if changed is None:
            return True
        return (now or timezone.now()) - changed > self.stale_after

    def _locked(self, pk: int, related: tuple[str, ...] = ()) -> RowT:
        qs = self.model._default_manager.select_for_update()
        if related:
            qs = qs.select_related(*related)
        return qs.get(pk=pk)

    def claim(
        self,
        pk: int,
        *,
        acting_user: Any,
        related: tuple[str, ...] = (),
        guard: Callable[[RowT], None] | None = None,
    ) -> tuple[RowT, bool]:
        """Claim row ``pk`` for rendering: (row, True) when this caller should render it.

        In one short transaction under the row lock: ``guard(row)`` may refuse (raise); a
        done row, a failed one (it waits for a retry) and one another worker is rendering
        are left as they are, (row, False). Otherwise the row becomes ``rendering`` with one
        more attempt and no error.
        """
        with transaction.atomic():
            row = self._locked(pk, related)
            if guard is not None:
                guard(row)
            status = row.status  # type: ignore[attr-defined]
            if status == RENDERING and not self.is_lost(row):
                return row, False
            if status not in IN_PROGRESS:
                return row, False
            row.status = RENDERING  # type: ignore[attr-defined]
            row.attempts += 1  # type: ignore[attr-defined]
            row.error = ""  # type: ignore[attr-defined]
            validated_save(row, acting_user=acting_user)
            return row, True

    def run(
        self,
        pk: int,
        *,
        acting_user: Any,
        render: Callable[[RowT], ResultT],
        store: Callable[[RowT, ResultT], None],
        related: tuple[str, ...] = (),
        guard: Callable[[RowT], None] | None = None,
    ) -> RowT:
        """Claim row ``pk``, render it outside any lock, store the result: a task's body.

        ``render(row)`` returns what ``store(row, result)`` writes on the re-locked row
        (which it must set to ``done``; it is saved afterwards). A row stored by another
        run meanwhile is left as it is. Any failure of rendering or storing marks the row
        failed with the error and is not raised (the task ends; a retry renders again).
        """
        row, claimed = self.claim(pk, acting_user=acting_user, related=related, guard=guard)
        if not claimed:
            return row
        try:
            result = render(row)
            with transaction.atomic():
                row = self._locked(pk, related)
                if row.status == self.done:  # type: ignore[attr-defined]
                    return row  # a second run finished first; its file stands
                store(row, result)
                validated_save(row, acting_user=acting_user)
        except Exception as exc:  # any failure is recorded on the row, to be retried
            logger.exception("%s %s failed", self.label, pk)
            return self.fail(pk, exc, acting_user=acting_user)
        return row

    def fail(self, pk: int, exc: BaseException, *, acting_user: Any) -> RowT:
        """Mark row ``pk`` failed with ``exc`` as its error (unless it is done by now)."""
        with transaction.atomic():
            row = self._locked(pk)
            if row.status != self.done:  # type: ignore[attr-defined]
                row.status = FAILED  # type: ignore[attr-defined]
                row.error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]  # type: ignore[attr-defined]
                validated_save(row, acting_user=acting_user)
        return row

    def retry(
        self,
        row: RowT,
        *,
        acting_user: Any,
        queue: Callable[[RowT], None],
        guard: Callable[[RowT], None] | None = None,
        related: tuple[str, ...] = (),
    ) -> RowT:
        """Put a failed (or lost) row back to waiting and ``queue`` it (after commit).

        ``guard(row)`` checks the acting user's right on the locked row. Raises
        ValidationError for a done row or one still in progress. Call inside the caller's
        transaction (``transaction.atomic``).
        """
        row = self._locked(row.pk, related)
        if guard is not None:
            guard(row)
        if row.status != FAILED and not self.is_lost(row):  # type: ignore[attr-defined]
            state = row.get_status_display().lower()  # type: ignore[attr-defined]
            raise ValidationError(
                f"{self.describe(row)} is {state}; only a failed {self.noun} can be retried."
            )
        row.status = PENDING  # type: ignore[attr-defined]
        row.error = ""  # type: ignore[attr-defined]
        validated_save(row, acting_user=acting_user)
        queue(row)
        return row


def render_queue(task: Any, row: models.Model) -> None:
    """Queue ``task`` for ``row``'s id once the current transaction commits (a worker must
    find the row; nothing is queued for a rolled-back request)."""
    row_id = row.pk
    transaction.on_commit(lambda: task.delay(row_id))


class RenderStatusViewMixin:
    """A render's status page: the whole page, or (an htmx poll) its fragment alone.

    The fragment polls itself every 2 seconds while the row waits or renders and stops once
    it is done, failed or lost (the template leaves ``hx-trigger`` out then). Subclasses name
    ``page_template``, ``fragment_template`` and ``lifecycle`` and implement
    :meth:`render_object` (which raises Http404 for a row the user may not see).
    """

    page_template: str
    fragment_template: str
    lifecycle: BackgroundRender[Any]
    context_object_name = "row"

    def render_object(self, request: HttpRequest, **kwargs: Any) -> models.Model:
        raise NotImplementedError

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        row = self.render_object(request, **kwargs)
        context = {self.context_object_name: row, "lost": self.lifecycle.is_lost(row)}
        template = self.fragment_template if is_htmx(request) else self.page_template
        return render(request, template, context)
