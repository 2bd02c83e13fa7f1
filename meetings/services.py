"""State changes of committees, people, meetings, agenda items and discussion.

Every function here is keyword-only, runs in a transaction and validates with the models'
``full_clean`` (fields and constraints), so bad input raises ``ValidationError`` with field
errors, never an ``IntegrityError``. See CONVENTIONS.md "The layers".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, TypeVar

import nh3
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from . import refs, roles
from .models import (
    AgendaItem,
    Committee,
    DiscussionItem,
    DiscussionReference,
    HeadlineReport,
    Meeting,
    Organisation,
    Person,
    RefCounter,
)

ModelT = TypeVar("ModelT", bound=models.Model)

# Discussion text keeps the emphasis the headline report uses and nothing else.
DISCUSSION_TAGS = {"b", "strong", "u", "i", "em", "br"}


def counter_take(queryset: models.QuerySet, field: str, *, explicit: int | None = None) -> int:
    """Take the next number from a counter column, safely under concurrency.

    ``queryset`` selects exactly one row (the committee, the meeting, the ``RefCounter``).
    The counter is raised with one ``UPDATE`` (which locks the row on PostgreSQL and takes
    the write lock on SQLite), so two transactions never read the same value. With
    ``explicit`` (a historical ref recorded as given), the counter becomes the larger of
    the two and ``explicit`` is returned. Must run inside ``transaction.atomic``.
    """
    if explicit is None:
        queryset.update(**{field: F(field) + 1})
    else:
        queryset.update(**{field: Greatest(F(field), Value(explicit))})
    value = queryset.values_list(field, flat=True).get()
    return explicit if explicit is not None else value


def number_range_check(*, field: str, value: int | None, maximum: int, minimum: int = 1) -> None:
    """Raise ValidationError on ``field`` unless ``value`` is None or within the range.

    Guards a number given for a ref (``maximum`` from ``meetings.refs``, such as
    ``MAX_MEETING_NUMBER``) before it moves a counter: a larger one would overflow the
    column (a 500) or give a ref that no URL can name.
    """
    if value is not None and not minimum <= value <= maximum:
        raise ValidationError({field: f"Give a whole number from {minimum} to {maximum}."})


def ref_counter_take(key: str, *, explicit: int | None = None) -> int:
    """Take the next programme-wide number for ``key`` (``"CR"``, ``"DIN"``)."""
    RefCounter.objects.get_or_create(key=key)
    return counter_take(RefCounter.objects.filter(key=key), "last_value", explicit=explicit)


def validated_save(instance: ModelT, *, exclude: list[str] | None = None) -> ModelT:
    """``full_clean`` then save; a constraint lost to a concurrent write becomes a ValidationError.

    Raises ValidationError with field errors for bad values, duplicates and broken
    constraints, so callers (forms, API, imports) can show them to the user.
    """
    instance.full_clean(exclude=exclude)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError(
            f"This {instance._meta.verbose_name} conflicts with an existing record: {exc}"
        ) from exc
    return instance


def apply_changes(instance: ModelT, changes: dict[str, Any], allowed: set[str]) -> ModelT:
    """Set ``changes`` on ``instance``, refusing fields outside ``allowed``."""
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(instance, name, value)
    return instance


# --- committees, organisations, people ------------------------------------------------------


@transaction.atomic
def committee_create(
    *, code: str, name: str, programme_name: str = "", acting_user: Any = None
) -> Committee:
    """Create a committee (``code`` such as ``DAG``); ValidationError on a bad or taken code."""
    roles.require_pmo(acting_user)
    return validated_save(Committee(code=code, name=name, programme_name=programme_name))


def name_length_check(model: type[models.Model], value: str, *, field: str = "name") -> None:
    """Raise ValidationError on ``field`` when ``value`` is longer than the column holds.

    For records created by name on the way (an action's owner, a CR's release): without it
    PostgreSQL refuses the insert (a 500) while SQLite stores the overlong text.
    """
    max_length = model._meta.get_field(field).max_length
    if max_length is not None and len(value) > max_length:
        raise ValidationError(
            {
                field: f"“{value[:40]}…” is {len(value)} characters long; "
                f"{model._meta.verbose_name} {field}s are at most {max_length}."
            }
        )


def organisation_get_or_create(*, name: str) -> Organisation:
    """The organisation called ``name`` (whitespace trimmed), created if missing.

    Raises ValidationError for a blank name or one longer than 200 characters.
    """
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "An organisation needs a name."})
    name_length_check(Organisation, name)
    organisation, _ = Organisation.objects.get_or_create(name=name)
    return organisation


def person_get_or_create(
    *, name: str, organisation: Organisation | None = None, is_team: bool = False
) -> Person:
    """The person (or team) called ``name`` in ``organisation``, created if missing.

    Names are unique within an organisation and among people without one (a role's person:
    ``Chair (Jane Doe)``), so of two requests adding the same person at once the second
    finds the first's row. Raises ValidationError for a blank name or one longer than 200
    characters.
    """
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "A person needs a name."})
    name_length_check(Person, name)
    people = Person.objects.filter(name=name, organisation=organisation).order_by("pk")
    person = people.first()
    if person is None:
        try:
            with transaction.atomic():
                person = Person.objects.create(
                    name=name, organisation=organisation, is_team=is_team
                )
        except IntegrityError:  # added by another request since the read above
            person = people.first()
            if person is None:
                raise
    return person


# --- meetings ----------------------------------------------------------------------------------

MEETING_EDITABLE_FIELDS = {
    "title",
    "start_at",
    "end_at",
    "venue",
    "classification",
    "status",
    "report_issue_date",
}


@transaction.atomic
def meeting_create(
    *,
    committee: Committee,
    start_at: dt.datetime,
    end_at: dt.datetime | None = None,
    venue: str = "",
    classification: str = Meeting.Classification.PUBLIC,
    status: str = Meeting.Status.PLANNED,
    number: int | None = None,
    sub_number: int = 0,
    title: str = "",
    report_issue_date: dt.date | None = None,
    acting_user: Any = None,
) -> Meeting:
    """Create a meeting and assign its ref (``DAG028``; ``DAG020.1`` with ``sub_number=1``).

    ``number`` defaults to the committee's next number; an extraordinary meeting passes the
    previous meeting's ``number`` and a ``sub_number``. A given number is recorded as given
    (historical meetings) and the counter moves past it. Raises ValidationError when the
    ref exists or a value is bad, PermissionDenied unless PMO.
    """
    roles.require_pmo(acting_user)
    number_range_check(field="number", value=number, maximum=refs.MAX_MEETING_NUMBER)
    number_range_check(field="sub_number", value=sub_number, minimum=0, maximum=refs.MAX_SUB_NUMBER)
    committees = Committee.objects.filter(pk=committee.pk)
    if sub_number:
        if number is None:
            raise ValidationError(
                {"number": "An extraordinary meeting needs the number it follows."}
            )
        counter_take(committees, "last_meeting_number", explicit=number)
    else:
        number = counter_take(committees, "last_meeting_number", explicit=number)
    meeting = Meeting(
        committee=committee,
        number=number,
        sub_number=sub_number,
        ref=refs.meeting_ref(committee.code, number, sub_number),
        title=title,
        start_at=start_at,
        end_at=end_at,
        venue=venue,
        classification=classification,
        status=status,
        report_issue_date=report_issue_date,
    )
    if Meeting.objects.filter(ref=meeting.ref).exists():
        raise ValidationError({"number": f"Meeting {meeting.ref} already exists."})
    return validated_save(meeting)


@transaction.atomic
def meeting_update(*, meeting: Meeting, acting_user: Any = None, **changes: Any) -> Meeting:
    """Change a meeting's editable fields; actions due "by this meeting" follow a new date.

    Raises ValidationError for bad values or unknown fields, PermissionDenied unless PMO.
    """
    roles.require_pmo(acting_user)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    old_date = meeting.date
    apply_changes(meeting, changes, MEETING_EDITABLE_FIELDS)
    validated_save(meeting)
    if meeting.date != old_date:
        from actions.services import actions_follow_due_meeting

        actions_follow_due_meeting(meeting=meeting)
    return meeting


# --- agenda and discussion ---------------------------------------------------------------------


@transaction.atomic
def agenda_item_create(
    *,
    meeting: Meeting,
    title: str,
    order: int | None = None,
    change_request: Any = None,
    acting_user: Any = None,
) -> AgendaItem:
    """Add an agenda item ("Area") to a meeting; ``order`` defaults to the end."""
    roles.require_pmo(acting_user)
    if order is None:
        order = _next_order(meeting.agenda_items)
    return validated_save(
        AgendaItem(
            meeting=meeting,
            title=" ".join(title.split()),
            order=order,
            change_request=change_request,
        )
    )


def agenda_item_get_or_create(
    *, meeting: Meeting, title: str, acting_user: Any = None
) -> AgendaItem:
    """The meeting's agenda item called ``title``, added at the end if missing.

    Two requests adding records under one new title at the same moment share one agenda
    item: the one that loses the race on the unique title reads the winner's. Raises
    ValidationError for a bad title, PermissionDenied unless PMO.
    """
    title = " ".join(title.split())
    existing = meeting.agenda_items.filter(title=title).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return agenda_item_create(meeting=meeting, title=title, acting_user=acting_user)
    except ValidationError:
        existing = meeting.agenda_items.filter(title=title).first()
        if existing is None:
            raise
        return existing


def _next_order(related: Any) -> int:
    last = related.aggregate(m=models.Max("order"))["m"]
    return 1 if last is None else last + 1


# Emphasis nested deeper than this is flattened: a report needs a level or two, and
# WeasyPrint recurses per level (a few hundred <b> made the PDF fail to render at all).
DISCUSSION_MAX_NESTING = 8
_EMPHASIS_TAG_RE = re.compile(r"<(/?)(?:b|strong|u|i|em)>")


def discussion_text_clean(text: str) -> str:
    """Sanitise discussion HTML: keep ``b``/``strong``/``u``/``i``/``em``/``br``, drop the
    rest, and drop emphasis tags nested more than ``DISCUSSION_MAX_NESTING`` deep (their text
    stays)."""
    return _emphasis_flattened(nh3.clean(text or "", tags=DISCUSSION_TAGS, attributes={})).strip()


def _emphasis_flattened(html: str) -> str:
    # nh3's output is balanced, so each closing tag matches the last opening one.
    opened: list[bool] = []  # for each open tag: whether it was kept
    depth = 0

    def keep_or_drop(match: re.Match[str]) -> str:
        nonlocal depth
        if match[1]:
            kept = opened.pop() if opened else False
            depth -= kept
            return match[0] if kept else ""
        kept = depth < DISCUSSION_MAX_NESTING
        opened.append(kept)
        depth += kept
        return match[0] if kept else ""

    return _EMPHASIS_TAG_RE.sub(keep_or_drop, html)


@transaction.atomic
def discussion_item_create(
    *,
    meeting: Meeting,
    text: str,
    agenda_item: AgendaItem | None = None,
    order: int | None = None,
    acting_user: Any = None,
) -> DiscussionItem:
    """Add a key discussion item; the refs written in it are resolved and stored.

    Raises ValidationError when the text is empty or the agenda item is another meeting's.
    """
    roles.require_pmo(acting_user)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": "That agenda item belongs to another meeting."})
    if order is None:
        order = _next_order(meeting.discussion_items)
    item = validated_save(
        DiscussionItem(
            meeting=meeting,
            agenda_item=agenda_item,
            order=order,
            text=discussion_text_clean(text),
        )
    )
    discussion_references_refresh(discussion_item=item)
    return item


@transaction.atomic
def discussion_item_update(
    *, discussion_item: DiscussionItem, acting_user: Any = None, **changes: Any
) -> DiscussionItem:
    """Change a discussion item's text, area or order and re-resolve its references.

    Raises ValidationError for unknown fields, bad values or an agenda item of another
    meeting; PermissionDenied unless PMO.
    """
    roles.require_pmo(acting_user)
    agenda_item = changes.get("agenda_item")
    if agenda_item is not None and agenda_item.meeting_id != discussion_item.meeting_id:
        raise ValidationError({"agenda_item": "That agenda item belongs to another meeting."})
    if "text" in changes:
        changes["text"] = discussion_text_clean(changes["text"])
    apply_changes(discussion_item, changes, {"text", "agenda_item", "order"})
    validated_save(discussion_item)
    discussion_references_refresh(discussion_item=discussion_item)
    return discussion_item


def discussion_references_refresh(*, discussion_item: DiscussionItem) -> list[DiscussionReference]:
    """Re-resolve the refs written in a discussion item and store them (replacing old ones)."""
    from .selectors import references_resolve

    discussion_item.references.all().delete()
    rows = []
    seen: set[str] = set()
    for resolved in references_resolve(text=discussion_item.text):
        if resolved.ref in seen:
            continue
        seen.add(resolved.ref)
        rows.append(
            DiscussionReference(
                discussion_item=discussion_item,
                kind=resolved.kind,
                ref=resolved.ref,
                **{resolved.field: resolved.record} if resolved.record is not None else {},
            )
        )
    return DiscussionReference.objects.bulk_create(rows)


def discussion_references_refresh_all(*, meeting: Meeting | None = None) -> int:
    """Re-resolve every discussion item (of ``meeting``, or all): refs recorded later now link."""
    items = DiscussionItem.objects.all() if meeting is None else meeting.discussion_items.all()
    count = 0
    for item in items:
        discussion_references_refresh(discussion_item=item)
        count += 1
    return count


@transaction.atomic
def discussion_item_delete(*, discussion_item: DiscussionItem, acting_user: Any = None) -> None:
    """Delete a key discussion item and its stored references (PMO only).

    Raises PermissionDenied unless PMO. The history keeps the deleted text.
    """
    roles.require_pmo(acting_user)
    discussion_item.delete()


# --- headline reports: issue a version, render it, retry -------------------------------------
# The rendering is meetings.report; the Celery task (meetings.tasks) only calls
# headline_report_render_version.

# A version still waiting or rendering this long after its last change was lost (a worker
# died with it): it may be retried, and issuing again makes a new version.
HEADLINE_REPORT_STALE_AFTER = dt.timedelta(minutes=15)


def _headline_report_is_stale(report: HeadlineReport) -> bool:
    last_change = (
        report.history.order_by("-history_date").values_list("history_date", flat=True).first()
    )
    return last_change is None or timezone.now() - last_change > HEADLINE_REPORT_STALE_AFTER


def _headline_report_queue(report: HeadlineReport) -> None:
    from .tasks import headline_report_render_task

    report_id = report.pk
    transaction.on_commit(lambda: headline_report_render_task.delay(report_id))


@transaction.atomic
def headline_report_issue(*, meeting: Meeting, acting_user: Any = None) -> HeadlineReport:
    """Issue the headline report of ``meeting``: a new version, rendered in the background.

    Creates the next HeadlineReport version (status pending) and, after commit, queues the
    task ``meetings.headline_report_render``, which renders the PDF, stores it with its
    SHA-256 checksum and issue date (today, Europe/London) and marks the meeting's report
    issued. A version still waiting or rendering is returned instead of a second one, so a
    double click issues once. Raises PermissionDenied unless PMO, ValidationError while the
    meeting is still planned (a report records a meeting that took place; its "next
    meeting" would also be wrong).
    """
    roles.require_pmo(acting_user)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.PLANNED:
        raise ValidationError(f"{meeting.ref} is planned: mark it held before issuing its report.")
    in_flight = (
        meeting.headline_reports.filter(
            status__in=[HeadlineReport.Status.PENDING, HeadlineReport.Status.RENDERING]
        )
        .order_by("-version")
        .first()
    )
    if in_flight is not None and not _headline_report_is_stale(in_flight):
        return in_flight
    last_version = meeting.headline_reports.aggregate(m=models.Max("version"))["m"] or 0
    requested_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    report = validated_save(
        HeadlineReport(
            meeting=meeting,
            version=last_version + 1,
            status=HeadlineReport.Status.PENDING,
            requested_by=requested_by,
        )
    )
    _headline_report_queue(report)
    return report


def headline_report_render_version(*, report_id: int) -> HeadlineReport:
    """Render and store version ``report_id`` of a headline report: the task's body.

    Safe to run twice: an issued version is returned as it is. Otherwise the version is
    marked rendering, rendered with today's date (Europe/London) as its issue date, and its
    PDF stored once and for all with its SHA-256 checksum and fingerprint; the meeting
    becomes ``report_issued`` with that issue date. A failure (rendering or storing) marks
    the version failed with the error, for :func:`headline_report_retry`, and is not raised.
    Not one transaction: the render (a second or more) runs outside any row lock, between a
    short transaction that claims the version and one that stores it. Raises
    HeadlineReport.DoesNotExist for an unknown id.
    """
    import hashlib
    import logging

    from django.core.files.base import ContentFile

    from .report import headline_report_data, headline_report_fingerprint, headline_report_pdf

    with transaction.atomic():
        report = (
            HeadlineReport.objects.select_for_update()
            .select_related("meeting__committee")
            .get(pk=report_id)
        )
        if report.status == HeadlineReport.Status.ISSUED:
            return report
        report.status = HeadlineReport.Status.RENDERING
        report.attempts += 1
        report.error = ""
        validated_save(report)
    issue_date = timezone.localdate()
    try:
        data = headline_report_data(meeting=report.meeting, issue_date=issue_date)
        pdf = headline_report_pdf(data=data)
        with transaction.atomic():
            report = HeadlineReport.objects.select_for_update().get(pk=report_id)
            if report.status == HeadlineReport.Status.ISSUED:
                return report  # a second run finished first; its file stands
            report.file.save(f"{report.meeting.ref}.pdf", ContentFile(pdf), save=False)
            report.checksum = hashlib.sha256(pdf).hexdigest()
            report.fingerprint = headline_report_fingerprint(data)
            report.issue_date = issue_date
            report.rendered_at = timezone.now()
            report.status = HeadlineReport.Status.ISSUED
            validated_save(report)
            meeting_update(
                meeting=report.meeting,
                status=Meeting.Status.REPORT_ISSUED,
                report_issue_date=issue_date,
            )
    except Exception as exc:  # any failure is recorded on the version, to be retried
        logging.getLogger(__name__).exception("Headline report version %s failed", report_id)
        with transaction.atomic():
            report = HeadlineReport.objects.select_for_update().get(pk=report_id)
            if report.status != HeadlineReport.Status.ISSUED:
                report.status = HeadlineReport.Status.FAILED
                report.error = f"{type(exc).__name__}: {exc}"[:2000]
                validated_save(report)
    return report


@transaction.atomic
def headline_report_retry(*, report: HeadlineReport, acting_user: Any = None) -> HeadlineReport:
    """Render a failed version again (or one lost while waiting or rendering).

    The version goes back to pending and the task is queued after commit. Raises
    ValidationError for an issued version or one still in progress, PermissionDenied
    unless PMO.
    """
    roles.require_pmo(acting_user)
    report = HeadlineReport.objects.select_for_update().select_related("meeting").get(pk=report.pk)
    lost = report.status in {
        HeadlineReport.Status.PENDING,
        HeadlineReport.Status.RENDERING,
    } and _headline_report_is_stale(report)
    if report.status != HeadlineReport.Status.FAILED and not lost:
        raise ValidationError(
            f"Version {report.version} of the {report.meeting.ref} headline report is "
            f"{report.get_status_display().lower()}; only a failed version can be retried."
        )
    report.status = HeadlineReport.Status.PENDING
    report.error = ""
    validated_save(report)
    _headline_report_queue(report)
    return report
