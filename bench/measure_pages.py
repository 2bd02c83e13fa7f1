"""Sections 1 and 2: the API list of actions and the browser pages (ms and queries)."""

from __future__ import annotations

import time
from typing import Any

from . import floors
from .context import API_LIST, Context, _get, _require_url, api_results
from .harness import (
    Result,
    count_queries,
    guarded,
    ms,
    time_calls,
    time_pair,
)

# --- 1. the API list of actions ------------------------------------------------------------


API_TARGET = "≤ 2× floor (PostgreSQL)"
API_RATIO = 2


def api_list(ctx: Context) -> list[Result]:
    """ms per request of ``/api/v1/actions/`` at 50 and 500 rows, against the floor; at 50
    rows also as a Chair, a Member and an Observer, each against a floor listing what that
    reader sees."""
    out = []
    for size, order in ((50, "id"), (500, "id"), (50, "ref")):
        target = API_TARGET if (size, order) == (50, "id") else ""
        label = "" if order == "id" else f", ordering={order}"
        result = Result(
            key=f"api_list_{size}_{order}",
            title=f"API action list, {size} rows{label}",
            db=ctx.db,
            target=target,
            floor_label="raw SQL + orjson",
        )
        out.append(
            guarded(result, lambda r, size=size, order=order: _fill_api_page(ctx, r, size, order))
        )
    for role in ("Chair", "Member", "Observer"):
        result = Result(
            key=f"api_list_50_{role.lower()}",
            title=f"API action list, 50 rows, as {'an' if role[0] in 'AEIOU' else 'a'} {role}",
            db=ctx.db,
            target=API_TARGET,
            floor_label="raw SQL + orjson, the reader's meetings",
        )
        out.append(guarded(result, lambda r, role=role: _fill_api_role(ctx, r, role)))
    # The same pages with no answer kept (core.api.db.kept_while_unchanged): what a read
    # after a write costs, every answer computed.
    for role in ("PMO", "Chair", "Member", "Observer"):
        result = Result(
            key=f"api_list_50_{role.lower()}_computed",
            title=f"API action list, 50 rows, as {role}, every answer computed (none kept)",
            db=ctx.db,
            target=API_TARGET,
            floor_label="raw SQL + orjson" + ("" if role == "PMO" else ", the reader's meetings"),
        )
        fill = _fill_api_computed(ctx, role)
        out.append(guarded(result, fill))

    fixed = Result(
        key="api_fixed",
        title="API root, with a token (no rows: the framework's fixed cost)",
        db=ctx.db,
    )
    out.append(guarded(fixed, lambda r: _fill_api_fixed(ctx, r)))

    queries = Result(
        key="api_list_queries",
        title="API action list, queries at 10/50/200/500 rows",
        db=ctx.db,
        unit="",
        target="same count at 10 and 200",
    )
    out.append(guarded(queries, lambda r: _fill_api_queries(ctx, r)))
    return out


def _fill_api_fixed(ctx: Context, r: Result) -> None:
    """``GET /api/v1/`` with the same token: the request, middleware, DRF and the token's
    query, and no rows. What the list costs beyond its floor is at least this."""
    path = API_LIST.rsplit("/", 2)[0] + "/"
    _require_url(path)
    client = ctx.api_client()
    r.queries, _ = count_queries(lambda: _get(client, path))
    r.value = ms(time_calls(lambda: _get(client, path), repeats=ctx.repeats, warmup=2))


def _fill_api_computed(ctx: Context, role: str) -> Any:
    """The 50-row page as ``role`` with ``API_KEPT_ANSWER_ROWS=0``: each request computes its
    answer, as the first read after a write does."""
    from django.test import override_settings

    def fill(r: Result) -> None:
        with override_settings(API_KEPT_ANSWER_ROWS=0):
            if role == "PMO":
                _fill_api_page(ctx, r, 50, "id")
            else:
                _fill_api_role(ctx, r, role)

    return fill


def _fill_api_role(ctx: Context, r: Result, role: str) -> None:
    """The 50-row page as ``role`` (a login of measure_growth's) against the floor given the
    ids of the meetings that reader may see (worked out by the app's rule, untimed)."""
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from core.visibility import meeting_visible_q
    from meetings.models import Meeting

    from .measure_growth import role_users

    user = role_users(ctx, (role,))[role]
    token, _ = Token.objects.get_or_create(user=user)
    visible = list(Meeting.objects.filter(meeting_visible_q(user)).values_list("pk", flat=True))
    every = list(Meeting.objects.values_list("pk", flat=True))
    meetings, hidden = floors.reader_meetings(visible, every)
    client = Client(headers={"authorization": f"Token {token.key}"})
    _fill_api_page(ctx, r, 50, "id", client=client, meetings=meetings, hidden=hidden)
    r.note = f"{len(visible)} of {len(every)} meetings visible; {r.note}"


