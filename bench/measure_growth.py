"""The growth table: every page and the API list, per role, at the first page and a deep one.

Run at one size per database (``python -m bench.run --only growth``); ``python -m bench
--growth`` runs it at three sizes and prints the cells side by side, so a path whose cost
grows with the history shows it. A cell is the median of timed requests with the p10–p90
spread and the request's query count.

Pages are driven through what they link to, not through how they paginate: the deep page is
the page's own ``rel="last"`` link when it has one, else ``?page=N`` (N = ``DEEP_PAGE`` or
the last page the page says it has, "Page 1 of M"); a page with neither has no deep cell.
The API list's deep page starts after the action ``DEEP_PAGE`` pages of 50 into what the
reader sees (its cursor).
"""

from __future__ import annotations

import html as html_lib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.test import override_settings

from .context import API_LIST, Context, _get, _require_url
from .harness import Result, Stats, count_queries, guarded, ms, time_calls
from .measure_load import reminders

DEEP_PAGE = 2_000
ROLES = ("PMO", "Chair", "Member", "Observer")
_LAST_LINK = re.compile(r"<a\b[^>]*\brel=\"last\"[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"\bhref=\"([^\"]*)\"")
_PAGE_OF = re.compile(r"Page\s+\d[\d,]*\s+of\s+(\d[\d,]*)")


@dataclass(frozen=True)
class GrowthPage:
    """A page of the growth table: its key, title, first path (asked of the database at run
    time) and whether it has a deep page."""

    key: str
    title: str
    first: Callable[[Any], str]
    paginated: bool = True
    api: bool = False
    # Settings the cells are timed under (``override_settings``), as (name, value) pairs.
    overrides: tuple[tuple[str, Any], ...] = ()


def _recent_meeting_path(user: Any) -> str:
    """The most recent held meeting of the generated committees that ``user`` may see."""
    from core.visibility import meeting_visible_q
    from meetings.models import Meeting

    meeting = (
        Meeting.objects.filter(meeting_visible_q(user))
        .exclude(status=Meeting.Status.PLANNED)
        .exclude(committee__code="DAG")
        .order_by("-start_at")
        .first()
    )
    if meeting is None:
        raise RuntimeError("no held meeting this reader may see")
    return f"/meetings/{meeting.ref}/"


PAGES = (
    GrowthPage("meetings", "Meetings", lambda _u: "/meetings/"),
    GrowthPage("meeting", "Meeting page", _recent_meeting_path, paginated=False),
    GrowthPage("register", "Action register", lambda _u: "/actions/"),
    GrowthPage(
        "register_open", "Register, open by due", lambda _u: "/actions/?status=open&sort=due_date"
    ),
    GrowthPage("mine", "My actions", lambda _u: "/actions/mine/"),
    GrowthPage("decisions", "Decisions", lambda _u: "/decisions/"),
    GrowthPage("change_requests", "Change requests", lambda _u: "/change-requests/"),
    GrowthPage("api", "API action list, 50 rows", lambda _u: f"{API_LIST}?page_size=50", api=True),
    # The same list with no answer kept (core.api.db.kept_while_unchanged): what the first
    # read after a write costs.
    GrowthPage(
        "api_computed",
        "API action list, 50 rows, none kept",
        lambda _u: f"{API_LIST}?page_size=50",
        api=True,
        overrides=(("API_KEPT_ANSWER_ROWS", 0),),
    ),
    # What a client keeping a copy in step asks: the last changed first (first page only:
    # the deep page's cursor is of the id order).
    GrowthPage(
        "api_updated",
        "API action list by last change, 50 rows",
        lambda _u: f"{API_LIST}?page_size=50&ordering=-updated_at",
        paginated=False,
        api=True,
    ),
)


def role_users(ctx: Context, roles: tuple[str, ...] = ROLES) -> dict[str, Any]:
    """A login per role: the run's PMO; the chair and a member of the first generated
    committee (their seats are the generator's); an observer seated on it here, from the
    people who own actions. Logins are made once per database."""
    from django.contrib.auth import get_user_model

    from actions.models import ActionOwner
    from meetings.models import Committee, Membership, Person

    users: dict[str, Any] = {"PMO": ctx.pmo}
    committee = Committee.objects.exclude(code="DAG").order_by("pk").first()
    user_model = get_user_model()
    for role in roles:
        if role == "PMO":
            continue
        username = f"bench-seat-{role.lower()}"
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model.objects.create_user(username, email=f"{username}@prog.example")
            seated = Membership.objects.filter(committee=committee)
            if role == "Observer":
                owners = ActionOwner.objects.filter(person__isnull=False).values("person_id")
                person = (
                    Person.objects.filter(user__isnull=True, pk__in=owners, is_team=False)
                    .exclude(pk__in=seated.values("person_id"))
                    .order_by("pk")
                    .first()
                )
                Membership.objects.create(committee=committee, person=person, role="observer")
            else:
                seat = seated.filter(role=role.lower(), person__user__isnull=True).order_by("pk")
                person = seat.first().person
            Person.objects.filter(pk=person.pk).update(user=user)
        users[role] = user
    return users


