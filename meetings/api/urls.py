"""API URLs of this app (mounted under /api/v1/)."""

urlpatterns: list = []
