"""API views of actions, their progress updates and reviews.

Reads go through ``actions.selectors.action_list_for_user`` (Observers see actions of Public
meetings only); writes through ``actions.services``, which check the acting user's role.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from actions import selectors, services
from actions.models import Action, ActionReview, ActionUpdate, action_due_sort
from actions.rows import action_row_values, action_rows, action_rows_of
from core import refs, roles
from core.api.db import prepared_statements
from core.api.etags import (
    ETAG_HEADER,
    IF_MATCH_PARAMETER,
    IF_NONE_MATCH_PARAMETER,
    response_with_etag,
)
from core.api.inputs import validated_input
from core.api.links import Links
from core.api.pagination import KeysetPagination, OrderKey
from core.api.views import ListApi, RecordApi
from core.visibility import reader_key
from meetings.models import DiscussionItem, DiscussionReference

from .filters import ActionFilter
from .serializers import (
    ActionChangeSerializer,
    ActionCloseInputSerializer,
    ActionDetailOutputSerializer,
    ActionInputSerializer,
    ActionNoteInputSerializer,
    ActionOutputSerializer,
    ActionProgressInputSerializer,
    ActionReopenInputSerializer,
    ActionReviewInputSerializer,
    ActionReviewOutputSerializer,
    ActionUpdateOutputSerializer,
    action_json,
)

ACTION_REF_PARAMETER = OpenApiParameter(
    "ref",
    str,
    OpenApiParameter.PATH,
    description="Action ref: DAG28-01, DAG20.1-12 (any case).",
    examples=[OpenApiExample("DAG28-01", value="DAG28-01")],
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: your ETag is current.")


def action_for(user: Any, ref: str) -> Action:
    """The action ``ref`` as ``user`` may see it (no owners loaded); DoesNotExist → 404."""
    try:
        key = refs.parse_action_ref(ref)
    except ValidationError:
        raise Action.DoesNotExist(ref) from None
    canonical = refs.action_ref(key.code, key.number, key.sub_number, key.seq)
    return selectors.action_list_for_user(user=user).prefetch_related(None).get(ref=canonical)


def action_represent(action: Action, request: Request, links: Links) -> dict[str, Any]:
    """An action with its CRs, updates, reviews and discussions (a fixed six queries)."""
    return actions_represent([action], request, links)[0]


def _by_action(rows: Any, key: str = "action_id") -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def actions_represent(
    actions: list[Action], request: Request, links: Links
) -> list[dict[str, Any]]:
    """:func:`action_represent` of each of ``actions`` (in their order) in the same fixed
    queries however many there are: a page of forms carries each action's ETag
    (``core.concurrency.record_versions``) at the cost of one."""
    pks = [action.pk for action in actions]
    rows = action_rows(
        Action.objects.filter(pk__in=pks),
        today=timezone.localdate(),
        record=True,
        user=request.user,
    )
    data = dict(zip([row.pk for row in rows], action_json(rows, links), strict=True))
    context = {"request": request, "links": links}
    crs: dict[int, list[dict[str, Any]]] = {pk: [] for pk in pks}
    for action_id, ref, title in (
        Action.change_requests.through.objects.filter(action_id__in=pks)
        .order_by("changerequest__number")
        .values_list("action_id", "changerequest__ref", "changerequest__title")
    ):
        url = links.url("api-change-request-detail", ref)
        crs[action_id].append({"ref": ref, "title": title, "url": url})
    updates = _by_action(
        ActionUpdate.objects.filter(action_id__in=pks)
        .select_related("action", "author__person", "author_person")
        .order_by("created_at", "id")
    )
    reviews = _by_action(
        ActionReview.objects.visible_to(request.user)
        .filter(action_id__in=pks)
        .select_related("action", "meeting", "agenda_item")
        .order_by("meeting__start_at", "id")
    )
    discussed = _by_action(
        DiscussionReference.objects.filter(
            action_id__in=pks,
            discussion_item__in=DiscussionItem.objects.visible_to(request.user),
        )
        .select_related("discussion_item__meeting")
        .order_by(
            "discussion_item__meeting__start_at", "discussion_item__order", "discussion_item_id"
        )
    )
    represented = []
    for pk in pks:
        one = data[pk]
        one["change_requests"] = crs[pk]
        one["updates"] = ActionUpdateOutputSerializer(
            updates.get(pk, []), many=True, context=context
        ).data
        one["reviews"] = ActionReviewOutputSerializer(
            reviews.get(pk, []), many=True, context=context
        ).data
        items = list(
            {ref.discussion_item_id: ref.discussion_item for ref in discussed.get(pk, [])}.values()
        )
        one["discussed_in"] = [
            {
                "id": item.pk,
                "meeting": {
                    "ref": item.meeting.ref,
                    "url": links.url("api-meeting-detail", item.meeting.ref),
                },
                "url": links.url("api-discussion-item-detail", item.pk),
            }
            for item in items
        ]
        represented.append(one)
    return represented


@extend_schema(tags=["actions"])
@extend_schema_view(
    get=extend_schema(
        summary="List actions",
        description="Filters combine (AND). Pages are stable: follow next/previous.",
    )
)
class ActionListApi(ListApi):
    """The action register as the user may see it (Observers: Public meetings only)."""

    # The PMO, and a secretariat for its committee's records (the service checks which).
    write_permission = staticmethod(roles.is_recorder_somewhere)

    serializer_class = ActionOutputSerializer
    filterset_class = ActionFilter
    keyset_orderings = (
        OrderKey("id", ("pk",), "creation order"),
        # Action.ref_sort is ref order as one indexed column: a page is an index range, where
        # sorting by the committee and meeting columns sorted a committee's whole history.
        OrderKey("ref", ("ref_sort",), "committee, meeting number, then number within the meeting"),
        OrderKey(
            "due_date",
            (action_due_sort(),),
            "due date, undated last",
        ),
        OrderKey("updated_at", ("updated_at",), "last change"),
    )

    def get_queryset(self) -> QuerySet:
        # Two queries a page whatever its size: the rows' columns (actions.rows, read by
        # the keyset paginator), then their owners.
        return action_row_values(
            selectors.action_list_for_user(user=self.request.user),
            record=True,
            user=self.request.user,
        )

    def answer_key(self) -> Hashable | None:
        # Everything a page is built from besides the database: the reader
        # (core.visibility.reader_key), the request's parameters and the date (the overdue
        # filter's, the time zone's).
        params = self.request.query_params
        return (
            "actions",
            reader_key(self.request.user),
            tuple(sorted((name, tuple(values)) for name, values in params.lists())),
            timezone.localdate(),
            timezone.get_current_timezone_name(),
        )

    def page_key(self) -> Hashable | None:
        # A first page's query is kept compiled (core.api.db.compiled_values); a page after
        # a cursor is built each time.
        if KeysetPagination.cursor_query_param in self.request.query_params:
            return None
        return self.answer_key()

    def rows_represent(self, rows: list[Any]) -> list[dict[str, Any]]:
        if not rows:
            return []
        with prepared_statements():
            read = action_rows_of(rows, today=timezone.localdate())
        return action_json(read, Links(self.request))

    @extend_schema(
        summary="Record an action (PMO)",
        description="The server assigns the ref (the meeting's next number: DAG28-16); "
        "a body with a ref is refused. Owners are resolved to the people directory by name "
        "(any case); a person it does not know is added without an email, as before, and "
        "no reminder reaches them until one is given: add new people first through "
        "``POST /api/v1/people/`` with their email (``has_email`` on a person tells).",
        request=ActionInputSerializer,
        responses={201: ActionDetailOutputSerializer},
        parameters=[ETAG_HEADER],
    )
    def post(self, request: Request) -> Response:
        data = validated_input(ActionInputSerializer, request)
        action = services.action_create(acting_user=request.user, **data)
        links = Links(request)
        return response_with_etag(
            action_represent(action_for(request.user, action.ref), request, links),
            links,
            status_code=status.HTTP_201_CREATED,
        )


class ActionRecordApi(RecordApi):
    """Base of the one-action endpoints: found by ref, represented in full."""

    # The PMO, and a secretariat for its committee's records (the service checks which).
    write_permission = staticmethod(roles.is_recorder_somewhere)

    serializer_class = ActionDetailOutputSerializer

    def record_get(self) -> Action:
        return action_for(self.request.user, self.kwargs["ref"])

    def record_represent(self, record: Action) -> dict[str, Any]:
        return action_represent(record, self.request, self.links)

    def records_get(self, pks: list[int]) -> list[Action]:
        return list(
            selectors.action_list_for_user(user=self.request.user)
            .prefetch_related(None)
            .filter(pk__in=pks)
        )

    def records_represent(self, records: list[Action]) -> list[dict[str, Any]]:
        return actions_represent(records, self.request, self.links)


@extend_schema(tags=["actions"], parameters=[ACTION_REF_PARAMETER])
@extend_schema_view(
    get=extend_schema(
        summary="Get an action by ref",
        parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: ActionDetailOutputSerializer, 304: NOT_MODIFIED},
    )
)
class ActionDetailApi(ActionRecordApi):
    @extend_schema(
        summary="Change an action (PMO)",
        description="Only the fields sent change: description, due date or due meeting, "
        "area, owners (the whole list, lead first).",
        request=ActionChangeSerializer,
        responses={200: ActionDetailOutputSerializer},
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    def patch(self, request: Request, ref: str) -> Response:
        data = validated_input(ActionChangeSerializer, request, partial=True)
        return self.record_write(
            lambda action: services.action_update(action=action, acting_user=request.user, **data)
        )


def _status_api(summary: str, description: str, input_serializer: Any) -> Any:
    return extend_schema(
        tags=["actions"],
        summary=summary,
        description=description,
        parameters=[ACTION_REF_PARAMETER, IF_MATCH_PARAMETER, ETAG_HEADER],
        request=input_serializer,
        responses={200: ActionDetailOutputSerializer},
    )


@_status_api(
    "Close an action (PMO)",
    "Closes it (confirming a proposed closure); closing a closed action is refused.",
    ActionCloseInputSerializer,
)
class ActionCloseApi(ActionRecordApi):
    def post(self, request: Request, ref: str) -> Response:
        data = validated_input(ActionCloseInputSerializer, request)
        return self.record_write(
            lambda action: services.action_close(action=action, acting_user=request.user, **data)
        )


@_status_api(
    "Reopen a closed action (PMO)",
    "The action is open again; a reason, when given, is recorded as an update.",
    ActionReopenInputSerializer,
)
class ActionReopenApi(ActionRecordApi):
    def post(self, request: Request, ref: str) -> Response:
        data = validated_input(ActionReopenInputSerializer, request)
        return self.record_write(
            lambda action: services.action_reopen(action=action, acting_user=request.user, **data)
        )


@_status_api(
    "Decline a proposed closure (PMO)",
    "The action is open again; the note is recorded as an update.",
    ActionNoteInputSerializer,
)
class ActionDeclineClosureApi(ActionRecordApi):
    def post(self, request: Request, ref: str) -> Response:
        data = validated_input(ActionNoteInputSerializer, request)
        return self.record_write(
            lambda action: services.action_closure_decline(
                action=action, acting_user=request.user, **data
            )
        )


@extend_schema(tags=["actions"], parameters=[ACTION_REF_PARAMETER])
@extend_schema_view(get=extend_schema(summary="List an action's progress updates"))
class ActionUpdateListApi(ListApi):
    """Progress updates of an action, oldest first."""

    serializer_class = ActionUpdateOutputSerializer
    filter_backends: list[Any] = []
    keyset_orderings = (OrderKey("created_at", ("created_at",), "oldest first"),)
    # Owners post updates as well as the PMO: the object-level check is the service's own.
    write_permission = None

    def get_queryset(self) -> QuerySet[ActionUpdate]:
        action = action_for(self.request.user, self.kwargs["ref"])
        return action.updates.select_related("action", "author__person", "author_person")

    @extend_schema(
        summary="Post a progress update (owners and PMO)",
        description="A member may update the actions they own (in person or through their "
        "organisation). With proposes_closure the action awaits the PMO's closure.",
        request=ActionProgressInputSerializer,
        responses={201: ActionUpdateOutputSerializer},
    )
    def post(self, request: Request, ref: str) -> Response:
        action = action_for(request.user, ref)
        if not services.action_can_update(user=request.user, action=action):
            raise PermissionDenied("Only the action's owners or the PMO can update it.")
        data = validated_input(ActionProgressInputSerializer, request)
        update = services.action_update_post(action=action, acting_user=request.user, **data)
        update = ActionUpdate.objects.select_related(
            "action", "author__person", "author_person"
        ).get(pk=update.pk)
        return Response(
            ActionUpdateOutputSerializer(update, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["actions"], parameters=[ACTION_REF_PARAMETER])
@extend_schema_view(get=extend_schema(summary="List an action's reviews"))
class ActionReviewListApi(ListApi):
    """The later meetings at which an action was taken up (closed, re-dated, kept open)."""

    # The PMO, and a secretariat for its committee's records (the service checks which).
    write_permission = staticmethod(roles.is_recorder_somewhere)

    serializer_class = ActionReviewOutputSerializer
    filter_backends: list[Any] = []
    keyset_orderings = (OrderKey("meeting", ("meeting__start_at",), "meeting date"),)

    def get_queryset(self) -> QuerySet[ActionReview]:
        action = action_for(self.request.user, self.kwargs["ref"])
        return action.reviews.visible_to(self.request.user).select_related(
            "action", "meeting", "agenda_item"
        )

    @extend_schema(
        summary="Review the action at a later meeting (PMO)",
        description="Closed closes the action; re-dated moves its due date to new_due_date. "
        "Reviewing it again at the same meeting replaces that review.",
        request=ActionReviewInputSerializer,
        responses={201: ActionReviewOutputSerializer},
    )
    def post(self, request: Request, ref: str) -> Response:
        action = action_for(request.user, ref)
        data = validated_input(ActionReviewInputSerializer, request)
        review = services.action_review_record(action=action, acting_user=request.user, **data)
        review = ActionReview.objects.select_related("action", "meeting", "agenda_item").get(
            pk=review.pk
        )
        return Response(
            ActionReviewOutputSerializer(review, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
