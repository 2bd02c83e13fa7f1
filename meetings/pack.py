"""A meeting's pack: one PDF of a cover (the meeting, its agenda with times, presenters and
purposes, and the papers that are not PDFs) followed by the PDF papers, rendered in the
background with the kernel's render lifecycle (``core.renders``), as the headline report's
versions and the register PDF are.

Apps above this one add sections to the cover (after the agenda) through
:func:`pack_section_register` (the composer adds "Since the last meeting", which this app
may not import: ``composer.since_last_pack``). The pack is one stored PDF read by all the
meeting's readers, so a section shows only what every one of them may see; the pack is out
of date when a section's inputs changed after it was rendered. A section says which reader it
was built for (``reader``, stored on the pack as ``reader_basis``): when the meeting is read
more widely now (a guest invited, the meeting made Public, a member's seat ended), the pack
is withheld (:func:`pack_is_withheld`): not served, shown as out of date, to be made again.

The cover's footer numbers its pages across the whole merged pack ("page 2 of 14"): the
cover comes first, so its page numbers are the pack's, and the total counts the papers'
pages too. The cover is laid out twice to learn its own length (the papers' lengths are
read first); the papers keep their own footers.

Anyone who may read the meeting's agenda (``meetings.models.agenda_readable``) may ask for
its pack and read it: the pack holds the agenda and the papers, nothing else. Asking while
a pack of the meeting waits or renders returns that one, so a double click renders once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from core.actors import is_system
from core.pdf import INTERNAL_BASE_URL, font_config, pdf_url_fetcher
from core.renders import BackgroundRender, render_queue
from core.services import validated_save

from .models import AgendaItem, Meeting, MeetingPack, Paper, PaperVersion, agenda_readable

logger = logging.getLogger(__name__)

MEETING_PACK_RENDER = BackgroundRender(
    model=MeetingPack,
    done=MeetingPack.Status.READY,
    changed_at=lambda pack: pack.updated_at,
    label="Meeting pack",
    describe=lambda pack: f"The {pack.meeting.ref} meeting pack",
    noun="pack",
)


@dataclass(frozen=True)
class PaperFile:
    """A paper with its current version, as the agenda and the pack list it."""

    paper: Paper
    current: PaperVersion

    @property
    def is_pdf(self) -> bool:
        return self.current.kind == PaperVersion.Kind.PDF


@dataclass(frozen=True)
class PackSection:
    """A section of every pack's cover, added by an app above this one.

    ``html(meeting, now)`` is its HTML fragment as of ``now`` (shown to every reader of the
    pack: it must hold only what all of them may see); ``changed_after(meeting, at)`` says
    whether what feeds it changed after ``at`` (the pack is then out of date).

    ``reader(meeting)`` names the reader the section is built for as things stand (stored
    on the pack when it renders); ``narrower(built, now)`` says whether the reader ``now``
    may see less than the one it was ``built`` for (the pack is then withheld)."""

    key: str
    html: Callable[[Meeting, dt.datetime], str]
    changed_after: Callable[[Meeting, dt.datetime], bool]
    reader: Callable[[Meeting], str] | None = None
    narrower: Callable[[str, str], bool] | None = None


_SECTIONS: dict[str, PackSection] = {}


def pack_section_register(section: PackSection) -> None:
    """Add ``section`` to every pack's cover (once per key; an app's ``ready()`` calls it)."""
    _SECTIONS[section.key] = section


def pack_sections() -> list[PackSection]:
    """The registered cover sections, in the order they were registered."""
    return list(_SECTIONS.values())


def pack_reader_basis(meeting: Meeting) -> dict[str, str]:
    """The reader each section of a pack of ``meeting`` is built for now, by section key."""
    return {s.key: s.reader(meeting) for s in pack_sections() if s.reader is not None}


def pack_is_withheld(pack: MeetingPack) -> bool:
    """Whether the ready ``pack`` was built for a reader who may see more than the reader its
    meeting has now (or for no known reader: a pack rendered before readers were recorded):
    it may hold records some of its current readers may not see, so it is not served."""
    if pack.status != MeetingPack.Status.READY:
        return False
    built = pack.reader_basis or {}
    for section in pack_sections():
        if section.reader is None:
            continue
        was = built.get(section.key)
        now = section.reader(pack.meeting)
        if was is None or (section.narrower is not None and section.narrower(was, now)):
            return True
    return False


def agenda_items_with_papers(meeting: Meeting) -> QuerySet[AgendaItem]:
    """The meeting's agenda in order, with presenters, CRs, the "changed since published"
    marker and each item's papers and their versions: four queries whatever its length."""
    return (
        meeting.agenda_items.select_related("presenter", "change_request")
        .with_changed_since_published()
        .prefetch_related(Prefetch("papers", queryset=Paper.objects.prefetch_related("versions")))
        .order_by("order", "id")
    )


