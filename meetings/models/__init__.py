"""The meetings app's models, one module per idea; import them from here.

``people``: committees, organisations, people, memberships. ``meeting``: meetings, agenda,
discussion and its refs. ``participants``: the people invited to a meeting and their
attendance. ``series``: meetings planned together. ``papers``: a meeting's papers and packs.
``reports``: headline report versions and the ref counters.
Migrations name ``meetings.models.headline_report_upload_to``, so it stays importable here.
"""

from meetings.models.meeting import (
    OUTER_MEETING,
    PLACEHOLDER_TITLE,
    AgendaItem,
    AgendaItemQuerySet,
    DiscussionItem,
    DiscussionReference,
    DiscussionReferenceQuerySet,
    Meeting,
    MeetingQuerySet,
    OuterMeeting,
)
from meetings.models.papers import (
    MeetingPack,
    Paper,
    PaperVersion,
    agenda_readable,
    meeting_pack_upload_to,
    paper_upload_to,
)
from meetings.models.participants import MeetingAttendance, MeetingParticipant
from meetings.models.people import Committee, Membership, Organisation, Person
from meetings.models.reports import (
    HeadlineReport,
    HeadlineReportQuerySet,
    RefCounter,
    headline_report_upload_to,
)
from meetings.models.series import MeetingSeries

__all__ = [
    "OUTER_MEETING",
    "PLACEHOLDER_TITLE",
    "AgendaItem",
    "AgendaItemQuerySet",
    "Committee",
    "DiscussionItem",
    "DiscussionReference",
    "DiscussionReferenceQuerySet",
    "HeadlineReport",
    "HeadlineReportQuerySet",
    "Meeting",
    "MeetingAttendance",
    "MeetingPack",
    "MeetingParticipant",
    "MeetingQuerySet",
    "MeetingSeries",
    "Membership",
    "Organisation",
    "OuterMeeting",
    "Paper",
    "PaperVersion",
    "Person",
    "RefCounter",
    "agenda_readable",
    "headline_report_upload_to",
    "meeting_pack_upload_to",
    "paper_upload_to",
]
