"""Production settings (the compose stack): PostgreSQL, Redis, secure cookies, whitenoise.

Requires SECRET_KEY, DATABASE_URL (PostgreSQL), REDIS_URL and ALLOWED_HOSTS; raises
ImproperlyConfigured without them. Passes ``manage.py check --deploy`` with no warnings when
they are set (tests/integration/test_compose_stack.py checks it). TLS is ended by a proxy
in front of gunicorn, which sets X-Forwarded-Proto; ``/health/`` answers plain HTTP so
container health checks work.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL database in production.")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Django's default: no health check. A check is a "SELECT 1" round trip before the first
# query of every request (make bench, section "stack": 237 requests a second with it, 261
# without). Without it, after a database restart each web worker's first request fails
# once, and the worker then reconnects. CONN_HEALTH_CHECKS=True trades that round trip for
# no such failure.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=False)
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False

# Static files: collected at image build, served by whitenoise under hashed names, gzip and
# Brotli copies made once at collection. STATIC_COMPRESS=False skips those copies (a minute
# of Brotli over the API docs' bundles), e.g. where static files are collected at each start.
STATIC_ROOT = env.path("STATIC_ROOT", default=str(STATIC_ROOT))
STORAGES["staticfiles"] = {
    "BACKEND": (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_COMPRESS", default=True)
        else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    ),
}

SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# The stack's nginx is one proxy hop: the client is the address it saw, so login and reset
# throttling count clients, not the proxy (core.auth.client_ip). 2 with a load balancer that
# appends X-Forwarded-For in front of it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
