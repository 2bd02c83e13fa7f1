"""Settings for benchmark runs: production-like (DEBUG off), email kept in memory.

The database comes from ``DATABASE_URL`` as in every environment; ``python -m bench`` points
it at a fresh SQLite file or a throwaway PostgreSQL. Uploaded files (stored report PDFs) go
to a folder of their own under ``var/bench`` so a run never touches the developer's media.
"""

from dag.settings.base import *  # noqa: F403
from dag.settings.base import DATABASES, VAR_DIR, env

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
MEDIA_ROOT = env.path("BENCH_MEDIA_ROOT", default=str(VAR_DIR / "bench" / "media"))
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# As in production: a worker keeps its database connection between requests.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Requests are timed, not logged: a log line per request would be part of the figure.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
