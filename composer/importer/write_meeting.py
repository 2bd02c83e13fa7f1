"""Writing the frame of a report: committee, meeting, change requests, areas, DINs, next meeting.

Each function writes one record through its app's service as the system and records the
change (create, update or unchanged) on the :class:`.writer.Writer`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from changerequests.models import ChangeRequest
from changerequests.services import change_request_create, change_request_update, din_create
from core import refs
from meetings.models import PLACEHOLDER_TITLE, AgendaItem, Committee, Meeting
from meetings.services import (
    agenda_item_create,
    agenda_item_update,
    committee_create,
    meeting_create,
    meeting_update,
)

from .kept import never_backwards
from .text import LONDON, title_key
from .writer import Writer


def _split_committee_name(full_name: str, code: str) -> tuple[str, str]:
    """``MHHS Design Advisory Group`` -> programme ``MHHS``, name ``Design Advisory Group``."""
    words = full_name.split()
    lead = 0
    while lead < len(words) - 1 and words[lead].isupper() and words[lead] != code:
        lead += 1
    if lead == 0 or lead == len(words):
        return "", full_name
    return " ".join(words[:lead]), " ".join(words[lead:])


def when_text(start: dt.datetime, end: dt.datetime | None) -> str:
    """``13/09/2023 10:00–13:00`` in Europe/London, for a change's detail."""
    local = start.astimezone(LONDON)
    text = f"{local:%d/%m/%Y %H:%M}"
    return f"{text}–{end.astimezone(LONDON):%H:%M}" if end else text


def committee_write(w: Writer) -> None:
    """The report's committee: created when new; an existing one is left as it is."""
    p = w.p
    existing = Committee.objects.filter(code=p.committee_code).first()
    if existing is None:
        programme, name = _split_committee_name(p.committee_full_name, p.committee_code)
        w.committee = committee_create(
            code=p.committee_code, name=name, programme_name=programme, acting_user=w.actor
        )
        w.change("committee", p.committee_code, "create", p.committee_full_name)
        return
    w.committee = existing
    if title_key(existing.full_name) != title_key(p.committee_full_name):
        w.warn(
            f"The report names the {existing.code} “{p.committee_full_name}”; it is "
            f"recorded as “{existing.full_name}” and was left as it is."
        )
    w.change("committee", existing.code, "unchanged", existing.full_name)


def _meeting_values(w: Writer) -> dict[str, Any]:
    p = w.p
    return {
        "start_at": p.start_at,
        "end_at": p.end_at,
        "venue": p.venue,
        "classification": p.classification,
        "status": Meeting.Status.REPORT_ISSUED if p.issue_date else Meeting.Status.HELD,
        "report_issue_date": p.issue_date,
    }


def meeting_write(w: Writer) -> None:
    """The report's meeting, created or updated in place (matched by its ref).

    A field changed in the tracker since this report was last imported is a conflict
    (:meth:`.writer.Writer.resolve`); a placeholder an import added (its date not known) takes
    the report's values.
    """
    p = w.p
    values = _meeting_values(w)
    existing = Meeting.objects.filter(ref=p.meeting_ref).first()
    if existing is None:
        w.meeting = meeting_create(
            committee=w.committee,
            number=p.meeting_number,
            sub_number=p.meeting_sub_number,
            acting_user=w.actor,
            **values,
        )
        w.created("meeting", p.meeting_ref, values)
        w.change("meeting", p.meeting_ref, "create", when_text(p.start_at, p.end_at))
        return
    if existing.headline_reports.filter(status="issued").exists():
        # Issued here since: the issue date and status of that issue stand.
        _issued_date_warn(w, existing, values["report_issue_date"])
        values.pop("status")
        values.pop("report_issue_date")
    never_backwards(w, existing, values)
    diff: dict[str, Any] = {}
    if existing.title == PLACEHOLDER_TITLE:
        diff = {k: v for k, v in values.items() if getattr(existing, k) != v}
        diff["title"] = ""
        w.created("meeting", p.meeting_ref, values)
    else:
        w.baselines.load({"meeting": [p.meeting_ref]})
        for name, value in values.items():
            if w.resolve("meeting", p.meeting_ref, name, getattr(existing, name), value):
                diff[name] = value
    if diff:
        w.meeting = meeting_update(meeting=existing, acting_user=w.actor, **diff)
        w.change("meeting", p.meeting_ref, "update", ", ".join(sorted(diff)))
    else:
        w.meeting = existing
        w.change("meeting", p.meeting_ref, "unchanged")