def agenda_time_clashes(items: Any) -> list[tuple[AgendaItem, AgendaItem]]:
    """``(item, earlier item)`` for each item of ``items`` (in agenda order) that starts
    before the last item above it with a start time: the order contradicts the times, and
    the agenda page says so. Items with no time are passed over."""
    clashes, previous = [], None
    for item in items:
        if item.start_time is None:
            continue
        if previous is not None and item.start_time < previous.start_time:
            clashes.append((item, previous))
        previous = item
    return clashes


def pack_is_out_of_date(pack: MeetingPack) -> bool:
    """Whether the agenda or a paper of the pack's meeting changed after the pack was made
    (a paper replaced or added, an item edited or moved, the agenda published again), or
    what feeds a cover section (:class:`PackSection`): the page then says so, so nobody
    reads an old pack for the current one. Two queries, and each section's own."""
    if pack.status != MeetingPack.Status.READY or pack.rendered_at is None:
        return False
    if pack_is_withheld(pack):
        return True
    meeting = pack.meeting
    if meeting.agenda_published_at and meeting.agenda_published_at > pack.rendered_at:
        return True
    later_paper = PaperVersion.objects.filter(
        paper__meeting=meeting, uploaded_at__gt=pack.rendered_at
    ).exists()
    return (
        later_paper
        or AgendaItem.history.filter(
            meeting_id=meeting.pk, history_date__gt=pack.rendered_at
        ).exists()
        or any(section.changed_after(meeting, pack.rendered_at) for section in pack_sections())
    )


def paper_files(papers: Any) -> list[PaperFile]:
    """``papers`` (with their versions prefetched) that have a file, each with its current
    version (the highest number)."""
    files = []
    for paper in papers:
        versions = list(paper.versions.all())
        if versions:
            files.append(PaperFile(paper, max(versions, key=lambda v: v.version)))
    return files


def meeting_papers(meeting: Meeting) -> list[PaperFile]:
    """All the meeting's papers in order: those of no agenda item first, then by item."""
    papers = (
        meeting.papers.select_related("agenda_item")
        .prefetch_related("versions")
        .order_by(F("agenda_item__order").asc(nulls_first=True), "order", "id")
    )
    return paper_files(papers)


def meeting_pack_cover_html(
    meeting: Meeting,
    *,
    generated_at: Any = None,
    total_pages: int | None = None,
    paper_starts: dict[int, int] | None = None,
) -> str:
    """The cover of the pack as HTML: the meeting, the agenda, the registered sections and
    the papers. ``total_pages`` is the whole pack's length for the footer (the cover's own
    when None), ``paper_starts`` each merged paper's first page in the pack by paper id."""
    files = meeting_papers(meeting)
    now = generated_at or timezone.now()
    return render_to_string(
        "meetings/pack_cover.html",
        {
            "meeting": meeting,
            "items": agenda_items_with_papers(meeting),
            "sections": [section.html(meeting, now) for section in pack_sections()],
            "merged": [(f, (paper_starts or {}).get(f.paper.pk)) for f in files if f.is_pdf],
            "not_merged": [f for f in files if not f.is_pdf],
            "generated_at": timezone.localtime(now),
            "total_pages": total_pages,
        },
    )


def _paper_readers(meeting: Meeting) -> list[tuple[PaperFile, Any]]:
    """Each PDF paper of the pack with its pypdf reader; a paper pypdf cannot read fails
    the render, naming it."""
    from pypdf import PdfReader

    readers = []
    for file in meeting_papers(meeting):
        if not file.is_pdf:
            continue
        try:
            with file.current.file.open("rb") as handle:
                reader = PdfReader(BytesIO(handle.read()))
                if reader.is_encrypted:
                    raise ValueError("it is encrypted")
                len(reader.pages)  # a damaged page tree fails here, naming the paper
        except Exception as exc:
            raise ValueError(
                f"The paper “{file.paper.title}” (version {file.current.version}) could not be "
                f"added: {exc}. Replace it with a readable PDF and retry."
            ) from exc
        readers.append((file, reader))
    return readers


def _cover_pdf(meeting: Meeting, now: dt.datetime, papers: list[tuple[PaperFile, Any]]) -> bytes:
    """The cover numbered across the pack: laid out once to learn its length, then with
    the pack's total and each paper's first page (again only if that changed its length)."""
    from weasyprint import HTML

    def layout(total: int | None, starts: dict[int, int] | None) -> Any:
        html = meeting_pack_cover_html(
            meeting, generated_at=now, total_pages=total, paper_starts=starts
        )
        return HTML(string=html, base_url=INTERNAL_BASE_URL, url_fetcher=pdf_url_fetcher()).render(
            font_config=font_config()
        )

    guess = layout(None, None)
    cover_pages = len(guess.pages)
    for _ in range(3):
        starts, page = {}, cover_pages + 1
        for file, reader in papers:
            starts[file.paper.pk] = page
            page += len(reader.pages)
        document = layout(page - 1, starts)
        if len(document.pages) == cover_pages:
            return document.write_pdf()
        cover_pages = len(document.pages)
    return document.write_pdf()