def _fill_api_page(
    ctx: Context,
    r: Result,
    size: int,
    order: str,
    *,
    client: Any = None,
    meetings: tuple[int, ...] | None = None,
    hidden: bool = False,
) -> None:
    """One page of the API timed in turn with the floor fetching the same rows; a note when
    the rows differ, since the ratio would then compare different work."""
    path = f"{API_LIST}?page_size={size}"
    if order != "id":
        path += f"&ordering={order}"
    _require_url(path)
    client = client or ctx.api_client()
    rows = api_results(_get(client, path))
    if len(rows) != size:
        raise RuntimeError(f"{path} returned {len(rows)} rows, not {size}")
    page = floors.Page(size, order=order, meetings=meetings, hidden=hidden)
    floor_rows = floors.action_page_rows(page)
    api_refs = [row.get("ref") for row in rows]
    floor_refs = [row["ref"] for row in floor_rows]
    if api_refs != floor_refs:
        r.note = (
            f"the API's rows are not the floor's (API starts {api_refs[:3]}, "
            f"floor {floor_refs[:3]}): the ratio compares different work"
        )
    r.queries, _ = count_queries(lambda: _get(client, path))
    samples, floor_samples = time_pair(
        lambda: _get(client, path),
        lambda: floors.action_page_json(page),
        repeats=ctx.repeats,
        warmup=2,
    )
    r.value, r.floor = ms(samples), ms(floor_samples)
    if r.target and ctx.is_postgres:
        r.met = r.ratio is not None and r.ratio <= API_RATIO
    r.extra["bytes"] = len(_get(client, path).content)
    _record_floor_plans(r, page)


def _record_floor_plans(r: Result, page: floors.Page) -> None:
    """The plans of the floor's two queries (EXPLAIN ANALYZE on PostgreSQL), printed and
    kept with the row: a floor with a bad plan would flatter the path."""
    import sys

    from .explain import floor_plans, plan_note

    plans = floor_plans(page)
    r.extra["floor_plans"] = plans
    print(f"[{r.db}] {r.title}: floor plans", file=sys.stderr)
    for name, plan in plans.items():
        print(f"  {name}:", *plan["nodes"], sep="\n    ", file=sys.stderr)
    note = plan_note(plans)
    r.note = f"{r.note}; {note}" if r.note else note


def _fill_api_queries(ctx: Context, r: Result) -> None:
    """Queries per page at four sizes and on the second page: a fixed count means no query
    per row."""
    _require_url(API_LIST)
    client = ctx.api_client()
    counts = {}
    for size in (10, 50, 200, 500):
        counts[size], _ = count_queries(
            lambda size=size: _get(client, f"{API_LIST}?page_size={size}")
        )
    # The second page too: keyset or offset, a later page must cost the same.
    first = _get(client, f"{API_LIST}?page_size=50").json()
    next_url = first.get("next") if isinstance(first, dict) else None
    if next_url:
        counts["page 2"], _ = count_queries(lambda: _get(client, next_url))
    r.queries = counts[10]
    r.extra["counts"] = counts
    r.note = "queries " + ", ".join(f"{k}: {v}" for k, v in counts.items())
    r.met = counts[10] == counts[200]


# --- 2. the browser pages -------------------------------------------------------------------


def _page(ctx: Context, key: str, title: str, path_of: Any, user: Any = None) -> Result:
    result = Result(key=key, title=title, db=ctx.db, target="< 10 queries, < 50 ms")

    def fill(r: Result) -> None:
        path = path_of()
        _require_url(path)
        client = ctx.browser_client(user)
        _get(client, path)
        started = time.perf_counter()
        r.queries, _ = count_queries(lambda: _get(client, path))
        repeats = ctx.repeats_within(time.perf_counter() - started)
        r.value = ms(time_calls(lambda: _get(client, path), repeats=repeats, warmup=0))
        r.met = r.queries < 10 and r.value.median < 50
        r.extra["path"] = path
        r.title = f"{r.title}: {path}"

    return guarded(result, fill)


def busiest_recent_meeting() -> Any:
    """The most recent held meeting of the generated committees: the page people open most."""
    from meetings.models import Meeting

    meeting = (
        Meeting.objects.exclude(status=Meeting.Status.PLANNED)
        .exclude(committee__code="DAG")
        .order_by("-start_at")
        .first()
    )
    if meeting is None:
        raise RuntimeError("no held meeting in the database")
    return meeting


def pages(ctx: Context) -> list[Result]:
    """The meeting page and the action register pages: ms and queries."""

    meeting_title = "Meeting page (most recent held meeting)"
    try:
        recent = busiest_recent_meeting()
        meeting_title = f"Meeting page ({recent.actions.count()} actions)"
    except RuntimeError:
        pass

    def meeting_path() -> str:
        meeting = busiest_recent_meeting()
        return f"/meetings/{meeting.ref}/"

    return [
        _page(ctx, "page_meeting", meeting_title, meeting_path),
        _page(ctx, "page_register", "Action register, first page", lambda: "/actions/"),
        _page(
            ctx,
            "page_register_open",
            "Action register, open by due date",
            lambda: "/actions/?status=open&sort=due_date",
        ),
        _page(
            ctx,
            "page_mine",
            "My actions (a member)",
            lambda: "/actions/mine/",
            user=ctx.member,
        ),
    ]
