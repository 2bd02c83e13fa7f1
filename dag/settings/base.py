"""Settings shared by every environment, read from the environment (django-environ).

Variables (see `.env.example`): DATABASE_URL, REDIS_URL, EMAIL_URL, SECRET_KEY, DEBUG,
ALLOWED_HOSTS, DEFAULT_FROM_EMAIL, SITE_URL. With none of them set the app runs on a
SQLite file under `var/` and executes Celery tasks in-process.
"""

import datetime
from pathlib import Path

import environ

from dag.settings.storage import default_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
# Local state (SQLite file, media, collected static) lives here; a fresh clone lacks it.
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdef")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "simple_history",
    "axes",
    "csp",
    "mozilla_django_oidc",
    "core",
    "meetings",
    "actions",
    "decisions",
    "changerequests",
    "composer",
    "notifications",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every answer (CONTENT_SECURITY_POLICY below).
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.MethodNotAllowedPageMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dag.urls"
WSGI_APPLICATION = "dag.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.notifications_unread",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if SQLITE:
    # Django's backend, batching bulk writes by SQLite's real parameter limit (dag/db).
    DATABASES["default"]["ENGINE"] = "dag.db.sqlite3"
    # WAL and a busy timeout let the dev server, the in-process tasks and a shell share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
            # Writers take the lock at BEGIN, so two ref assignments queue instead of failing.
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The API's hot reads run as prepared statements on PostgreSQL (core.api.db.prepared_statements).
# False behind a connection pooler in transaction mode (PgBouncer), which cannot keep them.
# The reminder run's per-email statements follow it too (composer.reminders.statements).
API_PREPARED_STATEMENTS = env.bool("API_PREPARED_STATEMENTS", default=True)
# The action list's answers kept per database connection, at most this many rows together
# (the least recently used go first), given again while PostgreSQL's snapshot shows no write
# since (core.api.db.kept_while_unchanged); 0 computes every answer.
API_KEPT_ANSWER_ROWS = env.int("API_KEPT_ANSWER_ROWS", default=2000)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule on the password: its password_changed hook revokes the user's API tokens.
    {"NAME": "core.auth.RevokeApiTokensOnPasswordChange"},
]
# django-axes first: it refuses a locked-out account or address before any password is
# hashed. Then Django's backend, reading a session's user with their person and roles in
# one query; a wrong password is final there (one hash per attempt, core.auth). Django's own
# stays listed, after it, only so that sessions signed in before core.auth existed (the
# backend's path is stored in the session) stay signed in. Single sign-on, when configured,
# is the last (OIDC_* below).
AUTHENTICATION_BACKENDS = [
    "core.auth.LoginThrottleBackend",
    "core.auth.ModelBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): AXES_FAILURE_LIMIT failed logins in AXES_COOLOFF_TIME lock
# the account (whatever the address) and, separately, the address (whatever the account)
# until that long after the last failure. Covers the login page, the admin's login and API
# tokens (core.api.authentication). The client's address is REMOTE_ADDR, or the address the
# last TRUSTED_PROXY_COUNT proxies saw (core.auth.client_ip).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success does not clear the count: axes would clear the address's too, so a guesser
# with any login of their own could sign in between guesses and never be locked.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "core.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.auth.client_ip"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Password-reset mails asked for by the anonymous form, per hour (core.accounts; counted in CACHES).
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)

# Optional single sign-on by OpenID Connect (mozilla-django-oidc): off unless OIDC_RP_CLIENT_ID
# is set. The provider's user is matched to a person on the register by email (core.oidc).
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
if OIDC_RP_CLIENT_ID:
    OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default=None)
    OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email profile")
    # Off by default: an email that matches no person on the register gets no login.
    OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=False)
    OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="single sign-on")
    AUTHENTICATION_BACKENDS.append("core.oidc.PersonOIDCBackend")
# Where a refused single sign-on lands: the sign-in page, saying so.
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"

# The admin's history pages show a record's past versions but do not restore one: a restore
# would write past the services (a decided decision back to an earlier outcome, say).
SIMPLE_HISTORY_REVERT_DISABLED = True