def meeting_pack_pdf(meeting: Meeting) -> tuple[bytes, int]:
    """The pack of ``meeting`` as it stands: (pdf, pages). The PDF papers follow the cover
    in agenda order, merged with pypdf's public API; a paper pypdf cannot read fails the
    render, naming it."""
    from pypdf import PdfReader, PdfWriter

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    papers = _paper_readers(meeting)
    writer = PdfWriter()
    writer.append(PdfReader(BytesIO(_cover_pdf(meeting, timezone.now(), papers))))
    for file, reader in papers:
        try:
            writer.append(reader)
        except Exception as exc:
            raise ValueError(
                f"The paper “{file.paper.title}” (version {file.current.version}) could not be "
                f"added: {exc}. Replace it with a readable PDF and retry."
            ) from exc
    out = BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def _render_for_readers(meeting: Meeting) -> tuple[dict[str, str], bytes, int]:
    """(reader basis, pdf, pages) of ``meeting``'s pack; fails (to be retried) when the
    meeting's readers changed while it rendered, as its sections may then mix two readers."""
    basis = pack_reader_basis(meeting)
    pdf, pages = meeting_pack_pdf(meeting)
    if pack_reader_basis(meeting) != basis:
        raise ValueError("The meeting's readers changed while the pack rendered. Retry.")
    return basis, pdf, pages


def _queue(pack: MeetingPack) -> None:
    # The task module imports this one (the task calls the service): imported here to break
    # that cycle, as actions.register_pdf does.
    from meetings.tasks import meeting_pack_render_task

    render_queue(meeting_pack_render_task, pack)


def meeting_pack_get_for_user(*, meeting: Meeting, pack_id: int, user: Any) -> MeetingPack:
    """Pack ``pack_id`` of ``meeting`` if ``user`` may read the meeting's agenda; raises
    MeetingPack.DoesNotExist otherwise."""
    return (
        MeetingPack.objects.readable_by(user)
        .select_related("meeting")
        .get(pk=pack_id, meeting=meeting)
    )


def _require_reader(meeting: Meeting, acting_user: Any) -> None:
    if is_system(acting_user):
        return
    meetings = agenda_readable(Meeting.objects.visible_to(acting_user), acting_user)
    if not meetings.filter(pk=meeting.pk).exists():
        raise PermissionDenied("You may not read this meeting's agenda.")


@transaction.atomic
def meeting_pack_request(*, meeting: Meeting, acting_user: Any) -> MeetingPack:
    """Ask for ``meeting``'s pack as it stands, rendered in the background.

    Returns the meeting's pack still waiting or rendering (not lost) if there is one, else a
    new one queued after commit. PermissionDenied for a user who may not read the agenda.
    """
    _require_reader(meeting, acting_user)
    Meeting.objects.select_for_update().filter(pk=meeting.pk).exists()
    for earlier in MeetingPack.objects.filter(
        meeting=meeting, status__in=[MeetingPack.Status.PENDING, MeetingPack.Status.RENDERING]
    ):
        if not MEETING_PACK_RENDER.is_lost(earlier):
            return earlier
    pack = validated_save(
        MeetingPack(
            meeting=meeting,
            requested_by=acting_user if getattr(acting_user, "pk", None) else None,
        ),
        acting_user=acting_user,
    )
    _queue(pack)
    return pack


def meeting_pack_render(*, pack_id: int, acting_user: Any) -> MeetingPack:
    """Render and store pack ``pack_id``: the task's body, safe to run twice (a ready pack
    and one another worker renders are left alone); a failure is kept on the row."""

    def store(pack: MeetingPack, result: tuple[dict[str, str], bytes, int]) -> None:
        basis, pdf, pages = result
        pack.file.save(f"{pack.meeting.ref}-meeting-pack.pdf", ContentFile(pdf), save=False)
        pack.pages = pages
        pack.reader_basis = basis
        pack.rendered_at = timezone.now()
        pack.status = MeetingPack.Status.READY

    return MEETING_PACK_RENDER.run(
        pack_id,
        acting_user=acting_user,
        render=lambda pack: _render_for_readers(pack.meeting),
        store=store,
        related=("meeting",),
    )


@transaction.atomic
def meeting_pack_retry(*, pack: MeetingPack, acting_user: Any) -> MeetingPack:
    """Render a failed (or lost) pack again; ValidationError for one that is not."""

    def guard(row: MeetingPack) -> None:
        _require_reader(row.meeting, acting_user)

    return MEETING_PACK_RENDER.retry(
        pack, acting_user=acting_user, queue=_queue, guard=guard, related=("meeting",)
    )
