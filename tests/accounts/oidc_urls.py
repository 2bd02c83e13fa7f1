"""The project's URLs with single sign-on's, as dag.urls has them when OIDC is configured."""

from django.urls import include, path

from dag.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("oidc/", include("mozilla_django_oidc.urls")), *project_urlpatterns]