def _issued_date_warn(w: Writer, existing: Meeting, file_date: dt.date | None) -> None:
    issued = existing.report_issue_date
    if not issued or issued == file_date:
        return
    w.warn(
        f"{existing.ref}'s report was issued in the tracker on {issued:%d/%m/%Y}"
        + (f", after this file's issue date ({file_date:%d/%m/%Y})" if file_date else "")
        + f"; the tracker's issue date, {issued:%d/%m/%Y}, is kept."
    )


def change_request_write(w: Writer, number: int, existing: ChangeRequest | None) -> None:
    """A CR the report names: created when new, its title filled in when it had none
    (``existing``: the tracker's CR of that number, read beforehand)."""
    title = w.p.change_request_titles.get(number, "")
    ref = refs.change_request_ref(number)
    if existing is None:
        w.crs[number] = change_request_create(number=number, title=title, acting_user=w.actor)
        w.change("change request", ref, "create", title)
    elif title and not existing.title:
        w.crs[number] = change_request_update(
            change_request=existing, title=title, acting_user=w.actor
        )
        w.change("change request", ref, "update", title)
    else:
        w.crs[number] = existing
        w.change("change request", ref, "unchanged", existing.title)


def agenda_item_write(w: Writer, order: int, title: str, existing: AgendaItem | None) -> None:
    """An area of the meeting's agenda, in the report's order, linked to the CR it names
    (``existing``: the meeting's area of that title, read beforehand)."""
    meeting = w.meeting_written()
    cr = w.cr_of(title)
    if existing is None:
        item = agenda_item_create(
            meeting=meeting, title=title, order=order, change_request=cr, acting_user=w.actor
        )
        w.change("agenda item", title, "create")
    elif (existing.order, existing.change_request_id) != (order, cr.pk if cr else None):
        item = agenda_item_update(
            agenda_item=existing, order=order, change_request=cr, acting_user=w.actor
        )
        w.change("agenda item", title, "update")
    else:
        item = existing
        w.change("agenda item", title, "unchanged")
    w.agenda[title_key(title)] = item


def din_write(w: Writer, number: int, area: str, exists: bool) -> None:
    """A DIN the discussion names, linked to the CR of the area it was discussed under
    (``exists``: the tracker holds it already, read beforehand)."""
    ref = refs.din_ref(number)
    if exists:
        w.change("DIN", ref, "unchanged")
        return
    din_create(number=number, change_request=w.cr_of(area), acting_user=w.actor)
    w.change("DIN", ref, "create")


def next_meeting_write(w: Writer) -> None:
    """The next meeting the report dates: planned when the committee has none on that day."""
    when = w.p.next_meeting_at
    assert when is not None
    committee, meeting = w.committee, w.meeting_written()
    number = w.p.meeting_number + 1
    day_start = dt.datetime.combine(when.date(), dt.time(0), tzinfo=LONDON)
    on_that_day = Meeting.objects.filter(
        committee=committee,
        start_at__gte=day_start,
        start_at__lt=day_start + dt.timedelta(days=1),
    ).first()
    if on_that_day is not None:
        w.change("meeting", on_that_day.ref, "unchanged", "next meeting")
        return
    following = Meeting.objects.filter(committee=committee, number=number, sub_number=0).first()
    if following is not None:
        w.warn(
            f"The report gives the next {committee.code} as {when:%d/%m/%Y %H:%M}; "
            f"{following.ref} is recorded on {following.local_start:%d/%m/%Y %H:%M} "
            "and was left as it is."
        )
        w.change("meeting", following.ref, "unchanged", "next meeting")
        return
    created = meeting_create(
        committee=committee,
        number=number,
        start_at=when,
        status=Meeting.Status.PLANNED,
        classification=meeting.classification,
        acting_user=w.actor,
    )
    # Its own report, imported later, fills it in: these values are what an import wrote.
    fields = ("start_at", "end_at", "venue", "classification", "status", "report_issue_date")
    w.created("meeting", created.ref, {name: getattr(created, name) for name in fields})
    w.change("meeting", created.ref, "create", f"next meeting, {when:%d/%m/%Y %H:%M}")
