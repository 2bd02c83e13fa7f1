"""Base views of the API, its root, and the "my API token" page.

``/api/token/`` (browser, logged in): shows the user's API token and lets them create,
replace or revoke it. Tokens are DRF ``authtoken`` tokens, also managed in the admin.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.db import compiled_values, kept_while_unchanged, prepared_statements
from core.api.etags import etag_of, if_match_check, not_modified, response_with_etag
from core.api.links import Links

# --- base views of the API -----------------------------------------------------------------


class ListApi(ListModelMixin, GenericAPIView):
    """A paged, filtered list: ``GET`` answers ``{next, previous, results}``.

    Subclasses give ``get_queryset`` (a selector, with the reads it needs joined or
    prefetched, so the page costs a fixed number of queries), ``serializer_class``, a
    ``filterset_class`` and ``keyset_orderings``. ``rows_represent`` may be overridden
    to build the rows faster than a serializer does (the action list).
    """

    def rows_represent(self, rows: list[Any]) -> list[dict[str, Any]]:
        return self.get_serializer(rows, many=True).data

    def filter_queryset(self, queryset: Any) -> Any:
        # With none of its parameters in the query, the filterset would change nothing: skip
        # building it (django-filter deep-copies every filter on each request).
        if not self.is_filtered():
            return queryset
        return super().filter_queryset(queryset)

    def page_key(self) -> Hashable | None:
        """A key naming everything this request's page query is built from, when the
        view keeps compiled page queries (``core.api.db.compiled_values``); None (the
        default) builds the query on every request."""
        return None

    def page_run(self, page_query: Callable[[], QuerySet]) -> list[Any]:
        """The rows of the page's query (``core.keyset.keyset_page``'s ``run``): with a
        :meth:`page_key`, its compiled SQL kept and run again for the same key; with no
        filter in the request, its values are all the server's own (``server_values_only``)."""
        key = getattr(self, "_page_key", None)
        if key is None:
            return list(page_query())
        return compiled_values(key, page_query, server_values_only=not self.is_filtered())

    def answer_key(self) -> Hashable | None:
        """A key naming everything this request's answer is built from besides the
        database (the reader, the parameters, the date), when the view keeps its answers
        while the database is unchanged (``core.api.db.kept_while_unchanged``); None (the
        default) builds every answer."""
        return None

    def is_filtered(self) -> bool:
        """True when the request names one of the list's filters."""
        filterset_class = getattr(self, "filterset_class", None)
        return filterset_class is not None and any(
            name in filterset_class.base_filters for name in self.request.query_params
        )

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._page_key = key = self.page_key()
        answer_key = self.answer_key()
        if answer_key is None:
            return self.get_paginated_response(self.rows_represent(self.page_rows(key)))
        # The answer is kept and given again until the database changes; the origin names
        # the links' host.
        return Response(
            kept_while_unchanged(
                (answer_key, Links(request).origin),
                lambda: self.paginator.paginated_data(self.rows_represent(self.page_rows(key))),
                rows=lambda answer: len(answer["results"]),
            )
        )

    def page_rows(self, key: Hashable | None) -> list[Any]:
        """The page's rows, read by the paginator (which sets the next and previous links)."""

        def build() -> QuerySet:
            return self.filter_queryset(self.get_queryset())

        # With a key, the queryset is built only when its compiled query is not kept yet.
        queryset: Any = build if key is not None else build()
        # The page query has a fixed shape per ordering and filter set: PostgreSQL keeps
        # its plan (planning it cost more than running it).
        with prepared_statements():
            return self.paginate_queryset(queryset)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["links"] = Links(self.request)
        return context


