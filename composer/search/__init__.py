"""Search across every kind of record: the registry of kinds, the index kept in step with
the records, the backends (PostgreSQL full-text search, SQLite FTS5) and the selector."""
