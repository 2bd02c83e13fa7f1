"""Django's SQLite backend, batching bulk writes by the library's real parameter limit.

Django 5.2 assumes SQLite's compile-time default of 999 parameters per statement, so a
``bulk_create`` of 4,000 reminder-log rows becomes ~33 INSERTs; Debian's SQLite allows
250,000 (and 3.32+ builds 32,766 by default). Django 6.0 reads the connection's limit
(ticket #36143); this backport does the same so a bulk write costs the same number of
statements on SQLite as on PostgreSQL. Settings point ``ENGINE`` here for SQLite URLs.
"""

from __future__ import annotations

import sqlite3

from django.db.backends.sqlite3 import base, features


class DatabaseFeatures(features.DatabaseFeatures):
    """SQLite features with ``max_query_params`` read from the open connection."""

    @property
    def max_query_params(self) -> int:  # type: ignore[override]
        """Host parameters one statement may bind (``SQLITE_LIMIT_VARIABLE_NUMBER``)."""
        self.connection.ensure_connection()
        return self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class DatabaseWrapper(base.DatabaseWrapper):
    """The stock SQLite wrapper with :class:`DatabaseFeatures`."""

    features_class = DatabaseFeatures
