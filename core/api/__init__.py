"""Shared pieces of the REST API at ``/api/v1/``, one module per concern.

Every app's ``api/`` package builds on these, importing each name from the module that
defines it (this package re-exports nothing):

- :mod:`~core.api.renderers`: JSON through orjson (the list endpoints render hundreds of
  rows), PDF downloads, and content negotiation that answers the usual request at once.
- :mod:`~core.api.timestamps`: timestamps written as DRF writes them, for rows built
  without a serializer, formatted by PostgreSQL in the query where it can.
- :mod:`~core.api.errors`: one JSON error shape for every failure, with field errors, and
  the Django exceptions the services raise (``ValidationError``, ``PermissionDenied``,
  ``DoesNotExist``) mapped to 400, 403 and 404, so bad input never becomes a 500.
- :mod:`~core.api.links`: absolute URLs of related records, without a ``reverse()`` per row.
- :mod:`~core.api.etags`: ETags, ``If-Match`` (412) and ``If-None-Match`` (304).
- :mod:`~core.api.db`: prepared statements for the API's hot, fixed-shape reads.
- :mod:`~core.api.authentication`: token authentication that reads the user's roles with
  the token.
- :mod:`~core.api.permissions`: reads need a login; writes need the role the service
  needs (the same :mod:`core.roles` checks), so a refusal comes before any validation.
- :mod:`~core.api.inputs`: the JSON parser (a body nested too deep is a 400, not a 500),
  and write input that refuses unknown fields and server-assigned ones (``ref``).
- :mod:`~core.api.pagination`: stable cursor pagination over a unique ordering key, with
  no ``COUNT`` over the table: each page costs one query whatever its position or size.
- :mod:`~core.api.views`: the base views (``ListApi``, ``RecordApi``), the API root and
  the "my API token" page; :mod:`~core.api.schema`: the OpenAPI schema class.

DRF's settings name classes of the renderer, negotiation, parser, authentication,
permission and pagination modules, and DRF reads those settings while defining its own
views: so none of those modules imports :mod:`core.api.views` or :mod:`core.api.schema`
(which import DRF's and drf-spectacular's views).
"""
