"""Template helpers of the browser UI: links for refs, status badges, owner text.

``{% load governance %}``, then ``{{ item|linked_discussion }}`` turns the refs written in a
discussion item (``ACTION DAG28-02``, ``DAG-DEC68``, ``CR023``) into links to their records,
using the item's stored (prefetched) references, so it costs no query per item.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

from django import template
from django.urls import NoReverseMatch
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from core import refs, roles
from core.links import url_maker
from core.text import anchor_spans, discussion_text_clean, inside

register = template.Library()

# URL name of each kind of record page; DINs and design artefacts have no page.
_URL_NAME_BY_KIND = {
    refs.RefKind.MEETING: "meeting-detail",
    refs.RefKind.ACTION: "action-detail",
    refs.RefKind.DECISION: "decision-detail",
    refs.RefKind.CHANGE_REQUEST: "change-request-detail",
}
_CODE_RE = re.compile(r"^[A-Z]{2,10}")


@functools.cache
def ref_url_maker(kind: str) -> Callable[[str], str]:
    """``ref -> the page of the record of kind`` (``/actions/DAG28-01/``), built from one
    ``reverse`` per process (``core.links``); every URL is ``""`` for a kind with no page
    (DINs, design artefacts) or when the pages are not installed."""
    name = _URL_NAME_BY_KIND.get(kind)
    if name:
        with contextlib.suppress(NoReverseMatch):
            return url_maker(name)
    return lambda ref: ""


def ref_url(kind: str, ref: str) -> str:
    """The page of the record with ``ref`` of ``kind`` (``/actions/DAG28-01/``), or ``""``."""
    return ref_url_maker(kind)(ref)


def _resolved(reference: Any) -> bool:
    return any(
        getattr(reference, f"{name}_id", None)
        for name in ("meeting", "action", "decision", "change_request", "din")
    )


def link_refs(text: str, known: dict[str, str]) -> SafeString:
    """Sanitise discussion HTML and wrap each ref in ``known`` (``{ref: kind}``) in a link.

    Refs that name no recorded record stay as written. ``text`` may hold the emphasis tags
    the report uses; everything else is removed first (``discussion_text_clean``).
    """
    html = discussion_text_clean(text)
    if not known:
        return mark_safe(html)  # noqa: S308 - nh3 has just sanitised it
    committee_kinds = {refs.RefKind.MEETING, refs.RefKind.ACTION, refs.RefKind.DECISION}
    codes = {
        m.group(0)
        for ref, kind in known.items()
        if kind in committee_kinds and (m := _CODE_RE.match(ref))
    }
    out: list[str] = []
    position = 0
    written_links = anchor_spans(html)
    for found in refs.find_refs(html, codes or ("DAG",)):
        if found.ref not in known or inside(found.start, written_links):
            continue
        url = ref_url_maker(found.kind)(found.ref)
        if not url:
            continue
        out.append(html[position : found.start])
        out.append(
            f'<a class="ref-link" href="{escape(url)}" title="{escape(found.ref)}">{found.text}</a>'
        )
        position = found.end
    out.append(html[position:])
    return mark_safe("".join(out))  # noqa: S308 - pieces are sanitised HTML and our own tags


@register.filter
def linked_discussion(item: Any) -> SafeString:
    """A DiscussionItem's text with its resolved refs as links (uses prefetched references)."""
    known = {r.ref: r.kind for r in item.references.all() if _resolved(r)}
    return link_refs(item.text, known)


@register.filter
def record_url(record: Any) -> str:
    """The page of a meeting, action, decision or change request (empty for anything else)."""
    kind = {
        "meeting": refs.RefKind.MEETING,
        "action": refs.RefKind.ACTION,
        "decision": refs.RefKind.DECISION,
        "changerequest": refs.RefKind.CHANGE_REQUEST,
    }.get(record._meta.model_name, "")
    return ref_url(kind, record.ref)


@register.filter
def owners_text(action: Any) -> str:
    """All owners of an action, lead first, as the report writes them (prefetched owners)."""
    return "; ".join(o.display for o in action.owners.all())


# Colour family of each status value; the text always says the status too.
_BADGE_TONE = {
    "open": "info",
    "proposed_closure": "warn",
    "closed": "muted",
    "proposed": "warn",
    "deferred": "warn",
    "approved": "ok",
    "approved_with_conditions": "ok",
    "rejected": "bad",
    "withdrawn": "muted",
    "planned": "info",
    "held": "muted",
    "report_draft": "warn",
    "report_issued": "ok",
    "draft": "muted",
    "impact_assessment": "info",
    "awaiting_decision": "warn",
    "implemented": "ok",
    "pending": "info",
    "rendering": "info",
    "issued": "ok",
    "failed": "bad",
    "public": "muted",
    "restricted": "warn",
    "confidential": "bad",
    "support": "ok",
    "support_with_conditions": "ok",
    "neutral": "muted",
    "oppose": "bad",
}


@register.simple_tag
def badge(value: str, label: str) -> SafeString:
    """A status badge: ``{% badge action.status action.get_status_display %}``."""
    tone = _BADGE_TONE.get(value, "muted")
    return format_html('<span class="badge badge-{}">{}</span>', tone, label)


@register.filter
def is_overdue(action: Any, today: dt.date) -> bool:
    """True when ``action`` is overdue on ``today`` (``actions.models.Action.is_overdue``)."""
    return action.is_overdue(today)


@register.simple_tag(takes_context=True)
def query_with(context: Any, **changes: Any) -> str:
    """The current query string with ``changes`` applied (``page=2``, ``sort="due_date"``).

    A change to anything but ``page`` (or a keyset list's ``cursor``) starts again at the
    first page.
    """
    query = context["request"].GET.copy()
    if "page" not in changes and "cursor" not in changes:
        query.pop("page", None)
        query.pop("cursor", None)
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def startswith(value: str, prefix: str) -> bool:
    """``{% if request.path|startswith:"/actions/" %}`` (for the current navigation item)."""
    return str(value or "").startswith(prefix)


@register.simple_tag
def role_names(user: Any) -> str:
    """The user's roles, comma-separated in a fixed order: ``PMO, Chair``."""

    names = roles.user_roles(user)
    return ", ".join(name for name in roles.ALL_ROLES if name in names)


@register.filter
def is_pmo(user: Any) -> bool:
    """True for the secretariat (``core.roles.is_pmo``): shows the PMO's buttons."""
    return roles.is_pmo(user)


@register.filter
def is_observer_only(user: Any) -> bool:
    """True when ``user``'s only role is Observer (``core.roles.is_observer_only``)."""

    return roles.is_observer_only(user)


def dom_id(ref: str) -> str:
    """An HTML id (and URL fragment) for a record's row: ``DAG20.1-12`` → ``r-DAG20_1-12``.

    Dots would break the CSS selectors htmx targets with, so they become underscores.
    """
    return "r-" + str(ref).replace(".", "_")


register.filter("dom_id", dom_id)


@register.filter
def discussion_dom_id(item: Any) -> str:
    """The HTML id of a discussion item on the meeting page: ``discussion-42``."""
    return f"discussion-{item.pk}"