class RecordApi(GenericAPIView):
    """One record, found by its ref (or code, or id), answered with its ETag.

    Subclasses give ``record_get(lock=False)`` (a selector applying the user's visibility;
    DoesNotExist becomes 404) and ``serializer_class``. ``GET`` honours ``If-None-Match``
    (304). :meth:`record_write` runs a service under ``If-Match``.
    """

    filter_backends: list[Any] = []
    pagination_class = None

    def record_get(self) -> Any:
        raise NotImplementedError

    def record_represent(self, record: Any) -> dict[str, Any]:
        return self.get_serializer(record).data

    def records_get(self, pks: list[int]) -> list[Any]:
        """The records ``pks`` the user may see, read as :meth:`record_get` reads one (the
        same joins and prefetches, so :meth:`records_represent` costs fixed queries)."""
        raise NotImplementedError

    def records_represent(self, records: list[Any]) -> list[dict[str, Any]]:
        """What :meth:`record_represent` answers for each of ``records``, in one pass."""
        return self.get_serializer(records, many=True).data

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["links"] = Links(self.request)
        return context

    @property
    def links(self) -> Links:
        links = getattr(self, "_links", None)
        if links is None:
            links = self._links = Links(self.request)
        return links

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.record_represent(self.record_get())
        etag = etag_of(data, self.links)
        if not_modified(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return response_with_etag(data, self.links)

    def record_write(
        self,
        change: Callable[[Any], Any],
        *,
        status_code: int = status.HTTP_200_OK,
        represent: Callable[[Any], dict[str, Any]] | None = None,
    ) -> Response:
        """Run ``change(record)`` (one service call) unless ``If-Match`` is stale.

        The record's row is locked first (``select_for_update``; on SQLite the immediate
        transaction holds the write lock), its current ETag compared with ``If-Match``, and
        the service called in the same transaction, so no write slips in between. Answers
        the record's new representation and ETag, or, with ``represent``, what
        ``represent(result)`` gives (a created update, for instance).
        """
        with transaction.atomic():
            record = self.record_get()
            type(record).objects.select_for_update().filter(pk=record.pk).exists()
            if "If-Match" in self.request.headers:
                record = self.record_get()
                if_match_check(self.request, etag_of(self.record_represent(record), self.links))
            result = change(record)
        if represent is not None:
            return Response(represent(result), status=status_code)
        return response_with_etag(
            self.record_represent(self.record_get()), self.links, status_code=status_code
        )


API_LISTS = {
    "committees": "api-committee-list",
    "meetings": "api-meeting-list",
    "agenda_items": "api-agenda-item-list",
    "actions": "api-action-list",
    "decisions": "api-decision-list",
    "discussion_items": "api-discussion-item-list",
    "change_requests": "api-change-request-list",
    "releases": "api-release-list",
    "organisations": "api-organisation-list",
    "people": "api-person-list",
    "schema": "api-schema",
    "docs": "api-docs",
}


@extend_schema(
    tags=["root"],
    summary="Links to every list of the API",
    responses={
        200: inline_serializer("ApiRoot", {name: serializers.URLField() for name in API_LISTS})
    },
)
class ApiRootApi(APIView):
    """``GET /api/v1/``: where each kind of record lives."""

    def get(self, request: Request) -> Response:
        links = Links(request)
        return Response({name: links.path(route) for name, route in API_LISTS.items()})


# The page shows the token: no cache (the browser's, a proxy's) may keep a copy (no-store).
@method_decorator(never_cache, name="dispatch")
class ApiTokenView(LoginRequiredMixin, View):
    """ "My API token": see it, create or replace it (``POST action=create``), revoke it
    (``POST action=revoke``). A replaced or revoked token stops working at once."""

    template_name = "api/token.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        token = Token.objects.filter(user=request.user).first()
        context: dict[str, Any] = {
            "token": token,
            "api_root": request.build_absolute_uri(reverse("api-root")),
            "docs_url": reverse("api-docs"),
            "schema_url": reverse("api-schema"),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action")
        if action == "create":
            replaced, _ = Token.objects.filter(user=request.user).delete()
            Token.objects.create(user=request.user)
            messages.success(
                request,
                "A new API token was made; the old one no longer works."
                if replaced
                else "Your API token was made.",
            )
        elif action == "revoke":
            Token.objects.filter(user=request.user).delete()
            messages.success(request, "Your API token was revoked.")
        else:
            messages.error(request, "Choose to create or revoke your token.")
        return HttpResponseRedirect(reverse("api-token"))


class ApiNotFoundApi(APIView):
    """Any other path under ``/api/v1/``: a 404 in the API's error shape, not an HTML page."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    schema = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise NotFound("There is no such path in the API; see /api/v1/ for its lists.")
