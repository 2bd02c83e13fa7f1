"""``GET /api/v1/search/?q=…``: the browser's search (``/search/``) for integrators: the
records the caller may see, best first, one page at a time. Rate limited per user."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from core import ratelimit
from core.api.errors import ErrorSerializer

from .registry import KINDS
from .selectors import PAGE_SIZE, search_records

MAX_LIMIT = 100
MAX_OFFSET = 1000


class SearchInputSerializer(serializers.Serializer):
    """The query parameters, checked as the schema documents them."""

    q = serializers.CharField(
        max_length=200, help_text="Words (all required) or a ref (DAG28-14, DAG-DEC75, CR023)."
    )
    kind = serializers.ChoiceField(
        choices=[(k.name, k.plural) for k in KINDS.values()],
        required=False,
        help_text="Only records of this kind.",
    )
    committee = serializers.CharField(
        max_length=10, required=False, help_text="Only records of this committee (DAG)."
    )
    date_from = serializers.DateField(
        required=False, help_text="Only records dated on or after (a meeting's date)."
    )
    date_to = serializers.DateField(required=False, help_text="Only records dated on or before.")
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=PAGE_SIZE)
    offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, default=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": ["The end date is before the start."]})
        return attrs


class SearchHitOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k.name, k.label) for k in KINDS.values()])
    id = serializers.IntegerField(help_text="The record's id (of its kind).")
    ref = serializers.CharField(help_text="The record's ref; empty for a discussion item.")
    title = serializers.CharField(help_text="What the record is, as plain text.")
    title_html = serializers.CharField(
        help_text="The title, HTML-escaped, with the matching words in <mark>."
    )
    snippet_html = serializers.CharField(
        help_text="Where the words were found, HTML-escaped, with them in <mark>."
    )
    place = serializers.CharField(help_text="Where it was recorded (a meeting ref).")
    date = serializers.DateField(allow_null=True)
    is_exact = serializers.BooleanField(help_text="The query names this record's ref.")
    url = serializers.URLField(help_text="The record's page in the browser.")


class SearchOutputSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    results = SearchHitOutputSerializer(many=True)


@extend_schema(
    tags=["search"],
    summary="Search meetings, actions, decisions, discussion and change requests",
    description=(
        "The records the caller may see whose words or ref match `q`: a record whose ref is "
        "written in `q` first, then by relevance, newest first. English stemming; every word "
        "is required. Rate limited per user (429 with Retry-After)."
    ),
    parameters=[SearchInputSerializer],
    responses={
        200: SearchOutputSerializer,
        400: OpenApiResponse(ErrorSerializer, description="A bad parameter."),
        429: OpenApiResponse(ErrorSerializer, description="Too many searches; see Retry-After."),
    },
)
class SearchApi(APIView):
    throttle_classes = [ratelimit.ExpensiveThrottle]
    throttle_scope = ratelimit.SEARCH

    def get(self, request: Request, **kwargs: Any) -> Response:
        params = SearchInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        results = search_records(
            user=request.user,
            text=data["q"],
            kind=data.get("kind", ""),
            committee=data.get("committee", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            limit=data["limit"],
            offset=data["offset"],
        )
        following = data["offset"] + data["limit"]
        url = request.build_absolute_uri()
        return Response(
            {
                "next": replace_query_param(url, "offset", following)
                if results.has_more and following <= MAX_OFFSET
                else None,
                "results": [
                    {
                        "kind": hit.kind,
                        "id": hit.record_id,
                        "ref": hit.ref,
                        "title": hit.title_text,
                        "title_html": str(hit.title),
                        "snippet_html": str(hit.snippet),
                        "place": hit.place,
                        "date": hit.date.isoformat() if hit.date else None,
                        "is_exact": hit.is_exact,
                        "url": request.build_absolute_uri(hit.link) if hit.link else "",
                    }
                    for hit in results.hits
                ],
            }
        )