def _with_page(path: str, number: int) -> str:
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page"] + [("page", str(number))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def deep_path(first_path: str, body: str) -> str | None:
    """A deep page of the page at ``first_path`` whose HTML is ``body``: its ``rel="last"``
    link, else ``?page=N`` up to the last page it names, else None."""
    link = _LAST_LINK.search(body)
    if link:
        href = _HREF.search(link.group(0))
        if href:
            target = html_lib.unescape(href.group(1))
            if target.startswith("?"):
                target = urlsplit(first_path).path + target
            return target
    pages = _PAGE_OF.search(body)
    if pages:
        last = int(pages.group(1).replace(",", ""))
        return _with_page(first_path, min(DEEP_PAGE, last)) if last > 1 else None
    return None


def api_deep_path(first_path: str, user: Any) -> str | None:
    """The API list's page after the action ``DEEP_PAGE`` pages of 50 into what ``user``
    sees (or its last page), as the cursor a client following ``next`` would hold there."""
    from actions.models import Action
    from core.keyset import cursor_encode

    visible = Action.objects.visible_to(user).order_by("pk").values_list("pk", flat=True)
    position = min((DEEP_PAGE - 1) * 50, visible.count() - 50) - 1
    if position <= 0:
        return None
    cursor = cursor_encode("id", [visible[position]], False)  # as a client holds it
    return f"{first_path}&cursor={cursor}"


def _client(ctx: Context, page: GrowthPage, user: Any) -> Any:
    if not page.api:
        return ctx.browser_client(user)
    from django.test import Client
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return Client(headers={"authorization": f"Token {token.key}"})


def _cell(ctx: Context, page: GrowthPage, role: str, position: str, actions: int) -> Result:
    return Result(
        key=f"growth:{page.key}:{position}:{role}",
        title=f"{page.title}, {position} page, {role}",
        db=ctx.db,
        extra={
            "growth": {"page": page.title, "position": position, "role": role, "actions": actions}
        },
    )


def _time_path(ctx: Context, client: Any, path: str, r: Result) -> None:
    started = time.perf_counter()
    r.queries, _ = count_queries(lambda: _get(client, path))
    repeats = ctx.repeats_within(time.perf_counter() - started, budget=5.0)
    r.value = ms(time_calls(lambda: _get(client, path), repeats=repeats, warmup=0))
    r.extra["path"] = path


def _page_cells(ctx: Context, page: GrowthPage, role: str, user: Any, actions: int) -> list[Result]:
    first = _cell(ctx, page, role, "first", actions)
    deep = _cell(ctx, page, role, "deep", actions) if page.paginated else None
    found: dict[str, str | None] = {}

    def fill_first(r: Result) -> None:
        path = page.first(user)
        _require_url(path)
        client = _client(ctx, page, user)
        body = _get(client, path).content.decode()
        found["deep"] = api_deep_path(path, user) if page.api else deep_path(path, body)
        _time_path(ctx, client, path, r)

    def fill_deep(r: Result) -> None:
        path = found.get("deep")
        if path is None:
            r.status = "not available"
            r.note = "no deep page at this size"
            return
        client = _client(ctx, page, user)
        _get(client, path)  # warm
        _time_path(ctx, client, path, r)

    def under_overrides(fill: Callable[[Result], None]) -> Callable[[Result], None]:
        def run(r: Result) -> None:
            with override_settings(**dict(page.overrides)):
                fill(r)

        return run

    out = [guarded(first, under_overrides(fill_first))]
    if deep is not None:
        out.append(guarded(deep, under_overrides(fill_deep)))
    return out


def growth(ctx: Context, roles: tuple[str, ...] = ROLES) -> list[Result]:
    """Every growth page and the API list for each of ``roles``, at the first page and a
    deep one."""
    from actions.models import Action

    actions = Action.objects.count()
    users = role_users(ctx, roles)
    out: list[Result] = []
    for page in PAGES:
        for role in roles:
            out.extend(_page_cells(ctx, page, role, users[role], actions))
    out.extend(_reminder_cell(r, actions) for r in reminders(ctx))
    return out


def _reminder_cell(r: Result, actions: int) -> Result:
    """The reminder run (``measure_load.reminders``, seconds) as a cell of the table (ms):
    the run reads every open action due or overdue, so it is a path that could grow."""

    def in_ms(stats: Stats | None) -> Stats | None:
        if stats is None:
            return None
        return Stats(stats.median * 1000, stats.p10 * 1000, stats.p90 * 1000, stats.n)

    # The floor too, so the ratio stays the run's (it was the seconds' floor under ms).
    r.key, r.value, r.floor, r.unit = (
        "growth:reminders:whole:System",
        in_ms(r.value),
        in_ms(r.floor),
        "ms",
    )
    r.extra["growth"] = {
        "page": "Reminder run (locmem email)",
        "position": "whole run",
        "role": "System",
        "actions": actions,
    }
    return r
