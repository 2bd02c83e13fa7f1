"""The meeting page's short lists as JSON: how the page reads a meeting's agenda items,
decisions, report versions, later meetings and reviews with the meeting's own row (one query
instead of one per list), and how it turns a JSON object back into a model instance.

Split from :mod:`composer.meeting_page`, which builds the query and the page from these."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db.models import (
    Aggregate,
    DateField,
    DateTimeField,
    JSONField,
    Model,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from changerequests.models import ChangeRequest

_M = TypeVar("_M", bound=Model)


class JSONList(Aggregate):
    """The aggregated values as one JSON array (``json_group_array`` on SQLite, ``jsonb_agg``
    on PostgreSQL): a meeting's few agenda items, decisions, report versions or later
    meetings come back with the meeting's own row instead of a query each. The order inside is not
    guaranteed; readers sort."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # jsonb, not json: Django reads jsonb as text and decodes it like a JSONField.
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def json_list(queryset: QuerySet[Any], **fields: Any) -> Subquery:
    """``queryset`` (filtered on ``OuterRef``s) as a JSON array of objects of ``fields``."""
    return Subquery(
        queryset.order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(rows=JSONList(JSONObject(**fields)))
        .values("rows"),
        output_field=JSONField(),
    )


def instance_from_json(model: type[_M], data: dict[str, Any]) -> _M:
    """A model instance from a JSON object of its column values (``{"id": 3, ...}``), as if
    read from the database; dates come as text and are parsed. Keys that are not columns
    are ignored; columns left out are deferred (reading one would query, which the page's
    query-count test would show)."""
    concrete = [f for f in model._meta.concrete_fields if f.attname in data]
    values = []
    for f in concrete:
        value = data[f.attname]
        if value is not None and isinstance(f, DateTimeField):
            value = parse_datetime(value)
            if value is not None and timezone.is_naive(value):
                value = timezone.make_aware(value, dt.UTC)  # SQLite keeps UTC without offset
        elif value is not None and isinstance(f, DateField):
            value = parse_date(value[:10])
        values.append(value)
    return model.from_db(None, [f.attname for f in concrete], values)


# The change request of an agenda item or decision, in its JSON object.
CR_COLUMNS = {
    "change_request_id": "change_request_id",
    "cr_number": "change_request__number",
    "cr_ref": "change_request__ref",
    "cr_status": "change_request__status",
}


def change_request_from_json(data: dict[str, Any]) -> Any:
    """The ChangeRequest of a JSON object with :data:`CR_COLUMNS`, or None."""

    if not data["change_request_id"]:
        return None
    return instance_from_json(
        ChangeRequest,
        {
            "id": data["change_request_id"],
            "number": data["cr_number"],
            "ref": data["cr_ref"],
            "status": data["cr_status"],
        },
    )
