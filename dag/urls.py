"""Root URLs: the browser UI of each app, the admin, the API and the health check."""

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView

from core.accounts import LoginView, ThrottledPasswordResetView
from core.api.views import ApiTokenView

from .views import health

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before Django's own: the anonymous reset form, throttled (core.accounts).
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("health/", health, name="health"),
    # Browsers ask for /favicon.ico whatever the page links: send them to the static icon.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static_url("favicon.svg"), permanent=True),
        name="favicon",
    ),
    path("api/v1/", include("dag.api_urls")),
    path("api/token/", ApiTokenView.as_view(), name="api-token"),
    path("", include("meetings.urls")),
    path("", include("meetings.people_urls")),
    path("", include("actions.urls")),
    path("", include("decisions.urls")),
    path("", include("changerequests.urls")),
    path("", include("notifications.urls")),
    path("", include("webhooks.urls")),
    # Last: its pages at refs (meetings/<ref>/, change-requests/<ref>/) must not shadow the
    # fixed paths above (meetings/new/, change-requests/new/).
    path("", include("composer.urls")),
]

# Single sign-on's pages exist only when it is configured (OIDC_RP_CLIENT_ID, README).
if settings.OIDC_RP_CLIENT_ID:
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))

# MEDIA_ROOT is never served by path, not even with DEBUG: it holds the issued headline
# reports (headline-reports/DAG029/DAG029-headline-report-v1.pdf, an easy guess), which the
# report views serve only to users who may see the meeting.

# A request with more files than DATA_UPLOAD_MAX_NUMBER_FILES is refused in words.
handler400 = "core.views.bad_request"