# Content-Security-Policy (django-csp 4 format): our own origin only, no inline script or
# style; the admin's and the API docs' third-party pages get inline styles (core.middleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# The largest paper a meeting takes (bytes; meetings.paper_files); under nginx's body limit.
PAPER_MAX_BYTES = env.int("PAPER_MAX_BYTES", default=15 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded files on disk, or in an S3 bucket when DAG_S3_BUCKET is set (dag.settings.storage).
STORAGES["default"] = default_storage(env)

# Email: EMAIL_URL such as smtp://user:pass@host:587 or consolemail:// (django-environ).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="governance-tracker@localhost")
# How long a reminder email's one-click links (composer.email_links) stay valid.
EMAIL_LINK_MAX_AGE_DAYS = env.int("EMAIL_LINK_MAX_AGE_DAYS", default=14)
# Impact assessment chasers (composer.ia_chasers): this many days before a respondent's due
# date, and once after it.
IA_CHASE_DAYS_BEFORE = env.int("IA_CHASE_DAYS_BEFORE", default=3)

# Celery: with REDIS_URL set, tasks go through Redis to a worker; unset, they run in-process.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate challenge makes an anonymous request a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's TokenAuthentication, reading the user's roles in the same query.
        "core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.RoleWritePermission"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ApiAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["core.api.renderers.ORJSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.renderers.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": ["core.api.inputs.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.KeysetPagination",
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
    # Ordering is part of the keyset pagination (core.api.pagination.KeysetPagination).
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Per-user rates of expensive work (core.ratelimit), browser and API alike: a PDF render
    # takes seconds of a worker's CPU and hundreds of MiB, an import or export a few seconds.
    "DEFAULT_THROTTLE_RATES": {
        "render": env("RATE_RENDER", default="30/hour"),
        "export": env("RATE_EXPORT", default="60/hour"),
        "import": env("RATE_IMPORT", default="30/hour"),
        "search": env("RATE_SEARCH", default="60/min"),
        # The one-click links of reminder emails (composer.email_links), per address.
        "email_link": env("RATE_EMAIL_LINK", default="60/hour"),
    },
}
# The cache holds the rate limits' counts (and core.accounts' reset counts): Redis when any,
# so every gunicorn worker counts together; otherwise this process's memory (one process).
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Governance tracker API",
    "DESCRIPTION": (
        "Meetings, actions, decisions, discussion and change requests of a programme's "
        "governance committees: the same records and rules as the browser.\n\n"
        "**Authentication**: a session (the browser) or a token: "
        "`Authorization: Token <key>` (get yours at /api/token/). Anonymous requests get 401. "
        "Wrong tokens count as failed sign-ins of the client's address: after "
        "LOGIN_FAILURE_LIMIT (5) of them, further wrong tokens get 429 with Retry-After until "
        "the cool-off (15 minutes) after the last has passed; a valid token still works.\n\n"
        "**Roles**: everyone who logs in reads (Observers: Public meetings only); the PMO "
        "records; the chair decides (`POST /decisions/{ref}/approve/`); members post progress "
        "on the actions they own.\n\n"
        "**Refs** (`DAG028`, `DAG28-01`, `DAG-DEC68`, `CR023`) are assigned by the server and "
        "identify records in URLs; a body that supplies one is refused.\n\n"
        "**Lists** are paged with opaque cursors (`next`/`previous` links), `page_size` up "
        "to 500 and `ordering`.\n\n"
        "**Safe updates**: every record answers an `ETag`; send it back in `If-Match` on "
        "PATCH and on actions such as approve: a stale one gets 412 and changes nothing.\n\n"
        "**Errors** share one shape: `{status, code, detail, errors: {field: [messages]}}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs are public: an integrator reads them before holding a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ActionStatusEnum": "actions.models.Action.Status",
        "ActionReviewOutcomeEnum": "actions.models.ActionReview.Outcome",
        "DecisionStatusEnum": "decisions.models.Decision.Status",
        "ChangeRequestStatusEnum": "changerequests.models.ChangeRequest.Status",
        "ReleaseStatusEnum": "changerequests.models.Release.Status",
        "IAPositionEnum": "changerequests.models.ImpactAssessmentResponse.Position",
        "MeetingStatusEnum": "meetings.models.Meeting.Status",
        "MeetingClassificationEnum": "meetings.models.Meeting.Classification",
        "HeadlineReportStatusEnum": "meetings.models.HeadlineReport.Status",
    },
    # Swagger UI's files come with drf-spectacular-sidecar: nothing is fetched from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Django's own "django" logger brings a console handler of its own (DEBUG only) and would
    # print each line twice with the root's: it keeps none and reaches the root's instead.
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}

# Headline reports are rendered from our own static files only (see composer.report).
HEADLINE_REPORT_STORAGE_DIR = "headline-reports"

# Event notifications (notifications app): an immediate notification waits this long so a
# burst of changes becomes one email per person.
NOTIFICATIONS_BATCH_MINUTES = env.int("NOTIFICATIONS_BATCH_MINUTES", default=10)
# A headline report render (an issued version or the live draft) runs in a child process
# bounded in time and memory (core.bounded); past either bound the render fails with a
# clear error kept on the row, for a retry. A 3,000-action meeting took about 24 s and
# 645 MiB (issue #18). The Celery task's own limits sit above the time bound.
HEADLINE_REPORT_RENDER_TIMEOUT_S = env.int("HEADLINE_REPORT_RENDER_TIMEOUT_S", default=180)
HEADLINE_REPORT_RENDER_MEMORY_MB = env.int("HEADLINE_REPORT_RENDER_MEMORY_MB", default=1536)
# Reminder emails sent at once, each sender over its own connection kept open for the run
# (composer.reminders.senders); 1 for a relay that takes one connection per client.
REMINDER_SEND_PARALLEL = env.int("REMINDER_SEND_PARALLEL", default=4)
# A headline report confirmed on the import page with more lines than this (about one per
# record) is imported in the background, as a one-file back catalogue job with a progress
# bar (composer.catalogue_jobs.report_job_create); a smaller one is imported on the request.
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=1500)
# One longer than this is not even previewed on the request: it is checked in the background
# as a back catalogue of one file, with the catalogue's progress bar and preview.
IMPORT_PREVIEW_MAX_ROWS = env.int("IMPORT_PREVIEW_MAX_ROWS", default=4000)
# Files in one upload: the back catalogue's limit (composer.importer.catalogue.MAX_FILES
# reads it), so Django's own refusal and the import's message agree.
DATA_UPLOAD_MAX_NUMBER_FILES = 200
